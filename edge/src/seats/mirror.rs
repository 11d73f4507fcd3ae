//! The seat mirror: what WeCom says about an organisation's licenses,
//! written into D1. Paid orders and their accounts, renewals, refunds,
//! accounts WeCom bound by itself, what members hold after an action, the
//! license status and trial window, and the cron's repair of members whose
//! seats drifted from WeCom's and of codes whose WeCom status changed.

use crate::cache;
use crate::d1::{Db, Statement};
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::store::{self, HeldAccounts, LicenseInfo, PaidOrder};
use crate::wecom::WeCom;
use domain::event::ActivatedAccount;
use domain::wecom::{ActiveInfo, OrderAccount, OrderType, RefundOutcome};
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

/// `license_pay_success`: reads the order and its accounts from WeCom. A
/// purchase lists new codes; a renewal lists members (no codes), whose
/// accounts are then re-read as WeCom extended them.
pub async fn mirror_order(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    order_id: &str,
    now: u64,
) -> Result<String, ApiError> {
    let wecom = WeCom::new(cfg, env::kv(env)?);
    let order = wecom.get_order(order_id).await?;
    let accounts = wecom.order_accounts(order_id).await?;
    let db = env::db(env)?;
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
    store::insert_order(&db, corp_id, &paid, &accounts, now).await?;
    if order.order_type == OrderType::Renewal {
        let renewed = renewed_members(&accounts);
        reread_members(&db, &wecom, corp_id, &renewed, now).await?;
    }
    let detail = json!({"order_id": order_id, "accounts": accounts.len()});
    store::audit(&db, corp_id, now, "wecom", "order_paid", &detail).await?;
    cache::bump_generation(env, corp_id).await;
    Ok(format!("order {order_id}: {} accounts", accounts.len()))
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
) -> Result<String, ApiError> {
    let db = env::db(env)?;
    let wecom = WeCom::new(cfg, env::kv(env)?);
    let status = wecom.get_order(order_id).await?.order_status;
    if outcome == RefundOutcome::Rejected {
        store::set_order_status(&db, corp_id, order_id, status, now).await?;
        let detail = json!({"order_id": order_id});
        store::audit(&db, corp_id, now, "wecom", "refund_rejected", &detail).await?;
        return Ok("refund rejected: no seat changed".into());
    }
    let accounts = wecom.order_accounts(order_id).await?;
    let still_held: Vec<&str> = accounts
        .iter()
        .filter_map(|a| a.active_code.as_deref())
        .collect();
    let n = store::refund_order(&db, corp_id, order_id, status, &still_held, now).await?;
    let detail = json!({"order_id": order_id, "seats": n});
    store::audit(&db, corp_id, now, "wecom", "order_refunded", &detail).await?;
    cache::bump_generation(env, corp_id).await;
    Ok(format!("{n} seats refunded"))
}

/// `auto_activate`: WeCom bound free accounts to members who used the app.
pub async fn auto_activated(
    env: &Env,
    corp_id: &str,
    accounts: &[ActivatedAccount],
    now: u64,
) -> Result<String, ApiError> {
    let db = env::db(env)?;
    for a in accounts {
        store::auto_activated(&db, corp_id, a, now).await?;
    }
    let detail = json!({"accounts": accounts.len()});
    store::audit(&db, corp_id, now, "wecom", "auto_activated", &detail).await?;
    cache::bump_generation(env, corp_id).await;
    Ok(format!("{} accounts auto-activated", accounts.len()))
}

/// Cron: repairs the seat mirror from WeCom. `list_actived_account` says who
/// holds which type until when; where we disagree, `get_active_info_by_user`
/// names the codes, and they are written as WeCom has them. Then WeCom's
/// status of every live code (`batch_get_active_info_by_code`, the only
/// call that gives it): awaiting transfer, merged, shared downstream.
/// Returns how many members and codes were repaired.
pub async fn reconcile(env: &Env, cfg: &Config, corp_id: &str, now: u64) -> Result<u64, ApiError> {
    let wecom = WeCom::new(cfg, env::kv(env)?);
    let db = env::db(env)?;
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
    let statuses = store::set_wecom_statuses(&db, corp_id, &infos, now).await?;
    if !drifted.is_empty() || statuses > 0 {
        let detail = json!({"members": drifted, "statuses_changed": statuses});
        store::audit(&db, corp_id, now, "cron", "licenses_reconciled", &detail).await?;
        cache::bump_generation(env, corp_id).await;
    }
    Ok((drifted.len() + statuses) as u64)
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
    let db = env::db(env)?;
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
