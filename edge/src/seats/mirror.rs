//! The seat mirror: what WeCom says about an organisation's licenses,
//! written into D1. Paid orders and their accounts, renewals, refunds,
//! accounts WeCom bound by itself, what members hold after an action, the
//! license status and trial window, and the cron's repair of members whose
//! seats drifted from WeCom's and of codes whose WeCom status changed.

use crate::cache;
use crate::d1::{Db, Statement};
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::shard;
use crate::store::{self, HeldAccounts, LicenseInfo, PaidOrder};
use crate::wecom::WeCom;
use crate::wecom::ORDER_WINDOW_SECS;
use domain::event::ActivatedAccount;
use domain::seat::{ACTIVATION_DEADLINE_SECS, DAY};
use domain::wecom::{ActiveInfo, OrderAccount, OrderStatus, OrderType, RefundOutcome};
use serde_json::json;
use std::collections::HashMap;
use worker::Env;

/// Asks WeCom what each member holds. `get_active_info_by_user` answers
/// one member a call and WeCom has no batch form, so this is one WeCom
/// subrequest per member: callers pass each member once, and few.
pub async fn read_members(
    wecom: &WeCom<'_>,
    corp_id: &str,
    userids: &[&str],
) -> Result<HashMap<String, Vec<ActiveInfo>>, ApiError> {
    let mut held = HashMap::new();
    for userid in userids {
        let info = wecom.active_info_by_user(corp_id, userid).await?;
        held.insert((*userid).to_owned(), info.active_info_list);
    }
    Ok(held)
}

/// The statements writing what [`read_members`] found.
pub fn held_statements(
    db: &Db,
    corp_id: &str,
    held: &HashMap<String, Vec<ActiveInfo>>,
    now: u64,
) -> Result<Vec<Statement>, ApiError> {
    let rows: Vec<HeldAccounts> = held
        .iter()
        .map(|(userid, accounts)| HeldAccounts { userid, accounts })
        .collect();
    Ok(store::member_accounts(db, corp_id, &rows, now)?)
}

/// Re-reads what WeCom says each member holds and writes it: a WeCom call
/// per member, then one D1 round trip for them all.
pub async fn reread_members(
    db: &Db,
    wecom: &WeCom<'_>,
    corp_id: &str,
    userids: &[&str],
    now: u64,
) -> Result<HashMap<String, Vec<ActiveInfo>>, ApiError> {
    let held = read_members(wecom, corp_id, userids).await?;
    let statements = held_statements(db, corp_id, &held, now)?;
    if !statements.is_empty() {
        db.batch(statements).await?;
    }
    Ok(held)
}

/// The members a renewal order renews, each once.
fn renewed_members(accounts: &[OrderAccount]) -> Vec<&str> {
    let mut userids: Vec<&str> = accounts
        .iter()
        .filter_map(|a| a.userid.as_deref())
        .collect();
    userids.sort_unstable();
    userids.dedup();
    userids
}

/// Reads one order and its accounts from WeCom and writes them: a
/// purchase lists new codes; a renewal lists members (no codes), whose
/// accounts are then re-read as WeCom extended them. How many accounts.
async fn mirror_one(
    db: &Db,
    wecom: &WeCom<'_>,
    corp_id: &str,
    order_id: &str,
    now: u64,
) -> Result<usize, ApiError> {
    let order = wecom.get_order(order_id).await?;
    let accounts = wecom.order_accounts(order_id).await?;
    let paid = PaidOrder {
        order_id,
        order_type: order.order_type,
        order_status: order.order_status,
        base_count: order.account_count.base_count,
        interconnect_count: order.account_count.external_contact_count,
        days: order.account_duration.total_days(),
        created_at: order.create_time,
        paid_at: order.pay_time,
    };
    store::insert_order(db, corp_id, &paid, &accounts, now).await?;
    if order.order_type == OrderType::Renewal && order.order_status.codes_usable() {
        let renewed = renewed_members(&accounts);
        reread_members(db, wecom, corp_id, &renewed, now).await?;
    }
    Ok(accounts.len())
}

/// An order the desk just placed, written at once (awaiting payment) so
/// the organisation's order list shows it; the cron's re-reading of
/// orders follows it until it is paid, cancelled or expired.
pub async fn note_placed(
    db: &Db,
    wecom: &WeCom<'_>,
    corp_id: &str,
    order_id: &str,
    now: u64,
) -> Result<(), ApiError> {
    mirror_one(db, wecom, corp_id, order_id, now)
        .await
        .map(|_| ())
}

/// What a license push did, and its audit row (action, detail), which the
/// event writes with its mark so a retry never writes it twice.
pub struct Mirrored {
    pub note: String,
    pub audit: (&'static str, serde_json::Value),
}

/// `license_pay_success`: the order and its accounts, read from WeCom.
pub async fn mirror_order(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    order_id: &str,
    now: u64,
) -> Result<Mirrored, ApiError> {
    let wecom = WeCom::new(cfg, env::kv(env)?);
    let db = shard::db_for(env, corp_id).await?;
    let accounts = mirror_one(&db, &wecom, corp_id, order_id, now).await?;
    cache::bump_generation(env, corp_id).await;
    // The desk's row shows the seats at once (an operator who just paid
    // looks for them); a failure waits for the cron's snapshot.
    if let Err(e) = store::refresh_desk_row(&db, &shard::home(env)?, corp_id, now).await {
        worker::console_error!("{corp_id}: desk row after order {order_id}: {e}");
    }
    Ok(Mirrored {
        note: format!("order {order_id}: {accounts} accounts"),
        audit: (
            "order_paid",
            json!({"order_id": order_id, "accounts": accounts}),
        ),
    })
}

/// How far back an organisation's orders are read when they never were (an
/// install, a reinstall after cancel_auth): an unbound code can be
/// activated for 365 days after purchase, so an older order's codes are
/// bound (found by the seat repair, `list_actived_account`) or dead; one
/// window more for the edge.
const ORDERS_LOOKBACK_SECS: u64 = ACTIVATION_DEADLINE_SECS + ORDER_WINDOW_SECS;
/// Orders are read again from a day before the last read (WeCom's clock
/// and ours may disagree; an order placed as we read is not missed).
const ORDERS_OVERLAP_SECS: u64 = DAY;
/// The last-read mark moves only when it is this old, so a reconcile that
/// finds nothing writes no row most times and reads one window.
const ORDERS_MARK_STEP_SECS: u64 = 7 * DAY;

/// Re-reads an organisation's orders from WeCom (`license/list_order` in
/// windows of at most 31 days) and mirrors every order we do not hold or
/// hold unsettled (awaiting payment, refund requested, a status WeCom added
/// later): a `license_pay_success` that never came, or came before the
/// install, is found here. Returns the orders found that we did not hold.
pub async fn reread_orders(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    now: u64,
    actor: &str,
) -> Result<Vec<String>, ApiError> {
    let wecom = WeCom::new(cfg, env::kv(env)?);
    let db = shard::db_for(env, corp_id).await?;
    let read = store::orders_read(&db, corp_id).await?;
    let from = read
        .read_at
        .map_or(0, |t| t.saturating_sub(ORDERS_OVERLAP_SECS))
        .max(now.saturating_sub(ORDERS_LOOKBACK_SECS));
    let mut listed = vec![];
    let mut start = from;
    while start < now {
        let end = (start + ORDER_WINDOW_SECS).min(now);
        listed.extend(wecom.list_orders(corp_id, start, end).await?);
        start = end + 1;
    }
    let ids: Vec<&str> = listed.iter().map(|o| o.order_id.as_str()).collect();
    let known = store::known_orders(&db, corp_id, &ids).await?;
    let mut due: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| known.get(*id).is_none_or(|s| !settled(*s)))
        .collect();
    due.extend(read.unsettled.iter().map(String::as_str));
    due.sort_unstable();
    due.dedup();
    let mut mirrored = vec![];
    for order_id in &due {
        mirror_one(&db, &wecom, corp_id, order_id, now).await?;
        mirrored.push((*order_id).to_owned());
    }
    if read
        .read_at
        .is_none_or(|t| now.saturating_sub(t) >= ORDERS_MARK_STEP_SECS)
    {
        store::set_orders_read_at(&db, corp_id, now).await?;
    }
    let recovered: Vec<String> = due
        .iter()
        .filter(|id| !known.contains_key(**id) && !read.unsettled.iter().any(|u| u == *id))
        .map(|id| (*id).to_owned())
        .collect();
    if !recovered.is_empty() {
        let detail = json!({"orders": recovered});
        store::audit(&db, corp_id, now, actor, "orders_read", &detail).await?;
    }
    if !mirrored.is_empty() {
        cache::bump_generation(env, corp_id).await;
    }
    Ok(recovered)
}

/// Whether an order's status can still change in a way that gives or takes
/// codes without a push we act on: awaiting payment, refund requested, or
/// a number WeCom added after our reading.
fn settled(status: OrderStatus) -> bool {
    !matches!(
        status,
        OrderStatus::AwaitingPayment | OrderStatus::RefundRequested | OrderStatus::Unknown(_)
    )
}

/// `license_refund`: WeCom decided a refund. Rejected, no seat changes
/// and the order keeps WeCom's "refund rejected". Refunded, the order is
/// re-read and the codes WeCom no longer lists for it are the refunded ones
/// (WeCom does not say which it takes back; we do not guess).
pub async fn refund_order(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    order_id: &str,
    outcome: RefundOutcome,
    now: u64,
) -> Result<Mirrored, ApiError> {
    let db = shard::db_for(env, corp_id).await?;
    let wecom = WeCom::new(cfg, env::kv(env)?);
    let status = wecom.get_order(order_id).await?.order_status;
    if outcome == RefundOutcome::Rejected {
        store::set_order_status(&db, corp_id, order_id, status, now).await?;
        return Ok(Mirrored {
            note: "refund rejected: no seat changed".into(),
            audit: ("refund_rejected", json!({"order_id": order_id})),
        });
    }
    let accounts = wecom.order_accounts(order_id).await?;
    let still_held: Vec<&str> = accounts
        .iter()
        .filter_map(|a| a.active_code.as_deref())
        .collect();
    let codes = store::refund_order(&db, corp_id, order_id, status, &still_held, now).await?;
    cache::bump_generation(env, corp_id).await;
    Ok(Mirrored {
        note: format!("{} seats refunded", codes.len()),
        audit: (
            "order_refunded",
            json!({"order_id": order_id, "seats": codes.len(), "codes": codes}),
        ),
    })
}

/// `auto_activate`: WeCom bound free accounts to members who used the app.
pub async fn auto_activated(
    env: &Env,
    corp_id: &str,
    accounts: &[ActivatedAccount],
    now: u64,
) -> Result<Mirrored, ApiError> {
    let db = shard::db_for(env, corp_id).await?;
    for a in accounts {
        store::auto_activated(&db, corp_id, a, now).await?;
    }
    cache::bump_generation(env, corp_id).await;
    Ok(Mirrored {
        note: format!("{} accounts auto-activated", accounts.len()),
        audit: ("auto_activated", json!({"accounts": accounts.len()})),
    })
}

/// Cron: repairs the seat mirror from WeCom. `list_actived_account` says who
/// holds which type until when; where we disagree, `get_active_info_by_user`
/// names the codes, and they are written as WeCom has them. Then WeCom's
/// status of every live code (`batch_get_active_info_by_code`, the only
/// call that gives it): awaiting transfer, merged, shared downstream.
/// Returns how many members and codes were repaired.
pub async fn reconcile(env: &Env, cfg: &Config, corp_id: &str, now: u64) -> Result<u64, ApiError> {
    let wecom = WeCom::new(cfg, env::kv(env)?);
    let db = shard::db_for(env, corp_id).await?;
    let mut drifted: Vec<String> = vec![];
    let mut cursor = String::new();
    loop {
        let page = wecom.bound_accounts(corp_id, &cursor).await?;
        // Our seats of the whole page's members, in one round trip.
        let holders: Vec<&str> = page
            .account_list
            .iter()
            .map(|a| a.userid.as_str())
            .collect();
        let ours = store::member_facts(&db, corp_id, &holders).await?;
        for a in &page.account_list {
            if a.expire_time <= now || drifted.contains(&a.userid) {
                continue;
            }
            let agrees = ours
                .seats(&a.userid)
                .iter()
                .any(|s| s.seat_type as u8 == a.account_type && s.expires_at == a.expire_time);
            if !agrees {
                drifted.push(a.userid.clone());
            }
        }
        match page.next() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    let members: Vec<&str> = drifted.iter().map(String::as_str).collect();
    reread_members(&db, &wecom, corp_id, &members, now).await?;
    let live = store::live_codes(&db, corp_id).await?;
    let infos = wecom.active_info_by_codes(corp_id, &live).await?;
    let statuses = store::set_wecom_statuses(&db, corp_id, &infos.known, now).await?;
    // Codes WeCom no longer knows are retired, by name in the audit.
    let retired = store::retire_codes(&db, corp_id, &infos.invalid, now).await?;
    if !drifted.is_empty() || statuses > 0 || !retired.is_empty() {
        let detail = json!({"members": drifted, "statuses_changed": statuses, "retired": retired});
        store::audit(&db, corp_id, now, "cron", "licenses_reconciled", &detail).await?;
        cache::bump_generation(env, corp_id).await;
    }
    Ok((drifted.len() + statuses + retired.len()) as u64)
}

/// Mirrors WeCom's auto-activation switch (`get_auto_active_status`): one
/// flipped in WeCom's own console shows in ours. Whether it changed.
pub async fn refresh_auto_active(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    now: u64,
    actor: &str,
) -> Result<bool, ApiError> {
    let wecom = WeCom::new(cfg, env::kv(env)?);
    let on = wecom.auto_active(corp_id).await?;
    let db = shard::db_for(env, corp_id).await?;
    if !store::set_auto_activate_if_changed(&db, corp_id, on, now).await? {
        return Ok(false);
    }
    let detail = json!({"enabled": on, "read_from": "wecom"});
    store::audit(&db, corp_id, now, actor, "auto_activate", &detail).await?;
    Ok(true)
}

/// Mirrors `get_app_license_info`: whether WeCom checks licenses for this
/// organisation and its trial window (`trail_info`, sic). The trial then
/// follows WeCom's own dates. Returns whether anything changed.
pub async fn refresh_license_info(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    now: u64,
    actor: &str,
) -> Result<bool, ApiError> {
    let wecom = WeCom::new(cfg, env::kv(env)?);
    let info = wecom.app_license_info(corp_id).await?;
    let license = LicenseInfo {
        license_status: info.license_status,
        trial_start: info.trail_info.map(|t| t.start_time),
        trial_end: info.trail_info.map(|t| t.end_time),
        license_check_time: info.license_check_time,
    };
    let db = shard::db_for(env, corp_id).await?;
    let before = store::license_info(&db, corp_id).await?;
    if before.as_ref() == Some(&license) {
        return Ok(false);
    }
    store::set_license_info(&db, corp_id, &license, now).await?;
    let detail = json!({"before": before, "after": license});
    store::audit(&db, corp_id, now, actor, "license_info_changed", &detail).await?;
    cache::bump_generation(env, corp_id).await;
    Ok(true)
}
