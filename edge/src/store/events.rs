//! The callback log: every event recorded once (by the hash of its
//! plaintext) before it is applied, marked when applied, pruned later.

use super::bind::{changes, json_str, num, opt_str, texts};
use crate::d1::{Db, Statement};
use serde::Deserialize;
use worker::Result;

#[derive(Debug, PartialEq, Eq)]
pub enum EventState {
    /// First delivery, or an earlier delivery that was not applied.
    ToApply,
    Applied,
    /// Not recorded: the organisation it was sent for is not installed.
    NotInstalled,
}

/// Writes the event (once per dedupe key) and says whether it still needs
/// applying, in one round trip. `rearm` makes an applied event due again
/// (an event that only asks to re-read, like `change_app_admin`, whose
/// repeats are byte-identical within a second), frees its claim and
/// counts its tries afresh: a delivery applying it now may have read WeCom
/// before this change, so the new message must be able to read again, and
/// it is a first try (not a retry of the one before). `installed_only`: record
/// it only if `corp_id` is installed (a push to the data URL), in the same
/// statement, so the callback answers after one round trip; a repeat
/// writes nothing.
#[allow(clippy::too_many_arguments)]
pub async fn record_event(
    db: &Db,
    dedupe_key: &str,
    corp_id: Option<&str>,
    source: &str,
    kind: &str,
    now: u64,
    raw: &str,
    rearm: bool,
    installed_only: bool,
) -> Result<EventState> {
    #[derive(Deserialize)]
    struct Row {
        applied_at: Option<f64>,
    }
    // The insert (or re-arm) and a read of the row in one round trip: a
    // repeat that re-arms nothing writes nothing.
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO events (dedupe_key, corp_id, source, kind, received_at, raw) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6 \
                 WHERE ?8 = 0 OR EXISTS (SELECT 1 FROM organisations WHERE corp_id = ?2) \
                 ON CONFLICT (dedupe_key) DO UPDATE SET applied_at = NULL, claimed_until = NULL, \
                   attempts = 0 WHERE ?7 = 1",
            )
            .bind(&[
                dedupe_key.into(),
                opt_str(corp_id),
                source.into(),
                kind.into(),
                num(now),
                raw.into(),
                num(u64::from(rearm)),
                num(u64::from(installed_only)),
            ])?,
            db.prepare("SELECT applied_at FROM events WHERE dedupe_key = ?1")
                .bind(&[dedupe_key.into()])?,
        ])
        .await?;
    // No row: the `installed_only` condition held it back.
    let row = results
        .get(1)
        .map(|r| r.results::<Row>())
        .transpose()?
        .and_then(|rows| rows.into_iter().next());
    Ok(match row {
        None => EventState::NotInstalled,
        Some(Row {
            applied_at: Some(_),
        }) => EventState::Applied,
        Some(Row { applied_at: None }) => EventState::ToApply,
    })
}

/// An event the consumer claimed: what it needs to apply it.
#[derive(Deserialize)]
pub struct ClaimedEvent {
    pub source: String,
    pub kind: String,
    pub raw: String,
    pub attempts: u32,
}

/// Claims an unapplied event for `lease_secs` (one statement), so two
/// deliveries of its message at once apply it once. The claim names the
/// queue message (`message_id`): that message delivered again (its claim's
/// reply was lost, or its apply failed) takes the claim back at once.
/// `None` when it is applied, gone, or claimed by another message.
pub async fn claim_event(
    db: &Db,
    dedupe_key: &str,
    now: u64,
    lease_secs: u64,
    message_id: &str,
) -> Result<Option<ClaimedEvent>> {
    claim_statement(db, dedupe_key, now, lease_secs, message_id)?
        .first()
        .await
}

/// [`claim_event`] for several events (each its key and its message), in
/// one round trip: each claimed or not as it would be alone.
pub async fn claim_events(
    db: &Db,
    claims: &[(&str, &str)],
    now: u64,
    lease_secs: u64,
) -> Result<Vec<Option<ClaimedEvent>>> {
    if claims.is_empty() {
        return Ok(vec![]);
    }
    let statements = claims
        .iter()
        .map(|(key, message_id)| claim_statement(db, key, now, lease_secs, message_id))
        .collect::<Result<Vec<_>>>()?;
    db.batch(statements)
        .await?
        .iter()
        .map(|r| Ok(r.results::<ClaimedEvent>()?.into_iter().next()))
        .collect()
}

fn claim_statement(
    db: &Db,
    dedupe_key: &str,
    now: u64,
    lease_secs: u64,
    message_id: &str,
) -> Result<Statement> {
    db.prepare(
        "UPDATE events SET claimed_until = ?2 + ?3, claimed_by = ?4, attempts = attempts + 1 \
         WHERE dedupe_key = ?1 AND applied_at IS NULL \
           AND (claimed_until IS NULL OR claimed_until <= ?2 OR claimed_by = ?4) \
         RETURNING source, kind, raw, attempts",
    )
    .bind(&[
        dedupe_key.into(),
        num(now),
        num(lease_secs),
        message_id.into(),
    ])
}

/// Ends a claim that failed: notes why; the event stays unapplied.
pub async fn release_event(db: &Db, dedupe_key: &str, reason: &str) -> Result<()> {
    db.prepare(
        "UPDATE events SET claimed_until = NULL, outcome = ?2 \
         WHERE dedupe_key = ?1 AND applied_at IS NULL",
    )
    .bind(&[dedupe_key.into(), format!("failed: {reason}").into()])?
    .run()
    .await?;
    Ok(())
}

/// The event's message reached the dead-letter queue: it is failed until
/// someone asks for it again.
pub async fn mark_event_dead(db: &Db, dedupe_key: &str, now: u64) -> Result<()> {
    db.prepare(
        "UPDATE events SET failed_at = ?2, claimed_until = NULL \
         WHERE dedupe_key = ?1 AND applied_at IS NULL",
    )
    .bind(&[dedupe_key.into(), num(now)])?
    .run()
    .await?;
    Ok(())
}

/// Unapplied, unfailed events nobody holds, received before `before`
/// (their message was lost, or never sent): the cron sends them again.
/// Each with the organisation whose database holds it (`queue::Work`):
/// none for a create_auth, which stays on the home database even once its
/// organisation is known.
pub async fn stalled_events(
    db: &Db,
    before: u64,
    now: u64,
    limit: u64,
) -> Result<Vec<(String, Option<String>)>> {
    #[derive(Deserialize)]
    struct Row {
        dedupe_key: String,
        corp: Option<String>,
    }
    let rows = db
        .prepare(
            "SELECT dedupe_key, CASE WHEN kind = 'create_auth' THEN NULL ELSE corp_id END AS corp \
             FROM events \
             WHERE applied_at IS NULL AND failed_at IS NULL AND received_at < ?1 \
               AND (claimed_until IS NULL OR claimed_until <= ?2) \
             ORDER BY received_at LIMIT ?3",
        )
        .bind(&[num(before), num(now), num(limit)])?
        .all()
        .await?
        .results::<Row>()?;
    Ok(rows.into_iter().map(|r| (r.dedupe_key, r.corp)).collect())
}

/// The organisation's failed events made due again; their keys.
pub async fn rearm_failed_events(db: &Db, corp_id: &str, limit: u64) -> Result<Vec<String>> {
    let statement = db
        .prepare(
            "UPDATE events SET failed_at = NULL, attempts = 0 WHERE dedupe_key IN \
               (SELECT dedupe_key FROM events WHERE corp_id = ?1 AND failed_at IS NOT NULL \
                AND applied_at IS NULL ORDER BY received_at LIMIT ?2) \
             RETURNING dedupe_key",
        )
        .bind(&[corp_id.into(), num(limit)])?;
    texts(statement, "dedupe_key").await
}

/// The organisation's event log at a glance: waiting, failed, the latest
/// failures.
pub async fn event_health(
    db: &Db,
    corp_id: &str,
    failures_shown: u64,
) -> Result<domain::api::EventHealth> {
    #[derive(Deserialize)]
    struct Counts {
        backlog: f64,
        failed: f64,
    }
    let results = db
        .batch(vec![
            db.prepare(
                "SELECT coalesce(sum(failed_at IS NULL), 0) AS backlog, \
                        coalesce(sum(failed_at IS NOT NULL), 0) AS failed \
                 FROM events WHERE corp_id = ?1 AND applied_at IS NULL",
            )
            .bind(&[corp_id.into()])?,
            db.prepare(
                "SELECT kind, received_at, failed_at, coalesce(outcome, '') AS error FROM events \
                 WHERE corp_id = ?1 AND applied_at IS NULL AND failed_at IS NOT NULL \
                 ORDER BY received_at DESC LIMIT ?2",
            )
            .bind(&[corp_id.into(), num(failures_shown)])?,
        ])
        .await?;
    let counts: Option<Counts> = results
        .first()
        .map(|r| r.results())
        .transpose()?
        .and_then(|mut v: Vec<Counts>| v.pop());
    let failures = results
        .get(1)
        .map(|r| r.results())
        .transpose()?
        .unwrap_or_default();
    let counts = counts.unwrap_or(Counts {
        backlog: 0.0,
        failed: 0.0,
    });
    Ok(domain::api::EventHealth {
        backlog: counts.backlog as u64,
        failed: counts.failed as u64,
        failures,
    })
}

/// Marks the event applied, in one batch with `writes`, the D1 writes that
/// are its whole effect (none when its effect was elsewhere: WeCom, KV, or
/// writes that are idempotent by themselves).
pub async fn mark_event_applied(
    db: &Db,
    dedupe_key: &str,
    now: u64,
    outcome: &str,
    corp_id: Option<&str>,
    writes: &[EventWrite],
) -> Result<()> {
    let marks = [Mark::Applied {
        key: dedupe_key,
        outcome,
        corp_id,
        writes,
    }];
    mark_events(db, &marks, now).await
}

/// What [`mark_events`] writes for one event, or for events covered by
/// a later one.
pub enum Mark<'a> {
    /// Applied: its writes, then its mark (see [`mark_event_applied`]).
    Applied {
        key: &'a str,
        outcome: &'a str,
        corp_id: Option<&'a str>,
        writes: &'a [EventWrite],
    },
    /// Covered (see [`mark_events_covered`]).
    Covered {
        keys: Vec<&'a str>,
        outcome: &'a str,
    },
}

/// Every mark in one batch (one transaction, one round trip), in order.
pub async fn mark_events(db: &Db, marks: &[Mark<'_>], now: u64) -> Result<()> {
    let mut batch = Vec::new();
    for mark in marks {
        match mark {
            Mark::Applied {
                key,
                outcome,
                corp_id,
                writes,
            } => {
                for w in writes.iter() {
                    batch.push(w.statement(db, key, now)?);
                }
                batch.push(applied_statement(db, key, now, outcome, *corp_id)?);
            }
            Mark::Covered { keys, outcome } => {
                batch.push(covered_statement(db, keys, now, outcome)?)
            }
        }
    }
    if !batch.is_empty() {
        db.batch(batch).await?;
    }
    Ok(())
}

fn applied_statement(
    db: &Db,
    dedupe_key: &str,
    now: u64,
    outcome: &str,
    corp_id: Option<&str>,
) -> Result<Statement> {
    db.prepare(
        "UPDATE events SET applied_at = ?2, outcome = ?3, corp_id = COALESCE(corp_id, ?4), \
           claimed_until = NULL, failed_at = NULL \
         WHERE dedupe_key = ?1",
    )
    .bind(&[
        dedupe_key.into(),
        num(now),
        outcome.into(),
        opt_str(corp_id),
    ])
}

/// Events a later event of the same member covered (it read the member
/// whole from WeCom after them): marked applied with `outcome`, unless
/// applied already or held by another delivery.
pub async fn mark_events_covered(db: &Db, keys: &[&str], now: u64, outcome: &str) -> Result<()> {
    covered_statement(db, keys, now, outcome)?.run().await?;
    Ok(())
}

fn covered_statement(db: &Db, keys: &[&str], now: u64, outcome: &str) -> Result<Statement> {
    db.prepare(
        "UPDATE events SET applied_at = ?2, outcome = ?3, claimed_until = NULL, failed_at = NULL \
         WHERE dedupe_key IN (SELECT value FROM json_each(?1)) AND applied_at IS NULL \
           AND (claimed_until IS NULL OR claimed_until <= ?2)",
    )
    .bind(&[json_str(&keys), num(now), outcome.into()])
}

/// A D1 write that is the whole effect of an event: it is written in the
/// same batch (one transaction) as the event's mark, and only while the
/// event is not marked applied, so a lost reply cannot apply it twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventWrite {
    /// `unlicensed_notify`: the member asked for a seat.
    SeatRequest {
        corp_id: String,
        userid: String,
        at: u64,
    },
    /// The event's audit row (WeCom the actor), while the organisation
    /// exists.
    Audit {
        corp_id: String,
        action: &'static str,
        detail: serde_json::Value,
    },
    /// A member as WeCom has it now (`change_contact`), while the
    /// organisation exists.
    Member {
        corp_id: String,
        record: domain::range::MemberRecord,
    },
    /// A member WeCom no longer has.
    Departed { corp_id: String, userid: String },
    /// A member WeCom says is outside the visible range now.
    OutOfRange { corp_id: String, userid: String },
    /// The organisation's access views are stale (`cache`).
    NewGeneration { corp_id: String },
}

impl EventWrite {
    fn statement(&self, db: &Db, dedupe_key: &str, now: u64) -> Result<Statement> {
        match self {
            EventWrite::SeatRequest {
                corp_id,
                userid,
                at,
            } => super::record_seat_request_once(db, dedupe_key, corp_id, userid, *at),
            EventWrite::Audit {
                corp_id,
                action,
                detail,
            } => db
                .prepare(
                    "INSERT INTO audit (corp_id, at, actor, action, detail) \
                     SELECT ?1, ?2, 'wecom', ?3, ?4 \
                     WHERE EXISTS (SELECT 1 FROM organisations WHERE corp_id = ?1) \
                       AND NOT EXISTS (SELECT 1 FROM events \
                                       WHERE dedupe_key = ?5 AND applied_at IS NOT NULL)",
                )
                .bind(&[
                    corp_id.as_str().into(),
                    num(now),
                    (*action).into(),
                    detail.to_string().into(),
                    dedupe_key.into(),
                ]),
            EventWrite::Member { corp_id, record } => {
                super::contacts::upsert_member_statement(db, corp_id, record, now)
            }
            EventWrite::Departed { corp_id, userid } => {
                super::contacts::departed_statement(db, corp_id, userid, now)
            }
            EventWrite::OutOfRange { corp_id, userid } => {
                super::contacts::out_of_range_statement(db, corp_id, userid, now)
            }
            EventWrite::NewGeneration { corp_id } => {
                super::orgs::new_generation_statement(db, corp_id)
            }
        }
    }
}

/// The organisation an install event already traded its auth code for,
/// and the install kept on its row (`install_home`): the install resumes
/// from there instead of spending the code twice. Read on the home
/// database.
pub async fn exchanged_corp(
    home: &Db,
    dedupe_key: &str,
) -> Result<Option<(String, Option<super::Installation>)>> {
    #[derive(Deserialize)]
    struct Row {
        corp_id: String,
        install: Option<String>,
    }
    let row: Option<Row> = home
        .prepare(
            "SELECT corp_id, install FROM events WHERE dedupe_key = ?1 AND corp_id IS NOT NULL",
        )
        .bind(&[dedupe_key.into()])?
        .first()
        .await?;
    Ok(row.map(|r| {
        let kept = r.install.and_then(|j| serde_json::from_str(&j).ok());
        (r.corp_id, kept)
    }))
}

/// Events are evidence for a while, not forever.
pub async fn prune_events(db: &Db, received_before: u64) -> Result<usize> {
    let r = db
        .prepare("DELETE FROM events WHERE received_at < ?1 AND applied_at IS NOT NULL")
        .bind(&[num(received_before)])?
        .run()
        .await?;
    Ok(changes(&r))
}
