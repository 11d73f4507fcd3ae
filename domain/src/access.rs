//! "May this member do this operation now?" — the product's question,
//! answered from the member's seats and the organisation's license regime
//! (`get_app_license_info`, WeCom page 97194).

use crate::seat::HeldSeat;
use crate::trial::Trial;
use serde::{Deserialize, Serialize};

/// Operations that need a seat once the trial is over (DESIGN §2).
pub const OPERATIONS: [&str; 10] = [
    "pc_login",
    "open_workbench",
    "view_qrcode",
    "fill_form",
    "update_status",
    "view_dynamic_data",
    "forward_record",
    "view_shared",
    "receive_notification",
    "add_followup",
];

/// WeCom's corp ids (`ww…`, `wx…`) are short ASCII; 64 bytes is room to
/// spare and keeps a hostile caller from filling the cache key space.
pub const CORP_ID_MAX: usize = 64;
/// A WeCom userid is 1 to 64 bytes of letters, digits, `_`, `-`, `.` and
/// `@` (通讯录 › 成员 › 创建成员, `userid`).
pub const USERID_MAX: usize = 64;
/// Operations are ours ([`OPERATIONS`]): short snake_case names.
pub const OPERATION_MAX: usize = 64;

/// Why an access question is refused before it is answered (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadQuestion {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is {len} bytes; at most {max}")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{field} may hold only {allowed}")]
    BadCharacter {
        field: &'static str,
        allowed: &'static str,
    },
}

fn check_field(
    field: &'static str,
    value: &str,
    max: usize,
    allowed: &'static str,
    ok: impl Fn(char) -> bool,
) -> Result<(), BadQuestion> {
    if value.is_empty() {
        return Err(BadQuestion::Empty { field });
    }
    if value.len() > max {
        let len = value.len();
        return Err(BadQuestion::TooLong { field, len, max });
    }
    if !value.chars().all(ok) {
        return Err(BadQuestion::BadCharacter { field, allowed });
    }
    Ok(())
}

/// The shape of an access question: `corp_id`, `userid` and `operation`
/// each non-empty, short, and of the characters WeCom (or we) use.
pub fn check_question(corp_id: &str, userid: &str, operation: &str) -> Result<(), BadQuestion> {
    check_field(
        "corp_id",
        corp_id,
        CORP_ID_MAX,
        "ASCII letters and digits",
        |c| c.is_ascii_alphanumeric(),
    )?;
    check_field(
        "userid",
        userid,
        USERID_MAX,
        "ASCII letters, digits, _ - . and @",
        |c| c.is_ascii_alphanumeric() || "_-.@".contains(c),
    )?;
    check_field(
        "operation",
        operation,
        OPERATION_MAX,
        "lowercase ASCII letters, digits and _",
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_',
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Trial,
    Licensed,
    /// WeCom does not check licenses for this app here (`license_status` 0).
    NotEnforced,
    /// WeCom checks licenses, but interception has not started yet
    /// (before `license_check_time`).
    BeforeInterception,
    NoSeat,
    SeatExpired,
    NotInRange,
    Departed,
    UnknownMember,
    UnknownOperation,
}

/// The member as the access check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Unknown,
    Departed,
    OutOfRange,
    /// In range and active, with the seats they hold (any type).
    InRange(Vec<HeldSeat>),
}

/// How WeCom checks licenses for the app in one organisation: the three
/// facts of `get_app_license_info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licensing {
    /// `license_status` 1: members without a seat are intercepted.
    pub enforced: bool,
    /// The free trial (`trail_info`); none for provider test organisations
    /// and migrated apps.
    pub trial: Option<Trial>,
    /// `license_check_time`: when interception starts.
    pub checks_from: Option<u64>,
}

impl Licensing {
    /// From WeCom's answer as mirrored: `license_status`, the `trail_info`
    /// window and `license_check_time`. Before WeCom has answered at all
    /// (`license_status` unknown), what its documentation promises: checked,
    /// with 90 days of trial from the first install.
    pub fn new(
        first_installed_at: u64,
        license_status: Option<u64>,
        trial: Option<(u64, u64)>,
        checks_from: Option<u64>,
    ) -> Licensing {
        match license_status {
            None => Licensing {
                enforced: true,
                trial: Some(Trial::new(first_installed_at, trial)),
                checks_from,
            },
            Some(0) => Licensing {
                enforced: false,
                trial: None,
                checks_from,
            },
            Some(_) => Licensing {
                enforced: true,
                trial: trial
                    .filter(|(start, end)| end > start)
                    .map(|(start, end)| Trial { start, end }),
                checks_from,
            },
        }
    }

    /// The regime at `now`. While both the trial and the wait for
    /// interception hold, the one that lasts longer is named: its date is
    /// when seats start to matter.
    pub fn regime(&self, now: u64) -> Regime {
        if !self.enforced {
            return Regime::NotEnforced;
        }
        let trial_ends_at = self.trial.filter(|t| t.is_active(now)).map(|t| t.end);
        let checks_start_at = self.checks_from.filter(|&at| now < at);
        match (trial_ends_at, checks_start_at) {
            (Some(trial_end), Some(start)) if start > trial_end => Regime::BeforeInterception {
                checks_start_at: start,
            },
            (Some(trial_ends_at), _) => Regime::Trial { trial_ends_at },
            (None, Some(checks_start_at)) => Regime::BeforeInterception { checks_start_at },
            (None, None) => Regime::Enforced {
                since: self.checks_from.max(self.trial.map(|t| t.end)),
            },
        }
    }
}

/// Which license regime an organisation is in now, and from or until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "regime", rename_all = "snake_case")]
pub enum Regime {
    /// WeCom does not check licenses for this app: nobody is refused for
    /// want of a seat.
    NotEnforced,
    /// WeCom will check licenses from `checks_start_at`; until then nobody
    /// is refused for want of a seat.
    BeforeInterception { checks_start_at: u64 },
    /// The free trial: every member in range may use the app until
    /// `trial_ends_at`.
    Trial { trial_ends_at: u64 },
    /// Every member needs an active seat, `since` then (when known).
    Enforced {
        #[serde(skip_serializing_if = "Option::is_none")]
        since: Option<u64>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_ends_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat_expires_at: Option<u64>,
    /// When WeCom starts intercepting members without a seat (reason
    /// `before_interception`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks_start_at: Option<u64>,
}

fn deny(reason: Reason) -> Decision {
    Decision {
        allowed: false,
        reason,
        trial_ends_at: None,
        seat_expires_at: None,
        checks_start_at: None,
    }
}

/// A member in range with an active seat may; otherwise the regime says:
/// not enforced, before interception or in the trial everyone in range
/// may, else nobody without an active seat.
pub fn decide(licensing: &Licensing, member: &Member, operation: &str, now: u64) -> Decision {
    if !OPERATIONS.contains(&operation) {
        return deny(Reason::UnknownOperation);
    }
    let seats = match member {
        Member::Unknown => return deny(Reason::UnknownMember),
        Member::Departed => return deny(Reason::Departed),
        Member::OutOfRange => return deny(Reason::NotInRange),
        Member::InRange(seats) => seats,
    };
    let trial_ends_at = licensing.trial.map(|t| t.end);
    let allow = |reason: Reason| Decision {
        allowed: true,
        reason,
        trial_ends_at,
        seat_expires_at: None,
        checks_start_at: None,
    };
    if let Some(best) = seats
        .iter()
        .filter(|s| s.is_active(now))
        .map(|s| s.expires_at)
        .max()
    {
        return Decision {
            seat_expires_at: Some(best),
            ..allow(Reason::Licensed)
        };
    }
    match licensing.regime(now) {
        Regime::NotEnforced => return allow(Reason::NotEnforced),
        Regime::BeforeInterception { checks_start_at } => {
            return Decision {
                checks_start_at: Some(checks_start_at),
                ..allow(Reason::BeforeInterception)
            }
        }
        Regime::Trial { .. } => return allow(Reason::Trial),
        Regime::Enforced { .. } => {}
    }
    let last_expiry = seats.iter().map(|s| s.expires_at).max();
    Decision {
        allowed: false,
        reason: if last_expiry.is_some() {
            Reason::SeatExpired
        } else {
            Reason::NoSeat
        },
        trial_ends_at,
        seat_expires_at: last_expiry,
        checks_start_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seat::{SeatType, DAY};

    const NOW: u64 = 1_800_000_000;

    /// Checked, with a trial `days_left` days from its end, interception
    /// since the trial began.
    fn trial(days_left: i64) -> Licensing {
        let end = (NOW as i64 + days_left * DAY as i64) as u64;
        Licensing {
            enforced: true,
            trial: Some(Trial {
                start: end - 90 * DAY,
                end,
            }),
            checks_from: Some(end - 90 * DAY),
        }
    }

    fn seat(expires_at: u64) -> HeldSeat {
        HeldSeat {
            active_code: "C".into(),
            seat_type: SeatType::Base,
            expires_at,
            transferable_at: None,
        }
    }

    #[test]
    fn during_the_trial_every_in_range_member_may_use_the_app() {
        let d = decide(&trial(10), &Member::InRange(vec![]), "view_qrcode", NOW);
        assert!(d.allowed);
        assert_eq!(d.reason, Reason::Trial);
        assert_eq!(d.trial_ends_at, trial(10).trial.map(|t| t.end));
    }

    #[test]
    fn after_the_trial_a_seat_is_needed() {
        let d = decide(&trial(-1), &Member::InRange(vec![]), "pc_login", NOW);
        assert_eq!((d.allowed, d.reason), (false, Reason::NoSeat));
        let d = decide(
            &trial(-1),
            &Member::InRange(vec![seat(NOW + DAY)]),
            "pc_login",
            NOW,
        );
        assert_eq!(
            (d.allowed, d.reason, d.seat_expires_at),
            (true, Reason::Licensed, Some(NOW + DAY))
        );
    }

    #[test]
    fn an_expired_seat_is_named_as_such() {
        let d = decide(
            &trial(-1),
            &Member::InRange(vec![seat(NOW - 1)]),
            "fill_form",
            NOW,
        );
        assert_eq!(
            (d.allowed, d.reason, d.seat_expires_at),
            (false, Reason::SeatExpired, Some(NOW - 1))
        );
        assert!(
            !decide(
                &trial(-1),
                &Member::InRange(vec![seat(NOW)]),
                "fill_form",
                NOW
            )
            .allowed,
            "expiry is exclusive"
        );
    }

    #[test]
    fn a_seat_beats_the_trial_as_the_reason() {
        let d = decide(
            &trial(10),
            &Member::InRange(vec![seat(NOW + 100 * DAY)]),
            "add_followup",
            NOW,
        );
        assert_eq!(d.reason, Reason::Licensed);
    }

    #[test]
    fn members_outside_the_range_departed_or_unknown_are_refused_even_in_the_trial() {
        for (m, r) in [
            (Member::OutOfRange, Reason::NotInRange),
            (Member::Departed, Reason::Departed),
            (Member::Unknown, Reason::UnknownMember),
        ] {
            let d = decide(&trial(10), &m, "view_qrcode", NOW);
            assert_eq!((d.allowed, d.reason), (false, r));
        }
    }

    #[test]
    fn a_question_of_the_wrong_shape_is_named_before_it_is_answered() {
        assert_eq!(check_question("wwcorp1", "zhang.san@x", "pc_login"), Ok(()));
        assert_eq!(
            check_question("", "u", "pc_login"),
            Err(BadQuestion::Empty { field: "corp_id" })
        );
        let long = "a".repeat(USERID_MAX + 1);
        assert!(matches!(
            check_question("ww1", &long, "pc_login"),
            Err(BadQuestion::TooLong {
                field: "userid",
                len: 65,
                max: 64
            })
        ));
        assert!(matches!(
            check_question("ww1'--", "u", "pc_login"),
            Err(BadQuestion::BadCharacter {
                field: "corp_id",
                ..
            })
        ));
        assert!(matches!(
            check_question("ww1", "u", "PC LOGIN"),
            Err(BadQuestion::BadCharacter {
                field: "operation",
                ..
            })
        ));
    }

    #[test]
    fn each_field_may_be_64_bytes_and_no_longer() {
        // A WeCom userid of the full 64 bytes is a real member's: asked
        // about, it is answered, not refused as malformed.
        let longest = "a".repeat(64);
        assert_eq!(check_question(&longest, "u", "pc_login"), Ok(()));
        assert_eq!(check_question("ww1", &longest, "pc_login"), Ok(()));
        assert_eq!(check_question("ww1", "u", &longest), Ok(()));
        let too_long = "a".repeat(65);
        for (corp_id, userid, operation, field) in [
            (too_long.as_str(), "u", "pc_login", "corp_id"),
            ("ww1", too_long.as_str(), "pc_login", "userid"),
            ("ww1", "u", too_long.as_str(), "operation"),
        ] {
            assert_eq!(
                check_question(corp_id, userid, operation),
                Err(BadQuestion::TooLong {
                    field,
                    len: 65,
                    max: 64
                })
            );
        }
    }

    #[test]
    fn unknown_operations_are_refused_first() {
        let d = decide(
            &trial(10),
            &Member::InRange(vec![seat(NOW + DAY)]),
            "delete_everything",
            NOW,
        );
        assert_eq!((d.allowed, d.reason), (false, Reason::UnknownOperation));
    }

    #[test]
    fn every_operation_design_names_is_known() {
        // DESIGN §2's list, written out here rather than read from the code.
        let named = [
            "pc_login",
            "open_workbench",
            "view_qrcode",
            "fill_form",
            "update_status",
            "view_dynamic_data",
            "forward_record",
            "view_shared",
            "receive_notification",
            "add_followup",
        ];
        for op in named {
            let d = decide(&trial(1), &Member::InRange(vec![]), op, NOW);
            assert_eq!((d.allowed, d.reason), (true, Reason::Trial), "{op}");
        }
        for op in ["PC_LOGIN", "pc_login ", "", "view_qrcodes"] {
            let d = decide(&trial(1), &Member::InRange(vec![]), op, NOW);
            assert_eq!(d.reason, Reason::UnknownOperation, "{op:?}");
        }
    }

    #[test]
    fn decisions_serialise_as_the_api_answers() {
        let d = decide(&trial(-1), &Member::InRange(vec![]), "pc_login", NOW);
        let v = serde_json::to_value(d).unwrap();
        assert_eq!(v["allowed"], false);
        assert_eq!(v["reason"], "no_seat");
        assert!(v.get("seat_expires_at").is_none());
    }

    fn licensing(status: u64, trial_days_left: Option<i64>, checks_in_days: i64) -> Licensing {
        let at = |days: i64| (NOW as i64 + days * DAY as i64) as u64;
        Licensing::new(
            at(-200),
            Some(status),
            trial_days_left.map(|d| (at(d) - 90 * DAY, at(d))),
            Some(at(checks_in_days)),
        )
    }

    fn no_seat() -> Member {
        Member::InRange(vec![])
    }

    #[test]
    fn when_wecom_does_not_check_licenses_nobody_is_refused_for_want_of_a_seat() {
        // Status 0 comes without a trial; interception long "started".
        let l = licensing(0, None, -100);
        assert_eq!(l.regime(NOW), Regime::NotEnforced);
        let d = decide(&l, &no_seat(), "pc_login", NOW);
        assert_eq!((d.allowed, d.reason), (true, Reason::NotEnforced));
        let d = decide(&l, &Member::InRange(vec![seat(NOW - 1)]), "pc_login", NOW);
        assert_eq!(
            (d.allowed, d.reason),
            (true, Reason::NotEnforced),
            "an expired seat does not matter either"
        );
        // Still only members in range.
        let d = decide(&l, &Member::OutOfRange, "pc_login", NOW);
        assert_eq!((d.allowed, d.reason), (false, Reason::NotInRange));
    }

    #[test]
    fn before_interception_starts_nobody_is_refused_and_the_date_is_given() {
        let l = licensing(1, Some(-10), 30);
        let start = NOW + 30 * DAY;
        assert_eq!(
            l.regime(NOW),
            Regime::BeforeInterception {
                checks_start_at: start
            }
        );
        let d = decide(&l, &no_seat(), "fill_form", NOW);
        assert_eq!(
            (d.allowed, d.reason, d.checks_start_at),
            (true, Reason::BeforeInterception, Some(start))
        );
        let d = decide(&l, &no_seat(), "fill_form", start);
        assert_eq!(
            (d.allowed, d.reason),
            (false, Reason::NoSeat),
            "from license_check_time on, a seat is needed"
        );
    }

    #[test]
    fn a_test_organisation_without_a_trial_needs_seats_at_once() {
        let l = licensing(1, None, -1);
        assert_eq!(
            l.regime(NOW),
            Regime::Enforced {
                since: Some(NOW - DAY)
            }
        );
        let d = decide(&l, &no_seat(), "view_qrcode", NOW);
        assert_eq!(
            (d.allowed, d.reason, d.trial_ends_at),
            (false, Reason::NoSeat, None)
        );
    }

    #[test]
    fn the_regime_that_lasts_longer_is_named() {
        // The trial outlasts the wait for interception.
        let l = licensing(1, Some(60), 30);
        assert_eq!(
            l.regime(NOW),
            Regime::Trial {
                trial_ends_at: NOW + 60 * DAY
            }
        );
        assert_eq!(
            decide(&l, &no_seat(), "pc_login", NOW).reason,
            Reason::Trial
        );
        // Interception starts after the trial ends.
        let l = licensing(1, Some(10), 30);
        assert_eq!(
            l.regime(NOW),
            Regime::BeforeInterception {
                checks_start_at: NOW + 30 * DAY
            }
        );
        // Enforced since whichever came last.
        assert_eq!(
            licensing(1, Some(-5), -20).regime(NOW),
            Regime::Enforced {
                since: Some(NOW - 5 * DAY)
            }
        );
    }

    #[test]
    fn a_trial_ending_as_interception_starts_is_named_the_trial_until_that_second() {
        // license_check_time is the second interception starts; when it is
        // also the trial's end, neither lasts longer: the member is using
        // the trial, and the admin is told when it ends.
        let l = licensing(1, Some(30), 30);
        let end = NOW + 30 * DAY;
        assert_eq!(l.regime(NOW), Regime::Trial { trial_ends_at: end });
        let d = decide(&l, &no_seat(), "pc_login", end - 1);
        assert_eq!(
            (d.allowed, d.reason, d.trial_ends_at, d.checks_start_at),
            (true, Reason::Trial, Some(end), None)
        );
        // From that second on, a seat is needed.
        assert_eq!(l.regime(end), Regime::Enforced { since: Some(end) });
        let d = decide(&l, &no_seat(), "pc_login", end);
        assert_eq!((d.allowed, d.reason), (false, Reason::NoSeat));
    }

    #[test]
    fn before_wecom_answers_the_trial_counts_from_our_first_install() {
        let l = Licensing::new(NOW - 10 * DAY, None, None, None);
        assert_eq!(
            l.regime(NOW),
            Regime::Trial {
                trial_ends_at: NOW + 80 * DAY
            }
        );
        let l = Licensing::new(NOW - 100 * DAY, None, None, None);
        assert_eq!(
            l.regime(NOW),
            Regime::Enforced {
                since: Some(NOW - 10 * DAY)
            }
        );
        assert_eq!(
            decide(&l, &no_seat(), "pc_login", NOW).reason,
            Reason::NoSeat
        );
    }

    #[test]
    fn regimes_serialise_with_their_dates() {
        let v = serde_json::to_value(Regime::BeforeInterception { checks_start_at: 7 }).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"regime": "before_interception", "checks_start_at": 7})
        );
        let v = serde_json::to_value(Regime::NotEnforced).unwrap();
        assert_eq!(v, serde_json::json!({"regime": "not_enforced"}));
        let d = decide(&licensing(0, None, 0), &no_seat(), "pc_login", NOW);
        assert_eq!(serde_json::to_value(d).unwrap()["reason"], "not_enforced");
    }
}
