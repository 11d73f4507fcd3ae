//! Members, departments, the visible range and the contacts sync.

use super::*;
use serde::{Deserialize, Serialize};

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
    /// The active seat the member holds now (the longest-lasting, when
    /// both types); none without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<MemberSeat>,
}

/// A member's active seat, as the members list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberSeat {
    /// `1` (base) or `2` (interconnect).
    #[serde(rename = "type")]
    pub seat_type: u8,
    pub expires_at: u64,
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberCounts {
    pub in_range: u64,
    pub licensed: u64,
    pub unlicensed: u64,
    pub without_department: u64,
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

/// `POST .../forecast` weighs at most this many of the organisation's
/// members (in userid order) and this many departments: an organisation of
/// the size `make bench` syncs (100 000 members) is weighed whole; past it
/// the forecast says it weighed a part (`weighed_all` and `exact` false)
/// rather than read an unbounded list into one Worker's memory.
pub const FORECAST_WEIGHED: usize = 100_000;

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

/// Which members: the members list's filters, and the members export's.
/// Every field is optional; an empty `q` means "not given", any other
/// empty value is refused like any other value outside its schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberFilters {
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
    /// Members of this department (directly; with `sub_departments=true`,
    /// of its sub-departments too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<u32>", range(max = 4_294_967_295u64))
    )]
    pub department_id: Option<String>,
    /// `true`: `department_id` takes in its whole subtree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub sub_departments: Option<String>,
    /// `true`: members who hold an active seat now; `false`: those who hold none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub licensed: Option<String>,
    /// Members who hold an active seat of this type now: `1` (base) or `2`
    /// (interconnect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<u8>", range(min = 1, max = 2))
    )]
    pub seat_type: Option<String>,
}

/// `GET /api/v1/corps/{corp_id}/members` query: the filters, and the page.
/// An empty `cursor` means "not given".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MemberQuery {
    #[serde(flatten)]
    pub filters: MemberFilters,
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
