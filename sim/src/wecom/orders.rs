//! WeCom's license orders (`create_new_order`, `list_order`, `get_order`,
//! `list_order_account`), answered for `license`: an order is placed here
//! and paid by the organisation (a control route), which creates its
//! accounts.

use crate::state::{credential, Order, RenewJob, State};
use crate::wire::{err, ok, Refusal, Reply};
use domain::wecom::{
    AccountCount, AccountDuration, AccountPage, InvalidRenewal, ListOrderRequest, OrderAccount,
    OrderId, OrderList, OrderReply, OrderSummary, OrderType, PlacedOrder, RenewOrderJob,
    RenewOrderJobReply, SubmitOrderJob,
};
use serde::Deserialize;

const DAY: u64 = 86_400;
/// A month of `account_duration.months` is 31 days (WeCom's license
/// pricing page).
const MONTH_DAYS: u64 = 31;
/// `list_order`: default and largest page.
const ORDER_PAGE: usize = 500;
const ORDER_PAGE_MAX: usize = 1000;
/// A start/end window of `list_order` may span at most 31 days.
const ORDER_WINDOW_SECS: u64 = 31 * DAY;

/// A test organisation's order: at most this many accounts of each type.
const TEST_ACCOUNTS_MAX: u64 = 1000;

pub const BAD_ORDER: Refusal = Refusal::new(701005, "invalid order_id");
/// `create_renew_order_job` takes at most 1000 members a call.
const RENEW_BATCH_MAX: usize = 1000;
/// `submit_order_job`: a renewal buys at most 36 months.
const RENEW_MONTHS_MAX: u64 = 36;
/// A member `create_renew_order_job` cannot renew: no account of that type
/// was ever activated for them.
const NOT_ACTIVATED: i64 = 701004;

/// `create_new_order` body: the parts the simulator uses.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewOrder {
    corpid: String,
    buyer_userid: String,
    account_count: AccountCount,
    account_duration: AccountDuration,
}

/// `list_order_account` body. The simulator answers in one page, so the
/// paging fields WeCom takes (optional there) are not read.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrderAccounts {
    order_id: String,
}

/// Places an order awaiting payment lasting `months * 31 + days` days
/// (document/path/97182).
pub fn create_order(state: &mut State, asked: NewOrder) -> Result<Reply, Reply> {
    let duration = asked.account_duration;
    let days = duration.months * MONTH_DAYS + duration.days;
    let count = asked.account_count;
    if asked.buyer_userid.is_empty() {
        return Err(err(40058, "buyer_userid is required"));
    }
    // A provider's test organisation buys at most 1000 of each type, for
    // exactly one month, never in days (97182).
    let test = state
        .corps
        .get(&asked.corpid)
        .is_some_and(|c| c.license.test_corp);
    if test
        && (count.base_count > TEST_ACCOUNTS_MAX
            || count.external_contact_count > TEST_ACCOUNTS_MAX
            || duration.months != 1
            || duration.days != 0)
    {
        return Err(err(
            40058,
            "a test organisation buys at most 1000 accounts of each type, for 1 month",
        ));
    }
    let order = state
        .place_order(
            &asked.corpid,
            count.base_count,
            count.external_contact_count,
            days,
        )
        .map_err(Refusal::reply)?;
    Ok(ok(&PlacedOrder {
        order_id: order.order_id,
    }))
}

/// The provider's orders, oldest first, optionally one organisation's and
/// a placing window of at most 31 days; cursor pages.
pub fn list_order(state: &State, asked: ListOrderRequest) -> Result<Reply, Reply> {
    let corp = asked.corpid.filter(|c| !c.is_empty());
    let window = match (asked.start_time, asked.end_time) {
        (None, None) => None,
        (Some(s), Some(e)) if s <= e && e - s <= ORDER_WINDOW_SECS => Some((s, e)),
        (Some(_), Some(_)) => {
            return Err(err(40058, "start_time..end_time must be within 31 days"))
        }
        _ => return Err(err(40058, "start_time and end_time go together")),
    };
    let limit = match asked.limit {
        None => ORDER_PAGE,
        Some(n) if (1..=ORDER_PAGE_MAX as u64).contains(&n) => n as usize,
        Some(_) => return Err(err(40058, "limit must be 1..1000")),
    };
    let from: usize = match asked.cursor.filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c.parse().map_err(|_| err(40058, "invalid cursor"))?,
    };
    let matching: Vec<&Order> = state
        .orders
        .iter()
        .filter(|o| corp.as_deref().is_none_or(|c| o.corp_id == c))
        .filter(|o| window.is_none_or(|(s, e)| (s..=e).contains(&o.create_time)))
        .collect();
    let order_list: Vec<OrderSummary> = matching
        .iter()
        .skip(from)
        .take(limit)
        .map(|o| OrderSummary {
            order_id: o.order_id.clone(),
            order_type: o.order_type,
        })
        .collect();
    let more = from + order_list.len() < matching.len();
    let next_cursor = if more {
        (from + order_list.len()).to_string()
    } else {
        String::new()
    };
    Ok(ok(&OrderList {
        next_cursor,
        has_more: more as u8,
        order_list,
    }))
}

pub fn get_order(state: &State, asked: OrderId) -> Result<Reply, Reply> {
    let o = state
        .orders
        .iter()
        .find(|o| o.order_id == asked.order_id)
        .ok_or_else(|| BAD_ORDER.reply())?;
    Ok(ok(&OrderReply {
        order: domain::wecom::Order {
            order_id: o.order_id.clone(),
            order_type: o.order_type,
            order_status: o.order_status,
            corpid: o.corp_id.clone(),
            price: 0,
            account_count: AccountCount {
                base_count: o.base_count,
                external_contact_count: o.interconnect_count,
            },
            account_duration: AccountDuration {
                months: 0,
                days: o.days,
                new_expire_time: 0,
            },
            create_time: o.create_time,
            pay_time: o.pay_time,
        },
    }))
}

/// An order's accounts, in one page: a purchase's codes (none before it is
/// paid), a renewal's members and types without codes.
pub fn order_accounts(state: &State, asked: OrderAccounts) -> Result<Reply, Reply> {
    let order = state
        .orders
        .iter()
        .find(|o| o.order_id == asked.order_id)
        .ok_or_else(|| BAD_ORDER.reply())?;
    let account_list = match order.order_type {
        OrderType::Renewal => order
            .renewals
            .iter()
            .map(|r| OrderAccount {
                active_code: None,
                userid: Some(r.userid.clone()),
                account_type: r.account_type,
            })
            .collect(),
        _ => state
            .accounts
            .iter()
            .filter(|a| a.order_id == asked.order_id)
            .map(|a| OrderAccount {
                active_code: Some(a.active_code.clone()),
                userid: a.userid.clone(),
                account_type: a.account_type,
            })
            .collect(),
    };
    Ok(ok(&AccountPage {
        next_cursor: String::new(),
        has_more: 0,
        account_list,
    }))
}

/// `create_renew_order_job`: collects members to renew (a job may grow over
/// several calls); members who never held that type are listed as invalid.
pub fn create_renew_job(state: &mut State, asked: RenewOrderJob) -> Result<Reply, Reply> {
    if asked.account_list.is_empty() || asked.account_list.len() > RENEW_BATCH_MAX {
        return Err(err(40058, "account_list: 1 to 1000 members"));
    }
    if !state.corps.get(&asked.corpid).is_some_and(|c| c.installed) {
        return Err(crate::state::NOT_AUTHORISED.reply());
    }
    let jobid = match asked.jobid.filter(|j| !j.is_empty()) {
        Some(j)
            if state
                .renew_jobs
                .get(&j)
                .is_some_and(|job| job.corp_id == asked.corpid) =>
        {
            j
        }
        Some(_) => return Err(err(40058, "invalid jobid")),
        None => {
            let j = credential(24);
            let job = RenewJob {
                corp_id: asked.corpid.clone(),
                accounts: vec![],
            };
            state.renew_jobs.insert(j.clone(), job);
            j
        }
    };
    let mut invalid_account_list = vec![];
    let mut valid = vec![];
    for a in asked.account_list {
        match state.held(&asked.corpid, &a.userid, a.account_type) {
            Some(_) => valid.push(a),
            None => invalid_account_list.push(InvalidRenewal {
                errcode: NOT_ACTIVATED,
                errmsg: "the member holds no account of this type".into(),
                userid: a.userid,
                account_type: a.account_type,
            }),
        }
    }
    if let Some(job) = state.renew_jobs.get_mut(&jobid) {
        job.accounts.extend(valid);
    }
    Ok(ok(&RenewOrderJobReply {
        jobid,
        invalid_account_list,
    }))
}

/// `submit_order_job`: the job becomes a renewal order awaiting payment,
/// in months of [`MONTH_DAYS`] (at most 36).
pub fn submit_renew_job(state: &mut State, asked: SubmitOrderJob) -> Result<Reply, Reply> {
    let months = asked.account_duration.months;
    if months == 0 || months > RENEW_MONTHS_MAX {
        return Err(err(40058, "account_duration.months: 1 to 36"));
    }
    let job = state
        .renew_jobs
        .remove(&asked.jobid)
        .ok_or_else(|| err(40058, "invalid jobid"))?;
    let order = state
        .place_renewal(&job.corp_id, job.accounts, months * MONTH_DAYS)
        .map_err(Refusal::reply)?;
    Ok(ok(&PlacedOrder {
        order_id: order.order_id,
    }))
}
