//! The scheduled reconcile: keep tokens fresh, re-read every organisation's
//! auth info (a missed change_auth heals here), prune old events.
//! One organisation failing never stops the others.

use crate::clock::now_secs;
use crate::config::Config;
use crate::wecom::WeCom;
use crate::{lifecycle, store};
use worker::{console_error, console_log, Env};

/// Applied events are kept this long as evidence.
const EVENT_RETENTION_SECS: u64 = 30 * 86400;

pub async fn run(env: &Env) {
    if let Err(e) = reconcile(env).await {
        console_error!("cron: {}", e.message);
    }
}

async fn reconcile(env: &Env) -> Result<(), crate::error::ApiError> {
    let cfg = Config::from_env(env)?;
    let kv = env.kv("KV")?;
    let wecom = WeCom::new(&cfg, env.kv("KV")?);
    let now = now_secs();
    if let Err(e) = wecom.refresh_tokens().await {
        console_error!("cron: token refresh: {e}");
    }
    let db = store::db(env)?;
    for corp_id in store::corp_ids(&db).await? {
        let outcome = async {
            if let Some((code, _)) = lifecycle::permanent_code(env, &cfg, &corp_id).await? {
                wecom.corp_token(&corp_id, &code, false).await?;
            }
            lifecycle::refresh_auth(env, &cfg, &wecom, &corp_id, now, "cron").await
        }
        .await;
        match outcome {
            Ok(what) => console_log!("cron: {corp_id}: {what}"),
            Err(e) => console_error!("cron: {corp_id}: {}", e.message),
        }
    }
    let pruned = store::prune_events(&db, now.saturating_sub(EVENT_RETENTION_SECS)).await?;
    kv.put("cron:last_run", now.to_string())?.execute().await?;
    console_log!("cron: done, {pruned} old events pruned");
    Ok(())
}
