//! Buying interface licenses (provider token): a new purchase for one
//! organisation (`create_new_order`), for many in one order
//! (`create_new_order_job`, document/path/98887; its parent order,
//! 98888), a renewal of named members (`create_renew_order_job`, 97183),
//! and paying from the provider's balance (`submit_pay_job`, 99420).

use super::client::{WeCom, WeComError};
use domain::wecom::{
    BuyInfo, JobId, NewOrderJob, NewOrderJobReply, NewOrderJobResult, NewOrderRequest,
    PayJobResult, PlacedOrder, RenewAccount, RenewOrderJob, RenewOrderJobReply, SubmitNewOrderJob,
    SubmitOrderJob, SubmitPayJob, UnionOrderReply, UnionOrderRequest,
};

/// `create_new_order_job` takes at most 10 organisations a call
/// (「每次最多传10个」, document/path/98887).
pub const BUY_LIST_MAX: usize = 10;
/// `create_renew_order_job` takes at most 1000 members a call
/// (document/path/97183).
pub const RENEW_LIST_MAX: usize = 1000;
/// `get_union_order`'s largest page (「最大值1000」, document/path/98888).
const UNION_PAGE: u64 = 1000;

impl WeCom<'_> {
    /// Places an order of new accounts awaiting payment
    /// (`create_new_order`, document/path/97182): its id.
    pub async fn create_new_order(&self, order: &NewOrderRequest) -> Result<String, WeComError> {
        let placed: PlacedOrder = self.license_call("create_new_order", order).await?;
        Ok(placed.order_id)
    }

    /// Adds organisations to a multi-organisation purchase, starting one
    /// when `jobid` is `None`; at most [`BUY_LIST_MAX`] a call.
    pub async fn add_to_new_order_job(
        &self,
        buy_list: Vec<BuyInfo>,
        jobid: Option<String>,
    ) -> Result<NewOrderJobReply, WeComError> {
        let body = NewOrderJob { buy_list, jobid };
        self.license_call("create_new_order_job", &body).await
    }

    /// Submits a multi-organisation purchase; its order id comes from
    /// [`Self::new_order_job_result`].
    pub async fn submit_new_order_job(
        &self,
        jobid: &str,
        buyer_userid: &str,
    ) -> Result<(), WeComError> {
        let body = SubmitNewOrderJob {
            jobid: jobid.to_owned(),
            buyer_userid: buyer_userid.to_owned(),
        };
        let _: serde_json::Value = self.license_call("submit_new_order_job", &body).await?;
        Ok(())
    }

    pub async fn new_order_job_result(&self, jobid: &str) -> Result<NewOrderJobResult, WeComError> {
        let body = JobId {
            jobid: jobid.to_owned(),
        };
        self.license_call("new_order_job_result", &body).await
    }

    /// A multi-organisation order and every sub-order, page by page.
    pub async fn union_order(&self, order_id: &str) -> Result<UnionOrderReply, WeComError> {
        let mut body = UnionOrderRequest {
            order_id: order_id.to_owned(),
            limit: Some(UNION_PAGE),
            cursor: None,
        };
        let mut whole: UnionOrderReply = self.license_call("get_union_order", &body).await?;
        while whole.has_more == 1 && !whole.next_cursor.is_empty() {
            body.cursor = Some(std::mem::take(&mut whole.next_cursor));
            let page: UnionOrderReply = self.license_call("get_union_order", &body).await?;
            whole.buy_list.extend(page.buy_list);
            (whole.has_more, whole.next_cursor) = (page.has_more, page.next_cursor);
        }
        Ok(whole)
    }

    /// Adds members to a renewal, starting one when `jobid` is `None`; at
    /// most [`RENEW_LIST_MAX`] a call.
    pub async fn add_to_renew_job(
        &self,
        corp_id: &str,
        account_list: Vec<RenewAccount>,
        jobid: Option<String>,
    ) -> Result<RenewOrderJobReply, WeComError> {
        let body = RenewOrderJob {
            corpid: corp_id.to_owned(),
            account_list,
            jobid,
        };
        self.license_call("create_renew_order_job", &body).await
    }

    /// Makes a renewal job an order awaiting payment: its id.
    pub async fn submit_renew_job(&self, body: &SubmitOrderJob) -> Result<String, WeComError> {
        let placed: PlacedOrder = self.license_call("submit_order_job", body).await?;
        Ok(placed.order_id)
    }

    /// Pays an order from the provider's balance (`submit_pay_job`,
    /// document/path/99420): the job's id.
    pub async fn submit_pay_job(
        &self,
        payer_userid: &str,
        order_id: &str,
    ) -> Result<String, WeComError> {
        let body = SubmitPayJob {
            payer_userid: payer_userid.to_owned(),
            order_id: order_id.to_owned(),
        };
        let job: JobId = self.license_call("submit_pay_job", &body).await?;
        Ok(job.jobid)
    }

    /// How a payment job went (`pay_job_result`, readable for 7 days).
    pub async fn pay_job_result(&self, jobid: &str) -> Result<PayJobResult, WeComError> {
        let body = JobId {
            jobid: jobid.to_owned(),
        };
        self.license_call("pay_job_result", &body).await
    }
}
