//! The license API (provider token): orders, their accounts, activation,
//! transfer, auto-activation.

use super::*;
use serde::{Deserialize, Serialize};

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
    /// A renewal to a set expiry (instead of months).
    #[serde(skip_serializing_if = "is_zero")]
    pub new_expire_time: u64,
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

/// A body naming only the organisation (`get_auto_active_status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorpOnly {
    pub corpid: String,
}

/// `license/list_order` body (document/path/95647, 97184): orders placed
/// in a window of at most 31 days (`start_time` and `end_time` together or
/// neither), one organisation's when `corpid` is given; cursor pages of at
/// most 1 000 (default 500).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListOrderRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corpid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// One order of `list_order`'s `order_list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub order_id: String,
    #[serde(with = "as_number", default)]
    pub order_type: OrderType,
}

/// `license/list_order` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderList {
    pub next_cursor: String,
    pub has_more: u8,
    pub order_list: Vec<OrderSummary>,
}

impl OrderList {
    /// The cursor of the next page, when WeCom says there is one.
    pub fn next(&self) -> Option<&str> {
        (self.has_more == 1 && !self.next_cursor.is_empty()).then_some(self.next_cursor.as_str())
    }
}

/// An order as `license/get_order` describes it. It lists neither codes
/// nor renewed members: `list_order_account` does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Order {
    pub order_id: String,
    #[serde(with = "as_number")]
    pub order_type: OrderType,
    #[serde(with = "as_number")]
    pub order_status: OrderStatus,
    pub corpid: String,
    /// In fen.
    pub price: u64,
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

/// One account of an order (`list_order_account`, document/path/97186): a
/// purchase lists codes, a renewal lists the renewed members and no code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAccount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_code: Option<String>,
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

/// An account as `get_active_info_by_code` / `_by_user` describe it;
/// binding fields once bound. Only `_by_code` carries `status`
/// (document/path/97189; `_by_user`, 97191, does not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveInfo {
    pub active_code: String,
    #[serde(rename = "type")]
    pub account_type: u8,
    #[serde(
        default,
        with = "as_opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<AccountStatus>,
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

/// `license/active_account_by_type` body: WeCom binds the unbound code of
/// this type with the earliest activation deadline; its reply names no
/// code (document/path/97188, 95553).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivateByType {
    pub corpid: String,
    pub userid: String,
    #[serde(rename = "type")]
    pub account_type: u8,
}

/// A member and account type in a renewal (`create_renew_order_job`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewAccount {
    pub userid: String,
    #[serde(rename = "type")]
    pub account_type: u8,
}

/// `license/create_renew_order_job` body (document/path/95646, 97183).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewOrderJob {
    pub corpid: String,
    #[serde(default)]
    pub account_list: Vec<RenewAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobid: Option<String>,
}

/// A member `create_renew_order_job` would not take, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidRenewal {
    pub errcode: i64,
    #[serde(default)]
    pub errmsg: String,
    pub userid: String,
    #[serde(rename = "type")]
    pub account_type: u8,
}

/// `license/create_renew_order_job` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewOrderJobReply {
    pub jobid: String,
    #[serde(default)]
    pub invalid_account_list: Vec<InvalidRenewal>,
}

/// `license/submit_order_job` body: the job becomes a renewal order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitOrderJob {
    pub jobid: String,
    #[serde(default)]
    pub buyer_userid: String,
    #[serde(default)]
    pub account_duration: AccountDuration,
}

/// `license/submit_order_job` (and `create_new_order`) reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedOrder {
    pub order_id: String,
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

/// `license/create_new_order` body (document/path/97182).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrderRequest {
    pub corpid: String,
    /// The provider's own member who buys (plain userid).
    pub buyer_userid: String,
    pub account_count: AccountCount,
    pub account_duration: AccountDuration,
}

/// `license/submit_pay_job` body (document/path/99420).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitPayJob {
    pub payer_userid: String,
    pub order_id: String,
}

/// A job's id (`submit_pay_job`'s reply, `pay_job_result`'s body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobId {
    pub jobid: String,
}

/// Why a payment job failed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PayFailure {
    pub errcode: i64,
    pub errmsg: String,
}

/// `license/pay_job_result` reply: `status` 1 paid, 2 running, 3 failed
/// (then `pay_job_result` says why; the call's own errcode stays 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayJobResult {
    pub status: u8,
    #[serde(default)]
    pub pay_job_result: Option<PayFailure>,
}
