//! A batch's member events, applied members at once: each event names
//! its member (`queue::Work::Event`'s lane); lanes run at once, one lane's
//! events in order, and of a run of one member's events that each read the
//! member whole only the last is applied, the earlier ones marked covered.
//! This file plans; `events` applies the plan.

/// Lanes of a batch applied at once. An invocation waits on at most six
/// connections' response headers at a time (a seventh waits its turn:
/// "Simultaneous open connections", Workers limits,
/// <https://developers.cloudflare.com/workers/platform/limits/>), and a
/// lane spends its time waiting on WeCom (`user/get`) and D1. WeCom's own
/// limit is far off: 10 000 calls a minute to one API per organisation
/// (主动调用频率限制, page 90454); past it, 45009, and the lane waits as
/// any event does.
pub(super) const LANES_AT_ONCE: usize = 6;

/// What a later event of the same member says of the earlier ones it
/// covers.
pub(super) const COVERED: &str = "applied: covered by a later event of the member (one user/get)";

/// What the consumer does with one member event of a batch (its index
/// among the gathered messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
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
pub(super) fn plan(events: &[(&str, bool)]) -> Vec<Vec<Step>> {
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
