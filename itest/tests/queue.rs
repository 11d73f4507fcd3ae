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
