//! Paying an order from the provider's balance (document/path/99420):
//! `submit_pay_job {payer_userid, order_id}` → `jobid`, then
//! `pay_job_result {jobid}` → `status` 1 paid, 2 running, 3 failed (with
//! `pay_job_result.errcode`; the call's own errcode stays 0). The simulator
//! pays at once; a paid order's accounts are created and
//! `license_pay_success` is pushed, as when an organisation pays (for a
//! multi-organisation order, one for each organisation's sub-order).

use crate::state::{credential, Order, PayJob, State};
use crate::wire::{err, ok, Reply};
use domain::wecom::OrderStatus;
use serde::{Deserialize, Serialize};

/// An order not awaiting payment cannot be paid (errcode as WeCom's page
/// for paying data-zone orders lists it, 101397; the license page lists
/// none).
const NOT_AWAITING_PAYMENT: i64 = 701084;
/// The balance does not cover the order (101397).
const BALANCE_SHORT: i64 = 90433;
/// The simulator's price of an account-year, in fen (WeCom's prices are
/// the provider's own contract; only their sum against the balance
/// matters here).
const BASE_FEN_PER_YEAR: u64 = 5_000;
const INTERCONNECT_FEN_PER_YEAR: u64 = 5_000;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SubmitPayJob {
    payer_userid: String,
    order_id: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JobId {
    jobid: String,
}

#[derive(Serialize)]
struct Submitted {
    jobid: String,
}

#[derive(Serialize)]
struct Failure {
    errcode: i64,
    errmsg: String,
}

#[derive(Serialize)]
struct JobResult {
    status: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pay_job_result: Option<Failure>,
}

/// What an order costs in the simulator, in fen.
pub fn price_fen(order: &Order) -> u64 {
    (order.base_count * BASE_FEN_PER_YEAR + order.interconnect_count * INTERCONNECT_FEN_PER_YEAR)
        * order.days
        / 365
}

/// `submit_pay_job`: the order is paid now when the balance covers it
/// (the orders paid returned, so the caller can announce each: a
/// multi-organisation parent pays its sub-orders), or the job records why
/// not.
pub fn submit(state: &mut State, asked: SubmitPayJob) -> Result<(Reply, Vec<String>), Reply> {
    if asked.payer_userid.is_empty() || asked.order_id.is_empty() {
        return Err(err(40058, "payer_userid and order_id are required"));
    }
    let parts: Vec<String> = match state
        .union_orders
        .iter()
        .find(|u| u.order_id == asked.order_id)
    {
        Some(parent) => parent.sub_orders.clone(),
        None => vec![asked.order_id.clone()],
    };
    let orders: Vec<&Order> = parts
        .iter()
        .filter_map(|id| state.orders.iter().find(|o| &o.order_id == id))
        .collect();
    if orders.is_empty() {
        return Err(err(701005, "invalid order_id"));
    }
    let price: u64 = orders.iter().map(|o| price_fen(o)).sum();
    let refused = if orders
        .iter()
        .any(|o| o.order_status != OrderStatus::AwaitingPayment)
    {
        Some((NOT_AWAITING_PAYMENT, "the order is not awaiting payment"))
    } else if state.balance_fen.is_some_and(|b| b < price) {
        Some((
            BALANCE_SHORT,
            "the provider's balance does not cover the order",
        ))
    } else {
        None
    };
    let jobid = credential(24);
    let (status, errcode, errmsg, paid) = match refused {
        Some((errcode, errmsg)) => (3, errcode, errmsg, vec![]),
        None => {
            for id in &parts {
                state.pay(id).map_err(|e| err(NOT_AWAITING_PAYMENT, &e))?;
            }
            if let Some(b) = state.balance_fen.as_mut() {
                *b -= price;
            }
            (1, 0, "", parts)
        }
    };
    let job = PayJob {
        order_id: asked.order_id,
        status,
        errcode,
        errmsg: errmsg.into(),
    };
    state.pay_jobs.insert(jobid.clone(), job);
    Ok((ok(&Submitted { jobid }), paid))
}

/// `pay_job_result`.
pub fn result(state: &State, asked: JobId) -> Result<Reply, Reply> {
    let job = state
        .pay_jobs
        .get(&asked.jobid)
        .ok_or_else(|| err(40058, "invalid jobid"))?;
    Ok(ok(&JobResult {
        status: job.status,
        pay_job_result: (job.status == 3).then(|| Failure {
            errcode: job.errcode,
            errmsg: job.errmsg.clone(),
        }),
    }))
}
