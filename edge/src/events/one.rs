//! One event's message: its event claimed (or the claim a batch took
//! before), applied and marked; acknowledged when applied (or nothing to
//! do), sent back with backoff when not, or again after WeCom's window
//! when WeCom refused as too frequent.

use super::apply;
use super::backoff::{backoff, rate_limited_backoff, retry_after, RATE_LIMITED_TRIES_MAX};
use crate::d1;
use crate::env::Config;
use crate::error::ApiError;
use crate::queue::{self, Work};
use crate::shard;
use crate::store;
use domain::event::{CommandEvent, DataEvent, SystemEvent};
use worker::{console_error, Env, Message, MessageExt};

/// How long a claim holds an event: longer than an apply can run
/// (a consumer invocation has 15 minutes of wall time, Cloudflare Queues
/// limits), so an expired claim means its holder died.
pub(super) const CLAIM_SECS: u64 = 15 * 60;

/// An event's claim taken before its lane ran: the event to apply, none
/// (nothing to do), or why D1 could not say.
pub(super) type Claim = Result<Option<store::ClaimedEvent>, String>;

/// Applies one event's message: acknowledged when applied (or nothing to
/// do), sent back with backoff when not. Whether it was applied. `claim`:
/// its claim, when taken before (a batch's lanes); taken now when none.
pub(super) async fn event_message(
    env: &Env,
    first: u32,
    message: &Message<Work>,
    key: &str,
    corp: &Option<String>,
    claim: Option<Claim>,
) -> bool {
    match apply_event(env, message, key, corp, claim).await {
        Ok(()) => {
            message.ack();
            true
        }
        Err(failure) => {
            failed_message(env, first, message, key, failure).await;
            false
        }
    }
}

/// An event that failed: its message back to the queue with backoff (or,
/// WeCom refusing as too frequent, sent again after WeCom's window).
pub(super) async fn failed_message(
    env: &Env,
    first: u32,
    message: &Message<Work>,
    key: &str,
    failure: Failure,
) {
    let rate_limited = failure.rate_limited.then(|| rate_limited_backoff(env));
    let delay = backoff(first, failure.attempts, rate_limited);
    console_error!(
        "event {key}: attempt {} failed, again in {delay} s: {}",
        failure.attempts,
        failure.message
    );
    if failure.rate_limited && failure.attempts < RATE_LIMITED_TRIES_MAX {
        wait_out_rate_limit(env, message, delay).await;
    } else {
        retry_after(message, delay);
    }
}

/// WeCom refused as too frequent: the event goes back to the queue as a
/// new message delivered after the wait, and this one is acknowledged, so
/// waiting out WeCom's window does not spend the queue's retries (they are
/// for faults); the event's claims count the tries
/// ([`RATE_LIMITED_TRIES_MAX`]). If the queue cannot take it now, this
/// message's own retry does.
async fn wait_out_rate_limit(env: &Env, message: &Message<Work>, delay: u32) {
    let Work::Event { key, corp, .. } = message.body() else {
        return;
    };
    let again = Work::Event {
        key: key.clone(),
        corp: corp.clone(),
        lane: None,
        rereads: false,
    };
    match queue::send_after(env, &again, delay).await {
        Ok(()) => message.ack(),
        Err(e) => {
            console_error!(
                "event {key}: not sent again ({}), retried instead",
                e.message
            );
            retry_after(message, delay);
        }
    }
}

pub(super) struct Failure {
    attempts: u32,
    rate_limited: bool,
    message: String,
}

impl Failure {
    pub(super) fn of(attempts: u32, e: ApiError) -> Failure {
        Failure {
            attempts,
            rate_limited: e.code == "wecom_rate_limited",
            message: e.message,
        }
    }
}

/// Claims (for its queue message; or takes the claim taken before),
/// applies and marks one event. Nothing to do (applied, gone, held by
/// another message) is success.
async fn apply_event(
    env: &Env,
    message: &Message<Work>,
    key: &str,
    corp: &Option<String>,
    claim: Option<Claim>,
) -> Result<(), Failure> {
    let Some((db, attempts, outcome)) = take_and_apply(env, message, key, corp, claim).await?
    else {
        return Ok(());
    };
    // A lost mark would hold the event for the claim's 15 minutes, then
    // have it applied again once the cron sends it. The mark carries the
    // event's own D1 writes: a try whose reply was lost after D1 committed
    // writes nothing the second time.
    let applied_at = crate::clock::now_secs();
    let what = format!("event {key}: marking it applied");
    d1::retried(&what, || {
        store::mark_event_applied(
            &db,
            key,
            applied_at,
            &outcome.note,
            outcome.corp_id.as_deref(),
            &outcome.writes,
        )
    })
    .await
    .map_err(|e| Failure::of(attempts, e.into()))
}

/// Claims an event for its message (or takes the claim taken before) and
/// applies it, leaving the mark to the caller: its database, its tries
/// and what it did; none when there is nothing to do. A failed apply
/// releases the claim.
pub(super) async fn take_and_apply(
    env: &Env,
    message: &Message<Work>,
    key: &str,
    corp: &Option<String>,
    claim: Option<Claim>,
) -> Result<Option<(d1::Db, u32, apply::Outcome)>, Failure> {
    let now = crate::clock::now_secs();
    let db = shard::db_for(env, corp.as_deref().unwrap_or_default())
        .await
        .map_err(|e| Failure::of(0, e))?;
    let claimed = match claim {
        Some(claimed) => claimed.map_err(|why| Failure::of(0, ApiError::internal(why)))?,
        None => store::claim_event(&db, key, now, CLAIM_SECS, &message.id())
            .await
            .map_err(|e| Failure::of(0, e.into()))?,
    };
    let Some(event) = claimed else {
        return Ok(None);
    };
    match apply_claimed(env, key, &event, now).await {
        Ok(outcome) => Ok(Some((db, event.attempts, outcome))),
        Err(e) => {
            let what = format!("event {key}: releasing the claim");
            let _ = d1::retried(&what, || store::release_event(&db, key, &e.message)).await;
            Err(Failure::of(event.attempts, e))
        }
    }
}

async fn apply_claimed(
    env: &Env,
    key: &str,
    event: &store::ClaimedEvent,
    now: u64,
) -> Result<apply::Outcome, ApiError> {
    let cfg = Config::from_env(env)?;
    let unreadable = |e: domain::event::EventError| {
        ApiError::internal(format!("recorded {} no longer parses: {e}", event.kind))
    };
    match event.source.as_str() {
        "command" => {
            let parsed = CommandEvent::parse(&event.raw).map_err(unreadable)?;
            apply::command(env, &cfg, key, &parsed, now).await
        }
        "data" => {
            let parsed = DataEvent::parse(&event.raw).map_err(unreadable)?;
            apply::data(env, &cfg, &parsed, now).await
        }
        "system" => {
            let parsed = SystemEvent::parse(&event.raw).map_err(unreadable)?;
            apply::system(env, &cfg, &parsed, now).await
        }
        other => Err(ApiError::internal(format!("unknown event source {other}"))),
    }
}
