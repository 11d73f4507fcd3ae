//! Installing an organisation from `create_auth`, after the answer and in
//! steps that survive a failure between them.
//!
//! WeCom's install notice (授权成功通知, document/path/90642) wants its
//! answer within 1 000 ms (`callback::CREATE_AUTH_ANSWER_MS`): record the
//! AuthCode, answer, do
//! the work afterwards. The AuthCode is single-use and lives
//! [`AUTH_CODE_TTL_SECS`] (90642, 90603), so the permanent code it buys is
//! sealed and stored the moment WeCom returns it, together with the
//! organisation it belongs to on the event's row. Everything after that
//! (admins, license window, first sync) is idempotent and resumes from the
//! stored code: a later pass of the same install never spends the code
//! again. The cron resumes installs that did not finish ([`resume`]).

use crate::cache;
use crate::clock::now_secs;
use crate::contacts::sync;
use crate::corp;
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::seats::mirror;
use crate::store;
use domain::event::CommandEvent;
use worker::{console_error, console_log, D1Database, Env};

/// An AuthCode is valid for 10 minutes (90642: 「10分钟内有效」); an install
/// that never exchanged it is not retried after that.
pub const AUTH_CODE_TTL_SECS: u64 = 600;

/// An exchanged install that did not finish is resumed for this long.
const RESUME_WINDOW_SECS: u64 = 7 * 86_400;

/// Unfinished installs resumed per cron run (each is a few WeCom calls
/// and a full sync).
const RESUME_BATCH: u64 = 5;

/// Runs (or resumes) the install the `create_auth` event `event_key`
/// brought; marks the event applied when every step is done, or notes on
/// it why not.
pub async fn run(
    env: &Env,
    cfg: &Config,
    event_key: &str,
    auth_code: &str,
    now: u64,
) -> Result<String, ApiError> {
    let db = env::db(env)?;
    let result = attempt(env, cfg, &db, event_key, auth_code, now).await;
    if let Err(e) = &result {
        if let Err(e) = store::note_event_failure(&db, event_key, &e.message).await {
            console_error!("install from {event_key}: noting the failure: {e}");
        }
    }
    result
}

async fn attempt(
    env: &Env,
    cfg: &Config,
    db: &D1Database,
    event_key: &str,
    auth_code: &str,
    now: u64,
) -> Result<String, ApiError> {
    let corp_id = match store::exchanged_corp(db, event_key).await? {
        Some(corp_id) => corp_id,
        None => corp::install(env, cfg, auth_code, event_key, now).await?,
    };
    finish(env, cfg, &corp_id, now).await?;
    store::mark_event_applied(
        db,
        event_key,
        now_secs(),
        "installed, synced",
        Some(&corp_id),
    )
    .await?;
    Ok(corp_id)
}

/// The steps after the exchange. Each is tried even when one before it
/// failed, so the next pass has less to redo; the first failure is the
/// answer.
async fn finish(env: &Env, cfg: &Config, corp_id: &str, now: u64) -> Result<(), ApiError> {
    let admins = corp::refresh_admins(env, cfg, corp_id, now, "wecom")
        .await
        .map(|_| ());
    // The trial window as WeCom counts it.
    let license = mirror::refresh_license_info(env, cfg, corp_id, now, "wecom")
        .await
        .map(|_| ());
    cache::bump_generation(env, corp_id).await;
    let synced = sync::run(env, cfg, corp_id, "install", &sync::new_id())
        .await
        .map(|_| ());
    for (step, result) in [
        ("admins", &admins),
        ("license info", &license),
        ("sync", &synced),
    ] {
        if let Err(e) = result {
            console_error!("install {corp_id}: {step}: {}", e.message);
        }
    }
    admins.and(license).and(synced)
}

/// Cron: resumes installs that did not finish, newest first.
pub async fn resume(env: &Env, cfg: &Config, now: u64) -> Result<usize, ApiError> {
    let db = env::db(env)?;
    let unfinished = store::unfinished_installs(
        &db,
        now.saturating_sub(RESUME_WINDOW_SECS),
        now.saturating_sub(AUTH_CODE_TTL_SECS),
        RESUME_BATCH,
    )
    .await?;
    let mut done = 0;
    for install in unfinished {
        let Ok(CommandEvent::CreateAuth { auth_code, .. }) = CommandEvent::parse(&install.raw)
        else {
            continue;
        };
        match run(env, cfg, &install.dedupe_key, &auth_code, now).await {
            Ok(corp_id) => {
                console_log!("cron: install of {corp_id} finished");
                done += 1;
            }
            Err(e) => console_error!(
                "cron: install {} ({}) still unfinished: {}",
                install.dedupe_key,
                install.corp_id.as_deref().unwrap_or("code not exchanged"),
                e.message
            ),
        }
    }
    Ok(done)
}
