//! Control routes for what an organisation does with licenses outside the
//! API: pays an order or a renewal (`license_pay_success`), asks for a
//! refund that WeCom grants or rejects (`license_refund`), shares a code
//! downstream, WeCom's nightly job, and a member opens the app
//! (`auto_activate` or `unlicensed_notify`); and how WeCom checks licenses
//! there (`get_app_license_info`'s settings).

use crate::push::{self, Message, Source};
use crate::range::visible;
use crate::sim::Sim;
use crate::state::{LicenseSettings, Order, State};
use crate::wire::{bad, not_found, Reply};
use domain::wecom::{AccountStatus, OrderStatus, RefundOutcome, RenewAccount};
use serde_json::{json, Value};

const DAY: u64 = 86_400;

/// `PUT /_sim/corps/{corp_id}/license_info {"license_status":0|1,
/// "license_check_time"?, "test_corp"?}`: how WeCom checks licenses for
/// the app here. WeCom pushes nothing when this changes.
pub fn set_license_info(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    let settings: LicenseSettings = match serde_json::from_value(body.clone()) {
        Ok(s) => s,
        Err(e) => return bad(format!("bad license settings: {e}")),
    };
    if settings.license_status > 1 {
        return bad("license_status is 0 or 1");
    }
    let mut state = sim.state();
    let Some(corp) = state.corps.get_mut(corp_id) else {
        return not_found("organisation");
    };
    corp.license = settings;
    Reply::json(200, &corp.license)
}

/// The organisation's order of that id.
fn order_of<'a>(state: &'a mut State, corp_id: &str, order_id: &str) -> Option<&'a mut Order> {
    state
        .orders
        .iter_mut()
        .find(|o| o.order_id == order_id && o.corp_id == corp_id)
}

/// The start of a license event: the provider, kind, organisation.
fn license_event(sim: &Sim, info_type: &str, corp_id: &str) -> Message {
    Message::new()
        .cdata("ServiceCorpId", &sim.config.provider_corpid)
        .cdata("InfoType", info_type)
        .cdata("AuthCorpId", corp_id)
}

/// `POST /_sim/corps/{corp_id}/orders {"base","interconnect","days","push"?}`:
/// the organisation places and pays an order at once; accounts are created
/// and `license_pay_success` is pushed (with `"push": false` the push is
/// lost on the way).
pub fn pay_order(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    let base = body["base"].as_u64().unwrap_or(0);
    let interconnect = body["interconnect"].as_u64().unwrap_or(0);
    let days = body["days"].as_u64().unwrap_or(365);
    let paid = {
        let mut state = sim.state();
        // A refusal reads as WeCom's answer would, as text.
        state
            .place_order(corp_id, base, interconnect, days)
            .map_err(|r| r.reply().body)
            .and_then(|order| state.pay(&order.order_id))
    };
    match paid {
        Ok(order) if body["push"] == json!(false) => {
            Reply::json(200, &json!({"order_id": order.order_id, "pushed": false}))
        }
        Ok(order) => announce_paid(sim, &order),
        Err(e) => bad(e),
    }
}

/// `POST /_sim/corps/{corp_id}/age {"days", "userid"?, "type"?, "order_id"?}`:
/// time passes for some accounts only (the clock is every test's): a
/// member's account of a type (default 1) was activated `days` earlier, and
/// an order's codes were created and paid `days` earlier. Orders at least a
/// month long are all WeCom sells, so a seat with 10 days left is a 31-day
/// seat aged 21 days.
pub fn age(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    let Some(days) = body["days"].as_u64() else {
        return bad("days is required");
    };
    let by = days * DAY;
    let mut state = sim.state();
    let mut aged = 0;
    if let Some(userid) = body["userid"].as_str() {
        let t = body["type"].as_u64().unwrap_or(1) as u8;
        let Some(i) = state.held(corp_id, userid, t) else {
            return not_found("account of that member and type");
        };
        let a = &mut state.accounts[i];
        a.active_time = a.active_time.map(|t| t.saturating_sub(by));
        a.expire_time = a.expire_time.map(|t| t.saturating_sub(by));
        a.create_time = a.create_time.saturating_sub(by);
        aged += 1;
    }
    if let Some(order_id) = body["order_id"].as_str() {
        let Some(order) = order_of(&mut state, corp_id, order_id) else {
            return not_found("order");
        };
        order.create_time = order.create_time.saturating_sub(by);
        order.pay_time = order.pay_time.saturating_sub(by);
        for a in state.accounts.iter_mut().filter(|a| a.order_id == order_id) {
            a.create_time = a.create_time.saturating_sub(by);
            aged += 1;
        }
    }
    Reply::json(200, &json!({"aged": aged}))
}

/// `POST /_sim/orders/{order_id}/pay {"push"?}`: the buyer pays an order
/// placed with `create_new_order`; with `"push": false` WeCom's
/// `license_pay_success` is lost on the way.
pub fn pay_placed(sim: &Sim, order_id: &str, body: &Value) -> Reply {
    let paid = sim.state().pay(order_id);
    match paid {
        Ok(order) if body["push"] == json!(false) => {
            Reply::json(200, &json!({"order_id": order.order_id, "pushed": false}))
        }
        Ok(order) => announce_paid(sim, &order),
        Err(e) => bad(e),
    }
}

pub(crate) fn announce_paid(sim: &Sim, order: &Order) -> Reply {
    let xml = license_event(sim, "license_pay_success", &order.corp_id)
        .cdata("OrderId", &order.order_id)
        // The provider's own member who placed the order.
        .cdata("BuyerUserId", "provider-sales")
        .text("TimeStamp", sim.now())
        .finish();
    let d = push::system(sim, &xml);
    Reply::json(
        d.http_status(),
        &json!({"order_id": order.order_id, "delivery": d}),
    )
}

/// `POST /_sim/corps/{corp_id}/renewals {"userids","type","days"}`: the
/// organisation renews these members' accounts of a type and pays at once
/// (`create_renew_order_job` + `submit_order_job` + payment);
/// `license_pay_success` is pushed.
pub fn pay_renewal(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    let Some(userids) = body["userids"].as_array() else {
        return bad("userids is required");
    };
    let account_type = body["type"].as_u64().unwrap_or(1) as u8;
    let renewals = userids
        .iter()
        .filter_map(Value::as_str)
        .map(|u| RenewAccount {
            userid: u.to_owned(),
            account_type,
        })
        .collect();
    let days = body["days"].as_u64().unwrap_or(365);
    let paid = {
        let mut state = sim.state();
        state
            .place_renewal(corp_id, renewals, days)
            .map_err(|r| r.reply().body)
            .and_then(|order| state.pay(&order.order_id))
    };
    match paid {
        Ok(order) => announce_paid(sim, &order),
        Err(e) => bad(e),
    }
}

/// `POST /_sim/corps/{corp_id}/orders/{order_id}/refund {"outcome"}`: the
/// organisation asks for a refund (`get_order` says 4 until WeCom decides);
/// `"requested"` stops there, `"refunded"` (the default: the order's unused
/// accounts disappear, 5) or `"rejected"` (nothing changes, 6) decides and
/// pushes `license_refund` with `OrderStatus` 1 or 2 (with `"push": false`
/// the push is lost on the way).
pub fn refund(sim: &Sim, corp_id: &str, order_id: &str, body: &Value) -> Reply {
    let outcome = match body["outcome"].as_str().unwrap_or("refunded") {
        "requested" => None,
        "refunded" => Some(RefundOutcome::Refunded),
        "rejected" => Some(RefundOutcome::Rejected),
        other => return bad(format!("unknown outcome {other}")),
    };
    let outcome = {
        let mut state = sim.state();
        let Some(order) = order_of(&mut state, corp_id, order_id) else {
            return not_found("order");
        };
        let refundable = [OrderStatus::Paid, OrderStatus::RefundRequested];
        if !refundable.contains(&order.order_status) {
            return bad(format!("order {order_id} is not paid"));
        }
        order.order_status = OrderStatus::RefundRequested;
        let Some(outcome) = outcome else {
            return Reply::json(200, &json!({"order_status": 4}));
        };
        order.order_status =
            Option::<OrderStatus>::from(outcome).unwrap_or(OrderStatus::RefundRequested);
        if outcome == RefundOutcome::Refunded {
            let now = state.now();
            state
                .accounts
                .retain(|a| a.order_id != order_id || a.status(now) != AccountStatus::Unbound);
        }
        outcome
    };
    if body["push"] == json!(false) {
        let status = Option::<OrderStatus>::from(outcome).unwrap_or(OrderStatus::RefundRequested);
        return Reply::json(
            200,
            &json!({"order_status": u32::from(status), "pushed": false}),
        );
    }
    let xml = license_event(sim, "license_refund", corp_id)
        .cdata("OrderId", order_id)
        .text("OrderStatus", u32::from(outcome))
        .text("TimeStamp", sim.now())
        .finish();
    push::system(sim, &xml).reply()
}

/// `POST /_sim/corps/{corp_id}/codes/{active_code}/share`:
/// the organisation assigns an unbound code to a downstream organisation
/// (status 6).
pub fn share_downstream(sim: &Sim, corp_id: &str, active_code: &str) -> Reply {
    let mut state = sim.state();
    let now = state.now();
    let Some(a) = state
        .accounts
        .iter_mut()
        .find(|a| a.corp_id == corp_id && a.active_code == active_code)
    else {
        return not_found("code");
    };
    if a.status(now) != AccountStatus::Unbound {
        return bad("only an unbound code can be shared downstream");
    }
    a.set_status = Some(AccountStatus::SharedDownstream);
    Reply::json(200, &json!({"active_code": active_code, "status": 6}))
}

/// `POST /_sim/corps/{corp_id}/nightly`: WeCom's early-morning job. With
/// auto-activation on, the valid accounts of members who left or left the
/// visible range become "awaiting transfer" (status 4; document/path/97189).
pub fn nightly(sim: &Sim, corp_id: &str) -> Reply {
    let mut state = sim.state();
    let Some(corp) = state.corps.get(corp_id) else {
        return not_found("organisation");
    };
    let auto = state.auto_active.get(corp_id).copied().unwrap_or(false);
    if !auto {
        return Reply::json(200, &json!({"awaiting_transfer": []}));
    }
    let range = visible(corp);
    let gone: Vec<String> = holders(&state, corp_id)
        .into_iter()
        .filter(|u| !corp.users.iter().any(|m| &m.userid == u && range.sees(m)))
        .collect();
    let now = state.now();
    let mut moved = vec![];
    for a in state.accounts.iter_mut().filter(|a| a.corp_id == corp_id) {
        let gone = a.userid.as_ref().is_some_and(|u| gone.contains(u));
        if gone && a.status(now) == AccountStatus::Bound {
            a.set_status = Some(AccountStatus::AwaitingTransfer);
            moved.push(a.active_code.clone());
        }
    }
    Reply::json(200, &json!({"awaiting_transfer": moved}))
}

/// Who holds an account of the organisation.
fn holders(state: &State, corp_id: &str) -> Vec<String> {
    let mut held: Vec<String> = state
        .accounts
        .iter()
        .filter(|a| a.corp_id == corp_id)
        .filter_map(|a| a.userid.clone())
        .collect();
    held.sort();
    held.dedup();
    held
}

/// A member opens the app. Without a valid seat WeCom either binds a free
/// account (auto-activation on: `auto_activate`) or tells the app
/// (`unlicensed_notify`, members in range only).
pub fn open_app(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    let Some(userid) = body["userid"].as_str() else {
        return bad("userid is required");
    };
    let (event, source, receive_id) = {
        let mut state = sim.state();
        let now = state.now();
        let Some(corp) = state.corps.get(corp_id) else {
            return not_found("organisation");
        };
        let Some(user) = corp.users.iter().find(|u| u.userid == userid) else {
            return not_found("member");
        };
        if !visible(corp).sees(user) {
            return Reply::json(
                200,
                &json!({"pushed": false, "reason": "outside the visible range"}),
            );
        }
        let agent_id = corp.agent_id;
        let has_seat = state.accounts.iter().any(|a| {
            a.corp_id == corp_id
                && a.userid.as_deref() == Some(userid)
                && a.expire_time.is_some_and(|e| e > now)
        });
        if has_seat {
            return Reply::json(200, &json!({"pushed": false, "reason": "has a valid seat"}));
        }
        let auto = state.auto_active.get(corp_id).copied().unwrap_or(false);
        // A free base code; else one awaiting transfer, which WeCom hands
        // on with its time.
        let base_in = |status: AccountStatus| {
            state.accounts.iter().position(|a| {
                a.corp_id == corp_id && a.account_type == 1 && a.status(now) == status
            })
        };
        let free =
            base_in(AccountStatus::Unbound).or_else(|| base_in(AccountStatus::AwaitingTransfer));
        match (auto, free) {
            (true, Some(i)) => {
                let a = &mut state.accounts[i];
                if a.set_status.take().is_none() {
                    a.active_time = Some(now);
                    a.expire_time = Some(now + a.days * DAY);
                }
                a.userid = Some(userid.to_owned());
                // Scene 1: the member opened the app; previous status 1: unbound.
                let xml = license_event(sim, "auto_activate", corp_id)
                    .text("Scene", 1)
                    .text("TimeStamp", now)
                    .group("AccountList", |m| {
                        m.text("ActiveCode", &a.active_code)
                            .text("Type", a.account_type)
                            .text("ExpireTime", a.expire_time.unwrap_or(now))
                            .text("UserId", userid)
                            .text("PreviousStatus", 1)
                    })
                    .finish();
                (xml, Source::System, sim.config.provider_corpid.clone())
            }
            _ => (
                Message::new()
                    .cdata("ToUserName", corp_id)
                    .cdata("FromUserName", userid)
                    .text("CreateTime", now)
                    .cdata("MsgType", "event")
                    .cdata("Event", "unlicensed_notify")
                    .text("AgentID", agent_id)
                    .finish(),
                Source::Data,
                corp_id.to_owned(),
            ),
        }
    };
    push::deliver(sim, source, &receive_id, &event).reply()
}
