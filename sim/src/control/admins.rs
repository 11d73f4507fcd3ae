//! Control route for the app's admins: an organisation changes who
//! administers the app (WeCom's admin console), and WeCom tells the app
//! with `change_app_admin` on the data URL (page 95038). `"callback":
//! false` drops the push, as for contact changes, to test that the
//! reconcile heals.

use crate::push::{self, Message, Source};
use crate::sim::Sim;
use crate::state::Admin;
use crate::wire::{bad, not_found, Reply, Req};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct AdminsChange {
    admins: Vec<Admin>,
    /// `false`: the push is lost on the way (the cron must heal it).
    #[serde(default = "delivered")]
    callback: bool,
}

fn delivered() -> bool {
    true
}

/// `PUT /_sim/corps/{corp_id}/admins {"admins":[{"userid","auth_type"}], "callback"?}`:
/// replaces the admins; an installed app is told with `change_app_admin`.
pub fn set_admins(sim: &Sim, req: &Req, corp_id: &str, body: &Value) -> Reply {
    let change: AdminsChange = match serde_json::from_value(body.clone()) {
        Ok(c) => c,
        Err(e) => {
            return bad(format!(
                "body must be {{\"admins\":[{{\"userid\",\"auth_type\"}}]}}: {e}"
            ))
        }
    };
    let (agent_id, installed, now) = {
        let mut state = sim.state();
        let now = state.now();
        let Some(corp) = state.corps.get_mut(corp_id) else {
            return not_found("organisation");
        };
        corp.admins = change.admins;
        (corp.agent_id, corp.installed, now)
    };
    if !installed || !change.callback || req.query("callback") == Some("false") {
        return Reply::json(200, &json!({"pushed": false}));
    }
    let xml = Message::new()
        .cdata("ToUserName", corp_id)
        .cdata("FromUserName", "sys")
        .text("CreateTime", now)
        .cdata("MsgType", "event")
        .cdata("Event", "change_app_admin")
        .text("AgentID", agent_id)
        .finish();
    push::deliver(sim, Source::Data, corp_id, &xml).reply()
}
