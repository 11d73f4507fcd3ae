//! Control routes for what an organisation does with licenses outside the
//! API: pays an order (`license_pay_success`), is refunded
//! (`license_refund`), a member opens the app (`auto_activate` or
//! `unlicensed_notify`); and how WeCom checks licenses there
//! (`get_app_license_info`'s settings).

use crate::push::{self, Message, Source};
use crate::range::visible;
use crate::sim::Sim;
use crate::state::{LicenseSettings, Order};
use crate::wire::{bad, not_found, Reply};
use serde_json::{json, Value};

const DAY: u64 = 86_400;
/// `order_status` of a refunded order.
const REFUNDED: u8 = 4;

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

/// The start of a license event: the provider, kind, organisation.
fn license_event(sim: &Sim, info_type: &str, corp_id: &str) -> Message {
    Message::new()
        .cdata("ServiceCorpId", &sim.config.provider_corpid)
        .cdata("InfoType", info_type)
        .cdata("AuthCorpId", corp_id)
}

/// `POST /_sim/corps/{corp_id}/orders {"base","interconnect","days"}`: the
/// organisation places and pays an order at once; accounts are created and
/// `license_pay_success` is pushed.
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
        Ok(order) => announce_paid(sim, &order),
        Err(e) => bad(e),
    }
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

fn announce_paid(sim: &Sim, order: &Order) -> Reply {
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

/// The organisation is refunded the order's unused accounts.
pub fn refund(sim: &Sim, corp_id: &str, order_id: &str) -> Reply {
    {
        let mut state = sim.state();
        let Some(order) = state
            .orders
            .iter_mut()
            .find(|o| o.order_id == order_id && o.corp_id == corp_id)
        else {
            return not_found("order");
        };
        order.order_status = REFUNDED;
        state
            .accounts
            .retain(|a| a.order_id != order_id || a.userid.is_some());
    }
    let xml = license_event(sim, "license_refund", corp_id)
        .cdata("OrderId", order_id)
        .text("OrderStatus", REFUNDED)
        .text("TimeStamp", sim.now())
        .finish();
    push::system(sim, &xml).reply()
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
        let free = state
            .accounts
            .iter()
            .position(|a| a.corp_id == corp_id && a.userid.is_none() && a.account_type == 1);
        match (auto, free) {
            (true, Some(i)) => {
                let a = &mut state.accounts[i];
                a.userid = Some(userid.to_owned());
                a.active_time = Some(now);
                a.expire_time = Some(now + a.days * DAY);
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
