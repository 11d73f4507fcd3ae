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
/// `submit_order_job`: a renewal buys at most 60 months, or runs to a
/// `new_expire_time` at most 1860 days away (document/path/97183).
const RENEW_MONTHS_MAX: u64 = 60;
const RENEW_DAYS_MAX: u64 = 1860;
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
    // An organisation's list holds its sub-orders of multi-organisation
    // purchases; the provider's whole list holds their parents instead,
    // as type 8 (document/path/97185, 98888).
    let sub_order = |o: &Order| {
        state
            .union_orders
            .iter()
            .any(|u| u.sub_orders.contains(&o.order_id))
    };
    let mut matching: Vec<(u64, OrderSummary)> = state
        .orders
        .iter()
        .filter(|o| match corp.as_deref() {
            Some(c) => o.corp_id == c,
            None => !sub_order(o),
        })
        .map(|o| (o.create_time, summary(&o.order_id, o.order_type)))
        .collect();
    if corp.is_none() {
        let parents = state.union_orders.iter();
        matching.extend(parents.map(|u| {
            (
                u.create_time,
                summary(&u.order_id, OrderType::MultiCorpPurchase),
            )
        }));
        matching.sort_by_key(|(t, _)| *t);
    }
    matching.retain(|(t, _)| window.is_none_or(|(s, e)| (s..=e).contains(t)));
    let order_list: Vec<OrderSummary> = matching
        .iter()
        .skip(from)
        .take(limit)
        .map(|(_, o)| o.clone())
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

fn summary(order_id: &str, order_type: OrderType) -> OrderSummary {
    OrderSummary {
        order_id: order_id.to_owned(),
        order_type,
    }
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
            // Only what the order was placed with (97185).
            account_duration: AccountDuration {
                months: 0,
                days: if o.new_expire_time > 0 { 0 } else { o.days },
                new_expire_time: o.new_expire_time,
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
/// either `months` of [`MONTH_DAYS`] (1 to 60; a test organisation's, 1)
/// or to `new_expire_time`, snapped to the end of that day in China time
/// (after today, within 1860 days; not for a test organisation).
pub fn submit_renew_job(state: &mut State, asked: SubmitOrderJob) -> Result<Reply, Reply> {
    let job = state
        .renew_jobs
        .get(&asked.jobid)
        .cloned()
        .ok_or_else(|| err(40058, "invalid jobid"))?;
    if asked.buyer_userid.is_empty() {
        return Err(err(40058, "buyer_userid is required"));
    }
    let test = state
        .corps
        .get(&job.corp_id)
        .is_some_and(|c| c.license.test_corp);
    let (months, until) = (
        asked.account_duration.months,
        asked.account_duration.new_expire_time,
    );
    let now = state.now();
    let (days, new_expire_time) = match (months, until) {
        (0, 0) | (1.., 1..) => {
            return Err(err(
                40058,
                "account_duration: months or new_expire_time, one of them",
            ))
        }
        (m, 0) if m > RENEW_MONTHS_MAX || (test && m != 1) => {
            return Err(err(
                40058,
                "account_duration.months: 1 to 60 (a test organisation: 1)",
            ))
        }
        (m, 0) => (m * MONTH_DAYS, 0),
        (_, _) if test => return Err(err(40058, "a test organisation renews by months only")),
        (_, t) => {
            let end = end_of_china_day(t);
            if end <= end_of_china_day(now) || end > now + RENEW_DAYS_MAX * DAY {
                return Err(err(40058, "new_expire_time: after today, within 1860 days"));
            }
            ((end - now).div_ceil(DAY), end)
        }
    };
    state.renew_jobs.remove(&asked.jobid);
    let order = state
        .place_renewal(&job.corp_id, job.accounts, days)
        .map_err(Refusal::reply)?;
    if new_expire_time > 0 {
        if let Some(o) = state
            .orders
            .iter_mut()
            .find(|o| o.order_id == order.order_id)
        {
            o.new_expire_time = new_expire_time;
        }
    }
    Ok(ok(&PlacedOrder {
        order_id: order.order_id,
    }))
}

/// The last second of the China Standard Time day `t` falls in (WeCom's
/// 24:00:00 of that day).
fn end_of_china_day(t: u64) -> u64 {
    const CST: u64 = 8 * 3600;
    ((t + CST) / DAY + 1) * DAY - CST
}

#[cfg(test)]
mod tests {
    use super::DAY;
    use crate::sim::Sim;
    use crate::wecom::test_support::{call, installed_corps};
    use serde_json::json;

    /// `corp`'s member `dev` holding a base account: a renewal job for it.
    fn renewal_job(sim: &Sim, corp: &str) -> String {
        {
            let mut state = sim.state();
            let order = state.place_order(corp, 1, 0, 31).unwrap();
            state.pay(&order.order_id).unwrap();
            let a = state
                .accounts
                .iter_mut()
                .find(|a| a.order_id == order.order_id)
                .unwrap();
            (a.userid, a.active_time, a.expire_time) =
                (Some("dev".into()), Some(0), Some(u64::MAX / 2));
        }
        let r = call(
            sim,
            "create_renew_order_job",
            json!({"corpid": corp, "account_list": [{"userid": "dev", "type": 1}, {"userid": "nobody", "type": 1}]}),
        );
        assert_eq!(r["invalid_account_list"][0]["userid"], "nobody", "{r}");
        r["jobid"].as_str().unwrap().to_owned()
    }

    #[test]
    fn a_renewal_runs_1_to_60_months_or_to_a_date_and_a_test_organisation_one_month() {
        let sim = Sim::for_tests();
        installed_corps(&sim, &[("wwa", false), ("wwtest", true)]);
        let job = renewal_job(&sim, "wwa");
        let submit = |jobid: &str, duration| {
            call(
                &sim,
                "submit_order_job",
                json!({"jobid": jobid, "buyer_userid": "ops", "account_duration": duration}),
            )
        };
        assert_eq!(submit(&job, json!({"months": 61}))["errcode"], 40058);
        assert_eq!(
            submit(&job, json!({}))["errcode"],
            40058,
            "months or a date"
        );
        let now = sim.state().now();
        assert_eq!(
            submit(&job, json!({"new_expire_time": now}))["errcode"],
            40058,
            "not today"
        );
        assert_eq!(
            submit(&job, json!({"new_expire_time": now + 1861 * DAY}))["errcode"],
            40058,
            "within 1860 days"
        );
        let placed = submit(&job, json!({"months": 60}));
        assert_eq!(placed["errcode"], 0, "{placed}");
        let order = call(&sim, "get_order", json!({"order_id": placed["order_id"]}));
        assert_eq!(
            order["order"]["account_duration"]["days"],
            60 * 31,
            "{order}"
        );

        let to_date = renewal_job(&sim, "wwa");
        let placed = submit(&to_date, json!({"new_expire_time": now + 100 * DAY}));
        let order = call(&sim, "get_order", json!({"order_id": placed["order_id"]}));
        let until = order["order"]["account_duration"]["new_expire_time"]
            .as_u64()
            .unwrap();
        assert_eq!(
            (until + 8 * 3600) % DAY,
            0,
            "the end of a China day: {order}"
        );

        let test = renewal_job(&sim, "wwtest");
        assert_eq!(submit(&test, json!({"months": 2}))["errcode"], 40058);
        assert_eq!(
            submit(&test, json!({"new_expire_time": now + 40 * DAY}))["errcode"],
            40058
        );
        assert_eq!(submit(&test, json!({"months": 1}))["errcode"], 0);
    }
}
