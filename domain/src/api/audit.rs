//! The audit log and the CSV exports.

use serde::{Deserialize, Serialize};

/// Every kind of audit row, as its `action` names it: an admin's action
/// (`seats_activated`, `seats_transferred`, `auto_activate`,
/// `events_retried`, `sessions_revoked`, `signed_in`, `synced`), a change
/// WeCom pushed (`installed`, `range_changed`, `admins_changed`,
/// `order_paid`, `order_refunded`, `refund_rejected`, `auto_activated`,
/// `license_info_changed`), and a repair the cron made (`reconciled`,
/// `licenses_reconciled`, `orders_read`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignedIn,
    SeatsActivated,
    SeatsTransferred,
    AutoActivate,
    EventsRetried,
    SessionsRevoked,
    Synced,
    Installed,
    RangeChanged,
    AdminsChanged,
    OrderPaid,
    OrderRefunded,
    RefundRejected,
    AutoActivated,
    LicenseInfoChanged,
    Reconciled,
    LicensesReconciled,
    OrdersRead,
    /// The provider's operator placed an order from the desk.
    OrderPlaced,
    /// The provider's operator paid an order from the provider's balance.
    OrderPaymentSubmitted,
    /// The provider's operator ordered a renewal from the desk.
    RenewalPlaced,
    /// An admin set when a seat is idle and whether idle seats move nightly.
    IdleSettings,
    /// The nightly reconcile moved an idle seat to a member who asked.
    IdleSeatsMoved,
    /// Alerts went to the admins inside WeCom.
    AlertSent,
    /// An admin turned kinds of alert on or off.
    AlertSettings,
    /// An admin asked the provider to renew the seats ending soon.
    RenewalRequested,
}

/// Every [`AuditAction`]'s word, in the order the console lists them.
pub const AUDIT_ACTIONS: &[&str] = &[
    "signed_in",
    "seats_activated",
    "seats_transferred",
    "auto_activate",
    "events_retried",
    "sessions_revoked",
    "synced",
    "installed",
    "range_changed",
    "admins_changed",
    "order_paid",
    "order_refunded",
    "refund_rejected",
    "auto_activated",
    "license_info_changed",
    "reconciled",
    "licenses_reconciled",
    "orders_read",
    "order_placed",
    "order_payment_submitted",
    "renewal_placed",
    "idle_settings",
    "idle_seats_moved",
    "alert_sent",
    "alert_settings",
    "renewal_requested",
];

/// Most rows one CSV export gives (`edge::reports::export` shows it fits
/// D1's queries per invocation); past it the export answers 400 before
/// sending anything, so the admin can narrow the filter.
pub const EXPORT_ROWS_MAX: u64 = 105_000;

/// One row of `GET /api/v1/corps/{corp_id}/audit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AuditItem {
    pub id: u64,
    /// Unix seconds.
    pub at: u64,
    /// The admin's userid, `wecom` (a callback) or `cron` (a repair).
    pub actor: String,
    /// One of [`AUDIT_ACTIONS`].
    pub action: String,
    /// What it did, as the action records it (members, counts, order id,
    /// each member's outcome).
    pub detail: serde_json::Value,
}

/// Which audit rows: the log's filters, and its export's. Every field is
/// optional; an empty `userid` means "not given", any other empty value
/// is refused like any other value outside its schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AuditFilters {
    /// One kind of row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<AuditAction>"))]
    pub action: Option<String>,
    /// Rows this member made or that name them (at most 64 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(length(max = 64)))]
    pub userid: Option<String>,
    /// From this moment (unix seconds, inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<u32>", range(max = 4_294_967_295u64))
    )]
    pub from: Option<String>,
    /// Before this moment (unix seconds, exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<u32>", range(max = 4_294_967_295u64))
    )]
    pub to: Option<String>,
}

/// `GET /api/v1/corps/{corp_id}/audit` query: the filters, and the page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AuditQuery {
    #[serde(flatten)]
    pub filters: AuditFilters,
    /// The `next_cursor` of the previous page (a row id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u64>"))]
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schemars(with = "Option<u16>", range(min = 1, max = 500))
    )]
    pub limit: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listed_words_are_the_kinds_words() {
        for word in AUDIT_ACTIONS {
            let kind: AuditAction = serde_json::from_value(serde_json::json!(word)).unwrap();
            assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(word));
        }
        assert_eq!(AUDIT_ACTIONS.len(), 26);
    }
}
