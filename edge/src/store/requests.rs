//! Seat requests (`unlicensed_notify`: a member opened the app without a
//! seat) and what they are matched with: seats held by members who left.

use super::bind::{json_str, num, JSON_ROWS};
use crate::d1::{Db, Statement};
use domain::api::{IdleSettings, SeatRequest, REQUESTS_LISTED, SUGGESTIONS_WEIGHED};
use domain::wecom::AccountStatus;
use serde::Deserialize;
use worker::Result;

/// A member's visit without a seat, counted as part of applying the event
/// `event_key`: it writes only while that event is not marked applied, so
/// the batch that writes it and marks the event can run again after a lost
/// reply without counting the visit twice.
pub fn record_seat_request_once(
    db: &Db,
    event_key: &str,
    corp_id: &str,
    userid: &str,
    at: u64,
) -> Result<Statement> {
    db.prepare(
        "INSERT INTO seat_requests (corp_id, userid, first_at, last_at, count) \
         SELECT ?1, ?2, ?3, ?3, 1 \
         WHERE NOT EXISTS (SELECT 1 FROM events WHERE dedupe_key = ?4 AND applied_at IS NOT NULL) \
         ON CONFLICT (corp_id, userid) DO UPDATE SET last_at = max(last_at, excluded.last_at), count = count + 1",
    )
    .bind(&[corp_id.into(), userid.into(), num(at), event_key.into()])
}

/// The seat-request inbox: who asked, how often, and whether they now hold
/// a seat; at most [`REQUESTS_LISTED`].
pub async fn seat_requests(db: &Db, corp_id: &str, now: u64) -> Result<Vec<SeatRequest>> {
    #[derive(Deserialize)]
    struct Row {
        userid: String,
        name: Option<String>,
        first_at: f64,
        last_at: f64,
        count: f64,
        has_seat: f64,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT r.userid, m.name, r.first_at, r.last_at, r.count, \
               EXISTS (SELECT 1 FROM seats s WHERE s.corp_id = r.corp_id AND s.userid = r.userid \
                       AND s.status = 'active' AND s.expires_at > ?2) AS has_seat \
             FROM seat_requests r LEFT JOIN members m ON m.corp_id = r.corp_id AND m.userid = r.userid \
             WHERE r.corp_id = ?1 ORDER BY has_seat, r.last_at DESC, r.userid LIMIT ?3",
        )
        .bind(&[corp_id.into(), num(now), num(REQUESTS_LISTED as u64)])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| SeatRequest {
            userid: r.userid,
            name: r.name,
            first_at: r.first_at as u64,
            last_at: r.last_at as u64,
            count: r.count as u64,
            has_seat: (r.has_seat != 0.0) as u8,
        })
        .collect())
}

/// An active seat whose holder left the company or the range.
pub struct IdleSeat {
    pub active_code: String,
    pub seat_type: u8,
    pub handover_userid: String,
    pub expires_at: u64,
    /// `departed`, `out_of_range` or `idle`.
    pub handover_state: String,
    /// An idle seat's last use (or binding, if never used).
    pub idle_since: Option<u64>,
    /// WeCom's own status of the account, when read.
    pub wecom_status: Option<AccountStatus>,
}

/// Active seats whose holder has left the company or the range (these move
/// at once), longest remaining first.
pub async fn idle_seats(db: &Db, corp_id: &str, now: u64) -> Result<Vec<IdleSeat>> {
    #[derive(Deserialize)]
    struct Row {
        active_code: String,
        #[serde(rename = "type")]
        seat_type: f64,
        handover_userid: String,
        expires_at: f64,
        handover_state: String,
        wecom_status: Option<f64>,
        idle_since: f64,
    }
    // Departed and out-of-range holders first (their seats move at once),
    // then in-range holders who have not used the app for the
    // organisation's idle days (since their last use, or since the seat was
    // bound if never) and whose seat may move now.
    let rows: Vec<Row> = db
        .prepare(
            "SELECT s.active_code, s.type, s.userid AS handover_userid, s.expires_at, s.wecom_status, \
               CASE WHEN m.status = 'departed' THEN 'departed' \
                    WHEN m.in_range = 0 THEN 'out_of_range' ELSE 'idle' END AS handover_state, \
               max(m.last_used_at, coalesce(s.activated_at, 0)) AS idle_since \
             FROM seats s JOIN members m ON m.corp_id = s.corp_id AND m.userid = s.userid \
             WHERE s.corp_id = ?1 AND s.status = 'active' AND s.expires_at > ?2 \
               AND (m.status = 'departed' OR m.in_range = 0 \
                 OR (max(m.last_used_at, coalesce(s.activated_at, 0)) \
                       < ?2 - 86400 * (SELECT idle_days FROM organisations WHERE corp_id = ?1) \
                     AND coalesce(s.transferable_at, 0) <= ?2)) \
             ORDER BY handover_state = 'idle', s.expires_at DESC, s.active_code LIMIT ?3",
        )
        .bind(&[corp_id.into(), num(now), num(SUGGESTIONS_WEIGHED as u64)])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| IdleSeat {
            idle_since: (r.handover_state == "idle").then_some(r.idle_since as u64),
            active_code: r.active_code,
            seat_type: r.seat_type as u8,
            handover_userid: r.handover_userid,
            expires_at: r.expires_at as u64,
            handover_state: r.handover_state,
            wecom_status: r.wecom_status.map(|n| AccountStatus::from(n as u32)),
        })
        .collect())
}

/// The organisation's idle days and whether idle seats move each night.
pub async fn idle_settings(db: &Db, corp_id: &str) -> Result<IdleSettings> {
    #[derive(Deserialize)]
    struct Row {
        idle_days: f64,
        auto_move: f64,
    }
    let row: Option<Row> = db
        .prepare("SELECT idle_days, auto_move FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(row.map_or(
        IdleSettings {
            idle_days: 30,
            auto_move: false,
        },
        |r| IdleSettings {
            idle_days: r.idle_days as u64,
            auto_move: r.auto_move != 0.0,
        },
    ))
}

/// Sets them, with the audit row, in one batch.
pub async fn set_idle_settings(
    db: &Db,
    corp_id: &str,
    settings: &IdleSettings,
    actor: &str,
    now: u64,
) -> Result<()> {
    let statements = vec![db
        .prepare("UPDATE organisations SET idle_days = ?2, auto_move = ?3 WHERE corp_id = ?1")
        .bind(&[
            corp_id.into(),
            num(settings.idle_days),
            num(settings.auto_move as u64),
        ])?];
    let detail =
        serde_json::json!({"idle_days": settings.idle_days, "auto_move": settings.auto_move});
    super::bind::write_audited(
        db,
        statements,
        corp_id,
        now,
        actor,
        "idle_settings",
        &detail,
    )
    .await
}

/// An in-range member waiting for a seat.
pub struct Requester {
    pub userid: String,
    pub name: Option<String>,
    pub count: u64,
}

/// In-range members who asked for a seat and still have none, most eager first.
pub async fn waiting_requesters(db: &Db, corp_id: &str, now: u64) -> Result<Vec<Requester>> {
    #[derive(Deserialize)]
    struct Row {
        userid: String,
        name: Option<String>,
        count: f64,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT r.userid, m.name, r.count, r.last_at FROM seat_requests r \
             JOIN members m ON m.corp_id = r.corp_id AND m.userid = r.userid \
             WHERE r.corp_id = ?1 AND m.in_range = 1 AND m.status = 'active' \
               AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.corp_id = r.corp_id AND s.userid = r.userid \
                               AND s.status = 'active' AND s.expires_at > ?2) \
             ORDER BY r.count DESC, r.last_at DESC, r.userid LIMIT ?3",
        )
        .bind(&[corp_id.into(), num(now), num(SUGGESTIONS_WEIGHED as u64)])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| Requester {
            userid: r.userid,
            name: r.name,
            count: r.count as u64,
        })
        .collect())
}

/// A member asks for a seat from their own page: one row per member (a
/// second ask changes nothing). The time of the request that stands, and
/// whether this one made it.
pub async fn ask_for_seat(db: &Db, corp_id: &str, userid: &str, at: u64) -> Result<(u64, bool)> {
    #[derive(Deserialize)]
    struct Row {
        last_at: f64,
    }
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO seat_requests (corp_id, userid, first_at, last_at, count) \
                 VALUES (?1, ?2, ?3, ?3, 1) ON CONFLICT (corp_id, userid) DO NOTHING",
            )
            .bind(&[corp_id.into(), userid.into(), num(at)])?,
            db.prepare("SELECT last_at FROM seat_requests WHERE corp_id = ?1 AND userid = ?2")
                .bind(&[corp_id.into(), userid.into()])?,
        ])
        .await?;
    let new = super::bind::changes(&results[0]) == 1;
    let row: Option<Row> = results[1].results::<Row>()?.into_iter().next();
    Ok((row.map_or(at, |r| r.last_at as u64), new))
}

/// When the member last asked for a seat, if their request is in the inbox.
pub async fn seat_requested_at(db: &Db, corp_id: &str, userid: &str) -> Result<Option<u64>> {
    #[derive(Deserialize)]
    struct Row {
        last_at: f64,
    }
    let row: Option<Row> = db
        .prepare("SELECT last_at FROM seat_requests WHERE corp_id = ?1 AND userid = ?2")
        .bind(&[corp_id.into(), userid.into()])?
        .first()
        .await?;
    Ok(row.map(|r| r.last_at as u64))
}

/// One member's use of the app the access check noted: `at` the moment,
/// `day` the start of its day.
#[derive(serde::Serialize)]
pub struct LastUse {
    #[serde(rename = "c")]
    pub corp_id: String,
    #[serde(rename = "u")]
    pub userid: String,
    #[serde(rename = "n")]
    pub at: u64,
    #[serde(rename = "d")]
    pub day: u64,
}

/// Members used the app: each row is written only when the member's last
/// use is from before its `day`, so a day holds one write a member. The
/// uses go as JSON lists of [`JSON_ROWS`], all in one round trip.
pub async fn note_last_uses(db: &Db, uses: &[LastUse]) -> Result<()> {
    let statements = uses
        .chunks(JSON_ROWS)
        .map(|chunk| {
            db.prepare(
                "UPDATE members SET last_used_at = j.n \
                 FROM (SELECT json_extract(value, '$.c') AS c, json_extract(value, '$.u') AS u, \
                         json_extract(value, '$.n') AS n, json_extract(value, '$.d') AS d \
                       FROM json_each(?1)) AS j \
                 WHERE members.corp_id = j.c AND members.userid = j.u AND members.last_used_at < j.d",
            )
            .bind(&[json_str(&chunk)])
        })
        .collect::<Result<Vec<_>>>()?;
    super::bind::run_batched(db, statements).await
}
