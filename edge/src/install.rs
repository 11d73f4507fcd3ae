//! Installing an organisation from `create_auth`, after the answer and in
//! steps that survive a failure between them.
//!
//! WeCom's install notice (授权成功通知, document/path/90642) wants its
//! answer within 1 000 ms (`callback::CREATE_AUTH_ANSWER_MS`): record the
//! AuthCode, answer, do the work afterwards (the queue consumer runs
//! [`run`]). The AuthCode is single-use and lives 10 minutes (90642,
//! 90603), so the permanent code it buys is
//! sealed and stored the moment WeCom returns it, together with the
//! organisation it belongs to on the event's row. Everything after that
//! (admins, license window, first sync) is idempotent and resumes from the
//! stored code: a later pass of the same install (the queue's retry) never
//! spends the code again.

use crate::cache;
use crate::contacts::sync;
use crate::corp;
use crate::env::Config;
use crate::error::ApiError;
use crate::seats::mirror;
use crate::shard;
use crate::store;
use worker::{console_error, Env};

/// Runs (or resumes) the install the `create_auth` event `event_key`
/// brought; the queue consumer marks the event applied, or retries.
pub async fn run(
    env: &Env,
    cfg: &Config,
    event_key: &str,
    auth_code: &str,
    now: u64,
) -> Result<String, ApiError> {
    let corp_id = match store::exchanged_corp(&shard::home(env)?, event_key).await? {
        // Kept, and its organisation stored unless the pass before failed
        // in between (an install kept before the directory: stored).
        Some((corp_id, Some(kept))) => {
            let db = shard::db_for(env, &corp_id).await?;
            if !store::corp_exists(&db, &corp_id).await? {
                corp::finish_install(env, &kept).await?;
            }
            corp_id
        }
        Some((corp_id, None)) => corp_id,
        None => corp::install(env, cfg, auth_code, event_key, now).await?,
    };
    finish(env, cfg, &corp_id, now).await?;
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
    // Paid seats are re-read, not only pushed: a reinstall after
    // cancel_auth gets back every order of the last year and the seats
    // bound in WeCom; a license_pay_success that came before this install
    // is found here too.
    let orders = mirror::reread_orders(env, cfg, corp_id, now, "wecom")
        .await
        .map(|_| ());
    let seats = match &orders {
        Ok(()) => mirror::reconcile(env, cfg, corp_id, now).await.map(|_| ()),
        Err(_) => Ok(()),
    };
    let auto_active = mirror::refresh_auto_active(env, cfg, corp_id, now, "wecom")
        .await
        .map(|_| ());
    cache::bump_generation(env, corp_id).await;
    // The first sync runs on as its own chain of queue messages; one
    // already running (a retried install) will do.
    let synced = match sync::start(env, corp_id, "install").await {
        Err(e) if e.code == "sync_running" => Ok(()),
        other => other.map(|_| ()),
    };
    for (step, result) in [
        ("admins", &admins),
        ("license info", &license),
        ("orders", &orders),
        ("seats", &seats),
        ("auto-activation", &auto_active),
        ("sync", &synced),
    ] {
        if let Err(e) = result {
            console_error!("install {corp_id}: {step}: {}", e.message);
        }
    }
    admins
        .and(license)
        .and(orders)
        .and(seats)
        .and(auto_active)
        .and(synced)
}
