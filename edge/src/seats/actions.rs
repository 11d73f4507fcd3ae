//! Seat actions an admin takes: each is planned under WeCom's rules in
//! `domain::seat` (so the admin gets a clear reason first), sent to WeCom,
//! confirmed into D1 as WeCom answered, audited, and the access cache bumped.

use super::mirror::{held_statements, read_members};
use crate::cache;
use crate::d1::{Db, Statement};
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::shard;
use crate::store::{self, ActivatedSeat, FreeCode, MemberFacts, SeatTransfer};
use crate::wecom::{WeCom, WeComError};
use domain::api::{ActionResult, ActionResults, ActivateRequest, TransferPair, TransferRequest};
use domain::seat::{
    check_activation, check_batch, check_transfer, wecom_refusal, HeldSeat, Refusal, SeatType,
    TransferPlan, DAY,
};
use domain::wecom::{AccountStatus, ActiveInfo};
use domain::wecom::{Activation, Transfer};
use std::collections::{HashMap, HashSet};
use worker::Env;

/// Who acts, on which organisation, when.
pub struct Actor<'a> {
    pub corp_id: &'a str,
    pub userid: &'a str,
    pub now: u64,
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

fn wecom_refused(r: &mut ActionResult, errcode: i64) {
    let (code, message) = wecom_refusal(errcode);
    r.ok = false;
    r.code = Some(code.into());
    r.message = Some(format!("{message} (WeCom errcode {errcode})"));
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

/// Subrequests (fetches to WeCom, D1 and KV calls) one Worker invocation
/// may make: 50 on the Free plan, 1 000 on Paid as Cloudflare long
/// documented it (the current page says 10 000 on Paid; we keep the
/// smaller) ("Subrequests", Workers limits,
/// <https://developers.cloudflare.com/workers/platform/limits/>).
const WORKER_SUBREQUESTS: usize = 1000;

/// New activations one request lets WeCom choose the code for
/// (`active_account_by_type`, then `get_active_info_by_user` to learn it:
/// two subrequests a member, and WeCom has no batch form). Past this, the
/// rest bind codes we choose in one `batch_active_account`, so a batch of
/// 1 000 spends at most a fifth of [`WORKER_SUBREQUESTS`] on WeCom.
const BY_TYPE_MAX: usize = WORKER_SUBREQUESTS / 10;

/// A code WeCom is about to bind to a member, and what it leads to.
struct PlannedActivation {
    /// Index of the member's result.
    result: usize,
    /// The code we chose: a renewal's (or past [`BY_TYPE_MAX`]); `None`
    /// when WeCom chooses (`active_account_by_type`).
    chosen: Option<String>,
    userid: String,
    expires_at: u64,
    /// The member's current account of that type, whose time WeCom merges
    /// into the new one.
    merged: Option<String>,
}

/// Binds free codes of one type to members; per-member results.
pub async fn activate(
    env: &Env,
    cfg: &Config,
    who: &Actor<'_>,
    body: &ActivateRequest,
) -> Result<ActionResults, ApiError> {
    let seat_type = SeatType::try_from(body.seat_type).map_err(ApiError::bad_request)?;
    check_batch(body.userids.len()).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let (corp, now) = (who.corp_id, who.now);
    let db = shard::db_for(env, corp).await?;
    let mut free: Vec<FreeCode> =
        store::free_codes(&db, corp, seat_type as u8, body.userids.len(), now).await?;
    let named: Vec<&str> = body.userids.iter().map(String::as_str).collect();
    let facts = store::member_facts(&db, corp, &named).await?;
    free.reverse(); // taken from the end: oldest order first
    let mut results = vec![];
    let mut planned: Vec<PlannedActivation> = vec![];
    // A member named twice holds, the second time, what the first would give.
    let mut planned_expiry: HashMap<&str, u64> = HashMap::new();
    for userid in &body.userids {
        let mut r = blank();
        r.userid = Some(userid.clone());
        if let Some(expires_at) = planned_expiry.get(userid.as_str()) {
            let refusal = Refusal::AlreadyHasSeat {
                expires_at: *expires_at,
            };
            results.push(refused(r, &refusal));
            continue;
        }
        let state = facts.state(userid);
        let held = facts
            .seats(userid)
            .iter()
            .find(|s| s.seat_type == seat_type);
        let Some(code) = free.pop() else {
            results.push(refused(r, &Refusal::NoFreeAccount));
            continue;
        };
        match check_activation(state, held, code.days * DAY, now) {
            Ok(expires_at) => {
                planned_expiry.insert(userid, expires_at);
                // A renewal binds a chosen code; a new seat lets WeCom choose.
                let renewal = held.is_some_and(|h| h.is_active(now));
                let by_type = planned.iter().filter(|p| p.chosen.is_none()).count();
                let chosen = (renewal || by_type >= BY_TYPE_MAX).then_some(code.active_code);
                planned.push(PlannedActivation {
                    result: results.len(),
                    chosen,
                    userid: userid.clone(),
                    expires_at,
                    merged: held.map(|h| h.active_code.clone()),
                });
                results.push(r);
            }
            Err(refusal) => {
                free.push(code); // back to the pool for the next member
                results.push(refused(r, &refusal));
            }
        }
    }
    let mut activated: Vec<(String, String, u64, Option<String>)> = vec![];
    let mut held_by_type = HashMap::new();
    if !planned.is_empty() {
        let wecom = WeCom::new(cfg, env::kv(env)?);
        let (chosen, by_type): (Vec<_>, Vec<_>) =
            planned.into_iter().partition(|p| p.chosen.is_some());
        let errcodes = bind_codes(&wecom, corp, &chosen).await?;
        for p in chosen {
            let code = p.chosen.unwrap_or_default();
            let r = &mut results[p.result];
            match errcodes.get(&code).copied().unwrap_or(-1) {
                0 => {
                    r.active_code = Some(code.clone());
                    r.expires_at = Some(p.expires_at);
                    activated.push((code, p.userid, p.expires_at, p.merged));
                }
                e => wecom_refused(r, e),
            }
        }
        let mut asked = vec![];
        for p in &by_type {
            match wecom
                .activate_by_type(corp, &p.userid, seat_type as u8)
                .await
            {
                Ok(()) => asked.push(p),
                Err(WeComError::Api { errcode, .. }) => {
                    wecom_refused(&mut results[p.result], errcode)
                }
                Err(e) => return Err(e.into()),
            }
        }
        // WeCom does not say which code it bound: ask what each member holds.
        let userids: Vec<&str> = asked.iter().map(|p| p.userid.as_str()).collect();
        held_by_type = read_members(&wecom, corp, &userids).await?;
        for p in asked {
            let bound: Option<&ActiveInfo> = held_by_type
                .get(&p.userid)
                .and_then(|list| list.iter().find(|a| a.account_type == seat_type as u8));
            let r = &mut results[p.result];
            r.active_code = bound.map(|a| a.active_code.clone());
            r.expires_at = bound.and_then(|a| a.expire_time);
        }
    }
    // Every result and the audit row in as few round trips as D1 allows.
    let seats: Vec<ActivatedSeat> = activated
        .iter()
        .map(|(code, userid, expires_at, merged)| ActivatedSeat {
            code,
            userid,
            expires_at: *expires_at,
            merged: merged.as_deref(),
        })
        .collect();
    let mut statements = store::activate_seats(&db, corp, &seats, now)?;
    statements.extend(held_statements(&db, corp, &held_by_type, now)?);
    let detail = serde_json::json!({"type": body.seat_type, "results": results});
    store::write_audited(
        &db,
        statements,
        corp,
        now,
        who.userid,
        "seats_activated",
        &detail,
    )
    .await?;
    if results.iter().any(|r| r.ok) {
        cache::bump_generation(env, corp).await;
    }
    Ok(ActionResults { results })
}

/// Asks WeCom to bind the codes we chose; the errcode of each code.
async fn bind_codes(
    wecom: &WeCom<'_>,
    corp_id: &str,
    planned: &[PlannedActivation],
) -> Result<HashMap<String, i64>, ApiError> {
    let list: Vec<Activation> = planned
        .iter()
        .filter_map(|p| {
            Some(Activation {
                active_code: p.chosen.clone()?,
                userid: p.userid.clone(),
            })
        })
        .collect();
    if list.is_empty() {
        return Ok(HashMap::new());
    }
    if let [one] = &list[..] {
        // One member: WeCom's single activation answers with its errcode.
        let errcode = match wecom.activate_one(corp_id, one).await {
            Ok(()) => 0,
            Err(WeComError::Api { errcode, .. }) => errcode,
            Err(e) => return Err(e.into()),
        };
        return Ok(HashMap::from([(one.active_code.clone(), errcode)]));
    }
    let answer = wecom.activate_batch(corp_id, list).await?;
    Ok(answer
        .active_result
        .into_iter()
        .map(|r| (r.active_code, r.errcode))
        .collect())
}

/// A seat move WeCom is about to make.
struct PlannedTransfer {
    result: usize,
    pair: TransferPair,
    plan: TransferPlan,
}

/// Moves members' active seats to others; per-pair results.
pub async fn transfer(
    env: &Env,
    cfg: &Config,
    who: &Actor<'_>,
    body: &TransferRequest,
) -> Result<ActionResults, ApiError> {
    check_batch(body.transfers.len()).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let (corp, now) = (who.corp_id, who.now);
    let db = shard::db_for(env, corp).await?;
    let named: Vec<&str> = body
        .transfers
        .iter()
        .flat_map(|p| [p.handover_userid.as_str(), p.takeover_userid.as_str()])
        .collect();
    let facts = store::member_facts(&db, corp, &named).await?;
    let mut results = vec![];
    let mut planned: Vec<PlannedTransfer> = vec![];
    let mut statements = vec![];
    for pair in &body.transfers {
        let mut r = blank();
        r.handover_userid = Some(pair.handover_userid.clone());
        r.takeover_userid = Some(pair.takeover_userid.clone());
        let handover = facts.state(&pair.handover_userid);
        let takeover = facts.state(&pair.takeover_userid);
        // WeCom moves every account the handover holds (a transfer names
        // members, not a type): each type is checked against the takeover's
        // account of that type, and the first refusal refuses the pair.
        let active: Vec<&HeldSeat> = facts
            .seats(&pair.handover_userid)
            .iter()
            .filter(|s| s.is_active(now))
            .collect();
        let taker_seats = facts.seats(&pair.takeover_userid);
        let same = pair.handover_userid == pair.takeover_userid;
        let check = |seat: Option<&HeldSeat>| {
            let taker_seat =
                seat.and_then(|s| taker_seats.iter().find(|t| t.seat_type == s.seat_type));
            check_transfer(handover, seat, takeover, taker_seat, same, now)
        };
        let verdicts: Vec<_> = if active.is_empty() {
            vec![(check(None), None)]
        } else {
            active.iter().map(|s| (check(Some(s)), Some(*s))).collect()
        };
        // The first refusal refuses the pair; else the first seat's plan.
        let (verdict, seat) = match verdicts.iter().position(|(v, _)| v.is_err()) {
            Some(i) => verdicts[i].clone(),
            None => verdicts[0].clone(),
        };
        match (verdict, seat) {
            (Ok(plan), Some(seat)) => {
                r.active_code = Some(seat.active_code.clone());
                r.available_at = plan.cooldown_until;
                planned.push(PlannedTransfer {
                    result: results.len(),
                    pair: pair.clone(),
                    plan,
                });
                results.push(r);
            }
            (Ok(_), None) => results.push(refused(r, &Refusal::HandoverNotActive)),
            (Err(refusal), _) => results.push(refused(r, &refusal)),
        }
    }
    if !planned.is_empty() {
        let list = planned
            .iter()
            .map(|p| Transfer {
                handover_userid: p.pair.handover_userid.clone(),
                takeover_userid: p.pair.takeover_userid.clone(),
            })
            .collect();
        let wecom = WeCom::new(cfg, env::kv(env)?);
        let answer = wecom.transfer_batch(corp, list).await?;
        let errcodes: HashMap<(String, String), i64> = answer
            .transfer_result
            .into_iter()
            .map(|r| ((r.handover_userid, r.takeover_userid), r.errcode))
            .collect();
        let mut moved = vec![];
        for p in planned {
            let key = (
                p.pair.handover_userid.clone(),
                p.pair.takeover_userid.clone(),
            );
            match errcodes.get(&key).copied().unwrap_or(-1) {
                0 => moved.push(p),
                e => wecom_refused(&mut results[p.result], e),
            }
        }
        statements = confirm_moves(&db, &wecom, who, &facts, &moved).await?;
        cache::bump_generation(env, corp).await;
    }
    let detail = serde_json::json!({"results": results});
    store::write_audited(
        &db,
        statements,
        corp,
        now,
        who.userid,
        "seats_transferred",
        &detail,
    )
    .await?;
    Ok(ActionResults { results })
}

/// After WeCom moved seats: what WeCom now says of every account the
/// moves touched — each handover's active accounts and each takeover's
/// account of the same type — read by code (`batch_get_active_info_by_code`,
/// a thousand codes a call, not a call per member). The statements write
/// them as WeCom has them (a takeover's former account merged into the
/// moved one ends) and record every account that moved to its takeover,
/// however many the handover held.
async fn confirm_moves(
    db: &Db,
    wecom: &WeCom<'_>,
    who: &Actor<'_>,
    facts: &MemberFacts,
    moved: &[PlannedTransfer],
) -> Result<Vec<Statement>, ApiError> {
    let (corp, now) = (who.corp_id, who.now);
    let mut codes: Vec<String> = vec![];
    let mut seen = HashSet::new();
    for p in moved {
        let (handover, takeover) = (&p.pair.handover_userid, &p.pair.takeover_userid);
        for seat in facts.seats(handover).iter().chain(facts.seats(takeover)) {
            if seat.is_active(now) && seen.insert(seat.active_code.as_str()) {
                codes.push(seat.active_code.clone());
            }
        }
    }
    let infos = wecom.active_info_by_codes(corp, &codes).await?;
    // What each member holds now, as WeCom says: bound codes only (a merged
    // code is ended by the statement that writes its successor).
    let mut held: HashMap<String, Vec<ActiveInfo>> = HashMap::new();
    for info in &infos.known {
        if info.status == Some(AccountStatus::Merged) {
            continue;
        }
        if let Some(userid) = &info.userid {
            held.entry(userid.clone()).or_default().push(info.clone());
        }
    }
    let mut transfers = vec![];
    for p in moved {
        let (handover, takeover) = (&p.pair.handover_userid, &p.pair.takeover_userid);
        let theirs = held.get(takeover).map_or(&[][..], Vec::as_slice);
        let went = facts
            .seats(handover)
            .iter()
            .filter(|s| s.is_active(now))
            .filter(|s| theirs.iter().any(|a| a.active_code == s.active_code));
        for seat in went {
            transfers.push(SeatTransfer {
                code: &seat.active_code,
                seat_type: seat.seat_type as u8,
                handover,
                takeover,
                cooldown_until: p.plan.cooldown_until,
                actor: who.userid,
                now,
            });
        }
    }
    let mut statements = held_statements(db, corp, &held, now)?;
    statements.extend(store::record_transfers(db, corp, &transfers)?);
    Ok(statements)
}

/// Turns WeCom's auto-activation on or off, then records it.
pub async fn set_auto_activate(
    env: &Env,
    cfg: &Config,
    who: &Actor<'_>,
    enabled: bool,
) -> Result<(), ApiError> {
    let wecom = WeCom::new(cfg, env::kv(env)?);
    wecom.set_auto_active(who.corp_id, enabled).await?;
    let db = shard::db_for(env, who.corp_id).await?;
    store::set_auto_activate(&db, who.corp_id, enabled, who.now).await?;
    let detail = serde_json::json!({"enabled": enabled});
    store::audit(
        &db,
        who.corp_id,
        who.now,
        who.userid,
        "auto_activate",
        &detail,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_carries_the_date_the_admin_needs() {
        let cooldown = refused(
            blank(),
            &Refusal::TransferCooldown {
                available_at: 1_800_000_000,
            },
        );
        assert!(!cooldown.ok);
        assert_eq!(cooldown.code.as_deref(), Some("transfer_cooldown"));
        assert_eq!(cooldown.available_at, Some(1_800_000_000));
        assert_eq!(cooldown.expires_at, None);

        let held = refused(
            blank(),
            &Refusal::AlreadyHasSeat {
                expires_at: 1_700_000_000,
            },
        );
        assert_eq!(held.code.as_deref(), Some("already_has_seat"));
        assert_eq!(held.expires_at, Some(1_700_000_000));
        assert_eq!(held.available_at, None);

        let same = refused(blank(), &Refusal::SameMember);
        assert_eq!(same.code.as_deref(), Some("same_member"));
        assert_eq!((same.available_at, same.expires_at), (None, None));
    }

    #[test]
    fn wecoms_own_refusal_is_named_and_keeps_its_errcode() {
        let mut r = blank();
        wecom_refused(&mut r, 701030);
        assert!(!r.ok);
        assert_eq!(r.code.as_deref(), Some("exceeds_five_years"));
        assert_eq!(
            r.message.as_deref(),
            Some("stacked time would pass five years (WeCom errcode 701030)")
        );
        let mut r = blank();
        wecom_refused(&mut r, 123);
        assert!(r.message.unwrap().ends_with("(WeCom errcode 123)"));
    }
}
