//! The app's JS-SDK ticket (`cgi-bin/ticket/get?type=agent_config`, page
//! 96909), which signs `wx.agentConfig` so a page inside WeCom may render
//! real names with `<ww-open-data>`. WeCom keeps one ticket per app for its
//! `expires_in` (7 200 s) and limits fetching it: at most 100 times an hour
//! for one app (400 for the whole organisation), so a server must cache it.

use super::contacts::corp_for_token;
use crate::sim::Sim;
use crate::state::{credential, AgentTicket};
use crate::wire::{err, no_such_api, ok, Reply, Req};
use domain::wecom::JsapiTicket;

/// How long a ticket lives (page 96909: "正常情况下 … 有效期为 7200 秒").
pub const AGENT_TICKET_TTL_SECS: u64 = 7200;
/// Fetches of one app's ticket allowed per hour (page 96909).
pub const AGENT_TICKET_FETCHES_PER_HOUR: u32 = 100;

/// Answers `cgi-bin/ticket/*` (`call` without `ticket/`).
pub fn handle(sim: &Sim, req: &Req, call: &str) -> Reply {
    let mut state = sim.state();
    let corp_id = match corp_for_token(&state, req) {
        Ok(corp) => corp.corp_id.clone(),
        Err(refused) => return refused,
    };
    match (req.method.as_str(), call, req.query("type")) {
        ("GET", "get", Some("agent_config")) => {}
        ("GET", "get", _) => return err(40058, "invalid parameter: type must be agent_config"),
        _ => return no_such_api(),
    }
    let now = state.now();
    let kept = state.agent_tickets.entry(corp_id).or_default();
    if now >= kept.hour_started + 3600 {
        kept.hour_started = now;
        kept.fetches = 0;
    }
    if kept.fetches >= AGENT_TICKET_FETCHES_PER_HOUR {
        return err(45009, "api freq out of limit");
    }
    kept.fetches += 1;
    if kept.ticket.is_empty() || kept.expires_at <= now {
        *kept = AgentTicket {
            ticket: credential(48),
            expires_at: now + AGENT_TICKET_TTL_SECS,
            ..kept.clone()
        };
    }
    ok(&JsapiTicket {
        ticket: kept.ticket.clone(),
        expires_in: kept.expires_at - now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Corp;

    fn installed(sim: &Sim) {
        let mut state = sim.state();
        let corp: Corp = serde_json::from_value(serde_json::json!({
            "corp_id": "wwcorp", "corp_name": "Corp", "installed": true,
        }))
        .unwrap();
        state.corps.insert("wwcorp".into(), corp);
        let exp = state.now() + 7200;
        state
            .corp_tokens
            .insert("TOKEN".into(), ("wwcorp".into(), exp));
    }

    fn ask(sim: &Sim, query: &str) -> serde_json::Value {
        let path = format!("/cgi-bin/ticket/get?{query}");
        let body = handle(sim, &Req::for_tests("GET", &path, ""), "get").body;
        serde_json::from_str(&body).unwrap()
    }

    #[test]
    fn the_ticket_is_kept_for_its_lifetime_and_fetching_is_limited() {
        let sim = Sim::for_tests();
        installed(&sim);
        let first = ask(&sim, "access_token=TOKEN&type=agent_config");
        assert_eq!(first["errcode"], 0, "{first}");
        assert_eq!(first["expires_in"], AGENT_TICKET_TTL_SECS);
        let again = ask(&sim, "access_token=TOKEN&type=agent_config");
        assert_eq!(again["ticket"], first["ticket"]);
        for _ in 2..AGENT_TICKET_FETCHES_PER_HOUR {
            ask(&sim, "access_token=TOKEN&type=agent_config");
        }
        let over = ask(&sim, "access_token=TOKEN&type=agent_config");
        assert_eq!(over["errcode"], 45009, "{over}");
    }

    #[test]
    fn a_bad_token_or_type_is_refused() {
        let sim = Sim::for_tests();
        installed(&sim);
        assert_eq!(
            ask(&sim, "access_token=NOPE&type=agent_config")["errcode"],
            40014
        );
        assert_eq!(ask(&sim, "type=agent_config")["errcode"], 41001);
        assert_eq!(ask(&sim, "access_token=TOKEN&type=jsapi")["errcode"], 40058);
    }
}
