//! The queue consumer: applies the events callbacks recorded. Each message
//! names an event; the event is claimed (one statement) before it is
//! applied, so two deliveries at once apply it once; applied, it is marked;
//! failed, it is released with the reason and retried by the queue with
//! backoff. Messages that failed their last retry arrive from the
//! dead-letter queue and mark their event failed: the console shows it
//! and an admin can send it again ([`retry_failed`]). The cron sends events
//! whose message was lost ([`requeue_stalled`]). One event's message is
//! `one`'s; a batch's member events (lanes) are claimed together and
//! their last marks written together here.
//!
//! A suite_ticket's message carries the ticket (nothing in D1): the
//! newest of a batch is kept with one KV write and every ticket of the
//! batch acknowledged ([`keep_newest_ticket`]).

pub mod apply;
mod backoff;
mod chains;
mod lanes;
mod one;

use crate::d1;
use crate::env;
use crate::error::ApiError;
use crate::queue::{self, Work, DEAD_LETTER_QUEUE};
use crate::shard;
use crate::store;
use backoff::{retry_after, FIRST_BACKOFF_SECS, MAX_BACKOFF_SECS};
use domain::api::{EventHealth, EventsRetried};
use one::{event_message, failed_message, take_and_apply, Claim, Failure, CLAIM_SECS};
use worker::{console_error, Env, Message, MessageBatch, MessageExt};

/// An event whose message has not been seen for this long is sent again
/// by the cron (the queue delivers within seconds; retries back off to
/// [`MAX_BACKOFF_SECS`]).
const STALLED_AFTER_SECS: u64 = 10 * 60;

/// Events the cron sends again per run.
const REQUEUE_BATCH: u64 = 200;

/// Failed events one retry sends again.
const RETRY_BATCH: u64 = 500;

/// Failed events the console lists.
const FAILURES_SHOWN: u64 = 20;

/// The consumer of both queues.
pub async fn consume(batch: MessageBatch<Work>, env: &Env) -> worker::Result<()> {
    let dead = batch.queue() == DEAD_LETTER_QUEUE;
    let first = u32::try_from(env::setting(env, "QUEUE_BACKOFF_SECS", FIRST_BACKOFF_SECS))
        .unwrap_or(MAX_BACKOFF_SECS);
    let messages = batch.messages()?;
    // Tickets first: an event of the same batch may need the suite token
    // made from the newest one.
    let (tickets, events): (Vec<_>, Vec<_>) = messages
        .iter()
        .partition(|m| matches!(m.body(), Work::SuiteTicket { .. }));
    if dead {
        for message in tickets {
            console_error!(
                "a suite_ticket failed its last retry; WeCom pushes the next within 10 minutes"
            );
            message.ack();
        }
    } else {
        keep_newest_ticket(env, first, &tickets).await;
    }
    // Events of members (a lane each) are gathered and applied lanes at
    // once; anything else (a sync step, an event of the organisation as a
    // whole, a dead letter) first lets the gathered ones finish, then runs
    // alone, so the batch keeps its order across kinds.
    let mut gathered = Vec::new();
    for message in events {
        if !dead && matches!(message.body(), Work::Event { lane: Some(_), .. }) {
            gathered.push(message);
            continue;
        }
        apply_lanes(env, first, std::mem::take(&mut gathered)).await;
        match message.body() {
            Work::SyncStep {
                corp_id,
                run_id,
                step,
            } => chains::sync_step(env, first, dead, message, corp_id, run_id, *step).await,
            Work::SyncCheck {
                corp_id,
                step,
                state,
            } => {
                let state = state.as_deref();
                chains::check_step(env, first, dead, message, corp_id, *step, state).await
            }
            Work::Event { key, corp, .. } if dead => match mark_dead(env, key, corp).await {
                Ok(()) => message.ack(),
                Err(e) => {
                    console_error!("dead letter {key}: {}", e.message);
                    message.retry();
                }
            },
            Work::Event { key, corp, .. } => {
                event_message(env, first, message, key, corp, None).await;
            }
            Work::SuiteTicket { .. } => {}
        }
    }
    apply_lanes(env, first, gathered).await;
    Ok(())
}

/// Applies gathered member events: lanes at once, each lane in order.
/// Their claims are taken first, one round trip an organisation; the mark
/// of each lane's last event (with the events it covered) waits for the
/// lanes to finish and goes in one batch an organisation
/// ([`mark_pending`]). An earlier event of a lane is marked before the
/// next is applied, as alone. A member event then costs D1 the reads its
/// apply makes, and a storm's batch two more round trips in all.
async fn apply_lanes(env: &Env, first: u32, messages: Vec<&Message<Work>>) {
    use futures_util::stream::{self, StreamExt};
    let events: Vec<(&str, bool)> = messages
        .iter()
        .map(|m| match m.body() {
            Work::Event {
                lane: Some(lane),
                rereads,
                ..
            } => (lane.as_str(), *rereads),
            _ => ("", false),
        })
        .collect();
    let plan = lanes::plan(&events);
    let claims = std::cell::RefCell::new(claim_planned(env, &messages, &plan).await);
    let pending = std::cell::RefCell::new(Vec::new());
    let (messages, claims, pending_ref) = (&messages, &claims, &pending);
    stream::iter(plan)
        .for_each_concurrent(lanes::LANES_AT_ONCE, |steps| async move {
            let last = steps.len().saturating_sub(1);
            let mut covered: Vec<&Message<Work>> = Vec::new();
            for (n, step) in steps.into_iter().enumerate() {
                let lanes::Step::Apply(i) = step else {
                    if let lanes::Step::Covered(i) = step {
                        covered.push(messages[i]);
                    }
                    continue;
                };
                let message = messages[i];
                let Work::Event { key, corp, .. } = message.body() else {
                    continue;
                };
                let claim = claims.borrow_mut().remove(&i);
                let waiting = std::mem::take(&mut covered);
                if n == last {
                    match take_and_apply(env, message, key, corp, claim).await {
                        Ok(applied) => pending_ref.borrow_mut().push(Pending {
                            message,
                            key,
                            corp,
                            applied: applied.map(|(_, attempts, outcome)| (attempts, outcome)),
                            covered: waiting,
                        }),
                        Err(failure) => {
                            failed_message(env, first, message, key, failure).await;
                            waiting.iter().for_each(|m| retry_after(m, first.max(1)));
                        }
                    }
                    continue;
                }
                let applied = event_message(env, first, message, key, corp, claim).await;
                if waiting.is_empty() {
                    continue;
                }
                if applied {
                    mark_covered(env, first, &waiting).await;
                } else {
                    // The covering event failed: the covered ones
                    // wait with it.
                    waiting.iter().for_each(|m| retry_after(m, first.max(1)));
                }
            }
        })
        .await;
    mark_pending(env, first, pending.into_inner()).await;
}

/// Claims every event the plan applies, one round trip an organisation,
/// by the event's index among the gathered messages.
async fn claim_planned(
    env: &Env,
    messages: &[&Message<Work>],
    plan: &[Vec<lanes::Step>],
) -> std::collections::HashMap<usize, Claim> {
    let mut by_corp: std::collections::BTreeMap<&str, Vec<(usize, &str, String)>> =
        Default::default();
    for step in plan.iter().flatten() {
        if let lanes::Step::Apply(i) = *step {
            if let Work::Event { key, corp, .. } = messages[i].body() {
                let corp = corp.as_deref().unwrap_or_default();
                by_corp
                    .entry(corp)
                    .or_default()
                    .push((i, key.as_str(), messages[i].id()));
            }
        }
    }
    let now = crate::clock::now_secs();
    let mut claims = std::collections::HashMap::new();
    for (corp, events) in by_corp {
        let asked: Vec<(&str, &str)> = events.iter().map(|(_, k, m)| (*k, m.as_str())).collect();
        let taken = match shard::db_for(env, corp).await {
            Ok(db) => store::claim_events(&db, &asked, now, CLAIM_SECS)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.message),
        };
        match taken {
            Ok(taken) => {
                let indices = events.iter().map(|(i, _, _)| *i);
                claims.extend(indices.zip(taken.into_iter().map(Ok)));
            }
            Err(why) => claims.extend(events.iter().map(|(i, _, _)| (*i, Err(why.clone())))),
        }
    }
    claims
}

/// A lane's last event, applied, its mark left for the batch's end.
struct Pending<'m> {
    message: &'m Message<Work>,
    key: &'m str,
    corp: &'m Option<String>,
    /// None: nothing to do (applied already, or another message holds it).
    applied: Option<(u32, apply::Outcome)>,
    /// The events it covers, marked with it.
    covered: Vec<&'m Message<Work>>,
}

/// The lanes' last events and what they covered: marked in one batch an
/// organisation (one transaction: each event's writes with its mark),
/// then acknowledged; if the batch fails, all of them are tried again.
async fn mark_pending(env: &Env, first: u32, pending: Vec<Pending<'_>>) {
    let mut by_corp: std::collections::BTreeMap<&str, Vec<&Pending<'_>>> = Default::default();
    for p in &pending {
        if p.applied.is_none() && p.covered.is_empty() {
            p.message.ack();
            continue;
        }
        by_corp
            .entry(p.corp.as_deref().unwrap_or_default())
            .or_default()
            .push(p);
    }
    for (corp, pending) in by_corp {
        let covered_keys: Vec<Vec<&str>> = pending
            .iter()
            .map(|p| p.covered.iter().filter_map(|m| event_key(m)).collect())
            .collect();
        let mut marks = Vec::new();
        for (p, covered) in pending.iter().zip(&covered_keys) {
            if let Some((_, outcome)) = &p.applied {
                marks.push(store::Mark::Applied {
                    key: p.key,
                    outcome: &outcome.note,
                    corp_id: outcome.corp_id.as_deref(),
                    writes: &outcome.writes,
                });
            }
            if !covered.is_empty() {
                marks.push(store::Mark::Covered {
                    keys: covered.clone(),
                    outcome: lanes::COVERED,
                });
            }
        }
        let now = crate::clock::now_secs();
        let what = format!("{} events of {corp}: marking them applied", marks.len());
        let marked = match shard::db_for(env, corp).await {
            Ok(db) => d1::retried(&what, || store::mark_events(&db, &marks, now))
                .await
                .map_err(ApiError::from),
            Err(e) => Err(e),
        };
        for p in pending {
            match &marked {
                Ok(()) => {
                    p.message.ack();
                    p.covered.iter().for_each(|m| m.ack());
                }
                Err(e) => {
                    let attempts = p.applied.as_ref().map_or(0, |(a, _)| *a);
                    let failure = Failure::of(attempts, ApiError::internal(e.message.clone()));
                    failed_message(env, first, p.message, p.key, failure).await;
                    p.covered.iter().for_each(|m| retry_after(m, first.max(1)));
                }
            }
        }
    }
}

fn event_key(message: &Message<Work>) -> Option<&str> {
    match message.body() {
        Work::Event { key, .. } => Some(key.as_str()),
        _ => None,
    }
}

/// Marks events a later one covered, and acknowledges their messages.
async fn mark_covered(env: &Env, first: u32, messages: &[&Message<Work>]) {
    let keys: Vec<&str> = messages.iter().filter_map(|m| event_key(m)).collect();
    // One lane is one member of one organisation.
    let corp = messages.iter().find_map(|m| match m.body() {
        Work::Event { corp, .. } => corp.clone(),
        _ => None,
    });
    let now = crate::clock::now_secs();
    let marked = match shard::db_for(env, corp.as_deref().unwrap_or_default()).await {
        Ok(db) => store::mark_events_covered(&db, &keys, now, lanes::COVERED)
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match marked {
        Ok(()) => messages.iter().for_each(|m| m.ack()),
        Err(e) => {
            console_error!("{} covered events not marked: {}", keys.len(), e.message);
            messages.iter().for_each(|m| retry_after(m, first.max(1)));
        }
    }
}

/// The ticket WeCom pushed last among these messages, with its
/// `TimeStamp`.
fn newest_ticket<'a>(work: impl Iterator<Item = &'a Work>) -> Option<(u64, &'a str)> {
    work.filter_map(|w| match w {
        Work::SuiteTicket { ticket, timestamp } => Some((*timestamp, ticket.as_str())),
        Work::Event { .. } | Work::SyncStep { .. } | Work::SyncCheck { .. } => None,
    })
    .max_by_key(|(timestamp, _)| *timestamp)
}

thread_local! {
    /// The `TimeStamp` of the ticket this isolate kept last.
    static KEPT_TICKET_AT: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// The suite_tickets of a batch: the newest (by WeCom's `TimeStamp`) is
/// kept, one KV write for the batch, and all are acknowledged; when KV
/// refuses, all go back to the queue. A ticket of the same second as the
/// one this isolate kept last is as fresh: no write (KV takes one write a
/// second to the key, and the others would wait their turn). Batches are
/// not ordered, so an older ticket may follow a newer one: both are valid
/// (30 minutes each, a new one every 10).
async fn keep_newest_ticket(env: &Env, first_backoff: u32, tickets: &[&Message<Work>]) {
    let Some((timestamp, ticket)) = newest_ticket(tickets.iter().map(|m| m.body())) else {
        return;
    };
    if KEPT_TICKET_AT.with(std::cell::Cell::get) == Some(timestamp) {
        tickets.iter().for_each(|m| m.ack());
        return;
    }
    match apply::keep_suite_ticket(env, ticket).await {
        Ok(()) => {
            KEPT_TICKET_AT.with(|k| k.set(Some(timestamp)));
            tickets.iter().for_each(|m| m.ack());
        }
        Err(e) => {
            console_error!(
                "suite_ticket not kept, again in {first_backoff} s: {}",
                e.message
            );
            tickets.iter().for_each(|m| retry_after(m, first_backoff));
        }
    }
}

async fn mark_dead(env: &Env, key: &str, corp: &Option<String>) -> Result<(), ApiError> {
    let now = crate::clock::now_secs();
    let db = shard::db_for(env, corp.as_deref().unwrap_or_default()).await?;
    store::mark_event_dead(&db, key, now).await?;
    Ok(())
}

/// Cron: sends again the events whose message was lost (recorded, never
/// applied, not failed, nobody holding them). Returns how many.
pub async fn requeue_stalled(env: &Env, now: u64) -> Result<usize, ApiError> {
    // One database failing holds up none of the others.
    let (mut n, mut failed) = (0, None);
    for db in shard::every(env)? {
        let before = now.saturating_sub(STALLED_AFTER_SECS);
        match store::stalled_events(&db, before, now, REQUEUE_BATCH).await {
            Ok(keys) => {
                n += keys.len();
                queue::send_events(env, keys).await?;
            }
            Err(e) => failed = Some(ApiError::from(e)),
        }
    }
    match failed {
        Some(e) if n == 0 => Err(e),
        _ => Ok(n),
    }
}

/// The organisation's waiting and failed events.
pub async fn health(env: &Env, corp_id: &str) -> Result<EventHealth, ApiError> {
    Ok(store::event_health(&shard::db_for(env, corp_id).await?, corp_id, FAILURES_SHOWN).await?)
}

/// Sends the organisation's failed events to the queue again.
pub async fn retry_failed(env: &Env, corp_id: &str) -> Result<EventsRetried, ApiError> {
    let db = shard::db_for(env, corp_id).await?;
    let keys = store::rearm_failed_events(&db, corp_id, RETRY_BATCH).await?;
    let requeued = keys.len() as u64;
    let corp = Some(corp_id.to_owned());
    queue::send_events(env, keys.into_iter().map(|k| (k, corp.clone())).collect()).await?;
    Ok(EventsRetried { requeued })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(key: &str) -> Work {
        Work::Event {
            key: key.into(),
            corp: None,
            lane: None,
            rereads: false,
        }
    }

    fn ticket(ticket: &str, timestamp: u64) -> Work {
        Work::SuiteTicket {
            ticket: ticket.into(),
            timestamp,
        }
    }

    #[test]
    fn a_batch_keeps_the_ticket_wecom_pushed_last_whatever_the_order() {
        let batch = [
            ticket("second", 1_700_000_600),
            event("k"),
            ticket("third", 1_700_001_200),
            ticket("first", 1_700_000_000),
        ];
        assert_eq!(newest_ticket(batch.iter()), Some((1_700_001_200, "third")));
        assert_eq!(newest_ticket([event("k")].iter()), None);
    }

    #[test]
    fn a_ticket_message_names_its_work_beside_the_event_messages() {
        let sent = serde_json::to_value(ticket("T", 1_700_000_000)).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({"work": "suite_ticket", "ticket": "T", "timestamp": 1_700_000_000u64})
        );
        // A message sent before lanes existed still reads (alone, no lane).
        let old: Work =
            serde_json::from_value(serde_json::json!({"work": "event", "key": "k"})).unwrap();
        assert_eq!(old, event("k"));
        let member = Work::Event {
            key: "k".into(),
            corp: Some("c".into()),
            lane: Some("c\u{1f}u".into()),
            rereads: true,
        };
        assert_eq!(
            serde_json::to_value(&member).unwrap(),
            serde_json::json!({"work": "event", "key": "k", "corp": "c", "lane": "c\u{1f}u", "rereads": true})
        );
    }
}
