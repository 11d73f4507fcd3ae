//! What a browser may do: a page of another site cannot make a signed-in
//! admin's browser change anything, every answer tells the browser not to
//! frame or sniff it, and the console inside WeCom gets its JS-SDK config
//! signed with the app's own ticket.

use itest::*;
use serde_json::json;

const EVIL: &str = "https://evil.example";

/// The audit rows of an organisation: every change writes one.
fn audit_rows(corp: &str) -> u64 {
    d1_count(&format!(
        "SELECT count(*) AS n FROM audit WHERE corp_id = '{corp}'"
    ))
}

fn refused(result: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match result {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap_or_default()),
        Err(e) => panic!("request failed: {e}"),
    }
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_cross_site_form_post_changes_nothing() {
    let (corp, admin) = installed_and_synced("csrf");
    let before = audit_rows(&corp);
    let url = format!("{}/api/v1/corps/{corp}/seats/activate", edge());
    // What a foreign page's <form method=post> makes the admin's browser send.
    let (status, body) = refused(
        admin
            .post(&url)
            .set("Origin", EVIL)
            .set("Sec-Fetch-Site", "cross-site")
            .send_form(&[("userids", "sales1"), ("type", "1")]),
    );
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("\"cross_site\""), "{body}");
    // A foreign page's fetch that claims JSON is refused by its Origin alone.
    let (status, _) = refused(
        admin
            .post(&url)
            .set("Origin", EVIL)
            .send_json(json!({"userids": ["sales1"], "type": 1})),
    );
    assert_eq!(status, 403);
    // Nor can it sign the admin out.
    let (status, _) = refused(
        admin
            .post(&format!("{}/auth/logout", edge()))
            .set("Sec-Fetch-Site", "cross-site")
            .call(),
    );
    assert_eq!(status, 403);
    assert_eq!(audit_rows(&corp), before, "nothing was recorded");
    let session = get(&admin, &format!("{}/api/v1/session", edge()));
    assert_eq!(session.status, 200, "still signed in: {}", session.text);
    let seats = get(&admin, &format!("{}/api/v1/corps/{corp}/seats", edge()));
    assert!(!seats.text.contains("\"sales1\""), "no seat was bound");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_console_itself_may_post_json_and_only_json() {
    let (corp, admin) = installed_and_synced("samesite");
    let own = edge();
    let url = format!("{own}/api/v1/corps/{corp}/auto_activate");
    let (status, body) = refused(
        admin
            .post(&url)
            .set("Origin", &own)
            .set("Sec-Fetch-Site", "same-origin")
            .set("Content-Type", "text/plain")
            .send_string(r#"{"enabled":true}"#),
    );
    assert_eq!(status, 415, "{body}");
    assert!(body.contains("unsupported_media_type"), "{body}");
    let (status, body) = refused(
        admin
            .post(&url)
            .set("Origin", &own)
            .set("Sec-Fetch-Site", "same-origin")
            .send_json(json!({"enabled": true})),
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn every_answer_forbids_framing_and_sniffing() {
    for path in ["/", "/members", "/api/v1/health", "/api/v1/no-such-route"] {
        let resp = match browser().get(&format!("{}{path}", edge())).call() {
            Ok(r) | Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{path}: {e}"),
        };
        let csp = resp.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp:?}");
        assert!(
            !csp.contains("unsafe-eval'") || csp.contains("wasm-unsafe-eval"),
            "{path}"
        );
        assert!(
            !csp.contains("'unsafe-inline'"),
            "no inline script or style: {path}: {csp}"
        );
        // WeCom's SDK hosts only by the paths the console loads.
        for host in [
            "https://wwcdn.weixin.qq.com",
            "https://open.work.weixin.qq.com",
        ] {
            assert!(
                !csp.contains(&format!("{host} ")) && !csp.contains(&format!("{host};")),
                "{host} is narrowed to its path: {path}: {csp}"
            );
        }
        assert_eq!(
            resp.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            resp.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
    }
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn agent_config_is_signed_with_the_apps_ticket_fetched_once() {
    let (corp, admin) = installed_and_synced("jsapi");
    let page = format!("{}/members?q=a", edge());
    let ask = |url: &str| {
        get(
            &admin,
            &format!(
                "{}/api/v1/corps/{corp}/jsapi/agent_config?url={}",
                edge(),
                urlencode(url)
            ),
        )
    };
    let mut answers = vec![];
    for _ in 0..3 {
        let a = ask(&format!("{page}#top"));
        assert_eq!(a.status, 200, "{}", a.text);
        answers.push(a.json());
    }
    let ticket = sim_send(
        "GET",
        &format!("/_sim/corps/{corp}/agent_ticket"),
        &json!({}),
    )
    .json();
    assert_eq!(
        ticket["fetches"], 1,
        "the ticket is cached, not fetched per page"
    );
    let sim_corp = sim_send("GET", &format!("/_sim/corps/{corp}"), &json!({})).json();
    for c in &answers {
        assert_eq!(c["corp_id"], corp.as_str());
        assert_eq!(c["agent_id"], sim_corp["agent_id"]);
        assert_eq!(c["url"], page.as_str(), "the fragment is not signed");
        let expected = domain::jsapi::signature(
            ticket["ticket"].as_str().unwrap(),
            c["nonce_str"].as_str().unwrap(),
            c["timestamp"].as_u64().unwrap(),
            &page,
        );
        assert_eq!(c["signature"], expected.as_str(), "WeCom would accept it");
    }
    assert_ne!(answers[0]["nonce_str"], answers[1]["nonce_str"]);
    let bad = ask("javascript:alert(1)");
    assert_eq!(bad.status, 400, "{}", bad.text);
    // Another site's page gets no signature for our app.
    for other in [
        "https://evil.example/members",
        &format!("{}.evil.example/", edge()),
        &format!("https://evil.example/?{}", edge()),
    ] {
        let a = ask(other);
        assert_eq!(a.status, 400, "{other}: {}", a.text);
        assert!(a.text.contains("own origin"), "{}", a.text);
    }
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_api_body_past_its_cap_is_refused_before_it_is_read() {
    let (corp, admin) = installed_and_synced("bigbody");
    let url = format!("{}/api/v1/corps/{corp}/seats/activate", edge());
    // 300 KiB of userids: past the 256 KiB cap, however valid its shape.
    let userids: Vec<String> = (0..30_000).map(|i| format!("u{i:08}")).collect();
    let body = serde_json::to_string(&json!({"userids": userids, "type": 1})).unwrap();
    assert!(body.len() > 256 * 1024);
    let a = match admin
        .post(&url)
        .set("Content-Type", "application/json")
        .send_string(&body)
    {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap_or_default()),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(a.0, 413, "{}", a.1);
    assert!(a.1.contains("payload_too_large"), "{}", a.1);
    // Nothing was activated or audited.
    let audited = d1_count(&format!(
        "SELECT count(*) AS n FROM audit WHERE corp_id = '{corp}' AND action = 'seats_activated'"
    ));
    assert_eq!(audited, 0);
}
