//! Seats (interface licenses): the list, activation and transfer, the
//! trial and summary, seat requests, suggestions, orders, auto-activation.

use super::*;
use serde::{Deserialize, Serialize};

/// One account in `GET /api/v1/corps/{corp_id}/seats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SeatItem {
    pub active_code: String,
    #[serde(rename = "type")]
    pub seat_type: u8,
    /// `unassigned`, `active`, `expired`, `refunded`, `expired_unused`
    /// (never bound, past the 365-day activation deadline) or `retired`
    /// (WeCom no longer knows the code).
    pub status: String,
    /// An unbound code's activation deadline (365 days after purchase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activate_by: Option<u64>,
    /// WeCom's own account status as last read, when known
    /// (`awaiting_transfer`: WeCom is moving it itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wecom_status: Option<AccountStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transferable_at: Option<u64>,
}

/// `POST .../seats/activate {"userids":[..],"type":1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ActivateRequest {
    #[cfg_attr(feature = "openapi", schemars(length(max = 1000)))]
    pub userids: Vec<String>,
    /// 1 (base) or 2 (interconnect).
    #[serde(rename = "type", deserialize_with = "whole::u8")]
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = 2)))]
    pub seat_type: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TransferPair {
    pub handover_userid: String,
    pub takeover_userid: String,
}

/// `POST .../seats/transfer {"transfers":[..]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TransferRequest {
    #[cfg_attr(feature = "openapi", schemars(length(max = 1000)))]
    pub transfers: Vec<TransferPair>,
}

/// One member's or pair's outcome; a refusal carries `code` and details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ActionResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handover_userid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub takeover_userid: Option<String>,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TrialSummary {
    pub start: u64,
    pub end: u64,
    pub days_left: u64,
    pub active: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SeatCounts {
    pub purchased: u64,
    pub active: u64,
    /// Unbound and still activatable (within 365 days of purchase).
    pub unassigned: u64,
    pub expired: u64,
    pub expiring_30d: u64,
    /// Never bound and past WeCom's 365-day activation deadline: bought,
    /// but neither free nor usable.
    #[serde(default)]
    pub expired_unused: u64,
    /// Active seats that moved to their holder less than 30 days ago and
    /// cannot move again until then (WeCom's transfer rule).
    #[serde(default)]
    pub transfer_wait: u64,
}

/// `GET /api/v1/corps/{corp_id}/summary`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Summary {
    /// How WeCom checks licenses here now, and from or until when.
    pub license: crate::access::Regime,
    /// The free trial; none when WeCom gives none (licenses not checked, a
    /// provider test organisation, a migrated app).
    pub trial: Option<TrialSummary>,
    pub seats: SeatCounts,
    pub members: MemberCounts,
    pub auto_activate: bool,
    /// Members who asked for a seat (opened the app without one) and
    /// still hold none.
    #[serde(default)]
    pub asking: u64,
    /// When an admin last asked the provider for a renewal not yet placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_asked_at: Option<u64>,
}

/// `GET /api/v1/corps/{corp_id}/requests` item: a member without a valid
/// seat who opened the app (WeCom's `unlicensed_notify`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SeatRequest {
    pub userid: String,
    #[serde(default)]
    pub name: Option<String>,
    pub first_at: u64,
    pub last_at: u64,
    pub count: u64,
    /// 1 once the member holds an active seat.
    pub has_seat: u8,
}

/// `GET /api/v1/corps/{corp_id}/suggestions` item: an idle seat and the
/// member who asked for one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Suggestion {
    pub active_code: String,
    #[serde(rename = "type")]
    pub seat_type: u8,
    pub handover_userid: String,
    /// `departed` or `out_of_range`: the seat moves at once, and can move
    /// again. `idle`: an active in-range member who has not used the app
    /// for the organisation's idle days; the seat moves, and then cannot
    /// move again for 30 days (WeCom's rule).
    pub handover_state: String,
    /// When an idle seat was last used (or activated, if never used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_since: Option<u64>,
    pub expires_at: u64,
    pub takeover_userid: String,
    #[serde(default)]
    pub takeover_name: Option<String>,
    pub requests: u64,
}

/// `GET .../orders` lists at most this many orders, the newest paid first
/// (an organisation buys a few a year; older ones stay in D1).
pub const ORDERS_LISTED: usize = 100;

/// `GET .../requests` lists at most this many members who asked for a
/// seat: those still without one first, then the latest asked.
pub const REQUESTS_LISTED: usize = 200;

/// `GET .../suggestions` weighs at most this many idle seats and this many
/// waiting members: one transfer takes at most 1 000 pairs
/// (`seat::MAX_BATCH`), so more could not be acted on at once.
pub const SUGGESTIONS_WEIGHED: usize = 1000;

/// `GET /api/v1/corps/{corp_id}/orders` item: an order mirrored from WeCom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OrderItem {
    pub order_id: String,
    /// A purchase, or a renewal of members' accounts (then no seats of its own).
    pub order_type: OrderType,
    /// WeCom's `get_order.order_status`, as a word.
    pub order_status: OrderStatus,
    pub base_count: u64,
    pub interconnect_count: u64,
    pub duration_days: u64,
    pub created_at: u64,
    pub paid_at: u64,
}

/// `POST .../seats/activate` and `.../seats/transfer` answer: one result per
/// member or pair, in the order asked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ActionResults {
    pub results: Vec<ActionResult>,
}

/// `GET /api/v1/corps/{corp_id}/suggestions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Suggestions {
    pub items: Vec<Suggestion>,
    /// Idle seats nobody waiting could take.
    pub unmatched_seats: u64,
    /// Waiting members no idle seat was left for.
    pub unmatched_requests: u64,
    /// Days without use after which an in-range member's seat is idle.
    #[serde(default)]
    pub idle_days: u64,
    /// Whether idle seats move to the members asking each night.
    #[serde(default)]
    pub auto_move: bool,
}

/// Idle days an organisation may choose.
pub const IDLE_DAYS_MIN: u64 = 7;
pub const IDLE_DAYS_MAX: u64 = 365;

/// `POST /api/v1/corps/{corp_id}/idle_settings`: when an in-range
/// member's seat counts as idle, and whether idle seats move to the
/// members asking each night.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IdleSettings {
    /// 7 to 365.
    #[serde(deserialize_with = "whole::u64")]
    #[cfg_attr(feature = "openapi", schemars(range(min = 7, max = 365)))]
    pub idle_days: u64,
    pub auto_move: bool,
}

impl IdleSettings {
    pub fn check(&self) -> Result<(), String> {
        if !(IDLE_DAYS_MIN..=IDLE_DAYS_MAX).contains(&self.idle_days) {
            return Err(format!("idle_days: {IDLE_DAYS_MIN} to {IDLE_DAYS_MAX}"));
        }
        Ok(())
    }
}

/// Most days ahead a renewal request looks.
pub const RENEWAL_ASK_DAYS_MAX: u64 = 90;

/// `POST /api/v1/corps/{corp_id}/renewal_request`: an admin asks the
/// provider to renew the seats that end within `days` (the desk shows the
/// request, its renewal card filled in with them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RenewalAsk {
    /// 1 to 90.
    #[serde(deserialize_with = "whole::u64")]
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = 90)))]
    pub days: u64,
}

impl RenewalAsk {
    pub fn check(&self) -> Result<(), String> {
        if !(1..=RENEWAL_ASK_DAYS_MAX).contains(&self.days) {
            return Err(format!("days: 1 to {RENEWAL_ASK_DAYS_MAX}"));
        }
        Ok(())
    }
}

/// `POST /api/v1/corps/{corp_id}/renewal_request` answer: when it was
/// asked, and the active seats that end within the days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RenewalAsked {
    pub asked_at: u64,
    pub days: u64,
    pub seats: u64,
}

/// `POST /api/v1/corps/{corp_id}/auto_activate` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AutoActivateRequest {
    pub enabled: bool,
}

/// `POST /api/v1/corps/{corp_id}/auto_activate` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AutoActivate {
    pub auto_activate: bool,
}

/// Which seats: the seat list's filters, and the seats export's; an empty
/// value is refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SeatFilters {
    /// `unassigned`, `active`, `expired`, `refunded`, `expired_unused` or `retired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<SeatStatus>"))]
    pub status: Option<String>,
    /// `1` (base) or `2` (interconnect).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<u8>", range(min = 1, max = 2))
    )]
    pub seat_type: Option<String>,
}

/// `GET /api/v1/corps/{corp_id}/seats` query: the filters, and the page;
/// an empty `cursor` means "not given".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SeatQuery {
    #[serde(flatten)]
    pub filters: SeatFilters,
    /// The `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<u16>", range(min = 1, max = 500))
    )]
    pub limit: Option<String>,
}

/// A seat's status, as the seat list computes it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum SeatStatus {
    Unassigned,
    Active,
    Expired,
    Refunded,
    #[serde(rename = "expired_unused")]
    ExpiredUnused,
    Retired,
}

/// One day of `GET /api/v1/corps/{corp_id}/trends`: what the cron's
/// reconcile last saw that day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DayStats {
    /// `YYYY-MM-DD`, China Standard Time.
    pub date: String,
    pub seats_bought: u64,
    pub seats_active: u64,
    pub members_in_range: u64,
    /// Members who asked for a seat and hold none.
    pub asking: u64,
}

/// One week (Monday to Sunday, China Standard Time) of new seat requests:
/// members who first asked that week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WeekRequests {
    /// The Monday, `YYYY-MM-DD`.
    pub week_of: String,
    pub new_requests: u64,
}

/// `GET /api/v1/corps/{corp_id}/trends`: the last [`TREND_DAYS`] days,
/// oldest first (a day the cron did not run is missing), and the weeks
/// they span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Trends {
    pub days: Vec<DayStats>,
    pub weeks: Vec<WeekRequests>,
}

/// How far back the trends look.
pub const TREND_DAYS: u64 = 90;
