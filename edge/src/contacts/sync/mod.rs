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
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::queue::{self, Work};
use crate::shard;
use crate::store;
use domain::api::{SyncCounts, SyncProgress, SyncStatus};
use worker::{console_error, Env};

mod check;
mod steps;

use steps::{audit_row, finish, plan, read_chunk, Plan};

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
    let db = shard::db_for(env, corp_id).await?;
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

/// Takes the organisation's sync lease for run `id`: one sync per
/// organisation at a time. A second start while one runs is 409
/// `sync_running`, naming who started it, when, and how far it is.
pub async fn begin(env: &Env, corp_id: &str, actor: &str, id: &str) -> Result<(), ApiError> {
    let db = shard::db_for(env, corp_id).await?;
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

/// One queue message of a contacts check (the reconcile's): its step, then
/// the next one sent, or the full sync started when WeCom and D1 differ.
pub async fn check_step(
    env: &Env,
    corp_id: &str,
    at: u64,
    state: Option<&str>,
) -> Result<(), ApiError> {
    let cfg = Config::from_env(env)?;
    match check::take(env, &cfg, corp_id, at, state, now_secs()).await? {
        check::Checked::Next(next, state) => check::send(env, corp_id, next, Some(state)).await,
        check::Checked::Unchanged {
            members,
            departments,
        } => {
            worker::console_log!(
                "check {corp_id}: {members} members and {departments} departments as WeCom has them"
            );
            Ok(())
        }
        check::Checked::Changed(why) => {
            worker::console_log!("check {corp_id}: {why}: a full sync starts");
            match start(env, corp_id, "cron").await {
                Err(e) if e.code != "sync_running" => Err(e),
                _ => Ok(()),
            }
        }
    }
}

/// Starts the reconcile's contacts check as a chain of queue messages.
pub async fn start_check(env: &Env, corp_id: &str) -> Result<(), ApiError> {
    check::start(env, corp_id).await
}

/// Runs a contacts check in this invocation, and the full sync in it too
/// when WeCom and D1 differ (the development reconcile, which answers with
/// the counts: an unchanged organisation's are its members in range and
/// nothing written).
#[cfg(feature = "dev")]
pub async fn check_inline(env: &Env, cfg: &Config, corp_id: &str) -> Result<SyncCounts, ApiError> {
    let (mut at, mut state) = (0, None::<String>);
    loop {
        match check::take(env, cfg, corp_id, at, state.as_deref(), now_secs()).await? {
            check::Checked::Next(next, s) => (at, state) = (next, Some(s)),
            check::Checked::Unchanged {
                members,
                departments,
            } => {
                return Ok(SyncCounts {
                    members_in_range: members,
                    departments,
                    ..SyncCounts::default()
                })
            }
            check::Checked::Changed(_) => return run(env, cfg, corp_id, "cron", &new_id()).await,
        }
    }
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
    let db = shard::db_for(env, corp_id).await?;
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
    if let Ok(db) = shard::db_for(env, corp_id).await {
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
    let exists = match shard::db_for(env, corp_id).await {
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
    let db = shard::db_for(env, corp_id).await?;
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
        // The provider's desk sees the organisation as this sync left it
        // (a new install's first row, too); the cron keeps it after.
        if let Err(e) = store::refresh_desk_row(&db, &shard::home(env)?, corp_id, now).await {
            worker::console_error!("sync {corp_id}: the desk row: {e}");
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

/// A run's step is waiting out WeCom's "too frequent": its lease is renewed
/// so the wait (up to an hour, `events::RATE_LIMITED_TRIES_MAX`) does not
/// outlast it.
pub async fn renew(env: &Env, corp_id: &str, run_id: &str) -> Result<(), ApiError> {
    let db = shard::db_for(env, corp_id).await?;
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
    let mut quiet = Vec::new();
    for db in shard::every(env)? {
        let left = QUIET_BATCH.saturating_sub(quiet.len() as u64);
        if left == 0 {
            break;
        }
        let after = now.saturating_sub(QUIET_AFTER_SECS);
        quiet.extend(store::quiet_sync_runs(&db, after, SYNC_LEASE_SECS, now, left).await?);
    }
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
