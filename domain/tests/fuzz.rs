//! Stable-Rust fuzzing of the callback door: envelope parsing
//! (`Envelope::parse`), signature check and decryption (`MsgCrypt::verify`,
//! `MsgCrypt::decrypt`) and event parsing (`CommandEvent::parse`,
//! `DataEvent::parse`, `SystemEvent::parse`). Property: no input makes any
//! of them panic (a panic in the Worker aborts the request and poisons the
//! isolate), and a few oracles where the answer is known (an unmutated
//! message round-trips; a length field past the plaintext is `BadLength`).
//!
//! Inputs are real, encrypted and signed messages built from the corpus in
//! `domain/fuzz-corpus/` (WeCom's own examples of every callback we read),
//! then mutated the way an attacker or a broken proxy would: truncated
//! base64, wrong padding, flipped bytes, huge values in the 4-byte length
//! field, entity and CDATA tricks, deep nesting, plus libFuzzer-style byte
//! mutations (flip, insert, delete, splice, repeat).
//!
//! Budget: `FUZZ_SECS` (default 3, what `make test` spends) or
//! `FUZZ_CASES`; `FUZZ_SEED` replays a run. `make soak` runs it for 10
//! minutes. A panicking input is written to `target/fuzz-crashes/` and the
//! test fails naming it.

use domain::crypto::{CryptoError, MsgCrypt};
use domain::event::{CommandEvent, DataEvent, Envelope, SystemEvent, MAX_CALLBACK_BYTES};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

const TOKEN: &str = "QDG6eK";
const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const RECEIVE_ID: &str = "wx5823bf96d3bd56c7";

/// The Worker's wasm stack is 1 MiB (rustc's wasm32 default): fuzz on a
/// thread no larger, so deep nesting that would overflow there overflows
/// here too.
const WASM_STACK: usize = 1024 * 1024;

/// splitmix64: small, seedable, good enough to pick mutations.
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
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// Up to `max - 1` random bytes.
    fn some_bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max);
        self.bytes(n)
    }
    fn random16(&mut self) -> [u8; 16] {
        self.bytes(16).try_into().unwrap()
    }
}

fn corpus() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz-corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let seeds: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap().trim().to_owned())
        .collect();
    assert!(seeds.len() >= 10, "the corpus is gone: {}", dir.display());
    seeds
}

/// Fragments an attacker would splice into XML.
const TRICKS: &[&str] = &[
    "&amp;",
    "&lt;",
    "&#0;",
    "&#x0;",
    "&#xFFFFFFFF;",
    "&#99999999999999999999;",
    "&#xD800;",
    "&e;",
    "&",
    "&amp",
    "<![CDATA[",
    "]]>",
    "<![CDATA[]]]]><![CDATA[>]]>",
    "<![CDATA[<xml><InfoType>cancel_auth</InfoType></xml>]]>",
    "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>",
    "<!doctype x>",
    "<!ENTITY a \"aaaaaaaaaa\">",
    "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
    "<?pi x?>",
    "<!-- -->",
    "<!--",
    "</xml>",
    "<xml>",
    "<InfoType>cancel_auth</InfoType>",
    "<AccountList><Type>300</Type></AccountList>",
    "<AccountList></AccountList>",
    "<AccountList>x</AccountList>",
    "<Encrypt></Encrypt>",
    "<Encrypt>a</Encrypt><Encrypt>b</Encrypt>",
    "<a xmlns:x=\"u\" x:b=\"1\"/>",
    "<TimeStamp>-1</TimeStamp>",
    "<TimeStamp>18446744073709551616</TimeStamp>",
    "<Department>1,,2,-3,99999999999999999999</Department>",
    "<OrderStatus>256</OrderStatus>",
    "\u{0}",
    "\u{feff}",
    "\u{202e}",
    "\u{10ffff}",
    "\r\n",
    "\"'",
    "<",
    ">",
    "/>",
];

/// One libFuzzer-style mutation of raw bytes.
fn mutate_bytes(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[String]) {
    match rng.below(9) {
        0 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] ^= 1 << rng.below(8);
        }
        1 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] = rng.next() as u8;
        }
        2 => {
            let i = rng.below(data.len() + 1);
            let n = 1 + rng.below(8);
            let fresh = rng.bytes(n);
            data.splice(i..i, fresh);
        }
        3 if !data.is_empty() => {
            let i = rng.below(data.len());
            let n = 1 + rng.below((data.len() - i).min(64));
            data.drain(i..i + n);
        }
        4 => {
            let cut = rng.below(data.len() + 1);
            data.truncate(cut);
        }
        5 if !data.is_empty() => {
            // Repeat a slice (grows bodies towards the cap).
            let i = rng.below(data.len());
            let n = 1 + rng.below((data.len() - i).min(256));
            let piece = data[i..i + n].to_vec();
            let times = 1 + rng.below(64);
            let at = rng.below(data.len() + 1);
            let grown: Vec<u8> = piece.iter().copied().cycle().take(n * times).collect();
            data.splice(at..at, grown);
        }
        6 => {
            // Splice in another corpus entry.
            let other = rng.pick(corpus).as_bytes();
            let from = rng.below(other.len());
            let to = from + rng.below(other.len() - from + 1);
            let at = rng.below(data.len() + 1);
            data.splice(at..at, other[from..to].iter().copied());
        }
        7 => {
            let trick = rng.pick(TRICKS).as_bytes();
            let at = rng.below(data.len() + 1);
            data.splice(at..at, trick.iter().copied());
        }
        _ => {
            // Interesting bytes at a random place.
            let at = rng.below(data.len() + 1);
            let b = *rng.pick(&[0u8, 0x7f, 0x80, 0xff, b'<', b'&', b']', b'\n']);
            data.insert(at, b);
        }
    }
}

/// One structure-aware mutation of XML text.
fn mutate_xml(rng: &mut Rng, xml: &str) -> String {
    match rng.below(8) {
        0 => {
            // Deep nesting, inside the body cap: ignored unknown elements,
            // or a known one whose content is expected to be text.
            let tag = rng.pick(&["a", "AccountList", "InfoType", "Encrypt", "xml"]);
            let room = MAX_CALLBACK_BYTES.saturating_sub(xml.len()) / (2 * tag.len() + 5);
            let depth = 1 + rng.below(room.max(1));
            let open = format!("<{tag}>").repeat(depth);
            let close = format!("</{tag}>").repeat(if rng.chance(2) { depth } else { 0 });
            let at = xml.find("</xml>").unwrap_or(xml.len());
            format!("{}{open}{close}{}", &xml[..at], &xml[at..])
        }
        1 => {
            // Every CDATA section opened and never closed, or closed twice.
            if rng.chance(2) {
                xml.replacen("]]>", "", 1 + rng.below(4))
            } else {
                xml.replace("]]>", "]]>]]>")
            }
        }
        2 => {
            // Entities in every text node.
            let ent = rng.pick(&["&amp;", "&#x0;", "&e;", "&#1114112;", "&lt;![CDATA["]);
            xml.replace("<![CDATA[", &format!("<![CDATA[{ent}"))
                .replace("</", &format!("{ent}</"))
        }
        3 => {
            // Huge numbers where numbers go.
            let n = rng.pick(&["18446744073709551616", "-1", "1e9", "0x10", " 1 ", "", "٣"]);
            let mut out = xml.to_owned();
            for field in [
                "TimeStamp",
                "Type",
                "ExpireTime",
                "Id",
                "OrderStatus",
                "CreateTime",
                "AgentID",
            ] {
                let open = format!("<{field}>");
                if let (Some(s), Some(e)) = (out.find(&open), out.find(&format!("</{field}>"))) {
                    if s + open.len() <= e {
                        out.replace_range(s + open.len()..e, n);
                    }
                }
            }
            out
        }
        4 => {
            // A field repeated many times.
            let field = rng.pick(&["<InfoType>x</InfoType>", "<AccountList><ActiveCode>c</ActiveCode><Type>1</Type><ExpireTime>1</ExpireTime><UserId>u</UserId></AccountList>", "<UserID>u</UserID>"]);
            let at = xml.find("</xml>").unwrap_or(xml.len());
            format!(
                "{}{}{}",
                &xml[..at],
                field.repeat(1 + rng.below(2000)),
                &xml[at..]
            )
        }
        5 => {
            // Attributes and namespaces on the root.
            xml.replacen("<xml>", "<xml a=\"1\" xmlns=\"urn:x\" b='&amp;'>", 1)
        }
        6 => {
            // Tags renamed or case-changed.
            xml.replace("Type>", "type>").replace("Id>", "ID>")
        }
        _ => {
            let mut bytes = xml.as_bytes().to_vec();
            for _ in 0..1 + rng.below(4) {
                let trick = rng.pick(TRICKS).as_bytes();
                let at = rng.below(bytes.len() + 1);
                bytes.splice(at..at, trick.iter().copied());
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }
}

/// WeCom's plaintext with every part chosen by the fuzzer, AES-CBC
/// encrypted without our padding rules, so `decrypt` meets lengths and
/// paddings `encrypt` would never make.
fn raw_seal(key: &[u8; 32], plain: &mut Vec<u8>) -> String {
    while !plain.len().is_multiple_of(16) || plain.is_empty() {
        plain.push(0);
    }
    let len = plain.len();
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&key[..16]);
    let sealed = cbc::Encryptor::<aes::Aes256>::new(key.into(), &iv.into())
        .encrypt_padded_mut::<NoPadding>(plain, len)
        .unwrap()
        .to_vec();
    STANDARD.encode(sealed)
}

fn sample_key() -> [u8; 32] {
    let raw = base64::engine::general_purpose::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::general_purpose::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true),
    )
    .decode(format!("{AES_KEY}="))
    .unwrap();
    raw.try_into().unwrap()
}

/// Everything the callback door does with a body, in the Worker's order.
/// Returns the decrypted message when the whole door opened.
fn door(c: &MsgCrypt, query: &Query, body: &str) -> Option<String> {
    let env = Envelope::parse(body).ok()?;
    let verified = c
        .verify(
            &query.signature,
            &query.timestamp,
            &query.nonce,
            &env.encrypt,
        )
        .is_ok();
    let opened = c.decrypt(&env.encrypt).ok()?;
    let _ = CommandEvent::parse(&opened.message);
    let _ = DataEvent::parse(&opened.message);
    let _ = SystemEvent::parse(&opened.message);
    verified.then_some(opened.message)
}

/// Every parser on a text as it is.
fn parsers(text: &str) {
    let _ = Envelope::parse(text);
    let _ = CommandEvent::parse(text);
    let _ = DataEvent::parse(text);
    let _ = SystemEvent::parse(text);
}

struct Query {
    signature: String,
    timestamp: String,
    nonce: String,
}

fn signed(c: &MsgCrypt, encrypted: &str, rng: &mut Rng) -> Query {
    let timestamp = (1_700_000_000 + rng.below(1_000_000)).to_string();
    let nonce = rng.next().to_string();
    Query {
        signature: c.signature(&timestamp, &nonce, encrypted),
        timestamp,
        nonce,
    }
}

fn envelope(encrypted: &str) -> String {
    format!("<xml><ToUserName><![CDATA[{RECEIVE_ID}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>")
}

/// One fuzz case; `log` receives the inputs so a panic can be replayed.
fn one_case(rng: &mut Rng, c: &MsgCrypt, key: &[u8; 32], corpus: &[String], log: &mut Vec<String>) {
    let seed = rng.pick(corpus).clone();
    match rng.below(6) {
        // Mutated plaintext, correctly encrypted and signed: the XML
        // parsers meet it after a successful decrypt.
        0 => {
            let mut xml = seed;
            for _ in 0..1 + rng.below(3) {
                xml = if rng.chance(2) {
                    mutate_xml(rng, &xml)
                } else {
                    let mut b = xml.into_bytes();
                    mutate_bytes(rng, &mut b, corpus);
                    String::from_utf8_lossy(&b).into_owned()
                };
            }
            log.push(xml.clone());
            let encrypted = c.encrypt(&xml, RECEIVE_ID, rng.random16());
            let q = signed(c, &encrypted, rng);
            let body = envelope(&encrypted);
            let opened = door(c, &q, &body);
            // Oracle: an untouched ciphertext within the cap always opens to
            // what was sealed.
            if body.len() <= MAX_CALLBACK_BYTES {
                assert_eq!(opened.as_deref(), Some(xml.as_str()), "round trip");
            }
        }
        // A valid message whose Encrypt text is damaged after signing, or
        // re-signed after damage (so decrypt is reached with a good
        // signature).
        1 => {
            let encrypted = c.encrypt(&seed, RECEIVE_ID, rng.random16());
            let mut e = encrypted.clone().into_bytes();
            match rng.below(7) {
                0 => e.truncate(rng.below(e.len())), // truncated base64
                1 => {
                    // wrong padding: strip, add or move '='
                    while e.last() == Some(&b'=') {
                        e.pop();
                    }
                    e.extend(std::iter::repeat_n(b'=', rng.below(4)));
                }
                2 => {
                    let i = rng.below(e.len());
                    e[i] = *rng.pick(b"+/=-_ \n.A");
                }
                3 => {
                    // URL-safe alphabet, as a careless proxy rewrites it.
                    for b in e.iter_mut() {
                        *b = match *b {
                            b'+' => b'-',
                            b'/' => b'_',
                            x => x,
                        }
                    }
                }
                4 => {
                    // whole blocks removed or duplicated
                    let cut = 4 * rng.below(e.len() / 4);
                    if rng.chance(2) {
                        e.drain(..cut);
                    } else {
                        let dup = e[..cut].to_vec();
                        e.splice(0..0, dup);
                    }
                }
                5 => {
                    // one bit of the ciphertext flipped, re-encoded validly
                    let mut raw = STANDARD.decode(&e).unwrap();
                    let i = rng.below(raw.len());
                    raw[i] ^= 1 << rng.below(8);
                    e = STANDARD.encode(raw).into_bytes();
                }
                _ => mutate_bytes(rng, &mut e, corpus),
            }
            let damaged = String::from_utf8_lossy(&e).into_owned();
            log.push(damaged.clone());
            let q = if rng.chance(2) {
                signed(c, &damaged, rng)
            } else {
                signed(c, &encrypted, rng)
            };
            let _ = door(c, &q, &envelope(&damaged));
        }
        // Hand-made plaintext: any length field (huge, off by one, zero),
        // any padding byte, any receive id bytes.
        2 => {
            let message = if rng.chance(2) {
                seed.into_bytes()
            } else {
                rng.some_bytes(300)
            };
            let tail = rng.some_bytes(40);
            let len_field: u32 = match rng.below(6) {
                0 => u32::MAX,
                1 => message.len() as u32 + 1 + rng.below(64) as u32,
                2 => 0,
                3 => rng.next() as u32,
                4 => (message.len() + tail.len()) as u32,
                _ => message.len() as u32,
            };
            let prefix = if rng.chance(8) { rng.below(20) } else { 16 };
            let mut plain = rng.bytes(prefix);
            plain.extend_from_slice(&len_field.to_be_bytes());
            plain.extend_from_slice(&message);
            plain.extend_from_slice(&tail);
            let pad = match rng.below(4) {
                0 => 32 - plain.len() % 32,
                1 => 16 - plain.len() % 16,
                2 => rng.below(256),
                _ => 0,
            };
            plain.extend(std::iter::repeat_n(pad as u8, pad.min(64)));
            if rng.chance(4) {
                let i = rng.below(plain.len());
                plain[i] = rng.next() as u8;
            }
            let sealed = raw_seal(key, &mut plain);
            log.push(sealed.clone());
            let result = c.decrypt(&sealed);
            // Oracle: a length field past everything after it never opens.
            let after_len = plain.len().saturating_sub(20);
            if len_field as usize > after_len {
                assert!(
                    !matches!(result, Ok(ref o) if o.message.len() == len_field as usize),
                    "a length past the plaintext opened: {result:?}"
                );
            }
            if let Ok(opened) = result {
                parsers(&opened.message);
            }
        }
        // The envelope itself mutated (the body a proxy or attacker sends).
        3 => {
            let encrypted = c.encrypt(&seed, RECEIVE_ID, rng.random16());
            let mut body = envelope(&encrypted);
            for _ in 0..1 + rng.below(3) {
                body = if rng.chance(2) {
                    mutate_xml(rng, &body)
                } else {
                    let mut b = body.into_bytes();
                    mutate_bytes(rng, &mut b, corpus);
                    String::from_utf8_lossy(&b).into_owned()
                };
            }
            log.push(body.clone());
            let q = signed(c, &encrypted, rng);
            let _ = door(c, &q, &body);
        }
        // Signatures of every shape against a real message.
        4 => {
            let encrypted = c.encrypt(&seed, RECEIVE_ID, rng.random16());
            let q = signed(c, &encrypted, rng);
            let sig = match rng.below(5) {
                0 => String::new(),
                1 => q.signature[..rng.below(q.signature.len())].to_owned(),
                2 => format!("{}00", q.signature),
                3 => String::from_utf8_lossy(&rng.some_bytes(80)).into_owned(),
                _ => q.signature.to_uppercase().replacen('A', "Ä", 1),
            };
            log.push(sig.clone());
            let result = c.verify(&sig, &q.timestamp, &q.nonce, &encrypted);
            if sig != q.signature && !sig.eq_ignore_ascii_case(&q.signature) {
                assert_eq!(result, Err(CryptoError::BadSignature), "{sig}");
            }
        }
        // Raw bytes mutated from the corpus straight into every parser and
        // into decrypt.
        _ => {
            let mut b = seed.into_bytes();
            for _ in 0..1 + rng.below(8) {
                mutate_bytes(rng, &mut b, corpus);
            }
            let text = String::from_utf8_lossy(&b).into_owned();
            log.push(text.clone());
            parsers(&text);
            let _ = c.decrypt(&text);
        }
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

struct Figures {
    cases: u64,
    panics: Vec<PathBuf>,
    elapsed: Duration,
}

fn fuzz(secs: u64, max_cases: Option<u64>, seed: u64) -> Figures {
    let c = MsgCrypt::new(TOKEN, AES_KEY).unwrap();
    let key = sample_key();
    let corpus = corpus();
    let crashes = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-crashes");
    let mut rng = Rng(seed);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let mut figures = Figures {
        cases: 0,
        panics: vec![],
        elapsed: Duration::ZERO,
    };
    // Panics are caught and counted; their message is printed once each.
    while max_cases.is_none_or(|m| figures.cases < m)
        && (max_cases.is_some() || Instant::now() < deadline)
    {
        let case_seed = rng.next();
        let mut log = vec![];
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            one_case(&mut Rng(case_seed), &c, &key, &corpus, &mut log)
        }));
        figures.cases += 1;
        if outcome.is_err() {
            std::fs::create_dir_all(&crashes).unwrap();
            let path = crashes.join(format!("case-{case_seed:016x}.txt"));
            std::fs::write(&path, log.join("\n----\n")).unwrap();
            figures.panics.push(path);
        }
    }
    figures.elapsed = start.elapsed();
    figures
}

#[test]
fn no_callback_input_makes_the_door_panic() {
    let secs = env_u64("FUZZ_SECS").unwrap_or(3);
    let max_cases = env_u64("FUZZ_CASES");
    let seed = env_u64("FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
    });
    let figures = std::thread::Builder::new()
        .stack_size(WASM_STACK)
        .spawn(move || fuzz(secs, max_cases, seed))
        .unwrap()
        .join()
        .expect("the fuzz thread died");
    let minutes = figures.elapsed.as_secs_f64() / 60.0;
    eprintln!(
        "fuzz: seed {seed}: {} cases in {:.1} min ({:.0} cases/s), {} panics",
        figures.cases,
        minutes,
        figures.cases as f64 / figures.elapsed.as_secs_f64(),
        figures.panics.len()
    );
    assert!(figures.cases > 0);
    assert!(
        figures.panics.is_empty(),
        "{} inputs panicked, first: {}",
        figures.panics.len(),
        figures.panics[0].display()
    );
}
