//! `make bench`'s load on the callback door (scripts/bench.sh, README
//! "Benchmarks"): SENDERS concurrent senders (default 16), each on its own
//! keep-alive connection, POST distinct signed and encrypted `suite_ticket`
//! callbacks to DOOR_URL as fast as they are answered, for WARMUP_SECS
//! unmeasured and then SECS measured seconds. Prints one JSON line:
//! callbacks answered per second, latency percentiles, failures.
//!
//! Every body is made before the clock starts (distinct ticket, nonce and
//! random prefix, signed with SUITE_TOKEN / SUITE_ENCODING_AES_KEY for
//! SUITE_ID), so the generator spends the measured seconds on HTTP alone,
//! the same for every target. EXPECT is the answer that counts as served:
//! `success` (a callback receiver, the default) or `any2xx` (the no-I/O
//! route, which gets the same requests and ignores them).

use domain::crypto::MsgCrypt;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// One signed callback: the query string and the XML body.
struct Signed {
    query: String,
    body: String,
}

/// Bodies made per second of the run: above any rate two cores reach, so
/// no body is sent twice (a resent one is a retry the receiver dedupes).
const BODIES_PER_SEC: usize = 3_000;

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| fail(&format!("{name} is not set")))
}

fn number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| fail(&format!("{name} must be a number"))),
        Err(_) => default,
    }
}

fn fail(message: &str) -> ! {
    eprintln!("door_bench: {message}");
    std::process::exit(2)
}

/// Percent-encodes a query value (base64 signatures are hex, but be safe).
fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The `i`th suite_ticket callback of run `tag`, as WeCom pushes it
/// (授权应用 "推送suite_ticket", document/path/90628).
fn suite_ticket(crypt: &MsgCrypt, suite_id: &str, tag: u64, i: usize, now: u64) -> Signed {
    let xml = format!(
        "<xml><SuiteId><![CDATA[{suite_id}]]></SuiteId><InfoType><![CDATA[suite_ticket]]></InfoType>\
         <TimeStamp>{now}</TimeStamp><SuiteTicket><![CDATA[bench-{tag:x}-{i:08}]]></SuiteTicket></xml>"
    );
    let mut random = [0u8; 16];
    random[..8].copy_from_slice(&tag.to_be_bytes());
    random[8..].copy_from_slice(&(i as u64).to_be_bytes());
    let encrypted = crypt.encrypt(&xml, suite_id, random);
    let ts = now.to_string();
    let nonce = format!("{tag:x}{i}");
    let sig = crypt.signature(&ts, &nonce, &encrypted);
    Signed {
        query: format!(
            "msg_signature={sig}&timestamp={ts}&nonce={}",
            urlencode(&nonce)
        ),
        body: format!(
            "<xml><ToUserName><![CDATA[{suite_id}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>"
        ),
    }
}

/// What one sender saw in a phase.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    failed: u64,
    statuses: BTreeMap<String, u64>,
}

/// Sends until `deadline`, each sender on its own connection, taking the
/// next unsent body from `next`.
fn phase(
    agents: &[ureq::Agent],
    url: &str,
    bodies: &[Signed],
    next: &AtomicUsize,
    deadline: Instant,
    expect_success: bool,
) -> Vec<Tally> {
    // The no-I/O route sits under /api, where a body must be labelled JSON
    // (the console's CSRF check answers 415 otherwise): the same bytes go,
    // labelled so; the route reads none of them.
    let content_type = if expect_success {
        "text/xml"
    } else {
        "application/json"
    };
    std::thread::scope(|s| {
        let senders: Vec<_> = agents
            .iter()
            .map(|agent| {
                s.spawn(move || {
                    let mut tally = Tally::default();
                    while Instant::now() < deadline {
                        let i = next.fetch_add(1, Ordering::Relaxed) % bodies.len();
                        let signed = &bodies[i];
                        let started = Instant::now();
                        let answer = agent
                            .post(&format!("{url}?{}", signed.query))
                            .set("Content-Type", content_type)
                            .send_string(&signed.body);
                        let (status, text) = match answer {
                            Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
                            Err(ureq::Error::Status(code, r)) => {
                                (code, r.into_string().unwrap_or_default())
                            }
                            Err(e) => {
                                tally.failed += 1;
                                *tally.statuses.entry(format!("{e}")).or_default() += 1;
                                continue;
                            }
                        };
                        let took = started.elapsed().as_micros().min(u32::MAX as u128) as u32;
                        let served = (200..300).contains(&status)
                            && (!expect_success || text.trim() == "success");
                        if served {
                            tally.latencies_us.push(took);
                        } else {
                            tally.failed += 1;
                        }
                        *tally.statuses.entry(status.to_string()).or_default() += 1;
                    }
                    tally
                })
            })
            .collect();
        senders
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

fn percentile_ms(sorted_us: &[u32], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * sorted_us.len() as f64) as usize;
    f64::from(sorted_us[i.min(sorted_us.len() - 1)]) / 1000.0
}

fn main() {
    let url = var("DOOR_URL");
    let name = std::env::var("DOOR_NAME").unwrap_or_else(|_| url.clone());
    let senders = number("SENDERS", 16) as usize;
    let warmup = number("WARMUP_SECS", 3);
    let secs = number("SECS", 10);
    let expect_success = std::env::var("EXPECT").as_deref() != Ok("any2xx");
    let crypt = MsgCrypt::new(&var("SUITE_TOKEN"), &var("SUITE_ENCODING_AES_KEY"))
        .unwrap_or_else(|e| fail(&format!("suite keys: {e}")));
    let suite_id = var("SUITE_ID");

    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let now = since_epoch.as_secs();
    let tag = since_epoch.as_nanos() as u64;
    let count = (warmup + secs) as usize * BODIES_PER_SEC;
    let bodies: Vec<Signed> = (0..count)
        .map(|i| suite_ticket(&crypt, &suite_id, tag, i, now))
        .collect();
    let agents: Vec<ureq::Agent> = (0..senders)
        .map(|_| {
            ureq::AgentBuilder::new()
                .max_idle_connections_per_host(1)
                .timeout(Duration::from_secs(30))
                .build()
        })
        .collect();

    let next = AtomicUsize::new(0);
    let warm_deadline = Instant::now() + Duration::from_secs(warmup);
    phase(&agents, &url, &bodies, &next, warm_deadline, expect_success);
    let measured_from = next.load(Ordering::Relaxed);
    let started = Instant::now();
    let tallies = phase(
        &agents,
        &url,
        &bodies,
        &next,
        started + Duration::from_secs(secs),
        expect_success,
    );
    let elapsed = started.elapsed().as_secs_f64();
    let sent = next.load(Ordering::Relaxed);

    let mut latencies: Vec<u32> = vec![];
    let mut failed = 0;
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    for t in tallies {
        latencies.extend(t.latencies_us);
        failed += t.failed;
        for (k, v) in t.statuses {
            *statuses.entry(k).or_default() += v;
        }
    }
    latencies.sort_unstable();
    let answered = latencies.len();
    let report = serde_json::json!({
        "target": name,
        "senders": senders,
        "seconds": (elapsed * 100.0).round() / 100.0,
        "answered": answered,
        "failed": failed,
        "rps": (answered as f64 / elapsed).round(),
        "p50_ms": percentile_ms(&latencies, 50.0),
        "p99_ms": percentile_ms(&latencies, 99.0),
        "max_ms": percentile_ms(&latencies, 100.0),
        "statuses": statuses,
        "sent_with_warmup": sent,
        "bodies_reused": sent > count,
        "measured_bodies": sent - measured_from,
    });
    println!("{report}");
}
