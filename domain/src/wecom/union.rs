//! Multi-organisation purchases (document/path/98887, 98888): a job
//! collects what each organisation buys (`create_new_order_job`, ten a
//! call), is submitted (`submit_new_order_job`), and its result names one
//! parent order (`new_order_job_result`, type 8) whose sub-orders, one per
//! organisation, `get_union_order` lists. The parent is paid as one; each
//! sub-order is an organisation's own order (`get_order`,
//! `list_order_account`, `license_pay_success`).

use super::{as_number, AccountCount, AccountDuration, OrderStatus, OrderType};
use serde::{Deserialize, Serialize};

/// One organisation's part of a multi-organisation purchase.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BuyInfo {
    pub corpid: String,
    pub account_count: AccountCount,
    pub account_duration: AccountDuration,
}

/// `license/create_new_order_job` body: no `jobid` starts a job, a
/// `jobid` adds to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewOrderJob {
    pub buy_list: Vec<BuyInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobid: Option<String>,
}

/// An organisation WeCom left out of a multi-organisation order, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorpRefusal {
    pub corpid: String,
    pub errcode: i64,
    pub errmsg: String,
}

/// `license/create_new_order_job` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewOrderJobReply {
    pub jobid: String,
    pub invalid_list: Vec<CorpRefusal>,
}

/// `license/submit_new_order_job` body (its reply carries no order id:
/// `new_order_job_result` gives it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubmitNewOrderJob {
    pub jobid: String,
    pub buyer_userid: String,
}

/// `license/new_order_job_result` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewOrderJobResult {
    /// 1 created, 2 still creating (ask again), 3 failed.
    pub status: u8,
    pub order_id: String,
    pub fail_list: Vec<CorpRefusal>,
}

/// `new_order_job_result.status`.
pub const JOB_CREATED: u8 = 1;
pub const JOB_CREATING: u8 = 2;
pub const JOB_FAILED: u8 = 3;

/// `license/get_union_order` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnionOrderRequest {
    pub order_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The parent order of a multi-organisation purchase.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnionOrder {
    pub order_id: String,
    #[serde(with = "as_number")]
    pub order_type: OrderType,
    #[serde(with = "as_number")]
    pub order_status: OrderStatus,
    /// In fen.
    pub price: u64,
    pub create_time: u64,
    pub pay_time: u64,
}

/// One organisation's sub-order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubOrder {
    pub sub_order_id: String,
    pub corpid: String,
    pub account_count: AccountCount,
    pub account_duration: AccountDuration,
}

/// `license/get_union_order` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UnionOrderReply {
    pub order: UnionOrder,
    pub has_more: u8,
    pub next_cursor: String,
    pub buy_list: Vec<SubOrder>,
}
