//! The scheduled reconcile: keep tokens fresh, send again events whose
//! queue message was lost, seal old permanent codes again, then re-read the
//! organisations tried longest ago (auth info, corp token, admins, contacts), a
//! bounded batch (`RECONCILE_BATCH`) per run so every organisation comes
//! round within `RECONCILE_INTERVAL_SECS` and none waits long; then the
//! seat mirror is checked against WeCom's activated accounts, idle seats
//! move where the organisation wants it, and the admins get what is due
//! as an alert inside WeCom. A missed
//! callback, or a seat activated in WeCom's own console, heals here. One
//! organisation failing never stops the others, nor keeps its place at the
//! front of the line.

use crate::clock::now_secs;
use crate::contacts::sync;
use crate::corp;
use crate::env::{self, setting, Config};
use crate::error::ApiError;
use crate::events;
use crate::reports::trends;
use crate::seats::mirror;
use crate::shard;
use crate::store;
use crate::wecom::WeCom;
use domain::api::Reconciled;
use worker::{console_error, console_log, Env};

/// Applied events are kept this long as evidence.
const EVENT_RETENTION_SECS: u64 = 30 * 86400;

pub async fn run(env: &Env) {
    if let Err(e) = reconcile(env).await {
        console_error!("cron: {}", e.message);
    }
}

/// How a reconcile's contacts sync runs.
pub enum SyncHow {
    /// Every step in this invocation, to answer with its counts.
    #[cfg(feature = "dev")]
    Inline,
    /// Started as a chain of queue messages.
    Chained,
}

/// One organisation's reconcile: its corp token, auth info, admins, a full
/// contacts sync, WeCom's license window, then the seat mirror.
pub async fn reconcile_corp(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    now: u64,
    contacts: SyncHow,
) -> Result<Reconciled, ApiError> {
    if let Some(corp) = corp::open(env, cfg, corp_id).await? {
        corp.wecom
            .corp_token(corp_id, &corp.permanent_code, false)
            .await?;
    }
    corp::refresh_auth(env, cfg, corp_id, now, "cron").await?;
    // A lost change_app_admin heals here; a failed read holds nothing up.
    if let Err(e) = corp::refresh_admins(env, cfg, corp_id, now, "cron").await {
        console_error!("cron: {corp_id}: agent/get_admin_list: {}", e.message);
    }
    // The contacts are checked against WeCom without writing, and synced
    // whole only when they differ (`sync::check`).
    let contacts = match contacts {
        // The development reconcile answers with what the check (and the
        // sync after it) did.
        #[cfg(feature = "dev")]
        SyncHow::Inline => Some(sync::check_inline(env, cfg, corp_id).await?),
        // The cron starts it as a chain of queue messages.
        SyncHow::Chained => {
            sync::start_check(env, corp_id).await?;
            None
        }
    };
    // A failed license read must not hold up the contacts repair.
    if let Err(e) = mirror::refresh_license_info(env, cfg, corp_id, now, "cron").await {
        console_error!("cron: {corp_id}: get_app_license_info: {}", e.message);
    }
    // Orders re-read from WeCom: a lost license_pay_success is found here.
    // A failed read holds up neither the seat repair nor the next run.
    let orders = match mirror::reread_orders(env, cfg, corp_id, now, "cron").await {
        Ok(found) => found,
        Err(e) => {
            console_error!("cron: {corp_id}: license/list_order: {}", e.message);
            vec![]
        }
    };
    if let Err(e) = mirror::refresh_auto_active(env, cfg, corp_id, now, "cron").await {
        console_error!("cron: {corp_id}: get_auto_active_status: {}", e.message);
    }
    let seats_repaired = mirror::reconcile(env, cfg, corp_id, now).await? + orders.len() as u64;
    // Idle seats to the members asking, where the organisation wants it;
    // a failure holds up nothing else.
    let moved = match crate::seats::idle::auto_move(env, cfg, corp_id, now).await {
        Ok(moved) => moved,
        Err(e) => {
            console_error!("cron: {corp_id}: idle seats not moved: {}", e.message);
            0
        }
    };
    // The day's point of the overview's trends (and the desk row the
    // alerts read); a failure costs one point.
    if let Err(e) = trends::snapshot(env, corp_id, now).await {
        console_error!("cron: {corp_id}: daily snapshot: {}", e.message);
    }
    // Alerts to the admins inside WeCom; a failure holds up nothing, and
    // what was due is sent on a later run.
    if let Err(e) = crate::alerts::run(env, cfg, corp_id, now, moved).await {
        console_error!("cron: {corp_id}: alerts not sent: {}", e.message);
    }
    Ok(Reconciled {
        corp_id: corp_id.to_owned(),
        contacts,
        seats_repaired,
    })
}

async fn reconcile(env: &Env) -> Result<(), ApiError> {
    let cfg = Config::from_env(env)?;
    let wecom = WeCom::new(&cfg, env::kv(env)?);
    let now = now_secs();
    if let Err(e) = wecom.refresh_tokens().await {
        console_error!("cron: token refresh: {e}");
    }
    match events::requeue_stalled(env, now).await {
        Ok(n) if n > 0 => console_log!("cron: {n} stalled events sent to the queue again"),
        Ok(_) => {}
        Err(e) => console_error!("cron: requeueing stalled events: {}", e.message),
    }
    match sync::resend_quiet_steps(env, now).await {
        Ok(n) if n > 0 => console_log!("cron: {n} quiet sync runs sent their next step again"),
        Ok(_) => {}
        Err(e) => console_error!("cron: waking quiet sync runs: {}", e.message),
    }
    match corp::retire_old_seals(env, &cfg).await {
        Ok(n) if n > 0 => console_log!("cron: {n} permanent codes sealed again"),
        Ok(_) => {}
        Err(e) => console_error!("cron: sealing old permanent codes again: {}", e.message),
    }
    let interval = setting(env, "RECONCILE_INTERVAL_SECS", 3600);
    let batch = setting(env, "RECONCILE_BATCH", 25);
    for corp_id in take_due(env, now.saturating_sub(interval), now, batch).await? {
        match reconcile_corp(env, &cfg, &corp_id, now, SyncHow::Chained).await {
            Ok(r) => console_log!(
                "cron: {corp_id}: contacts sync started, {} seats repaired",
                r.seats_repaired
            ),
            Err(e) => console_error!("cron: {corp_id}: {}", e.message),
        }
    }
    // The provider's operators hear of organisations failing and renewals
    // left unpaid; a failure holds up nothing.
    if let Err(e) = crate::alerts::run_operators(env, &cfg, now).await {
        console_error!("cron: operators' alerts not sent: {}", e.message);
    }
    // Each database's own; one failing holds up none of the others.
    let mut pruned = 0;
    for db in shard::every(env)? {
        match store::prune_events(&db, now.saturating_sub(EVENT_RETENTION_SECS)).await {
            Ok(n) => pruned += n,
            Err(e) => console_error!("cron: pruning events: {e}"),
        }
        if let Err(e) = store::prune_sessions(&db, now).await {
            console_error!("cron: pruning sessions: {e}");
        }
    }
    console_log!("cron: done, {pruned} old events pruned");
    Ok(())
}

/// The `batch` organisations tried longest ago over every database, marked
/// tried: how many each database holds among the oldest is read first, then
/// each database takes that many in one statement, so two runs at once
/// never take the same organisation (one database alone: one statement).
async fn take_due(env: &Env, before: u64, now: u64, batch: u64) -> Result<Vec<String>, ApiError> {
    let every = shard::every(env)?;
    if every.len() == 1 {
        return Ok(store::take_corps_due(&every[0], before, now, batch).await?);
    }
    let mut oldest: Vec<(u64, usize)> = Vec::new();
    for (i, db) in every.iter().enumerate() {
        oldest.extend(
            store::corps_due(db, before, batch)
                .await?
                .into_iter()
                .map(|due| (due, i)),
        );
    }
    oldest.sort_unstable();
    oldest.truncate(batch as usize);
    let mut taken = Vec::new();
    for (i, db) in every.iter().enumerate() {
        let share = oldest.iter().filter(|(_, on)| *on == i).count() as u64;
        taken.extend(store::take_corps_due(db, before, now, share).await?);
    }
    Ok(taken)
}
