//! The reconcile's contacts check: WeCom's view of the range compared with
//! the stored members, writing nothing, and a full sync started only when
//! they differ.
//!
//! An hourly reconcile of an organisation whose contacts did not change
//! should cost reads, not writes (issue 23). A sync keeps its lease, plan
//! and the members it has seen in D1 between its steps; the check carries
//! its state in its queue messages instead: the plan, a [`Tally`] of the
//! members WeCom lists (as the sync would store them), and one bit for
//! each individual or tag user of the range that a chunk listed. Step 0
//! reads the departments and tags (and compares the departments), each
//! next step lists one chunk of departments' members from WeCom and adds
//! the members it owns to the tally (a member listed in several chunks is
//! owned by the chunk of its smallest department), and the last adds the
//! members in range without a department route, then reads the stored
//! members in range once, page by page, and compares the two tallies.
//! Equal: nothing written but, every [`NOTE_CHECKED_SECS`], the time of
//! the check. Different: the full sync starts ([`super::start`]).

use super::steps::{department_rows, list_members, read_plan, unlisted_members, Plan, RangeShape};
use crate::corp;
use crate::env::Config;
use crate::error::ApiError;
use crate::queue::{self, Work};
use crate::store::{self, ListedDepartment};
use domain::range::{MemberRecord, Tally};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use worker::Env;

/// What one check message carries past the plan, as JSON text (u64s
/// stay exact; a queue message's body goes through JavaScript numbers).
#[derive(Serialize, Deserialize)]
struct State {
    plan: Plan,
    /// The individuals of the range when the plan was read.
    individuals: Vec<String>,
    /// The members WeCom listed in the chunks done, each counted once.
    tally: Tally,
    /// One bit for each of [`State::candidates`]: listed in a chunk done.
    listed: Vec<u8>,
}

/// Cloudflare Queues take messages of at most 128 KB
/// (developers.cloudflare.com/queues/platform/limits/); the state stays
/// under this, with room for the rest of the message. An organisation
/// whose plan is larger (thousands of departments, tags of thousands)
/// gets the full sync instead.
const STATE_BYTES_MAX: usize = 120 * 1024;

/// Page of stored members the last step reads at a time (100 000 members:
/// 100 of D1's 1 000 queries an invocation, `store::D1_QUERIES_PER_INVOCATION`).
const STORED_PAGE: u64 = 1000;

/// How often an unchanged check notes its time as the last sync: twice a
/// day, so "last synced" (and the desk's "not synced for a day") stays
/// true while 22 of 24 hourly checks write nothing.
pub const NOTE_CHECKED_SECS: u64 = 12 * 3600;

impl State {
    /// The individuals and tag users, sorted and once each: the bits'
    /// order.
    fn candidates(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self
            .individuals
            .iter()
            .map(String::as_str)
            .chain(self.plan.tag_users.iter().map(|(u, _)| u.as_str()))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    fn was_listed(&self, i: usize) -> bool {
        self.listed
            .get(i / 8)
            .is_some_and(|b| b & (1 << (i % 8)) != 0)
    }

    fn mark_listed(&mut self, i: usize) {
        if let Some(b) = self.listed.get_mut(i / 8) {
            *b |= 1 << (i % 8);
        }
    }

    fn to_text(&self) -> Result<String, ApiError> {
        serde_json::to_string(self).map_err(ApiError::internal)
    }
}

/// Where a check step left it.
pub enum Checked {
    /// Take step `.0` next, with this state.
    Next(u64, String),
    /// WeCom and D1 agree: this many members in range, and departments.
    Unchanged { members: u64, departments: u64 },
    /// They differ (or the check cannot carry this organisation's plan):
    /// a full sync is due. Says why.
    Changed(&'static str),
}

/// Takes step `at` of a check (`state` from the message before; none for
/// step 0).
pub async fn take(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    at: u64,
    state: Option<&str>,
    now: u64,
) -> Result<Checked, ApiError> {
    let Some(corp) = corp::open(env, cfg, corp_id).await? else {
        return Ok(Checked::Unchanged {
            members: 0,
            departments: 0,
        });
    };
    let Some(state) = state else {
        return first(env, &corp, corp_id).await;
    };
    let mut state: State = serde_json::from_str(state)
        .map_err(|e| ApiError::internal(format!("check {corp_id}: state: {e}")))?;
    let shape = RangeShape::of(&corp.db, corp_id, &state.plan).await?;
    let chunks = state.plan.chunks.len() as u64;
    if at <= chunks {
        chunk(&corp, corp_id, &shape, &mut state, at).await?;
        return Ok(Checked::Next(at + 1, state.to_text()?));
    }
    last(&corp, corp_id, &shape, state, now).await
}

/// Step 0: the plan, and the departments compared.
async fn first(env: &Env, corp: &corp::Corp<'_>, corp_id: &str) -> Result<Checked, ApiError> {
    let (departments, plan) = read_plan(env, corp, corp_id).await?;
    let mut listed: Vec<ListedDepartment> = department_rows(&departments)
        .into_iter()
        .map(|d| ListedDepartment {
            id: d.id,
            parent_id: d.parent_id,
            name: d.name.to_owned(),
            order: d.order,
            in_range: true,
        })
        .collect();
    listed.sort_unstable_by_key(|d| d.id);
    if store::stored_departments(&corp.db, corp_id).await? != listed {
        return Ok(Checked::Changed("departments differ"));
    }
    let individuals = store::visible_range(&corp.db, corp_id)
        .await?
        .map(|r| r.user)
        .unwrap_or_default();
    let mut state = State {
        plan,
        individuals,
        tally: Tally::default(),
        listed: vec![],
    };
    state.listed = vec![0; state.candidates().len().div_ceil(8)];
    let text = state.to_text()?;
    if text.len() > STATE_BYTES_MAX {
        return Ok(Checked::Changed("the plan is too large to carry"));
    }
    Ok(Checked::Next(1, text))
}

/// A chunk step: its departments' members listed by WeCom, those it owns
/// added to the tally, the individuals and tag users among them marked.
async fn chunk(
    corp: &corp::Corp<'_>,
    corp_id: &str,
    shape: &RangeShape,
    state: &mut State,
    at: u64,
) -> Result<(), ApiError> {
    let index = (at - 1) as usize;
    let departments = state.plan.chunks.get(index).cloned().unwrap_or_default();
    let members = list_members(corp, corp_id, &departments).await?;
    let chunk_of: HashMap<u64, usize> = state
        .plan
        .chunks
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.iter().map(move |d| (*d, i)))
        .collect();
    let candidates: Vec<String> = state.candidates().into_iter().map(str::to_owned).collect();
    for m in shape.expand(&members).values() {
        let candidate = candidates.binary_search(&m.userid).ok();
        let owned = match m.department_ids.as_deref().and_then(|d| d.iter().min()) {
            Some(smallest) => chunk_of.get(smallest) == Some(&index),
            // In range only as an individual or a tag user: the first
            // chunk listing it owns it.
            None => candidate.is_some_and(|i| !state.was_listed(i)),
        };
        if let Some(i) = candidate {
            state.mark_listed(i);
        }
        if owned {
            state.tally.add(&MemberRecord::from_in_range(m));
        }
    }
    Ok(())
}

/// The last step: the members in range no chunk listed (tag users, and
/// individuals read with `user/get`), then the stored members' tally.
async fn last(
    corp: &corp::Corp<'_>,
    corp_id: &str,
    shape: &RangeShape,
    mut state: State,
    now: u64,
) -> Result<Checked, ApiError> {
    let candidates: Vec<String> = state.candidates().into_iter().map(str::to_owned).collect();
    let listed = |userid: &str| {
        candidates
            .binary_search_by(|c| c.as_str().cmp(userid))
            .is_ok_and(|i| state.was_listed(i))
    };
    let rest = unlisted_members(corp, corp_id, &state.plan, shape, listed).await?;
    for m in shape.expand(&rest).values() {
        state.tally.add(&MemberRecord::from_in_range(m));
    }
    let mut stored = Tally::default();
    let mut after = String::new();
    loop {
        let page = store::in_range_members_after(&corp.db, corp_id, &after, STORED_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.userid.clone();
        page.iter().for_each(|m| stored.add(m));
    }
    if stored != state.tally {
        return Ok(Checked::Changed("members differ"));
    }
    store::note_checked(&corp.db, corp_id, now, NOTE_CHECKED_SECS).await?;
    Ok(Checked::Unchanged {
        members: stored.count,
        departments: state.plan.tree.len() as u64,
    })
}

/// Starts a check as a chain of queue messages: step 0 runs on the queue.
pub async fn start(env: &Env, corp_id: &str) -> Result<(), ApiError> {
    send(env, corp_id, 0, None).await
}

/// Sends step `step` of a check.
pub async fn send(
    env: &Env,
    corp_id: &str,
    step: u64,
    state: Option<String>,
) -> Result<(), ApiError> {
    queue::send(
        env,
        &Work::SyncCheck {
            corp_id: corp_id.to_owned(),
            step,
            state,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_individual_or_tag_user_has_one_bit_however_it_is_in_range() {
        let plan: Plan = serde_json::from_value(serde_json::json!({
            "tree": [[1, 0]], "chunks": [[1]], "tags": [],
            "tag_users": [["boss", "老板"], ["lead", "组长"]],
        }))
        .unwrap();
        let mut state = State {
            plan,
            individuals: vec!["lead".into(), "ann".into()],
            tally: Tally::default(),
            listed: vec![],
        };
        assert_eq!(
            state.candidates(),
            ["ann", "boss", "lead"],
            "sorted, once each"
        );
        state.listed = vec![0; state.candidates().len().div_ceil(8)];
        state.mark_listed(2);
        assert!(state.was_listed(2) && !state.was_listed(0) && !state.was_listed(1));
        // Carried as text, every bit and the tally's u64s exact.
        state.tally.sum = u64::MAX - 1;
        let back: State = serde_json::from_str(&state.to_text().unwrap()).unwrap();
        assert!(back.was_listed(2) && !back.was_listed(1));
        assert_eq!(back.tally.sum, u64::MAX - 1);
    }
}
