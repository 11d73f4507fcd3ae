//! Order work WeCom keeps between calls: renewals being collected
//! (`create_renew_order_job`), multi-organisation purchases
//! (`create_new_order_job`, document/path/98887) and their parent orders
//! (`get_union_order`, 98888), and payments from the provider's balance
//! (`submit_pay_job`, 99420). Plain records; `state` holds them.

use domain::wecom::{BuyInfo, CorpRefusal, RenewAccount};
use serde::{Deserialize, Serialize};

/// A renewal being put together: the organisation and the members.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RenewJob {
    pub corp_id: String,
    pub accounts: Vec<RenewAccount>,
}

/// A payment job's outcome, as `pay_job_result` reports it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PayJob {
    pub order_id: String,
    /// 1 paid, 3 failed.
    pub status: u8,
    pub errcode: i64,
    pub errmsg: String,
}

/// A multi-organisation purchase: collected, then submitted once.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NewOrderJob {
    pub buy_list: Vec<BuyInfo>,
    /// Set by `submit_new_order_job`: the parent order ('' when no
    /// organisation's order could be placed) and who was left out.
    pub submitted: Option<(String, Vec<CorpRefusal>)>,
    /// When it was submitted (the result is kept 7 days).
    pub submitted_at: u64,
    /// `new_order_job_result` calls answered so far: the first says
    /// "still creating", as WeCom's background creation may.
    pub asked: u32,
}

/// A multi-organisation parent order: its sub-orders are organisations'
/// own purchase orders.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnionOrder {
    pub order_id: String,
    pub sub_orders: Vec<String>,
    pub create_time: u64,
}
