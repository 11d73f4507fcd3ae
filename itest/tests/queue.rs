//! Callbacks through the queue: recorded and answered at once, applied by
//! the consumer once however many deliveries arrive together, retried,
//! and — after the last retry — failed, visible and sent again on request.

use itest::*;
use serde_json::json;

fn unlicensed_xml(corp: &str, userid: &str) -> String {
    format!(
        "<xml><ToUserName>{corp}</ToUserName><FromUserName>{userid}</FromUserName>\
         <CreateTime>{}</CreateTime><MsgType>event</MsgType><Event>unlicensed_notify</Event>\
         <AgentID>1000001</AgentID></xml>",
        now()
    )
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_same_event_delivered_four_times_at_once_is_applied_once() {
    let (corp, admin) = installed_and_synced("claim");
    let xml = unlicensed_xml(&corp, "dev2");
    // Four deliveries of one message at the same moment: each is recorded
    // (once) and sent to the queue; the claim lets one of them apply it.
    let c = signed_with(&crypt(), &xml, &corp, now());
    let deliveries: Vec<_> = (0..4)
        .map(|_| {
            let (query, body) = (c.query.clone(), c.body.clone());
            std::thread::spawn(move || post_callback("data", &query, &body))
        })
        .collect();
    for d in deliveries {
        let a = d.join().unwrap();
        assert_eq!((a.status, a.text.as_str()), (200, "success"));
    }
    let inbox = get(&admin, &format!("{}/api/v1/corps/{corp}/requests", edge())).json();
    assert_eq!(inbox["items"][0]["userid"], "dev2", "{inbox}");
    assert_eq!(inbox["items"][0]["count"], 1, "applied once: {inbox}");
    let rows = d1(&format!(
        "SELECT attempts FROM events WHERE corp_id = '{corp}' AND kind = 'unlicensed_notify'"
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["attempts"], 1, "claimed once: {rows:?}");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_event_wecom_refuses_as_too_frequent_past_the_queues_retries_is_applied_when_it_lets_up() {
    let (corp, admin) = installed_and_synced("slow");
    // WeCom refuses the next eight user/get calls as too frequent (45009):
    // more tries than the queue's retries (wrangler.toml max_retries = 5),
    // each after WECOM_RATE_LIMIT_BACKOFF_SECS (1 s in the tests).
    let busy = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/busy"),
        &json!({"call": "user/get", "times": 8, "errcode": 45009}),
    );
    assert_eq!(busy.status, 200, "{}", busy.text);
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/users"),
        &json!({"userid": "dev4", "name": "开发四", "department": [2]}),
    );
    assert_eq!(a.json()["success"], true, "answered at once: {}", a.text);
    let mut dev4 = None;
    for _ in 0..300 {
        dev4 = members(&admin, &corp, "").remove("dev4");
        if dev4.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let health = event_health(&admin, &corp);
    assert_eq!(health["failed"], 0, "not failed: {health}");
    let dev4 = dev4.unwrap_or_else(|| panic!("dev4 never arrived: {health}"));
    assert_eq!(dev4["department_ids"], json!([2]), "{dev4}");
    let rows = d1(&format!(
        "SELECT attempts FROM events WHERE corp_id = '{corp}' AND kind = 'change_contact.create_user'"
    ));
    assert_eq!(
        rows[0]["attempts"], 9,
        "eight refusals, then applied: {rows:?}"
    );
}

fn event_health(admin: &ureq::Agent, corp: &str) -> serde_json::Value {
    let a = get(admin, &format!("{}/api/v1/corps/{corp}/events", edge()));
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_event_failing_every_retry_shows_as_failed_until_an_admin_retries_it() {
    let (corp, admin) = installed_and_synced("dead");
    // WeCom answers "busy" to every user/get: the new member's event fails
    // each retry and ends in the dead-letter queue.
    sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/busy"),
        &json!({"call": "user/get", "times": 1000}),
    );
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/users"),
        &json!({"userid": "dev3", "name": "开发三", "department": [2]}),
    );
    assert_eq!(a.json()["success"], true, "answered at once: {}", a.text);
    let mut health = json!(null);
    for _ in 0..150 {
        health = event_health(&admin, &corp);
        if health["failed"] == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(health["failed"], 1, "{health}");
    assert_eq!(health["backlog"], 0, "{health}");
    let failure = &health["failures"][0];
    assert_eq!(failure["kind"], "change_contact.create_user", "{health}");
    assert!(
        failure["error"].as_str().unwrap().contains("errcode -1"),
        "{health}"
    );
    assert!(!members(&admin, &corp, "").contains_key("dev3"));

    // WeCom recovers; the admin retries from the console.
    sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/busy"),
        &json!({"call": "user/get", "times": 0}),
    );
    let a = post_json(
        &admin,
        &format!("{}/api/v1/corps/{corp}/events/retry", edge()),
        &json!({}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["requeued"], 1);
    let dev3 = wait_for_member(&admin, &corp, "dev3");
    assert_eq!(dev3["department_ids"], json!([2]), "{dev3}");
    let health = event_health(&admin, &corp);
    assert_eq!(
        (health["failed"].as_u64(), health["backlog"].as_u64()),
        (Some(0), Some(0))
    );
    // Another organisation's admin cannot see or retry these.
    let (_, stranger) = installed_and_synced("stranger");
    let a = post_json(
        &stranger,
        &format!("{}/api/v1/corps/{corp}/events/retry", edge()),
        &json!({}),
    );
    assert_eq!(a.status, 403, "{}", a.text);
}

fn retry_with_key(corp: &str, key: &str) -> Answer {
    let url = format!("{}/api/v1/corps/{corp}/events/retry", edge());
    let r = browser()
        .post(&url)
        .set("Authorization", &format!("Bearer {key}"))
        .send_json(json!({}));
    answer(r)
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_providers_operator_retries_an_organisations_failed_events_with_its_key_alone() {
    let (corp, admin) = installed_and_synced("oper");
    sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/busy"),
        &json!({"call": "user/get", "times": 1000}),
    );
    sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/users"),
        &json!({"userid": "dev4", "name": "开发四", "department": [2]}),
    );
    let mut health = json!(null);
    for _ in 0..150 {
        health = event_health(&admin, &corp);
        if health["failed"] == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(health["failed"], 1, "{health}");
    sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/busy"),
        &json!({"call": "user/get", "times": 0}),
    );

    // Not the operator: a wrong key, the access key, no key at all.
    for key in ["not-the-key", &config("ACCESS_API_KEY"), ""] {
        let a = retry_with_key(&corp, key);
        assert_eq!(
            (a.status, a.error_code().as_str()),
            (401, "unauthenticated"),
            "{key:?}: {}",
            a.text
        );
    }
    assert_eq!(
        event_health(&admin, &corp)["failed"],
        1,
        "nothing was retried"
    );

    // The operator's key, no session: retried, and audited as the operator.
    let a = retry_with_key(&corp, &config("OPERATOR_API_KEY"));
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["requeued"], 1);
    wait_for_member(&admin, &corp, "dev4");
    assert_eq!(event_health(&admin, &corp)["failed"], 0);
    let actors = d1(&format!(
        "SELECT actor FROM audit WHERE corp_id = '{corp}' AND action = 'events_retried'"
    ));
    assert_eq!(actors, vec![json!({"actor": "operator"})]);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_burst_of_member_changes_applied_lanes_at_once_ends_as_wecom_says() {
    // Fifty members renamed by eight senders at once, one member deleted
    // and added again, another renamed and then deleted: the consumer
    // applies different members' events at once and one member's in
    // order, so each ends as WeCom has it.
    let (corp, admin) = generated("burst", 3, 60);
    let users = format!("/_sim/corps/{corp}/users");
    std::thread::scope(|s| {
        for t in 0..8 {
            let users = &users;
            s.spawn(move || {
                for i in (10 + t..60).step_by(8) {
                    let a = sim_send(
                        "PATCH",
                        &format!("{users}/u{i:06}"),
                        &json!({"name": format!("改{i}")}),
                    );
                    assert_eq!(a.status, 200, "{}", a.text);
                }
            });
        }
        s.spawn(|| {
            let a = sim_send("DELETE", &format!("{users}/u000007"), &json!({}));
            assert_eq!(a.status, 200, "{}", a.text);
            let a = sim_send(
                "POST",
                &users,
                &json!({"userid": "u000007", "name": "回来", "department": [1]}),
            );
            assert_eq!(a.status, 200, "{}", a.text);
        });
        s.spawn(|| {
            for n in 0..3 {
                let a = sim_send(
                    "PATCH",
                    &format!("{users}/u000008"),
                    &json!({"name": format!("走{n}")}),
                );
                assert_eq!(a.status, 200, "{}", a.text);
            }
            let a = sim_send("DELETE", &format!("{users}/u000008"), &json!({}));
            assert_eq!(a.status, 200, "{}", a.text);
        });
    });
    let unapplied = || {
        d1_count(&format!(
            "SELECT count(*) AS n FROM events WHERE corp_id = '{corp}' AND applied_at IS NULL"
        ))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while unapplied() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(unapplied(), 0, "every event applied");
    let m = members(&admin, &corp, "");
    assert_eq!(m["u000007"]["status"], "active", "{}", m["u000007"]);
    assert_eq!(m["u000007"]["in_range"], true);
    assert_eq!(m["u000008"]["status"], "departed", "{}", m["u000008"]);
    let active = m.values().filter(|v| v["status"] == "active").count();
    assert_eq!(active, 59, "all but the one deleted");
}
