//! What WeCom does with orders of interface licenses: placing a purchase
//! or a renewal within its bounds, the accounts a member holds, and paying
//! (codes created, renewals stacked up to five years).

use crate::state::{
    credential, Account, Order, State, BAD_ACCOUNT_COUNT, BAD_DURATION, DAY, MAX_STACKED_SECS,
    NOT_AUTHORISED, ORDER_ACCOUNTS_MAX, ORDER_DAYS_MAX, ORDER_DAYS_MIN,
};
use crate::wire::Refusal;
use domain::wecom::{AccountStatus, OrderStatus, OrderType, RenewAccount};

impl State {
    /// Places an order awaiting payment (`create_new_order`, or the control
    /// route's shortcut). Counts and duration as WeCom bounds them.
    pub fn place_order(
        &mut self,
        corp: &str,
        base: u64,
        interconnect: u64,
        days: u64,
    ) -> Result<Order, Refusal> {
        if !self.corps.get(corp).is_some_and(|c| c.installed) {
            return Err(NOT_AUTHORISED);
        }
        if base + interconnect == 0
            || base > ORDER_ACCOUNTS_MAX
            || interconnect > ORDER_ACCOUNTS_MAX
        {
            return Err(BAD_ACCOUNT_COUNT);
        }
        if !(ORDER_DAYS_MIN..=ORDER_DAYS_MAX).contains(&days) {
            return Err(BAD_DURATION);
        }
        let now = self.now();
        let order = Order {
            order_id: format!("OI{}", credential(20)),
            corp_id: corp.to_owned(),
            order_type: OrderType::Purchase,
            base_count: base,
            interconnect_count: interconnect,
            days,
            create_time: now,
            pay_time: 0,
            order_status: OrderStatus::AwaitingPayment,
            renewals: vec![],
            new_expire_time: 0,
        };
        self.orders.push(order.clone());
        Ok(order)
    }

    /// Places a renewal order of these members' accounts, awaiting payment
    /// (`submit_order_job`, or the control route's shortcut).
    pub fn place_renewal(
        &mut self,
        corp: &str,
        renewals: Vec<RenewAccount>,
        days: u64,
    ) -> Result<Order, Refusal> {
        if !self.corps.get(corp).is_some_and(|c| c.installed) {
            return Err(NOT_AUTHORISED);
        }
        if renewals.is_empty() || renewals.len() as u64 > ORDER_ACCOUNTS_MAX {
            return Err(BAD_ACCOUNT_COUNT);
        }
        if !(ORDER_DAYS_MIN..=ORDER_DAYS_MAX).contains(&days) {
            return Err(BAD_DURATION);
        }
        let count = |t: u8| renewals.iter().filter(|r| r.account_type == t).count() as u64;
        let order = Order {
            order_id: format!("OI{}", credential(20)),
            corp_id: corp.to_owned(),
            order_type: OrderType::Renewal,
            base_count: count(1),
            interconnect_count: count(2),
            days,
            create_time: self.now(),
            pay_time: 0,
            order_status: OrderStatus::AwaitingPayment,
            renewals,
            new_expire_time: 0,
        };
        self.orders.push(order.clone());
        Ok(order)
    }

    /// The account a member holds of a type: the valid one, else the one
    /// that ended last (WeCom lists at most one per type).
    pub fn held(&self, corp: &str, userid: &str, t: u8) -> Option<usize> {
        let now = self.now();
        let mine = |a: &Account| {
            a.corp_id == corp
                && a.userid.as_deref() == Some(userid)
                && a.account_type == t
                && a.set_status != Some(AccountStatus::Merged)
        };
        self.accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| mine(a))
            .max_by_key(|(_, a)| (a.expire_time.is_some_and(|e| e > now), a.expire_time))
            .map(|(i, _)| i)
    }

    /// The buyer pays: WeCom creates the order's accounts. Paying twice is
    /// refused, so a retried control call cannot double the accounts.
    pub fn pay(&mut self, order_id: &str) -> Result<Order, String> {
        let now = self.now();
        let Some(order) = self.orders.iter_mut().find(|o| o.order_id == order_id) else {
            return Err("order not found".into());
        };
        if order.order_status != OrderStatus::AwaitingPayment {
            return Err(format!("order {order_id} is not awaiting payment"));
        }
        order.order_status = OrderStatus::Paid;
        order.pay_time = now;
        let order = order.clone();
        if order.order_type == OrderType::Renewal {
            self.renew(&order, now);
            return Ok(order);
        }
        for (t, n) in [(1u8, order.base_count), (2u8, order.interconnect_count)] {
            for _ in 0..n {
                self.accounts.push(Account {
                    active_code: format!("AC{}", credential(18)),
                    corp_id: order.corp_id.clone(),
                    order_id: order.order_id.clone(),
                    account_type: t,
                    days: order.days,
                    userid: None,
                    active_time: None,
                    expire_time: None,
                    transferable_after: 0,
                    create_time: now,
                    set_status: None,
                });
            }
        }
        Ok(order)
    }

    /// A paid renewal: each member's account of the type gains the order's
    /// days (from its expiry, or from now once expired), cut at five years
    /// from now. The time moves to a new code of the order and the old code
    /// is merged into it (status 5), as WeCom does for API renewals.
    fn renew(&mut self, order: &Order, now: u64) {
        for r in &order.renewals {
            let Some(i) = self.held(&order.corp_id, &r.userid, r.account_type) else {
                continue; // refused when the job was made
            };
            let old = &mut self.accounts[i];
            let from = old.expire_time.unwrap_or(now).max(now);
            let expire = match order.new_expire_time {
                0 => (from + order.days * DAY).min(now + MAX_STACKED_SECS),
                until => until.max(from),
            };
            old.set_status = Some(AccountStatus::Merged);
            old.expire_time = Some(now.min(old.expire_time.unwrap_or(now)));
            let renewed = Account {
                active_code: format!("AC{}", credential(18)),
                corp_id: order.corp_id.clone(),
                order_id: order.order_id.clone(),
                account_type: r.account_type,
                days: order.days,
                userid: Some(r.userid.clone()),
                active_time: Some(now),
                expire_time: Some(expire),
                transferable_after: old.transferable_after,
                create_time: now,
                set_status: None,
            };
            self.accounts.push(renewed);
        }
    }
}
