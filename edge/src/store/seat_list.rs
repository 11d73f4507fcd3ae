//! The seat list as the console and the seats export read it: statuses
//! computed at the moment of reading, paged by code, and the seats a page
//! of members holds.

use super::bind::{json_str, num, opt_num, page};
use crate::d1::Db;
use domain::api::{Page, SeatItem};
use domain::wecom::AccountStatus;
use serde::Deserialize;
use worker::{wasm_bindgen::JsValue, Result};

/// A seat's status as shown, right at `?2` (now): a retired code (WeCom no
/// longer knows it), an unbound code past its activation deadline, an
/// active one past its expiry, else the stored status.
const SHOWN_STATUS: &str = "CASE WHEN retired_at IS NOT NULL THEN 'retired' \
       WHEN status = 'unassigned' AND activate_by < ?2 THEN 'expired_unused' \
       WHEN status = 'active' AND expires_at <= ?2 THEN 'expired' ELSE status END";

/// The seat list's filters and the instant its statuses are computed at,
/// as parameters `?1`..`?4` of a `WHERE` over `seats`.
fn seat_filter(
    corp_id: &str,
    status: Option<&str>,
    seat_type: Option<u8>,
    now: u64,
) -> (String, Vec<JsValue>) {
    (
        format!(
            "corp_id = ?1 AND (?3 IS NULL OR ({SHOWN_STATUS}) = ?3) AND (?4 IS NULL OR type = ?4)"
        ),
        vec![
            corp_id.into(),
            num(now),
            status.map(JsValue::from).unwrap_or(JsValue::NULL),
            opt_num(seat_type.map(u64::from)),
        ],
    )
}

/// The seat list; `status` is computed so it is right at `now`.
pub async fn seat_page(
    db: &Db,
    corp_id: &str,
    status: Option<&str>,
    seat_type: Option<u8>,
    cursor: Option<&str>,
    limit: u64,
    now: u64,
) -> Result<Page<SeatItem>> {
    let total = seat_count(db, corp_id, status, seat_type, now).await?;
    let items = seat_rows(db, corp_id, status, seat_type, cursor, limit + 1, now).await?;
    Ok(page(items, limit, total, |s| s.active_code.clone()))
}

/// How many seats match: one query.
pub async fn seat_count(
    db: &Db,
    corp_id: &str,
    status: Option<&str>,
    seat_type: Option<u8>,
    now: u64,
) -> Result<u64> {
    #[derive(Deserialize)]
    struct Count {
        n: f64,
    }
    let (filters, params) = seat_filter(corp_id, status, seat_type, now);
    let total: Option<Count> = db
        .prepare(format!("SELECT count(*) AS n FROM seats WHERE {filters}"))
        .bind(&params)?
        .first()
        .await?;
    Ok(total.map(|c| c.n as u64).unwrap_or(0))
}

/// Up to `limit` seats after code `cursor`, in code order: one query.
pub async fn seat_rows(
    db: &Db,
    corp_id: &str,
    status: Option<&str>,
    seat_type: Option<u8>,
    cursor: Option<&str>,
    limit: u64,
    now: u64,
) -> Result<Vec<SeatItem>> {
    #[derive(Deserialize)]
    struct Row {
        active_code: String,
        #[serde(rename = "type")]
        seat_type: f64,
        st: String,
        userid: Option<String>,
        activated_at: Option<f64>,
        expires_at: Option<f64>,
        transferable_at: Option<f64>,
        wecom_status: Option<f64>,
        activate_by: Option<f64>,
    }
    let (filters, mut params) = seat_filter(corp_id, status, seat_type, now);
    params.extend([cursor.unwrap_or("").into(), num(limit)]);
    let rows: Vec<Row> = db
        .prepare(format!(
            "SELECT active_code, type, {SHOWN_STATUS} AS st, userid, activated_at, expires_at, transferable_at, wecom_status, \
               CASE WHEN status = 'unassigned' THEN activate_by END AS activate_by \
             FROM seats WHERE {filters} AND active_code > ?5 ORDER BY active_code LIMIT ?6"
        ))
        .bind(&params)?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| SeatItem {
            active_code: r.active_code,
            seat_type: r.seat_type as u8,
            status: r.st,
            userid: r.userid,
            activated_at: r.activated_at.map(|t| t as u64),
            expires_at: r.expires_at.map(|t| t as u64),
            transferable_at: r.transferable_at.map(|t| t as u64).filter(|t| *t > now),
            wecom_status: r.wecom_status.map(|n| AccountStatus::from(n as u32)),
            activate_by: r.activate_by.map(|t| t as u64),
        })
        .collect())
}

/// A member's seat of one type, as the members export shows it: the one
/// that lasts longest (a member may hold an expired seat and a new one).
#[derive(Debug, Clone, PartialEq)]
pub struct HeldSeat {
    pub userid: String,
    pub seat_type: u8,
    /// As the seat list computes it at `now`.
    pub status: String,
    pub expires_at: Option<u64>,
}

/// The seats these members hold (bound to them, not refunded), the
/// longest-lasting one per member and type; one query.
pub async fn held_seats(
    db: &Db,
    corp_id: &str,
    userids: &[&str],
    now: u64,
) -> Result<Vec<HeldSeat>> {
    #[derive(Deserialize)]
    struct Row {
        userid: String,
        #[serde(rename = "type")]
        seat_type: f64,
        st: String,
        expires_at: Option<f64>,
    }
    let rows: Vec<Row> = db
        .prepare(format!(
            "SELECT userid, type, {SHOWN_STATUS} AS st, expires_at FROM seats \
             WHERE corp_id = ?1 AND userid IN (SELECT value FROM json_each(?3)) AND status != 'refunded' \
             ORDER BY userid, type, coalesce(expires_at, 0) DESC"
        ))
        .bind(&[corp_id.into(), num(now), json_str(&userids)])?
        .all()
        .await?
        .results()?;
    let mut held: Vec<HeldSeat> = vec![];
    for r in rows {
        let seat_type = r.seat_type as u8;
        if held
            .last()
            .is_some_and(|h| h.userid == r.userid && h.seat_type == seat_type)
        {
            continue;
        }
        held.push(HeldSeat {
            userid: r.userid,
            seat_type,
            status: r.st,
            expires_at: r.expires_at.map(|t| t as u64),
        });
    }
    Ok(held)
}
