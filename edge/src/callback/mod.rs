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
//! hash of its plaintext) before it is acted on, and only then answered
//! `success`; if D1 or WeCom fail we answer 5xx so WeCom retries. The one
//! exception is `create_auth`: recorded, answered at once, installed after
//! the answer (see `install`).

mod apply;

use crate::clock::now_secs;
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::http::Ctx;
use crate::install;
use crate::store;
use domain::crypto::{CryptoError, MsgCrypt};
use domain::event::{
    CommandEvent, DataEvent, Envelope, EventError, SystemEvent, MAX_CALLBACK_BYTES,
};
use domain::ids::dedupe_key;
use worker::{console_error, Env, Request, Response, Result};

#[derive(Clone, Copy, PartialEq)]
enum Source {
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

/// A push: the suite id on the command URL, an installed organisation on
/// the data URL, the provider's CorpID on the system URL.
async fn check_push_receive_id(
    env: &Env,
    cfg: &Config,
    source: Source,
    receive_id: &str,
) -> Checked<()> {
    let ok = match source {
        Source::Command => receive_id == cfg.suite_id,
        Source::Data => store::corp_exists(&env::db(env)?, receive_id).await?,
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

/// The body, refused (413) past [`MAX_CALLBACK_BYTES`]: at once when
/// `Content-Length` says so, else while reading, chunk by chunk, so a
/// chunked body without a length never makes us hold more than the cap
/// plus one chunk.
async fn read_body(req: &mut Request) -> Checked<String> {
    use futures_util::StreamExt;
    let declared: usize = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if declared > MAX_CALLBACK_BYTES {
        return Err(EventError::TooLarge.into());
    }
    let mut body = Vec::with_capacity(declared);
    // No body at all reads as an empty one.
    if let Ok(mut chunks) = req.stream() {
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| Refusal::new(400, format!("body unreadable: {e}")))?;
            if body.len() + chunk.len() > MAX_CALLBACK_BYTES {
                return Err(EventError::TooLarge.into());
            }
            body.extend_from_slice(&chunk);
        }
    }
    String::from_utf8(body).map_err(|_| Refusal::new(400, "body is not UTF-8"))
}

async fn receive(
    req: &mut Request,
    env: &Env,
    ctx: &worker::Context,
    source: Source,
) -> Checked<()> {
    let started_ms = now_millis();
    let cfg = Config::from_env(env)?;
    let q = signed_query(req, &cfg)?;
    let envelope = Envelope::parse(&read_body(req).await?)?;
    let crypt = source.crypt(&cfg)?;
    crypt.verify(&q.msg_signature, &q.timestamp, &q.nonce, &envelope.encrypt)?;
    let opened = crypt.decrypt(&envelope.encrypt)?;
    check_push_receive_id(env, &cfg, source, &opened.receive_id).await?;

    let message = opened.message;
    let db = env::db(env)?;
    let now = now_secs();
    match source {
        Source::Command => {
            let event = CommandEvent::parse(&message)?;
            if let CommandEvent::CreateAuth { auth_code, .. } = &event {
                return install_after_answer(env, ctx, &cfg, &message, auth_code, now, started_ms)
                    .await;
            }
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
            // What was encrypted for one organisation must speak of it.
            if event.corp_id() != Some(opened.receive_id.as_str()) {
                return Err(Refusal::new(
                    403,
                    "ToUserName is not the organisation the message was encrypted for",
                ));
            }
            let corp_id = &opened.receive_id;
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
        Source::System => {
            let event = SystemEvent::parse(&message)?;
            if event.service_corp_id != cfg.provider_corpid {
                return Err(Refusal::new(403, "ServiceCorpId is another provider"));
            }
            record_then_apply(
                &db,
                &message,
                event.corp_id(),
                source,
                event.kind(),
                false,
                || apply::system(env, &cfg, &event, now),
            )
            .await
        }
    }
}

/// Wall time for measuring our own answer (not the dev clock).
fn now_millis() -> u64 {
    worker::Date::now().as_millis()
}

/// WeCom's answer window for `create_auth` (授权成功通知, 90642: 「服务商的
/// 响应必须在1000ms内完成」); the answer comes before any WeCom call.
const CREATE_AUTH_ANSWER_MS: u64 = 1_000;

/// `create_auth`: record the auth code, answer, and install after the
/// answer. The install resumes from the stored permanent code if it is
/// interrupted (the cron picks up what did not finish).
async fn install_after_answer(
    env: &Env,
    ctx: &worker::Context,
    cfg: &Config,
    message: &str,
    auth_code: &str,
    now: u64,
    started_ms: u64,
) -> Checked<()> {
    let key = dedupe_key(message);
    let db = env::db(env)?;
    let state = store::record_event(
        &db,
        &key,
        None,
        Source::Command.name(),
        "create_auth",
        now,
        message,
    )
    .await?;
    if state == store::EventState::Applied {
        return Ok(());
    }
    let (env, cfg, auth_code) = (env.clone(), cfg.clone(), auth_code.to_owned());
    let took = now_millis().saturating_sub(started_ms);
    if took > CREATE_AUTH_ANSWER_MS / 2 {
        console_error!("create_auth answered after {took} ms of WeCom's {CREATE_AUTH_ANSWER_MS}");
    }
    ctx.wait_until(async move {
        if let Err(e) = install::run(&env, &cfg, &key, &auth_code, now).await {
            console_error!("install from {key}: {} (the cron resumes it)", e.message);
        }
    });
    Ok(())
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
) -> Checked<()>
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

pub async fn verify_system(req: Request, ctx: Ctx) -> Result<Response> {
    answer_verify(req, &ctx.env, Source::System).await
}

pub async fn push_system(req: Request, ctx: Ctx) -> Result<Response> {
    answer_push(req, &ctx, Source::System).await
}
