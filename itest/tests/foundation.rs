//! The foundation: health, sessions scoped to one organisation, routing.

use itest::*;
use serde_json::json;

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn health_reports_real_d1_and_kv() {
    let a = get(&browser(), &format!("{}/api/v1/health", edge()));
    assert_eq!(a.status, 200, "{}", a.text);
    let body = a.json();
    assert_eq!(body["ok"], true);
    assert_eq!(body["d1"], true);
    assert_eq!(body["kv"], true);
    assert!(!body["version"].as_str().unwrap().is_empty());
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn dev_login_issues_a_locked_down_cookie_for_an_admin() {
    let a = post_json(
        &browser(),
        &format!("{}/auth/dev-login", edge()),
        &json!({"corp_id": "wwdemo01", "userid": "admin"}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["corp_id"], "wwdemo01");
    let cookie = a.set_cookie.expect("a session cookie");
    assert!(cookie.starts_with("ws_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn session_reads_its_own_organisation_and_is_refused_elsewhere() {
    let admin = signed_in("wwdemo01", "admin");
    let own = get(&admin, &format!("{}/api/v1/corps/wwdemo01", edge()));
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.json()["corp_id"], "wwdemo01");

    let foreign = get(&admin, &format!("{}/api/v1/corps/wwsomeoneelse", edge()));
    assert_eq!(foreign.status, 403, "{}", foreign.text);
    assert_eq!(foreign.error_code(), "forbidden");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn without_a_session_the_api_answers_401() {
    let a = get(&browser(), &format!("{}/api/v1/corps/wwdemo01", edge()));
    assert_eq!(a.status, 401);
    assert_eq!(a.error_code(), "unauthenticated");
    let me = get(&browser(), &format!("{}/api/v1/session", edge()));
    assert_eq!(me.status, 401);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_forged_cookie_is_refused() {
    let agent = browser();
    let a = answer_with_cookie(&agent, "ws_session=eyJjb3JwX2lkIjoid3dkZW1vMDEifQ.AAAA");
    assert_eq!(a, 401);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_expired_or_foreign_signed_cookie_is_refused() {
    use domain::session::Session;
    let secret = config("SESSION_SECRET");
    let cookie = |s: &Session, key: &str| format!("ws_session={}", s.sign(key.as_bytes()).unwrap());
    let agent = browser();
    // The worker's own cookie, re-signed here, is let in (so the two below
    // fail for their one difference, not for their shape): it names a
    // session row the worker opened.
    let login = post_json(
        &browser(),
        &format!("{}/auth/dev-login", edge()),
        &json!({"corp_id": "wwdemo01", "userid": "admin"}),
    );
    let token = login.set_cookie.as_deref().unwrap()["ws_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let fresh = Session::verify(&token, secret.as_bytes(), now()).unwrap();
    assert_eq!(answer_with_cookie(&agent, &cookie(&fresh, &secret)), 200);
    // Expired a day ago.
    let stale = Session {
        expires_at: now() - 86_400,
        ..fresh.clone()
    };
    assert_eq!(answer_with_cookie(&agent, &cookie(&stale, &secret)), 401);
    // Signed with another secret of the same length.
    let other: String = secret.chars().rev().collect();
    assert_ne!(other, secret);
    assert_eq!(answer_with_cookie(&agent, &cookie(&fresh, &other)), 401);
}

fn answer_with_cookie(agent: &ureq::Agent, cookie: &str) -> u16 {
    match agent
        .get(&format!("{}/api/v1/corps/wwdemo01", edge()))
        .set("Cookie", cookie)
        .call()
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("{e}"),
    }
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn dev_login_refuses_non_admins_and_bad_bodies() {
    let url = format!("{}/auth/dev-login", edge());
    let not_admin = post_json(
        &browser(),
        &url,
        &json!({"corp_id": "wwdemo01", "userid": "nobody"}),
    );
    assert_eq!(not_admin.status, 403);
    assert!(not_admin.set_cookie.is_none());
    let unknown_corp = post_json(
        &browser(),
        &url,
        &json!({"corp_id": "wwnope", "userid": "admin"}),
    );
    assert_eq!(unknown_corp.status, 403);
    let garbage = match browser()
        .post(&url)
        .set("Content-Type", "application/json")
        .send_string("{not json")
    {
        Err(ureq::Error::Status(status, r)) => (status, r.into_string().unwrap_or_default()),
        other => panic!("garbage was not refused: {other:?}"),
    };
    assert_eq!(garbage.0, 400);
    assert!(garbage.1.contains("\"bad_request\""), "{}", garbage.1);
    let not_json = post_text(&browser(), &url, "corp_id=wwdemo01&userid=admin");
    assert_eq!(not_json.status, 415);
    assert_eq!(not_json.error_code(), "unsupported_media_type");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn logout_clears_the_session() {
    let admin = signed_in("wwdemo01", "admin");
    let out = post_text(&admin, &format!("{}/auth/logout", edge()), "");
    assert_eq!(out.status, 204);
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    let after = get(&admin, &format!("{}/api/v1/session", edge()));
    assert_eq!(after.status, 401);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn unknown_api_routes_answer_json_404_and_pages_fall_back_to_the_app() {
    let api = get(&browser(), &format!("{}/api/v1/no-such-thing", edge()));
    assert_eq!(api.status, 404);
    assert_eq!(api.error_code(), "not_found");

    let page = get(&browser(), &format!("{}/members/some-deep-link", edge()));
    assert_eq!(page.status, 200);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    assert!(page.text.contains("/pkg/app.js"));
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn development_routes_need_dev_mode_and_the_key_and_only_read() {
    let url = |r: &str| format!("{}/api/v1/dev/{r}", edge());
    let no_key = post_json(&browser(), &url("query"), &json!({"sql": "SELECT 1 AS n"}));
    assert_eq!(no_key.status, 401);
    let key = format!("Bearer {}", config("ACCESS_API_KEY"));
    let write = browser()
        .post(&url("query"))
        .set("Authorization", &key)
        .send_json(json!({"sql": "DELETE FROM organisations"}));
    assert!(
        matches!(write, Err(ureq::Error::Status(400, _))),
        "only SELECT"
    );
    let sneaky = browser()
        .post(&url("query"))
        .set("Authorization", &key)
        .send_json(json!({"sql": "SELECT 1; DELETE FROM organisations"}));
    assert!(
        matches!(sneaky, Err(ureq::Error::Status(400, _))),
        "one statement"
    );
    // A worker without DEV_LOGIN (as in production) has none of them.
    let prod = config("SAMPLE_EDGE_URL");
    for route in ["query", "kv_keys", "clock", "noop"] {
        let a = post_json(
            &browser(),
            &format!("{prod}/api/v1/dev/{route}"),
            &json!({}),
        );
        assert_eq!(a.status, 404, "{route}: {}", a.text);
    }
    let login = post_json(
        &browser(),
        &format!("{prod}/auth/dev-login"),
        &json!({"corp_id": "x", "userid": "y"}),
    );
    assert_eq!(login.status, 404);
}
