//! The WeCom callback gateway, driven as WeCom would (through the simulator)
//! and with every class of bad input WeCom's network could bring.

use itest::*;
use serde_json::json;

fn suite_id() -> String {
    config("SUITE_ID")
}

/// A suite callback of `info_type` about an organisation, as WeCom sends it.
fn command_xml(info_type: &str, corp: &str) -> String {
    format!(
        "<xml><SuiteId>{}</SuiteId><InfoType>{info_type}</InfoType><TimeStamp>{}</TimeStamp><AuthCorpId>{corp}</AuthCorpId></xml>",
        suite_id(),
        now()
    )
}

/// Has the simulator push a suite callback (encrypted, signed, retried).
fn push(xml: &str) -> Answer {
    post_json(
        &browser(),
        &format!("{}/_sim/push", sim()),
        &json!({"xml": xml}),
    )
}

fn verify_query(echo_plain: &str, receive_id: &str) -> (String, String) {
    let c = crypt();
    let echostr = c.encrypt(echo_plain, receive_id, [3; 16]);
    let ts = now().to_string();
    let sig = c.signature(&ts, "77", &echostr);
    (
        format!(
            "msg_signature={sig}&timestamp={ts}&nonce=77&echostr={}",
            urlencode(&echostr)
        ),
        echostr,
    )
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn wecoms_console_can_save_all_three_urls() {
    // WeCom checks a URL when the provider saves it: the echo encrypted for
    // the provider's CorpID, with that URL's keys.
    for source in ["command", "data", "system"] {
        let a = post_json(
            &browser(),
            &format!("{}/_sim/verify_url", sim()),
            &json!({"source": source}),
        );
        assert_eq!(a.json()["accepted"], true, "{source}: {}", a.text);
    }
    // The echo comes back as plain text, exactly.
    let (q, _) = verify_query("echo-123456", &config("PROVIDER_CORPID"));
    let a = get(&browser(), &format!("{}/wecom/callback/data?{q}", edge()));
    assert_eq!((a.status, a.text.as_str()), (200, "echo-123456"));
    assert!(a.content_type.starts_with("text/plain"));
    // The suite's keys do not open the system URL, and an organisation's id
    // is no receive id for a URL check.
    let system = get(&browser(), &format!("{}/wecom/callback/system?{q}", edge()));
    assert_eq!(
        (system.status, system.text.as_str()),
        (401, "bad msg_signature")
    );
    let (q, _) = verify_query("echo", "wwsomeorganisation");
    let data = get(&browser(), &format!("{}/wecom/callback/data?{q}", edge()));
    assert_eq!((data.status, data.text.as_str()), (403, "wrong receive id"));
}

/// An `unlicensed_notify` of `userid`, as an organisation's app sends it.
fn unlicensed_xml(to: &str, userid: &str) -> String {
    format!(
        "<xml><ToUserName>{to}</ToUserName><FromUserName>{userid}</FromUserName><CreateTime>{}</CreateTime>\
         <MsgType>event</MsgType><Event>unlicensed_notify</Event><AgentID>1000001</AgentID></xml>",
        now()
    )
}

fn seat_requests_of(corp: &str) -> u64 {
    d1_count(&format!(
        "SELECT count(*) n FROM seat_requests WHERE corp_id = '{corp}'"
    ))
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_data_push_counts_only_for_the_installed_organisation_it_was_encrypted_for() {
    let corp = unique_corp("rid");
    install_corp(&corp);
    let other = unique_corp("rid2");
    install_corp(&other);
    let send = |xml: &str, receive_id: &str| {
        let c = signed_callback(xml, receive_id, now());
        post_callback("data", &c.query, &c.body)
    };
    // Encrypted for the organisation it speaks of: taken.
    let a = send(&unlicensed_xml(&corp, "dev1"), &corp);
    assert_eq!((a.status, a.text.as_str()), (200, "success"));
    assert_eq!(seat_requests_of(&corp), 1);
    // Speaking of one organisation, encrypted for another: refused.
    let a = send(&unlicensed_xml(&corp, "dev2"), &other);
    assert_eq!(a.status, 403, "{}", a.text);
    assert!(a.text.contains("ToUserName"), "{}", a.text);
    // An organisation that is not installed, or the suite id: refused.
    let stranger = unique_corp("none");
    let a = send(&unlicensed_xml(&stranger, "dev2"), &stranger);
    assert_eq!((a.status, a.text.as_str()), (403, "wrong receive id"));
    let a = send(&unlicensed_xml(&corp, "dev2"), &suite_id());
    assert_eq!((a.status, a.text.as_str()), (403, "wrong receive id"));
    // The command URL takes only the suite id.
    let a = {
        let c = signed_callback(&command_xml("change_auth", &corp), &corp, now());
        post_callback("command", &c.query, &c.body)
    };
    assert_eq!((a.status, a.text.as_str()), (403, "wrong receive id"));
    assert_eq!(seat_requests_of(&corp), 1);
    assert_eq!(seat_requests_of(&other), 0);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_data_push_is_answered_after_one_d1_round_trip_and_a_strangers_writes_nothing() {
    let corp = unique_corp("one");
    install_corp(&corp);
    let send = |xml: &str, receive_id: &str| {
        let c = signed_callback(xml, receive_id, now());
        post_callback("data", &c.query, &c.body)
    };
    // WeCom waits 5 s and pushes contact changes in bursts: the door checks
    // the organisation is installed and records the event in one statement.
    let xml = unlicensed_xml(&corp, "dev1");
    let a = send(&xml, &corp);
    assert_eq!((a.status, a.text.as_str()), (200, "success"));
    assert_eq!(a.d1_calls, Some(1), "D1 round trips before answering");
    // The same push again (WeCom's retry): one round trip, still success,
    // and not one row written.
    let a = send(&xml, &corp);
    assert_eq!((a.status, a.d1_calls), (200, Some(1)), "{}", a.text);
    assert_eq!(
        a.d1_rows.map(|(_, written)| written),
        Some(0),
        "a retry writes nothing"
    );
    // An organisation that is not installed: refused, nothing recorded.
    let stranger = unique_corp("stray");
    let a = send(&unlicensed_xml(&stranger, "dev1"), &stranger);
    assert_eq!((a.status, a.text.as_str()), (403, "wrong receive id"));
    // With several databases, the door first reads which one the
    // organisation lives on (the directory; once per isolate and
    // organisation, then remembered).
    let directory = u64::from(databases().len() > 1);
    assert_eq!(a.d1_calls, Some(1 + directory));
    let recorded = d1_count(&format!(
        "SELECT count(*) n FROM events WHERE corp_id = '{stranger}'"
    ));
    assert_eq!(recorded, 0);
}

/// A license event as WeCom's system event URL carries it.
fn pay_success_xml(service_corp: &str, corp: &str, order_id: &str, at: u64) -> String {
    format!(
        "<xml><ServiceCorpId>{service_corp}</ServiceCorpId><InfoType>license_pay_success</InfoType>\
         <AuthCorpId>{corp}</AuthCorpId><OrderId>{order_id}</OrderId><BuyerUserId>sales</BuyerUserId>\
         <TimeStamp>{at}</TimeStamp></xml>"
    )
}

fn orders_of(corp: &str) -> u64 {
    d1_count(&format!(
        "SELECT count(*) n FROM orders WHERE corp_id = '{corp}'"
    ))
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn license_events_count_only_from_the_system_url_with_the_providers_keys() {
    let (corp, _admin) = installed_and_synced("sys");
    // An order WeCom knows about, placed and paid without a push.
    let order = wecom_license(
        "create_new_order",
        &json!({"corpid": corp, "buyer_userid": "sales", "account_count": {"base_count": 2}, "account_duration": {"months": 12}}),
    )["order_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = sim_send(
        "POST",
        &format!("/_sim/orders/{order}/pay"),
        &json!({"push": false}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let provider = config("PROVIDER_CORPID");
    let xml = pay_success_xml(&provider, &corp, &order, now());

    // On the command URL (suite keys) it is kept, not acted on. (Its own
    // timestamp: one plaintext is recorded once, wherever it arrived.)
    let misrouted = pay_success_xml(&provider, &corp, &order, now() - 1);
    let c = signed_callback(&misrouted, &suite_id(), now());
    let a = post_callback("command", &c.query, &c.body);
    assert_eq!((a.status, a.text.as_str()), (200, "success"));
    assert_eq!(orders_of(&corp), 0);
    // On the system URL with the suite's keys: refused.
    let c = signed_callback(&xml, &provider, now());
    let a = post_callback("system", &c.query, &c.body);
    assert_eq!((a.status, a.text.as_str()), (401, "bad msg_signature"));
    // With the provider's keys but another provider inside: refused.
    let foreign = pay_success_xml("wwanotherprovider", &corp, &order, now());
    let c = signed_with(&provider_crypt(), &foreign, &provider, now());
    let a = post_callback("system", &c.query, &c.body);
    assert_eq!(a.status, 403, "{}", a.text);
    // Encrypted for someone other than the provider: refused.
    let c = signed_with(&provider_crypt(), &xml, &suite_id(), now());
    let a = post_callback("system", &c.query, &c.body);
    assert_eq!((a.status, a.text.as_str()), (403, "wrong receive id"));
    assert_eq!(orders_of(&corp), 0);
    // As WeCom sends it: the order is mirrored.
    let c = signed_with(&provider_crypt(), &xml, &provider, now());
    let a = post_callback("system", &c.query, &c.body);
    assert_eq!((a.status, a.text.as_str()), (200, "success"));
    assert_eq!(orders_of(&corp), 1);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn install_stores_the_organisation_its_range_and_admins() {
    let corp = unique_corp("inst");
    install_corp(&corp);
    let rows = d1(&format!(
        "SELECT corp_name, allow_party, allow_user, permanent_code_enc, installed_at, first_installed_at \
         FROM organisations WHERE corp_id = '{corp}'"
    ));
    assert_eq!(rows.len(), 1, "organisation stored");
    let org = &rows[0];
    assert_eq!(org["corp_name"], format!("测试企业 {corp}"));
    assert_eq!(org["allow_party"], "[2]");
    assert_eq!(org["allow_user"], "[\"sales1\"]");
    // The permanent code is sealed at rest for this organisation (v2:
    // bound to its corp id), never stored in the clear.
    assert!(org["permanent_code_enc"]
        .as_str()
        .unwrap()
        .starts_with("v2:"));
    assert_eq!(
        d1_count(&format!(
            "SELECT count(*) n FROM admins WHERE corp_id = '{corp}' AND userid = 'boss'"
        )),
        1
    );
    // The organisation's admin can now sign in to the console.
    let admin = signed_in(&corp, "boss");
    let me = get(&admin, &format!("{}/api/v1/corps/{corp}", edge()));
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["first_installed_at"], org["first_installed_at"]);
    assert_eq!(
        d1_count(&format!(
            "SELECT count(*) n FROM audit WHERE corp_id = '{corp}' AND action = 'installed'"
        )),
        1
    );
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn change_auth_rereads_the_visible_range() {
    let corp = unique_corp("chg");
    install_corp(&corp);
    let agent = browser();
    let mut org = sim_corp(&corp, &[2, 3], &[]);
    org["range"]["tag"] = json!([7]);
    assert_eq!(
        post_json(&agent, &format!("{}/_sim/corps", sim()), &org).status,
        200
    );
    let xml = command_xml("change_auth", &corp);
    let a = push(&xml);
    assert_eq!(a.status, 200, "{}", a.text);
    let rows = d1(&format!(
        "SELECT allow_party, allow_user, allow_tag FROM organisations WHERE corp_id = '{corp}'"
    ));
    assert_eq!(rows[0]["allow_party"], "[2,3]");
    assert_eq!(rows[0]["allow_user"], "[]");
    assert_eq!(rows[0]["allow_tag"], "[7]");
    assert_eq!(
        d1_count(&format!(
            "SELECT count(*) n FROM audit WHERE corp_id = '{corp}' AND action = 'range_changed'"
        )),
        1
    );
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn cancel_auth_deletes_every_row_and_kv_key_of_the_organisation() {
    // Data in every table first: members and departments (the sync), an
    // order and its seats, an activation, a transfer, a seat request.
    let (corp, admin) = installed_and_synced("del");
    pay_order(&corp, 2, 365);
    let activated = activate(&admin, &corp, &["dev1"]);
    assert_eq!(activated[0]["ok"], true, "{activated:?}");
    let moved = transfer(&admin, &corp, "dev1", "sales1");
    assert_eq!(moved["ok"], true, "{moved}");
    // The provider's operator orders more from the desk.
    let desk_order = post_json(
        &signed_in(&config("PROVIDER_CORPID"), "ops01"),
        &format!("{}/api/v1/desk/corps/{corp}/orders", edge()),
        &json!({"request_id": format!("r-{corp}"), "base_count": 1, "months": 1}),
    );
    assert_eq!(desk_order.status, 200, "{}", desk_order.text);
    let opened = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/open_app"),
        &json!({"userid": "dev2"}),
    );
    assert_eq!(opened.status, 200, "{}", opened.text);
    // The cron's daily snapshot (the overview's trends).
    reconcile(&corp);
    let tables = [
        "daily_stats",
        "desk",
        "desk_orders",
        "organisations",
        "admins",
        "departments",
        "members",
        "orders",
        "seats",
        "transfers",
        "events",
        "seat_requests",
        "audit",
    ];
    for table in tables {
        let n = d1_count(&format!(
            "SELECT count(*) n FROM {table} WHERE corp_id = '{corp}'"
        ));
        assert!(
            n > 0,
            "{table} holds nothing of {corp} before the uninstall"
        );
    }
    assert!(
        !kv_keys(&format!("corp:{corp}:")).is_empty(),
        "corp token cached before"
    );

    sim_uninstall(&corp);
    for table in tables {
        // The uninstall's own event stays: a retry of it is a duplicate.
        let own_event = if table == "events" {
            " AND kind <> 'cancel_auth'"
        } else {
            ""
        };
        assert_eq!(
            d1_count(&format!(
                "SELECT count(*) n FROM {table} WHERE corp_id = '{corp}'{own_event}"
            )),
            0,
            "{table} still holds rows of {corp}"
        );
    }
    assert_eq!(kv_keys(&format!("corp:{corp}:")), Vec::<String>::new());
    // The admin's console is gone with it.
    let login = post_json(
        &browser(),
        &format!("{}/auth/dev-login", edge()),
        &json!({"corp_id": corp, "userid": "boss"}),
    );
    assert_eq!(login.status, 403);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn reinstall_keeps_the_first_install_time() {
    let corp = unique_corp("re");
    install_corp(&corp);
    let first = d1(&format!(
        "SELECT first_installed_at FROM organisations WHERE corp_id = '{corp}'"
    ))[0]["first_installed_at"]
        .as_u64()
        .unwrap();
    sim_uninstall(&corp);
    // A second on, so a reinstall that restarted the anchor would show
    // (times are whole seconds); only this organisation waits.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    sim_install(&corp);
    let row = &d1(&format!(
        "SELECT installed_at, first_installed_at FROM organisations WHERE corp_id = '{corp}'"
    ))[0];
    assert_eq!(
        row["first_installed_at"].as_u64(),
        Some(first),
        "trial anchor survived the reinstall"
    );
    assert!(
        row["installed_at"].as_u64().unwrap() > first,
        "this install is newer"
    );
}

fn installed_rows(corp: &str) -> (u64, u64) {
    (
        d1_count(&format!(
            "SELECT count(*) n FROM organisations WHERE corp_id = '{corp}'"
        )),
        d1_count(&format!(
            "SELECT count(*) n FROM members WHERE corp_id = '{corp}'"
        )),
    )
}

/// The uninstall events the worker kept for the organisation: (raw, outcome).
fn uninstall_events(corp: &str) -> Vec<(String, String)> {
    d1(&format!(
        "SELECT raw, outcome FROM events WHERE corp_id = '{corp}' AND kind = 'cancel_auth' \
         ORDER BY received_at"
    ))
    .iter()
    .map(|r| {
        (
            r["raw"].as_str().unwrap_or_default().to_owned(),
            r["outcome"].as_str().unwrap_or_default().to_owned(),
        )
    })
    .collect()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_late_retry_of_an_uninstall_leaves_the_reinstall_installed() {
    let corp = unique_corp("late");
    install_corp(&corp);
    sim_uninstall(&corp);
    assert_eq!(installed_rows(&corp), (0, 0), "the uninstall deleted");
    let first = uninstall_events(&corp);
    let [(cancel_xml, _)] = first.as_slice() else {
        panic!(
            "the uninstall's own event row is gone, so a retry of it is applied again: {first:?}"
        );
    };
    // A quick reinstall (a second on: times are whole seconds).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    sim_install(&corp);
    let (orgs, members) = installed_rows(&corp);
    assert!(orgs == 1 && members > 0, "reinstalled and synced");

    // WeCom's late retry of the first uninstall, word for word.
    let a = push(cancel_xml);
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        installed_rows(&corp),
        (orgs, members),
        "the reinstall stays"
    );
    let login = post_json(
        &browser(),
        &format!("{}/auth/dev-login", edge()),
        &json!({"corp_id": corp, "userid": "boss"}),
    );
    assert_eq!(login.status, 200, "the admin still gets in: {}", login.text);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_uninstall_sent_before_the_current_install_is_ignored() {
    let corp = unique_corp("old");
    install_corp(&corp);
    let installed_at = d1(&format!(
        "SELECT installed_at FROM organisations WHERE corp_id = '{corp}'"
    ))[0]["installed_at"]
        .as_u64()
        .unwrap();
    let sent_at = |at: u64| {
        format!(
            "<xml><SuiteId><![CDATA[{}]]></SuiteId><InfoType><![CDATA[cancel_auth]]></InfoType>\
             <TimeStamp>{at}</TimeStamp><AuthCorpId><![CDATA[{corp}]]></AuthCorpId></xml>",
            suite_id()
        )
    };
    // Never seen before (not a duplicate), but sent before this install.
    let a = push(&sent_at(installed_at - 5));
    assert_eq!(a.status, 200, "{}", a.text);
    let (orgs, members) = installed_rows(&corp);
    assert!(orgs == 1 && members > 0, "still installed");
    assert_eq!(
        uninstall_events(&corp)[0].1,
        "ignored: older than the current install"
    );
    // One sent after it is the admin's uninstall.
    let a = push(&sent_at(installed_at + 1));
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(installed_rows(&corp), (0, 0));
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_uninstall_deletes_kv_keys_across_list_pages() {
    // The test worker lists KV 10 keys a page (DEV_KV_LIST_PAGE_KEYS).
    let (corp, _admin) = installed_and_synced("kvp");
    // 35 keys of the organisation's and more.
    kv_fill(&format!("corp:{corp}:kept:"), 35, None);
    let before = kv_keys(&format!("corp:{corp}:"));
    assert!(before.len() > 35, "{} keys", before.len());

    sim_uninstall(&corp);
    assert_eq!(kv_keys(&format!("corp:{corp}:")), Vec::<String>::new());
    let events = uninstall_events(&corp);
    assert!(
        events[0].1.starts_with("deleted (") && events[0].1.ends_with(", 0 left to expire)"),
        "{events:?}"
    );
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_uninstall_with_more_keys_than_one_invocation_may_touch_leaves_the_expiring_rest() {
    // Pages of 10 keys (DEV_KV_LIST_PAGE_KEYS); one invocation may make
    // 1 000 KV operations (edge's cache::KV_OPERATIONS_PER_INVOCATION), of
    // which the cleanup takes 950: 900 expiring keys and more cannot all be
    // deleted by one, so the cleanup deletes what its budget allows, lists
    // on to the end, and leaves the rest to their expiration.
    let (corp, _admin) = installed_and_synced("kvb");
    kv_fill(&format!("corp:{corp}:expiring:"), 900, Some(300));
    let before = kv_keys(&format!("corp:{corp}:"));
    assert!(before.len() > 900, "{} keys", before.len());

    sim_uninstall(&corp);
    let events = uninstall_events(&corp);
    let outcome = &events[0].1;
    let numbers: Vec<usize> = outcome
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let [deleted, left] = numbers[..] else {
        panic!("{outcome}");
    };
    assert!(
        left > 0,
        "more keys than the budget: some left to expire: {outcome}"
    );
    assert!(deleted > 500, "the budget was spent deleting: {outcome}");
    // The corp token goes first, by name; the cleanup lists the rest.
    let listed = before.iter().filter(|k| !k.ends_with(":token")).count();
    assert_eq!(deleted + left, listed, "every key seen: {outcome}");
    let after = kv_keys(&format!("corp:{corp}:"));
    assert_eq!(after.len(), left, "{outcome}");
    assert!(
        after.iter().all(|k| k.contains(":expiring:")),
        "only keys that expire are left: {:?}",
        &after[..after.len().min(5)]
    );
}

/// Rows of `events` a callback marked with `marker` left. `record_event`
/// (edge/src/store/events.rs) writes `raw` = the decrypted message (not
/// the encrypted body), `kind` = its InfoType, `dedupe_key` = the SHA-256
/// of the message. Every message sent carries the marker (InfoType
/// x_{marker}) and so does every body (the envelope's ToUserName, which the
/// worker ignores), so this query sees a row written after decryption by
/// `raw`, `kind` and `dedupe_key`, one written before decryption that
/// keeps the body by `raw`, and one that keeps only the ciphertext by
/// `dedupe_key`. `plaintexts`: the messages sent.
fn events_marked(marker: &str, plaintexts: &[&str]) -> u64 {
    let keys: Vec<String> = plaintexts
        .iter()
        .map(|p| format!("'{}'", domain::ids::dedupe_key(p)))
        .collect();
    d1_count(&format!(
        "SELECT count(*) n FROM events WHERE raw LIKE '%{marker}%' OR kind LIKE '%{marker}%' \
         OR dedupe_key IN ({})",
        keys.join(", ")
    ))
}

/// An envelope as WeCom sends it, with the marker as its ToUserName (which
/// the worker does not read).
fn marked_envelope(marker: &str, encrypted: &str) -> String {
    format!("<xml><ToUserName><![CDATA[{marker}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>")
}

/// `signed_callback` with the marker in the envelope.
fn marked_callback(marker: &str, plaintext: &str, receive_id: &str, timestamp: u64) -> Callback {
    let c = signed_callback(plaintext, receive_id, timestamp);
    let envelope = format!("<ToUserName><![CDATA[{receive_id}]]></ToUserName>");
    assert!(c.body.contains(&envelope), "{}", c.body);
    Callback {
        body: c.body.replacen(
            &envelope,
            &format!("<ToUserName><![CDATA[{marker}]]></ToUserName>"),
            1,
        ),
        query: c.query,
    }
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn every_class_of_bad_callback_answers_4xx_and_writes_nothing() {
    let marker = unique_corp("bad");
    let plain = format!(
        "<xml><SuiteId>{}</SuiteId><InfoType>x_{marker}</InfoType><TimeStamp>1</TimeStamp></xml>",
        suite_id()
    );
    let good = marked_callback(&marker, &plain, &suite_id(), now());

    // Wrong signature.
    let tampered_query = good.query.replacen("msg_signature=", "msg_signature=0", 1);
    let a = post_callback("command", &tampered_query, &good.body);
    assert_eq!((a.status, a.text.as_str()), (401, "bad msg_signature"));

    // Stale timestamp (signature is valid for it).
    let stale = marked_callback(&marker, &plain, &suite_id(), now() - 3600);
    let a = post_callback("command", &stale.query, &stale.body);
    assert_eq!((a.status, a.text.as_str()), (401, "stale timestamp"));

    // Wrong receive id.
    let foreign = marked_callback(&marker, &plain, "wwintruder", now());
    let a = post_callback("command", &foreign.query, &foreign.body);
    assert_eq!((a.status, a.text.as_str()), (403, "wrong receive id"));

    // Bad base64 and bad padding, correctly signed.
    let c = crypt();
    for (encrypted, what) in [
        ("!!!not-base64!!!".to_string(), "base64"),
        (domain_b64(&[0x33; 64]), "padding"),
    ] {
        let ts = now().to_string();
        let sig = c.signature(&ts, "1", &encrypted);
        let a = post_callback(
            "command",
            &format!("msg_signature={sig}&timestamp={ts}&nonce=1"),
            &marked_envelope(&marker, &encrypted),
        );
        assert_eq!(a.status, 400, "{what}: {}", a.text);
        assert!(a.text.starts_with("cannot decrypt"), "{what}: {}", a.text);
    }

    // Malformed XML inside a valid envelope, and a malformed envelope.
    let broken_plain = format!("<xml><InfoType>{marker}</Info");
    let broken = marked_callback(&marker, &broken_plain, &suite_id(), now());
    let a = post_callback("command", &broken.query, &broken.body);
    assert_eq!(a.status, 400, "{}", a.text);
    let a = post_callback("command", &good.query, &format!("this is not xml {marker}"));
    assert_eq!(a.status, 400, "{}", a.text);
    let a = post_callback(
        "command",
        &good.query,
        &format!("<xml><ToUserName>{marker}</ToUserName></xml>"),
    );
    assert_eq!((a.status, a.text.as_str()), (400, "missing field Encrypt"));

    // A DTD, even correctly signed and encrypted.
    let xxe_plain = format!("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><InfoType>{marker}&e;</InfoType></xml>");
    let xxe = marked_callback(&marker, &xxe_plain, &suite_id(), now());
    let a = post_callback("command", &xxe.query, &xxe.body);
    assert_eq!(a.status, 400, "{}", a.text);

    // Oversized body.
    let huge = marked_envelope(&marker, &"A".repeat(70 * 1024));
    let a = post_callback("command", &good.query, &huge);
    assert_eq!(a.status, 413, "{}", a.text);

    // Missing query parameters.
    let a = post_callback("command", "timestamp=1&nonce=1", &good.body);
    assert_eq!((a.status, a.text.as_str()), (400, "missing msg_signature"));

    let sent = [plain.as_str(), broken_plain.as_str(), xxe_plain.as_str()];
    assert_eq!(events_marked(&marker, &sent), 0, "something was written");
    // The good one, through the same query: it is accepted, and its row is
    // seen (raw holds its message, kind is x_{marker}), so a bad callback's
    // row would have been seen above.
    let a = post_callback("command", &good.query, &good.body);
    assert_eq!((a.status, a.text.as_str()), (200, "success"));
    assert_eq!(events_marked(&marker, &sent), 1);
}

fn domain_b64(bytes: &[u8]) -> String {
    use std::fmt::Write;
    // Standard base64 without a dependency: encode 3 bytes at a time.
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.write_char(T[(n >> (18 - 6 * i) & 63) as usize] as char)
                    .unwrap();
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_same_event_delivered_four_times_is_recorded_and_applied_once() {
    let (corp, admin) = installed_and_synced("dup");
    // A member opening the app without a seat: each application would add
    // one to the request's count, so a second one would show.
    let xml = format!(
        "<xml><ToUserName>{corp}</ToUserName><FromUserName>dev2</FromUserName>\
         <CreateTime>{}</CreateTime><MsgType>event</MsgType><Event>unlicensed_notify</Event>\
         <AgentID>1000001</AgentID></xml>",
        now()
    );
    // WeCom re-encrypts each retry: different ciphertext, same message.
    for attempt in 1..=4 {
        let a = post_json(
            &browser(),
            &format!("{}/_sim/push", sim()),
            &json!({"xml": xml, "source": "data", "receive_id": corp}),
        );
        assert_eq!(a.status, 200, "attempt {attempt}: {}", a.text);
        assert_eq!(a.json()["body"], "success", "attempt {attempt}");
    }
    assert_eq!(
        d1_count(&format!(
            "SELECT count(*) n FROM events WHERE corp_id = '{corp}' AND kind = 'unlicensed_notify'"
        )),
        1,
        "one event row"
    );
    let inbox = get(&admin, &format!("{}/api/v1/corps/{corp}/requests", edge())).json();
    assert_eq!(inbox["items"].as_array().unwrap().len(), 1, "{inbox}");
    assert_eq!(inbox["items"][0]["userid"], "dev2");
    assert_eq!(inbox["items"][0]["count"], 1, "applied once: {inbox}");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn unknown_but_valid_events_are_kept_and_answered_success() {
    let corp = unique_corp("unk");
    install_corp(&corp);
    let command = command_xml("an_info_type_wecom_added_later", &corp);
    let a = push(&command);
    assert_eq!(a.status, 200, "{}", a.text);
    let data = format!(
        "<xml><ToUserName>{corp}</ToUserName><FromUserName>dev1</FromUserName><CreateTime>{}</CreateTime>\
         <MsgType>event</MsgType><Event>view_miniprogram</Event><AgentID>1000001</AgentID></xml>",
        now()
    );
    let a = post_json(
        &browser(),
        &format!("{}/_sim/push", sim()),
        &json!({"xml": data, "source": "data", "receive_id": corp}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let kinds: Vec<String> = d1(&format!(
        "SELECT kind FROM events WHERE corp_id = '{corp}' ORDER BY kind"
    ))
    .iter()
    .map(|r| r["kind"].as_str().unwrap().to_owned())
    .collect();
    assert!(
        kinds.contains(&"an_info_type_wecom_added_later".to_string()),
        "{kinds:?}"
    );
    assert!(kinds.contains(&"view_miniprogram".to_string()), "{kinds:?}");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn official_2014_sample_verifies_on_all_three_urls_when_skew_is_off() {
    // A second worker configured with WeCom's published sample credentials
    // as the suite's and the provider's keys, the sample's receive id as the
    // provider's CorpID, and CALLBACK_MAX_SKEW_SECS=0 (scripts/test.sh).
    let base = config("SAMPLE_EDGE_URL");
    let q = "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780\
             &echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D";
    for route in ["command", "data", "system"] {
        let a = get(&browser(), &format!("{base}/wecom/callback/{route}?{q}"));
        assert_eq!(
            (a.status, a.text.as_str()),
            (200, "1616140317555161061"),
            "{route}"
        );
    }
    // The sample POST (a text message for receive id wx5823bf96d3bd56c7)
    // verifies and decrypts on the data URL (else 401 / 400), then meets
    // the receive-id rule: no organisation by that id is installed there.
    let body = "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>";
    let q = "msg_signature=477715d11cdb4164915debcba66cb864d751f3e6&timestamp=1409659813&nonce=1372623149";
    let a = post_text(&browser(), &format!("{base}/wecom/callback/data?{q}"), body);
    assert_eq!((a.status, a.text.as_str()), (403, "wrong receive id"));
    // On the system URL the receive id is right (the provider's CorpID) and
    // the message is no system event.
    let a = post_text(
        &browser(),
        &format!("{base}/wecom/callback/system?{q}"),
        body,
    );
    assert_eq!((a.status, a.text.as_str()), (400, "missing field InfoType"));
    // The main worker (skew check on) refuses the 2014 timestamp.
    let a = get(&browser(), &format!("{}/wecom/callback/command?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=x", edge()));
    assert_eq!((a.status, a.text.as_str()), (401, "stale timestamp"));
}

fn set_range(corp: &str, party: &[u64], users: &[&str]) {
    let a = post_json(
        &browser(),
        &format!("{}/_sim/corps", sim()),
        &sim_corp(corp, party, users),
    );
    assert_eq!(a.status, 200, "{}", a.text);
}

fn stored_range(corp: &str) -> (String, String) {
    let row = &d1(&format!(
        "SELECT allow_party, allow_user FROM organisations WHERE corp_id = '{corp}'"
    ))[0];
    (
        row["allow_party"].as_str().unwrap().to_owned(),
        row["allow_user"].as_str().unwrap().to_owned(),
    )
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn cron_repairs_a_range_change_whose_callback_was_lost() {
    let corp = unique_corp("cron");
    install_corp(&corp);
    // The admin changes the range, but the change_auth callback never arrives.
    set_range(&corp, &[2, 3], &["boss"]);
    assert_eq!(stored_range(&corp), ("[2]".into(), "[\"sales1\"]".into()));
    reconcile(&corp);
    assert_eq!(stored_range(&corp), ("[2,3]".into(), "[\"boss\"]".into()));
    let audit = d1(&format!(
        "SELECT actor FROM audit WHERE corp_id = '{corp}' AND action = 'range_changed'"
    ));
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["actor"], "cron");
}
