//! WeCom callbacks: URL verification (GET) and event push (POST) on
//! `/wecom/callback/command` (receive id = suite id) and
//! `/wecom/callback/data` (receive id = an authorised corp id, or the suite id).
//!
//! Order of checks: timestamp skew, size, envelope, signature, decryption,
//! receive id, event parsing. Anything that fails answers 4xx with a short
//! reason and writes nothing. A valid event is recorded (deduplicated by the
//! hash of its plaintext) before it is acted on, and only then answered
//! `success`; if D1 or WeCom fail we answer 5xx so WeCom retries.

mod apply;

use crate::clock::now_secs;
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::http::Ctx;
use crate::store;
use domain::crypto::{CryptoError, MsgCrypt};
use domain::event::{CommandEvent, DataEvent, Envelope, EventError, MAX_CALLBACK_BYTES};
use domain::ids::dedupe_key;
use worker::{console_error, Env, Request, Response, Result};

#[derive(Clone, Copy, PartialEq)]
enum Source {
    Command,
    Data,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Command => "command",
            Source::Data => "data",
        }
    }
}

/// A refused callback: status plus a short plain-text reason.
struct Refusal(u16, String);

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

fn signed_query(req: &Request, cfg: &Config) -> std::result::Result<Signed, Refusal> {
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

async fn check_receive_id(
    env: &Env,
    cfg: &Config,
    source: Source,
    receive_id: &str,
) -> std::result::Result<(), Refusal> {
    if receive_id == cfg.suite_id {
        return Ok(());
    }
    if source == Source::Data && store::corp_exists(&env::db(env)?, receive_id).await? {
        return Ok(());
    }
    Err(Refusal::new(403, "wrong receive id"))
}

fn crypt(cfg: &Config) -> std::result::Result<MsgCrypt, Refusal> {
    Ok(MsgCrypt::new(&cfg.suite_token, &cfg.suite_aes_key)?)
}

async fn verify_url(
    req: &Request,
    env: &Env,
    source: Source,
) -> std::result::Result<String, Refusal> {
    let cfg = Config::from_env(env)?;
    let q = signed_query(req, &cfg)?;
    let echostr = q
        .echostr
        .ok_or_else(|| Refusal::new(400, "missing echostr"))?;
    let crypt = crypt(&cfg)?;
    crypt.verify(&q.msg_signature, &q.timestamp, &q.nonce, &echostr)?;
    let opened = crypt.decrypt(&echostr)?;
    check_receive_id(env, &cfg, source, &opened.receive_id).await?;
    Ok(opened.message)
}

/// The body, refused (413) past [`MAX_CALLBACK_BYTES`] before and after
/// reading it.
async fn read_body(req: &mut Request) -> std::result::Result<String, Refusal> {
    let declared: usize = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if declared > MAX_CALLBACK_BYTES {
        return Err(EventError::TooLarge.into());
    }
    let body = req.bytes().await?;
    if body.len() > MAX_CALLBACK_BYTES {
        return Err(EventError::TooLarge.into());
    }
    String::from_utf8(body).map_err(|_| Refusal::new(400, "body is not UTF-8"))
}

async fn receive(
    req: &mut Request,
    env: &Env,
    ctx: &worker::Context,
    source: Source,
) -> std::result::Result<(), Refusal> {
    let cfg = Config::from_env(env)?;
    let q = signed_query(req, &cfg)?;
    let envelope = Envelope::parse(&read_body(req).await?)?;
    let crypt = crypt(&cfg)?;
    crypt.verify(&q.msg_signature, &q.timestamp, &q.nonce, &envelope.encrypt)?;
    let opened = crypt.decrypt(&envelope.encrypt)?;
    check_receive_id(env, &cfg, source, &opened.receive_id).await?;

    let message = opened.message;
    let db = env::db(env)?;
    let now = now_secs();
    match source {
        Source::Command => {
            let event = CommandEvent::parse(&message)?;
            record_then_apply(
                &db,
                &message,
                event.corp_id(),
                source,
                &event.kind(),
                false,
                || apply::command(env, ctx, &cfg, &event, now),
            )
            .await
        }
        Source::Data => {
            let event = DataEvent::parse(&message)?;
            let corp_id = event.corp_id().unwrap_or(&opened.receive_id);
            record_then_apply(
                &db,
                &message,
                Some(corp_id),
                source,
                event.kind(),
                event.asks_to_reread(),
                || apply::data(env, &cfg, &event, now),
            )
            .await
        }
    }
}

/// Records the event (once per plaintext), applies it unless a previous
/// delivery already did (or it asks to re-read, which is always done), then
/// marks it applied. A failure to apply answers 5xx and leaves the event
/// unapplied, so WeCom's retry applies it.
async fn record_then_apply<F, Fut>(
    db: &worker::D1Database,
    message: &str,
    corp_id: Option<&str>,
    source: Source,
    kind: &str,
    reread: bool,
    apply: F,
) -> std::result::Result<(), Refusal>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<apply::Outcome, ApiError>>,
{
    let key = dedupe_key(message);
    let state =
        store::record_event(db, &key, corp_id, source.name(), kind, now_secs(), message).await?;
    if state == store::EventState::Applied && !reread {
        return Ok(()); // a retry of something already done
    }
    let outcome = apply().await.map_err(|e| {
        console_error!("applying {kind} failed: {}", e.message);
        Refusal::new(
            if e.status >= 500 { e.status } else { 500 },
            "not applied, retry",
        )
    })?;
    store::mark_event_applied(
        db,
        &key,
        now_secs(),
        &outcome.note,
        outcome.corp_id.as_deref(),
    )
    .await?;
    Ok(())
}

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

async fn answer_push(mut req: Request, ctx: &Ctx, source: Source) -> Result<Response> {
    match receive(&mut req, &ctx.env, &ctx.data, source).await {
        Ok(()) => text("success".into()),
        Err(refusal) => refusal.into_response(),
    }
}

pub async fn verify_command(req: Request, ctx: Ctx) -> Result<Response> {
    answer_verify(req, &ctx.env, Source::Command).await
}

pub async fn verify_data(req: Request, ctx: Ctx) -> Result<Response> {
    answer_verify(req, &ctx.env, Source::Data).await
}

pub async fn push_command(req: Request, ctx: Ctx) -> Result<Response> {
    answer_push(req, &ctx, Source::Command).await
}

pub async fn push_data(req: Request, ctx: Ctx) -> Result<Response> {
    answer_push(req, &ctx, Source::Data).await
}
