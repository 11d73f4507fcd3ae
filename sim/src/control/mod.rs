//! The simulator's own routes (`/_sim/*`), for tests and the demo: create
//! organisations, install and uninstall the app, move WeCom's clock, expire
//! tokens, make WeCom busy, push any callback. Contact changes live in
//! `contacts`; orders, renewals, refunds, the license regime, WeCom's
//! nightly job and members opening the app in `license`; the app's admins
//! in `admins`.

mod admins;
mod contacts;
pub(crate) mod license;

use crate::demo;
use crate::push::{self, suite_event, Source};
use crate::sim::Sim;
use crate::state::Corp;
use crate::wire::{bad, not_found, Reply, Req};
use serde_json::{json, Value};

/// Answers a `/_sim/*` route; `None` when there is no such route.
pub fn handle(sim: &Sim, req: &Req) -> Option<Reply> {
    let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let json_body = || serde_json::from_slice::<Value>(&req.body).unwrap_or(Value::Null);
    Some(match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["_sim", "health"]) => health(sim),
        // How often each server API was called since the simulator started.
        ("GET", ["_sim", "calls"]) => Reply::json(200, &sim.calls()),
        ("POST", ["_sim", "corps"]) => put_corp(sim, &req.body),
        ("POST", ["_sim", "demo"]) => demo(sim, &json_body()),
        ("GET", ["_sim", "corps", corp_id]) => match sim.state().corps.get(*corp_id) {
            Some(c) => Reply::json(200, c),
            None => not_found("organisation"),
        },
        ("POST", ["_sim", "corps", corp_id, "install"]) => install(sim, corp_id),
        // What WeCom's JS-SDK checks a page's agentConfig signature against.
        ("GET", ["_sim", "corps", corp_id, "agent_ticket"]) => {
            match sim.state().agent_tickets.get(*corp_id) {
                Some(t) => Reply::json(
                    200,
                    &json!({"ticket": t.ticket, "expires_at": t.expires_at, "fetches": t.fetches}),
                ),
                None => not_found("agent ticket"),
            }
        }
        ("POST", ["_sim", "corps", corp_id, "login_code"]) => {
            login_code(sim, corp_id, &json_body())
        }
        ("GET", ["_sim", "corps", corp_id, "business_settings"]) => {
            business_settings(sim, req, corp_id)
        }
        ("PUT", ["_sim", "corps", corp_id, "admins"]) => {
            admins::set_admins(sim, req, corp_id, &json_body())
        }
        ("PUT", ["_sim", "corps", corp_id, "license_info"]) => {
            license::set_license_info(sim, corp_id, &json_body())
        }
        ("POST", ["_sim", "corps", corp_id, "range"]) => {
            contacts::set_range(sim, corp_id, &json_body())
        }
        ("POST", ["_sim", "corps", corp_id, "orders"]) => {
            license::pay_order(sim, corp_id, &json_body())
        }
        ("POST", ["_sim", "orders", order_id, "pay"]) => {
            license::pay_placed(sim, order_id, &json_body())
        }
        ("POST", ["_sim", "corps", corp_id, "orders", order_id, "refund"]) => {
            license::refund(sim, corp_id, order_id, &json_body())
        }
        ("POST", ["_sim", "corps", corp_id, "renewals"]) => {
            license::pay_renewal(sim, corp_id, &json_body())
        }
        ("POST", ["_sim", "corps", corp_id, "codes", code, "share"]) => {
            license::share_downstream(sim, corp_id, code)
        }
        // The admin flips auto-activation in WeCom's own console (no push).
        ("PUT", ["_sim", "corps", corp_id, "auto_active"]) => {
            let on = json_body()["on"].as_bool().unwrap_or(false);
            sim.state().auto_active.insert((*corp_id).to_owned(), on);
            Reply::json(200, &json!({"auto_active_status": on as u8}))
        }
        // WeCom gives an order a status its documentation does not list yet.
        ("PUT", ["_sim", "orders", order_id, "status"]) => {
            let Some(n) = json_body()["order_status"].as_u64() else {
                return Some(bad("order_status is required"));
            };
            let mut state = sim.state();
            match state.orders.iter_mut().find(|o| o.order_id == *order_id) {
                Some(o) => {
                    o.order_status = domain::wecom::OrderStatus::from(n as u32);
                    Reply::json(200, &json!({"order_status": n}))
                }
                None => not_found("order"),
            }
        }
        // The app messages WeCom took for the organisation's members, with
        // whether each reached its member (`?userid=` narrows to one).
        ("GET", ["_sim", "corps", corp_id, "messages"]) => {
            let state = sim.state();
            let only = req.query("userid");
            let sent: Vec<_> = state
                .messages
                .iter()
                .filter(|m| m.corp_id == *corp_id && only.is_none_or(|u| m.userid == u))
                .collect();
            Reply::json(200, &json!({ "messages": sent }))
        }
        ("POST", ["_sim", "corps", corp_id, "age"]) => license::age(sim, corp_id, &json_body()),
        ("POST", ["_sim", "corps", corp_id, "nightly"]) => license::nightly(sim, corp_id),
        ("POST", ["_sim", "corps", corp_id, "open_app"]) => {
            license::open_app(sim, corp_id, &json_body())
        }
        ("POST", ["_sim", "corps", corp_id, "generate"]) => {
            contacts::generate(sim, corp_id, &json_body())
        }
        ("POST", ["_sim", "corps", corp_id, "users"]) => {
            contacts::change_user(sim, req, corp_id, None)
        }
        ("PATCH" | "DELETE", ["_sim", "corps", corp_id, "users", userid]) => {
            contacts::change_user(sim, req, corp_id, Some(userid))
        }
        ("POST", ["_sim", "corps", corp_id, "departments"]) => {
            contacts::change_department(sim, req, corp_id, None)
        }
        ("PATCH" | "DELETE", ["_sim", "corps", corp_id, "departments", id]) => match id.parse() {
            Ok(id) => contacts::change_department(sim, req, corp_id, Some(id)),
            Err(_) => bad("department id must be a number"),
        },
        ("POST", ["_sim", "corps", corp_id, "uninstall"]) => uninstall(sim, corp_id),
        ("POST", ["_sim", "suite_ticket"]) => push::suite_ticket(sim).reply(),
        ("POST", ["_sim", "clock"]) => set_clock(sim, &json_body()),
        ("POST", ["_sim", "expire_tokens"]) => expire_tokens(sim, &json_body()),
        ("POST", ["_sim", "corps", corp_id, "busy"]) => busy(sim, corp_id, &json_body()),
        ("POST", ["_sim", "push"]) => push_raw(sim, &json_body()),
        ("POST", ["_sim", "verify_url"]) => verify_url(sim, &json_body()),
        _ => return None,
    })
}

fn health(sim: &Sim) -> Reply {
    Reply::json(
        200,
        &json!({
            "ok": true,
            "uptime_secs": sim.uptime_secs(),
            "worker": sim.config.worker,
            "now": sim.now(),
        }),
    )
}

/// `POST /_sim/corps`: creates or replaces an organisation.
fn put_corp(sim: &Sim, body: &[u8]) -> Reply {
    let mut corp: Corp = match serde_json::from_slice(body) {
        Ok(c) => c,
        Err(e) => return bad(format!("bad organisation: {e}")),
    };
    if corp.corp_id.is_empty() {
        return bad("corp_id is required");
    }
    let mut state = sim.state();
    // Re-creating keeps the install (as WeCom would: contacts change, the
    // authorisation stays).
    if let Some(old) = state.corps.get(&corp.corp_id) {
        corp.installed = old.installed;
        corp.permanent_code = old.permanent_code.clone();
        corp.first_installed_at = old.first_installed_at;
        corp.license = old.license.clone();
    } else {
        corp.installed = false;
        corp.permanent_code = None;
    }
    let summary = json!({"corp_id": corp.corp_id, "departments": corp.departments.len(), "users": corp.users.len()});
    state.corps.insert(corp.corp_id.clone(), corp);
    Reply::json(200, &summary)
}

/// `POST /_sim/demo {"corp_id"?}`: creates the demo organisation once;
/// says whether it was new. With a `corp_id`, a copy of the demo under that
/// id (tests that change it get their own).
fn demo(sim: &Sim, body: &Value) -> Reply {
    let corp_id = body["corp_id"].as_str().unwrap_or(demo::DEMO_CORP_ID);
    if sim.state().corps.contains_key(corp_id) {
        return Reply::json(200, &json!({"corp_id": corp_id, "created": false}));
    }
    let mut corp = demo::corp();
    corp.corp_id = corp_id.to_owned();
    let demo = serde_json::to_vec(&corp).expect("demo serialises");
    let reply = put_corp(sim, &demo);
    if reply.status != 200 {
        return reply;
    }
    // The provider's own organisation, whose operators sign in to the desk.
    let provider = demo::provider(&sim.config.provider_corpid);
    if !sim.state().corps.contains_key(&provider.corp_id) {
        let provider = serde_json::to_vec(&provider).expect("the provider serialises");
        let reply = put_corp(sim, &provider);
        if reply.status != 200 {
            return reply;
        }
    }
    Reply::json(200, &json!({"corp_id": corp_id, "created": true}))
}

/// The admin installs the app: WeCom pushes `create_auth` with an auth code.
fn install(sim: &Sim, corp_id: &str) -> Reply {
    let code = {
        let mut state = sim.state();
        if !state.corps.contains_key(corp_id) {
            return not_found("organisation");
        }
        state.new_auth_code(corp_id)
    };
    let xml = suite_event(sim, "create_auth", sim.now())
        .cdata("AuthCode", &code)
        .cdata("State", "")
        .finish();
    let suite_id = &sim.config.suite_id;
    let d = push::deliver_within(
        sim,
        Source::Command,
        suite_id,
        &xml,
        push::CREATE_AUTH_ANSWER_WINDOW,
    );
    // The delivery, and (for tests) the auth code it carried.
    let mut answer = json!(d);
    answer["auth_code"] = json!(code);
    Reply::json(d.http_status(), &answer)
}

/// The admin removes the app: its tokens go, `cancel_auth` is pushed.
fn uninstall(sim: &Sim, corp_id: &str) -> Reply {
    {
        let mut state = sim.state();
        let Some(corp) = state.corps.get_mut(corp_id) else {
            return not_found("organisation");
        };
        corp.installed = false;
        corp.permanent_code = None;
        state.corp_tokens.retain(|_, (c, _)| c != corp_id);
    }
    let xml = suite_event(sim, "cancel_auth", sim.now())
        .cdata("AuthCorpId", corp_id)
        .finish();
    push::deliver(sim, Source::Command, &sim.config.suite_id, &xml).reply()
}

/// Tests move WeCom's clock (trial end, expiry, cooldown).
fn set_clock(sim: &Sim, body: &Value) -> Reply {
    let Some(offset) = body["offset_secs"].as_i64() else {
        return bad("offset_secs is required");
    };
    let mut state = sim.state();
    state.clock_offset = offset;
    Reply::json(200, &json!({"offset_secs": offset, "now": state.now()}))
}

/// `POST /_sim/expire_tokens {"corp_id"?}`: what two hours do to tokens,
/// without moving the clock under other tests' callbacks. With a `corp_id`
/// only that organisation's access tokens; without, every token WeCom
/// issued (suite and provider tokens too).
fn expire_tokens(sim: &Sim, body: &Value) -> Reply {
    let mut state = sim.state();
    let now = state.now();
    let only = body["corp_id"].as_str();
    state
        .corp_tokens
        .values_mut()
        .filter(|(corp, _)| only.is_none_or(|o| o == corp))
        .for_each(|(_, exp)| *exp = now);
    if only.is_none() {
        state.suite_tokens.values_mut().for_each(|exp| *exp = now);
        state
            .provider_tokens
            .values_mut()
            .for_each(|exp| *exp = now);
    }
    Reply::json(200, &json!({"expired": true, "corp_id": only}))
}

/// `POST /_sim/corps/{corp_id}/busy {"call","times"}`: the organisation's
/// next `times` calls of `call` (e.g. `user/get`) answer WeCom's errcode
/// -1, system busy.
fn busy(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    let (Some(call), Some(times)) = (body["call"].as_str(), body["times"].as_u64()) else {
        return bad("call and times are required");
    };
    let mut state = sim.state();
    if !state.corps.contains_key(corp_id) {
        return not_found("organisation");
    }
    let times = u32::try_from(times).unwrap_or(u32::MAX);
    // -1 "system busy" unless the test names another errcode (45009 "api
    // freq out of limit", 45033 too many concurrent calls).
    let errcode = body["errcode"].as_i64().unwrap_or(-1);
    let key = format!("{corp_id} {call}");
    state.busy.insert(key.clone(), times);
    state.busy_errcode.insert(key, errcode);
    Reply::json(
        200,
        &json!({"corp_id": corp_id, "call": call, "times": times, "errcode": errcode}),
    )
}

/// `POST /_sim/push {"source":"command"|"data"|"system","receive_id"?,"xml"}`.
fn push_raw(sim: &Sim, body: &Value) -> Reply {
    let Some(xml) = body["xml"].as_str() else {
        return bad("xml is required");
    };
    let name = body["source"].as_str().unwrap_or("command");
    let Some(source) = Source::parse(name) else {
        return bad(format!("unknown source {name}"));
    };
    let receive_id = body["receive_id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| default_receive_id(sim, source));
    push::deliver(sim, source, &receive_id, xml).reply()
}

fn default_receive_id(sim: &Sim, source: Source) -> String {
    match source {
        Source::System => sim.config.provider_corpid.clone(),
        Source::Command | Source::Data => sim.config.suite_id.clone(),
    }
}

/// `POST /_sim/verify_url {"source"}`: what WeCom's console does when the
/// provider saves that callback URL.
fn verify_url(sim: &Sim, body: &Value) -> Reply {
    let name = body["source"].as_str().unwrap_or("command");
    let Some(source) = Source::parse(name) else {
        return bad(format!("unknown source {name}"));
    };
    let check = push::verify_url(sim, source);
    Reply::json(200, &check)
}

/// `POST /_sim/corps/{corp_id}/login_code {"userid", "kind": "qr"|"oauth"}`:
/// the code WeCom would send back after that user scanned the QR login
/// (`qr`, spent by `get_login_info`) or opened the app (`oauth`, spent by
/// `getuserinfo3rd`), without the browser pages.
fn login_code(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    #[derive(serde::Deserialize)]
    struct Ask {
        userid: String,
        kind: crate::state::LoginKind,
    }
    let ask: Ask = match serde_json::from_value(body.clone()) {
        Ok(a) => a,
        Err(e) => {
            return bad(format!(
                "body must be {{\"userid\",\"kind\":\"qr\"|\"oauth\"}}: {e}"
            ))
        }
    };
    let mut state = sim.state();
    if !state.corps.contains_key(corp_id) {
        return not_found("organisation");
    }
    let code = state.new_login_code(corp_id, &ask.userid, ask.kind);
    Reply::json(200, &serde_json::json!({ "code": code }))
}

/// `GET /_sim/corps/{corp_id}/business_settings?userid=..`: an admin
/// clicks the app's 业务设置 (business settings) in WeCom's admin console;
/// WeCom opens the provider's business-settings URL (the worker's
/// `/auth/wecom-admin`) with an `auth_code` and no `state`.
fn business_settings(sim: &Sim, req: &Req, corp_id: &str) -> Reply {
    let Some(userid) = req.query("userid").filter(|u| !u.is_empty()) else {
        return bad("userid is required");
    };
    let mut state = sim.state();
    if !state.corps.contains_key(corp_id) {
        return not_found("organisation");
    }
    let code = state.new_login_code(corp_id, userid, crate::state::LoginKind::Qr);
    Reply::redirect(format!(
        "{}/auth/wecom-admin?auth_code={code}",
        sim.config.worker
    ))
}
