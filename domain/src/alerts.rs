//! Alerts to an organisation's admins inside WeCom: which are due, when
//! they may be sent, and who can receive them. Pure rules; the Worker reads
//! the facts, sends through `message/send` and records what went.
//!
//! - Each alert has a cause (the trial's end, a week of seats running out,
//!   a week of seats expiring, one failure, a night's moves) and goes once
//!   per cause.
//! - One message per admin per day at most: alerts due together go as one
//!   digest, and alerts that come due after that day's message wait for
//!   the next day.
//! - Quiet hours, 22:00 to 08:00 in the organisation's zone: nothing is
//!   sent, what is due waits for the morning.
//! - Once WeCom checks licenses (after the trial), only members with an
//!   active seat receive an app's messages (document/path/95652; 90236:
//!   base and interconnect seats alike): an admin without one is
//!   unreachable and shown as such, not skipped silently.

use crate::access::Regime;
use crate::when::CST_OFFSET_SECS;
use serde::{Deserialize, Serialize};

const DAY: u64 = 86_400;

/// The trial alerts: 14 days before its end, and again 3 days before.
pub const TRIAL_FIRST_DAYS: u64 = 14;
pub const TRIAL_LAST_DAYS: u64 = 3;
/// Seats expiring within this many days are announced (one message with
/// their number, not one a seat).
pub const EXPIRING_WITHIN_DAYS: u64 = 30;
/// A callback or a sync failing this long is announced.
pub const FAILING_FOR_SECS: u64 = 3600;
/// A renewal order the provider placed and nobody paid for this long is
/// announced to the provider's operators.
pub const UNPAID_FOR_SECS: u64 = 3 * DAY;
/// Quiet hours in the organisation's zone: from 22:00 to 08:00.
pub const QUIET_FROM_HOUR: u64 = 22;
pub const QUIET_UNTIL_HOUR: u64 = 8;
/// Conditions that last (seats out, seats expiring) are announced again
/// once a week while they last.
const REMIND_EVERY_DAYS: u64 = 7;

/// What an alert is about; an admin may turn each kind off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// The free trial ends in 14 days, then in 3.
    TrialEnding,
    /// No free seat while members are asking for one.
    SeatsOut,
    /// Seats expire within 30 days.
    SeatsExpiring,
    /// A callback has failed every retry for an hour.
    Failing,
    /// The nightly move gave idle seats to members who asked.
    SeatsMoved,
}

impl AlertKind {
    pub const ALL: [AlertKind; 5] = [
        AlertKind::TrialEnding,
        AlertKind::SeatsOut,
        AlertKind::SeatsExpiring,
        AlertKind::Failing,
        AlertKind::SeatsMoved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::TrialEnding => "trial_ending",
            AlertKind::SeatsOut => "seats_out",
            AlertKind::SeatsExpiring => "seats_expiring",
            AlertKind::Failing => "failing",
            AlertKind::SeatsMoved => "seats_moved",
        }
    }

    pub fn parse(text: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// What the Worker read about an organisation at `now`.
#[derive(Debug, Clone, PartialEq)]
pub struct Situation {
    pub now: u64,
    pub regime: Regime,
    pub free_seats: u64,
    /// Members asking for a seat who hold none.
    pub asking: u64,
    /// Active seats whose time ends within [`EXPIRING_WITHIN_DAYS`].
    pub expiring: u64,
    /// Since when the oldest callback failure not yet mended.
    pub failing_since: Option<u64>,
    /// Idle seats the nightly move gave away in this run.
    pub moved: u64,
}

/// An alert that is due, with the cause that makes it once-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub kind: AlertKind,
    /// Sent once per cause: `kind:detail`.
    pub cause: String,
    /// The number the message names: days left, members asking, seats
    /// expiring; 0 for a failure.
    pub count: u64,
}

/// The day `t` falls on in the organisation's zone, counted from 1970.
pub fn local_day(t: u64) -> u64 {
    (t + CST_OFFSET_SECS) / DAY
}

/// Whether `t` is in the quiet hours (22:00 to 08:00 in the organisation's
/// zone).
pub fn is_quiet(t: u64) -> bool {
    let hour = (t + CST_OFFSET_SECS) % DAY / 3600;
    !(QUIET_UNTIL_HOUR..QUIET_FROM_HOUR).contains(&hour)
}

/// Whole days left until `end`, a part day counting as one.
fn days_left(now: u64, end: u64) -> u64 {
    end.saturating_sub(now).div_ceil(DAY)
}

/// The alerts due in `s`, kinds in `off` left out. Each names its cause;
/// the caller drops the causes already sent.
pub fn due(s: &Situation, off: &[AlertKind]) -> Vec<Due> {
    let week = local_day(s.now) / REMIND_EVERY_DAYS;
    let mut found = Vec::new();
    if let Regime::Trial { trial_ends_at } = s.regime {
        let left = days_left(s.now, trial_ends_at);
        let stage = match left {
            0 => None,
            l if l <= TRIAL_LAST_DAYS => Some(TRIAL_LAST_DAYS),
            l if l <= TRIAL_FIRST_DAYS => Some(TRIAL_FIRST_DAYS),
            _ => None,
        };
        if let Some(stage) = stage {
            found.push(Due {
                kind: AlertKind::TrialEnding,
                cause: format!("trial_ending:{trial_ends_at}:{stage}"),
                count: left,
            });
        }
    }
    if s.free_seats == 0 && s.asking > 0 {
        found.push(Due {
            kind: AlertKind::SeatsOut,
            cause: format!("seats_out:{week}"),
            count: s.asking,
        });
    }
    if s.expiring > 0 {
        found.push(Due {
            kind: AlertKind::SeatsExpiring,
            cause: format!("seats_expiring:{week}"),
            count: s.expiring,
        });
    }
    if let Some(since) = s.failing_since {
        if s.now.saturating_sub(since) >= FAILING_FOR_SECS {
            found.push(Due {
                kind: AlertKind::Failing,
                cause: format!("failing:{since}"),
                count: 0,
            });
        }
    }
    if s.moved > 0 {
        found.push(Due {
            kind: AlertKind::SeatsMoved,
            cause: format!("seats_moved:{}", local_day(s.now)),
            count: s.moved,
        });
    }
    found.retain(|d| !off.contains(&d.kind));
    found
}

/// Whether a message may go now: not in the quiet hours, and none went
/// today (`last_sent_day`, the organisation's day of its last message).
pub fn may_send(now: u64, last_sent_day: Option<u64>) -> bool {
    !is_quiet(now) && last_sent_day != Some(local_day(now))
}

/// Whether WeCom delivers the app's messages to a member: only to members
/// in the app's visible range; while it does not check licenses (the
/// trial, before interception, never) to any of them; once it does, only
/// to holders of an active seat (page 95652: 「至少
/// 需要为企业成员开通基础账号，才能为该成员调用…应用发消息等接口」; 90236:
/// 「基础账号、互通账号均可」).
pub fn reachable(regime: &Regime, in_range: bool, seated: bool) -> bool {
    in_range && (!matches!(regime, Regime::Enforced { .. }) || seated)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07 10:00 in China (02:00 UTC).
    const MORNING: u64 = 1_796_608_800;

    fn situation(now: u64) -> Situation {
        Situation {
            now,
            regime: Regime::Enforced { since: None },
            free_seats: 3,
            asking: 0,
            expiring: 0,
            failing_since: None,
            moved: 0,
        }
    }

    fn kinds(found: &[Due]) -> Vec<AlertKind> {
        found.iter().map(|d| d.kind).collect()
    }

    #[test]
    fn the_trial_is_announced_14_days_before_its_end_and_again_3_days_before() {
        let end = MORNING + 20 * DAY;
        let at = |days_left: u64| Situation {
            regime: Regime::Trial { trial_ends_at: end },
            ..situation(end - days_left * DAY)
        };
        assert!(due(&at(15), &[]).is_empty(), "15 days left: nothing yet");
        let first = due(&at(14), &[]);
        assert_eq!(kinds(&first), vec![AlertKind::TrialEnding]);
        assert_eq!(first[0].count, 14);
        // Ten days left: the same cause as at fourteen, so sent once.
        assert_eq!(due(&at(10), &[])[0].cause, first[0].cause);
        let last = due(&at(3), &[]);
        assert_ne!(
            last[0].cause, first[0].cause,
            "three days left is a cause of its own"
        );
        assert_eq!(last[0].count, 3);
        assert_eq!(due(&at(1), &[])[0].cause, last[0].cause);
        // Ended: the regime is then Enforced, but a trial that reads as
        // ended announces nothing either.
        assert!(due(&at(0), &[]).is_empty());
    }

    #[test]
    fn seats_out_needs_members_asking_and_comes_again_each_week() {
        let out = Situation {
            free_seats: 0,
            asking: 4,
            ..situation(MORNING)
        };
        let found = due(&out, &[]);
        assert_eq!(kinds(&found), vec![AlertKind::SeatsOut]);
        assert_eq!(found[0].count, 4);
        let nobody_asking = Situation {
            asking: 0,
            ..out.clone()
        };
        assert!(due(&nobody_asking, &[]).is_empty());
        let free_left = Situation {
            free_seats: 1,
            ..out.clone()
        };
        assert!(due(&free_left, &[]).is_empty());
        let next_week = Situation {
            now: MORNING + 7 * DAY,
            ..out.clone()
        };
        assert_ne!(due(&next_week, &[])[0].cause, found[0].cause);
        let an_hour_later = Situation {
            now: MORNING + 3600,
            ..out
        };
        assert_eq!(due(&an_hour_later, &[])[0].cause, found[0].cause);
    }

    #[test]
    fn expiring_seats_are_one_alert_naming_how_many() {
        let found = due(
            &Situation {
                expiring: 12,
                ..situation(MORNING)
            },
            &[],
        );
        assert_eq!(kinds(&found), vec![AlertKind::SeatsExpiring]);
        assert_eq!(found[0].count, 12);
    }

    #[test]
    fn a_failure_is_announced_after_an_hour_once_per_failure() {
        let failing = |since: u64| Situation {
            failing_since: Some(since),
            ..situation(MORNING)
        };
        assert!(
            due(&failing(MORNING - 3599), &[]).is_empty(),
            "not yet an hour"
        );
        let found = due(&failing(MORNING - 3600), &[]);
        assert_eq!(kinds(&found), vec![AlertKind::Failing]);
        assert_eq!(found[0].cause, format!("failing:{}", MORNING - 3600));
    }

    #[test]
    fn a_kind_turned_off_is_left_out_and_the_rest_come_together() {
        let everything = Situation {
            regime: Regime::Trial {
                trial_ends_at: MORNING + 2 * DAY,
            },
            free_seats: 0,
            asking: 1,
            expiring: 2,
            failing_since: Some(MORNING - 7200),
            moved: 2,
            ..situation(MORNING)
        };
        assert_eq!(kinds(&due(&everything, &[])), AlertKind::ALL.to_vec());
        assert_eq!(
            kinds(&due(
                &everything,
                &[AlertKind::SeatsOut, AlertKind::Failing]
            )),
            vec![
                AlertKind::TrialEnding,
                AlertKind::SeatsExpiring,
                AlertKind::SeatsMoved
            ]
        );
    }

    #[test]
    fn quiet_hours_run_from_22_to_8_in_china() {
        let at = |hour: u64| MORNING - 10 * 3600 + hour * 3600; // midnight + hour
        assert!(is_quiet(at(0)));
        assert!(is_quiet(at(7)));
        assert!(!is_quiet(at(8)));
        assert!(!is_quiet(at(21)));
        assert!(is_quiet(at(22)));
        assert!(is_quiet(at(23)));
    }

    #[test]
    fn one_message_a_day_at_most() {
        let today = local_day(MORNING);
        assert!(may_send(MORNING, None));
        assert!(may_send(MORNING, Some(today - 1)));
        assert!(!may_send(MORNING, Some(today)), "already sent today");
        assert!(!may_send(MORNING - 4 * 3600, None), "06:00 is quiet");
    }

    #[test]
    fn after_the_trial_only_a_seat_holder_receives_messages() {
        let enforced = Regime::Enforced { since: Some(1) };
        assert!(reachable(&enforced, true, true));
        assert!(!reachable(&enforced, true, false));
        let trial = Regime::Trial {
            trial_ends_at: MORNING,
        };
        assert!(reachable(&trial, true, false));
        assert!(reachable(&Regime::NotEnforced, true, false));
        // Outside the visible range nobody is reached, seat or not.
        assert!(!reachable(&trial, false, false));
        assert!(!reachable(&enforced, false, true));
    }

    #[test]
    fn kinds_read_back_from_their_names() {
        for kind in AlertKind::ALL {
            assert_eq!(AlertKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AlertKind::parse("nonsense"), None);
    }
}
