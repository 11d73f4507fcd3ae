//! Hostile input at the callback door of the real Worker: 10 000 mutated
//! callback requests to the three callback URLs, GET and POST, each built
//! from a valid, signed, encrypted one and damaged in one way WeCom's
//! network (or someone pretending to be WeCom) could: bad signatures,
//! truncated base64, wrong padding, flipped ciphertext, huge and chunked
//! bodies, entity and DTD tricks, wrong receive ids, stale or missing query
//! fields. Every one must be refused with a 4xx (never a 5xx, never
//! `success`), none may write a row, and the Worker must not panic.
//!
//! Alone in its test binary: the before/after counts of every table are
//! then about these requests only.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use domain::crypto::MsgCrypt;
use itest::*;
use std::collections::BTreeMap;
use std::io::Read;
use std::time::Instant;

const REQUESTS: usize = 10_000;
const SENDERS: usize = 4;
/// The kinds of damage [`hostile`] makes (its `match` arms).
const CLASSES: usize = 15;

/// One request to send and what kind of damage it carries.
struct Hostile {
    class: &'static str,
    method: &'static str,
    route: &'static str,
    query: String,
    body: Body,
}

enum Body {
    None,
    /// Sent with Content-Length.
    Sized(String),
    /// Sent with Transfer-Encoding: chunked (no Content-Length).
    Chunked(String),
}

/// splitmix64, seeded per run and printed, so a failure can be replayed
/// with `HOSTILE_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The three URLs: their keys, the receive id a valid push carries, and
/// messages of the kinds each reads (all carrying the marker).
struct Door {
    route: &'static str,
    crypt: MsgCrypt,
    receive_id: String,
    messages: Vec<String>,
}

fn doors(marker: &str) -> Vec<Door> {
    let suite = config("SUITE_ID");
    let provider = config("PROVIDER_CORPID");
    let ts = now();
    // A corp id nobody installed: even a message that got through could
    // only speak of it.
    let corp = format!("ww{marker}");
    vec![
        Door {
            route: "command",
            crypt: crypt(),
            receive_id: suite.clone(),
            messages: vec![
                format!("<xml><SuiteId>{suite}</SuiteId><InfoType>x_{marker}</InfoType><TimeStamp>{ts}</TimeStamp></xml>"),
                format!("<xml><SuiteId><![CDATA[{suite}]]></SuiteId><InfoType><![CDATA[cancel_auth]]></InfoType><TimeStamp>{ts}</TimeStamp><AuthCorpId><![CDATA[{corp}]]></AuthCorpId></xml>"),
                format!("<xml><SuiteId>{suite}</SuiteId><AuthCorpId>{corp}</AuthCorpId><InfoType>change_contact</InfoType><TimeStamp>{ts}</TimeStamp><ChangeType>create_user</ChangeType><UserID>{marker}</UserID><Name>张三</Name><Department>1,2</Department></xml>"),
            ],
        },
        Door {
            route: "data",
            crypt: crypt(),
            // The demo organisation is installed: this receive id passes.
            receive_id: "wwdemo01".into(),
            messages: vec![
                format!("<xml><ToUserName>wwdemo01</ToUserName><FromUserName>{marker}</FromUserName><CreateTime>{ts}</CreateTime><MsgType>event</MsgType><Event>x_{marker}</Event></xml>"),
                format!("<xml><ToUserName><![CDATA[wwdemo01]]></ToUserName><FromUserName><![CDATA[{marker}]]></FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unlicensed_notify]]></Event><AgentID>1</AgentID></xml>"),
            ],
        },
        Door {
            route: "system",
            crypt: provider_crypt(),
            receive_id: provider.clone(),
            messages: vec![
                format!("<xml><ServiceCorpId>{provider}</ServiceCorpId><InfoType>x_{marker}</InfoType><TimeStamp>{ts}</TimeStamp></xml>"),
                format!("<xml><ServiceCorpId>{provider}</ServiceCorpId><InfoType>license_pay_success</InfoType><AuthCorpId>{corp}</AuthCorpId><OrderId>OI{marker}</OrderId><TimeStamp>{ts}</TimeStamp></xml>"),
            ],
        },
    ]
}

fn envelope(to: &str, encrypted: &str) -> String {
    format!("<xml><ToUserName><![CDATA[{to}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>")
}

fn query(c: &MsgCrypt, ts: u64, nonce: &str, encrypted: &str) -> String {
    let ts = ts.to_string();
    format!(
        "msg_signature={}&timestamp={ts}&nonce={nonce}",
        c.signature(&ts, nonce, encrypted)
    )
}

/// A valid push, then damaged: one request per call.
fn hostile(rng: &mut Rng, doors: &[Door], marker: &str) -> Hostile {
    let door = rng.pick(doors);
    let message = rng.pick(&door.messages).clone();
    let c = &door.crypt;
    let ts = now();
    let nonce = rng.next().to_string();
    let mut random = [0u8; 16];
    random.iter_mut().for_each(|b| *b = rng.next() as u8);
    let encrypted = c.encrypt(&message, &door.receive_id, random);
    // The envelope's ToUserName (which the Worker does not read) carries
    // the marker, so a row keeping the body would be seen.
    let to = marker;
    let post = |class, query: String, body: String| Hostile {
        class,
        method: "POST",
        route: door.route,
        query,
        body: Body::Sized(body),
    };
    let resealed = |damaged: &str| post_query_body(c, ts, &nonce, to, damaged);
    match rng.below(CLASSES) {
        0 => {
            // Signature with one hex digit changed.
            let q = query(c, ts, &nonce, &encrypted);
            let at = "msg_signature=".len() + rng.below(40);
            let mut q = q.into_bytes();
            q[at] = if q[at] == b'0' { b'1' } else { b'0' };
            post(
                "bad signature",
                String::from_utf8(q).unwrap(),
                envelope(to, &encrypted),
            )
        }
        1 => {
            // Signed with another Token/key (someone else's suite).
            let other =
                MsgCrypt::new("intruder", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").unwrap();
            let encrypted = other.encrypt(&message, &door.receive_id, random);
            post(
                "foreign keys",
                query(&other, ts, &nonce, &encrypted),
                envelope(to, &encrypted),
            )
        }
        2 => {
            // A real ciphertext, one byte flipped, the old signature.
            let mut raw = STANDARD.decode(&encrypted).unwrap();
            let i = rng.below(raw.len());
            raw[i] ^= 1 << rng.below(8);
            post(
                "flipped byte, old signature",
                query(c, ts, &nonce, &encrypted),
                envelope(to, &STANDARD.encode(raw)),
            )
        }
        3 => {
            // Truncated base64, signed as it is.
            let cut = rng.below(encrypted.len() - 1);
            let (q, b) = resealed(&encrypted[..cut]);
            post("truncated base64", q, b)
        }
        4 => {
            // Padding stripped, doubled or put in the middle.
            let bare = encrypted.trim_end_matches('=');
            let damaged = match rng.below(3) {
                0 if bare.len() != encrypted.len() => bare.to_owned(),
                1 => format!("{encrypted}="),
                _ => format!("{}={}", &bare[..bare.len() / 2], &bare[bare.len() / 2..]),
            };
            let (q, b) = resealed(&damaged);
            post("wrong base64 padding", q, b)
        }
        5 => {
            // The PKCS#7 pad byte flipped through the block before it: the
            // message decrypts with a pad no encoder makes.
            let mut raw = STANDARD.decode(&encrypted).unwrap();
            let at = raw.len() - 17;
            raw[at] ^= 1 << rng.below(8);
            let (q, b) = resealed(&STANDARD.encode(raw));
            post("wrong PKCS#7 padding", q, b)
        }
        6 => {
            // Encrypted for someone else's receive id.
            let receive_id = rng.pick(&["wwintruder", "", "wwdemo01x", "wwsuitetest0000002"]);
            let receive_id = if *receive_id == door.receive_id {
                "wwnobody"
            } else {
                receive_id
            };
            let encrypted = c.encrypt(&message, receive_id, random);
            post(
                "wrong receive id",
                query(c, ts, &nonce, &encrypted),
                envelope(to, &encrypted),
            )
        }
        7 => {
            // A DTD or an undeclared entity inside a correctly sealed message.
            let trick = rng.pick(&[
                "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
                "<!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>",
                "<!doctype xml>",
            ]);
            let plain = if rng.below(2) == 0 {
                format!("{trick}{message}")
            } else {
                // An undeclared entity where the kind is read.
                message
                    .replacen("<InfoType>", "<InfoType>&xxe;", 1)
                    .replacen("<InfoType><![CDATA[", "<InfoType>&xxe;<![CDATA[", 1)
                    .replacen("<Event>", "<Event>&xxe;", 1)
                    .replacen("<Event><![CDATA[", "<Event>&xxe;<![CDATA[", 1)
            };
            let encrypted = c.encrypt(&plain, &door.receive_id, random);
            post(
                "entity trick inside",
                query(c, ts, &nonce, &encrypted),
                envelope(to, &encrypted),
            )
        }
        8 => {
            // A DTD or entity in the envelope itself.
            let body = rng.pick(&[
                format!("<!DOCTYPE xml [<!ENTITY e \"{encrypted}\">]><xml><ToUserName>{to}</ToUserName><Encrypt>&e;</Encrypt></xml>"),
                format!("<xml><ToUserName>{to}</ToUserName><Encrypt>&e;{encrypted}</Encrypt></xml>"),
                format!("<xml><ToUserName>{to}</ToUserName><Encrypt><![CDATA[{encrypted}]]]]><![CDATA[>]]></Encrypt></xml>"),
                format!("<xml><ToUserName>{to}</ToUserName><Encrypt><![CDATA[{encrypted}</Encrypt></xml>"),
            ]).clone();
            post(
                "entity/CDATA trick in envelope",
                query(c, ts, &nonce, &encrypted),
                body,
            )
        }
        9 => {
            // Over 64 KiB, declared or chunked.
            let pad = "A".repeat(64 * 1024 + 1 + rng.below(256 * 1024));
            let body = envelope(to, &format!("{encrypted}{pad}"));
            Hostile {
                class: "huge body",
                method: "POST",
                route: door.route,
                query: query(c, ts, &nonce, &encrypted),
                body: if rng.below(2) == 0 {
                    Body::Chunked(body)
                } else {
                    Body::Sized(body)
                },
            }
        }
        10 => {
            // Chunked and broken: a truncated envelope.
            let body = envelope(to, &encrypted);
            let cut = rng.below(body.len() - 8);
            Hostile {
                class: "chunked, truncated envelope",
                method: "POST",
                route: door.route,
                query: query(c, ts, &nonce, &encrypted),
                body: Body::Chunked(body[..cut].to_owned()),
            }
        }
        11 => {
            // Stale, future, missing or non-numeric timestamp; missing nonce
            // or signature.
            let q = match rng.below(5) {
                0 => query(c, ts - 3600, &nonce, &encrypted),
                1 => query(c, ts + 3600, &nonce, &encrypted),
                2 => {
                    let sig = c.signature("soon", &nonce, &encrypted);
                    format!("msg_signature={sig}&timestamp=soon&nonce={nonce}")
                }
                3 => format!("timestamp={ts}&nonce={nonce}"),
                _ => format!(
                    "msg_signature={}&timestamp={ts}",
                    c.signature(&ts.to_string(), "", &encrypted)
                ),
            };
            post("bad query", q, envelope(to, &encrypted))
        }
        12 => {
            // No Encrypt, an empty one, or not XML.
            let body = rng
                .pick(&[
                    format!("<xml><ToUserName>{to}</ToUserName></xml>"),
                    format!("<xml><ToUserName>{to}</ToUserName><Encrypt></Encrypt></xml>"),
                    format!("{to} {encrypted}"),
                    String::new(),
                    format!("<xml><ToUserName>{to}</ToUserName><Encrypt>{encrypted}</Encrypt>"),
                ])
                .clone();
            post("malformed envelope", query(c, ts, &nonce, &encrypted), body)
        }
        13 => {
            // The plaintext's 4-byte length field made huge or short.
            let mut raw = STANDARD.decode(&encrypted).unwrap();
            // Ciphertext byte i of block 0 flips plaintext byte 16 + i.
            let i = rng.below(4);
            raw[i] ^= 0x80 >> rng.below(8);
            let (q, b) = resealed(&STANDARD.encode(raw));
            post("length field changed", q, b)
        }
        _ => {
            // URL verification (GET) with a damaged echostr.
            let echo = format!("echo{marker}");
            let echostr = match rng.below(4) {
                0 => c.encrypt(&echo, "wwintruder", random),
                1 => {
                    let e = c.encrypt(&echo, &config("PROVIDER_CORPID"), random);
                    e[..rng.below(e.len())].to_owned()
                }
                2 => c
                    .encrypt(&echo, &config("PROVIDER_CORPID"), random)
                    .replace('=', ""),
                _ => String::from_utf8_lossy(&[0xff, b'<', b'&', b'%']).into_owned(),
            };
            let q = format!(
                "{}&echostr={}",
                query(c, ts, &nonce, &echostr),
                urlencode(&echostr)
            );
            let q = if rng.below(3) == 0 {
                // and a signature over something else
                q.replacen("msg_signature=", "msg_signature=f", 1)
            } else {
                q
            };
            Hostile {
                class: "GET with a bad echostr",
                method: "GET",
                route: door.route,
                query: q,
                body: Body::None,
            }
        }
    }
}

/// A damaged Encrypt text, correctly signed, so the request gets past the
/// signature and meets decryption.
fn post_query_body(
    c: &MsgCrypt,
    ts: u64,
    nonce: &str,
    to: &str,
    damaged: &str,
) -> (String, String) {
    (query(c, ts, nonce, damaged), envelope(to, damaged))
}

fn send(agent: &ureq::Agent, h: &Hostile) -> u16 {
    match send_on(agent, h).map_err(|e| *e) {
        Ok(status) => status,
        // A connection whose last body the Worker refused before reading it
        // all (a chunked one) may be closed under the next request that
        // reuses it (wrangler dev's local proxy does): send that one again
        // on a fresh connection, as WeCom would.
        Err(ureq::Error::Transport(_)) => match send_on(&browser(), h).map_err(|e| *e) {
            Ok(status) => status,
            Err(ureq::Error::Transport(t)) if matches!(h.body, Body::Chunked(_)) => {
                // The Worker may close the connection on a body it refused
                // before reading it all: that is a refusal, not a 5xx.
                eprintln!("transport error on {}: {t}", h.class);
                499
            }
            Err(e) => panic!("{} {}: {e}", h.class, h.route),
        },
        Err(e) => panic!("{} {}: {e}", h.class, h.route),
    }
}

fn send_on(agent: &ureq::Agent, h: &Hostile) -> Result<u16, Box<ureq::Error>> {
    let url = format!("{}/wecom/callback/{}?{}", edge(), h.route, h.query);
    let result = match &h.body {
        Body::None => agent.request(h.method, &url).call(),
        Body::Sized(b) => agent.request(h.method, &url).send_string(b),
        // A reader of unknown length: ureq sends it chunked.
        Body::Chunked(b) => agent
            .request(h.method, &url)
            .send(std::io::Cursor::new(b.clone().into_bytes()).take(u64::MAX)),
    };
    match result {
        Ok(r) => Ok(r.status()),
        Err(ureq::Error::Status(s, _)) => Ok(s),
        Err(e) => Err(Box::new(e)),
    }
}

/// Rows in every table the app owns. `events` leaves out the suite tickets
/// the simulator pushes every 10 minutes on its own.
fn row_counts(marker: &str) -> BTreeMap<String, u64> {
    let tables = d1("SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'");
    tables
        .iter()
        .map(|t| {
            let name = t["name"].as_str().unwrap().to_owned();
            let filter = if name == "events" {
                format!(" WHERE kind <> 'suite_ticket' OR raw LIKE '%{marker}%'")
            } else {
                String::new()
            };
            let n = d1_count(&format!("SELECT count(*) AS n FROM {name}{filter}"));
            (name, n)
        })
        .collect()
}

/// [`row_counts`] once nothing else writes: syncs that earlier tests
/// started (their cron runs reconcile other tests' organisations) may
/// still be running, and their rows must not count against this test.
/// Waits (up to 90 s) until no sync holds a lease and the counts stay the
/// same for a second.
fn settled_row_counts(marker: &str) -> BTreeMap<String, u64> {
    let mut last = row_counts(marker);
    for _ in 0..90 {
        std::thread::sleep(std::time::Duration::from_secs(1));
        let now = row_counts(marker);
        if now == last && now.get("sync_leases") == Some(&0) {
            return now;
        }
        last = now;
    }
    last
}

/// Rows an accepted request from this test would leave: its message holds
/// the marker, and so does every body.
fn marked_events(marker: &str) -> u64 {
    d1_count(&format!(
        "SELECT count(*) AS n FROM events WHERE raw LIKE '%{marker}%' OR kind LIKE '%{marker}%' \
         OR corp_id LIKE '%{marker}%'"
    ))
}

/// The Worker's log so far (scripts/test.sh exports its path).
fn worker_log() -> String {
    let path = std::env::var("WORKER_LOG")
        .expect("WORKER_LOG is not set: run the integration tests through `make test`");
    std::fs::read(&path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn panics_in(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("panicked at") || l.contains("RuntimeError") || l.contains("Uncaught")
        })
        .collect()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn ten_thousand_mutated_callbacks_are_all_refused_with_4xx_and_write_nothing() {
    let marker = unique_corp("hostile");
    let seed = std::env::var("HOSTILE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(now);
    let doors = doors(&marker);
    let log_before = worker_log().len();
    let rows_before = settled_row_counts(&marker);

    // The unmutated messages are accepted (each URL, read back below), so
    // the refusals come from the damage and not from a bad template.
    let mut rng = Rng(seed);
    let requests: Vec<Hostile> = (0..REQUESTS)
        .map(|_| hostile(&mut rng, &doors, &marker))
        .collect();
    let started = Instant::now();
    let chunks: Vec<&[Hostile]> = requests.chunks(REQUESTS.div_ceil(SENDERS)).collect();
    let statuses: Vec<(u16, &'static str, &'static str)> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                s.spawn(move || {
                    let agent = browser();
                    chunk
                        .iter()
                        .map(|h| (send(&agent, h), h.class, h.route))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let took = started.elapsed();

    let mut by_class: BTreeMap<(&str, u16), u64> = BTreeMap::new();
    for (status, class, _) in &statuses {
        *by_class.entry((class, *status)).or_default() += 1;
    }
    eprintln!(
        "hostile: seed {seed}: {} requests in {:.1} s ({:.0}/s) over {SENDERS} connections",
        statuses.len(),
        took.as_secs_f64(),
        statuses.len() as f64 / took.as_secs_f64()
    );
    for ((class, status), n) in &by_class {
        eprintln!("  {status} {class}: {n}");
    }
    let server_errors: Vec<_> = statuses.iter().filter(|(s, _, _)| *s >= 500).collect();
    assert!(
        server_errors.is_empty(),
        "5xx answers (seed {seed}): {by_class:?}"
    );
    let accepted: Vec<_> = statuses.iter().filter(|(s, _, _)| *s < 400).collect();
    assert!(
        accepted.is_empty(),
        "damaged callbacks accepted (seed {seed}): {by_class:?}"
    );
    let classes: std::collections::BTreeSet<_> = statuses.iter().map(|(_, c, _)| c).collect();
    assert_eq!(
        classes.len(),
        15,
        "every kind of damage was sent: {classes:?}"
    );

    assert_eq!(
        marked_events(&marker),
        0,
        "a damaged callback left an event"
    );
    assert_eq!(
        row_counts(&marker),
        rows_before,
        "rows changed (seed {seed})"
    );
    let log = worker_log();
    let new_log = &log[log_before.min(log.len())..];
    let panics = panics_in(new_log);
    assert!(panics.is_empty(), "the Worker panicked: {panics:#?}");

    // The same templates, undamaged, are accepted and seen by the counts
    // above: one x_{marker} message per URL.
    for door in &doors {
        let message = &door.messages[0];
        let c = signed_with(&door.crypt, message, &door.receive_id, now());
        let a = post_callback(door.route, &c.query, &c.body);
        assert_eq!(
            (a.status, a.text.as_str()),
            (200, "success"),
            "{}",
            door.route
        );
    }
    assert_eq!(marked_events(&marker), 3, "the undamaged messages are seen");
}
