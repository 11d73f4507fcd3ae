//! Interface licenses ("seats"): activation and transfer under WeCom's
//! rules (DESIGN §2), checked here before WeCom is asked, so the admin gets
//! a clear reason first.

use serde::{Deserialize, Serialize};

pub const DAY: u64 = 86_400;
/// A held seat may be renewed only when this little time is left.
pub const RENEW_WINDOW_SECS: u64 = 20 * DAY;
/// A month of WeCom's license orders counts 31 days (document/path/97182:
/// 「每个月按照31天计算」).
pub const MONTH_DAYS: u64 = 31;
/// An order lasts 1 to 60 months: 31 to 1 860 days (document/path/97182:
/// 「最少购买1个月(31天),最多购买60个月(1860天)」).
pub const ORDER_MIN_DAYS: u64 = MONTH_DAYS;
pub const ORDER_MAX_DAYS: u64 = 60 * MONTH_DAYS;
/// Stacked time on one member and type may not pass five years (701030;
/// document/path/97188: 「多个同类型的激活码累加后的有效期不可超过5年」).
/// WeCom's five years are the 60 months it sells at most (1 860 days), so
/// a fresh 60-month account activates and only a renewal can pass them.
pub const MAX_STACKED_SECS: u64 = ORDER_MAX_DAYS * DAY;
/// An unbound code must be activated within 365 days of its creation, which
/// follows the order's payment at once (701012 after; document/path/97189:
/// 「激活码必须在创建时间后的365天内激活」).
pub const ACTIVATION_DEADLINE_SECS: u64 = 365 * DAY;

/// The last second an unbound code created (paid) at `created_at` can be
/// activated; after it WeCom answers 701012.
pub fn activation_deadline(created_at: u64) -> u64 {
    created_at + ACTIVATION_DEADLINE_SECS
}
/// After a transfer away from an active, in-range member, that account
/// waits this long before it can move again.
pub const TRANSFER_COOLDOWN_SECS: u64 = 30 * DAY;
/// WeCom's batch limits for activation and transfer.
pub const MAX_BATCH: usize = 1000;

/// 1 = base account (基础帐号), 2 = interconnect account (互通帐号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum SeatType {
    Base = 1,
    Interconnect = 2,
}

impl From<SeatType> for u8 {
    fn from(t: SeatType) -> u8 {
        t as u8
    }
}

impl TryFrom<u8> for SeatType {
    type Error = String;
    fn try_from(v: u8) -> Result<Self, String> {
        match v {
            1 => Ok(SeatType::Base),
            2 => Ok(SeatType::Interconnect),
            other => Err(format!("seat type must be 1 or 2, not {other}")),
        }
    }
}

/// What we know of a member when checking a seat action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberState {
    Unknown,
    Departed,
    OutOfRange,
    ActiveInRange,
}

/// An account bound to a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldSeat {
    pub active_code: String,
    pub seat_type: SeatType,
    pub expires_at: u64,
    /// End of the 30-day wait after a transfer, if any.
    pub transferable_at: Option<u64>,
}

impl HeldSeat {
    pub fn is_active(&self, now: u64) -> bool {
        self.expires_at > now
    }

    pub fn remaining(&self, now: u64) -> u64 {
        self.expires_at.saturating_sub(now)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    #[error("unknown member")]
    UnknownMember,
    #[error("the member has left the organisation")]
    Departed,
    #[error("the member is outside the app's visible range")]
    NotInRange,
    #[error("the member already holds this type with more than 20 days left (until {expires_at})")]
    AlreadyHasSeat { expires_at: u64 },
    #[error("stacked time would pass five years (WeCom 701030)")]
    ExceedsFiveYears,
    #[error("no unassigned account of this type is left")]
    NoFreeAccount,
    #[error("the handover member holds no active, unexpired account of this type")]
    HandoverNotActive,
    #[error("this account was transferred recently and can move again at {available_at}")]
    TransferCooldown { available_at: u64 },
    #[error("the takeover member already holds this type with more than 20 days left (until {expires_at})")]
    TakeoverHasSeat { expires_at: u64 },
    #[error("handover and takeover are the same member")]
    SameMember,
    #[error("the takeover member has left the organisation")]
    TakeoverDeparted,
    #[error("the takeover member is outside the app's visible range")]
    TakeoverNotInRange,
    #[error("at most {MAX_BATCH} members per call")]
    BatchTooLarge,
}

impl Refusal {
    /// The machine-readable code (as in the JSON answers).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::UnknownMember => "unknown_member",
            Refusal::Departed => "departed",
            Refusal::NotInRange => "not_in_range",
            Refusal::AlreadyHasSeat { .. } => "already_has_seat",
            Refusal::ExceedsFiveYears => "exceeds_five_years",
            Refusal::NoFreeAccount => "no_free_account",
            Refusal::HandoverNotActive => "handover_not_active",
            Refusal::TransferCooldown { .. } => "transfer_cooldown",
            Refusal::TakeoverHasSeat { .. } => "takeover_has_seat",
            Refusal::SameMember => "same_member",
            Refusal::TakeoverDeparted => "takeover_departed",
            Refusal::TakeoverNotInRange => "takeover_not_in_range",
            Refusal::BatchTooLarge => "batch_too_large",
        }
    }
}

/// WeCom's license errcodes (global errcode list, 7010xx) as the admin
/// should read them: `(code, message)`. Codes our own pre-check also gives
/// keep the same `code`, so the console explains them one way.
pub fn wecom_refusal(errcode: i64) -> (&'static str, &'static str) {
    match errcode {
        701002 | 701010 => (
            "invalid_account",
            "WeCom does not know this account in this organisation",
        ),
        701003 => (
            "account_already_bound",
            "this account is already bound to a member",
        ),
        701004 => (
            "account_not_bound",
            "this account is not bound to any member",
        ),
        701005 => ("invalid_order", "WeCom does not know this order"),
        701006 | 701007 => ("invalid_account_type", "the account type is not valid here"),
        701011 => (
            "already_has_seat",
            "the member already holds this type with more than 20 days left",
        ),
        701012 => (
            "activation_window_passed",
            "the account had to be activated within a year of purchase",
        ),
        701015 => (
            "not_authorised",
            "the organisation has not authorised the app",
        ),
        701016 => (
            "handover_not_active",
            "the handover member holds no active, unexpired account",
        ),
        701017 => (
            "transfer_cooldown",
            "this account moved within the last 30 days",
        ),
        701018 => (
            "takeover_has_seat",
            "the takeover member already holds this type",
        ),
        701019 => (
            "unknown_member",
            "WeCom does not know this member in this organisation",
        ),
        701030 => ("exceeds_five_years", "stacked time would pass five years"),
        _ => ("wecom_refused", "WeCom refused the request"),
    }
}

pub fn check_batch(len: usize) -> Result<(), Refusal> {
    if len > MAX_BATCH {
        Err(Refusal::BatchTooLarge)
    } else {
        Ok(())
    }
}

/// Activating `duration_secs` of an account of this type on a member who
/// may already hold one: returns the new expiry (remaining time carries over).
pub fn check_activation(
    member: MemberState,
    held: Option<&HeldSeat>,
    duration_secs: u64,
    now: u64,
) -> Result<u64, Refusal> {
    match member {
        MemberState::Unknown => return Err(Refusal::UnknownMember),
        MemberState::Departed => return Err(Refusal::Departed),
        MemberState::OutOfRange => return Err(Refusal::NotInRange),
        MemberState::ActiveInRange => {}
    }
    let carried = match held.filter(|s| s.is_active(now)) {
        Some(s) if s.remaining(now) > RENEW_WINDOW_SECS => {
            return Err(Refusal::AlreadyHasSeat {
                expires_at: s.expires_at,
            })
        }
        Some(s) => s.remaining(now),
        None => 0,
    };
    let total = carried + duration_secs;
    if total > MAX_STACKED_SECS {
        return Err(Refusal::ExceedsFiveYears);
    }
    Ok(now + total)
}

/// What a permitted transfer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferPlan {
    /// The account cannot move again before this (handover was active and
    /// in range); `None` when the handover had left or was out of range.
    pub cooldown_until: Option<u64>,
    /// The takeover's own account of this type (≤ 20 days left) that the
    /// transferred one replaces.
    pub replaces: Option<String>,
}

pub fn check_transfer(
    handover: MemberState,
    handover_seat: Option<&HeldSeat>,
    takeover: MemberState,
    takeover_seat: Option<&HeldSeat>,
    same_member: bool,
    now: u64,
) -> Result<TransferPlan, Refusal> {
    if same_member {
        return Err(Refusal::SameMember);
    }
    if handover == MemberState::Unknown || takeover == MemberState::Unknown {
        return Err(Refusal::UnknownMember);
    }
    match takeover {
        MemberState::Departed => return Err(Refusal::TakeoverDeparted),
        MemberState::OutOfRange => return Err(Refusal::TakeoverNotInRange),
        _ => {}
    }
    let seat = handover_seat
        .filter(|s| s.is_active(now))
        .ok_or(Refusal::HandoverNotActive)?;
    if let Some(available_at) = seat.transferable_at.filter(|t| *t > now) {
        return Err(Refusal::TransferCooldown { available_at });
    }
    let replaces = match takeover_seat.filter(|s| s.is_active(now)) {
        Some(s) if s.remaining(now) > RENEW_WINDOW_SECS => {
            return Err(Refusal::TakeoverHasSeat {
                expires_at: s.expires_at,
            })
        }
        Some(s) => Some(s.active_code.clone()),
        None => None,
    };
    // A departed or out-of-range member's seat moves at once, freely; an
    // active in-range member's seat then waits 30 days.
    let cooldown_until =
        (handover == MemberState::ActiveInRange).then_some(now + TRANSFER_COOLDOWN_SECS);
    Ok(TransferPlan {
        cooldown_until,
        replaces,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn wecom_errcodes_read_like_our_own_refusals() {
        assert_eq!(
            wecom_refusal(701017).0,
            Refusal::TransferCooldown { available_at: 0 }.code()
        );
        assert_eq!(
            wecom_refusal(701018).0,
            Refusal::TakeoverHasSeat { expires_at: 0 }.code()
        );
        assert_eq!(wecom_refusal(701016).0, Refusal::HandoverNotActive.code());
        assert_eq!(wecom_refusal(701030).0, Refusal::ExceedsFiveYears.code());
        assert_eq!(
            wecom_refusal(701011).0,
            Refusal::AlreadyHasSeat { expires_at: 0 }.code()
        );
        assert_eq!(wecom_refusal(701019).0, Refusal::UnknownMember.code());
        assert_eq!(wecom_refusal(-1).0, "wecom_refused");
    }

    #[test]
    fn every_license_errcode_of_wecom_is_explained_not_left_generic() {
        // WeCom's global errcode list, 7010xx: what the admin sees instead
        // of "WeCom refused the request".
        for (errcode, code) in [
            (701002, "invalid_account"),
            (701010, "invalid_account"),
            (701003, "account_already_bound"),
            (701004, "account_not_bound"),
            (701005, "invalid_order"),
            (701006, "invalid_account_type"),
            (701007, "invalid_account_type"),
            (701011, "already_has_seat"),
            (701012, "activation_window_passed"),
            (701015, "not_authorised"),
            (701016, "handover_not_active"),
            (701017, "transfer_cooldown"),
            (701018, "takeover_has_seat"),
            (701019, "unknown_member"),
            (701030, "exceeds_five_years"),
        ] {
            let (got, message) = wecom_refusal(errcode);
            assert_eq!(got, code, "{errcode}");
            assert_ne!(message, wecom_refusal(-1).1, "{errcode}");
        }
        // A code outside the list stays generic.
        assert_eq!(wecom_refusal(701001).0, "wecom_refused");
    }

    #[test]
    fn seat_types_travel_as_wecoms_account_type_numbers() {
        // account_type 1 = base, 2 = interconnect, in our JSON as in WeCom's.
        assert_eq!(serde_json::to_value(SeatType::Base).unwrap(), 1);
        assert_eq!(serde_json::to_value(SeatType::Interconnect).unwrap(), 2);
        assert_eq!(u8::from(SeatType::Interconnect), 2);
        assert_eq!(
            serde_json::from_value::<SeatType>(serde_json::json!(2)).unwrap(),
            SeatType::Interconnect
        );
        for other in [0, 3] {
            assert!(serde_json::from_value::<SeatType>(serde_json::json!(other)).is_err());
        }
    }

    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn seat(days_left: u64) -> HeldSeat {
        HeldSeat {
            active_code: "CODE".into(),
            seat_type: SeatType::Base,
            expires_at: NOW + days_left * DAY,
            transferable_at: None,
        }
    }

    #[test]
    fn activation_of_a_member_without_a_seat_runs_the_full_duration() {
        assert_eq!(
            check_activation(MemberState::ActiveInRange, None, 365 * DAY, NOW),
            Ok(NOW + 365 * DAY)
        );
    }

    #[test]
    fn activation_is_refused_while_more_than_20_days_are_left() {
        let held = seat(21);
        assert_eq!(
            check_activation(MemberState::ActiveInRange, Some(&held), 365 * DAY, NOW),
            Err(Refusal::AlreadyHasSeat {
                expires_at: held.expires_at
            })
        );
    }

    #[test]
    fn renewal_with_20_days_left_carries_the_remaining_time_over() {
        let held = seat(20);
        assert_eq!(
            check_activation(MemberState::ActiveInRange, Some(&held), 365 * DAY, NOW),
            Ok(NOW + 385 * DAY)
        );
    }

    #[test]
    fn an_expired_seat_does_not_block_or_carry_over() {
        let mut held = seat(0);
        held.expires_at = NOW - DAY;
        assert_eq!(
            check_activation(MemberState::ActiveInRange, Some(&held), 30 * DAY, NOW),
            Ok(NOW + 30 * DAY)
        );
    }

    #[test]
    fn stacked_time_may_not_pass_five_years() {
        let held = seat(10);
        assert_eq!(
            check_activation(MemberState::ActiveInRange, Some(&held), 1851 * DAY, NOW),
            Err(Refusal::ExceedsFiveYears)
        );
        assert_eq!(
            check_activation(MemberState::ActiveInRange, Some(&held), 1850 * DAY, NOW),
            Ok(NOW + 1860 * DAY),
            "10 days left and 1 850 more reach five years exactly"
        );
    }

    #[test]
    fn a_fresh_sixty_month_seat_activates() {
        assert_eq!(ORDER_MAX_DAYS, 1860, "60 months of 31 days");
        assert_eq!(
            check_activation(MemberState::ActiveInRange, None, ORDER_MAX_DAYS * DAY, NOW),
            Ok(NOW + 1860 * DAY)
        );
    }

    #[test]
    fn an_unbound_code_expires_365_days_after_purchase() {
        assert_eq!(activation_deadline(NOW), NOW + 365 * DAY);
    }

    #[test]
    fn only_active_in_range_members_can_be_activated() {
        for (state, refusal) in [
            (MemberState::Unknown, Refusal::UnknownMember),
            (MemberState::Departed, Refusal::Departed),
            (MemberState::OutOfRange, Refusal::NotInRange),
        ] {
            assert_eq!(check_activation(state, None, DAY, NOW), Err(refusal));
        }
    }

    #[test]
    fn transfer_from_an_active_in_range_member_waits_30_days() {
        let plan = check_transfer(
            MemberState::ActiveInRange,
            Some(&seat(200)),
            MemberState::ActiveInRange,
            None,
            false,
            NOW,
        )
        .unwrap();
        assert_eq!(plan.cooldown_until, Some(NOW + 30 * DAY));
        // The same account again, a day later: refused with when it can move.
        let mut moved = seat(200);
        moved.transferable_at = plan.cooldown_until;
        assert_eq!(
            check_transfer(
                MemberState::ActiveInRange,
                Some(&moved),
                MemberState::ActiveInRange,
                None,
                false,
                NOW + DAY
            ),
            Err(Refusal::TransferCooldown {
                available_at: NOW + 30 * DAY
            })
        );
        // After the 30 days it moves.
        assert!(check_transfer(
            MemberState::ActiveInRange,
            Some(&moved),
            MemberState::ActiveInRange,
            None,
            false,
            NOW + 30 * DAY
        )
        .is_ok());
    }

    #[test]
    fn transfer_from_a_departed_or_out_of_range_member_has_no_wait() {
        for handover in [MemberState::Departed, MemberState::OutOfRange] {
            let plan = check_transfer(
                handover,
                Some(&seat(200)),
                MemberState::ActiveInRange,
                None,
                false,
                NOW,
            )
            .unwrap();
            assert_eq!(plan.cooldown_until, None, "{handover:?}");
        }
    }

    #[test]
    fn the_handover_seat_must_be_active_and_unexpired() {
        let mut expired = seat(0);
        expired.expires_at = NOW;
        assert_eq!(
            check_transfer(
                MemberState::Departed,
                Some(&expired),
                MemberState::ActiveInRange,
                None,
                false,
                NOW
            ),
            Err(Refusal::HandoverNotActive)
        );
        assert_eq!(
            check_transfer(
                MemberState::Departed,
                None,
                MemberState::ActiveInRange,
                None,
                false,
                NOW
            ),
            Err(Refusal::HandoverNotActive)
        );
    }

    #[test]
    fn a_takeover_holding_the_type_must_have_20_days_or_less_left() {
        let taker = seat(21);
        assert_eq!(
            check_transfer(
                MemberState::Departed,
                Some(&seat(100)),
                MemberState::ActiveInRange,
                Some(&taker),
                false,
                NOW
            ),
            Err(Refusal::TakeoverHasSeat {
                expires_at: taker.expires_at
            })
        );
        let plan = check_transfer(
            MemberState::Departed,
            Some(&seat(100)),
            MemberState::ActiveInRange,
            Some(&seat(20)),
            false,
            NOW,
        )
        .unwrap();
        assert_eq!(plan.replaces.as_deref(), Some("CODE"));
    }

    #[test]
    fn takeover_must_be_an_active_in_range_member_other_than_the_handover() {
        let s = seat(100);
        assert_eq!(
            check_transfer(
                MemberState::Departed,
                Some(&s),
                MemberState::Departed,
                None,
                false,
                NOW
            ),
            Err(Refusal::TakeoverDeparted)
        );
        assert_eq!(
            check_transfer(
                MemberState::Departed,
                Some(&s),
                MemberState::OutOfRange,
                None,
                false,
                NOW
            ),
            Err(Refusal::TakeoverNotInRange)
        );
        assert_eq!(
            check_transfer(
                MemberState::Departed,
                Some(&s),
                MemberState::Unknown,
                None,
                false,
                NOW
            ),
            Err(Refusal::UnknownMember)
        );
        assert_eq!(
            check_transfer(
                MemberState::ActiveInRange,
                Some(&s),
                MemberState::ActiveInRange,
                None,
                true,
                NOW
            ),
            Err(Refusal::SameMember)
        );
    }

    #[test]
    fn batches_are_capped_at_1000() {
        assert!(check_batch(1000).is_ok());
        assert_eq!(check_batch(1001), Err(Refusal::BatchTooLarge));
    }

    #[test]
    fn refusals_serialise_with_their_code_and_details() {
        let v = serde_json::to_value(Refusal::TransferCooldown { available_at: 5 }).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code": "transfer_cooldown", "available_at": 5})
        );
        assert_eq!(
            Refusal::TransferCooldown { available_at: 5 }.code(),
            "transfer_cooldown"
        );
    }
}
