//! The service API: install (permanent code, auth info), the app's
//! admins, and sign-in (`get_login_info`, `getuserinfo3rd`).

use serde::{Deserialize, Serialize};

/// `auth_info.agent[].privilege`: the app's visible range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Privilege {
    pub allow_party: Vec<u64>,
    pub allow_user: Vec<String>,
    pub allow_tag: Vec<u64>,
    pub extra_party: Vec<u64>,
    pub extra_user: Vec<String>,
    pub extra_tag: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub agentid: u64,
    /// 0: authorised by an admin; 1: by a member (`auth_mode`,
    /// document/path/100779), when WeCom gives no admin list (100073).
    #[serde(default)]
    pub auth_mode: u8,
    #[serde(default)]
    pub privilege: Privilege,
}

/// `auth_mode` of a member-authorised install (document/path/100779:
/// 「授权模式，0为管理员授权；1为成员授权」).
pub const MEMBER_AUTHORISED: u8 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthInfo {
    #[serde(default)]
    pub agent: Vec<Agent>,
}

impl AuthInfo {
    /// Our app's agent (a suite may hold several; we have one).
    pub fn our_agent(&self) -> Option<&Agent> {
        self.agent.first()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthCorpInfo {
    pub corpid: String,
    #[serde(default)]
    pub corp_name: String,
}

/// `service/get_permanent_code` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthCodeRequest {
    pub auth_code: String,
}

/// `service/get_permanent_code` reply; it carries a first corp token too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermanentCodeReply {
    pub permanent_code: String,
    pub auth_corp_info: AuthCorpInfo,
    pub auth_info: AuthInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

/// `service/get_auth_info` and `service/get_corp_token` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpCredential {
    pub auth_corpid: String,
    pub permanent_code: String,
}

/// `service/get_auth_info` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthInfoReply {
    pub auth_corp_info: AuthCorpInfo,
    pub auth_info: AuthInfo,
}

/// `service/get_admin_list` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminListRequest {
    pub auth_corpid: String,
    pub agentid: u64,
}

/// One admin of the app in an organisation: `auth_type` 1 may manage, 0 may look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admin {
    pub userid: String,
    #[serde(default)]
    pub auth_type: u8,
}

/// `agent/get_admin_list` (corp token) and `service/get_admin_list` reply;
/// member-authorised apps get no list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminList {
    #[serde(default)]
    pub admin: Vec<Admin>,
}

// ---- sign-in ------------------------------------------------------------------

/// `service/get_login_info` body (provider access token, document/path/
/// 91125): the `auth_code` WeCom's QR login or the admin console's
/// business-settings entry sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginInfoRequest {
    pub auth_code: String,
}

/// Who signed in (`user_info` of `get_login_info`, 91125).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginUser {
    pub userid: String,
    pub open_userid: String,
    pub name: String,
    pub avatar: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginCorp {
    pub corpid: String,
}

/// An app of the provider the admin may use, and how (`auth_type` 1
/// manage, 0 use).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginAgent {
    pub agentid: u64,
    pub auth_type: u8,
}

/// `service/get_login_info` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginInfo {
    /// 1 creator, 2 internal admin, 3 external admin, 4 delegated admin,
    /// 5 member (document/path/91125).
    pub usertype: u8,
    pub user_info: LoginUser,
    pub corp_info: LoginCorp,
    pub agent: Vec<LoginAgent>,
}

/// `service/auth/getuserinfo3rd` reply (suite access token, 91121): a
/// member of an organisation (`corpid`, `userid`, `open_userid`), or
/// someone of no organisation (`openid` only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuthUser {
    pub corpid: String,
    pub userid: String,
    pub open_userid: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub openid: String,
}
