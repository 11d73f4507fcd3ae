//! The alerts an organisation's admins get inside WeCom: which kinds are
//! on, and who receives them (`GET`/`POST /api/v1/corps/{corp_id}/alerts`).
//! The alerts sent are in the audit log (`alert_sent`).

use crate::alerts::AlertKind;
use serde::{Deserialize, Serialize};

/// One kind of alert and whether it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AlertSwitch {
    pub kind: AlertKind,
    pub on: bool,
}

/// An admin who manages the app: alerts go to them when WeCom delivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AlertRecipient {
    pub userid: String,
    /// An active member in the app's visible range (WeCom delivers to no
    /// one outside it).
    pub in_range: bool,
    /// Holds an active seat.
    pub seated: bool,
    /// WeCom delivers the app's messages to them now: in range, and once
    /// it checks licenses (after the trial) holding a seat.
    pub reachable: bool,
}

/// `GET /api/v1/corps/{corp_id}/alerts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Alerts {
    pub kinds: Vec<AlertSwitch>,
    pub recipients: Vec<AlertRecipient>,
    /// WeCom checks licenses now (after the trial): only seat holders
    /// receive the app's messages.
    pub licenses_checked: bool,
}

/// `POST /api/v1/corps/{corp_id}/alerts`: the kinds turned off; every
/// other kind is on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AlertSettings {
    pub off: Vec<AlertKind>,
}
