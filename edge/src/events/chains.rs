//! The queue's chains of the contacts sync and the reconcile's check: one
//! message a step, each tried again with backoff grown from the message's
//! age, WeCom's "too frequent" waited out.

use super::backoff::{rate_limited_backoff, retry_after, MAX_BACKOFF_SECS};
use crate::contacts::sync::{self, StepOutcome};
use crate::error::ApiError;
use crate::queue::Work;
use worker::{console_error, Env, Message, MessageExt};

/// One step of a contacts sync (`contacts::sync`). A failed step is tried
/// again with backoff grown from the message's age (the queue does not
/// tell a retry's number); after its last retry the run ends as failed.
pub(super) async fn sync_step(
    env: &Env,
    first: u32,
    dead: bool,
    message: &Message<Work>,
    corp_id: &str,
    run_id: &str,
    step: u64,
) {
    if dead {
        match sync::abandon(env, corp_id, run_id, step).await {
            Ok(()) => message.ack(),
            Err(e) => {
                console_error!("dead sync step {corp_id} {run_id} {step}: {}", e.message);
                message.retry();
            }
        }
        return;
    }
    #[cfg(feature = "dev")]
    if crate::d1::dev::lose_sync_steps() {
        worker::console_log!("dev: sync step {corp_id} {run_id} {step} lost (fault switch)");
        message.ack();
        return;
    }
    match sync::step(env, corp_id, run_id, step).await {
        Ok(StepOutcome::Done) => message.ack(),
        // The step before is finishing: a moment later it will be this one's turn.
        Ok(StepOutcome::NotYet) => retry_after(message, first.max(1)),
        Err(e) => {
            if e.code == "wecom_rate_limited" {
                // The wait must not outlast the run's lease.
                if let Err(e) = sync::renew(env, corp_id, run_id).await {
                    console_error!("sync {corp_id} {run_id}: lease not renewed: {}", e.message);
                }
            }
            let delay = step_backoff(env, first, message, &e);
            console_error!(
                "sync {corp_id} {run_id}: step {step} failed, again in {delay} s: {}",
                e.message
            );
            retry_after(message, delay);
        }
    }
}

/// How long a failed step of a sync or check waits: WeCom's "too
/// frequent" its own backoff, anything else three times the message's
/// age, within the batch's first wait and [`MAX_BACKOFF_SECS`].
fn step_backoff(env: &Env, first: u32, message: &Message<Work>, e: &ApiError) -> u32 {
    if e.code == "wecom_rate_limited" {
        return rate_limited_backoff(env).max(first);
    }
    let age = crate::clock::now_secs().saturating_sub(message.timestamp().as_millis() / 1000);
    u32::try_from(age.saturating_mul(3))
        .unwrap_or(MAX_BACKOFF_SECS)
        .clamp(first, MAX_BACKOFF_SECS)
}

/// A step of the reconcile's contacts check. It holds nothing, so one
/// that failed its last retry is let go: the next reconcile checks again.
pub(super) async fn check_step(
    env: &Env,
    first: u32,
    dead: bool,
    message: &Message<Work>,
    corp_id: &str,
    step: u64,
    state: Option<&str>,
) {
    if dead {
        console_error!(
            "check {corp_id}: step {step} failed every retry; the next reconcile checks again"
        );
        message.ack();
        return;
    }
    match sync::check_step(env, corp_id, step, state).await {
        Ok(()) => message.ack(),
        Err(e) => {
            let delay = step_backoff(env, first, message, &e);
            console_error!(
                "check {corp_id}: step {step} failed, again in {delay} s: {}",
                e.message
            );
            retry_after(message, delay);
        }
    }
}
