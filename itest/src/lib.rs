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
    ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(30))
        .build()
}

pub struct Answer {
    pub status: u16,
    pub set_cookie: Option<String>,
    pub content_type: String,
    pub text: String,
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
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    Answer {
        status: resp.status(),
        set_cookie: resp.header("set-cookie").map(str::to_owned),
        content_type: resp.content_type().to_owned(),
        text: resp.into_string().unwrap_or_default(),
    }
}

pub fn get(agent: &ureq::Agent, url: &str) -> Answer {
    answer(agent.get(url).call())
}

pub fn post_json(agent: &ureq::Agent, url: &str, body: &Value) -> Answer {
    answer(agent.post(url).send_json(body.clone()))
}

pub fn post_text(agent: &ureq::Agent, url: &str, body: &str) -> Answer {
    answer(agent.post(url).send_string(body))
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
