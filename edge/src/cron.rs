//! The scheduled reconcile: keep tokens fresh, then re-read the
//! organisations whose last full sync is oldest (auth info, corp token,
//! contacts), a bounded batch per run so every organisation comes round
//! within `RECONCILE_INTERVAL_SECS` and none waits long; then the seat
//! mirror is checked against WeCom's activated accounts. A missed callback,
//! or a seat activated in WeCom's own console, heals here. One organisation failing never stops the others.

use crate::clock::now_secs;
use crate::config::{value, Config};
use crate::wecom::WeCom;
use crate::{licenses, lifecycle, store, sync};
use worker::{console_error, console_log, Env};

/// Applied events are kept this long as evidence.
const EVENT_RETENTION_SECS: u64 = 30 * 86400;

fn setting(env: &Env, name: &str, default: u64) -> u64 {
    value(env, name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

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
    let interval = setting(env, "RECONCILE_INTERVAL_SECS", 3600);
    let batch = setting(env, "RECONCILE_BATCH", 25);
    for corp_id in store::corps_due_for_sync(&db, now.saturating_sub(interval), batch).await? {
        let outcome = async {
            if let Some((code, _)) = lifecycle::permanent_code(env, &cfg, &corp_id).await? {
                wecom.corp_token(&corp_id, &code, false).await?;
            }
            lifecycle::refresh_auth(env, &cfg, &wecom, &corp_id, now, "cron").await?;
            let counts = sync::run(env, &cfg, &corp_id, "cron").await?;
            // A failed license read must not hold up the contacts repair.
            if let Err(e) = licenses::refresh_license_info(env, &cfg, &corp_id, now, "cron").await {
                console_error!("cron: {corp_id}: get_app_license_info: {}", e.message);
            }
            let repaired = licenses::reconcile(env, &cfg, &corp_id, now).await?;
            if repaired > 0 {
                console_log!("cron: {corp_id}: {repaired} members' seats repaired from WeCom");
            }
            Ok::<_, crate::error::ApiError>(counts)
        }
        .await;
        match outcome {
            Ok(c) => console_log!(
                "cron: {corp_id}: {} in range, {} written, {} left, {} departed",
                c.members_in_range,
                c.added_or_updated,
                c.left_range,
                c.departed
            ),
            Err(e) => console_error!("cron: {corp_id}: {}", e.message),
        }
    }
    let pruned = store::prune_events(&db, now.saturating_sub(EVENT_RETENTION_SECS)).await?;
    kv.put("cron:last_run", now.to_string())?.execute().await?;
    console_log!("cron: done, {pruned} old events pruned");
    Ok(())
}
