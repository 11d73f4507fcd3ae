//! CSV exports of members (with their seats), seats, orders and the audit
//! log: `GET /api/v1/corps/{corp_id}/export/<what>.csv`. Each is streamed:
//! the Worker reads D1 a page at a time ([`EXPORT_PAGE_ROWS`]) and sends
//! each page on before reading the next, so an export of 100 000 members
//! never holds more than one page. The first line is the header; cells are
//! `domain::csv`'s (UTF-8 with BOM, formula-safe); moments are China
//! Standard Time, `YYYY-MM-DD HH:MM:SS` (`domain::when`).

use crate::clock::now_secs;
use crate::contacts::routes::filter as member_filter;
use crate::d1::Db;
use crate::error::ApiError;
use crate::http::{Admin, IntoAnswer, Query};
use crate::reports::audit::filter as audit_filter;
use crate::seats::routes::seat_filter;
use crate::shard;
use crate::store::{self, AuditFilter, HeldSeat, MemberFilter, D1_QUERIES_PER_INVOCATION};
use domain::api::{AuditFilters, MemberFilters, MemberItem, SeatFilters, EXPORT_ROWS_MAX};
use domain::csv;
use domain::when::date_time;
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use std::future::Future;
use std::rc::Rc;
use worker::{Env, Response};

/// Rows read per D1 query. D1 allows 50 queries per Worker invocation on
/// the Free plan (`store::D1_QUERIES_PER_INVOCATION`, D1 limits), and a
/// streamed answer is still its request's invocation: pages of 5 000 let
/// the members export (two queries a page: members, then their seats)
/// reach `EXPORT_ROWS_MAX` within it. A page of members is about 1 MB.
pub const EXPORT_PAGE_ROWS: u64 = 5_000;

/// Queries an export leaves to what ran before its first page (the
/// session's check, the count).
const QUERIES_BEFORE_PAGES: usize = 8;

// The most an export gives fits the budget, and a 100 000-member
// organisation exports whole.
const _: () = assert!(
    EXPORT_ROWS_MAX >= 100_000
        && EXPORT_ROWS_MAX.div_ceil(EXPORT_PAGE_ROWS) as usize * 2 + QUERIES_BEFORE_PAGES
            <= D1_QUERIES_PER_INVOCATION
);

/// A CSV answer, streamed.
pub struct Csv(Response);

impl IntoAnswer for Csv {
    fn into_answer(self) -> Result<Response, ApiError> {
        Ok(self.0)
    }
}

/// One page of an export: its lines of cells, and where the next starts
/// (`None`: this was the last).
type Lines = (Vec<Vec<String>>, Option<String>);

/// The answer: `name` as the file's name, the header line, then each page
/// `next(cursor)` reads, sent as it comes.
fn streamed<F, Fut>(name: &str, header: &[&str], next: F) -> Result<Csv, ApiError>
where
    F: Fn(Option<String>) -> Fut + 'static,
    Fut: Future<Output = Result<Lines, ApiError>> + 'static,
{
    let first = format!("{}{}", csv::BOM, csv::line(header));
    let next = Rc::new(next);
    // (cursor of the next page, whether one is left)
    let pages = stream::unfold((None::<String>, true), move |(cursor, more)| {
        let next = Rc::clone(&next);
        async move {
            if !more {
                return None;
            }
            match next(cursor).await {
                Ok((lines, after)) => {
                    let text: String = lines.iter().map(|l| csv::line(l)).collect();
                    let more = after.is_some();
                    Some((Ok(text.into_bytes()), (after, more)))
                }
                Err(e) => {
                    // The header is sent: the download ends short, and says so.
                    worker::console_error!("export: {}", e.message);
                    Some((
                        Err(worker::Error::RustError(format!(
                            "export cut short: {}",
                            e.message
                        ))),
                        (None, false),
                    ))
                }
            }
        }
    });
    let body =
        stream::once(async move { Ok::<Vec<u8>, worker::Error>(first.into_bytes()) }).chain(pages);
    let mut resp = Response::from_stream(body)?;
    let headers = resp.headers_mut();
    headers.set("Content-Type", "text/csv; charset=utf-8")?;
    headers.set(
        "Content-Disposition",
        &format!("attachment; filename=\"{name}\""),
    )?;
    headers.set("Cache-Control", "no-store")?;
    Ok(Csv(resp))
}

/// The page after `rows`, when it was full.
fn after<T>(rows: &[T], key: impl Fn(&T) -> String) -> Option<String> {
    (rows.len() as u64 == EXPORT_PAGE_ROWS)
        .then(|| rows.last().map(key))
        .flatten()
}

/// 400 when more rows match than one export gives.
fn within_bound(total: u64) -> Result<(), ApiError> {
    if total > EXPORT_ROWS_MAX {
        return Err(ApiError::bad_request(format!(
            "{total} rows match, more than the {EXPORT_ROWS_MAX} one export gives: narrow the filter (a department, a status)"
        )));
    }
    Ok(())
}

/// A moment as the exports write it, or an empty cell.
fn moment(at: Option<u64>) -> String {
    at.map(date_time).unwrap_or_default()
}

/// An enum as its JSON word.
fn word<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

async fn db(env: &Env, corp_id: &str) -> Result<Db, ApiError> {
    shard::db_for(env, corp_id).await
}

/// The members export's columns.
const MEMBER_COLUMNS: [&str; 10] = [
    "userid",
    "name",
    "department_ids",
    "in_range",
    "status",
    "via",
    "base_seat",
    "base_seat_expires",
    "interconnect_seat",
    "interconnect_seat_expires",
];

/// One member's line: their fields, then each seat type's status and end.
pub fn member_line(m: &MemberItem, held: &[HeldSeat]) -> Vec<String> {
    let seat = |t: u8| {
        held.iter()
            .find(|h| h.userid == m.userid && h.seat_type == t)
    };
    let mut line = vec![
        m.userid.clone(),
        m.name.clone(),
        m.department_ids
            .as_ref()
            .map(|ids| ids.iter().map(u64::to_string).collect::<Vec<_>>().join(";"))
            .unwrap_or_default(),
        m.in_range.to_string(),
        m.status.as_str().to_owned(),
        m.via.iter().map(word).collect::<Vec<_>>().join(";"),
    ];
    for t in [1, 2] {
        line.push(seat(t).map(|s| s.status.clone()).unwrap_or_default());
        line.push(moment(seat(t).and_then(|s| s.expires_at)));
    }
    line
}

/// `GET .../export/members.csv`: the members list's filters, every match.
pub async fn members(a: Admin, Query(q): Query<MemberFilters>) -> Result<Csv, ApiError> {
    let now = now_secs();
    let filter: MemberFilter = member_filter(&q, now)?;
    within_bound(store::member_count(&a.db().await?, a.corp_id(), &filter).await?)?;
    let (env, corp) = (a.env.clone(), a.corp_id().to_owned());
    streamed("members.csv", &MEMBER_COLUMNS, move |cursor| {
        let (env, corp, filter) = (env.clone(), corp.clone(), filter.clone());
        async move {
            let db = db(&env, &corp).await?;
            let rows = store::member_rows(&db, &corp, &filter, cursor.as_deref(), EXPORT_PAGE_ROWS)
                .await?;
            let userids: Vec<&str> = rows.iter().map(|m| m.userid.as_str()).collect();
            let held = if userids.is_empty() {
                vec![]
            } else {
                store::held_seats(&db, &corp, &userids, now).await?
            };
            let lines = rows.iter().map(|m| member_line(m, &held)).collect();
            Ok((lines, after(&rows, |m| m.userid.clone())))
        }
    })
}

/// `GET .../export/seats.csv`: the seat list's filters, every match.
pub async fn seats(a: Admin, Query(q): Query<SeatFilters>) -> Result<Csv, ApiError> {
    let (status, seat_type) = seat_filter(&q)?;
    let (status, now) = (status.map(str::to_owned), now_secs());
    let total = store::seat_count(
        &a.db().await?,
        a.corp_id(),
        status.as_deref(),
        seat_type,
        now,
    )
    .await?;
    within_bound(total)?;
    let (env, corp) = (a.env.clone(), a.corp_id().to_owned());
    let header = [
        "active_code",
        "type",
        "status",
        "userid",
        "activated_at",
        "expires_at",
        "transferable_at",
        "activate_by",
        "wecom_status",
    ];
    streamed("seats.csv", &header, move |cursor| {
        let (env, corp, status) = (env.clone(), corp.clone(), status.clone());
        async move {
            let rows = store::seat_rows(
                &db(&env, &corp).await?,
                &corp,
                status.as_deref(),
                seat_type,
                cursor.as_deref(),
                EXPORT_PAGE_ROWS,
                now,
            )
            .await?;
            let lines = rows
                .iter()
                .map(|s| {
                    vec![
                        s.active_code.clone(),
                        if s.seat_type == 2 {
                            "interconnect"
                        } else {
                            "base"
                        }
                        .to_owned(),
                        s.status.clone(),
                        s.userid.clone().unwrap_or_default(),
                        moment(s.activated_at),
                        moment(s.expires_at),
                        moment(s.transferable_at),
                        moment(s.activate_by),
                        s.wecom_status.as_ref().map(word).unwrap_or_default(),
                    ]
                })
                .collect();
            Ok((lines, after(&rows, |s| s.active_code.clone())))
        }
    })
}

/// `GET .../export/orders.csv`: every order mirrored from WeCom, by id.
pub async fn orders(a: Admin, _: ()) -> Result<Csv, ApiError> {
    let (env, corp) = (a.env.clone(), a.corp_id().to_owned());
    let header = [
        "order_id",
        "order_type",
        "order_status",
        "base_count",
        "interconnect_count",
        "duration_days",
        "created_at",
        "paid_at",
    ];
    streamed("orders.csv", &header, move |cursor| {
        let (env, corp) = (env.clone(), corp.clone());
        async move {
            let rows = store::order_rows(
                &db(&env, &corp).await?,
                &corp,
                cursor.as_deref(),
                EXPORT_PAGE_ROWS,
            )
            .await?;
            let lines = rows
                .iter()
                .map(|o| {
                    vec![
                        o.order_id.clone(),
                        word(&o.order_type),
                        word(&o.order_status),
                        o.base_count.to_string(),
                        o.interconnect_count.to_string(),
                        o.duration_days.to_string(),
                        moment(Some(o.created_at).filter(|t| *t > 0)),
                        moment(Some(o.paid_at).filter(|t| *t > 0)),
                    ]
                })
                .collect();
            Ok((lines, after(&rows, |o| o.order_id.clone())))
        }
    })
}

/// `GET .../export/audit.csv`: the audit log's filters, newest first.
pub async fn audit(a: Admin, Query(q): Query<AuditFilters>) -> Result<Csv, ApiError> {
    let filter: AuditFilter = audit_filter(&q)?;
    within_bound(store::audit_count(&a.db().await?, a.corp_id(), &filter).await?)?;
    let (env, corp) = (a.env.clone(), a.corp_id().to_owned());
    let header = ["id", "at", "actor", "action", "detail"];
    streamed("audit.csv", &header, move |cursor| {
        let (env, corp, filter) = (env.clone(), corp.clone(), filter.clone());
        async move {
            let before = cursor.and_then(|c| c.parse::<u64>().ok());
            let rows = store::audit_rows(
                &db(&env, &corp).await?,
                &corp,
                &filter,
                before,
                EXPORT_PAGE_ROWS,
            )
            .await?;
            let lines = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        date_time(r.at),
                        r.actor.clone(),
                        r.action.clone(),
                        r.detail.to_string(),
                    ]
                })
                .collect();
            Ok((lines, after(&rows, |r| r.id.to_string())))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::range::{Status, Via};

    #[test]
    fn a_member_line_carries_each_seat_types_status_and_end() {
        let m = MemberItem {
            userid: "dev1".into(),
            name: "开发一".into(),
            department_ids: Some(vec![2, 3]),
            department_known: true,
            in_range: true,
            status: Status::Active,
            via: vec![Via::Department, Via::Individual],
            seat: None,
        };
        let held = [
            HeldSeat {
                userid: "dev1".into(),
                seat_type: 2,
                status: "active".into(),
                expires_at: Some(0),
            },
            HeldSeat {
                userid: "other".into(),
                seat_type: 1,
                status: "active".into(),
                expires_at: None,
            },
        ];
        assert_eq!(
            member_line(&m, &held),
            [
                "dev1",
                "开发一",
                "2;3",
                "true",
                "active",
                "department;individual",
                "",
                "",
                "active",
                "1970-01-01 08:00:00"
            ]
        );
    }

    #[test]
    fn the_next_page_starts_after_a_full_one_only() {
        let full: Vec<u64> = (0..EXPORT_PAGE_ROWS).collect();
        assert_eq!(
            after(&full, u64::to_string),
            Some((EXPORT_PAGE_ROWS - 1).to_string())
        );
        assert_eq!(after(&full[1..], u64::to_string), None);
        assert_eq!(after(&Vec::<u64>::new(), u64::to_string), None);
    }

    #[test]
    fn more_rows_than_one_export_gives_are_refused_before_sending() {
        assert!(within_bound(EXPORT_ROWS_MAX).is_ok());
        let e = within_bound(EXPORT_ROWS_MAX + 1).unwrap_err();
        assert_eq!(e.status, 400);
        assert!(e.message.contains("narrow the filter"), "{}", e.message);
    }
}
