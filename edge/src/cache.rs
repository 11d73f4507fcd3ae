//! The access check's cache. Each organisation has a generation: which
//! install, and a version every write to its members, seats or license
//! regime bumps (`organisations.access_version` in D1), which retires every
//! view of that organisation at once. This isolate keeps the views it read
//! in memory and trusts the generation it last read for a second, so the
//! writing isolate sees a change at once and others within a second.
//!
//! A view not in memory, or a generation older than a second, costs one
//! D1 round trip that reads both: the generation and the member's facts
//! (three small statements in one batch, a handful of rows). KV kept views
//! for other isolates once; but a KV read is a round trip of its own, and
//! a miss then cost two more (D1, then the KV write, at KV's write price),
//! so after a change a check took four round trips where it now takes one
//! (`make bench`, cost table).
//!
//! Why D1 for the generation and not a KV key: KV takes one write per
//! second per key (<https://developers.cloudflare.com/kv/platform/limits/>,
//! "Writes to same key"), so a burst of changes would lose bumps, and a KV
//! write can take 60 s to show in other locations
//! (<https://developers.cloudflare.com/kv/concepts/how-kv-works/>). D1
//! takes a burst of row updates and reads its own writes.

use crate::error::ApiError;
use crate::kv::Kv;
use crate::shard;
use crate::store;
use domain::access::{Licensing, Member};
use domain::seat::{HeldSeat, MemberState};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use worker::Env;

/// How long this isolate trusts the generation it last read from D1: how
/// late another isolate's change can reach an answer from this one.
const GENERATION_MEMO_MS: u64 = 1000;
/// Views kept in this isolate's memory (cleared when full).
const MEMO_VIEWS: usize = 20_000;

thread_local! {
    // Workers run one request at a time per isolate thread.
    /// corp_id -> (read at ms, generation)
    static GENERATIONS: RefCell<HashMap<String, (u64, String)>> = Default::default();
    /// corp, generation and userid ([`view_key`]) -> view
    static VIEWS: RefCell<HashMap<String, Rc<AccessView>>> = Default::default();
}

/// What the access decision needs to know of one member.
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessView {
    pub state: MemberState,
    pub seats: Vec<HeldSeat>,
    pub licensing: Licensing,
}

impl AccessView {
    pub fn member(&self) -> Member {
        match self.state {
            MemberState::Unknown => Member::Unknown,
            MemberState::Departed => Member::Departed,
            MemberState::OutOfRange => Member::OutOfRange,
            MemberState::ActiveInRange => Member::InRange(self.seats.clone()),
        }
    }
}

/// The organisation's generation as this isolate read it within
/// [`GENERATION_MEMO_MS`], if it did.
fn fresh_generation(corp_id: &str, now_ms: u64) -> Option<String> {
    GENERATIONS.with(|g| {
        g.borrow()
            .get(corp_id)
            .filter(|(at, _)| now_ms.saturating_sub(*at) < GENERATION_MEMO_MS)
            .map(|(_, generation)| generation.clone())
    })
}

/// Forgets this isolate's generation of the organisation: its next check
/// reads D1 again.
pub fn forget_generation(corp_id: &str) {
    GENERATIONS.with(|g| g.borrow_mut().remove(corp_id));
}

/// Invalidates every cached access view of the organisation: one D1
/// statement, however many changes come in a second.
pub async fn bump_generation(env: &Env, corp_id: &str) {
    forget_generation(corp_id);
    let Ok(db) = shard::db_for(env, corp_id).await else {
        return;
    };
    if let Err(e) = store::bump_access_version(&db, corp_id).await {
        worker::console_error!("access generation of {corp_id} not bumped: {e}");
    }
}

/// Forgets the organisation's generation (cancel_auth raced by a sync);
/// the row it lives on went with the organisation.
pub fn drop_generation(corp_id: &str) {
    forget_generation(corp_id);
}

fn remember(key: String, view: AccessView) -> Rc<AccessView> {
    let view = Rc::new(view);
    VIEWS.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MEMO_VIEWS {
            m.clear();
        }
        m.insert(key, view.clone());
    });
    view
}

/// The member's view: from memory when this isolate read it under the
/// generation it trusts, else from D1 in one round trip (generation and
/// facts together). `None` when the organisation is not installed.
pub async fn access_view(
    env: &Env,
    corp_id: &str,
    userid: &str,
) -> Result<Option<Rc<AccessView>>, ApiError> {
    let now_ms = worker::Date::now().as_millis();
    if let Some(generation) = fresh_generation(corp_id, now_ms) {
        let key = view_key(corp_id, &generation, userid);
        if let Some(v) = VIEWS.with(|m| m.borrow().get(&key).cloned()) {
            return Ok(Some(v));
        }
    }
    let Some(facts) =
        store::access_facts(&shard::db_for(env, corp_id).await?, corp_id, userid).await?
    else {
        forget_generation(corp_id);
        return Ok(None);
    };
    let (installed_at, version) = facts.generation;
    let generation = format!("{installed_at}.{version}");
    GENERATIONS.with(|g| {
        g.borrow_mut()
            .insert(corp_id.to_owned(), (now_ms, generation.clone()))
    });
    let view = AccessView {
        state: facts.state,
        seats: facts.seats,
        licensing: facts.license.licensing(facts.first_installed_at),
    };
    Ok(Some(remember(view_key(corp_id, &generation, userid), view)))
}

fn view_key(corp_id: &str, generation: &str, userid: &str) -> String {
    format!("{corp_id}\u{1f}{generation}\u{1f}{userid}")
}

/// KV operations one Worker invocation may make (a `get`, `put`, `delete`
/// or `list` call counts one): 1 000 on every plan
/// (<https://developers.cloudflare.com/kv/platform/limits/>, "Operations/Worker
/// invocation").
pub const KV_OPERATIONS_PER_INVOCATION: usize = 1_000;

/// The most keys one KV `list` call returns (same page).
pub const KV_LIST_PAGE_KEYS: u64 = 1_000;

/// What [`delete_under`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Cleanup {
    pub deleted: usize,
    /// Keys left to expire on their own (each has an expiration).
    pub left_to_expire: usize,
    /// KV operations spent.
    pub operations: usize,
}

/// Deletes every key under `prefix`, a list page (`page_keys`) at a time,
/// spending at most `budget` KV operations. While the budget lasts every
/// key goes; once only `reserve` operations are left, only keys that never
/// expire are deleted and the others are left to their expiration, so the
/// listing (one operation per page) can still reach the end.
pub async fn delete_under(
    kv: &Kv,
    prefix: &str,
    page_keys: u64,
    budget: usize,
    reserve: usize,
) -> Result<Cleanup, ApiError> {
    let mut done = Cleanup::default();
    let mut cursor: Option<String> = None;
    loop {
        if done.operations >= budget {
            return Err(ApiError::internal(format!(
                "KV cleanup of {prefix} ran out of its {budget} operations"
            )));
        }
        let mut list = kv.list().prefix(prefix.to_owned()).limit(page_keys);
        if let Some(c) = cursor.take() {
            list = list.cursor(c);
        }
        let page = list.execute().await?;
        done.operations += 1;
        for key in page.keys {
            let spare = budget.saturating_sub(done.operations);
            if key.expiration.is_some() && spare <= reserve {
                done.left_to_expire += 1;
                continue;
            }
            if spare == 0 {
                return Err(ApiError::internal(format!(
                    "KV cleanup of {prefix} ran out of its {budget} operations"
                )));
            }
            kv.delete(&key.name).await?;
            done.operations += 1;
            done.deleted += 1;
        }
        match page.cursor.filter(|c| !page.list_complete && !c.is_empty()) {
            Some(c) => cursor = Some(c),
            None => return Ok(done),
        }
    }
}
