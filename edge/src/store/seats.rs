//! Seats (interface-license accounts) and transfers: the codes free to
//! activate, who holds what until when, WeCom's statuses and the seat
//! counts (the list itself: `seat_list`).

use super::bind::{changes, json_str, num, JSON_ROWS};
use crate::d1::{Db, Statement};
use domain::api::SeatCounts;
use domain::seat::activation_deadline;
use domain::wecom::{AccountStatus, ActiveInfo};
use serde::Deserialize;
use worker::Result;

/// An account bought and not yet bound, with how long it lasts once bound.
#[derive(Debug, Clone)]
pub struct FreeCode {
    pub active_code: String,
    pub days: u64,
}

/// A code that can still be activated, with `now` bound as `?{n}`: unbound
/// (ours and WeCom's), not retired, and within its 365-day activation
/// deadline (`activate_by`, the last second it can be; 701012 after; an
/// unknown deadline is trusted).
pub fn activatable(n: u8) -> String {
    format!(
        "status = 'unassigned' AND (wecom_status IS NULL OR wecom_status = 1) \
         AND (activate_by IS NULL OR activate_by >= ?{n})"
    )
}

/// Activatable codes of a type with their duration in days, the one whose
/// activation deadline comes first first (as `active_account_by_type`
/// picks), then the oldest order.
pub async fn free_codes(
    db: &Db,
    corp_id: &str,
    seat_type: u8,
    limit: usize,
    now: u64,
) -> Result<Vec<FreeCode>> {
    #[derive(Deserialize)]
    struct Row {
        active_code: String,
        duration_days: Option<f64>,
    }
    let rows: Vec<Row> = db
        .prepare(format!(
            "SELECT s.active_code, o.duration_days FROM seats s \
             LEFT JOIN orders o ON o.corp_id = s.corp_id AND o.order_id = s.order_id \
             WHERE s.corp_id = ?1 AND s.type = ?2 AND {} \
             ORDER BY coalesce(s.activate_by, o.paid_at + 365 * 86400), o.paid_at, s.active_code LIMIT ?3",
            // The columns it names are the seat's alone (orders have none).
            activatable(4)
        ))
        .bind(&[
            corp_id.into(),
            num(seat_type.into()),
            num(limit as u64),
            num(now),
        ])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| FreeCode {
            active_code: r.active_code,
            days: r.duration_days.unwrap_or(0.0) as u64,
        })
        .collect())
}

/// A code WeCom bound to a member at our choice, with its expiry, and
/// the member's former account of that type whose time WeCom merged in.
pub struct ActivatedSeat<'a> {
    pub code: &'a str,
    pub userid: &'a str,
    pub expires_at: u64,
    pub merged: Option<&'a str>,
}

/// The writes for codes WeCom bound: each code active for its member, each
/// merged code ended. Two statements per [`JSON_ROWS`] codes, however many.
pub fn activate_seats(
    db: &Db,
    corp_id: &str,
    activated: &[ActivatedSeat<'_>],
    now: u64,
) -> Result<Vec<Statement>> {
    let mut statements = vec![];
    for chunk in activated.chunks(JSON_ROWS) {
        let rows: Vec<serde_json::Value> = chunk
            .iter()
            .map(|a| serde_json::json!({"c": a.code, "u": a.userid, "e": a.expires_at}))
            .collect();
        statements.push(
            db.prepare(
                "UPDATE seats SET status = 'active', userid = j.u, activated_at = ?2, expires_at = j.e, \
                   wecom_status = 2, updated_at = ?2 \
                 FROM (SELECT json_extract(value, '$.c') AS c, json_extract(value, '$.u') AS u, \
                         json_extract(value, '$.e') AS e FROM json_each(?3)) AS j \
                 WHERE seats.corp_id = ?1 AND seats.active_code = j.c",
            )
            .bind(&[corp_id.into(), num(now), json_str(&rows)])?,
        );
        let merged: Vec<&str> = chunk.iter().filter_map(|a| a.merged).collect();
        if !merged.is_empty() {
            // WeCom merges the old account's remaining time into the new one.
            statements.push(db.prepare(MERGED).bind(&[
                corp_id.into(),
                json_str(&merged),
                num(now),
            ])?);
        }
    }
    Ok(statements)
}

/// Ends a code whose time WeCom merged into another (status 5).
/// `?2` is a JSON list of codes (one code is a list of one).
const MERGED: &str =
    "UPDATE seats SET status = 'expired', expires_at = ?3, wecom_status = 5, updated_at = ?3 \
                      WHERE corp_id = ?1 AND active_code IN (SELECT value FROM json_each(?2))";

/// One account WeCom moved in a transfer: the history row and its wait.
pub struct SeatTransfer<'a> {
    pub code: &'a str,
    pub seat_type: u8,
    pub handover: &'a str,
    pub takeover: &'a str,
    pub cooldown_until: Option<u64>,
    pub actor: &'a str,
    pub now: u64,
}

/// The writes for moved accounts (who holds them is written from WeCom's
/// answer, [`member_accounts`]): each one's transfer wait and history row.
/// Two statements per [`JSON_ROWS`] accounts.
pub fn record_transfers(
    db: &Db,
    corp_id: &str,
    moved: &[SeatTransfer<'_>],
) -> Result<Vec<Statement>> {
    let mut statements = vec![];
    for chunk in moved.chunks(JSON_ROWS) {
        let rows: Vec<serde_json::Value> = chunk
            .iter()
            .map(|t| {
                serde_json::json!({"c": t.code, "t": t.seat_type, "h": t.handover, "k": t.takeover,
                    "w": t.cooldown_until, "a": t.actor, "n": t.now})
            })
            .collect();
        let rows = json_str(&rows);
        statements.push(
            db.prepare(
                "UPDATE seats SET transferable_at = j.w, updated_at = j.n \
                 FROM (SELECT json_extract(value, '$.c') AS c, json_extract(value, '$.w') AS w, \
                         json_extract(value, '$.n') AS n FROM json_each(?2)) AS j \
                 WHERE seats.corp_id = ?1 AND seats.active_code = j.c",
            )
            .bind(&[corp_id.into(), rows.clone()])?,
        );
        statements.push(
            db.prepare(
                "INSERT INTO transfers (corp_id, active_code, type, handover_userid, takeover_userid, transferred_at, \
                   cooldown_until, actor) \
                 SELECT ?1, json_extract(value, '$.c'), json_extract(value, '$.t'), json_extract(value, '$.h'), \
                   json_extract(value, '$.k'), json_extract(value, '$.n'), json_extract(value, '$.w'), \
                   json_extract(value, '$.a') FROM json_each(?2)",
            )
            .bind(&[corp_id.into(), rows])?,
        );
    }
    Ok(statements)
}

/// What WeCom says one member holds (`get_active_info_by_user`: at most
/// one account of each type).
pub struct HeldAccounts<'a> {
    pub userid: &'a str,
    pub accounts: &'a [ActiveInfo],
}

/// Writes what WeCom says members hold: each listed code becomes its
/// member's with WeCom's dates; any other active code of ours for that
/// member of a listed type was merged into it (a renewal may bind a new
/// code). Two statements per [`JSON_ROWS`] accounts, however many members.
pub fn member_accounts(
    db: &Db,
    corp_id: &str,
    held: &[HeldAccounts<'_>],
    now: u64,
) -> Result<Vec<Statement>> {
    let rows: Vec<serde_json::Value> = held
        .iter()
        .flat_map(|h| h.accounts.iter().map(move |a| (h.userid, a)))
        .filter_map(|(userid, a)| {
            let expires_at = a.expire_time?;
            let status = a.status.unwrap_or(if expires_at > now {
                AccountStatus::Bound
            } else {
                AccountStatus::Expired
            });
            Some(
                serde_json::json!({"c": a.active_code, "t": a.account_type, "u": userid,
                "a": a.active_time, "e": expires_at, "s": u32::from(status)}),
            )
        })
        .collect();
    let mut statements = vec![];
    for chunk in rows.chunks(JSON_ROWS) {
        let chunk = json_str(&chunk);
        statements.push(
            db.prepare(
                "INSERT INTO seats (corp_id, active_code, type, status, userid, activated_at, expires_at, wecom_status, updated_at) \
                 SELECT ?1, j.c, j.t, CASE WHEN j.e > ?2 THEN 'active' ELSE 'expired' END, j.u, j.a, j.e, j.s, ?2 \
                 FROM (SELECT json_extract(value, '$.c') AS c, json_extract(value, '$.t') AS t, \
                         json_extract(value, '$.u') AS u, json_extract(value, '$.a') AS a, \
                         json_extract(value, '$.e') AS e, json_extract(value, '$.s') AS s FROM json_each(?3)) AS j \
                 WHERE true \
                 ON CONFLICT (corp_id, active_code) DO UPDATE SET status = excluded.status, userid = excluded.userid, \
                   activated_at = coalesce(excluded.activated_at, seats.activated_at), expires_at = excluded.expires_at, \
                   wecom_status = excluded.wecom_status, updated_at = excluded.updated_at",
            )
            .bind(&[corp_id.into(), num(now), chunk.clone()])?,
        );
        statements.push(
            db.prepare(
                "UPDATE seats SET status = 'expired', expires_at = min(coalesce(seats.expires_at, ?2), ?2), \
                   wecom_status = 5, updated_at = ?2 \
                 FROM (SELECT json_extract(value, '$.c') AS c, json_extract(value, '$.t') AS t, \
                         json_extract(value, '$.u') AS u FROM json_each(?3)) AS j \
                 WHERE seats.corp_id = ?1 AND seats.userid = j.u AND seats.type = j.t \
                   AND seats.active_code != j.c AND seats.status = 'active'",
            )
            .bind(&[corp_id.into(), num(now), chunk])?,
        );
    }
    Ok(statements)
}

/// Codes whose WeCom status can still change (unassigned or bound).
pub async fn live_codes(db: &Db, corp_id: &str) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        active_code: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT active_code FROM seats WHERE corp_id = ?1 AND status IN ('unassigned', 'active') \
             ORDER BY active_code",
        )
        .bind(&[corp_id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.active_code).collect())
}

/// Writes WeCom's status of each code (`get_active_info_by_code`); a merged
/// code ends, and an unbound code's activation deadline follows its
/// creation time (365 days). How many changed.
pub async fn set_wecom_statuses(
    db: &Db,
    corp_id: &str,
    infos: &[ActiveInfo],
    now: u64,
) -> Result<usize> {
    let rows: Vec<serde_json::Value> = infos
        .iter()
        .filter_map(|a| {
            let by = (a.status == Some(AccountStatus::Unbound) && a.create_time > 0)
                .then(|| activation_deadline(a.create_time));
            Some(serde_json::json!({"c": a.active_code, "s": u32::from(a.status?), "b": by}))
        })
        .collect();
    let result = db
        .prepare(
            "UPDATE seats SET wecom_status = j.s, updated_at = ?3, \
               activate_by = coalesce(j.b, seats.activate_by), \
               status = CASE WHEN j.s = 5 AND seats.status = 'active' THEN 'expired' ELSE seats.status END \
             FROM (SELECT json_extract(value, '$.c') AS c, json_extract(value, '$.s') AS s, \
                     json_extract(value, '$.b') AS b FROM json_each(?2)) AS j \
             WHERE seats.corp_id = ?1 AND seats.active_code = j.c \
               AND (seats.wecom_status IS NOT j.s OR (j.b IS NOT NULL AND seats.activate_by IS NOT j.b))",
        )
        .bind(&[corp_id.into(), json_str(&rows), num(now)])?
        .run()
        .await?;
    Ok(changes(&result))
}

/// Retires codes WeCom no longer knows (`invalid_active_code_list`): they
/// stop counting and being offered, and stay listed as retired. Returns
/// the codes retired now (those already retired are not repeated).
pub async fn retire_codes(
    db: &Db,
    corp_id: &str,
    codes: &[String],
    now: u64,
) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        active_code: String,
    }
    if codes.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<Row> = db
        .prepare(
            "UPDATE seats SET status = CASE WHEN status = 'refunded' THEN status ELSE 'expired' END, \
               retired_at = ?3, updated_at = ?3 \
             WHERE corp_id = ?1 AND retired_at IS NULL AND active_code IN (SELECT value FROM json_each(?2)) \
             RETURNING active_code",
        )
        .bind(&[corp_id.into(), json_str(&codes), num(now)])?
        .all()
        .await?
        .results()?;
    let mut retired: Vec<String> = rows.into_iter().map(|r| r.active_code).collect();
    retired.sort_unstable();
    Ok(retired)
}

pub async fn seat_counts(db: &Db, corp_id: &str, now: u64) -> Result<(SeatCounts, u64)> {
    #[derive(Deserialize)]
    struct Row {
        purchased: f64,
        active: f64,
        unassigned: f64,
        expired: f64,
        expiring: f64,
        expired_unused: f64,
        transfer_wait: f64,
        licensed_members: f64,
    }
    let row: Option<Row> = db
        .prepare(format!(
            "SELECT \
               count(*) FILTER (WHERE status != 'refunded' AND retired_at IS NULL) AS purchased, \
               count(*) FILTER (WHERE status = 'active' AND expires_at > ?2) AS active, \
               count(*) FILTER (WHERE {}) AS unassigned, \
               count(*) FILTER (WHERE status = 'unassigned' AND activate_by < ?2) AS expired_unused, \
               count(*) FILTER (WHERE retired_at IS NULL AND (status = 'expired' OR (status = 'active' AND expires_at <= ?2))) AS expired, \
               count(*) FILTER (WHERE status = 'active' AND expires_at > ?2 AND expires_at <= ?3) AS expiring, \
               count(*) FILTER (WHERE status = 'active' AND expires_at > ?2 AND transferable_at > ?2) AS transfer_wait, \
               count(DISTINCT userid) FILTER (WHERE status = 'active' AND expires_at > ?2 AND EXISTS ( \
                 SELECT 1 FROM members m WHERE m.corp_id = seats.corp_id AND m.userid = seats.userid \
                   AND m.in_range = 1 AND m.status = 'active')) AS licensed_members \
             FROM seats WHERE corp_id = ?1",
            activatable(2)
        ))
        .bind(&[corp_id.into(), num(now), num(now + 30 * 86400)])?
        .first()
        .await?;
    Ok(row
        .map(|r| {
            (
                SeatCounts {
                    purchased: r.purchased as u64,
                    active: r.active as u64,
                    unassigned: r.unassigned as u64,
                    expired: r.expired as u64,
                    expiring_30d: r.expiring as u64,
                    expired_unused: r.expired_unused as u64,
                    transfer_wait: r.transfer_wait as u64,
                },
                r.licensed_members as u64,
            )
        })
        .unwrap_or_default())
}

/// WeCom bound a free account to a member who used the app.
pub async fn auto_activated(
    db: &Db,
    corp_id: &str,
    a: &domain::event::ActivatedAccount,
    now: u64,
) -> Result<()> {
    let mut statements = vec![db
        .prepare(
            "INSERT INTO seats (corp_id, active_code, type, status, userid, activated_at, expires_at, wecom_status, updated_at) \
             VALUES (?1, ?2, ?3, 'active', ?4, ?5, ?6, 2, ?5) \
             ON CONFLICT (corp_id, active_code) DO UPDATE SET status = 'active', userid = excluded.userid, \
               activated_at = excluded.activated_at, expires_at = excluded.expires_at, wecom_status = 2, \
               updated_at = excluded.updated_at",
        )
        .bind(&[
            corp_id.into(),
            a.active_code.as_str().into(),
            num(a.account_type.into()),
            a.userid.as_str().into(),
            num(now),
            num(a.expire_time),
        ])?];
    if let Some(old) = &a.previous_active_code {
        statements.push(
            db.prepare(MERGED)
                .bind(&[corp_id.into(), json_str(&[old]), num(now)])?,
        );
    }
    db.batch(statements).await?;
    Ok(())
}
