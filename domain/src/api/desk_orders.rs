//! Orders from the provider's desk: new seats for one organisation
//! (`create_new_order`) or several in one order (`create_new_order_job`),
//! renewals of the seats about to end (`create_renew_order_job`), and
//! paying from the provider's balance (`submit_pay_job`).

use serde::{Deserialize, Serialize};

/// A caller's request id: 8 to 64 letters, digits, `-` or `_`.
fn check_request_id(id: &str) -> Result<(), String> {
    if !(8..=64).contains(&id.len())
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err("request_id: 8 to 64 letters, digits, - or _".into());
    }
    Ok(())
}

/// `create_new_order` (document/path/97182): at most this many accounts
/// of each type in one order.
pub const ORDER_ACCOUNTS_MAX: u64 = 1_000_000;
/// A month of `account_duration.months` is 31 days; an order lasts from
/// one month (31 days) to 60 months (1 860 days) in all (97182).
pub const ORDER_MONTH_DAYS: u64 = 31;
pub const ORDER_DAYS_MIN: u64 = 31;
pub const ORDER_DAYS_MAX: u64 = 1860;

/// `POST /api/v1/desk/corps/{corp_id}/orders`: new seats for one
/// organisation (`license/create_new_order`), bought by the signed-in
/// operator. `request_id` makes a retry (a double click) the same order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskOrderRequest {
    /// The caller's id for this order: 8 to 64 letters, digits, `-` or `_`.
    pub request_id: String,
    #[serde(default)]
    pub base_count: u64,
    #[serde(default)]
    pub interconnect_count: u64,
    #[serde(default)]
    pub months: u64,
    #[serde(default)]
    pub days: u64,
}

impl DeskOrderRequest {
    /// What WeCom would refuse, said before asking it.
    pub fn check(&self) -> Result<(), String> {
        check_request_id(&self.request_id)?;
        if self.base_count + self.interconnect_count == 0 {
            return Err("an order buys at least one account".into());
        }
        if self.base_count > ORDER_ACCOUNTS_MAX || self.interconnect_count > ORDER_ACCOUNTS_MAX {
            return Err(format!(
                "at most {ORDER_ACCOUNTS_MAX} accounts of each type"
            ));
        }
        let days = self
            .months
            .saturating_mul(ORDER_MONTH_DAYS)
            .saturating_add(self.days);
        if !(ORDER_DAYS_MIN..=ORDER_DAYS_MAX).contains(&days) {
            return Err(format!(
                "months x 31 + days is {days}: from {ORDER_DAYS_MIN} to {ORDER_DAYS_MAX} days"
            ));
        }
        Ok(())
    }
}

/// The order the desk placed (awaiting payment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskOrderPlaced {
    pub order_id: String,
}

/// `POST /api/v1/desk/corps/{corp_id}/orders/pay`: pays an order from the
/// provider's balance (`license/submit_pay_job`, page 99420).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskPayRequest {
    pub order_id: String,
}

/// How the payment went: `paid` (the seats arrive with WeCom's
/// `license_pay_success`, or the next reconcile), `running` (WeCom is still
/// paying: look again), or `failed` with WeCom's errcode and reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskPaid {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errcode: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One organisation's part of a multi-organisation order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskBuy {
    pub corp_id: String,
    #[serde(default)]
    pub base_count: u64,
    #[serde(default)]
    pub interconnect_count: u64,
}

/// Organisations one desk request may put in a multi-organisation order.
/// WeCom takes 100 000 a job, ten a call (document/path/98887); each call
/// is a subrequest of the Worker's invocation, so 200 organisations are 20
/// calls, well inside the 50 subrequests of Workers' Free plan
/// (developers.cloudflare.com/workers/platform/limits).
pub const DESK_BUY_MAX: usize = 200;

/// `POST /api/v1/desk/orders`: new seats for several organisations in one
/// multi-organisation order (`license/create_new_order_job` +
/// `submit_new_order_job`, page 98887), all for the same time, bought by
/// the signed-in operator. Test organisations cannot be in one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskMultiOrderRequest {
    /// The caller's id for this order, as in [`DeskOrderRequest`].
    pub request_id: String,
    pub buy_list: Vec<DeskBuy>,
    #[serde(default)]
    pub months: u64,
    #[serde(default)]
    pub days: u64,
}

impl DeskMultiOrderRequest {
    /// What WeCom would refuse, said before asking it: each organisation's
    /// part as a one-organisation order, each organisation once.
    pub fn check(&self) -> Result<(), String> {
        if self.buy_list.len() < 2 || self.buy_list.len() > DESK_BUY_MAX {
            return Err(format!(
                "buy_list: 2 to {DESK_BUY_MAX} organisations (one: order on its page)"
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for b in &self.buy_list {
            if !seen.insert(b.corp_id.as_str()) {
                return Err(format!("{} is in the list twice", b.corp_id));
            }
            DeskOrderRequest {
                request_id: self.request_id.clone(),
                base_count: b.base_count,
                interconnect_count: b.interconnect_count,
                months: self.months,
                days: self.days,
            }
            .check()
            .map_err(|e| format!("{}: {e}", b.corp_id))?;
        }
        Ok(())
    }
}

/// An organisation WeCom left out of an order, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskLeftOut {
    pub corp_id: String,
    pub errcode: i64,
    pub message: String,
}

/// The multi-organisation order: `created` with its order id (pay it
/// with `POST /api/v1/desk/orders/pay`), `creating` (WeCom is still
/// making it: send the same request again), or `failed`; with the
/// organisations WeCom left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskMultiPlaced {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default)]
    pub left_out: Vec<DeskLeftOut>,
}

/// `GET /api/v1/desk/corps/{corp_id}/renewals?within_days=N`: the seats a
/// renewal would renew, members whose seat ends within N days (1 to 365).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskRenewal {
    pub userid: String,
    /// 1 base, 2 interconnect.
    #[serde(rename = "type")]
    pub account_type: u8,
    pub expire_time: u64,
}

/// The renewal's preview: how many seats end within the days asked, and
/// the first of them, soonest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskRenewals {
    pub total: u64,
    pub items: Vec<DeskRenewal>,
}

/// `GET .../renewals` query: `within_days`, 1 to 365 (default 30).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskRenewalsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u64>"))]
    pub within_days: Option<String>,
}

impl DeskRenewalsQuery {
    pub fn days(&self) -> Result<u64, String> {
        match self.within_days.as_deref() {
            None | Some("") => Ok(crate::api::EXPIRING_DAYS),
            Some(d) => d
                .parse()
                .ok()
                .filter(|d| (1..=RENEW_WITHIN_MAX).contains(d))
                .ok_or_else(|| format!("within_days: 1 to {RENEW_WITHIN_MAX}")),
        }
    }
}

/// Largest `within_days` a renewal looks ahead.
pub const RENEW_WITHIN_MAX: u64 = 365;
/// A renewal buys 1 to 60 months (document/path/97183).
pub const RENEW_MONTHS_MAX: u64 = 60;

/// `POST /api/v1/desk/corps/{corp_id}/renewals`: renews the seats ending
/// within `within_days` for `months` (`license/create_renew_order_job`,
/// a thousand members a call, + `submit_order_job`, page 97183).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskRenewRequest {
    pub request_id: String,
    pub within_days: u64,
    pub months: u64,
}

impl DeskRenewRequest {
    pub fn check(&self) -> Result<(), String> {
        check_request_id(&self.request_id)?;
        if !(1..=RENEW_WITHIN_MAX).contains(&self.within_days) {
            return Err(format!("within_days: 1 to {RENEW_WITHIN_MAX}"));
        }
        if !(1..=RENEW_MONTHS_MAX).contains(&self.months) {
            return Err(format!("months: 1 to {RENEW_MONTHS_MAX}"));
        }
        Ok(())
    }
}

/// A seat WeCom would not renew, and why (`invalid_account_list`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskNotRenewed {
    pub userid: String,
    #[serde(rename = "type")]
    pub account_type: u8,
    pub errcode: i64,
    pub message: String,
}

/// The renewal order (awaiting payment: pay it as any order), how many
/// seats it renews, and those WeCom refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DeskRenewPlaced {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    pub renewing: u64,
    #[serde(default)]
    pub refused: Vec<DeskNotRenewed>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_checked_as_wecom_would() {
        let order = |base, months, days| DeskOrderRequest {
            request_id: "r-12345678".into(),
            base_count: base,
            interconnect_count: 0,
            months,
            days,
        };
        assert_eq!(order(5, 1, 0).check(), Ok(()));
        assert_eq!(order(5, 0, 31).check(), Ok(()), "a month in days");
        assert_eq!(order(5, 60, 0).check(), Ok(()), "1860 days");
        assert!(order(5, 60, 1).check().is_err(), "1861 days");
        assert!(order(5, 0, 30).check().is_err(), "under a month");
        assert!(order(0, 1, 0).check().is_err(), "nothing to buy");
        assert!(order(1_000_001, 1, 0).check().is_err());
        assert!(order(5, u64::MAX, 0).check().is_err(), "no overflow");
        let short_id = DeskOrderRequest {
            request_id: "r1".into(),
            ..order(5, 1, 0)
        };
        assert!(short_id.check().is_err());
    }

    #[test]
    fn a_multi_organisation_order_is_checked_for_each_organisation() {
        let buy = |corp: &str, base| DeskBuy {
            corp_id: corp.into(),
            base_count: base,
            interconnect_count: 0,
        };
        let order = |buy_list| DeskMultiOrderRequest {
            request_id: "r-12345678".into(),
            buy_list,
            months: 12,
            days: 0,
        };
        assert_eq!(order(vec![buy("a", 1), buy("b", 2)]).check(), Ok(()));
        assert!(
            order(vec![buy("a", 1)]).check().is_err(),
            "one organisation"
        );
        assert!(
            order(vec![buy("a", 1), buy("a", 2)]).check().is_err(),
            "twice"
        );
        let e = order(vec![buy("a", 1), buy("b", 0)]).check().unwrap_err();
        assert!(e.starts_with("b: "), "{e}");
        let many = (0..=DESK_BUY_MAX).map(|i| buy(&i.to_string(), 1)).collect();
        assert!(order(many).check().is_err());
    }

    #[test]
    fn a_renewal_is_checked_as_wecom_would() {
        let r = |within_days, months| DeskRenewRequest {
            request_id: "r-12345678".into(),
            within_days,
            months,
        };
        assert_eq!(r(30, 12).check(), Ok(()));
        assert_eq!(r(365, 60).check(), Ok(()));
        assert!(r(30, 61).check().is_err(), "past 60 months");
        assert!(r(0, 12).check().is_err());
        assert!(r(30, 0).check().is_err());
    }
}
