//! Tenant isolation: an admin of organisation A, signed in, tries every
//! `/api/v1/corps/{corp_id}/…` route of the route table (`domain::routes`)
//! on organisation B. Each must answer 403 with nothing of B in the body,
//! and B must be left as it was. The matrix is generated from the table, so
//! a route added there is covered here without editing this file.

use domain::routes::{Method, Route};
use itest::*;
use serde_json::{json, Value};

const CORP_ROUTES: &str = "/api/v1/corps/{corp_id}";

/// Every route about one organisation.
fn corp_routes() -> Vec<Route> {
    Route::ALL
        .iter()
        .copied()
        .filter(|r| r.path().starts_with(CORP_ROUTES))
        .collect()
}

/// The route's URL for `corp_id`; any other path parameter a future route
/// adds gets a placeholder.
fn url(route: Route, corp_id: &str) -> String {
    let mut path = route.path().replace("{corp_id}", corp_id);
    while let (Some(open), Some(close)) = (path.find('{'), path.find('}')) {
        path.replace_range(open..=close, "x");
    }
    format!("{}{path}", edge())
}

/// One body for every POST: each route reads the fields it knows (none
/// refuses unknown ones), so on a route that forgot the tenancy check it
/// would act on B's members. It names two of B's three members: the third
/// showing in an answer is a leak whatever the route echoes.
fn body(b_users: &[String]) -> Value {
    json!({
        "userids": &b_users[..2],
        "type": 1,
        "transfers": [{"handover_userid": b_users[0], "takeover_userid": b_users[1]}],
        "enabled": true,
        "add_party": [2],
        "add_user": [b_users[1]],
        "remove_party": [3],
        "remove_user": [b_users[0]],
    })
}

fn call(agent: &ureq::Agent, route: Route, corp_id: &str, b_users: &[String]) -> Answer {
    match route.method() {
        Method::Get => get(agent, &url(route, corp_id)),
        Method::Post => post_json(agent, &url(route, corp_id), &body(b_users)),
    }
}

/// What of B could show in a leaking answer (WeCom tells a third-party
/// app no member's or department's name, so ids are what could leak).
fn secrets_of_b(corp_name: &str, users: &[String]) -> Vec<String> {
    let mut s = vec![corp_name.to_owned()];
    s.extend(users.iter().cloned());
    s
}

/// B's rows that any of the routes could add.
fn footprint(corp: &str) -> Vec<u64> {
    ["audit", "events", "seat_requests", "transfers", "seats"]
        .iter()
        .map(|t| {
            d1_count(&format!(
                "SELECT count(*) AS n FROM {t} WHERE corp_id = '{corp}'"
            ))
        })
        .collect()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_admin_of_one_organisation_gets_403_and_nothing_on_every_route_of_another() {
    let (_corp_a, admin_a) = installed_and_synced("isoa");

    // B: its own names, members and departments, so a leak is recognisable
    // (WeCom gives a third-party app a department's id as its name, page
    // 90344, so the organisation's name and userids are what could leak).
    let corp_b = unique_corp("isob");
    let tag = &corp_b[corp_b.len() - 6..];
    let corp_name = format!("乙公司机密{tag}");
    let b_users: Vec<String> = ["alice", "bob", "carol"]
        .iter()
        .map(|u| format!("{u}{tag}"))
        .collect();
    let departments = [format!("乙研发{tag}"), format!("乙销售{tag}")];
    let contacts = json!({
        "corp_id": corp_b,
        "corp_name": corp_name,
        "departments": [
            {"id": 1, "name": "总部", "parentid": 0},
            {"id": 2, "name": departments[0], "parentid": 1},
            {"id": 3, "name": departments[1], "parentid": 1},
        ],
        "users": [
            {"userid": "boss", "name": "老板", "department": [1]},
            {"userid": b_users[0], "name": "甲", "department": [2]},
            {"userid": b_users[1], "name": "乙", "department": [2]},
            {"userid": b_users[2], "name": "丙", "department": [3]},
        ],
        "admins": ["boss"],
        "range": {"party": [2, 3], "user": [], "tag": []},
    });
    let (corp_b, admin_b) = installed_with(&contacts);
    pay_order(&corp_b, 2, 365);
    let secrets = secrets_of_b(&corp_name, &b_users);

    let routes = corp_routes();
    assert!(
        routes.len() >= 15,
        "the table lost its corp routes: {routes:?}"
    );
    let before = footprint(&corp_b);
    let mut failures = vec![];
    for &route in &routes {
        let a = call(&admin_a, route, &corp_b, &b_users);
        let what = format!(
            "{} {} ({})",
            route.method().as_str(),
            route.path(),
            route.id()
        );
        if a.status != 403 {
            failures.push(format!("{what}: {} {}", a.status, a.text));
        }
        // A POST's own body names some of B's members; an answer echoing
        // them back tells A nothing new, anything else of B does.
        let sent = body(&b_users).to_string();
        for s in secrets.iter().filter(|s| !sent.contains(s.as_str())) {
            if a.text.contains(s.as_str()) {
                failures.push(format!("{what}: the answer shows B's {s:?}: {}", a.text));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(footprint(&corp_b), before, "A's requests changed B");

    // Control: B's own admin gets through on every route (so the 403s
    // above are the tenancy check, not a broken request), and B's reads
    // do show the names the check above looks for.
    let mut shown = String::new();
    for &route in &routes {
        let a = call(&admin_b, route, &corp_b, &b_users);
        assert!(
            a.status != 403 && a.status < 500,
            "{} {} as B's admin: {} {}",
            route.method().as_str(),
            route.path(),
            a.status,
            a.text
        );
        if route.method() == Method::Get {
            shown.push_str(&a.text);
        }
    }
    for s in &secrets {
        assert!(shown.contains(s.as_str()), "B's reads never show {s:?}");
    }
}

/// Every route of the provider's desk (`Door::Operator`), from the table:
/// an organisation's admin gets 403 and nothing of any organisation; no
/// session, 401.
#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_organisations_admin_gets_403_on_every_route_of_the_providers_desk() {
    let (corp, admin) = installed_and_synced("isodesk");
    let desk: Vec<Route> = Route::ALL
        .iter()
        .copied()
        .filter(|r| r.door() == domain::routes::Door::Operator)
        .collect();
    assert!(!desk.is_empty());
    for route in desk {
        let url = url(route, &corp);
        let answer = match route.method() {
            Method::Get => get(&admin, &url),
            Method::Post => post_json(&admin, &url, &json!({})),
        };
        assert_eq!(
            answer.status,
            403,
            "{} {}: {}",
            route.method().as_str(),
            route.path(),
            answer.text
        );
        assert!(!answer.text.contains(&corp), "{}", answer.text);
        let anonymous = match route.method() {
            Method::Get => get(&browser(), &url),
            Method::Post => post_json(&browser(), &url, &json!({})),
        };
        assert_eq!(
            anonymous.status,
            401,
            "{}: {}",
            route.path(),
            anonymous.text
        );
    }
}
