//! Helpers for the integration tests, which drive the real Worker under
//! `wrangler dev` and the WeCom simulator over HTTP. `scripts/test.sh`
//! starts both and passes their addresses in `EDGE_URL` and `SIM_URL`.
//! The tests are `#[ignore]`d so a plain `cargo test` on the host skips them;
//! the test script runs them with `--ignored` once the stack is up.

use serde_json::Value;

fn env_or_die(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the integration tests through `make test`")
    })
}

pub fn edge() -> String {
    env_or_die("EDGE_URL")
}

pub fn sim() -> String {
    env_or_die("SIM_URL")
}

/// A configuration value shared by worker and sim (from the test env file).
pub fn config(name: &str) -> String {
    env_or_die(name)
}

/// An HTTP client that keeps cookies, like the admin's browser, and reports
/// 4xx/5xx as ordinary responses so tests can assert on them.
pub fn browser() -> ureq::Agent {
    client().build()
}

/// A new client: its own address (`CF-Connecting-IP`, which Cloudflare
/// sets in production and `wrangler dev` leaves to a request that brings
/// one), so each test browser spends its own sign-in budget, as separate
/// people's browsers do.
pub fn client() -> ureq::AgentBuilder {
    client_at(&fresh_client_address())
}

/// A client at `address` (tests that play one client making many requests).
// ureq's middleware signature returns its own (large) error type.
#[allow(clippy::result_large_err)]
pub fn client_at(address: &str) -> ureq::AgentBuilder {
    let address = address.to_owned();
    ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(30))
        .middleware(move |req: ureq::Request, next: ureq::MiddlewareNext| {
            next.handle(req.set("CF-Connecting-IP", &address))
        })
}

/// An address (documentation range, RFC 3849) no other client of this
/// run has: this process and a counter.
pub fn fresh_client_address() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let pid = std::process::id();
    format!(
        "2001:db8::{:x}:{:x}:{:x}:{:x}",
        pid >> 16,
        pid & 0xffff,
        n >> 16,
        n & 0xffff
    )
}

pub struct Answer {
    pub status: u16,
    pub set_cookie: Option<String>,
    pub content_type: String,
    pub text: String,
    /// The worker's count of the D1 round trips this request made
    /// (`x-dev-d1-calls`, development builds only).
    pub d1_calls: Option<u64>,
    /// The rows D1 said the request read and wrote
    /// (`x-dev-d1-rows-read`, `x-dev-d1-rows-written`).
    pub d1_rows: Option<(u64, u64)>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The `error.code` of a JSON error answer.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The `error.message` of a JSON error answer.
    pub fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// What came back, as a test reads it (a transport failure panics).
pub fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    Answer {
        status: resp.status(),
        d1_calls: resp.header("x-dev-d1-calls").and_then(|n| n.parse().ok()),
        d1_rows: resp
            .header("x-dev-d1-rows-read")
            .zip(resp.header("x-dev-d1-rows-written"))
            .and_then(|(r, w)| Some((r.parse().ok()?, w.parse().ok()?))),
        set_cookie: resp.header("set-cookie").map(str::to_owned),
        content_type: resp.content_type().to_owned(),
        text: resp.into_string().unwrap_or_default(),
    }
}

pub fn get(agent: &ureq::Agent, url: &str) -> Answer {
    answer(agent.get(url).call())
}

pub fn post_json(agent: &ureq::Agent, url: &str, body: &Value) -> Answer {
    settled(url, answer(agent.post(url).send_json(body.clone())))
}

pub fn post_text(agent: &ureq::Agent, url: &str, body: &str) -> Answer {
    settled(url, answer(agent.post(url).send_string(body)))
}

/// After a request that may have handed WeCom's callbacks to the worker
/// (a simulator control route, or a callback posted directly), waits until
/// the worker's queue has applied them, as a user looking a moment later
/// would find them applied.
fn settled(url: &str, a: Answer) -> Answer {
    let hands_over = url.contains("/_sim/") || url.contains("/wecom/callback/");
    if hands_over && a.status == 200 && !url.ends_with("/_sim/health") {
        settle();
    }
    a
}

/// A member without a seat opens the app in WeCom (sim pushes
/// `unlicensed_notify`): refused, and asking; returns once it is applied.
pub fn asks(corp: &str, userid: &str) {
    let opened = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/open_app"),
        &serde_json::json!({"userid": userid}),
    );
    assert_eq!(opened.status, 200, "{}", opened.text);
    settle();
}

/// Waits (up to 20 s) until every event recorded so far is applied, failed,
/// or in its second try or later (an event a test made fail is that test's
/// to wait for).
pub fn settle() {
    // Each database's own newest event (rowids are per database).
    let newest: Vec<(String, u64)> = databases()
        .into_iter()
        .map(|db| {
            let n = d1_on(&db, "SELECT coalesce(max(rowid), 0) AS n FROM events")[0]["n"]
                .as_u64()
                .unwrap_or(0);
            (db, n)
        })
        .collect();
    for _ in 0..200 {
        let waiting: u64 = newest
            .iter()
            .map(|(db, newest)| {
                d1_on(
                    db,
                    &format!(
                        "SELECT count(*) AS n FROM events WHERE rowid <= {newest} \
                         AND applied_at IS NULL AND failed_at IS NULL AND attempts < 2"
                    ),
                )[0]["n"]
                    .as_u64()
                    .unwrap_or(0)
            })
            .sum();
        if waiting == 0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("events recorded before now were not applied within 20 s");
}

/// Signs in through the development login and returns the signed-in agent.
pub fn signed_in(corp_id: &str, userid: &str) -> ureq::Agent {
    let agent = browser();
    let a = post_json(
        &agent,
        &format!("{}/auth/dev-login", edge()),
        &serde_json::json!({"corp_id": corp_id, "userid": userid}),
    );
    assert_eq!(a.status, 200, "dev-login failed: {}", a.text);
    agent
}

/// Reads go through the worker's dev-only inspection routes, so the tests
/// never open its SQLite files from another process (which locks them).
fn inspect(route: &str, body: &Value) -> Value {
    let a = dev_route(route, body);
    assert_eq!(a.status, 200, "dev/{route}: {}", a.text);
    a.json()
}

/// `POST /api/v1/dev/{route}` with the access key: the answer as it is.
pub fn dev_route(route: &str, body: &Value) -> Answer {
    answer(
        browser()
            .post(&format!("{}/api/v1/dev/{route}", edge()))
            .set(
                "Authorization",
                &format!("Bearer {}", config("ACCESS_API_KEY")),
            )
            .send_json(body.clone()),
    )
}

/// wrangler's dev proxy answers this when workerd restarted under a
/// request (it retries only GET and HEAD by itself).
const RESTARTED_MID_REQUEST: &str = "restarted mid-request";

/// Runs one SELECT against the worker's D1 and returns the rows. Values in
/// `sql` come from the tests only. A read, so it is asked again when the
/// local runtime restarted under it (seen once in a full `make test`).
pub fn d1(sql: &str) -> Vec<Value> {
    d1_query(serde_json::json!({"sql": sql}))
}

/// The D1 databases organisations are spread over (`D1_DATABASES` in the
/// tests' environment; `DB` alone when unset), home first.
pub fn databases() -> Vec<String> {
    let names: Vec<String> = std::env::var("D1_DATABASES")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect();
    if names.is_empty() {
        vec!["DB".to_owned()]
    } else {
        names
    }
}

/// One SELECT on one database (by its binding), not merged with the others.
pub fn d1_on(database: &str, sql: &str) -> Vec<Value> {
    d1_query(serde_json::json!({"sql": sql, "database": database}))
}

fn d1_query(body: Value) -> Vec<Value> {
    let mut a = dev_route("query", &body);
    for _ in 0..3 {
        if !(a.status == 503 && a.text.contains(RESTARTED_MID_REQUEST)) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
        a = dev_route("query", &body);
    }
    assert_eq!(a.status, 200, "dev/query: {}", a.text);
    a.json()["results"].as_array().cloned().unwrap_or_default()
}

pub fn d1_count(sql: &str) -> u64 {
    d1(sql)[0]["n"]
        .as_u64()
        .expect("query selects a count named n")
}

/// KV key names under a prefix in the worker's KV.
pub fn kv_keys(prefix: &str) -> Vec<String> {
    inspect("kv_keys", &serde_json::json!({"prefix": prefix}))["keys"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `count` KV keys `{prefix}{n}` (expiring after `ttl_secs` when
/// given), as the Worker's own keys under an organisation would be.
pub fn kv_fill(prefix: &str, count: u32, ttl_secs: Option<u64>) {
    inspect(
        "kv_fill",
        &serde_json::json!({"prefix": prefix, "count": count, "ttl_secs": ttl_secs}),
    );
}

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

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
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

/// A callback signed and encrypted with the test suite's credentials.
pub struct Callback {
    pub query: String,
    pub body: String,
}

pub fn crypt() -> domain::crypto::MsgCrypt {
    domain::crypto::MsgCrypt::new(&config("SUITE_TOKEN"), &config("SUITE_ENCODING_AES_KEY"))
        .unwrap()
}

/// The provider's system event URL keys (PROVIDER_TOKEN/_ENCODING_AES_KEY).
pub fn provider_crypt() -> domain::crypto::MsgCrypt {
    domain::crypto::MsgCrypt::new(
        &config("PROVIDER_TOKEN"),
        &config("PROVIDER_ENCODING_AES_KEY"),
    )
    .unwrap()
}

/// A callback signed and encrypted with the suite's keys.
pub fn signed_callback(plaintext: &str, receive_id: &str, timestamp: u64) -> Callback {
    signed_with(&crypt(), plaintext, receive_id, timestamp)
}

/// A callback signed and encrypted with `c`.
pub fn signed_with(
    c: &domain::crypto::MsgCrypt,
    plaintext: &str,
    receive_id: &str,
    timestamp: u64,
) -> Callback {
    let encrypted = c.encrypt(plaintext, receive_id, [42; 16]);
    let ts = timestamp.to_string();
    let sig = c.signature(&ts, "4242", &encrypted);
    Callback {
        query: format!("msg_signature={sig}&timestamp={ts}&nonce=4242"),
        body: format!("<xml><ToUserName><![CDATA[{receive_id}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>"),
    }
}

pub fn post_callback(route: &str, query: &str, body: &str) -> Answer {
    post_text(
        &browser(),
        &format!("{}/wecom/callback/{route}?{query}", edge()),
        body,
    )
}

/// Base64 is not URL-safe: `+`, `/` and `=` must be escaped in a query.
/// Percent-encodes a query-string value.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
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

pub fn sim_send(method: &str, path: &str, body: &Value) -> Answer {
    let agent = browser();
    let url = format!("{}{path}", sim());
    let a = answer(agent.request(method, &url).send_json(body.clone()));
    if method == "GET" {
        a
    } else {
        settled(&url, a)
    }
}

/// `POST /api/v1/access/check` with the test API key (or another).
pub fn access_check(key: Option<&str>, body: &Value) -> Answer {
    let mut req = browser().post(&format!("{}/api/v1/access/check", edge()));
    if let Some(k) = key {
        req = req.set("Authorization", &format!("Bearer {k}"));
    }
    answer(req.send_json(body.clone()))
}

pub fn may(corp_id: &str, userid: &str, operation: &str) -> Value {
    let a = access_check(
        Some(&config("ACCESS_API_KEY")),
        &serde_json::json!({"corp_id": corp_id, "userid": userid, "operation": operation}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}

/// The worker's D1 fault switch: this share of D1 round trips fails
/// (every isolate, every invocation but the development routes'); off
/// again on drop. It is shared by every test: only `global.rs` uses it.
pub struct D1Faults;

impl D1Faults {
    /// That share of D1 round trips fails before D1 runs them.
    pub fn on(d1_failure_share: f64) -> D1Faults {
        set_faults(d1_failure_share, false, false);
        D1Faults
    }

    /// Every contacts sync step's queue message is dropped unapplied (D1
    /// itself does not fail).
    pub fn losing_sync_steps() -> D1Faults {
        set_faults(0.0, false, true);
        D1Faults
    }

    /// That share fails, half of them after D1 ran the statement (the
    /// reply is lost: the Worker sees an error, the write is done).
    pub fn with_lost_replies(d1_failure_share: f64) -> D1Faults {
        set_faults(d1_failure_share, true, false);
        D1Faults
    }
}

impl Drop for D1Faults {
    fn drop(&mut self) {
        set_d1_faults(0.0);
    }
}

pub fn set_d1_faults(d1_failure_share: f64) {
    set_faults(d1_failure_share, false, false);
}

fn set_faults(d1_failure_share: f64, lost_replies: bool, lose_sync_steps: bool) {
    let a = answer(
        browser()
            .post(&format!("{}/api/v1/dev/faults", edge()))
            .set(
                "Authorization",
                &format!("Bearer {}", config("ACCESS_API_KEY")),
            )
            .send_json(serde_json::json!({
                "d1_failure_share": d1_failure_share,
                "lost_replies": lost_replies,
                "lose_sync_steps": lose_sync_steps,
            })),
    );
    assert_eq!(a.status, 200, "{}", a.text);
}

/// Moves WeCom's and the worker's clocks together; back to now on drop.
pub struct MovedClock;

impl MovedClock {
    pub fn by(offset_secs: i64) -> MovedClock {
        set_clocks(offset_secs);
        MovedClock
    }
}

impl Drop for MovedClock {
    fn drop(&mut self) {
        set_clocks(0);
    }
}

fn set_clocks(offset_secs: i64) {
    let body = serde_json::json!({"offset_secs": offset_secs});
    assert_eq!(
        post_json(&browser(), &format!("{}/_sim/clock", sim()), &body).status,
        200
    );
    assert_eq!(
        post_json(&browser(), &format!("{}/api/v1/dev/clock", edge()), &body).status,
        200
    );
    // Tickets are valid 30 minutes: after a jump WeCom pushes a fresh one.
    assert_eq!(
        post_text(&browser(), &format!("{}/_sim/suite_ticket", sim()), "").status,
        200
    );
    // The worker keeps it through its queue, in KV, which takes one write a
    // second to a key: a jump right after another (a test's clock set
    // back, the next one's moved) lands its ticket a second later. Until
    // then a call that needs a fresh suite token would use the old one.
    std::thread::sleep(std::time::Duration::from_millis(1500));
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
