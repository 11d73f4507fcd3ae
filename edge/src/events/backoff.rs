//! How long a failed queue message waits before its next try: the
//! queue's exponential backoff, WeCom's "too frequent" window, and the
//! retry that asks the queue for that delay.

use crate::env;
use crate::queue::Work;
use worker::{Env, Message, MessageExt, QueueRetryOptionsBuilder};

/// Backoff of the queue's retries: 2, 8, 32, 128, 300 s … The first step
/// is the `QUEUE_BACKOFF_SECS` setting (tests make it 0 to reach the
/// dead-letter queue at once); wrangler.toml's `max_retries` ends it.
pub(super) const FIRST_BACKOFF_SECS: u64 = 2;
pub(super) const MAX_BACKOFF_SECS: u32 = 300;

/// WeCom asks us to slow down for about a minute (45009 「接口调用超过
/// 限制」: blocked as long as the window, a minute for minute limits).
/// `WECOM_RATE_LIMIT_BACKOFF_SECS` changes it (tests wait a second).
const RATE_LIMITED_BACKOFF_SECS: u64 = 60;

/// Tries of an event WeCom keeps refusing as too frequent before its
/// waits spend the queue's retries like any failure. WeCom blocks for as
/// long as the window that was exceeded: a minute, an hour, a day (its
/// errcode table on 45009; docs/research/wecom-true.md). 65 waits of
/// [`RATE_LIMITED_BACKOFF_SECS`] outlast an hour's window; the queue's own
/// five retries (wrangler.toml `max_retries`) would give up after five
/// minutes and leave the event failed for an admin to send again. A day's
/// window still ends in the dead-letter queue, shown as failed.
pub(super) const RATE_LIMITED_TRIES_MAX: u32 = 65;

pub(super) fn rate_limited_backoff(env: &Env) -> u32 {
    u32::try_from(env::setting(
        env,
        "WECOM_RATE_LIMIT_BACKOFF_SECS",
        RATE_LIMITED_BACKOFF_SECS,
    ))
    .unwrap_or(MAX_BACKOFF_SECS)
}

pub(super) fn backoff(first: u32, attempts: u32, rate_limited: Option<u32>) -> u32 {
    if let Some(wait) = rate_limited {
        return wait.max(first);
    }
    let exp = attempts.saturating_sub(1).min(8);
    first
        .saturating_mul(4u32.saturating_pow(exp))
        .min(MAX_BACKOFF_SECS)
}

pub(super) fn retry_after(message: &Message<Work>, delay_secs: u32) {
    message.retry_with_options(
        &QueueRetryOptionsBuilder::new()
            .with_delay_seconds(delay_secs)
            .build(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_five_minutes_and_wait_a_minute_when_wecom_says_slow_down() {
        let delays: Vec<u32> = (1..=6).map(|a| backoff(2, a, None)).collect();
        assert_eq!(delays, vec![2, 8, 32, 128, 300, 300]);
        assert_eq!(backoff(2, 1, Some(60)), 60);
        assert_eq!(backoff(0, 3, None), 0, "tests retry at once");
    }
}
