//! The access check's cache. Each organisation has a generation: which
//! install, and a version every write to its members, seats or license
//! regime bumps (`organisations.access_version` in D1), which retires every
//! cached access view of that organisation at once. Views are kept in KV
//! (shared by isolates) and in this isolate's memory; the generation is
//! re-read from D1 at most once a second per isolate, so the writing
//! isolate sees a change at once and others within a second.
//!
//! Why D1 and not a KV key: KV takes one write per second per key
//! (<https://developers.cloudflare.com/kv/platform/limits/>, "Writes to same
//! key"), so a burst of changes would lose bumps, and a KV write can take
//! 60 s to show in other locations
//! (<https://developers.cloudflare.com/kv/concepts/how-kv-works/>). D1 takes
//! a burst of row updates and reads its own writes. The hot path costs the
//! same round trips as before: at most one generation read a second per
//! isolate and organisation (a D1 query where it was a KV get), then the
//! view from memory, else one KV get, else D1 and one KV put.

use crate::env;
use crate::error::ApiError;
use crate::kv::Kv;
use crate::store;
use domain::access::{Licensing, Member};
use domain::seat::{HeldSeat, MemberState};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;
use worker::Env;

/// A cached view lives at most this long even without a change.
const VIEW_TTL_SECS: u64 = 300;
/// How long this isolate trusts the generation it last read from D1: how
/// late another isolate's change can reach an answer from this one.
const GENERATION_MEMO_MS: u64 = 1000;
/// Views kept in this isolate's memory (cleared when full).
const MEMO_VIEWS: usize = 20_000;

thread_local! {
    // Workers run one request at a time per isolate thread.
    /// corp_id -> (read at ms, generation)
    static GENERATIONS: RefCell<HashMap<String, (u64, String)>> = Default::default();
    /// "corp:{id}:access:{gen}:{userid}" -> view
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

/// The organisation's generation ("{installed_at}.{access_version}"): from
/// memory if read within [`GENERATION_MEMO_MS`], else from D1. `None`
/// when the organisation is not installed.
async fn generation(env: &Env, corp_id: &str) -> Result<Option<String>, ApiError> {
    let now_ms = worker::Date::now().as_millis();
    let memo = GENERATIONS.with(|g| g.borrow().get(corp_id).cloned());
    if let Some((at, generation)) = memo {
        if now_ms.saturating_sub(at) < GENERATION_MEMO_MS {
            return Ok(Some(generation));
        }
    }
    let Some((installed_at, version)) = store::access_generation(&env::db(env)?, corp_id).await?
    else {
        forget_generation(corp_id);
        return Ok(None);
    };
    let generation = format!("{installed_at}.{version}");
    GENERATIONS.with(|g| {
        g.borrow_mut()
            .insert(corp_id.to_owned(), (now_ms, generation.clone()))
    });
    Ok(Some(generation))
}

fn forget_generation(corp_id: &str) {
    GENERATIONS.with(|g| g.borrow_mut().remove(corp_id));
}

/// Invalidates every cached access view of the organisation: one D1
/// statement, however many changes come in a second.
pub async fn bump_generation(env: &Env, corp_id: &str) {
    forget_generation(corp_id);
    let Ok(db) = env::db(env) else { return };
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

/// The member's view at the organisation's current generation: from this
/// isolate's memory, else KV, else `load` (D1), which is then cached.
/// `None` when `load` says the organisation is unknown.
pub async fn access_view<F, Fut>(
    env: &Env,
    corp_id: &str,
    userid: &str,
    load: F,
) -> Result<Option<Rc<AccessView>>, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Option<AccessView>, ApiError>>,
{
    let Some(generation) = generation(env, corp_id).await? else {
        return Ok(None);
    };
    let kv = env::kv(env)?;
    let key = format!("corp:{corp_id}:access:{generation}:{userid}");
    if let Some(v) = VIEWS.with(|m| m.borrow().get(&key).cloned()) {
        return Ok(Some(v));
    }
    if let Ok(Some(v)) = kv.get(&key).json::<AccessView>().await {
        return Ok(Some(remember(key, v)));
    }
    let Some(view) = load().await? else {
        return Ok(None);
    };
    if let Ok(put) = kv.put(&key, serde_json::to_string(&view).unwrap_or_default()) {
        let _ = put.expiration_ttl(VIEW_TTL_SECS).execute().await;
    }
    Ok(Some(remember(key, view)))
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
