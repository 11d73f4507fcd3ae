//! The work queue (wrangler.toml `WORK`): what a callback leaves for the
//! consumer. A message names a recorded event by its dedupe key; the
//! event's text stays in D1, so a message is small and a stale one is
//! harmless (the claim finds the event applied). A suite_ticket travels in
//! its message instead: the message is its record.

use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use worker::Env;

/// The producer binding.
const BINDING: &str = "WORK";

/// The dead-letter queue's name: messages that failed their last retry.
pub const DEAD_LETTER_QUEUE: &str = "wecom-seats-dead";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "work", rename_all = "snake_case")]
pub enum Work {
    /// Apply the recorded event with this dedupe key. `lane` names the
    /// member (`corp\x1fuserid`) when the event touches that member alone:
    /// the consumer applies different lanes of a batch at once and one
    /// lane's events in order; an event without one is applied alone.
    Event {
        key: String,
        /// The organisation it belongs to, when the event names one: its
        /// row is on that organisation's database (`shard`); without one
        /// (create_auth), on the home database.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        corp: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lane: Option<String>,
        /// Applying it reads the member again from WeCom whole
        /// (`CommandEvent::rereads_member`): an earlier such event of the
        /// lane in the same batch is covered by it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        rereads: bool,
    },
    /// Keep this suite_ticket of our suite, which WeCom pushed at
    /// `timestamp` (its `TimeStamp`).
    SuiteTicket { ticket: String, timestamp: u64 },
    /// Take step `step` of the organisation's contacts sync `run_id`
    /// (`contacts::sync`).
    SyncStep {
        corp_id: String,
        run_id: String,
        step: u64,
    },
    /// Take step `step` of the reconcile's contacts check
    /// (`contacts::sync::check`), carrying what the steps before found.
    SyncCheck {
        corp_id: String,
        step: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        state: Option<String>,
    },
}

/// Sends work to the queue.
pub async fn send(env: &Env, work: &Work) -> Result<(), ApiError> {
    env.queue(BINDING)?.send(work).await?;
    crate::meter::count(crate::meter::Spend::Sent(1));
    Ok(())
}

/// Sends work to be delivered `delay_secs` from now (Cloudflare Queues
/// take delays of up to 12 hours).
pub async fn send_after(env: &Env, work: &Work, delay_secs: u32) -> Result<(), ApiError> {
    let message = worker::MessageBuilder::new(work)
        .delay_seconds(delay_secs)
        .build();
    env.queue(BINDING)?.send(message).await?;
    crate::meter::count(crate::meter::Spend::Sent(1));
    Ok(())
}

/// Sends the recorded events with these keys (and organisations) to be
/// applied (the cron's sweep, a retry of failed events).
pub async fn send_events(env: &Env, keys: Vec<(String, Option<String>)>) -> Result<(), ApiError> {
    send_all(
        env,
        keys.into_iter()
            .map(|(key, corp)| Work::Event {
                key,
                corp,
                lane: None,
                rereads: false,
            })
            .collect(),
    )
    .await
}

/// Sends many at once.
async fn send_all(env: &Env, work: Vec<Work>) -> Result<(), ApiError> {
    if work.is_empty() {
        return Ok(());
    }
    let queue = env.queue(BINDING)?;
    // Queues take at most 100 messages a sendBatch (Cloudflare Queues limits).
    for chunk in work.chunks(SEND_BATCH_MAX) {
        queue.send_batch(chunk.to_vec()).await?;
        crate::meter::count(crate::meter::Spend::Sent(chunk.len() as u64));
    }
    Ok(())
}

/// Messages per `sendBatch` call (Cloudflare Queues limits: 100 messages,
/// 256 KB per batch).
const SEND_BATCH_MAX: usize = 100;
