//! WeCom's server API, the routes the worker calls (`/cgi-bin/*`), written
//! from WeCom's documentation: same shapes (the wire types of
//! `domain::wecom`), same errcodes, HTTP 200 with an `errcode` for errors.
//! `service` issues tokens and installs, `login` says who signed in, `agent` lists the app's admins, `message` sends app messages,
//! `contacts` answers what the app may see, `license` sells and binds
//! interface licenses, `ticket` the app's JS-SDK ticket.

mod activation;
mod agent;
mod contacts;
mod license;
mod login;
mod message;
mod orders;
pub mod payment;
mod service;
#[cfg(test)]
mod test_support;
mod ticket;
mod union;

use crate::sim::Sim;
use crate::state::State;
use crate::wire::{err, Reply, Req, SYSTEM_BUSY};

/// Answers a `/cgi-bin/*` route; `None` for any other path.
pub fn handle(sim: &Sim, req: &Req) -> Option<Reply> {
    let path = req.path.strip_prefix("/cgi-bin/")?;
    sim.count_call(path);
    match busy(&mut sim.state(), req, path) {
        Some(-1) => return Some(SYSTEM_BUSY.reply()),
        // WeCom's IP allow-list refusal names the caller's egress address.
        Some(NOT_ALLOWED_IP) => {
            return Some(err(
                NOT_ALLOWED_IP,
                "not allow to access from your ip, hint: [1733467000_1_abc], from ip: 203.0.113.7",
            ))
        }
        Some(errcode) => return Some(err(errcode, "api freq out of limit")),
        None => {}
    }
    Some(
        if (req.method.as_str(), path) == ("POST", "service/get_login_info") {
            login::login_info(sim, req)
        } else if (req.method.as_str(), path) == ("GET", "service/auth/getuserinfo3rd") {
            login::oauth_user(sim, req)
        } else if let Some(call) = path.strip_prefix("license/") {
            license::handle(sim, req, call)
        } else if let Some(call) = path.strip_prefix("ticket/") {
            ticket::handle(sim, req, call)
        } else if let Some(call) = path.strip_prefix("agent/") {
            agent::handle(sim, req, call)
        } else if let Some(call) = path.strip_prefix("message/") {
            message::handle(sim, req, call)
        } else if matches!(path.split('/').next(), Some("department" | "user" | "tag")) {
            contacts::handle(sim, req, path)
        } else {
            service::handle(sim, req, path)
        },
    )
}

/// "not allow to access from your ip" (global errcodes, 90313): the
/// provider's server is not on the app's IP allow-list.
const NOT_ALLOWED_IP: i64 = 60020;

/// Whether a test made this call busy for the organisation it concerns
/// (`/_sim/corps/{id}/busy`): WeCom then answers errcode -1 and does
/// nothing, so a spent auth code stays unspent. The organisation is the
/// one the corp token, the body's `auth_corpid`/`corpid`, or the body's
/// auth code belongs to.
fn busy(state: &mut State, req: &Req, path: &str) -> Option<i64> {
    if state.busy.is_empty() {
        return None;
    }
    let by_token = req
        .query("access_token")
        .and_then(|t| state.corp_tokens.get(t))
        .map(|(corp, _)| corp.clone());
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
    let by_body = ["auth_corpid", "corpid"]
        .iter()
        .find_map(|f| body[f].as_str().map(str::to_owned));
    let by_code = body["auth_code"].as_str().and_then(|c| {
        (state.auth_codes.get(c).map(|(corp, _)| corp.clone()))
            .or_else(|| state.login_codes.get(c).map(|l| l.corp_id.clone()))
    });
    match by_token.or(by_body).or(by_code) {
        Some(corp_id) => state.take_busy(&corp_id, path),
        None => None,
    }
}
