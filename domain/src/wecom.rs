//! WeCom's wire shapes: the JSON bodies of the server API calls we make,
//! shared by `edge`'s client (which sends requests and reads replies) and
//! `sim`'s server (which reads requests and writes replies), so a field name
//! cannot drift between the two. Field names are WeCom's, misspellings
//! included (`trail_info`, `list_actived_account`). `errcode`/`errmsg` are
//! read by the client and written by the server around these bodies.

use serde::{Deserialize, Serialize};

/// A month of `account_duration.months` counts 31 days (WeCom's license
/// pricing page, document/path/95644).
pub const MONTH_DAYS: u64 = 31;

// ---- tokens ---------------------------------------------------------------------

/// `service/get_suite_token` body; a field left out matches no suite.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SuiteTokenRequest {
    pub suite_id: String,
    pub suite_secret: String,
    pub suite_ticket: String,
}

/// `service/get_suite_token` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteToken {
    pub suite_access_token: String,
    pub expires_in: u64,
}

/// `service/get_provider_token` body; a field left out matches no provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderTokenRequest {
    pub corpid: String,
    pub provider_secret: String,
}

/// `service/get_provider_token` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderToken {
    pub provider_access_token: String,
    pub expires_in: u64,
}

/// `service/get_corp_token` reply: the organisation's access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpToken {
    pub access_token: String,
    pub expires_in: u64,
}

// ---- service API: install, auth info, admins --------------------------------

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
    #[serde(default)]
    pub privilege: Privilege,
}

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

// ---- contacts API -------------------------------------------------------------

/// A department as `department/list` gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Department {
    pub id: u64,
    pub name: String,
    pub parentid: u64,
    pub order: u64,
}

/// `department/list` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentList {
    #[serde(default)]
    pub department: Vec<Department>,
}

/// A member as `user/list`, `user/get` and `tag/get` give it: only
/// departments inside the app's range are listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub userid: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub department: Vec<u64>,
}

/// `user/list` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    #[serde(default)]
    pub userlist: Vec<User>,
}

/// A tag's member as `tag/get` lists it: id and name only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagUser {
    pub userid: String,
    #[serde(default)]
    pub name: String,
}

/// `tag/get` reply: the tag's members and departments the app may see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tag {
    pub tagname: String,
    pub userlist: Vec<TagUser>,
    pub partylist: Vec<u64>,
}

// ---- license API (provider token) -----------------------------------------------

/// Accounts of each type in an order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountCount {
    pub base_count: u64,
    pub external_contact_count: u64,
}

/// How long each account of an order lasts once activated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountDuration {
    #[serde(skip_serializing_if = "is_zero")]
    pub months: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub days: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl AccountDuration {
    /// Whole days, a month counting [`MONTH_DAYS`].
    pub fn total_days(&self) -> u64 {
        self.days + MONTH_DAYS * self.months
    }
}

/// `license/get_order` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderId {
    pub order_id: String,
}

/// An order as `license/get_order` and `license/list_order` describe it.
/// `order_status`: 0 awaiting payment, 1 paid, 2 cancelled, 3 expired
/// unpaid, 4 refund requested, 5 refunded, 6 refund refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Order {
    pub order_id: String,
    pub order_type: u8,
    pub order_status: u8,
    pub corpid: String,
    pub account_count: AccountCount,
    pub account_duration: AccountDuration,
    pub create_time: u64,
    pub pay_time: u64,
}

/// `license/get_order` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReply {
    pub order: Order,
}

/// `license/list_order_account` body; `limit` and `cursor` are optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAccountsRequest {
    pub order_id: String,
    #[serde(default)]
    pub limit: u64,
    #[serde(default)]
    pub cursor: String,
}

/// `license/list_actived_account` body (also any corp-wide paged list);
/// `limit` and `cursor` are optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpPageRequest {
    pub corpid: String,
    #[serde(default)]
    pub limit: u64,
    #[serde(default)]
    pub cursor: String,
}

/// One account of an order (`list_order_account`); `userid` once bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAccount {
    pub active_code: String,
    #[serde(default)]
    pub userid: Option<String>,
    #[serde(rename = "type")]
    pub account_type: u8,
}

/// One bound account (`list_actived_account`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundAccount {
    pub userid: String,
    #[serde(rename = "type")]
    pub account_type: u8,
    #[serde(default)]
    pub active_time: u64,
    pub expire_time: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_code: Option<String>,
}

/// A page of a cursor-paged account list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage<T> {
    #[serde(default)]
    pub next_cursor: String,
    #[serde(default)]
    pub has_more: u8,
    #[serde(default = "Vec::new")]
    pub account_list: Vec<T>,
}

impl<T> AccountPage<T> {
    /// The cursor of the next page, when WeCom says there is one.
    pub fn next(&self) -> Option<&str> {
        (self.has_more == 1 && !self.next_cursor.is_empty()).then_some(self.next_cursor.as_str())
    }
}

/// An account as `get_active_info_by_code` / `_by_user` describe it:
/// `status` 1 unbound, 2 bound and valid, 3 expired; binding fields once bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveInfo {
    pub active_code: String,
    #[serde(rename = "type")]
    pub account_type: u8,
    pub status: u8,
    #[serde(default)]
    pub create_time: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_time: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<u64>,
}

/// `license/get_active_info_by_user` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpUser {
    pub corpid: String,
    pub userid: String,
}

/// `license/get_active_info_by_user` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActiveInfoByUser {
    pub active_status: u8,
    pub active_info_list: Vec<ActiveInfo>,
}

/// `license/get_active_info_by_code` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpCode {
    pub corpid: String,
    pub active_code: String,
}

/// `license/get_active_info_by_code` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveInfoByCode {
    pub active_info: ActiveInfo,
}

/// `license/batch_get_active_info_by_code` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpCodes {
    pub corpid: String,
    #[serde(default)]
    pub active_code_list: Vec<String>,
}

/// `license/batch_get_active_info_by_code` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActiveInfoList {
    pub active_info_list: Vec<ActiveInfo>,
    pub invalid_active_code_list: Vec<String>,
}

/// `license/active_account` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivateAccount {
    pub corpid: String,
    pub active_code: String,
    pub userid: String,
}

/// One member to bind a code to, in `license/batch_active_account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activation {
    pub active_code: String,
    pub userid: String,
}

/// `license/batch_active_account` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchActivate {
    pub corpid: String,
    #[serde(default)]
    pub active_list: Vec<Activation>,
}

/// One outcome of `license/batch_active_account`: `errcode` 0 or a 7010xx.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationResult {
    pub active_code: String,
    #[serde(default)]
    pub userid: String,
    pub errcode: i64,
}

/// `license/batch_active_account` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchActivateReply {
    #[serde(default)]
    pub active_result: Vec<ActivationResult>,
}

/// One seat move in `license/batch_transfer_license`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub handover_userid: String,
    pub takeover_userid: String,
}

/// `license/batch_transfer_license` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchTransfer {
    pub corpid: String,
    #[serde(default)]
    pub transfer_list: Vec<Transfer>,
}

/// One outcome of `license/batch_transfer_license`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferResult {
    pub handover_userid: String,
    pub takeover_userid: String,
    pub errcode: i64,
}

/// `license/batch_transfer_license` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchTransferReply {
    #[serde(default)]
    pub transfer_result: Vec<TransferResult>,
}

/// `license/get_app_license_info` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppLicenseRequest {
    pub corpid: String,
    pub suite_id: String,
}

/// The trial window WeCom counts (`trail_info`, sic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialInfo {
    pub start_time: u64,
    pub end_time: u64,
}

/// `license/get_app_license_info` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppLicenseInfo {
    pub license_status: Option<u64>,
    /// Only when `license_status` is 1 and the organisation has a trial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trail_info: Option<TrialInfo>,
    pub license_check_time: Option<u64>,
}

/// `license/set_auto_active_status` body and `get_auto_active_status` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoActiveStatus {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub corpid: String,
    pub auto_active_status: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_reads_wecoms_documented_example() {
        // Shape of the example on WeCom's get_order page (document/path/95648).
        let o: OrderReply = serde_json::from_str(
            r#"{"errcode":0,"errmsg":"ok","order":{"order_id":"OI0000","order_type":1,
            "order_status":1,"corpid":"CORPID","price":10000,
            "account_count":{"base_count":100,"external_contact_count":50},
            "account_duration":{"months":2},"create_time":1640000000,"pay_time":1640000100}}"#,
        )
        .unwrap();
        assert_eq!(o.order.account_count.external_contact_count, 50);
        assert_eq!(o.order.account_duration.total_days(), 62);
        assert_eq!(o.order.pay_time, 1640000100);
    }

    #[test]
    fn a_page_has_a_next_cursor_only_when_wecom_says_more() {
        let more: AccountPage<OrderAccount> = serde_json::from_str(
            r#"{"next_cursor":"c2","has_more":1,"account_list":[{"active_code":"A","type":2}]}"#,
        )
        .unwrap();
        assert_eq!(more.next(), Some("c2"));
        assert_eq!(more.account_list[0].userid, None);
        let last: AccountPage<OrderAccount> =
            serde_json::from_str(r#"{"next_cursor":"c3","has_more":0,"account_list":[]}"#).unwrap();
        assert_eq!(last.next(), None);
    }

    #[test]
    fn license_info_keeps_wecoms_trail_spelling() {
        let info: AppLicenseInfo = serde_json::from_str(
            r#"{"license_status":1,"trail_info":{"start_time":10,"end_time":20},"license_check_time":10}"#,
        )
        .unwrap();
        assert_eq!(
            info.trail_info,
            Some(TrialInfo {
                start_time: 10,
                end_time: 20
            })
        );
        let out = serde_json::to_string(&info).unwrap();
        assert!(out.contains("\"trail_info\""), "{out}");
    }
}
