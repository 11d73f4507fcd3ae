//! Contacts sync: WeCom's view of the visible range becomes our members and
//! departments.
//!
//! Full sync reads `department/list`, each department's `user/list`, each
//! tag in range, and `user/get` for members named individually, expands the
//! range with `domain::range`, diffs against D1 and writes only what changed.
//! Members who vanished are probed with `user/get`: 60111 means deleted in
//! WeCom (departed), anything else means they left the range.
//! Incremental: `change_contact` events patch single rows.

use crate::cache;
use crate::clock::now_secs;
use crate::corp;
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::store::{self, DepartmentRow};
use crate::wecom::{UserLookup, WeComError};
use domain::api::{SyncCounts, SyncStatus};
use domain::range::{self, Department, Member, TagMembers};
use std::collections::HashMap;
use worker::{console_error, console_log, Env};

/// How many vanished members one sync probes with `user/get`; the rest are
/// marked out of range (a delete_user callback or the next sync corrects).
const DEPARTURE_PROBES: usize = 200;

fn status_key(corp_id: &str) -> String {
    format!("corp:{corp_id}:sync")
}

pub async fn status(env: &Env, corp_id: &str) -> Result<SyncStatus, ApiError> {
    let stored: Option<SyncStatus> = env::kv(env)?
        .get(&status_key(corp_id))
        .json()
        .await
        .ok()
        .flatten();
    let last = store::last_synced_at(&env::db(env)?, corp_id).await?;
    Ok(match stored {
        Some(mut s) => {
            s.last_synced_at = last;
            s
        }
        None => SyncStatus {
            id: None,
            state: "idle".into(),
            started_at: None,
            finished_at: None,
            last_synced_at: last,
            counts: None,
            error: None,
        },
    })
}

async fn put_status(env: &Env, corp_id: &str, s: &SyncStatus) {
    let Ok(kv) = env::kv(env) else { return };
    if let Ok(put) = kv.put(
        &status_key(corp_id),
        serde_json::to_string(s).unwrap_or_default(),
    ) {
        let _ = put.execute().await;
    }
}

/// How long a sync's lease holds: longer than any sync runs (a queue
/// consumer or cron invocation has 15 minutes of wall time, Cloudflare
/// Workers limits), so an expired lease means its holder died.
const SYNC_LEASE_SECS: u64 = 15 * 60;

/// Takes the organisation's sync lease for run `id`: one sync per
/// organisation at a time. A second start while one runs is 409
/// `sync_running`, naming who started it and when.
pub async fn begin(env: &Env, corp_id: &str, actor: &str, id: &str) -> Result<(), ApiError> {
    let db = env::db(env)?;
    match store::take_sync_lease(&db, corp_id, id, actor, now_secs(), SYNC_LEASE_SECS).await? {
        Ok(()) => Ok(()),
        Err(holder) => Err(ApiError::new(
            409,
            "sync_running",
            format!(
                "a sync is already running (run {}, started by {} at {})",
                holder.run_id, holder.actor, holder.started_at
            ),
        )),
    }
}

/// Runs a full sync under its lease and records its status; `actor` is
/// who asked (`install`, `change_auth`, `cron`, an admin's userid).
pub async fn run(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    actor: &str,
    id: &str,
) -> Result<SyncCounts, ApiError> {
    begin(env, corp_id, actor, id).await?;
    run_leased(env, cfg, corp_id, actor, id).await
}

/// The sync run `id` whose lease is taken; releases it at the end.
async fn run_leased(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    actor: &str,
    id: &str,
) -> Result<SyncCounts, ApiError> {
    let result = run_and_record(env, cfg, corp_id, actor, id).await;
    // A lost release would refuse every sync of the organisation (409) for
    // the lease's 15 minutes, the install's retries among them.
    if let Ok(db) = env::db(env) {
        let what = format!("sync {corp_id}: releasing the lease");
        let _ = crate::d1::retried(&what, || store::release_sync_lease(&db, corp_id, id)).await;
    }
    result
}

async fn run_and_record(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    actor: &str,
    id: &str,
) -> Result<SyncCounts, ApiError> {
    let started_at = now_secs();
    put_status(
        env,
        corp_id,
        &SyncStatus {
            id: Some(id.to_owned()),
            state: "running".into(),
            started_at: Some(started_at),
            finished_at: None,
            last_synced_at: None,
            counts: None,
            error: None,
        },
    )
    .await;
    let result = full_sync(env, cfg, corp_id, actor).await;
    let (state, counts, error) = match &result {
        Ok(c) => ("done", Some(c.clone()), None),
        Err(e) => ("failed", None, Some(e.message.clone())),
    };
    if let Err(e) = &result {
        console_error!("sync {corp_id}: {}", e.message);
    }
    // cancel_auth may have deleted the organisation meanwhile (its writes
    // above are conditional on it existing): leave no key behind either.
    let status = SyncStatus {
        id: Some(id.to_owned()),
        state: state.into(),
        started_at: Some(started_at),
        finished_at: Some(now_secs()),
        last_synced_at: None,
        counts,
        error,
    };
    if store::corp_exists(&env::db(env)?, corp_id)
        .await
        .unwrap_or(false)
    {
        put_status(env, corp_id, &status).await;
    } else {
        if let Ok(kv) = env::kv(env) {
            let _ = kv.delete(&status_key(corp_id)).await;
        }
        cache::drop_generation(corp_id);
    }
    result
}

/// Departments whose members are read, expanded, diffed and written
/// together: memory stays bounded by a chunk, not the organisation.
const DEPARTMENTS_PER_CHUNK: usize = 20;
/// Page size when looking for members who left the range.
const LEFT_RANGE_PAGE: u64 = 1000;

/// Members already placed in range by this sync, as 8-byte hashes (all the
/// sync keeps per member).
#[derive(Default)]
struct Seen(std::collections::HashSet<u64>);

impl Seen {
    fn hash(userid: &str) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        userid.hash(&mut h);
        h.finish()
    }
    fn insert(&mut self, userid: &str) {
        self.0.insert(Self::hash(userid));
    }
    fn contains(&self, userid: &str) -> bool {
        self.0.contains(&Self::hash(userid))
    }
}

/// What the range expansion needs besides the members themselves.
struct RangeShape<'a> {
    visible: &'a range::VisibleRange,
    tree: &'a [Department],
    tags: &'a [TagMembers],
}

/// Expands one chunk of members, writes what differs from their stored
/// rows, and returns how many rows it wrote.
async fn write_chunk(
    db: &crate::d1::Db,
    corp_id: &str,
    shape: &RangeShape<'_>,
    members: Vec<Member>,
    seen: &mut Seen,
    now: u64,
) -> Result<u64, ApiError> {
    let snapshot = range::expand(shape.visible, shape.tree, &members, shape.tags);
    if snapshot.is_empty() {
        return Ok(0);
    }
    let ids: Vec<&str> = snapshot.keys().map(String::as_str).collect();
    ids.iter().for_each(|u| seen.insert(u));
    let stored = store::stored_members_among(db, corp_id, &ids).await?;
    let diff = range::diff(&stored, &snapshot);
    store::upsert_members(db, corp_id, &diff.upserts, now).await?;
    Ok(diff.upserts.len() as u64)
}

async fn full_sync(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    actor: &str,
) -> Result<SyncCounts, ApiError> {
    let corp::Corp {
        db,
        wecom,
        permanent_code: code,
        ..
    } = corp::open_installed(env, cfg, corp_id).await?;
    let visible = store::visible_range(&db, corp_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
    let started = worker::Date::now().as_millis();
    let now = now_secs();

    let departments = wecom.department_list(corp_id, &code).await?;
    let tree: Vec<Department> = departments
        .iter()
        .map(|d| Department {
            id: d.id,
            parent_id: d.parentid,
        })
        .collect();
    let rows: Vec<DepartmentRow> = departments
        .iter()
        .map(|d| DepartmentRow {
            id: d.id,
            parent_id: d.parentid,
            name: &d.name,
            order: d.order,
        })
        .collect();
    store::write_departments(&db, corp_id, &rows, now).await?;

    // Tags in range: their users (with names) and departments.
    let mut tags = vec![];
    let mut tag_users: HashMap<String, String> = HashMap::new();
    for tag_id in &visible.tag {
        // A tag deleted in WeCom (or no longer visible) brings nobody.
        let t = match wecom.tag_get(corp_id, &code, *tag_id).await {
            Err(WeComError::Api {
                errcode: 40068 | 60011,
                ..
            }) => continue,
            other => other?,
        };
        let userids = t.userlist.iter().map(|u| u.userid.clone()).collect();
        tag_users.extend(t.userlist.into_iter().map(|u| (u.userid, u.name)));
        tags.push(TagMembers {
            tag_id: *tag_id,
            userids,
            party_ids: t.partylist,
        });
    }

    let shape = RangeShape {
        visible: &visible,
        tree: &tree,
        tags: &tags,
    };
    let mut seen = Seen::default();
    let mut written = 0;
    for chunk in departments.chunks(DEPARTMENTS_PER_CHUNK) {
        // `user/list` gives each member's every visible department, so a
        // member listed in several chunks yields the same row each time.
        let mut people: HashMap<String, Member> = HashMap::new();
        for d in chunk {
            for u in wecom.user_list(corp_id, &code, d.id).await? {
                people.entry(u.userid.clone()).or_insert(Member {
                    userid: u.userid,
                    name: u.name,
                    department_ids: u.department,
                });
            }
        }
        let members = people.into_values().collect();
        written += write_chunk(&db, corp_id, &shape, members, &mut seen, now).await?;
    }

    // In range without a department route: named individually or by a tag.
    let mut rest: Vec<Member> = tag_users
        .into_iter()
        .filter(|(u, _)| !seen.contains(u))
        .map(|(userid, name)| Member {
            userid,
            name,
            department_ids: vec![],
        })
        .collect();
    for userid in &visible.user {
        if seen.contains(userid) || rest.iter().any(|m| &m.userid == userid) {
            continue;
        }
        if let UserLookup::Found(u) = wecom.user_get(corp_id, &code, userid).await? {
            rest.push(Member {
                userid: u.userid,
                name: u.name,
                department_ids: u.department,
            });
        }
    }
    written += write_chunk(&db, corp_id, &shape, rest, &mut seen, now).await?;
    let read_and_written = worker::Date::now().as_millis() - started;

    // Stored as in range but not seen: they left the range, or WeCom.
    let mut left_range = vec![];
    let mut after = String::new();
    loop {
        let page = store::in_range_userids_after(&db, corp_id, &after, LEFT_RANGE_PAGE).await?;
        let Some(last) = page.last().cloned() else {
            break;
        };
        left_range.extend(page.into_iter().filter(|u| !seen.contains(u)));
        after = last;
    }
    let mut departed = vec![];
    for userid in left_range.iter().take(DEPARTURE_PROBES) {
        if matches!(
            wecom.user_get(corp_id, &code, userid).await?,
            UserLookup::NotFound
        ) {
            departed.push(userid.clone());
        }
    }
    store::finish_sync(&db, corp_id, &left_range, &departed, now).await?;
    cache::bump_generation(env, corp_id).await;
    console_log!(
        "sync {corp_id}: read WeCom and wrote {written} rows in {read_and_written} ms, {} left the range, total {} ms, wasm heap {} KiB",
        left_range.len(),
        worker::Date::now().as_millis() - started,
        wasm_heap_bytes() / 1024
    );

    let counts = SyncCounts {
        members_in_range: seen.0.len() as u64,
        added_or_updated: written,
        left_range: (left_range.len() - departed.len()) as u64,
        departed: departed.len() as u64,
        departments: rows.len() as u64,
    };
    let action = if actor == "cron" {
        "reconciled"
    } else {
        "synced"
    };
    if actor != "cron" || counts.repaired_anything() {
        store::audit(
            &db,
            corp_id,
            now,
            actor,
            action,
            &store::counts_detail(&counts),
        )
        .await?;
    }
    Ok(counts)
}

/// A fresh sync run id: the start in milliseconds and four random bytes.
pub fn new_id() -> String {
    let salt = env::random::<4>().unwrap_or_default();
    let hex: String = salt.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", worker::Date::now().as_millis())
}

/// Takes the lease, then runs the sync after the answer has gone
/// (`wait_until` work may run 30 s past the response). Returns the run's
/// id, or 409 `sync_running` while another runs (an event that needs a
/// sync is then retried by the queue, and reads WeCom after that one).
pub async fn start_later(
    env: &Env,
    ctx: &worker::Context,
    cfg: &Config,
    corp_id: &str,
    actor: &str,
) -> Result<String, ApiError> {
    let id = new_id();
    begin(env, corp_id, actor, &id).await?;
    let (env, cfg, corp_id, actor, run_id) = (
        env.clone(),
        cfg.clone(),
        corp_id.to_owned(),
        actor.to_owned(),
        id.clone(),
    );
    ctx.wait_until(async move {
        let _ = run_leased(&env, &cfg, &corp_id, &actor, &run_id).await;
    });
    Ok(id)
}

/// The wasm linear memory's size. It only grows, so after a sync it is the
/// peak our own code needed; the benchmark reports it beside workerd's RSS
/// to tell our memory from the runtime's and local D1's.
fn wasm_heap_bytes() -> u32 {
    use worker::wasm_bindgen::JsCast;
    worker::wasm_bindgen::memory()
        .unchecked_into::<worker::js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<worker::js_sys::ArrayBuffer>()
        .byte_length()
}
