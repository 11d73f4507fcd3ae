//! Contacts sync runs: the organisation's sync lease (one run at a time),
//! each step's progress on it, and what the run's steps saw.

use super::bind::num;
use crate::d1::Db;
use serde::Deserialize;
use worker::Result;

/// Who holds an organisation's sync lease.
#[derive(Debug, Deserialize)]
pub struct SyncLease {
    pub run_id: String,
    pub actor: String,
    pub started_at: u64,
    /// The step the run expects next (0: planning; 1..=chunks: a chunk;
    /// chunks + 1: the end).
    #[serde(default)]
    pub next_step: u64,
    #[serde(default)]
    pub chunks_total: u64,
}

/// Takes the organisation's sync lease for `run_id` unless a live one is
/// held (one statement); `Err` names the holder.
pub async fn take_sync_lease(
    db: &Db,
    corp_id: &str,
    run_id: &str,
    actor: &str,
    now: u64,
    ttl_secs: u64,
) -> Result<std::result::Result<(), SyncLease>> {
    #[derive(Deserialize)]
    struct Taken {
        #[allow(dead_code)]
        run_id: String,
    }
    let taken: Option<Taken> = db
        .prepare(
            "INSERT INTO sync_leases (corp_id, run_id, actor, started_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?4 + ?5) ON CONFLICT (corp_id) DO UPDATE SET \
               run_id = excluded.run_id, actor = excluded.actor, \
               started_at = excluded.started_at, expires_at = excluded.expires_at, \
               next_step = 0, chunks_total = 0, plan = '', written = 0 \
             WHERE sync_leases.expires_at <= ?4 RETURNING run_id",
        )
        .bind(&[
            corp_id.into(),
            run_id.into(),
            actor.into(),
            num(now),
            num(ttl_secs),
        ])?
        .first()
        .await?;
    if taken.is_some() {
        return Ok(Ok(()));
    }
    let holder: Option<SyncLease> = db
        .prepare(
            "SELECT run_id, actor, started_at, next_step, chunks_total FROM sync_leases \
             WHERE corp_id = ?1",
        )
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(Err(holder.unwrap_or(SyncLease {
        run_id: String::new(),
        actor: String::new(),
        started_at: now,
        next_step: 0,
        chunks_total: 0,
    })))
}

/// Ends the lease `run_id` holds (no other run's) and forgets what the
/// run saw.
pub async fn release_sync_lease(db: &Db, corp_id: &str, run_id: &str) -> Result<()> {
    db.batch(vec![
        db.prepare("DELETE FROM sync_leases WHERE corp_id = ?1 AND run_id = ?2")
            .bind(&[corp_id.into(), run_id.into()])?,
        db.prepare("DELETE FROM sync_seen WHERE corp_id = ?1 AND run_id = ?2")
            .bind(&[corp_id.into(), run_id.into()])?,
    ])
    .await?;
    Ok(())
}

/// The organisation's live sync lease, if any.
pub async fn sync_lease(db: &Db, corp_id: &str, now: u64) -> Result<Option<SyncLease>> {
    db.prepare(
        "SELECT run_id, actor, started_at, next_step, chunks_total FROM sync_leases \
         WHERE corp_id = ?1 AND expires_at > ?2",
    )
    .bind(&[corp_id.into(), num(now)])?
    .first()
    .await
}

/// A sync run as its next step reads it: `None` once its lease is gone
/// or expired (the run was abandoned or another took over).
pub struct SyncRun {
    pub actor: String,
    pub started_at: u64,
    pub next_step: u64,
    pub chunks_total: u64,
    pub plan: String,
    pub written: u64,
}

pub async fn sync_run(db: &Db, corp_id: &str, run_id: &str, now: u64) -> Result<Option<SyncRun>> {
    #[derive(Deserialize)]
    struct Row {
        actor: String,
        started_at: f64,
        next_step: f64,
        chunks_total: f64,
        plan: String,
        written: f64,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT actor, started_at, next_step, chunks_total, plan, written FROM sync_leases \
             WHERE corp_id = ?1 AND run_id = ?2 AND expires_at > ?3",
        )
        .bind(&[corp_id.into(), run_id.into(), num(now)])?
        .first()
        .await?;
    Ok(row.map(|r| SyncRun {
        actor: r.actor,
        started_at: r.started_at as u64,
        next_step: r.next_step as u64,
        chunks_total: r.chunks_total as u64,
        plan: r.plan,
        written: r.written as u64,
    }))
}

/// What one step leaves for the next.
pub struct StepDone {
    pub step: u64,
    /// Set by the planning step: the plan and how many chunks it has.
    pub plan: Option<(String, u64)>,
    pub written: u64,
    /// The members this step placed in range, as hex hashes.
    pub seen: Option<String>,
}

/// Ends step `done.step` of run `run_id` and renews its lease, in one
/// transaction: `false` when the run was not at that step (a second
/// delivery of the same message, or the run is gone), which then must not
/// send the next step.
pub async fn advance_sync(
    db: &Db,
    corp_id: &str,
    run_id: &str,
    done: &StepDone,
    now: u64,
    lease_secs: u64,
) -> Result<bool> {
    let (plan, chunks) = done
        .plan
        .as_ref()
        .map(|(p, c)| (p.as_str(), *c))
        .unwrap_or(("", 0));
    let mut statements = vec![];
    if let Some(seen) = &done.seen {
        statements.push(
            db.prepare(
                "INSERT INTO sync_seen (corp_id, run_id, step, hashes) \
                 SELECT ?1, ?2, ?3, ?4 FROM sync_leases \
                 WHERE corp_id = ?1 AND run_id = ?2 AND next_step = ?3 \
                 ON CONFLICT (corp_id, run_id, step) DO UPDATE SET hashes = excluded.hashes",
            )
            .bind(&[
                corp_id.into(),
                run_id.into(),
                num(done.step),
                seen.as_str().into(),
            ])?,
        );
    }
    statements.push(
        db.prepare(
            "UPDATE sync_leases SET next_step = ?3 + 1, expires_at = ?4 + ?5, \
               written = written + ?6, \
               plan = CASE WHEN ?3 = 0 THEN ?7 ELSE plan END, \
               chunks_total = CASE WHEN ?3 = 0 THEN ?8 ELSE chunks_total END \
             WHERE corp_id = ?1 AND run_id = ?2 AND next_step = ?3 RETURNING next_step",
        )
        .bind(&[
            corp_id.into(),
            run_id.into(),
            num(done.step),
            num(now),
            num(lease_secs),
            num(done.written),
            plan.into(),
            num(chunks),
        ])?,
    );
    last_returned_a_row(&db.batch(statements).await?)
}

/// Ends run `run_id` at its last step `step`, in one transaction: its
/// audit row (`action` and `detail`, when it has one), what the run saw
/// and its lease, only while the run is at that step. `false` when it was
/// not (a second delivery of the step, after a reply that was lost): then
/// nothing is written twice.
pub async fn end_sync_run(
    db: &Db,
    corp_id: &str,
    run_id: &str,
    step: u64,
    now: u64,
    actor: &str,
    audit: Option<(&str, serde_json::Value)>,
) -> Result<bool> {
    let mut statements = vec![];
    if let Some((action, detail)) = audit {
        statements.push(
            db.prepare(
                "INSERT INTO audit (corp_id, at, actor, action, detail) \
                 SELECT ?1, ?4, ?5, ?6, ?7 \
                 WHERE EXISTS (SELECT 1 FROM sync_leases \
                               WHERE corp_id = ?1 AND run_id = ?2 AND next_step = ?3) \
                   AND EXISTS (SELECT 1 FROM organisations WHERE corp_id = ?1)",
            )
            .bind(&[
                corp_id.into(),
                run_id.into(),
                num(step),
                num(now),
                actor.into(),
                action.into(),
                detail.to_string().into(),
            ])?,
        );
    }
    statements.push(
        db.prepare("DELETE FROM sync_seen WHERE corp_id = ?1 AND run_id = ?2")
            .bind(&[corp_id.into(), run_id.into()])?,
    );
    statements.push(
        db.prepare(
            "DELETE FROM sync_leases WHERE corp_id = ?1 AND run_id = ?2 AND next_step = ?3 \
             RETURNING run_id",
        )
        .bind(&[corp_id.into(), run_id.into(), num(step)])?,
    );
    last_returned_a_row(&db.batch(statements).await?)
}

/// Whether a batch's last statement (an `UPDATE` or `DELETE … RETURNING`,
/// conditional on the run's step) returned a row: it found the run there.
fn last_returned_a_row(results: &[worker::D1Result]) -> Result<bool> {
    Ok(results
        .last()
        .map(|r| {
            r.results::<serde_json::Value>()
                .map(|rows| !rows.is_empty())
        })
        .transpose()?
        .unwrap_or(false))
}

/// Renews run `run_id`'s lease while one of its steps waits (WeCom asked
/// us to slow down), so the wait does not outlast the lease.
pub async fn renew_sync_lease(
    db: &Db,
    corp_id: &str,
    run_id: &str,
    now: u64,
    lease_secs: u64,
) -> Result<()> {
    db.prepare(
        "UPDATE sync_leases SET expires_at = max(expires_at, ?3 + ?4) \
         WHERE corp_id = ?1 AND run_id = ?2 AND expires_at > ?3",
    )
    .bind(&[corp_id.into(), run_id.into(), num(now), num(lease_secs)])?
    .run()
    .await?;
    Ok(())
}

/// A run whose steps have gone quiet: no step renewed its lease since
/// `quiet_since`, and the lease still holds (its next step's message was
/// lost, or the step that would have sent it lost its reply).
pub struct QuietRun {
    pub corp_id: String,
    pub run_id: String,
    pub next_step: u64,
}

/// Up to `limit` runs quiet since before `quiet_since` (their lease was
/// last renewed then: it expires `lease_secs` after that) whose lease
/// still holds at `now`.
pub async fn quiet_sync_runs(
    db: &Db,
    quiet_since: u64,
    lease_secs: u64,
    now: u64,
    limit: u64,
) -> Result<Vec<QuietRun>> {
    #[derive(Deserialize)]
    struct Row {
        corp_id: String,
        run_id: String,
        next_step: f64,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT corp_id, run_id, next_step FROM sync_leases \
             WHERE expires_at > ?3 AND expires_at < ?1 + ?2 LIMIT ?4",
        )
        .bind(&[num(quiet_since), num(lease_secs), num(now), num(limit)])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| QuietRun {
            corp_id: r.corp_id,
            run_id: r.run_id,
            next_step: r.next_step as u64,
        })
        .collect())
}

/// Every hash the run's steps saw, hex, one string per step.
pub async fn sync_seen(db: &Db, corp_id: &str, run_id: &str) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        hashes: String,
    }
    let rows = db
        .prepare("SELECT hashes FROM sync_seen WHERE corp_id = ?1 AND run_id = ?2")
        .bind(&[corp_id.into(), run_id.into()])?
        .all()
        .await?
        .results::<Row>()?;
    Ok(rows.into_iter().map(|r| r.hashes).collect())
}
