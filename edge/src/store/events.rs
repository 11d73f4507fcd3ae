//! The callback log: every event recorded once (by the hash of its
//! plaintext) before it is applied, marked when applied, pruned later.

use super::bind::{changes, num, opt_str};
use serde::Deserialize;
use worker::{D1Database, Result};

#[derive(Debug, PartialEq, Eq)]
pub enum EventState {
    /// First delivery, or an earlier delivery that was not applied.
    ToApply,
    Applied,
}

/// Writes the event (once per dedupe key) and says whether it still needs
/// applying.
pub async fn record_event(
    db: &D1Database,
    dedupe_key: &str,
    corp_id: Option<&str>,
    source: &str,
    kind: &str,
    now: u64,
    raw: &str,
) -> Result<EventState> {
    #[derive(Deserialize)]
    struct Row {
        applied_at: Option<f64>,
    }
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO events (dedupe_key, corp_id, source, kind, received_at, raw) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(&[
                dedupe_key.into(),
                opt_str(corp_id),
                source.into(),
                kind.into(),
                num(now),
                raw.into(),
            ])?,
            db.prepare("SELECT applied_at FROM events WHERE dedupe_key = ?1")
                .bind(&[dedupe_key.into()])?,
        ])
        .await?;
    let rows: Vec<Row> = results
        .get(1)
        .map(|r| r.results())
        .transpose()?
        .unwrap_or_default();
    Ok(match rows.first() {
        Some(Row {
            applied_at: Some(_),
        }) => EventState::Applied,
        _ => EventState::ToApply,
    })
}

pub async fn mark_event_applied(
    db: &D1Database,
    dedupe_key: &str,
    now: u64,
    outcome: &str,
    corp_id: Option<&str>,
) -> Result<()> {
    db.prepare(
        "UPDATE events SET applied_at = ?2, outcome = ?3, corp_id = COALESCE(corp_id, ?4) \
         WHERE dedupe_key = ?1",
    )
    .bind(&[
        dedupe_key.into(),
        num(now),
        outcome.into(),
        opt_str(corp_id),
    ])?
    .run()
    .await?;
    Ok(())
}

/// Notes why applying an event failed; it stays unapplied, to be retried.
pub async fn note_event_failure(db: &D1Database, dedupe_key: &str, reason: &str) -> Result<()> {
    db.prepare("UPDATE events SET outcome = ?2 WHERE dedupe_key = ?1 AND applied_at IS NULL")
        .bind(&[dedupe_key.into(), format!("failed: {reason}").into()])?
        .run()
        .await?;
    Ok(())
}

/// The organisation an install event already traded its auth code for,
/// when that organisation is still installed: the install resumes from its
/// stored permanent code instead of spending the code twice.
pub async fn exchanged_corp(db: &D1Database, dedupe_key: &str) -> Result<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        corp_id: String,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT e.corp_id FROM events e JOIN organisations o ON o.corp_id = e.corp_id \
             WHERE e.dedupe_key = ?1",
        )
        .bind(&[dedupe_key.into()])?
        .first(None)
        .await?;
    Ok(row.map(|r| r.corp_id))
}

/// A `create_auth` not yet applied: its key, raw message, and whether the
/// auth code was already exchanged.
#[derive(Deserialize)]
pub struct UnfinishedInstall {
    pub dedupe_key: String,
    pub corp_id: Option<String>,
    pub raw: String,
}

/// Unfinished installs, newest first: those already exchanged received
/// since `exchanged_since`, the others since `unexchanged_since` (an auth
/// code is worth trying only while WeCom still takes it).
pub async fn unfinished_installs(
    db: &D1Database,
    exchanged_since: u64,
    unexchanged_since: u64,
    limit: u64,
) -> Result<Vec<UnfinishedInstall>> {
    db.prepare(
        "SELECT dedupe_key, corp_id, raw FROM events \
         WHERE kind = 'create_auth' AND applied_at IS NULL \
           AND received_at >= CASE WHEN corp_id IS NULL THEN ?2 ELSE ?1 END \
         ORDER BY received_at DESC LIMIT ?3",
    )
    .bind(&[num(exchanged_since), num(unexchanged_since), num(limit)])?
    .all()
    .await?
    .results()
}

/// Events are evidence for a while, not forever.
pub async fn prune_events(db: &D1Database, received_before: u64) -> Result<usize> {
    let r = db
        .prepare("DELETE FROM events WHERE received_at < ?1 AND applied_at IS NOT NULL")
        .bind(&[num(received_before)])?
        .run()
        .await?;
    Ok(changes(&r))
}
