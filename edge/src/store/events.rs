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

/// Events are evidence for a while, not forever.
pub async fn prune_events(db: &D1Database, received_before: u64) -> Result<usize> {
    let r = db
        .prepare("DELETE FROM events WHERE received_at < ?1 AND applied_at IS NOT NULL")
        .bind(&[num(received_before)])?
        .run()
        .await?;
    Ok(changes(&r))
}
