//! WeCom's interface-license API (`cgi-bin/license/*`, provider token), with
//! WeCom's rules written here independently of `domain::seat`: renew only
//! with ≤ 20 days left, at most five years stacked (701030), transfers wait
//! 30 days after leaving an active in-range member, batches ≤ 1000.

use crate::contacts_api::visible;
use crate::control::Sim;
use crate::http::{Reply, Req};
use crate::state::{credential, State};
use crate::wecom_api::err;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const DAY: u64 = 86_400;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub corp_id: String,
    pub base_count: u64,
    pub interconnect_count: u64,
    pub days: u64,
    pub create_time: u64,
    pub pay_time: u64,
    /// 1 paid, 4 refunded
    pub order_status: u8,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub active_code: String,
    pub corp_id: String,
    pub order_id: String,
    /// 1 base, 2 interconnect
    pub account_type: u8,
    pub days: u64,
    pub userid: Option<String>,
    pub active_time: Option<u64>,
    pub expire_time: Option<u64>,
    /// Not transferable again before this.
    pub transferable_after: u64,
}

fn ok(mut v: Value) -> Reply {
    v["errcode"] = json!(0);
    v["errmsg"] = json!("ok");
    Reply::json(200, &v)
}

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
        None => return 60111,
        Some(false) => return 701008, // member outside the app's range
        Some(true) => {}
    }
    let Some(i) = state
        .accounts
        .iter()
        .position(|a| a.active_code == code && a.corp_id == corp)
    else {
        return 701001; // no such code in this organisation
    };
    if state.accounts[i].userid.is_some() {
        return 701002; // code already bound
    }
    let t = state.accounts[i].account_type;
    let days = state.accounts[i].days;
    let mut expire = now + days * DAY;
    if let Some(h) = held(state, corp, userid, t, now) {
        let left = h.expire_time.unwrap_or(now) - now;
        if left > 20 * DAY {
            return 701004; // holds this type with more than 20 days left
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
    if handover == takeover {
        return 701022;
    }
    if member_visible(state, corp, takeover) != Some(true) {
        return 701008;
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
        return 701009; // handover holds no active account
    }
    if codes.iter().any(|(_, _, after)| *after > now) {
        return 701023; // transferred recently: 30-day wait
    }
    for (_, t, _) in &codes {
        if let Some(h) = held(state, corp, takeover, *t, now) {
            if h.expire_time.unwrap_or(now) - now > 20 * DAY {
                return 701024; // takeover holds this type with more than 20 days
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

fn account_json(a: &Account, now: u64) -> Value {
    let status = match (&a.userid, a.expire_time) {
        (None, _) => 1,
        (Some(_), Some(e)) if e > now => 2,
        _ => 3,
    };
    json!({"active_code": a.active_code, "type": a.account_type, "status": status, "userid": a.userid,
           "active_time": a.active_time, "expire_time": a.expire_time})
}

pub fn handle(sim: &Sim, req: &Req) -> Option<Reply> {
    let path = req.path.strip_prefix("/cgi-bin/license/")?;
    let mut state = sim.state();
    let reply = (|| -> Result<Reply, Reply> {
        provider_token_ok(&state, req)?;
        let v: Value =
            serde_json::from_slice(&req.body).map_err(|_| err(47001, "data format error"))?;
        let corp = v["corpid"].as_str().unwrap_or_default().to_owned();
        let now = state.now();
        Ok(match path {
            "get_order" => {
                let o = state
                    .orders
                    .iter()
                    .find(|o| Some(o.order_id.as_str()) == v["order_id"].as_str())
                    .ok_or_else(|| err(701017, "invalid order_id"))?;
                ok(json!({"order": {
                    "order_id": o.order_id, "order_type": 1, "order_status": o.order_status, "corpid": o.corp_id,
                    "account_count": {"base_count": o.base_count, "external_contact_count": o.interconnect_count},
                    "account_duration": {"days": o.days}, "create_time": o.create_time, "pay_time": o.pay_time,
                }}))
            }
            "list_order_account" => {
                let order_id = v["order_id"].as_str().unwrap_or_default();
                let list: Vec<Value> = state
                    .accounts
                    .iter()
                    .filter(|a| a.order_id == order_id)
                    .map(|a| json!({"active_code": a.active_code, "userid": a.userid, "type": a.account_type}))
                    .collect();
                ok(json!({"next_cursor": "", "has_more": 0, "account_list": list}))
            }
            "active_account" => {
                let code = v["active_code"].as_str().unwrap_or_default().to_owned();
                let userid = v["userid"].as_str().unwrap_or_default().to_owned();
                match activate(&mut state, &corp, &code, &userid) {
                    0 => ok(json!({})),
                    e => return Err(err(e, "activation refused")),
                }
            }
            "batch_active_account" => {
                let list = v["active_list"].as_array().cloned().unwrap_or_default();
                if list.len() > 1000 {
                    return Err(err(701031, "active_list longer than 1000"));
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
                ok(json!({"active_result": results}))
            }
            "batch_transfer_license" => {
                let list = v["transfer_list"].as_array().cloned().unwrap_or_default();
                if list.len() > 1000 {
                    return Err(err(701031, "transfer_list longer than 1000"));
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
                ok(json!({"transfer_result": results}))
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
                ok(json!({"active_status": active, "active_info_list": list}))
            }
            "list_actived_account" => {
                let list: Vec<Value> = state
                    .accounts
                    .iter()
                    .filter(|a| a.corp_id == corp && a.userid.is_some())
                    .map(|a| json!({"userid": a.userid, "type": a.account_type, "active_time": a.active_time,
                                    "expire_time": a.expire_time, "active_code": a.active_code}))
                    .collect();
                ok(json!({"next_cursor": "", "has_more": 0, "account_list": list}))
            }
            "set_auto_active_status" => {
                let on = v["auto_active_status"].as_u64() == Some(1);
                state.auto_active.insert(corp, on);
                ok(json!({}))
            }
            "get_auto_active_status" => {
                let on = state.auto_active.get(&corp).copied().unwrap_or(false) as u8;
                ok(json!({"auto_active_status": on}))
            }
            _ => {
                return Err(Reply::json(
                    404,
                    &json!({"errcode": 404, "errmsg": "no such api"}),
                ))
            }
        })
    })();
    Some(reply.unwrap_or_else(|e| e))
}

/// `POST /_sim/corps/{corp_id}/orders {"base","interconnect","days"}`: the
/// organisation pays an order; WeCom creates its accounts.
pub fn pay_order(state: &mut State, corp: &str, body: &Value) -> Result<Order, String> {
    if !state.corps.contains_key(corp) {
        return Err("organisation not found".into());
    }
    let base = body["base"].as_u64().unwrap_or(0);
    let interconnect = body["interconnect"].as_u64().unwrap_or(0);
    let days = body["days"].as_u64().unwrap_or(365);
    if base + interconnect == 0 || days == 0 {
        return Err("an order needs accounts and days".into());
    }
    let now = state.now();
    let order = Order {
        order_id: format!("OI{}", credential(20)),
        corp_id: corp.to_owned(),
        base_count: base,
        interconnect_count: interconnect,
        days,
        create_time: now,
        pay_time: now,
        order_status: 1,
    };
    for (t, n) in [(1u8, base), (2u8, interconnect)] {
        for _ in 0..n {
            state.accounts.push(Account {
                active_code: format!("AC{}", credential(18)),
                corp_id: corp.to_owned(),
                order_id: order.order_id.clone(),
                account_type: t,
                days,
                userid: None,
                active_time: None,
                expire_time: None,
                transferable_after: 0,
            });
        }
    }
    state.orders.push(order.clone());
    Ok(order)
}
