//! WeCom's license orders (`create_new_order`, `list_order`, `get_order`,
//! `list_order_account`), answered for `license`: an order is placed here
//! and paid by the organisation (a control route), which creates its
//! accounts.

use crate::state::{Order, State};
use crate::wire::{err, ok, Refusal, Reply};
use domain::wecom::{
    AccountCount, AccountDuration, AccountPage, OrderAccount, OrderId, OrderReply,
};
use serde::{Deserialize, Serialize};

const DAY: u64 = 86_400;
/// A month of `account_duration.months` is 31 days (WeCom's license
/// pricing page).
const MONTH_DAYS: u64 = 31;
/// `list_order`: default and largest page.
const ORDER_PAGE: usize = 500;
const ORDER_PAGE_MAX: usize = 1000;
/// A start/end window of `list_order` may span at most 31 days.
const ORDER_WINDOW_SECS: u64 = 31 * DAY;

pub const BAD_ORDER: Refusal = Refusal::new(701005, "invalid order_id");

/// `create_new_order` body: the parts the simulator uses.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewOrder {
    corpid: String,
    account_count: AccountCount,
    account_duration: AccountDuration,
}

#[derive(Serialize)]
struct NewOrderReply {
    order_id: String,
}

/// `list_order` body: every field optional.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListOrder {
    corpid: Option<String>,
    start_time: Option<u64>,
    end_time: Option<u64>,
    limit: Option<u64>,
    cursor: Option<String>,
}

/// `list_order` reply.
#[derive(Serialize)]
struct OrderList {
    next_cursor: String,
    has_more: u8,
    order_list: Vec<OrderSummary>,
}

#[derive(Serialize)]
struct OrderSummary {
    order_id: String,
    order_type: u8,
}

/// `list_order_account` body. The simulator answers in one page, so the
/// paging fields WeCom takes (optional there) are not read.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrderAccounts {
    order_id: String,
}

/// Places an order awaiting payment; its duration in days, or else in
/// months of [`MONTH_DAYS`].
pub fn create_order(state: &mut State, asked: NewOrder) -> Result<Reply, Reply> {
    let duration = asked.account_duration;
    let days = if duration.days > 0 {
        duration.days
    } else {
        duration.months * MONTH_DAYS
    };
    let count = asked.account_count;
    let order = state
        .place_order(
            &asked.corpid,
            count.base_count,
            count.external_contact_count,
            days,
        )
        .map_err(Refusal::reply)?;
    Ok(ok(&NewOrderReply {
        order_id: order.order_id,
    }))
}

/// The provider's orders, oldest first, optionally one organisation's and
/// a placing window of at most 31 days; cursor pages.
pub fn list_order(state: &State, asked: ListOrder) -> Result<Reply, Reply> {
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
            order_type: 1,
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
            order_type: 1,
            order_status: o.order_status,
            corpid: o.corp_id.clone(),
            account_count: AccountCount {
                base_count: o.base_count,
                external_contact_count: o.interconnect_count,
            },
            account_duration: AccountDuration {
                months: 0,
                days: o.days,
            },
            create_time: o.create_time,
            pay_time: o.pay_time,
        },
    }))
}

/// An order's accounts, in one page.
pub fn order_accounts(state: &State, asked: OrderAccounts) -> Result<Reply, Reply> {
    let account_list = state
        .accounts
        .iter()
        .filter(|a| a.order_id == asked.order_id)
        .map(|a| OrderAccount {
            active_code: a.active_code.clone(),
            userid: a.userid.clone(),
            account_type: a.account_type,
        })
        .collect();
    Ok(ok(&AccountPage {
        next_cursor: String::new(),
        has_more: 0,
        account_list,
    }))
}
