//! A batch's member events, applied members at once: each event names
//! its member (`queue::Work::Event`'s lane); lanes run at once, one lane's
//! events in order, and of a run of one member's events that each read the
//! member whole only the last is applied, the earlier ones marked covered.

use super::{event_message, retry_after};
use crate::env;
use crate::error::ApiError;
use crate::queue::Work;
use crate::store;
use worker::{console_error, Env, Message, MessageExt};

/// Lanes of a batch applied at once. An invocation waits on at most six
/// connections' response headers at a time (a seventh waits its turn:
/// "Simultaneous open connections", Workers limits,
/// <https://developers.cloudflare.com/workers/platform/limits/>), and a
/// lane spends its time waiting on WeCom (`user/get`) and D1. WeCom's own
/// limit is far off: 10 000 calls a minute to one API per organisation
/// (主动调用频率限制, page 90454); past it, 45009, and the lane waits as
/// any event does.
const LANES_AT_ONCE: usize = 6;

/// What a later event of the same member says of the earlier ones it
/// covers.
const COVERED: &str = "applied: covered by a later event of the member (one user/get)";

/// What the consumer does with one member event of a batch (its index
/// among the gathered messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Apply it.
    Apply(usize),
    /// Leave it to the next event of its lane, which reads the member
    /// whole again: marked covered once that one is applied.
    Covered(usize),
}

/// The gathered member events (each its lane and whether it reads the
/// member whole), as lanes in the order they first appear, each lane's
/// steps in the batch's order. Of a run of events that each read the
/// member whole, all but the last are covered by it.
fn plan(events: &[(&str, bool)]) -> Vec<Vec<Step>> {
    let mut lanes: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, (lane, _)) in events.iter().enumerate() {
        match lanes.iter_mut().find(|(l, _)| l == lane) {
            Some((_, queued)) => queued.push(i),
            None => lanes.push((lane, vec![i])),
        }
    }
    lanes
        .into_iter()
        .map(|(_, queued)| {
            queued
                .iter()
                .enumerate()
                .map(|(k, &i)| {
                    let next_rereads = queued.get(k + 1).is_some_and(|&n| events[n].1);
                    if events[i].1 && next_rereads {
                        Step::Covered(i)
                    } else {
                        Step::Apply(i)
                    }
                })
                .collect()
        })
        .collect()
}

/// Applies gathered member events: lanes at once, each lane in order.
pub(super) async fn apply(env: &Env, first: u32, messages: Vec<&Message<Work>>) {
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
    let messages = &messages;
    stream::iter(plan(&events))
        .for_each_concurrent(LANES_AT_ONCE, |steps| async move {
            let mut covered: Vec<&Message<Work>> = Vec::new();
            for step in steps {
                match step {
                    Step::Covered(i) => covered.push(messages[i]),
                    Step::Apply(i) => {
                        let message = messages[i];
                        let Work::Event { key, .. } = message.body() else {
                            continue;
                        };
                        let applied = event_message(env, first, message, key).await;
                        let waiting = std::mem::take(&mut covered);
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
                }
            }
        })
        .await;
}

/// Marks events a later one covered, and acknowledges their messages.
async fn mark_covered(env: &Env, first: u32, messages: &[&Message<Work>]) {
    let keys: Vec<&str> = messages
        .iter()
        .filter_map(|m| match m.body() {
            Work::Event { key, .. } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    let now = crate::clock::now_secs();
    let marked = match env::db(env) {
        Ok(db) => store::mark_events_covered(&db, &keys, now, COVERED)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_lanes_keep_their_order_and_a_reread_covers_the_ones_before_it() {
        use Step::*;
        let batch = [
            ("c\u{1f}a", true),  // 0: a updated
            ("c\u{1f}b", true),  // 1: b updated
            ("c\u{1f}a", true),  // 2: a updated again: covers 0
            ("c\u{1f}a", false), // 3: a deleted: applied after 2
            ("c\u{1f}a", true),  // 4: a created again: applied after 3
            ("d\u{1f}a", true),  // 5: another organisation's a
        ];
        assert_eq!(
            plan(&batch),
            vec![
                vec![Covered(0), Apply(2), Apply(3), Apply(4)],
                vec![Apply(1)],
                vec![Apply(5)],
            ]
        );
        // A departure is never covered: what follows it is applied after it.
        assert_eq!(
            plan(&[("l", false), ("l", true)]),
            vec![vec![Apply(0), Apply(1)]]
        );
        assert!(plan(&[]).is_empty());
    }
}
