//! WeCom callbacks on three URLs (DESIGN §2), URL verification (GET) and
//! event push (POST) on each:
//! - `/wecom/callback/command`: suite Token/Key; pushes carry receive id =
//!   the suite id;
//! - `/wecom/callback/data`: suite Token/Key; pushes carry receive id = an
//!   installed organisation's corp id, which the message's `ToUserName`
//!   repeats;
//! - `/wecom/callback/system`: the provider's own Token/Key (通用开发参数);
//!   license events, receive id = the provider's CorpID, and `ServiceCorpId`
//!   inside says the same.
//!
//! URL verification on all three carries the provider's CorpID as receive
//! id (WeCom's answer in easywechat #1300; docs/research/wecom-true.md §1).
//!
//! Order of checks: timestamp skew, size, envelope, signature, decryption,
//! receive id, event parsing. Anything that fails answers 4xx with a short
//! reason and writes nothing. A valid event is recorded (deduplicated by the
//! hash of its plaintext, one D1 statement), sent to the queue and answered
//! `success`; the consumer (`events`) applies it. If D1 or the queue fail
//! we answer 5xx so WeCom retries.
//!
//! Our suite's `suite_ticket` is not written to D1: the ticket is all
//! there is to apply, so its queue message carries it and is its record
//! (a send resolves once the queue holds the message). It is answered
//! after that one send, no storage operation; the consumer keeps the
//! newest ticket of a batch with one KV write (`make bench`, README
//! "Benchmarks").

use crate::body::{read_capped, Unread};
use crate::clock::now_secs;
use crate::env::Config;
use crate::error::ApiError;
use crate::queue::{self, Work};
use crate::shard;
use crate::store;
use domain::crypto::{CryptoError, MsgCrypt};
use domain::event::{
    CommandEvent, DataEvent, Envelope, EventError, SystemEvent, MAX_CALLBACK_BYTES,
};
use domain::ids::dedupe_key;
use worker::{console_error, Env, Method, Request, Response, Result};

#[derive(Clone, Copy, PartialEq)]
pub enum Source {
    Command,
    Data,
    System,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Command => "command",
            Source::Data => "data",
            Source::System => "system",
        }
    }

    /// The Token/EncodingAESKey this URL is configured with in WeCom.
    fn crypt(self, cfg: &Config) -> Checked<MsgCrypt> {
        let (token, key) = match self {
            Source::Command | Source::Data => (&cfg.suite_token, &cfg.suite_aes_key),
            Source::System => {
                if cfg.provider_token.is_empty() || cfg.provider_aes_key.is_empty() {
                    return Err(Refusal::new(
                        500,
                        "PROVIDER_TOKEN and PROVIDER_ENCODING_AES_KEY are not configured",
                    ));
                }
                (&cfg.provider_token, &cfg.provider_aes_key)
            }
        };
        Ok(MsgCrypt::new(token, key)?)
    }
}

/// A refused callback: status plus a short plain-text reason.
struct Refusal(u16, String);

/// A step of handling a callback: done, or the refusal to answer with.
type Checked<T> = std::result::Result<T, Refusal>;

impl Refusal {
    fn new(status: u16, reason: impl Into<String>) -> Self {
        Refusal(status, reason.into())
    }

    fn into_response(self) -> Result<Response> {
        Response::error(self.1, self.0)
    }
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Refusal(e.status, e.message)
    }
}

impl From<CryptoError> for Refusal {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::BadSignature => Refusal::new(401, "bad msg_signature"),
            CryptoError::BadKey => Refusal::new(500, "EncodingAESKey is misconfigured"),
            other => Refusal::new(400, format!("cannot decrypt: {other}")),
        }
    }
}

impl From<EventError> for Refusal {
    fn from(e: EventError) -> Self {
        match e {
            EventError::TooLarge => Refusal::new(413, e.to_string()),
            other => Refusal::new(400, other.to_string()),
        }
    }
}

impl From<worker::Error> for Refusal {
    fn from(e: worker::Error) -> Self {
        console_error!("callback storage failure: {e}");
        Refusal::new(503, "storage unavailable, retry")
    }
}

/// The query WeCom signs every callback with.
#[derive(serde::Deserialize)]
struct SignedQuery {
    msg_signature: Option<String>,
    timestamp: Option<String>,
    nonce: Option<String>,
    echostr: Option<String>,
}

struct Signed {
    msg_signature: String,
    timestamp: String,
    nonce: String,
    echostr: Option<String>,
}

fn signed_query(req: &Request, cfg: &Config) -> Checked<Signed> {
    let q: SignedQuery = req
        .query()
        .map_err(|e| Refusal::new(400, format!("bad query string: {e}")))?;
    let q = Signed {
        msg_signature: q
            .msg_signature
            .ok_or_else(|| Refusal::new(400, "missing msg_signature"))?,
        timestamp: q
            .timestamp
            .ok_or_else(|| Refusal::new(400, "missing timestamp"))?,
        nonce: q.nonce.ok_or_else(|| Refusal::new(400, "missing nonce"))?,
        echostr: q.echostr,
    };
    if cfg.max_skew_secs > 0 {
        let ts: u64 = q
            .timestamp
            .parse()
            .map_err(|_| Refusal::new(400, "timestamp is not a number"))?;
        if now_secs().abs_diff(ts) > cfg.max_skew_secs {
            return Err(Refusal::new(401, "stale timestamp"));
        }
    }
    Ok(q)
}

fn wrong_receive_id() -> Refusal {
    Refusal::new(403, "wrong receive id")
}

/// URL verification: WeCom encrypts the echo for the provider's CorpID on
/// every URL. The suite id is also taken on the suite's two URLs (older
/// consoles and WeCom's samples for suites use it); both are ours.
fn check_url_receive_id(cfg: &Config, source: Source, receive_id: &str) -> Checked<()> {
    let provider = !cfg.provider_corpid.is_empty() && receive_id == cfg.provider_corpid;
    let suite = source != Source::System && receive_id == cfg.suite_id;
    if provider || suite {
        Ok(())
    } else {
        Err(wrong_receive_id())
    }
}

/// A push: the suite id on the command URL, the provider's CorpID on the
/// system URL. The data URL's is an organisation's, never ours; that it
/// is installed is checked as its event is recorded, in the same statement
/// ([`receive`]).
fn check_push_receive_id(cfg: &Config, source: Source, receive_id: &str) -> Checked<()> {
    let ok = match source {
        Source::Command => receive_id == cfg.suite_id,
        Source::Data => receive_id != cfg.suite_id && receive_id != cfg.provider_corpid,
        Source::System => !cfg.provider_corpid.is_empty() && receive_id == cfg.provider_corpid,
    };
    if ok {
        Ok(())
    } else {
        Err(wrong_receive_id())
    }
}

async fn verify_url(req: &Request, env: &Env, source: Source) -> Checked<String> {
    let cfg = Config::from_env(env)?;
    let q = signed_query(req, &cfg)?;
    let echostr = q
        .echostr
        .ok_or_else(|| Refusal::new(400, "missing echostr"))?;
    let crypt = source.crypt(&cfg)?;
    crypt.verify(&q.msg_signature, &q.timestamp, &q.nonce, &echostr)?;
    let opened = crypt.decrypt(&echostr)?;
    check_url_receive_id(&cfg, source, &opened.receive_id)?;
    Ok(opened.message)
}

/// The body, refused (413) past [`MAX_CALLBACK_BYTES`] (`http::read_capped`).
async fn read_body(req: &mut Request) -> Checked<String> {
    let body = read_capped(req, MAX_CALLBACK_BYTES)
        .await
        .map_err(|e| match e {
            Unread::TooLarge => Refusal::from(EventError::TooLarge),
            Unread::Broken(e) => Refusal::new(400, format!("body unreadable: {e}")),
        })?;
    String::from_utf8(body).map_err(|_| Refusal::new(400, "body is not UTF-8"))
}

async fn receive(req: &mut Request, env: &Env, source: Source) -> Checked<()> {
    let started_ms = now_millis();
    let cfg = Config::from_env(env)?;
    let q = signed_query(req, &cfg)?;
    let envelope = Envelope::parse(&read_body(req).await?)?;
    let crypt = source.crypt(&cfg)?;
    crypt.verify(&q.msg_signature, &q.timestamp, &q.nonce, &envelope.encrypt)?;
    let opened = crypt.decrypt(&envelope.encrypt)?;
    check_push_receive_id(&cfg, source, &opened.receive_id)?;

    let message = opened.message;
    let parsed = parse(&cfg, source, &message, &opened.receive_id)?;
    if let Some(work) = parsed.suite_ticket {
        return enqueue(env, &work).await;
    }
    let key = dedupe_key(&message);
    // The organisation's own database, or home for an event that names none.
    let db = shard::db_for(env, parsed.corp_id.as_deref().unwrap_or_default()).await?;
    let state = store::record_event(
        &db,
        &key,
        parsed.corp_id.as_deref(),
        source.name(),
        &parsed.kind,
        now_secs(),
        &message,
        parsed.rearm,
        source == Source::Data,
    )
    .await?;
    match state {
        store::EventState::ToApply => {}
        store::EventState::Applied => return Ok(()), // a retry of something already done
        store::EventState::NotInstalled => return Err(wrong_receive_id()),
    }
    // The consumer applies it; if the queue cannot take it now, WeCom's
    // retry records (nothing new) and sends it again.
    enqueue(
        env,
        &Work::Event {
            key,
            corp: parsed.corp_id,
            lane: parsed.lane,
            rereads: parsed.rereads,
        },
    )
    .await?;
    if parsed.kind == "create_auth" {
        let took = now_millis().saturating_sub(started_ms);
        if took > CREATE_AUTH_ANSWER_MS / 2 {
            console_error!(
                "create_auth answered after {took} ms of WeCom's {CREATE_AUTH_ANSWER_MS}"
            );
        }
    }
    Ok(())
}

/// Sends work to the queue; 503 (WeCom retries) when it cannot take it.
async fn enqueue(env: &Env, work: &Work) -> Checked<()> {
    queue::send(env, work).await.map_err(|e| {
        console_error!("callback: queue unavailable: {}", e.message);
        Refusal::new(503, "queue unavailable, retry")
    })
}

/// What the callback needs of a parsed event to record it.
struct Parsed {
    kind: String,
    corp_id: Option<String>,
    /// Applied again even when the same text was applied before.
    rearm: bool,
    /// A suite_ticket of our suite: its message is its record.
    suite_ticket: Option<Work>,
    /// The member the event touches alone (`queue::Work::Event`).
    lane: Option<String>,
    /// Applying it reads that member again whole.
    rereads: bool,
}

/// A member's lane: the organisation and the userid.
fn lane(corp_id: Option<&str>, member: Option<&str>) -> Option<String> {
    Some(format!("{}\u{1f}{}", corp_id?, member?))
}

/// Parses the message as its URL's kind of event and checks what the
/// event says against where it came from.
fn parse(cfg: &Config, source: Source, message: &str, receive_id: &str) -> Checked<Parsed> {
    Ok(match source {
        Source::Command => {
            let event = CommandEvent::parse(message)?;
            let suite_ticket = match &event {
                CommandEvent::SuiteTicket {
                    suite_id,
                    ticket,
                    timestamp,
                } if suite_id == &cfg.suite_id => Some(Work::SuiteTicket {
                    ticket: ticket.clone(),
                    timestamp: *timestamp,
                }),
                _ => None,
            };
            Parsed {
                kind: event.kind(),
                corp_id: event.corp_id().map(str::to_owned),
                rearm: false,
                suite_ticket,
                lane: lane(event.corp_id(), event.member()),
                rereads: event.rereads_member(),
            }
        }
        Source::Data => {
            let event = DataEvent::parse(message)?;
            // What was encrypted for one organisation must speak of it.
            if event.corp_id() != Some(receive_id) {
                return Err(Refusal::new(
                    403,
                    "ToUserName is not the organisation the message was encrypted for",
                ));
            }
            Parsed {
                kind: event.kind().to_owned(),
                corp_id: Some(receive_id.to_owned()),
                rearm: event.asks_to_reread(),
                suite_ticket: None,
                lane: lane(Some(receive_id), event.member()),
                rereads: false,
            }
        }
        Source::System => {
            let event = SystemEvent::parse(message)?;
            if event.service_corp_id != cfg.provider_corpid {
                return Err(Refusal::new(403, "ServiceCorpId is another provider"));
            }
            Parsed {
                kind: event.kind().to_owned(),
                corp_id: event.corp_id().map(str::to_owned),
                rearm: false,
                suite_ticket: None,
                lane: None,
                rereads: false,
            }
        }
    })
}

/// Wall time for measuring our own answer (not the dev clock).
fn now_millis() -> u64 {
    worker::Date::now().as_millis()
}

/// WeCom's answer window for `create_auth` (授权成功通知, 90642: 「服务商的
/// 响应必须在1000ms内完成」); the callback answers before any WeCom call,
/// after one D1 write and one queue send.
const CREATE_AUTH_ANSWER_MS: u64 = 1_000;

fn text(body: String) -> Result<Response> {
    let mut resp = Response::ok(body)?;
    resp.headers_mut()
        .set("Content-Type", "text/plain; charset=utf-8")?;
    Ok(resp)
}

async fn answer_verify(req: Request, env: &Env, source: Source) -> Result<Response> {
    match verify_url(&req, env, source).await {
        Ok(echo) => text(echo),
        Err(refusal) => refusal.into_response(),
    }
}

async fn answer_push(mut req: Request, env: &Env, source: Source) -> Result<Response> {
    match receive(&mut req, env, source).await {
        Ok(()) => text("success".into()),
        Err(refusal) => refusal.into_response(),
    }
}

/// WeCom's three callback URLs: which one `path` is.
pub fn door(path: &str) -> Option<Source> {
    match path {
        "/wecom/callback/command" => Some(Source::Command),
        "/wecom/callback/data" => Some(Source::Data),
        "/wecom/callback/system" => Some(Source::System),
        _ => None,
    }
}

/// A request to a callback URL: GET verifies the URL (echostr), POST is a
/// push; any other method 405.
pub async fn answer(req: Request, env: &Env, source: Source) -> Result<Response> {
    match req.method() {
        Method::Get => answer_verify(req, env, source).await,
        Method::Post => answer_push(req, env, source).await,
        _ => {
            let mut refused =
                Refusal::new(405, "a callback URL takes GET or POST").into_response()?;
            refused.headers_mut().set("Allow", "GET, POST")?;
            Ok(refused)
        }
    }
}
