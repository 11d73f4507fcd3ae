//! Helpers for the integration tests, which drive the real Worker under
//! `wrangler dev` and the WeCom simulator over HTTP. `scripts/test.sh`
//! starts both and passes their addresses in `EDGE_URL` and `SIM_URL`.
//! The tests are `#[ignore]`d so a plain `cargo test` on the host skips them;
//! the test script runs them with `--ignored` once the stack is up.
mod callbacks;
mod orgs;

pub use callbacks::*;
pub use orgs::*;
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
    domain::placement::databases(&std::env::var("D1_DATABASES").unwrap_or_default())
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

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
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
