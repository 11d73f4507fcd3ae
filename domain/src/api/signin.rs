//! Who is signed in, and a member's own page (`/api/v1/session`,
//! `/api/v1/me`).

use serde::{Deserialize, Serialize};

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
    /// The provider's operator (the desk), not an organisation's admin.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub operator: bool,
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
