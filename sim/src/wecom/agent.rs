//! WeCom's app API with the organisation's corp token
//! (`cgi-bin/agent/*`): the app's admins (`agent/get_admin_list`, page
//! 100072), which replaces the suite-token `service/get_admin_list`.

use super::contacts::corp_for_token;
use super::service::admins_of;
use crate::sim::Sim;
use crate::wire::{no_such_api, ok, Reply, Req};

/// Answers `cgi-bin/agent/*` (`call` without `agent/`).
pub fn handle(sim: &Sim, req: &Req, call: &str) -> Reply {
    let state = sim.state();
    let corp = match corp_for_token(&state, req) {
        Ok(corp) => corp,
        Err(refused) => return refused,
    };
    match (req.method.as_str(), call) {
        // No body fields are documented; whatever is sent is not read.
        ("POST", "get_admin_list") => ok(&admins_of(corp)),
        _ => no_such_api(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Corp;
    use domain::wecom::AdminList;

    /// An installed `wwcorp` with a manager and a message-only admin, and a
    /// corp token for it.
    fn installed(sim: &Sim) -> String {
        let mut state = sim.state();
        let corp: Corp = serde_json::from_value(serde_json::json!({
            "corp_id": "wwcorp", "corp_name": "Corp", "installed": true,
            "admins": ["boss", {"userid": "clerk", "auth_type": 0}],
        }))
        .unwrap();
        state.corps.insert("wwcorp".into(), corp);
        let exp = state.now() + 60;
        state
            .corp_tokens
            .insert("TOKEN".into(), ("wwcorp".into(), exp));
        "TOKEN".into()
    }

    fn ask(sim: &Sim, query: &str) -> String {
        let path = format!("/cgi-bin/agent/get_admin_list?{query}");
        handle(sim, &Req::for_tests("POST", &path, "{}"), "get_admin_list").body
    }

    #[test]
    fn the_admins_come_with_their_auth_type_for_the_corp_token() {
        let sim = Sim::for_tests();
        let token = installed(&sim);
        let list: AdminList =
            serde_json::from_str(&ask(&sim, &format!("access_token={token}"))).unwrap();
        let read: Vec<(&str, u8)> = list
            .admin
            .iter()
            .map(|a| (a.userid.as_str(), a.auth_type))
            .collect();
        assert_eq!(read, vec![("boss", 1), ("clerk", 0)]);
    }

    #[test]
    fn a_missing_unknown_or_expired_token_gets_wecoms_errcodes() {
        let sim = Sim::for_tests();
        installed(&sim);
        assert!(ask(&sim, "").contains("41001"));
        assert!(ask(&sim, "access_token=forged").contains("40014"));
        sim.state().corp_tokens.get_mut("TOKEN").unwrap().1 = 0;
        assert!(ask(&sim, "access_token=TOKEN").contains("42001"));
    }

    #[test]
    fn external_admins_are_left_out_and_a_member_authorised_install_lists_none() {
        let sim = Sim::for_tests();
        let token = installed(&sim);
        sim.state().corps.get_mut("wwcorp").unwrap().admins.push(
            serde_json::from_value(
                serde_json::json!({"userid": "partner", "auth_type": 1, "usertype": 3}),
            )
            .unwrap(),
        );
        let list: AdminList =
            serde_json::from_str(&ask(&sim, &format!("access_token={token}"))).unwrap();
        assert!(list.admin.iter().all(|a| a.userid != "partner"));
        sim.state().corps.get_mut("wwcorp").unwrap().auth_mode = 1;
        let list: AdminList =
            serde_json::from_str(&ask(&sim, &format!("access_token={token}"))).unwrap();
        assert!(list.admin.is_empty(), "{list:?}");
    }
}
