//! WeCom's multi-organisation purchases (document/path/98887, 98888):
//! `create_new_order_job` collects up to ten organisations a call (100 000
//! a job), `submit_new_order_job` places one purchase order per
//! organisation under a parent order, `new_order_job_result` names the
//! parent (the first ask says "still creating"), `get_union_order` lists
//! its sub-orders. Test organisations cannot be in one (98887:
//! 「测试企业不支持多企业下单方式」); they are listed in `invalid_list`.

use crate::state::{credential, NewOrderJob, State, UnionOrder};
use crate::wire::{err, ok, Reply};
use domain::wecom::{
    BuyInfo, CorpRefusal, JobId, NewOrderJobReply, NewOrderJobResult, OrderStatus, OrderType,
    SubOrder, SubmitNewOrderJob, UnionOrderReply, UnionOrderRequest, JOB_CREATED, JOB_CREATING,
    JOB_FAILED, MONTH_DAYS,
};

/// `create_new_order_job`: at most 10 organisations a call (98887).
const BUY_LIST_MAX: usize = 10;
/// … and at most 100 000 a job.
const JOB_BUY_INFO_MAX: usize = 100_000;
/// `new_order_job_result` answers for 7 days after the job is submitted.
const RESULT_KEPT_SECS: u64 = 7 * 86_400;
/// `get_union_order`: default and largest page.
const UNION_PAGE: usize = 500;
const UNION_PAGE_MAX: usize = 1000;
/// The errcode WeCom's page shows for an organisation left out (98887's
/// example); the page names no finer code.
const LEFT_OUT: i64 = 700400;

fn refusal(corpid: &str, errcode: i64, errmsg: &str) -> CorpRefusal {
    CorpRefusal {
        corpid: corpid.to_owned(),
        errcode,
        errmsg: errmsg.to_owned(),
    }
}

/// Why an organisation cannot be in a multi-organisation purchase, if it
/// cannot: not installed, a test organisation, or counts or a duration
/// WeCom does not sell.
fn left_out(state: &State, b: &BuyInfo) -> Option<CorpRefusal> {
    let corp = state.corps.get(&b.corpid).filter(|c| c.installed);
    let days = b.account_duration.months * MONTH_DAYS + b.account_duration.days;
    let count = b.account_count;
    let why = match corp {
        None => crate::state::NOT_AUTHORISED,
        Some(c) if c.license.test_corp => crate::wire::Refusal::new(
            LEFT_OUT,
            "a test organisation cannot be in a multi-organisation order",
        ),
        Some(_)
            if count.base_count + count.external_contact_count == 0
                || count.base_count > 1_000_000
                || count.external_contact_count > 1_000_000 =>
        {
            crate::state::BAD_ACCOUNT_COUNT
        }
        Some(_) if !(31..=1860).contains(&days) => crate::state::BAD_DURATION,
        Some(_) => return None,
    };
    Some(refusal(&b.corpid, why.errcode, why.errmsg))
}

/// `create_new_order_job`.
pub fn create_job(state: &mut State, asked: domain::wecom::NewOrderJob) -> Result<Reply, Reply> {
    if asked.buy_list.is_empty() || asked.buy_list.len() > BUY_LIST_MAX {
        return Err(err(40058, "buy_list: 1 to 10 organisations a call"));
    }
    let jobid = match asked.jobid.filter(|j| !j.is_empty()) {
        Some(j) => match state.new_order_jobs.get(&j) {
            Some(job) if job.submitted.is_none() => j,
            _ => return Err(err(40058, "invalid jobid")),
        },
        None => {
            let j = credential(24);
            state
                .new_order_jobs
                .insert(j.clone(), NewOrderJob::default());
            j
        }
    };
    let mut invalid_list = vec![];
    let mut valid = vec![];
    for b in asked.buy_list {
        match left_out(state, &b) {
            Some(r) => invalid_list.push(r),
            None => valid.push(b),
        }
    }
    let job = state
        .new_order_jobs
        .get_mut(&jobid)
        .ok_or_else(|| err(40058, "invalid jobid"))?;
    if job.buy_list.len() + valid.len() > JOB_BUY_INFO_MAX {
        return Err(err(40058, "a job holds at most 100000 organisations"));
    }
    job.buy_list.extend(valid);
    Ok(ok(&NewOrderJobReply {
        jobid,
        invalid_list,
    }))
}

/// `submit_new_order_job`: each organisation's purchase order is placed
/// under one parent order.
pub fn submit_job(state: &mut State, asked: SubmitNewOrderJob) -> Result<Reply, Reply> {
    if asked.buyer_userid.is_empty() {
        return Err(err(40058, "buyer_userid is required"));
    }
    let job = match state.new_order_jobs.get(&asked.jobid) {
        Some(job) if job.submitted.is_none() => job.clone(),
        _ => return Err(err(40058, "invalid jobid")),
    };
    let mut sub_orders = vec![];
    let mut fail_list = vec![];
    for b in &job.buy_list {
        let days = b.account_duration.months * MONTH_DAYS + b.account_duration.days;
        let c = b.account_count;
        match state.place_order(&b.corpid, c.base_count, c.external_contact_count, days) {
            Ok(order) => sub_orders.push(order.order_id),
            Err(why) => fail_list.push(refusal(&b.corpid, why.errcode, why.errmsg)),
        }
    }
    let now = state.now();
    let parent = if sub_orders.is_empty() {
        String::new()
    } else {
        let order_id = format!("OI{}", credential(20));
        state.union_orders.push(UnionOrder {
            order_id: order_id.clone(),
            sub_orders,
            create_time: now,
        });
        order_id
    };
    if let Some(j) = state.new_order_jobs.get_mut(&asked.jobid) {
        j.submitted = Some((parent, fail_list));
        j.submitted_at = now;
    }
    Ok(ok(&serde_json::json!({})))
}

/// `new_order_job_result`.
pub fn job_result(state: &mut State, asked: JobId) -> Result<Reply, Reply> {
    let now = state.now();
    let job = state
        .new_order_jobs
        .get_mut(&asked.jobid)
        .filter(|j| j.submitted.is_none() || now < j.submitted_at + RESULT_KEPT_SECS)
        .ok_or_else(|| err(40058, "invalid jobid"))?;
    let Some((order_id, fail_list)) = job.submitted.clone() else {
        return Err(err(40058, "the job was not submitted"));
    };
    job.asked += 1;
    let status = match (job.asked, order_id.is_empty()) {
        (1, _) => JOB_CREATING,
        (_, true) => JOB_FAILED,
        _ => JOB_CREATED,
    };
    let done = status != JOB_CREATING;
    Ok(ok(&NewOrderJobResult {
        status,
        order_id: if done { order_id } else { String::new() },
        fail_list: if done { fail_list } else { vec![] },
    }))
}

/// `get_union_order`: the parent order and a page of its sub-orders.
pub fn union_order(state: &State, asked: UnionOrderRequest) -> Result<Reply, Reply> {
    let parent = state
        .union_orders
        .iter()
        .find(|u| u.order_id == asked.order_id)
        .ok_or_else(|| super::orders::BAD_ORDER.reply())?;
    let limit = match asked.limit {
        None => UNION_PAGE,
        Some(n) if (1..=UNION_PAGE_MAX as u64).contains(&n) => n as usize,
        Some(_) => return Err(err(40058, "limit must be 1..1000")),
    };
    let from: usize = match asked.cursor.filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c.parse().map_err(|_| err(40058, "invalid cursor"))?,
    };
    let subs: Vec<&crate::state::Order> = parent
        .sub_orders
        .iter()
        .filter_map(|id| state.orders.iter().find(|o| &o.order_id == id))
        .collect();
    let buy_list: Vec<SubOrder> = subs
        .iter()
        .skip(from)
        .take(limit)
        .map(|o| SubOrder {
            sub_order_id: o.order_id.clone(),
            corpid: o.corp_id.clone(),
            account_count: domain::wecom::AccountCount {
                base_count: o.base_count,
                external_contact_count: o.interconnect_count,
            },
            account_duration: domain::wecom::AccountDuration {
                months: 0,
                days: o.days,
                new_expire_time: 0,
            },
        })
        .collect();
    let more = from + buy_list.len() < subs.len();
    // The parent is paid, cancelled or expired with its sub-orders.
    let first = subs.first();
    Ok(ok(&UnionOrderReply {
        order: domain::wecom::UnionOrder {
            order_id: parent.order_id.clone(),
            order_type: OrderType::MultiCorpPurchase,
            order_status: first.map_or(OrderStatus::AwaitingPayment, |o| o.order_status),
            price: subs.iter().map(|o| super::payment::price_fen(o)).sum(),
            create_time: parent.create_time,
            pay_time: first.map_or(0, |o| o.pay_time),
        },
        has_more: more as u8,
        next_cursor: if more {
            (from + buy_list.len()).to_string()
        } else {
            String::new()
        },
        buy_list,
    }))
}

#[cfg(test)]
mod tests {
    use crate::sim::Sim;
    use crate::wecom::test_support::{call, installed_corps};
    use serde_json::{json, Value};

    fn installed(sim: &Sim) {
        installed_corps(sim, &[("wwa", false), ("wwb", false), ("wwtest", true)]);
    }

    fn buy(corp: &str, n: u64) -> Value {
        json!({"corpid": corp, "account_count": {"base_count": n}, "account_duration": {"months": 12}})
    }

    #[test]
    fn a_multi_organisation_order_leaves_test_organisations_out_and_pays_as_one() {
        let sim = Sim::for_tests();
        installed(&sim);
        let eleven: Vec<Value> = (0..11).map(|_| buy("wwa", 1)).collect();
        let r = call(&sim, "create_new_order_job", json!({"buy_list": eleven}));
        assert_eq!(r["errcode"], 40058, "ten a call: {r}");

        let r = call(
            &sim,
            "create_new_order_job",
            json!({"buy_list": [buy("wwa", 2), buy("wwtest", 1)]}),
        );
        assert_eq!(r["invalid_list"][0]["corpid"], "wwtest", "{r}");
        assert_eq!(r["invalid_list"][0]["errcode"], super::LEFT_OUT);
        let jobid = r["jobid"].as_str().unwrap().to_owned();
        let r = call(
            &sim,
            "create_new_order_job",
            json!({"buy_list": [buy("wwb", 3)], "jobid": jobid}),
        );
        assert_eq!(r["jobid"], jobid.as_str(), "{r}");
        let r = call(&sim, "submit_new_order_job", json!({"jobid": jobid}));
        assert_eq!(r["errcode"], 40058, "the buyer is required: {r}");
        let r = call(
            &sim,
            "submit_new_order_job",
            json!({"jobid": jobid, "buyer_userid": "ops"}),
        );
        assert_eq!(r["errcode"], 0, "{r}");
        assert!(
            r.get("order_id").is_none(),
            "the result names the order: {r}"
        );
        let r = call(
            &sim,
            "create_new_order_job",
            json!({"buy_list": [buy("wwa", 1)], "jobid": jobid}),
        );
        assert_eq!(r["errcode"], 40058, "a submitted job takes no more: {r}");

        let r = call(&sim, "new_order_job_result", json!({"jobid": jobid}));
        assert_eq!(r["status"], super::JOB_CREATING, "{r}");
        let r = call(&sim, "new_order_job_result", json!({"jobid": jobid}));
        assert_eq!(r["status"], super::JOB_CREATED, "{r}");
        let parent = r["order_id"].as_str().unwrap().to_owned();

        let u = call(
            &sim,
            "get_union_order",
            json!({"order_id": parent, "limit": 1}),
        );
        assert_eq!(u["order"]["order_type"], 8, "{u}");
        assert_eq!(
            (
                u["has_more"].as_u64(),
                u["buy_list"].as_array().map(Vec::len)
            ),
            (Some(1), Some(1))
        );
        let u2 = call(
            &sim,
            "get_union_order",
            json!({"order_id": parent, "cursor": u["next_cursor"]}),
        );
        let sub_b = u2["buy_list"][0]["sub_order_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(u2["buy_list"][0]["corpid"], "wwb", "{u2}");
        let r = call(&sim, "get_order", json!({"order_id": parent}));
        assert_eq!(r["errcode"], 701005, "get_order takes sub-orders only: {r}");
        let r = call(&sim, "get_order", json!({"order_id": sub_b}));
        assert_eq!(r["order"]["account_count"]["base_count"], 3, "{r}");

        // The provider's list shows the parent; an organisation's its sub-order.
        let all = call(&sim, "list_order", json!({}));
        let types: Vec<u64> = all["order_list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["order_type"].as_u64().unwrap())
            .collect();
        assert_eq!(types, [8], "{all}");
        let b = call(&sim, "list_order", json!({"corpid": "wwb"}));
        assert_eq!(b["order_list"][0]["order_id"], sub_b.as_str(), "{b}");

        // Paying the parent pays both sub-orders.
        let r = call(
            &sim,
            "submit_pay_job",
            json!({"payer_userid": "ops", "order_id": parent}),
        );
        let r = call(&sim, "pay_job_result", json!({"jobid": r["jobid"]}));
        assert_eq!(r["status"], 1, "{r}");
        let r = call(&sim, "get_order", json!({"order_id": sub_b}));
        assert_eq!(r["order"]["order_status"], 1, "{r}");
        let u = call(&sim, "get_union_order", json!({"order_id": parent}));
        assert_eq!(u["order"]["order_status"], 1, "{u}");
    }

    #[test]
    fn a_job_of_test_organisations_only_makes_no_order() {
        let sim = Sim::for_tests();
        installed(&sim);
        let r = call(
            &sim,
            "create_new_order_job",
            json!({"buy_list": [buy("wwtest", 1)]}),
        );
        let jobid = r["jobid"].as_str().unwrap().to_owned();
        call(
            &sim,
            "submit_new_order_job",
            json!({"jobid": jobid, "buyer_userid": "ops"}),
        );
        call(&sim, "new_order_job_result", json!({"jobid": jobid}));
        let r = call(&sim, "new_order_job_result", json!({"jobid": jobid}));
        assert_eq!(
            (r["status"].as_u64(), r["order_id"].as_str()),
            (Some(3), Some("")),
            "{r}"
        );
    }
}
