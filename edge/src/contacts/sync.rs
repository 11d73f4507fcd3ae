//! Contacts sync: WeCom's view of the visible range becomes our members and
//! departments.
//!
//! Full sync reads `department/list`, each department's `user/list`, each
//! tag in range, and `user/get` for members named individually, expands the
//! range with `domain::range`, diffs against D1 and writes only what changed.
//! Members who vanished are probed with `user/get`: 60111 means deleted in
//! WeCom (departed), anything else means they left the range.
//! Incremental: `change_contact` events patch single rows.
//!
//! A full sync is a chain of steps, each one queue message ([`start`],
//! [`step`]): step 0 plans (reads the department tree and the tags, writes
//! the departments, splits them into chunks), each next step reads and
//! writes one chunk of departments' members, and the last adds the members
//! in range without a department route, finds who left, and ends the run.
//! The run's lease row holds the plan and the step it expects next, so no
//! invocation runs long and a message delivered twice is applied once; a
//! step WeCom refuses as too frequent waits and is tried again. [`run`]
//! drives the same steps in one invocation (the development reconcile).

use crate::cache;
use crate::clock::now_secs;
use crate::corp;
use crate::d1::Db;
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::queue::{self, Work};
use crate::store::{self, DepartmentRow, StepDone, SyncRun};
use crate::wecom::{UserLookup, WeComError};
use domain::api::{SyncCounts, SyncProgress, SyncStatus};
use domain::range::{self, Department, Member, TagMembers};
use serde::{Deserialize, Serialize};
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
    let db = env::db(env)?;
    let last = store::last_synced_at(&db, corp_id).await?;
    Ok(match stored {
        Some(mut s) => {
            s.last_synced_at = last;
            if s.state == "running" {
                match store::sync_lease(&db, corp_id, now_secs()).await? {
                    Some(lease) if Some(&lease.run_id) == s.id.as_ref() => {
                        s.progress = Some(progress(&lease));
                    }
                    // Its lease ran out with no step taking it further.
                    _ => {
                        s.state = "failed".into();
                        s.error = Some("the sync stopped before its end".into());
                    }
                }
            }
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
            progress: None,
        },
    })
}

/// Chunks done of the chunks planned, from the step the run expects next.
fn progress(lease: &store::SyncLease) -> SyncProgress {
    SyncProgress {
        chunks_done: lease.next_step.saturating_sub(1).min(lease.chunks_total),
        chunks_total: lease.chunks_total,
    }
}

/// Keeps the run's status. A small organisation's sync can end within a
/// second of starting, and KV takes one write a second to a key: the
/// write waits its turn, so the end is never lost to the start.
async fn put_status(env: &Env, corp_id: &str, s: &SyncStatus) {
    let Ok(kv) = env::kv(env) else { return };
    let status = serde_json::to_string(s).unwrap_or_default();
    if let Err(e) = kv.put_in_turn(&status_key(corp_id), &status, None).await {
        console_error!("sync status of {corp_id} ({}) not kept: {e}", s.state);
    }
}

/// How long a sync's lease holds without a step: longer than any one step
/// runs or waits between retries (a queue consumer invocation has 15
/// minutes of wall time, Cloudflare Queues limits); every step renews it,
/// so an expired lease means the chain broke and another sync may start.
const SYNC_LEASE_SECS: u64 = 15 * 60;

/// Departments whose members one step reads, expands, diffs and writes:
/// each step stays well inside D1's queries and the subrequests of one
/// invocation (`store::D1_QUERIES_PER_INVOCATION`, `WORKER_SUBREQUESTS`)
/// and memory stays bounded by a chunk. `SYNC_CHUNK_DEPARTMENTS` changes
/// it (tests make chunks small).
const DEPARTMENTS_PER_CHUNK: u64 = 20;
/// Page size when looking for members who left the range.
const LEFT_RANGE_PAGE: u64 = 1000;

/// Takes the organisation's sync lease for run `id`: one sync per
/// organisation at a time. A second start while one runs is 409
/// `sync_running`, naming who started it, when, and how far it is.
pub async fn begin(env: &Env, corp_id: &str, actor: &str, id: &str) -> Result<(), ApiError> {
    let db = env::db(env)?;
    match store::take_sync_lease(&db, corp_id, id, actor, now_secs(), SYNC_LEASE_SECS).await? {
        Ok(()) => Ok(()),
        Err(holder) => {
            let p = progress(&holder);
            let mut running = ApiError::new(
                409,
                "sync_running",
                format!(
                    "a sync is already running (run {}, started by {} at {}; {} of {} chunks of departments done)",
                    holder.run_id, holder.actor, holder.started_at, p.chunks_done, p.chunks_total
                ),
            );
            running.progress = Some(p);
            Err(running)
        }
    }
}

/// Starts a full sync as a chain of queue messages; returns the run's id,
/// or 409 `sync_running` while another runs (an event that needs a sync is
/// then retried by the queue, and reads WeCom after that one).
pub async fn start(env: &Env, corp_id: &str, actor: &str) -> Result<String, ApiError> {
    let id = new_id();
    if let Err(e) = begin(env, corp_id, actor, &id).await {
        // D1 may have taken the lease and lost its reply: a lease no
        // message would ever step must not hold the organisation.
        if e.code != "sync_running" {
            release(env, corp_id, &id).await;
        }
        return Err(e);
    }
    put_status(env, corp_id, &running(&id)).await;
    let first = Work::SyncStep {
        corp_id: corp_id.to_owned(),
        run_id: id.clone(),
        step: 0,
    };
    if let Err(e) = queue::send(env, &first).await {
        release(env, corp_id, &id).await;
        return Err(e);
    }
    Ok(id)
}

/// Runs every step of a full sync in this invocation (the development
/// reconcile, which answers with the counts).
#[cfg(feature = "dev")]
pub async fn run(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    actor: &str,
    id: &str,
) -> Result<SyncCounts, ApiError> {
    begin(env, corp_id, actor, id).await?;
    put_status(env, corp_id, &running(id)).await;
    let mut at = 0;
    let outcome = loop {
        match take_step(env, cfg, corp_id, id, at, false).await {
            Ok(Step::Next(next)) => at = next,
            Ok(Step::Finished(counts)) => break Ok(counts),
            Ok(Step::NotYet | Step::Stale) => {
                break Err(ApiError::internal("the sync's lease was taken over"))
            }
            Err(e) => break Err(e),
        }
    };
    if let Err(e) = &outcome {
        fail(env, corp_id, id, &e.message).await;
    }
    outcome
}

/// What a queue message's step came to.
pub enum StepOutcome {
    /// Done (or nothing left to do): acknowledge the message.
    Done,
    /// The run has not reached this step yet: deliver it again shortly.
    NotYet,
}

/// One queue message of a sync run: its step, then the next one sent.
pub async fn step(
    env: &Env,
    corp_id: &str,
    run_id: &str,
    at: u64,
) -> Result<StepOutcome, ApiError> {
    let cfg = Config::from_env(env)?;
    match take_step(env, &cfg, corp_id, run_id, at, true).await? {
        Step::Next(_) | Step::Finished(_) | Step::Stale => Ok(StepOutcome::Done),
        Step::NotYet => Ok(StepOutcome::NotYet),
    }
}

/// A step that failed its last retry (the dead-letter queue): the run
/// ends as failed, its lease is released, unless the run is already
/// past that step.
pub async fn abandon(env: &Env, corp_id: &str, run_id: &str, at: u64) -> Result<(), ApiError> {
    let db = env::db(env)?;
    if let Some(run) = store::sync_run(&db, corp_id, run_id, now_secs()).await? {
        if run.next_step <= at {
            fail(env, corp_id, run_id, "a step failed every retry").await;
        }
    }
    Ok(())
}

fn running(id: &str) -> SyncStatus {
    SyncStatus {
        id: Some(id.to_owned()),
        state: "running".into(),
        started_at: Some(now_secs()),
        finished_at: None,
        last_synced_at: None,
        counts: None,
        error: None,
        progress: Some(SyncProgress::default()),
    }
}

async fn release(env: &Env, corp_id: &str, id: &str) {
    if let Ok(db) = env::db(env) {
        let what = format!("sync {corp_id}: releasing the lease");
        let _ = crate::d1::retried(&what, || store::release_sync_lease(&db, corp_id, id)).await;
    }
}

/// Ends run `id` as failed: its status says why, its lease is released.
async fn fail(env: &Env, corp_id: &str, id: &str, reason: &str) {
    console_error!("sync {corp_id}: {reason}");
    let started_at = status(env, corp_id).await.ok().and_then(|s| s.started_at);
    end(
        env,
        corp_id,
        SyncStatus {
            id: Some(id.to_owned()),
            state: "failed".into(),
            started_at,
            finished_at: Some(now_secs()),
            last_synced_at: None,
            counts: None,
            error: Some(reason.to_owned()),
            progress: None,
        },
    )
    .await;
    release(env, corp_id, id).await;
}

/// Records how a run ended. cancel_auth may have deleted the organisation
/// meanwhile (the sync's writes are conditional on it existing): then no
/// key is left behind either.
async fn end(env: &Env, corp_id: &str, status: SyncStatus) {
    let exists = match env::db(env) {
        Ok(db) => store::corp_exists(&db, corp_id).await.unwrap_or(false),
        Err(_) => false,
    };
    if exists {
        put_status(env, corp_id, &status).await;
    } else {
        if let Ok(kv) = env::kv(env) {
            let _ = kv.delete(&status_key(corp_id)).await;
        }
        cache::drop_generation(corp_id);
    }
}

/// Members already placed in range by this run, as 8-byte hashes (all the
/// sync keeps per member). FNV-1a, so every invocation of every build
/// hashes alike.
#[derive(Default)]
struct Seen(std::collections::HashSet<u64>);

impl Seen {
    fn hash(userid: &str) -> u64 {
        userid.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }
    fn insert(&mut self, userid: &str) {
        self.0.insert(Self::hash(userid));
    }
    fn contains(&self, userid: &str) -> bool {
        self.0.contains(&Self::hash(userid))
    }
    /// As stored between steps: 16 hex digits a member.
    fn to_hex(&self) -> String {
        self.0.iter().map(|h| format!("{h:016x}")).collect()
    }
    fn extend_from_hex(&mut self, hex: &str) {
        let digits = hex.as_bytes();
        for i in (0..digits.len() / 16).map(|i| i * 16) {
            let part = std::str::from_utf8(&digits[i..i + 16]).unwrap_or_default();
            if let Ok(h) = u64::from_str_radix(part, 16) {
                self.0.insert(h);
            }
        }
    }
}

/// What step 0 found and the later steps follow, kept on the run's lease
/// row as JSON.
#[derive(Serialize, Deserialize)]
struct Plan {
    /// Every visible department: (id, parent id).
    tree: Vec<(u64, u64)>,
    /// The department ids each chunk step reads.
    chunks: Vec<Vec<u64>>,
    tags: Vec<PlannedTag>,
    /// Tags' users, with the name WeCom gave.
    tag_users: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct PlannedTag {
    tag_id: u64,
    userids: Vec<String>,
    party_ids: Vec<u64>,
}

/// What the range expansion needs besides the members themselves.
struct RangeShape {
    visible: range::VisibleRange,
    tree: Vec<Department>,
    tags: Vec<TagMembers>,
}

/// The organisation's visible range as stored (404 once it is gone).
async fn visible_range(db: &Db, corp_id: &str) -> Result<range::VisibleRange, ApiError> {
    store::visible_range(db, corp_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))
}

impl RangeShape {
    /// The range as stored, with the tree and tags the plan found.
    async fn of(db: &Db, corp_id: &str, plan: &Plan) -> Result<RangeShape, ApiError> {
        Ok(RangeShape {
            visible: visible_range(db, corp_id).await?,
            tree: plan.tree(),
            tags: plan.tags(),
        })
    }
}

/// Expands one chunk of members, writes what differs from their stored
/// rows, and returns how many rows it wrote.
async fn write_chunk(
    db: &Db,
    corp_id: &str,
    shape: &RangeShape,
    members: Vec<Member>,
    seen: &mut Seen,
    now: u64,
) -> Result<u64, ApiError> {
    let snapshot = range::expand(&shape.visible, &shape.tree, &members, &shape.tags);
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

/// Where a step left its run (what each carries is read by [`run`], in
/// development builds).
#[cfg_attr(not(feature = "dev"), allow(dead_code))]
enum Step {
    /// Done; the next step is this one (already sent when chained).
    Next(u64),
    /// The last step is done: the run ended with these counts.
    Finished(SyncCounts),
    /// The run has not reached this step yet.
    NotYet,
    /// The run is past this step, or gone (a second delivery, an abandoned
    /// or replaced run, an uninstalled organisation): nothing to do.
    Stale,
}

/// Takes step `at` of run `id` if the run is at it. Chained, a step sends
/// the next one before it marks itself done, so a lost send is retried
/// with the step, and a second delivery finds the run past it.
async fn take_step(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    id: &str,
    at: u64,
    chained: bool,
) -> Result<Step, ApiError> {
    let db = env::db(env)?;
    let now = now_secs();
    let Some(run) = store::sync_run(&db, corp_id, id, now).await? else {
        return Ok(Step::Stale);
    };
    if run.next_step > at {
        return Ok(Step::Stale);
    }
    if run.next_step < at {
        return Ok(Step::NotYet);
    }
    let corp = corp::open_installed(env, cfg, corp_id).await?;
    let (done, finished) = if at == 0 {
        (plan(env, &corp, corp_id, now).await?, None)
    } else {
        let plan: Plan = serde_json::from_str(&run.plan)
            .map_err(|e| ApiError::internal(format!("sync {corp_id}: plan: {e}")))?;
        if at <= run.chunks_total {
            let chunk = plan
                .chunks
                .get((at - 1) as usize)
                .cloned()
                .unwrap_or_default();
            (
                read_chunk(&corp, corp_id, &plan, &chunk, at, now).await?,
                None,
            )
        } else {
            let (done, counts) = finish(env, &corp, corp_id, id, &run, &plan, at, now).await?;
            (done, Some(counts))
        }
    };
    if let Some(counts) = finished {
        // The status first (KV), then the audit row, what the run saw and
        // the lease in one transaction, only while the run is at this
        // step: a reply lost after D1 committed leaves nothing to redo.
        end(
            env,
            corp_id,
            SyncStatus {
                id: Some(id.to_owned()),
                state: "done".into(),
                started_at: Some(run.started_at),
                finished_at: Some(now_secs()),
                last_synced_at: None,
                counts: Some(counts.clone()),
                error: None,
                progress: None,
            },
        )
        .await;
        let audit = audit_row(&run.actor, &counts);
        if !store::end_sync_run(&db, corp_id, id, at, now, &run.actor, audit).await? {
            return Ok(Step::Stale);
        }
        return Ok(Step::Finished(counts));
    }
    if chained {
        queue::send(
            env,
            &Work::SyncStep {
                corp_id: corp_id.to_owned(),
                run_id: id.to_owned(),
                step: at + 1,
            },
        )
        .await?;
    }
    if !store::advance_sync(&db, corp_id, id, &done, now, SYNC_LEASE_SECS).await? {
        return Ok(Step::Stale);
    }
    Ok(Step::Next(at + 1))
}

/// Step 0: the department tree and the tags in range, read from WeCom;
/// the departments written; the chunks planned.
async fn plan(
    env: &Env,
    corp: &corp::Corp<'_>,
    corp_id: &str,
    now: u64,
) -> Result<StepDone, ApiError> {
    let code = &corp.permanent_code;
    let visible = visible_range(&corp.db, corp_id).await?;
    let departments = corp.wecom.department_list(corp_id, code).await?;
    let rows: Vec<DepartmentRow> = departments
        .iter()
        .map(|d| DepartmentRow {
            id: d.id,
            parent_id: d.parentid,
            name: &d.name,
            order: d.order,
        })
        .collect();
    store::write_departments(&corp.db, corp_id, &rows, now).await?;

    // Tags in range: their users (with names) and departments.
    let mut tags = vec![];
    let mut tag_users: HashMap<String, String> = HashMap::new();
    for tag_id in &visible.tag {
        // A tag deleted in WeCom (or no longer visible) brings nobody.
        let t = match corp.wecom.tag_get(corp_id, code, *tag_id).await {
            Err(WeComError::Api {
                errcode: 40068 | 60011,
                ..
            }) => continue,
            other => other?,
        };
        let userids = t.userlist.iter().map(|u| u.userid.clone()).collect();
        tag_users.extend(t.userlist.into_iter().map(|u| (u.userid, u.name)));
        tags.push(PlannedTag {
            tag_id: *tag_id,
            userids,
            party_ids: t.partylist,
        });
    }
    let per_chunk = env::setting(env, "SYNC_CHUNK_DEPARTMENTS", DEPARTMENTS_PER_CHUNK).max(1);
    let plan = Plan {
        tree: departments.iter().map(|d| (d.id, d.parentid)).collect(),
        chunks: departments
            .chunks(per_chunk as usize)
            .map(|c| c.iter().map(|d| d.id).collect())
            .collect(),
        tags,
        tag_users: tag_users.into_iter().collect(),
    };
    let chunks = plan.chunks.len() as u64;
    let text = serde_json::to_string(&plan).map_err(ApiError::internal)?;
    Ok(StepDone {
        step: 0,
        plan: Some((text, chunks)),
        written: 0,
        seen: None,
    })
}

impl Plan {
    fn tree(&self) -> Vec<Department> {
        self.tree
            .iter()
            .map(|&(id, parent_id)| Department { id, parent_id })
            .collect()
    }

    fn tags(&self) -> Vec<TagMembers> {
        self.tags
            .iter()
            .map(|t| TagMembers {
                tag_id: t.tag_id,
                userids: t.userids.clone(),
                party_ids: t.party_ids.clone(),
            })
            .collect()
    }
}

/// A chunk step: the members of these departments, read, expanded and
/// written.
async fn read_chunk(
    corp: &corp::Corp<'_>,
    corp_id: &str,
    plan: &Plan,
    chunk: &[u64],
    at: u64,
    now: u64,
) -> Result<StepDone, ApiError> {
    let shape = RangeShape::of(&corp.db, corp_id, plan).await?;
    // `user/list` gives each member's every visible department, so a
    // member listed in several chunks yields the same row each time.
    let mut people: HashMap<String, Member> = HashMap::new();
    for id in chunk {
        for u in corp
            .wecom
            .user_list(corp_id, &corp.permanent_code, *id)
            .await?
        {
            people.entry(u.userid.clone()).or_insert(Member {
                userid: u.userid,
                name: u.name,
                department_ids: u.department,
            });
        }
    }
    let mut seen = Seen::default();
    let members = people.into_values().collect();
    let written = write_chunk(&corp.db, corp_id, &shape, members, &mut seen, now).await?;
    Ok(StepDone {
        step: at,
        plan: None,
        written,
        seen: Some(seen.to_hex()),
    })
}

/// The last step: members in range without a department route (named
/// individually or by a tag), then who was not seen: they left the range,
/// or WeCom (probed with `user/get`, at most [`DEPARTURE_PROBES`]).
#[allow(clippy::too_many_arguments)]
async fn finish(
    env: &Env,
    corp: &corp::Corp<'_>,
    corp_id: &str,
    id: &str,
    run: &SyncRun,
    plan: &Plan,
    at: u64,
    now: u64,
) -> Result<(StepDone, SyncCounts), ApiError> {
    let (db, code) = (&corp.db, &corp.permanent_code);
    let shape = RangeShape::of(db, corp_id, plan).await?;
    let mut seen = Seen::default();
    for hex in store::sync_seen(db, corp_id, id).await? {
        seen.extend_from_hex(&hex);
    }
    let mut rest: Vec<Member> = plan
        .tag_users
        .iter()
        .filter(|(u, _)| !seen.contains(u))
        .map(|(userid, name)| Member {
            userid: userid.clone(),
            name: name.clone(),
            department_ids: vec![],
        })
        .collect();
    for userid in &shape.visible.user {
        if seen.contains(userid) || rest.iter().any(|m| &m.userid == userid) {
            continue;
        }
        if let UserLookup::Found(u) = corp.wecom.user_get(corp_id, code, userid).await? {
            rest.push(Member {
                userid: u.userid,
                name: u.name,
                department_ids: u.department,
            });
        }
    }
    let written = write_chunk(db, corp_id, &shape, rest, &mut seen, now).await?;

    // Stored as in range but not seen: they left the range, or WeCom.
    let mut left_range = vec![];
    let mut after = String::new();
    loop {
        let page = store::in_range_userids_after(db, corp_id, &after, LEFT_RANGE_PAGE).await?;
        let Some(last) = page.last().cloned() else {
            break;
        };
        left_range.extend(page.into_iter().filter(|u| !seen.contains(u)));
        after = last;
    }
    let mut departed = vec![];
    let mut found = vec![];
    for userid in left_range.iter().take(DEPARTURE_PROBES) {
        match corp.wecom.user_get(corp_id, code, userid).await? {
            UserLookup::NotFound => departed.push(userid.clone()),
            UserLookup::Found(u) => found.push(Member {
                userid: u.userid,
                name: u.name,
                department_ids: u.department,
            }),
            UserLookup::OutOfRange => {}
        }
    }
    // Found in a department of the range: added there after its chunk was
    // read (a callback applied while the run went on). Still in range,
    // written as WeCom has them now.
    let late = write_chunk(db, corp_id, &shape, found, &mut seen, now).await?;
    left_range.retain(|u| !seen.contains(u));
    let written = written + late;
    store::finish_sync(db, corp_id, &left_range, &departed, now).await?;
    cache::bump_generation(env, corp_id).await;
    console_log!(
        "sync {corp_id}: {} chunks, {} rows written, {} left the range, wasm heap {} KiB",
        run.chunks_total,
        run.written + written,
        left_range.len(),
        wasm_heap_bytes() / 1024
    );
    let counts = SyncCounts {
        members_in_range: seen.0.len() as u64,
        added_or_updated: run.written + written,
        left_range: (left_range.len() - departed.len()) as u64,
        departed: departed.len() as u64,
        departments: plan.tree.len() as u64,
    };
    let done = StepDone {
        step: at,
        plan: None,
        written,
        seen: None,
    };
    Ok((done, counts))
}

/// The audit row of a sync (action and detail): always for a sync
/// someone asked for, and for the cron's reconcile only when it repaired
/// something.
fn audit_row(actor: &str, counts: &SyncCounts) -> Option<(&'static str, serde_json::Value)> {
    if actor == "cron" {
        counts
            .repaired_anything()
            .then(|| ("reconciled", store::counts_detail(counts)))
    } else {
        Some(("synced", store::counts_detail(counts)))
    }
}

/// A run's step is waiting out WeCom's "too frequent": its lease is renewed
/// so the wait (up to an hour, `events::RATE_LIMITED_TRIES_MAX`) does not
/// outlast it.
pub async fn renew(env: &Env, corp_id: &str, run_id: &str) -> Result<(), ApiError> {
    let db = env::db(env)?;
    store::renew_sync_lease(&db, corp_id, run_id, now_secs(), SYNC_LEASE_SECS).await?;
    Ok(())
}

/// A run no step has renewed for this long has lost its next step's
/// message (a step waiting out WeCom renews its lease; a step retried
/// after a fault waits at most `events::MAX_BACKOFF_SECS`, five minutes).
const QUIET_AFTER_SECS: u64 = 10 * 60;

/// Quiet runs the cron wakes per run.
const QUIET_BATCH: u64 = 50;

/// Cron: sends again the step each quiet run expects (a second copy of a
/// step that is only late finds the run past it). Returns how many.
pub async fn resend_quiet_steps(env: &Env, now: u64) -> Result<usize, ApiError> {
    let db = env::db(env)?;
    let quiet = store::quiet_sync_runs(
        &db,
        now.saturating_sub(QUIET_AFTER_SECS),
        SYNC_LEASE_SECS,
        now,
        QUIET_BATCH,
    )
    .await?;
    for run in &quiet {
        queue::send(
            env,
            &Work::SyncStep {
                corp_id: run.corp_id.clone(),
                run_id: run.run_id.clone(),
                step: run.next_step,
            },
        )
        .await?;
    }
    Ok(quiet.len())
}

/// A fresh sync run id: the start in milliseconds and four random bytes.
pub fn new_id() -> String {
    let salt = env::random::<4>().unwrap_or_default();
    let hex: String = salt.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", worker::Date::now().as_millis())
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
