//! The seat mirror: what WeCom says about an organisation's licenses,
//! written into D1. Paid orders and their accounts, refunds, accounts WeCom
//! bound by itself, the license status and trial window, and the cron's
//! repair of members whose seats drifted from WeCom's.

use crate::cache;
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::store::{self, LicenseInfo, PaidOrder};
use crate::wecom::WeCom;
use domain::event::ActivatedAccount;
use serde_json::json;
use worker::Env;

/// WeCom's `order_status` for a refunded order, when the event names none.
const ORDER_REFUNDED: u8 = 4;

/// `license_pay_success`: reads the order and its accounts from WeCom.
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
        order_status: order.order_status.into(),
        base_count: order.account_count.base_count,
        interconnect_count: order.account_count.external_contact_count,
        days: order.account_duration.total_days(),
        created_at: order.create_time,
        paid_at: order.pay_time,
    };
    store::insert_order(&db, corp_id, &paid, &accounts, now).await?;
    let detail = json!({"order_id": order_id, "accounts": accounts.len()});
    store::audit(&db, corp_id, now, "wecom", "order_paid", &detail).await?;
    cache::bump_generation(env, corp_id).await;
    Ok(format!("order {order_id}: {} accounts", accounts.len()))
}

/// `license_refund`: the order's unassigned accounts are refunded.
pub async fn refund_order(
    env: &Env,
    corp_id: &str,
    order_id: &str,
    order_status: Option<u8>,
    now: u64,
) -> Result<String, ApiError> {
    let db = env::db(env)?;
    let status = order_status.unwrap_or(ORDER_REFUNDED).into();
    let n = store::refund_order(&db, corp_id, order_id, status, now).await?;
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
/// names the codes, and they are written as WeCom has them. Returns how
/// many members were repaired.
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
    for userid in &drifted {
        let info = wecom.active_info_by_user(corp_id, userid).await?;
        for a in info.active_info_list {
            let account = ActivatedAccount {
                active_code: a.active_code,
                account_type: a.account_type,
                expire_time: a.expire_time.unwrap_or(0),
                userid: userid.clone(),
                previous_status: None,
                previous_active_code: None,
            };
            if !account.active_code.is_empty() && account.expire_time > now {
                store::auto_activated(&db, corp_id, &account, now).await?;
            }
        }
    }
    if !drifted.is_empty() {
        let detail = json!({"members": drifted});
        store::audit(&db, corp_id, now, "cron", "licenses_reconciled", &detail).await?;
        cache::bump_generation(env, corp_id).await;
    }
    Ok(drifted.len() as u64)
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
