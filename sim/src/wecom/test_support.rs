//! What the WeCom routes' unit tests share: installed organisations and
//! a license call answered as JSON.

use crate::sim::Sim;
use crate::state::Corp;
use crate::wire::{Reply, Req};
use serde_json::{json, Value};

/// Installed organisations, each `(corp_id, test organisation?)`, with a
/// root department in range and no members, and the provider token `ptok`.
pub fn installed_corps(sim: &Sim, corps: &[(&str, bool)]) {
    let mut state = sim.state();
    for (id, test) in corps {
        let mut corp: Corp = serde_json::from_value(json!({
            "corp_id": id, "corp_name": id, "installed": true,
            "departments": [{"id": 1, "name": "Root", "parentid": 0}],
            "users": [], "range": {"party": [1]},
        }))
        .unwrap();
        corp.license.test_corp = *test;
        state.corps.insert((*id).into(), corp);
    }
    let exp = state.now() + 60;
    state.provider_tokens.insert("ptok".into(), exp);
}

/// `cgi-bin/license/{call}` with the token `ptok`: the answer as JSON.
pub fn call(sim: &Sim, call: &str, body: Value) -> Value {
    let path = format!("/cgi-bin/license/{call}?provider_access_token=ptok");
    let reply: Reply =
        super::license::handle(sim, &Req::for_tests("POST", &path, &body.to_string()), call);
    serde_json::from_str(&reply.body).unwrap()
}
