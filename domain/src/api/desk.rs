//! The provider's desk (`GET /api/v1/desk/corps`): every installed
//! organisation in one table, with the filters a provider asks every
//! morning, sorted by any column and paged on the server.

use serde::{Deserialize, Serialize};

/// Days ahead "trial ending" looks.
pub const TRIAL_ENDING_DAYS: u64 = 14;
/// Days ahead "seats expiring" looks (the overview's tile, too).
pub const EXPIRING_DAYS: u64 = 30;
/// Days back a refusal counts as recent.
pub const REFUSED_DAYS: u64 = 7;
/// An organisation not synced for this long is "stale".
pub const STALE_SECS: u64 = 86_400;

/// One organisation on the desk, as of `updated_at` (the cron's last
/// snapshot of it, or its install).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskRow {
    pub corp_id: String,
    /// `auth_corp_info.corp_name`.
    pub corp_name: String,
    pub members_in_range: u64,
    pub seats_bought: u64,
    pub seats_active: u64,
    pub seats_free: u64,
    /// Active seats ending within [`EXPIRING_DAYS`].
    pub seats_expiring: u64,
    /// Members without a seat who asked for one (or opened the app and were
    /// refused: `unlicensed_notify`).
    pub asking: u64,
    /// Of them, refused within the last [`REFUSED_DAYS`] days.
    pub refused: u64,
    /// The trial's end, when WeCom enforces licenses and gave a trial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_ends_at: Option<u64>,
    /// When WeCom starts refusing members without a seat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_check_time: Option<u64>,
    /// Callbacks that failed and wait for a retry.
    pub failed_events: u64,
    /// The last contacts sync's end, if one ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync_at: Option<u64>,
    /// `idle`, `running`, `done` or `failed`.
    pub sync_state: String,
    /// When the organisation's admin asked for a renewal not yet placed,
    /// and of the seats ending within how many days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_asked_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_days: Option<u64>,
    pub updated_at: u64,
}

impl DeskRow {
    /// The row's value in the sort column, as the cursor carries it.
    pub fn sort_value(&self, sort: DeskSort) -> String {
        let n = match sort {
            DeskSort::CorpName => return self.corp_name.clone(),
            DeskSort::MembersInRange => self.members_in_range,
            DeskSort::SeatsBought => self.seats_bought,
            DeskSort::SeatsActive => self.seats_active,
            DeskSort::SeatsFree => self.seats_free,
            DeskSort::SeatsExpiring => self.seats_expiring,
            DeskSort::Asking => self.asking,
            DeskSort::Refused => self.refused,
            DeskSort::TrialEndsAt => self.trial_ends_at.unwrap_or(0),
            DeskSort::FailedEvents => self.failed_events,
            DeskSort::LastSyncAt => self.last_sync_at.unwrap_or(0),
        };
        n.to_string()
    }
}

/// The desk's sort columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeskSort {
    CorpName,
    MembersInRange,
    SeatsBought,
    SeatsActive,
    SeatsFree,
    SeatsExpiring,
    Asking,
    Refused,
    TrialEndsAt,
    FailedEvents,
    LastSyncAt,
}

impl DeskSort {
    pub const ALL: [DeskSort; 11] = [
        DeskSort::CorpName,
        DeskSort::MembersInRange,
        DeskSort::SeatsBought,
        DeskSort::SeatsActive,
        DeskSort::SeatsFree,
        DeskSort::SeatsExpiring,
        DeskSort::Asking,
        DeskSort::Refused,
        DeskSort::TrialEndsAt,
        DeskSort::FailedEvents,
        DeskSort::LastSyncAt,
    ];

    /// The column's name, in the query string and in the `desk` table.
    pub fn as_str(self) -> &'static str {
        match self {
            DeskSort::CorpName => "corp_name",
            DeskSort::MembersInRange => "members_in_range",
            DeskSort::SeatsBought => "seats_bought",
            DeskSort::SeatsActive => "seats_active",
            DeskSort::SeatsFree => "seats_free",
            DeskSort::SeatsExpiring => "seats_expiring",
            DeskSort::Asking => "asking",
            DeskSort::Refused => "refused",
            DeskSort::TrialEndsAt => "trial_ends_at",
            DeskSort::FailedEvents => "failed_events",
            DeskSort::LastSyncAt => "last_sync_at",
        }
    }

    pub fn parse(name: &str) -> Option<DeskSort> {
        DeskSort::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// `GET /api/v1/desk/corps` query. Each filter is `true` or left out; an
/// empty value means "not given".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskQuery {
    /// Part of the organisation's name or corp id (at most 48 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// The trial ends within [`TRIAL_ENDING_DAYS`] days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub trial_ending: Option<String>,
    /// Short of seats: members were refused lately, or more ask than seats
    /// are free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub short: Option<String>,
    /// Seats expire within [`EXPIRING_DAYS`] days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub expiring: Option<String>,
    /// Callbacks failed, or the last sync failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub failing: Option<String>,
    /// Not synced for a day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub stale: Option<String>,
    /// The organisation's admin asked for a renewal not yet placed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub renewal_asked: Option<String>,
    /// The column to sort by (default `corp_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<DeskSort>"))]
    pub sort: Option<String>,
    /// `true`: largest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<bool>"))]
    pub desc: Option<String>,
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

/// What the desk's filters ask, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeskFilters {
    pub q: Option<String>,
    pub trial_ending: bool,
    pub short: bool,
    pub expiring: bool,
    pub failing: bool,
    pub stale: bool,
    pub renewal_asked: bool,
}

/// Where a page starts: after this sort value and corp id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskCursor {
    /// The sort column's value in the last row (a number, or the name).
    pub value: String,
    pub corp_id: String,
    /// How many matched when the first page was read: later pages carry
    /// it instead of counting every matching row again.
    pub total: u64,
}

impl DeskCursor {
    pub fn encode(&self) -> String {
        format!("{}~{}~{}", self.corp_id, self.total, self.value)
    }

    /// The corp id and the total first: they hold no `~` (WeCom's corp
    /// ids are letters and digits), while a name may.
    pub fn decode(s: &str) -> Option<DeskCursor> {
        let (corp_id, rest) = s.split_once('~')?;
        let (total, value) = rest.split_once('~')?;
        if corp_id.is_empty() {
            return None;
        }
        Some(DeskCursor {
            value: value.to_owned(),
            corp_id: corp_id.to_owned(),
            total: total.parse().ok()?,
        })
    }
}

/// A flag the desk takes: `true`, or not given (empty or left out).
fn flag(name: &str, v: &Option<String>) -> Result<bool, String> {
    match v.as_deref() {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(format!("{name} is true or false, not {other:?}")),
    }
}

impl DeskQuery {
    /// The filters, sort and order, or what is wrong with them.
    pub fn checked(&self) -> Result<(DeskFilters, DeskSort, bool), String> {
        let q = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        if q.is_some_and(|q| q.len() > 48) {
            return Err("q is at most 48 bytes".into());
        }
        let sort = match self.sort.as_deref() {
            None | Some("") => DeskSort::CorpName,
            Some(s) => DeskSort::parse(s).ok_or_else(|| format!("sort: no column {s:?}"))?,
        };
        let filters = DeskFilters {
            q: q.map(str::to_owned),
            trial_ending: flag("trial_ending", &self.trial_ending)?,
            short: flag("short", &self.short)?,
            expiring: flag("expiring", &self.expiring)?,
            failing: flag("failing", &self.failing)?,
            stale: flag("stale", &self.stale)?,
            renewal_asked: flag("renewal_asked", &self.renewal_asked)?,
        };
        Ok((filters, sort, flag("desc", &self.desc)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_names_with_its_separator() {
        let c = DeskCursor {
            value: "A~B 公司".into(),
            corp_id: "wwabc".into(),
            total: 50_000,
        };
        assert_eq!(DeskCursor::decode(&c.encode()), Some(c));
        assert_eq!(DeskCursor::decode("nothing"), None);
        assert_eq!(DeskCursor::decode("~5~x"), None);
        assert_eq!(DeskCursor::decode("wwabc~many~x"), None);
    }

    #[test]
    fn the_query_is_checked_before_it_reaches_the_database() {
        let q = DeskQuery {
            short: Some("true".into()),
            sort: Some("seats_free".into()),
            desc: Some("true".into()),
            ..DeskQuery::default()
        };
        let (f, sort, desc) = q.checked().unwrap();
        assert!(f.short && !f.stale);
        assert_eq!((sort, desc), (DeskSort::SeatsFree, true));
        let bad = DeskQuery {
            sort: Some("price; DROP TABLE desk".into()),
            ..DeskQuery::default()
        };
        assert!(bad.checked().is_err());
        let bad = DeskQuery {
            stale: Some("yes".into()),
            ..DeskQuery::default()
        };
        assert!(bad.checked().is_err());
        for s in DeskSort::ALL {
            assert_eq!(DeskSort::parse(s.as_str()), Some(s));
        }
    }
}
