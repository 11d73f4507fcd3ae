//! WeCom's interface-license API (`cgi-bin/license/*`, provider token), with
//! WeCom's rules written here independently of `domain::seat`: renew only
//! with ≤ 20 days left, at most five years stacked (701030), transfers wait
//! 30 days after leaving an active in-range member, batches ≤ 1000.

use crate::range::visible;
use crate::sim::Sim;
use crate::state::{Account, Order, State};
use crate::wire::{err, no_such_api, ok, Refusal, Reply, Req};
use serde_json::{json, Value};

const DAY: u64 = 86_400;
/// An activation code must be bound within a year of its order's payment.
const CODE_BIND_WINDOW_SECS: u64 = 365 * DAY;
/// A month of `account_duration.months` is 31 days.
const MONTH_DAYS: u64 = 31;
/// `list_order`: default and largest page.
const ORDER_PAGE: usize = 500;
const ORDER_PAGE_MAX: usize = 1000;
/// A start/end window of `list_order` may span at most 31 days.
const ORDER_WINDOW_SECS: u64 = 31 * DAY;
/// `batch_get_active_info_by_code` takes at most this many codes.
const CODE_BATCH_MAX: usize = 1000;
/// The free trial runs this long from the first install.
const TRIAL_SECS: u64 = 90 * DAY;

fn provider_token_ok(state: &State, req: &Req) -> Result<(), Reply> {
    let token = req
        .query("provider_access_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| err(41001, "provider_access_token missing"))?;
    match state.provider_tokens.get(token) {
        None => Err(err(40014, "invalid provider_access_token")),
        Some(&exp) if exp <= state.now() => Err(err(42001, "provider_access_token expired")),
        Some(_) => Ok(()),
    }
}

/// A member's active account of one type, if any.
fn held<'a>(state: &'a State, corp: &str, userid: &str, t: u8, now: u64) -> Option<&'a Account> {
    state.accounts.iter().find(|a| {
        a.corp_id == corp
            && a.userid.as_deref() == Some(userid)
            && a.account_type == t
            && a.expire_time.is_some_and(|e| e > now)
    })
}

fn member_visible(state: &State, corp: &str, userid: &str) -> Option<bool> {
    let c = state.corps.get(corp)?;
    let u = c.users.iter().find(|u| u.userid == userid)?;
    Some(visible(c).sees(u))
}

/// Activates one code for one member; the WeCom errcode when it cannot.
fn activate(state: &mut State, corp: &str, code: &str, userid: &str) -> i64 {
    let now = state.now();
    match member_visible(state, corp, userid) {
        // 701019: the userid is not a member the app may see.
        None | Some(false) => return 701019,
        Some(true) => {}
    }
    let Some(i) = state
        .accounts
        .iter()
        .position(|a| a.active_code == code && a.corp_id == corp)
    else {
        return 701002; // not a license account of this organisation
    };
    if state.accounts[i].userid.is_some() {
        return 701003; // code already bound
    }
    if now > state.accounts[i].create_time + CODE_BIND_WINDOW_SECS {
        return 701012; // a code must be bound within 365 days of purchase
    }
    let t = state.accounts[i].account_type;
    let days = state.accounts[i].days;
    let mut expire = now + days * DAY;
    if let Some(h) = held(state, corp, userid, t, now) {
        let left = h.expire_time.unwrap_or(now) - now;
        if left > 20 * DAY {
            return 701011; // userid already bound: more than 20 days left
        }
        expire += left;
        if expire - now > 5 * 365 * DAY {
            return 701030;
        }
        let old = h.active_code.clone();
        if let Some(o) = state.accounts.iter_mut().find(|a| a.active_code == old) {
            o.expire_time = Some(now); // merged into the new one
        }
    }
    let a = &mut state.accounts[i];
    a.userid = Some(userid.to_owned());
    a.active_time = Some(now);
    a.expire_time = Some(expire);
    0
}

fn transfer(state: &mut State, corp: &str, handover: &str, takeover: &str) -> i64 {
    let now = state.now();
    if handover == takeover || member_visible(state, corp, takeover) != Some(true) {
        return 701019;
    }
    // The handover's active accounts (any type) move.
    let codes: Vec<(String, u8, u64)> = state
        .accounts
        .iter()
        .filter(|a| {
            a.corp_id == corp
                && a.userid.as_deref() == Some(handover)
                && a.expire_time.is_some_and(|e| e > now)
        })
        .map(|a| (a.active_code.clone(), a.account_type, a.transferable_after))
        .collect();
    if codes.is_empty() {
        return 701016; // handover holds no active, unexpired account
    }
    if codes.iter().any(|(_, _, after)| *after > now) {
        return 701017; // transferred within 30 days
    }
    for (_, t, _) in &codes {
        if let Some(h) = held(state, corp, takeover, *t, now) {
            if h.expire_time.unwrap_or(now) - now > 20 * DAY {
                return 701018; // takeover already holds this type
            }
        }
    }
    // Leaving an active member inside the range starts the 30-day wait.
    let handover_active_in_range = member_visible(state, corp, handover) == Some(true);
    for (code, t, _) in codes {
        if let Some(old) = held(state, corp, takeover, t, now).map(|h| h.active_code.clone()) {
            if let Some(o) = state.accounts.iter_mut().find(|a| a.active_code == old) {
                o.expire_time = Some(now);
            }
        }
        if let Some(a) = state.accounts.iter_mut().find(|a| a.active_code == code) {
            a.userid = Some(takeover.to_owned());
            a.transferable_after = if handover_active_in_range {
                now + 30 * DAY
            } else {
                0
            };
        }
    }
    0
}

/// An account as `get_active_info_by_*` describe it: status 1 unbound,
/// 2 bound and valid, 3 expired; the binding fields only once bound.
fn account_json(a: &Account, now: u64) -> Value {
    let status = match (&a.userid, a.expire_time) {
        (None, _) => 1,
        (Some(_), Some(e)) if e > now => 2,
        _ => 3,
    };
    let mut v = json!({"active_code": a.active_code, "type": a.account_type, "status": status,
                       "create_time": a.create_time});
    if let (Some(u), Some(at), Some(exp)) = (&a.userid, a.active_time, a.expire_time) {
        v["userid"] = json!(u);
        v["active_time"] = json!(at);
        v["expire_time"] = json!(exp);
    }
    v
}

/// Answers `cgi-bin/license/{call}`.
pub fn handle(sim: &Sim, req: &Req, call: &str) -> Reply {
    let mut state = sim.state();
    let reply = (|| -> Result<Reply, Reply> {
        provider_token_ok(&state, req)?;
        let v: Value =
            serde_json::from_slice(&req.body).map_err(|_| err(47001, "data format error"))?;
        let corp = v["corpid"].as_str().unwrap_or_default().to_owned();
        let now = state.now();
        Ok(match call {
            "create_new_order" | "create_order" => {
                let count = &v["account_count"];
                let duration = &v["account_duration"];
                let days = duration["days"]
                    .as_u64()
                    .or_else(|| duration["months"].as_u64().map(|m| m * MONTH_DAYS))
                    .unwrap_or(0);
                let o = state
                    .place_order(
                        &corp,
                        count["base_count"].as_u64().unwrap_or(0),
                        count["external_contact_count"].as_u64().unwrap_or(0),
                        days,
                    )
                    .map_err(Refusal::reply)?;
                ok(&json!({"order_id": o.order_id}))
            }
            "list_order" => return list_order(&state, &v),
            "get_order" => {
                let o = state
                    .orders
                    .iter()
                    .find(|o| Some(o.order_id.as_str()) == v["order_id"].as_str())
                    .ok_or_else(|| err(701005, "invalid order_id"))?;
                ok(&json!({"order": order_json(o)}))
            }
            "get_active_info_by_code" => {
                let code = v["active_code"].as_str().unwrap_or_default();
                let a = state
                    .accounts
                    .iter()
                    .find(|a| a.corp_id == corp && a.active_code == code)
                    .ok_or_else(|| err(701002, "invalid active_code"))?;
                ok(&json!({"active_info": account_json(a, now)}))
            }
            "batch_get_active_info_by_code" => {
                let codes: Vec<&str> = v["active_code_list"]
                    .as_array()
                    .map(|l| l.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if codes.is_empty() || codes.len() > CODE_BATCH_MAX {
                    return Err(err(40058, "active_code_list: 1 to 1000 codes"));
                }
                let (mut found, mut invalid) = (Vec::new(), Vec::new());
                for code in codes {
                    match state
                        .accounts
                        .iter()
                        .find(|a| a.corp_id == corp && a.active_code == code)
                    {
                        Some(a) => found.push(account_json(a, now)),
                        None => invalid.push(code),
                    }
                }
                if found.is_empty() {
                    return Err(err(701010, "every active_code is invalid"));
                }
                ok(&json!({"active_info_list": found, "invalid_active_code_list": invalid}))
            }
            "get_app_license_info" => {
                let c = state
                    .corps
                    .get_mut(&corp)
                    .filter(|c| c.installed)
                    .ok_or_else(|| err(40013, "invalid corpid"))?;
                // A state saved before installs were dated starts counting now.
                let start = *c.first_installed_at.get_or_insert(now);
                ok(&json!({
                    "license_status": 1,
                    "trail_info": {"start_time": start, "end_time": start + TRIAL_SECS},
                    "license_check_time": start,
                }))
            }
            "list_order_account" => {
                let order_id = v["order_id"].as_str().unwrap_or_default();
                let list: Vec<Value> = state
                    .accounts
                    .iter()
                    .filter(|a| a.order_id == order_id)
                    .map(|a| json!({"active_code": a.active_code, "userid": a.userid, "type": a.account_type}))
                    .collect();
                ok(&json!({"next_cursor": "", "has_more": 0, "account_list": list}))
            }
            "active_account" => {
                let code = v["active_code"].as_str().unwrap_or_default().to_owned();
                let userid = v["userid"].as_str().unwrap_or_default().to_owned();
                match activate(&mut state, &corp, &code, &userid) {
                    0 => ok(&json!({})),
                    e => return Err(err(e, "activation refused")),
                }
            }
            "batch_active_account" => {
                let list = v["active_list"].as_array().cloned().unwrap_or_default();
                if list.len() > 1000 {
                    return Err(err(40058, "active_list longer than 1000"));
                }
                let results: Vec<Value> = list
                    .iter()
                    .map(|item| {
                        let code = item["active_code"].as_str().unwrap_or_default().to_owned();
                        let userid = item["userid"].as_str().unwrap_or_default().to_owned();
                        let e = activate(&mut state, &corp, &code, &userid);
                        json!({"active_code": code, "userid": userid, "errcode": e})
                    })
                    .collect();
                ok(&json!({"active_result": results}))
            }
            "batch_transfer_license" => {
                let list = v["transfer_list"].as_array().cloned().unwrap_or_default();
                if list.len() > 1000 {
                    return Err(err(40058, "transfer_list longer than 1000"));
                }
                let results: Vec<Value> = list
                    .iter()
                    .map(|p| {
                        let h = p["handover_userid"].as_str().unwrap_or_default().to_owned();
                        let t = p["takeover_userid"].as_str().unwrap_or_default().to_owned();
                        let e = transfer(&mut state, &corp, &h, &t);
                        json!({"handover_userid": h, "takeover_userid": t, "errcode": e})
                    })
                    .collect();
                ok(&json!({"transfer_result": results}))
            }
            "get_active_info_by_user" => {
                let userid = v["userid"].as_str().unwrap_or_default();
                let list: Vec<Value> = state
                    .accounts
                    .iter()
                    .filter(|a| a.corp_id == corp && a.userid.as_deref() == Some(userid))
                    .map(|a| account_json(a, now))
                    .collect();
                let active = list.iter().any(|a| a["status"] == 2) as u8;
                ok(&json!({"active_status": active, "active_info_list": list}))
            }
            "list_actived_account" => {
                let list: Vec<Value> = state
                    .accounts
                    .iter()
                    .filter(|a| a.corp_id == corp && a.userid.is_some())
                    .map(|a| json!({"userid": a.userid, "type": a.account_type, "active_time": a.active_time,
                                    "expire_time": a.expire_time, "active_code": a.active_code}))
                    .collect();
                ok(&json!({"next_cursor": "", "has_more": 0, "account_list": list}))
            }
            "set_auto_active_status" => {
                let on = v["auto_active_status"].as_u64() == Some(1);
                state.auto_active.insert(corp, on);
                ok(&json!({}))
            }
            "get_auto_active_status" => {
                let on = state.auto_active.get(&corp).copied().unwrap_or(false) as u8;
                ok(&json!({"auto_active_status": on}))
            }
            _ => return Err(no_such_api()),
        })
    })();
    reply.unwrap_or_else(|e| e)
}

fn order_json(o: &Order) -> Value {
    json!({
        "order_id": o.order_id, "order_type": 1, "order_status": o.order_status, "corpid": o.corp_id,
        "account_count": {"base_count": o.base_count, "external_contact_count": o.interconnect_count},
        "account_duration": {"days": o.days}, "create_time": o.create_time, "pay_time": o.pay_time,
    })
}

/// `list_order`: the provider's orders, newest last, optionally one
/// organisation's and a placing window of at most 31 days; cursor pages.
fn list_order(state: &State, v: &Value) -> Result<Reply, Reply> {
    let corp = v["corpid"].as_str().filter(|c| !c.is_empty());
    let window = match (v["start_time"].as_u64(), v["end_time"].as_u64()) {
        (None, None) => None,
        (Some(s), Some(e)) if s <= e && e - s <= ORDER_WINDOW_SECS => Some((s, e)),
        (Some(_), Some(_)) => {
            return Err(err(40058, "start_time..end_time must be within 31 days"))
        }
        _ => return Err(err(40058, "start_time and end_time go together")),
    };
    let limit = match v["limit"].as_u64() {
        None => ORDER_PAGE,
        Some(n) if (1..=ORDER_PAGE_MAX as u64).contains(&n) => n as usize,
        Some(_) => return Err(err(40058, "limit must be 1..1000")),
    };
    let from: usize = match v["cursor"].as_str().filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c.parse().map_err(|_| err(40058, "invalid cursor"))?,
    };
    let matching: Vec<&Order> = state
        .orders
        .iter()
        .filter(|o| corp.is_none_or(|c| o.corp_id == c))
        .filter(|o| window.is_none_or(|(s, e)| (s..=e).contains(&o.create_time)))
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(from)
        .take(limit)
        .map(|o| json!({"order_id": o.order_id, "order_type": 1}))
        .collect();
    let more = from + page.len() < matching.len();
    let next = if more {
        (from + page.len()).to_string()
    } else {
        String::new()
    };
    Ok(ok(
        &json!({"next_cursor": next, "has_more": more as u8, "order_list": page}),
    ))
}
