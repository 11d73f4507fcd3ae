//! Seats: orders mirrored from WeCom, activation and transfer under WeCom's
//! rules, refused with a reason before WeCom is asked.

use itest::*;
use serde_json::{json, Value};

fn activate(admin: &ureq::Agent, corp: &str, userids: &[&str]) -> Vec<Value> {
    let a = post_json(
        admin,
        &format!("{}/api/v1/corps/{corp}/seats/activate", edge()),
        &json!({"userids": userids, "type": 1}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()["results"].as_array().unwrap().clone()
}

fn transfer(admin: &ureq::Agent, corp: &str, handover: &str, takeover: &str) -> Value {
    let a = post_json(
        admin,
        &format!("{}/api/v1/corps/{corp}/seats/transfer", edge()),
        &json!({"transfers": [{"handover_userid": handover, "takeover_userid": takeover}]}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()["results"][0].clone()
}

fn seats(admin: &ureq::Agent, corp: &str, query: &str) -> Value {
    let a = get(
        admin,
        &format!("{}/api/v1/corps/{corp}/seats?{query}", edge()),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_paid_order_becomes_unassigned_seats_and_shows_in_the_summary() {
    let (corp, admin) = installed_and_synced("ord");
    let order_id = pay_order(&corp, 3, 365);
    let s = seats(&admin, &corp, "status=unassigned");
    assert_eq!(s["total"], 3);
    let orders = get(&admin, &format!("{}/api/v1/corps/{corp}/orders", edge())).json();
    assert_eq!(orders["items"][0]["order_id"], order_id);
    assert_eq!(orders["items"][0]["base_count"], 3);
    let summary = get(&admin, &format!("{}/api/v1/corps/{corp}/summary", edge())).json();
    assert_eq!(summary["seats"]["purchased"], 3);
    assert_eq!(summary["seats"]["unassigned"], 3);
    assert_eq!(summary["trial"]["active"], true);
    assert_eq!(summary["trial"]["days_left"], 90);
    assert_eq!(summary["members"]["in_range"], 3);
    assert_eq!(summary["members"]["unlicensed"], 3);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn activation_binds_seats_and_refuses_with_reasons() {
    let (corp, admin) = installed_and_synced("act");
    pay_order(&corp, 2, 365);
    let r = activate(&admin, &corp, &["dev1", "boss", "dev1"]);
    assert_eq!(r[0]["ok"], true, "{r:?}");
    assert!(r[0]["expires_at"].as_u64().unwrap() > now() + 364 * 86400);
    assert_eq!(
        r[1]["code"], "unknown_member",
        "outside the range: we do not know them"
    );
    assert_eq!(r[2]["code"], "already_has_seat", "more than 20 days left");
    assert_eq!(r[2]["expires_at"], r[0]["expires_at"]);
    let active = seats(&admin, &corp, "status=active");
    assert_eq!(active["total"], 1);
    assert_eq!(active["items"][0]["userid"], "dev1");
    assert_eq!(
        seats(&admin, &corp, "status=unassigned")["total"],
        1,
        "refused members used no code"
    );
    // The product now sees the seat.
    assert_eq!(may(&corp, "dev1", "pc_login")["reason"], "licensed");
    // Bad requests are refused before anything happens.
    let bad = post_json(
        &admin,
        &format!("{}/api/v1/corps/{corp}/seats/activate", edge()),
        &json!({"userids": ["dev2"], "type": 3}),
    );
    assert_eq!(bad.status, 400);
    let many: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
    let bad = post_json(
        &admin,
        &format!("{}/api/v1/corps/{corp}/seats/activate", edge()),
        &json!({"userids": many, "type": 1}),
    );
    assert_eq!(bad.status, 400, "batches are capped at 1000");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn without_free_codes_activation_says_so() {
    let (corp, admin) = installed_and_synced("nofree");
    pay_order(&corp, 1, 30);
    let r = activate(&admin, &corp, &["dev1", "dev2"]);
    assert_eq!(r[0]["ok"], true);
    assert_eq!(r[1]["code"], "no_free_account");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_departed_members_seat_moves_at_once_and_again() {
    let (corp, admin) = installed_and_synced("dep");
    pay_order(&corp, 1, 365);
    assert_eq!(activate(&admin, &corp, &["dev1"])[0]["ok"], true);
    assert_eq!(
        sim_send(
            "DELETE",
            &format!("/_sim/corps/{corp}/users/dev1"),
            &json!({})
        )
        .status,
        200
    );
    let first = transfer(&admin, &corp, "dev1", "dev2");
    assert_eq!(first["ok"], true, "{first}");
    assert_eq!(first["available_at"], Value::Null, "no waiting period");
    // dev2 leaves too: the seat moves on at once.
    assert_eq!(
        sim_send(
            "DELETE",
            &format!("/_sim/corps/{corp}/users/dev2"),
            &json!({})
        )
        .status,
        200
    );
    let second = transfer(&admin, &corp, "dev2", "sales1");
    assert_eq!(second["ok"], true, "{second}");
    assert_eq!(
        seats(&admin, &corp, "status=active")["items"][0]["userid"],
        "sales1"
    );
    let summary = get(&admin, &format!("{}/api/v1/corps/{corp}/summary", edge())).json();
    assert_eq!(
        summary["members"]["licensed"], 1,
        "only sales1: departed holders do not count"
    );
    assert_eq!(summary["members"]["unlicensed"], 0);
    let history = d1(&format!(
        "SELECT count(*) n FROM transfers WHERE corp_id = '{corp}'"
    ));
    assert_eq!(history[0]["n"], 2);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn transfer_refusals_name_the_rule() {
    let (corp, admin) = installed_and_synced("tref");
    pay_order(&corp, 2, 365);
    assert_eq!(
        activate(&admin, &corp, &["dev1", "dev2"])
            .iter()
            .filter(|r| r["ok"] == true)
            .count(),
        2
    );
    assert_eq!(
        transfer(&admin, &corp, "sales1", "dev1")["code"],
        "handover_not_active"
    );
    let full = transfer(&admin, &corp, "dev1", "dev2");
    assert_eq!(full["code"], "takeover_has_seat");
    assert!(full["expires_at"].as_u64().is_some());
    assert_eq!(
        transfer(&admin, &corp, "dev1", "dev1")["code"],
        "same_member"
    );
    assert_eq!(
        transfer(&admin, &corp, "dev1", "ghost")["code"],
        "unknown_member"
    );
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn members_who_open_the_app_without_a_seat_land_in_the_requests_inbox() {
    let (corp, admin) = installed_and_synced("req");
    let open = |userid: &str| {
        sim_send(
            "POST",
            &format!("/_sim/corps/{corp}/open_app"),
            &json!({"userid": userid}),
        )
    };
    assert_eq!(open("dev1").status, 200);
    std::thread::sleep(std::time::Duration::from_millis(1100)); // a second open, a second event
    assert_eq!(open("dev1").status, 200);
    assert_eq!(open("sales1").status, 200);
    // WeCom only tells the app about members in its range.
    assert_eq!(open("boss").json()["pushed"], false);
    let inbox = get(&admin, &format!("{}/api/v1/corps/{corp}/requests", edge())).json();
    let items = inbox["items"].as_array().unwrap();
    let dev1 = items
        .iter()
        .find(|r| r["userid"] == "dev1")
        .expect("dev1 asked");
    assert_eq!(dev1["count"], 2);
    assert_eq!(dev1["name"], "开发一");
    assert_eq!(dev1["has_seat"], 0);
    assert!(items.iter().any(|r| r["userid"] == "sales1"));
    assert_eq!(items.len(), 2);
    // With a seat, the app is not told again and the inbox shows it served.
    pay_order(&corp, 1, 365);
    assert_eq!(activate(&admin, &corp, &["dev1"])[0]["ok"], true);
    assert_eq!(open("dev1").json()["pushed"], false);
    let inbox = get(&admin, &format!("{}/api/v1/corps/{corp}/requests", edge())).json();
    let dev1 = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["userid"] == "dev1")
        .unwrap()
        .clone();
    assert_eq!(dev1["has_seat"], 1);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_refund_removes_the_unused_seats_of_the_order() {
    let (corp, admin) = installed_and_synced("ref");
    let order = pay_order(&corp, 2, 365);
    assert_eq!(activate(&admin, &corp, &["dev1"])[0]["ok"], true);
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/orders/{order}/refund"),
        &json!({}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(seats(&admin, &corp, "status=refunded")["total"], 1);
    assert_eq!(
        seats(&admin, &corp, "status=active")["total"],
        1,
        "the bound seat stays"
    );
    let summary = get(&admin, &format!("{}/api/v1/corps/{corp}/summary", edge())).json();
    assert_eq!(summary["seats"]["purchased"], 1);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn with_auto_activation_on_a_member_who_opens_the_app_gets_a_free_seat() {
    let (corp, admin) = installed_and_synced("auto");
    pay_order(&corp, 1, 365);
    let a = post_json(
        &admin,
        &format!("{}/api/v1/corps/{corp}/auto_activate", edge()),
        &json!({"enabled": true}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let summary = get(&admin, &format!("{}/api/v1/corps/{corp}/summary", edge())).json();
    assert_eq!(summary["auto_activate"], true);
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/open_app"),
        &json!({"userid": "dev2"}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let active = seats(&admin, &corp, "status=active");
    assert_eq!(active["total"], 1);
    assert_eq!(active["items"][0]["userid"], "dev2");
    assert_eq!(may(&corp, "dev2", "pc_login")["reason"], "licensed");
    let bad = post_json(
        &admin,
        &format!("{}/api/v1/corps/{corp}/auto_activate", edge()),
        &json!({"enabled": "yes"}),
    );
    assert_eq!(bad.status, 400);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn suggestions_match_idle_seats_to_members_who_asked() {
    let (corp, admin) = installed_and_synced("sug");
    pay_order(&corp, 1, 365);
    assert_eq!(activate(&admin, &corp, &["dev1"])[0]["ok"], true);
    let open = |userid: &str| {
        sim_send(
            "POST",
            &format!("/_sim/corps/{corp}/open_app"),
            &json!({"userid": userid}),
        )
    };
    assert_eq!(open("dev2").status, 200);
    let url = format!("{}/api/v1/corps/{corp}/suggestions", edge());
    // dev1 still works here: nothing to suggest yet.
    let none = get(&admin, &url).json();
    assert_eq!(none["items"], json!([]));
    assert_eq!(none["unmatched_requests"], 1);
    // dev1 leaves, holding the seat: it should go to dev2, who asked.
    assert_eq!(
        sim_send(
            "DELETE",
            &format!("/_sim/corps/{corp}/users/dev1"),
            &json!({})
        )
        .status,
        200
    );
    let s = get(&admin, &url).json();
    assert_eq!(s["items"][0]["handover_userid"], "dev1");
    assert_eq!(s["items"][0]["handover_state"], "departed");
    assert_eq!(s["items"][0]["takeover_userid"], "dev2");
    assert_eq!(s["items"][0]["requests"], 1);
    // Acting on it empties the list.
    let done = transfer(&admin, &corp, "dev1", "dev2");
    assert_eq!(done["ok"], true, "{done}");
    let after = get(&admin, &url).json();
    assert_eq!(after["items"], json!([]));
    assert_eq!(after["unmatched_requests"], 0);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_cron_repairs_seats_activated_behind_our_back() {
    let (corp, admin) = installed_and_synced("drift");
    pay_order(&corp, 1, 365);
    // The admin activates dev1 in WeCom's own console: no callback for us.
    let token = post_json(
        &browser(),
        &format!("{}/cgi-bin/service/get_provider_token", sim()),
        &json!({"corpid": config("PROVIDER_CORPID"), "provider_secret": config("PROVIDER_SECRET")}),
    )
    .json()["provider_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = d1(&format!(
        "SELECT active_code FROM seats WHERE corp_id = '{corp}' AND status = 'unassigned'"
    ))[0]["active_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = post_json(
        &browser(),
        &format!(
            "{}/cgi-bin/license/active_account?provider_access_token={token}",
            sim()
        ),
        &json!({"corpid": corp, "active_code": code, "userid": "dev1"}),
    );
    assert_eq!(a.json()["errcode"], 0, "{}", a.text);
    assert_eq!(
        seats(&admin, &corp, "status=active")["total"],
        0,
        "our mirror does not know yet"
    );

    let a = get(
        &browser(),
        &format!("{}/__scheduled?cron=*/10+*+*+*+*", edge()),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let active = seats(&admin, &corp, "status=active");
    assert_eq!(active["total"], 1, "repaired by the reconcile");
    assert_eq!(active["items"][0]["active_code"], code);
    assert_eq!(active["items"][0]["userid"], "dev1");
    assert_eq!(may(&corp, "dev1", "pc_login")["reason"], "licensed");
    let audit = d1(&format!(
        "SELECT actor FROM audit WHERE corp_id = '{corp}' AND action = 'licenses_reconciled'"
    ));
    assert_eq!(audit.len(), 1);
}
