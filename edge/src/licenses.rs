//! Seats (interface licenses): mirror paid orders, activate and transfer
//! under WeCom's rules (pre-checked in `domain::seat`, then sent to WeCom,
//! then confirmed into D1 and the audit log), and the seat views.

use crate::auth::require_session;
use crate::clock::now_secs;
use crate::config::Config;
use crate::contacts::MAX_PAGE;
use crate::error::{respond, ApiError};
use crate::lifecycle::Outcome;
use crate::wecom::{WeCom, WeComError};
use crate::{store, Ctx};
use domain::api::{
    ActionResult, ActivateRequest, ForecastRequest, MemberCounts, Page, Summary, TransferRequest,
    TrialSummary,
};
use domain::seat::{
    check_activation, check_batch, check_transfer, wecom_refusal, Refusal, SeatType, DAY,
};
use domain::trial::Trial;
use serde_json::{json, Value};
use std::collections::HashMap;
use worker::{Env, Request, Response, Result};

/// `license_pay_success`: read the order and its accounts from WeCom.
pub async fn mirror_order(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    order_id: &str,
    now: u64,
) -> std::result::Result<Outcome, ApiError> {
    let wecom = WeCom::new(cfg, env.kv("KV")?);
    let order = wecom
        .license_call("get_order", &json!({"order_id": order_id}))
        .await?;
    let o = &order["order"];
    let mut accounts = vec![];
    let mut cursor = String::new();
    loop {
        let page = wecom
            .license_call(
                "list_order_account",
                &json!({"order_id": order_id, "limit": 1000, "cursor": cursor}),
            )
            .await?;
        for a in page["account_list"].as_array().into_iter().flatten() {
            accounts.push((
                a["active_code"].as_str().unwrap_or_default().to_owned(),
                a["type"].as_u64().unwrap_or(1) as u8,
                a["userid"].as_str().map(str::to_owned),
            ));
        }
        match page["next_cursor"]
            .as_str()
            .filter(|c| !c.is_empty() && page["has_more"] == 1)
        {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    let u = |v: &Value| v.as_u64().unwrap_or(0);
    let db = store::db(env)?;
    store::insert_order(
        &db,
        corp_id,
        &store::PaidOrder {
            order_id,
            order_status: u(&o["order_status"]),
            base_count: u(&o["account_count"]["base_count"]),
            interconnect_count: u(&o["account_count"]["external_contact_count"]),
            days: u(&o["account_duration"]["days"]) + 31 * u(&o["account_duration"]["months"]),
            created_at: u(&o["create_time"]),
            paid_at: u(&o["pay_time"]),
        },
        &accounts,
        now,
    )
    .await?;
    store::audit(
        &db,
        corp_id,
        now,
        "wecom",
        "order_paid",
        &json!({"order_id": order_id, "accounts": accounts.len()}),
    )
    .await?;
    store::bump_generation(env, corp_id).await;
    Ok(format!("order {order_id}: {} accounts", accounts.len()).into())
}

fn refused(mut r: ActionResult, refusal: &Refusal) -> ActionResult {
    r.ok = false;
    r.code = Some(refusal.code().into());
    r.message = Some(refusal.to_string());
    match refusal {
        Refusal::TransferCooldown { available_at } => r.available_at = Some(*available_at),
        Refusal::AlreadyHasSeat { expires_at } | Refusal::TakeoverHasSeat { expires_at } => {
            r.expires_at = Some(*expires_at)
        }
        _ => {}
    }
    r
}

fn wecom_refused(mut r: ActionResult, errcode: i64) -> ActionResult {
    let (code, message) = wecom_refusal(errcode);
    r.ok = false;
    r.code = Some(code.into());
    r.message = Some(format!("{message} (WeCom errcode {errcode})"));
    r
}

fn blank() -> ActionResult {
    ActionResult {
        userid: None,
        handover_userid: None,
        takeover_userid: None,
        ok: true,
        code: None,
        message: None,
        available_at: None,
        expires_at: None,
        active_code: None,
    }
}

/// `POST .../seats/activate {"userids":[..],"type":1}` → per-member results.
pub async fn activate(mut req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let body: ActivateRequest = req.json().await.map_err(|_| {
                ApiError::bad_request("body must be {\"userids\":[..],\"type\":1|2}")
            })?;
            let seat_type = SeatType::try_from(body.seat_type).map_err(ApiError::bad_request)?;
            check_batch(body.userids.len()).map_err(|e| ApiError::bad_request(e.to_string()))?;
            let corp = &session.corp_id;
            let db = store::db(&ctx.env)?;
            let now = now_secs();
            let mut free = store::free_codes(&db, corp, seat_type as u8, body.userids.len())
                .await?
                .into_iter();
            let mut results = vec![];
            // (result index, code, userid, expires_at, merged code)
            let mut planned = vec![];
            // A member named twice holds, for the second time, what the first
            // would give them.
            let mut planned_expiry: HashMap<String, u64> = HashMap::new();
            for userid in &body.userids {
                let mut r = blank();
                r.userid = Some(userid.clone());
                if let Some(expires_at) = planned_expiry.get(userid) {
                    results.push(refused(
                        r,
                        &Refusal::AlreadyHasSeat {
                            expires_at: *expires_at,
                        },
                    ));
                    continue;
                }
                let state = store::member_state(&db, corp, userid).await?;
                let held = store::held_seats(&db, corp, userid).await?;
                let held = held.iter().find(|s| s.seat_type == seat_type);
                let Some((code, days)) = free.next() else {
                    results.push(refused(r, &Refusal::NoFreeAccount));
                    continue;
                };
                match check_activation(state, held, days * DAY, now) {
                    Ok(expires_at) => {
                        planned_expiry.insert(userid.clone(), expires_at);
                        planned.push((
                            results.len(),
                            code,
                            userid.clone(),
                            expires_at,
                            held.map(|h| h.active_code.clone()),
                        ));
                        results.push(r);
                    }
                    Err(refusal) => {
                        // The code goes back to the pool for the next member.
                        free = std::iter::once((code, days))
                            .chain(free)
                            .collect::<Vec<_>>()
                            .into_iter();
                        results.push(refused(r, &refusal));
                    }
                }
            }
            if !planned.is_empty() {
                let cfg = Config::from_env(&ctx.env)?;
                let wecom = WeCom::new(&cfg, ctx.env.kv("KV")?);
                let answer = match &planned[..] {
                    // One member: WeCom's single activation answers with its
                    // errcode directly.
                    [(_, code, userid, _, _)] => {
                        let one = json!({"corpid": corp, "active_code": code, "userid": userid});
                        let errcode = match wecom.license_call("active_account", &one).await {
                            Ok(_) => 0,
                            Err(WeComError::Api { errcode, .. }) => errcode,
                            Err(e) => return Err(e.into()),
                        };
                        json!({"active_result": [{"active_code": code, "errcode": errcode}]})
                    }
                    _ => {
                        let list: Vec<Value> = planned
                            .iter()
                            .map(|(_, c, u, _, _)| json!({"active_code": c, "userid": u}))
                            .collect();
                        wecom
                            .license_call(
                                "batch_active_account",
                                &json!({"corpid": corp, "active_list": list}),
                            )
                            .await?
                    }
                };
                let errcodes: HashMap<String, i64> = answer["active_result"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        (
                            r["active_code"].as_str().unwrap_or_default().to_owned(),
                            r["errcode"].as_i64().unwrap_or(-1),
                        )
                    })
                    .collect();
                for (i, code, userid, expires_at, merged) in planned {
                    match errcodes.get(&code).copied().unwrap_or(-1) {
                        0 => {
                            store::activate_seat(
                                &db,
                                corp,
                                &code,
                                &userid,
                                now,
                                expires_at,
                                merged.as_deref(),
                            )
                            .await?;
                            results[i].active_code = Some(code);
                            results[i].expires_at = Some(expires_at);
                        }
                        e => results[i] = wecom_refused(results[i].clone(), e),
                    }
                }
            }
            let done: Vec<&ActionResult> = results.iter().filter(|r| r.ok).collect();
            store::audit(
                &db,
                corp,
                now,
                &session.userid,
                "seats_activated",
                &json!({"type": body.seat_type, "results": results}),
            )
            .await?;
            if !done.is_empty() {
                store::bump_generation(&ctx.env, corp).await;
            }
            Ok(Response::from_json(&json!({"results": results}))?)
        }
        .await,
    )
}

/// `POST .../seats/transfer {"transfers":[..]}` → per-pair results.
pub async fn transfer(mut req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let body: TransferRequest = req.json().await.map_err(|_| {
                ApiError::bad_request("body must be {\"transfers\":[{\"handover_userid\",\"takeover_userid\"}]}")
            })?;
            check_batch(body.transfers.len()).map_err(|e| ApiError::bad_request(e.to_string()))?;
            let corp = &session.corp_id;
            let db = store::db(&ctx.env)?;
            let now = now_secs();
            let mut results = vec![];
            let mut planned = vec![];
            for pair in &body.transfers {
                let mut r = blank();
                r.handover_userid = Some(pair.handover_userid.clone());
                r.takeover_userid = Some(pair.takeover_userid.clone());
                let handover = store::member_state(&db, corp, &pair.handover_userid).await?;
                let takeover = store::member_state(&db, corp, &pair.takeover_userid).await?;
                let handover_seats = store::held_seats(&db, corp, &pair.handover_userid).await?;
                let seat = handover_seats.iter().find(|s| s.is_active(now));
                let taker_seats = store::held_seats(&db, corp, &pair.takeover_userid).await?;
                let taker_seat = seat.and_then(|s| taker_seats.iter().find(|t| t.seat_type == s.seat_type));
                let same = pair.handover_userid == pair.takeover_userid;
                match check_transfer(handover, seat, takeover, taker_seat, same, now) {
                    Ok(plan) => {
                        let seat = seat.expect("a permitted transfer has a seat");
                        r.active_code = Some(seat.active_code.clone());
                        r.available_at = plan.cooldown_until;
                        planned.push((results.len(), pair.clone(), seat.clone(), plan));
                        results.push(r);
                    }
                    Err(refusal) => results.push(refused(r, &refusal)),
                }
            }
            if !planned.is_empty() {
                let cfg = Config::from_env(&ctx.env)?;
                let wecom = WeCom::new(&cfg, ctx.env.kv("KV")?);
                let list: Vec<Value> = planned
                    .iter()
                    .map(|(_, p, _, _)| json!({"handover_userid": p.handover_userid, "takeover_userid": p.takeover_userid}))
                    .collect();
                let answer = wecom
                    .license_call("batch_transfer_license", &json!({"corpid": corp, "transfer_list": list}))
                    .await?;
                let errcodes: HashMap<(String, String), i64> = answer["transfer_result"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        (
                            (
                                r["handover_userid"].as_str().unwrap_or_default().to_owned(),
                                r["takeover_userid"].as_str().unwrap_or_default().to_owned(),
                            ),
                            r["errcode"].as_i64().unwrap_or(-1),
                        )
                    })
                    .collect();
                for (i, pair, seat, plan) in planned {
                    let key = (pair.handover_userid.clone(), pair.takeover_userid.clone());
                    match errcodes.get(&key).copied().unwrap_or(-1) {
                        0 => {
                            store::transfer_seat(
                                &db,
                                corp,
                                &store::SeatTransfer {
                                    code: &seat.active_code,
                                    seat_type: seat.seat_type as u8,
                                    handover: &pair.handover_userid,
                                    takeover: &pair.takeover_userid,
                                    cooldown_until: plan.cooldown_until,
                                    replaced: plan.replaces.as_deref(),
                                    actor: &session.userid,
                                    now,
                                },
                            )
                            .await?;
                        }
                        e => results[i] = wecom_refused(results[i].clone(), e),
                    }
                }
                store::bump_generation(&ctx.env, corp).await;
            }
            store::audit(&db, corp, now, &session.userid, "seats_transferred", &json!({"results": results})).await?;
            Ok(Response::from_json(&json!({"results": results}))?)
        }
        .await,
    )
}

pub async fn seats(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let url = req.url().map_err(|_| ApiError::bad_request("bad url"))?;
            let q: HashMap<String, String> = url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let status = q
                .get("status")
                .map(String::as_str)
                .filter(|s| !s.is_empty());
            if let Some(s) = status {
                if !["unassigned", "active", "expired", "refunded"].contains(&s) {
                    return Err(ApiError::bad_request(
                        "status must be unassigned, active, expired or refunded",
                    ));
                }
            }
            let seat_type = match q.get("type").filter(|t| !t.is_empty()) {
                None => None,
                Some(t) => Some(
                    t.parse::<u8>()
                        .ok()
                        .and_then(|t| SeatType::try_from(t).ok())
                        .ok_or_else(|| ApiError::bad_request("type must be 1 or 2"))?
                        as u8,
                ),
            };
            let limit = match q.get("limit").filter(|v| !v.is_empty()) {
                None => 100,
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_request(format!("limit must be 1..={MAX_PAGE}"))
                    })?,
            };
            let db = store::db(&ctx.env)?;
            let cursor = q
                .get("cursor")
                .map(String::as_str)
                .filter(|c| !c.is_empty());
            let (items, next_cursor, total) = store::seat_page(
                &db,
                &session.corp_id,
                status,
                seat_type,
                cursor,
                limit,
                now_secs(),
            )
            .await?;
            Ok(Response::from_json(&Page {
                items,
                next_cursor,
                total,
            })?)
        }
        .await,
    )
}

pub async fn orders(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let items = store::orders(&store::db(&ctx.env)?, &session.corp_id).await?;
            Ok(Response::from_json(&json!({"items": items}))?)
        }
        .await,
    )
}

pub async fn summary(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let db = store::db(&ctx.env)?;
            let now = now_secs();
            let (first, wecom_trial, auto_activate) =
                store::organisation_dates(&db, &session.corp_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
            let trial = Trial::new(first, wecom_trial);
            let (seats, licensed) = store::seat_counts(&db, &session.corp_id, now).await?;
            let (in_range, without_department, _) =
                store::range_counts(&db, &session.corp_id).await?;
            Ok(Response::from_json(&Summary {
                trial: TrialSummary {
                    start: trial.start,
                    end: trial.end,
                    days_left: trial.days_left(now),
                    active: trial.is_active(now),
                },
                seats,
                members: MemberCounts {
                    in_range,
                    licensed: licensed.min(in_range),
                    unlicensed: in_range.saturating_sub(licensed),
                    without_department,
                },
                auto_activate,
            })?)
        }
        .await,
    )
}

/// `GET .../requests`: members who opened the app without a seat.
pub async fn requests(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let items =
                store::seat_requests(&store::db(&ctx.env)?, &session.corp_id, now_secs()).await?;
            Ok(Response::from_json(&json!({"items": items}))?)
        }
        .await,
    )
}

/// `POST .../auto_activate {"enabled": bool}`: WeCom binds free accounts
/// to members who use the app.
pub async fn set_auto_activate(mut req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let body: Value = req
                .json()
                .await
                .map_err(|_| ApiError::bad_request("body must be {\"enabled\": bool}"))?;
            let enabled = body["enabled"]
                .as_bool()
                .ok_or_else(|| ApiError::bad_request("enabled must be true or false"))?;
            let cfg = Config::from_env(&ctx.env)?;
            let wecom = WeCom::new(&cfg, ctx.env.kv("KV")?);
            wecom
                .license_call(
                    "set_auto_active_status",
                    &json!({"corpid": session.corp_id, "auto_active_status": enabled as u8}),
                )
                .await?;
            let db = store::db(&ctx.env)?;
            let now = now_secs();
            store::set_auto_activate(&db, &session.corp_id, enabled, now).await?;
            store::audit(
                &db,
                &session.corp_id,
                now,
                &session.userid,
                "auto_activate",
                &json!({"enabled": enabled}),
            )
            .await?;
            Ok(Response::from_json(&json!({"auto_activate": enabled}))?)
        }
        .await,
    )
}

/// `GET .../suggestions`: seats held by departed or out-of-range members
/// (they transfer at once) matched to in-range members who asked for one.
pub async fn suggestions(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let db = store::db(&ctx.env)?;
            let now = now_secs();
            let seats = store::idle_seats(&db, &session.corp_id, now).await?;
            let waiting = store::waiting_requesters(&db, &session.corp_id, now).await?;
            let items: Vec<Value> = seats
                .iter()
                .zip(&waiting)
                .map(|(seat, who)| {
                    let mut s = seat.clone();
                    s["takeover_userid"] = who["userid"].clone();
                    s["takeover_name"] = who["name"].clone();
                    s["requests"] = who["count"].clone();
                    s
                })
                .collect();
            Ok(Response::from_json(&json!({
                "items": items,
                "unmatched_seats": seats.len().saturating_sub(items.len()),
                "unmatched_requests": waiting.len().saturating_sub(items.len()),
            }))?)
        }
        .await,
    )
}

/// Cron: repairs the seat mirror from WeCom. `list_actived_account` says who
/// holds which type until when; where we disagree, `get_active_info_by_user`
/// names the codes, and they are written as WeCom has them. Returns how
/// many members were repaired.
pub async fn reconcile(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    now: u64,
) -> std::result::Result<u64, ApiError> {
    let wecom = WeCom::new(cfg, env.kv("KV")?);
    let db = store::db(env)?;
    let mut drifted: Vec<String> = vec![];
    let mut cursor = String::new();
    loop {
        let page = wecom
            .license_call(
                "list_actived_account",
                &json!({"corpid": corp_id, "limit": 1000, "cursor": cursor}),
            )
            .await?;
        for a in page["account_list"].as_array().into_iter().flatten() {
            let (Some(userid), Some(t), Some(expire)) = (
                a["userid"].as_str(),
                a["type"].as_u64(),
                a["expire_time"].as_u64(),
            ) else {
                continue;
            };
            if expire <= now || drifted.iter().any(|d| d == userid) {
                continue;
            }
            let held = store::held_seats(&db, corp_id, userid).await?;
            let agrees = held
                .iter()
                .any(|s| s.seat_type as u64 == t && s.expires_at == expire);
            if !agrees {
                drifted.push(userid.to_owned());
            }
        }
        match page["next_cursor"]
            .as_str()
            .filter(|c| !c.is_empty() && page["has_more"] == 1)
        {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    for userid in &drifted {
        let info = wecom
            .license_call(
                "get_active_info_by_user",
                &json!({"corpid": corp_id, "userid": userid}),
            )
            .await?;
        for a in info["active_info_list"].as_array().into_iter().flatten() {
            let account = domain::event::ActivatedAccount {
                active_code: a["active_code"].as_str().unwrap_or_default().to_owned(),
                account_type: a["type"].as_u64().unwrap_or(1) as u8,
                expire_time: a["expire_time"].as_u64().unwrap_or(0),
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
        store::audit(
            &db,
            corp_id,
            now,
            "cron",
            "licenses_reconciled",
            &json!({"members": drifted}),
        )
        .await?;
        store::bump_generation(env, corp_id).await;
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
) -> std::result::Result<bool, ApiError> {
    let wecom = WeCom::new(cfg, env.kv("KV")?);
    let info = wecom
        .license_call(
            "get_app_license_info",
            &json!({"corpid": corp_id, "suite_id": cfg.suite_id}),
        )
        .await?;
    let trial = &info["trail_info"];
    let license = store::LicenseInfo {
        license_status: info["license_status"].as_u64(),
        trial_start: trial["start_time"].as_u64(),
        trial_end: trial["end_time"].as_u64(),
        license_check_time: info["license_check_time"].as_u64(),
    };
    let db = store::db(env)?;
    let before = store::license_info(&db, corp_id).await?;
    if before.as_ref() == Some(&license) {
        return Ok(false);
    }
    store::set_license_info(&db, corp_id, &license, now).await?;
    store::audit(
        &db,
        corp_id,
        now,
        actor,
        "license_info_changed",
        &json!({"before": before, "after": license}),
    )
    .await?;
    store::bump_generation(env, corp_id).await;
    Ok(true)
}

/// Longest list a forecast takes per field: an input guard, not a WeCom rule.
const MAX_FORECAST_ITEMS: usize = 1000;

/// `POST .../forecast {"add_party","add_user","remove_party","remove_user"}`:
/// how many members the range would hold and how many seats it would need.
pub async fn forecast(mut req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let change: ForecastRequest = req.json().await.map_err(|_| {
                ApiError::bad_request(
                    "body must be {\"add_party\":[ids],\"add_user\":[userids],\"remove_party\":[..],\"remove_user\":[..]}",
                )
            })?;
            let longest = [
                change.add_party.len(),
                change.remove_party.len(),
                change.add_user.len(),
                change.remove_user.len(),
            ]
            .into_iter()
            .max()
            .unwrap_or(0);
            if longest > MAX_FORECAST_ITEMS {
                return Err(ApiError::bad_request(format!(
                    "at most {MAX_FORECAST_ITEMS} entries per list"
                )));
            }
            let db = store::db(&ctx.env)?;
            let corp = &session.corp_id;
            let current = store::visible_range(&db, corp)
                .await?
                .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
            let (departments, members, unassigned) =
                store::forecast_facts(&db, corp, now_secs()).await?;
            Ok(Response::from_json(&domain::forecast::forecast(
                &current,
                &change,
                &departments,
                &members,
                unassigned,
            ))?)
        }
        .await,
    )
}
