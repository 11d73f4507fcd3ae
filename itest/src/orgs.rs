//! Organisations in the simulator and the Worker: made, installed, synced,
//! uninstalled; members who leave; seats bought, activated and moved.

use crate::*;
use serde_json::Value;

/// What the scheduled cron does to one organisation, now (the dev route):
/// tests repair their own organisation and no other test's.
pub fn reconcile(corp_id: &str) -> Value {
    inspect("reconcile", &serde_json::json!({"corp_id": corp_id}))
}

/// A corp id no other test uses.
pub fn unique_corp(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("wwit{tag}{:x}", nanos % 0xffff_ffff)
}

/// The organisation the simulator plays: two departments, members, an admin.
pub fn sim_corp(corp_id: &str, party: &[u64], users: &[&str]) -> Value {
    serde_json::json!({
        "corp_id": corp_id,
        "corp_name": format!("测试企业 {corp_id}"),
        "departments": [
            {"id": 1, "name": "总部", "parentid": 0},
            {"id": 2, "name": "研发", "parentid": 1},
            {"id": 3, "name": "销售", "parentid": 1},
        ],
        "users": [
            {"userid": "boss", "name": "老板", "department": [1]},
            {"userid": "dev1", "name": "开发一", "department": [2]},
            {"userid": "dev2", "name": "开发二", "department": [2]},
            {"userid": "sales1", "name": "销售一", "department": [3]},
        ],
        "admins": ["boss"],
        "range": {"party": party, "user": users, "tag": []},
    })
}

/// Creates (or replaces) an organisation's contacts in the simulator,
/// without a callback; returns its corp id.
pub fn put_sim_corp(contacts: &Value) -> String {
    let a = post_json(&browser(), &format!("{}/_sim/corps", sim()), contacts);
    assert_eq!(a.status, 200, "{}", a.text);
    contacts["corp_id"].as_str().unwrap().to_owned()
}

/// The organisation's admin installs the app (`create_auth` is pushed);
/// returns once the worker has finished the install it answered at once,
/// and the first contacts sync the install started (a chain of queue
/// messages) has ended.
pub fn sim_install(corp_id: &str) {
    let before = installs_finished(corp_id);
    push_install(corp_id);
    wait_for_install(corp_id, before);
    wait_for_no_sync(corp_id);
}

/// Waits (up to 30 s) until no sync of the organisation holds its lease.
pub fn wait_for_no_sync(corp_id: &str) {
    for _ in 0..300 {
        let running = d1_count(&format!(
            "SELECT count(*) AS n FROM sync_leases WHERE corp_id = '{corp_id}'"
        ));
        if running == 0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Pushes `create_auth` for the organisation; the worker installs after
/// its answer.
pub fn push_install(corp_id: &str) -> Answer {
    let a = post_text(
        &browser(),
        &format!("{}/_sim/corps/{corp_id}/install", sim()),
        "",
    );
    assert_eq!(a.status, 200, "install not delivered: {}", a.text);
    a
}

/// How many `create_auth` events of the organisation the worker finished.
pub fn installs_finished(corp_id: &str) -> u64 {
    d1_count(&format!(
        "SELECT count(*) AS n FROM events WHERE kind = 'create_auth' \
         AND corp_id = '{corp_id}' AND applied_at IS NOT NULL"
    ))
}

/// Waits until more installs of the organisation are finished than `before`.
pub fn wait_for_install(corp_id: &str, before: u64) {
    for _ in 0..150 {
        if installs_finished(corp_id) > before {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("the install of {corp_id} did not finish");
}

/// The organisation's admin removes the app (`cancel_auth` is pushed).
pub fn sim_uninstall(corp_id: &str) {
    let a = post_text(
        &browser(),
        &format!("{}/_sim/corps/{corp_id}/uninstall", sim()),
        "",
    );
    assert_eq!(a.status, 200, "uninstall not delivered: {}", a.text);
}

/// Creates the organisation in the simulator and installs the app.
pub fn install_corp(corp_id: &str) {
    put_sim_corp(&sim_corp(corp_id, &[2], &["sales1"]));
    sim_install(corp_id);
}

/// The id of the organisation's last or running sync, if any: read it
/// before starting one, then [`wait_for_sync`] for another.
pub fn sync_id(admin: &ureq::Agent, corp_id: &str) -> Option<String> {
    sync_status(admin, corp_id)["id"]
        .as_str()
        .map(str::to_owned)
}

/// `GET .../sync`.
pub fn sync_status(admin: &ureq::Agent, corp_id: &str) -> Value {
    let a = get(admin, &format!("{}/api/v1/corps/{corp_id}/sync", edge()));
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}

/// Waits until a sync other than `previous` (the id [`sync_id`] read
/// before it was started; `None` for the first) has finished.
pub fn wait_for_sync(admin: &ureq::Agent, corp_id: &str, previous: Option<String>) -> Value {
    for _ in 0..300 {
        let s = sync_status(admin, corp_id);
        let another = s["id"].is_string() && s["id"].as_str() != previous.as_deref();
        if another && s["state"] == "failed" {
            panic!("sync failed: {s}");
        }
        if another && s["state"] == "done" {
            return s;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("sync of {corp_id} did not finish");
}

/// All members (every page), keyed by userid.
pub fn members(
    admin: &ureq::Agent,
    corp_id: &str,
    query: &str,
) -> std::collections::BTreeMap<String, Value> {
    let mut out = std::collections::BTreeMap::new();
    let mut cursor = String::new();
    loop {
        let a = get(
            admin,
            &format!(
                "{}/api/v1/corps/{corp_id}/members?{query}&limit=500&cursor={cursor}",
                edge()
            ),
        );
        assert_eq!(a.status, 200, "{}", a.text);
        let page = a.json();
        for m in page["items"].as_array().unwrap() {
            out.insert(m["userid"].as_str().unwrap().to_owned(), m.clone());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => return out,
        }
    }
}

/// Installs a fresh organisation (range: department 2 and user sales1) and
/// returns its admin, signed in, after the first sync.
pub fn installed_and_synced(tag: &str) -> (String, ureq::Agent) {
    installed_with(&sim_corp(&unique_corp(tag), &[2], &["sales1"]))
}

/// An organisation of `departments` departments (all in range) and
/// `members` members, installed and synced once.
pub fn generated(tag: &str, departments: u64, members: u64) -> (String, ureq::Agent) {
    let corp = put_sim_corp(&sim_corp(&unique_corp(tag), &[1], &[]));
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/generate"),
        &serde_json::json!({"departments": departments, "members": members}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    sim_install(&corp);
    let admin = signed_in(&corp, "boss");
    wait_for_sync(&admin, &corp, None);
    (corp, admin)
}

/// Creates and installs an organisation from its whole contacts (admin
/// `boss`), and returns its id and admin, signed in, after the first sync.
pub fn installed_with(contacts: &Value) -> (String, ureq::Agent) {
    let corp = put_sim_corp(contacts);
    sim_install(&corp);
    let admin = signed_in(&corp, "boss");
    wait_for_sync(&admin, &corp, None);
    (corp, admin)
}

/// The member leaves the organisation in WeCom (`delete_user` is pushed).
pub fn member_leaves(corp_id: &str, userid: &str) {
    let a = sim_send(
        "DELETE",
        &format!("/_sim/corps/{corp_id}/users/{userid}"),
        &serde_json::json!({}),
    );
    assert_eq!(a.status, 200, "{userid} did not leave: {}", a.text);
}

/// Waits (up to 10 s) until the member is listed; the member's item, or
/// null when they never came.
pub fn wait_for_member(admin: &ureq::Agent, corp_id: &str, userid: &str) -> Value {
    for _ in 0..100 {
        if let Some(m) = members(admin, corp_id, "").remove(userid) {
            return m;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Value::Null
}

/// `POST .../seats/activate` of base accounts; the per-member results.
pub fn activate(admin: &ureq::Agent, corp: &str, userids: &[&str]) -> Vec<Value> {
    let a = post_json(
        admin,
        &format!("{}/api/v1/corps/{corp}/seats/activate", edge()),
        &serde_json::json!({"userids": userids, "type": 1}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()["results"].as_array().unwrap().clone()
}

/// `POST .../seats/transfer` of one pair; its result.
pub fn transfer(admin: &ureq::Agent, corp: &str, handover: &str, takeover: &str) -> Value {
    let a = post_json(
        admin,
        &format!("{}/api/v1/corps/{corp}/seats/transfer", edge()),
        &serde_json::json!({"transfers": [{"handover_userid": handover, "takeover_userid": takeover}]}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()["results"][0].clone()
}

/// Pays an order in the simulator (pushes license_pay_success).
pub fn pay_order(corp_id: &str, base: u64, days: u64) -> String {
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp_id}/orders"),
        &serde_json::json!({"base": base, "days": days}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()["order_id"].as_str().unwrap().to_owned()
}

/// A member holds a base seat with `days_left` (at most 31) left: WeCom
/// sells a month at least, so a 31-day seat is bought, activated and aged
/// in `sim` (time passes for that account only), and the worker's
/// reconcile reads the new expiry from WeCom.
pub fn short_seat(admin: &ureq::Agent, corp_id: &str, userid: &str, days_left: u64) {
    assert!(days_left <= 31, "orders last a month at least");
    pay_order(corp_id, 1, 31);
    let r = activate(admin, corp_id, &[userid]);
    assert_eq!(r[0]["ok"], true, "{r:?}");
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp_id}/age"),
        &serde_json::json!({"userid": userid, "type": 1, "days": 31 - days_left}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    reconcile(corp_id);
}

/// A provider access token from the simulator, as the worker gets one.
pub fn provider_token() -> String {
    let a = post_json(
        &browser(),
        &format!("{}/cgi-bin/service/get_provider_token", sim()),
        &serde_json::json!({"corpid": config("PROVIDER_CORPID"), "provider_secret": config("PROVIDER_SECRET")}),
    );
    a.json()["provider_access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no provider token: {}", a.text))
        .to_owned()
}

/// Calls WeCom's license API (`cgi-bin/license/{path}`) in the simulator
/// directly, as the admin's own console or a sales tool would.
pub fn wecom_license(path: &str, body: &Value) -> Value {
    let url = format!(
        "{}/cgi-bin/license/{path}?provider_access_token={}",
        sim(),
        provider_token()
    );
    let a = post_json(&browser(), &url, body);
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}
