//! "May this member do this operation now?" — the product's question.

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Trial,
    Licensed,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_ends_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat_expires_at: Option<u64>,
}

fn deny(reason: Reason) -> Decision {
    Decision {
        allowed: false,
        reason,
        trial_ends_at: None,
        seat_expires_at: None,
    }
}

pub fn decide(trial: Option<Trial>, member: &Member, operation: &str, now: u64) -> Decision {
    if !OPERATIONS.contains(&operation) {
        return deny(Reason::UnknownOperation);
    }
    let seats = match member {
        Member::Unknown => return deny(Reason::UnknownMember),
        Member::Departed => return deny(Reason::Departed),
        Member::OutOfRange => return deny(Reason::NotInRange),
        Member::InRange(seats) => seats,
    };
    let trial_ends_at = trial.map(|t| t.end);
    if let Some(best) = seats
        .iter()
        .filter(|s| s.is_active(now))
        .map(|s| s.expires_at)
        .max()
    {
        return Decision {
            allowed: true,
            reason: Reason::Licensed,
            trial_ends_at,
            seat_expires_at: Some(best),
        };
    }
    if trial.is_some_and(|t| t.is_active(now)) {
        return Decision {
            allowed: true,
            reason: Reason::Trial,
            trial_ends_at,
            seat_expires_at: None,
        };
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seat::{SeatType, DAY};

    const NOW: u64 = 1_800_000_000;

    fn trial(days_left: i64) -> Option<Trial> {
        let end = (NOW as i64 + days_left * DAY as i64) as u64;
        Some(Trial {
            start: end - 90 * DAY,
            end,
        })
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
        let d = decide(trial(10), &Member::InRange(vec![]), "view_qrcode", NOW);
        assert!(d.allowed);
        assert_eq!(d.reason, Reason::Trial);
        assert_eq!(d.trial_ends_at, trial(10).map(|t| t.end));
    }

    #[test]
    fn after_the_trial_a_seat_is_needed() {
        let d = decide(trial(-1), &Member::InRange(vec![]), "pc_login", NOW);
        assert_eq!((d.allowed, d.reason), (false, Reason::NoSeat));
        let d = decide(
            trial(-1),
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
            trial(-1),
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
                trial(-1),
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
            trial(10),
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
            let d = decide(trial(10), &m, "view_qrcode", NOW);
            assert_eq!((d.allowed, d.reason), (false, r));
        }
    }

    #[test]
    fn unknown_operations_are_refused_first() {
        let d = decide(
            trial(10),
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
            let d = decide(trial(1), &Member::InRange(vec![]), op, NOW);
            assert_eq!((d.allowed, d.reason), (true, Reason::Trial), "{op}");
        }
        for op in ["PC_LOGIN", "pc_login ", "", "view_qrcodes"] {
            let d = decide(trial(1), &Member::InRange(vec![]), op, NOW);
            assert_eq!(d.reason, Reason::UnknownOperation, "{op:?}");
        }
    }

    #[test]
    fn decisions_serialise_as_the_api_answers() {
        let d = decide(trial(-1), &Member::InRange(vec![]), "pc_login", NOW);
        let v = serde_json::to_value(d).unwrap();
        assert_eq!(v["allowed"], false);
        assert_eq!(v["reason"], "no_seat");
        assert!(v.get("seat_expires_at").is_none());
    }
}
