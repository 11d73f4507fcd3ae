//! The app's admins as WeCom lists them now (`agent/get_admin_list` with
//! the organisation's token): read on install, on `change_app_admin` and by
//! the cron. Only admins with management permission (`auth_type` 1) change
//! anything; a removed admin is refused at the next request.

use itest::*;
use serde_json::{json, Value};

/// The organisation changes its admins in WeCom; WeCom pushes
/// `change_app_admin` unless `callback` is false (the push is lost).
fn set_admins(corp: &str, admins: Value, callback: bool) {
    let a = sim_send(
        "PUT",
        &format!("/_sim/corps/{corp}/admins"),
        &json!({"admins": admins, "callback": callback}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
}

/// The audit rows of admin changes, oldest first.
fn admin_changes(corp: &str) -> Vec<Value> {
    d1(&format!(
        "SELECT actor, detail FROM audit WHERE corp_id = '{corp}' \
         AND action = 'admins_changed' ORDER BY id"
    ))
}

fn dev_login(corp: &str, userid: &str) -> Answer {
    post_json(
        &browser(),
        &format!("{}/auth/dev-login", edge()),
        &json!({"corp_id": corp, "userid": userid}),
    )
}

fn session(agent: &ureq::Agent) -> Answer {
    get(agent, &format!("{}/api/v1/session", edge()))
}

fn summary(agent: &ureq::Agent, corp: &str) -> Answer {
    get(agent, &format!("{}/api/v1/corps/{corp}/summary", edge()))
}

/// `POST .../{route}` with `body`: the status and error code.
fn change(agent: &ureq::Agent, corp: &str, route: &str, body: Value) -> (u16, String) {
    let a = post_json(
        agent,
        &format!("{}/api/v1/corps/{corp}/{route}", edge()),
        &body,
    );
    let code = if a.status >= 400 {
        a.error_code()
    } else {
        String::new()
    };
    (a.status, code)
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_admin_added_in_wecom_can_sign_in_after_the_push() {
    let (corp, _boss) = installed_and_synced("adm1");
    let refused = dev_login(&corp, "dev1");
    assert_eq!(refused.status, 403, "not an admin yet: {}", refused.text);

    set_admins(&corp, json!(["boss", "dev1"]), true);
    let dev1 = signed_in(&corp, "dev1");
    let me = session(&dev1).json();
    assert_eq!(
        (me["userid"].clone(), me["may_manage"].clone()),
        (json!("dev1"), json!(true))
    );
    assert_eq!(summary(&dev1, &corp).status, 200);
    let audit = admin_changes(&corp);
    assert_eq!(audit.len(), 2, "the install, then the change: {audit:?}");
    assert_eq!(audit[1]["actor"], "wecom");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_removed_admin_is_refused_at_the_next_request() {
    let (corp, boss) = installed_and_synced("adm2");
    set_admins(&corp, json!(["boss", "dev1"]), true);
    let dev1 = signed_in(&corp, "dev1");
    assert_eq!(summary(&boss, &corp).status, 200);

    set_admins(&corp, json!(["dev1"]), true);
    let gone = summary(&boss, &corp);
    assert_eq!(
        (gone.status, gone.error_code()),
        (401, "not_admin".into()),
        "{}",
        gone.text
    );
    let me = session(&boss);
    assert_eq!((me.status, me.error_code()), (401, "not_admin".into()));
    assert_eq!(
        change(&boss, &corp, "sync", json!({})),
        (401, "not_admin".into())
    );
    assert_eq!(dev_login(&corp, "boss").status, 403, "cannot sign in again");
    assert_eq!(summary(&dev1, &corp).status, 200, "the other admin stays");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_admin_who_may_only_look_reads_but_cannot_change_anything() {
    let mut contacts = sim_corp(&unique_corp("adm3"), &[2], &["sales1"]);
    contacts["admins"] = json!(["boss", {"userid": "sales1", "auth_type": 0}]);
    let (corp, boss) = installed_with(&contacts);
    pay_order(&corp, 1, 365);
    let clerk = signed_in(&corp, "sales1");
    assert_eq!(session(&clerk).json()["may_manage"], false);
    assert_eq!(session(&boss).json()["may_manage"], true);

    // Looking is allowed, the forecast (a POST that changes nothing) too.
    assert_eq!(summary(&clerk, &corp).status, 200);
    for read in [
        "seats",
        "members",
        "orders",
        "requests",
        "suggestions",
        "range",
    ] {
        let a = get(&clerk, &format!("{}/api/v1/corps/{corp}/{read}", edge()));
        assert_eq!(a.status, 200, "{read}: {}", a.text);
    }
    let (status, _) = change(&clerk, &corp, "forecast", json!({"add_user": ["dev2"]}));
    assert_eq!(status, 200);

    let read_only = (403, "read_only".to_string());
    let activate = json!({"userids": ["dev1"], "type": 1});
    assert_eq!(
        change(&clerk, &corp, "seats/activate", activate.clone()),
        read_only
    );
    let pair = json!({"transfers": [{"handover_userid": "dev1", "takeover_userid": "dev2"}]});
    assert_eq!(change(&clerk, &corp, "seats/transfer", pair), read_only);
    assert_eq!(
        change(&clerk, &corp, "auto_activate", json!({"enabled": true})),
        read_only
    );
    assert_eq!(change(&clerk, &corp, "sync", json!({})), read_only);
    let unchanged = summary(&boss, &corp).json();
    assert_eq!(unchanged["seats"]["active"], 0, "nothing was activated");
    assert_eq!(unchanged["auto_activate"], false);

    // The admin with management permission may.
    assert_eq!(activate_one(&boss, &corp, "dev1"), json!(true));
}

fn activate_one(admin: &ureq::Agent, corp: &str, userid: &str) -> Value {
    activate(admin, corp, &[userid])[0]["ok"].clone()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_cron_picks_up_an_admin_change_whose_push_was_lost() {
    let (corp, boss) = installed_and_synced("adm4");
    set_admins(
        &corp,
        json!([{"userid": "boss", "auth_type": 0}, {"userid": "dev1", "auth_type": 1}]),
        false,
    );
    // Nothing arrived: the worker still has the old list.
    assert_eq!(dev_login(&corp, "dev1").status, 403);
    assert_eq!(session(&boss).json()["may_manage"], true);

    reconcile(&corp);
    let dev1 = signed_in(&corp, "dev1");
    assert_eq!(session(&dev1).json()["may_manage"], true);
    assert_eq!(session(&boss).json()["may_manage"], false);
    assert_eq!(
        change(&boss, &corp, "sync", json!({})),
        (403, "read_only".into())
    );
    let audit = admin_changes(&corp);
    assert_eq!(audit.len(), 2, "the install, then the repair: {audit:?}");
    assert_eq!(audit[1]["actor"], "cron");
}
