//! Request and response bodies of the `/api/v1` surface, shared by `edge`
//! (which writes them) and `app` (which reads them), so the two cannot drift.

use crate::wecom::{AccountStatus, OrderStatus, OrderType};
use serde::{Deserialize, Serialize};

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Health {
    pub ok: bool,
    pub d1: bool,
    pub kv: bool,
    pub version: String,
}

/// Every error answer: `{"error": {"code", "message"}}` (DESIGN §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// `sync_running` only: how far the sync that is running is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<SyncProgress>,
}

/// `POST /auth/dev-login` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DevLogin {
    pub corp_id: String,
    pub userid: String,
}

/// `GET /api/v1/session`: who the console is signed in as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SessionInfo {
    pub corp_id: String,
    pub userid: String,
    pub expires_at: u64,
    /// WeCom gave this admin management permission for the app
    /// (`auth_type` 1); without it the console only shows.
    pub may_manage: bool,
}

/// `GET /api/v1/me`: a member's own page — may they use the app now and
/// why (the access check's decision for opening the app), their seat, and
/// whether they have asked for one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Me {
    pub corp_id: String,
    pub corp_name: String,
    pub userid: String,
    /// The access check's answer for opening the app (`open_workbench`).
    pub access: crate::access::Decision,
    /// `in_range`, `out_of_range`, `departed` or `unknown` (WeCom has not
    /// told us of this member: most often outside the visible range).
    pub standing: String,
    /// The member's active seat, if any.
    #[serde(default)]
    pub seat: Option<MySeat>,
    /// When the member last asked for a seat (still in the admins' inbox).
    #[serde(default)]
    pub requested_at: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MySeat {
    /// 1 base account, 2 interconnect account.
    #[serde(rename = "type")]
    pub seat_type: u8,
    pub expires_at: u64,
}

/// `POST /api/v1/me/seat-request`: the request is in the admins' inbox;
/// `new` is false when it already was (a second click adds nothing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SeatRequested {
    pub requested_at: u64,
    pub new: bool,
}

/// `POST /api/v1/corps/{corp_id}/sessions/revoke`: every session of the
/// organisation (the caller's too) ended on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SessionsRevoked {
    pub revoked: u64,
}

/// `GET /api/v1/corps/{corp_id}`: the organisation the session manages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Corp {
    pub corp_id: String,
    pub corp_name: String,
    pub installed_at: u64,
    pub first_installed_at: u64,
}

pub use crate::range::{Status, Via};

/// Whole numbers in request bodies. JSON (and the JSON Schema an OpenAPI
/// client validates against) counts `2.0` as the integer 2; serde's plain
/// integers refuse it. These accept an integer-valued number in range.
pub mod whole {
    use serde::de::{Deserializer, Error, Visitor};
    use serde::Deserialize;
    use std::fmt;

    /// A whole number, written with or without a fraction of zero.
    struct Whole(u64);

    impl<'de> Deserialize<'de> for Whole {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Whole;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a whole number")
                }
                fn visit_u64<E: Error>(self, v: u64) -> Result<Whole, E> {
                    Ok(Whole(v))
                }
                fn visit_i64<E: Error>(self, v: i64) -> Result<Whole, E> {
                    u64::try_from(v)
                        .map(Whole)
                        .map_err(|_| E::custom(format!("{v} is negative")))
                }
                fn visit_f64<E: Error>(self, v: f64) -> Result<Whole, E> {
                    // Below 2^53 every whole f64 is exact.
                    if v.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&v) {
                        Ok(Whole(v as u64))
                    } else {
                        Err(E::custom(format!("{v} is not a whole number in range")))
                    }
                }
            }
            d.deserialize_any(V)
        }
    }

    pub fn u8<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
        let Whole(n) = Whole::deserialize(d)?;
        u8::try_from(n).map_err(|_| D::Error::custom(format!("{n} is out of range")))
    }

    /// WeCom's department ids, 32-bit whole numbers.
    pub fn department_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        Vec::<Whole>::deserialize(d)?
            .into_iter()
            .map(|Whole(n)| match n <= u64::from(u32::MAX) {
                true => Ok(n),
                false => Err(D::Error::custom(format!("{n} is not a department id"))),
            })
            .collect()
    }

    #[cfg(test)]
    mod tests {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(deserialize_with = "super::u8")]
            t: u8,
            #[serde(deserialize_with = "super::department_ids")]
            l: Vec<u64>,
        }

        #[test]
        fn integer_valued_numbers_are_whole_and_others_are_refused() {
            let ok: T =
                serde_json::from_str(r#"{"t": 2.0, "l": [1, 4067.0, 4294967295]}"#).unwrap();
            assert_eq!((ok.t, ok.l), (2, vec![1, 4067, 4294967295]));
            for bad in [
                r#"{"t": 2.5, "l": []}"#,
                r#"{"t": 256, "l": []}"#,
                r#"{"t": 1, "l": [-1]}"#,
                r#"{"t": 1, "l": [1e25]}"#,
                r#"{"t": 1, "l": [4294967296]}"#,
                r#"{"t": "1", "l": []}"#,
            ] {
                assert!(serde_json::from_str::<T>(bad).is_err(), "{bad}");
            }
        }
    }
}

/// One member in `GET /api/v1/corps/{corp_id}/members`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberItem {
    pub userid: String,
    pub name: String,
    /// `null` when WeCom gives no department information.
    pub department_ids: Option<Vec<u64>>,
    pub department_known: bool,
    pub in_range: bool,
    pub status: Status,
    pub via: Vec<Via>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(rename = "{T}Page"))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

/// `GET /api/v1/corps/{corp_id}/departments`: the tree with member counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DepartmentNode {
    pub id: u64,
    pub name: String,
    pub parent_id: u64,
    /// Active in-range members directly in this department.
    pub member_count: u64,
    /// Including every sub-department (a member counted once per department).
    pub total_count: u64,
    pub children: Vec<DepartmentNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Advice {
    pub zh: String,
    pub en: String,
}

/// `GET /api/v1/corps/{corp_id}/range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RangeSummary {
    pub allow_party: Vec<u64>,
    pub allow_user: Vec<String>,
    pub allow_tag: Vec<u64>,
    pub members_in_range: u64,
    pub departments_in_range: u64,
    pub members_without_department: u64,
    pub advice: Advice,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SyncCounts {
    pub members_in_range: u64,
    pub added_or_updated: u64,
    pub left_range: u64,
    pub departed: u64,
    pub departments: u64,
}

impl SyncCounts {
    pub fn repaired_anything(&self) -> bool {
        self.added_or_updated + self.left_range + self.departed > 0
    }
}

/// `GET /api/v1/corps/{corp_id}/sync`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SyncStatus {
    /// Names one sync run: it changes whenever a new sync starts, so a
    /// caller who started one can wait for exactly that one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `idle`, `running`, `done` or `failed`.
    pub state: String,
    pub started_at: Option<u64>,
    pub finished_at: Option<u64>,
    pub last_synced_at: Option<u64>,
    pub counts: Option<SyncCounts>,
    pub error: Option<String>,
    /// While running: how far the run is (a sync is a chain of queue
    /// messages, one chunk of departments each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<SyncProgress>,
}

/// A running sync's progress: `chunks_done` of `chunks_total` chunks of
/// departments read and written (0 of 0 while it plans; members named
/// individually or by a tag, and who left, are done after the last chunk).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SyncProgress {
    pub chunks_done: u64,
    pub chunks_total: u64,
}

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
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberCounts {
    pub in_range: u64,
    pub licensed: u64,
    pub unlicensed: u64,
    pub without_department: u64,
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
}

/// `POST /api/v1/corps/{corp_id}/forecast`: a change to the visible range
/// the admin is considering.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(default)]
pub struct ForecastRequest {
    #[serde(deserialize_with = "whole::department_ids")]
    #[cfg_attr(
        feature = "openapi",
        schemars(length(max = 1000), inner(range(max = 4_294_967_295u64)))
    )]
    pub add_party: Vec<u64>,
    #[cfg_attr(feature = "openapi", schemars(length(max = 1000)))]
    pub add_user: Vec<String>,
    #[serde(deserialize_with = "whole::department_ids")]
    #[cfg_attr(
        feature = "openapi",
        schemars(length(max = 1000), inner(range(max = 4_294_967_295u64)))
    )]
    pub remove_party: Vec<u64>,
    #[cfg_attr(feature = "openapi", schemars(length(max = 1000)))]
    pub remove_user: Vec<String>,
}

/// What the range would hold after the change, and the seats it would take.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Forecast {
    pub members_now: u64,
    pub members_after: u64,
    pub joining: u64,
    pub leaving: u64,
    /// Members in the new range who hold an active seat.
    pub licensed_after: u64,
    pub unlicensed_after: u64,
    /// Unassigned accounts already bought.
    pub unassigned: u64,
    /// Accounts still to buy so every member of the new range has one.
    pub seats_needed: u64,
    /// Seat holders who would leave the range: their seats can move at once.
    pub seats_freed: u64,
    /// Added departments (or parts of them) the app cannot see yet: WeCom
    /// shows a third-party app nothing outside its range, so their members
    /// are counted only as far as we have seen them.
    pub unseen_parties: Vec<u64>,
    /// Added members we have never seen; each counted as one member.
    pub unseen_users: Vec<String>,
    /// True when nothing above was guessed.
    pub exact: bool,
    /// False when the organisation has more members or departments than the
    /// forecast weighs (`FORECAST_WEIGHED`, 100 000 of each): the counts
    /// are of the first ones only (and `exact` is false).
    pub weighed_all: bool,
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
    /// `departed` or `out_of_range`: either way the seat moves at once.
    pub handover_state: String,
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
/// `POST .../forecast` weighs at most this many of the organisation's
/// members (in userid order) and this many departments: an organisation of
/// the size `make bench` syncs (100 000 members) is weighed whole; past it
/// the forecast says it weighed a part (`weighed_all` and `exact` false)
/// rather than read an unbounded list into one Worker's memory.
pub const FORECAST_WEIGHED: usize = 100_000;

/// A list answer without paging (each route bounds its length, see its
/// description).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(rename = "{T}List"))]
pub struct Items<T> {
    pub items: Vec<T>,
}

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

/// `POST /api/v1/corps/{corp_id}/sync` answer (202): a sync is running.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SyncStarted {
    /// The run's id, as `GET .../sync` will show it.
    pub id: String,
    pub state: String,
    /// Who asked: an admin's userid.
    pub actor: String,
}

/// `POST /api/v1/access/check` body. A field empty, too long or of other
/// characters answers 400 `bad_request` naming it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AccessCheck {
    /// 1 to 64 ASCII letters and digits.
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 64), regex(pattern = r"^[A-Za-z0-9]+$"))
    )]
    pub corp_id: String,
    /// 1 to 64 bytes: ASCII letters, digits, `_`, `-`, `.` and `@`.
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 64), regex(pattern = r"^[A-Za-z0-9_.@-]+$"))
    )]
    pub userid: String,
    /// 1 to 64 bytes: lowercase ASCII letters, digits and `_`.
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 64), regex(pattern = r"^[a-z0-9_]+$"))
    )]
    pub operation: String,
}

/// `POST /api/v1/dev/clock` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClockOffset {
    pub offset_secs: i64,
}

/// `POST /api/v1/dev/clock` answer: the offset and the worker's time now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ClockNow {
    pub offset_secs: i64,
    pub now: u64,
}

/// `POST /api/v1/dev/query` body: one read-only SELECT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DevQuery {
    pub sql: String,
}

/// `POST /api/v1/dev/query` answer: the rows as D1 returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DevRows {
    pub results: Vec<serde_json::Value>,
}

/// `POST /api/v1/dev/kv_keys` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct KvPrefix {
    pub prefix: String,
}

/// `POST /api/v1/dev/kv_keys` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct KvKeys {
    pub keys: Vec<String>,
}

/// `POST /api/v1/dev/faults` body and answer: the share of D1 round trips
/// that fail, from 0 (none, the default) to 1 (all), and whether half of
/// those failures happen after D1 committed (the statement ran, its reply
/// was lost: the Worker sees an error all the same). Development only.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct D1Faults {
    pub d1_failure_share: f64,
    #[serde(default)]
    pub lost_replies: bool,
}

/// `POST /api/v1/dev/reconcile` body: the organisation to reconcile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DevReconcile {
    pub corp_id: String,
}

/// `POST /api/v1/dev/seal_old` body: the organisation whose permanent
/// code is to be sealed the old way, and whether the old kind stays
/// retired (a deployment past the upgrade) or not (one just upgraded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DevSealOld {
    pub corp_id: String,
    #[serde(default)]
    pub keep_retired: bool,
}

/// `POST /api/v1/dev/noop` answer: nothing was read or written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Noop {
    pub ok: bool,
}

/// `GET /api/v1/corps/{corp_id}/events`: WeCom's callbacks about the
/// organisation that are not applied yet. `backlog` are waiting in the
/// queue (or being retried); `failed` reached the dead-letter queue after
/// their last retry and wait for someone to retry them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventHealth {
    pub backlog: u64,
    pub failed: u64,
    /// The latest failed events, newest first (at most 20).
    pub failures: Vec<EventFailure>,
}

/// A callback that could not be applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventFailure {
    /// WeCom's kind (`InfoType` or `Event`), e.g. `change_contact.update_user`.
    pub kind: String,
    pub received_at: u64,
    pub failed_at: u64,
    /// Why the last try failed.
    pub error: String,
}

/// `POST /api/v1/corps/{corp_id}/events/retry`: how many failed events
/// were sent to the queue again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventsRetried {
    pub requeued: u64,
}

/// `POST /api/v1/dev/reconcile` answer: what the contacts sync found and
/// how many members' seats were repaired from WeCom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Reconciled {
    pub corp_id: String,
    /// What the contacts sync did, when it ran in the same invocation
    /// (the development reconcile); the cron's runs on as queue messages.
    pub contacts: Option<SyncCounts>,
    pub seats_repaired: u64,
}

/// `GET /api/v1/corps/{corp_id}/members` query. Every field is optional;
/// an empty `q` or `cursor` means "not given", any other empty value is
/// refused like any other value outside its schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberQuery {
    /// Part of a name or userid. At most 48 bytes once `%`, `_` and `\`
    /// are escaped (D1 caps a LIKE pattern at 50 bytes); longer answers 400.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// `active` or `departed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<Status>"))]
    pub status: Option<String>,
    /// `true` or `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub in_range: Option<String>,
    /// `true` or `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub department_known: Option<String>,
    /// Members of this department (directly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<u32>", range(max = 4_294_967_295u64))
    )]
    pub department_id: Option<String>,
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

/// `GET /api/v1/corps/{corp_id}/seats` query; an empty `cursor` means "not
/// given", any other empty value is refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SeatQuery {
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

/// `GET /api/v1/corps/{corp_id}/jsapi/agent_config` query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AgentConfigQuery {
    /// The page's own URL as the browser has it (`location.href`); what
    /// follows `#` is not signed. At most 1024 bytes, http(s) only, no
    /// spaces or control characters.
    #[cfg_attr(
        feature = "openapi",
        schemars(
            length(min = 8, max = 1024),
            regex(
                pattern = r"^https?://[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
            )
        )
    )]
    pub url: String,
}

/// What `wx.agentConfig` needs (WeCom JS-SDK, page 96909): pass
/// `corp_id` as `corpid`, `agent_id` as `agentid`, `nonce_str` as
/// `nonceStr`. WeCom checks the signature against the page's URL and the
/// app's trusted domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AgentConfig {
    pub corp_id: String,
    pub agent_id: u64,
    /// Unix seconds, as signed.
    pub timestamp: u64,
    pub nonce_str: String,
    /// SHA-1 hex over the app's JS-SDK ticket, `nonce_str`, `timestamp`
    /// and the URL.
    pub signature: String,
    /// The URL that was signed (the given one without its fragment).
    pub url: String,
}
