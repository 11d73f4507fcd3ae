//! The console's reads of members: the filtered, server-paged members
//! table with each member's seats, and the range's counts.

use super::bind::{num, page};
use super::contacts::{MemberRow, MEMBER_COLUMNS};
use crate::d1::{Db, Statement};
use domain::api::{MemberItem, MemberSeat, Page};
use domain::range::Status;
use serde::Deserialize;
use worker::{wasm_bindgen::JsValue, Result};

#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    pub q: Option<String>,
    pub status: Option<Status>,
    pub in_range: Option<bool>,
    pub department_known: Option<bool>,
    pub department_id: Option<u64>,
    /// `department_id`'s whole subtree.
    pub sub_departments: bool,
    /// Holds an active seat (`true`) or none (`false`) at `now`.
    pub licensed: Option<bool>,
    /// Holds an active seat of this type at `now`.
    pub seat_type: Option<u8>,
    /// The moment seats are judged at.
    pub now: u64,
}

/// A member's active seat at `?{now}`, as a correlated condition.
fn holds_seat(now: usize, seat_type: Option<usize>) -> String {
    let of_type = seat_type
        .map(|t| format!(" AND s.type = ?{t}"))
        .unwrap_or_default();
    format!(
        "EXISTS (SELECT 1 FROM seats s WHERE s.corp_id = members.corp_id AND s.userid = members.userid \
         AND s.status = 'active' AND s.expires_at > ?{now}{of_type})"
    )
}

impl MemberFilter {
    /// `AND ...` conditions after `corp_id = ?1`, with their values.
    fn sql(&self, first_param: usize) -> (String, Vec<JsValue>) {
        let mut sql = String::new();
        let mut values: Vec<JsValue> = vec![];
        let next = |v: JsValue, values: &mut Vec<JsValue>| {
            values.push(v);
            first_param + values.len() - 1
        };
        if let Some(status) = self.status {
            let n = next(status.as_str().into(), &mut values);
            sql.push_str(&format!(" AND status = ?{n}"));
        }
        if let Some(in_range) = self.in_range {
            let n = next(num(in_range as u64), &mut values);
            sql.push_str(&format!(" AND in_range = ?{n}"));
        }
        if let Some(known) = self.department_known {
            let n = next(num(known as u64), &mut values);
            sql.push_str(&format!(" AND department_known = ?{n}"));
        }
        if let Some(dept) = self.department_id {
            let n = next(num(dept), &mut values);
            if self.sub_departments {
                // The department and every one below it (`?1` is the
                // organisation in every member query).
                sql.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM json_each(members.department_ids) j WHERE j.value IN ( \
                       WITH RECURSIVE sub(id) AS (SELECT ?{n} UNION \
                         SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id \
                         WHERE d.corp_id = ?1 AND d.id != d.parent_id) \
                       SELECT id FROM sub))"
                ));
            } else {
                sql.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM json_each(members.department_ids) WHERE value = ?{n})"
                ));
            }
        }
        if self.licensed.is_some() || self.seat_type.is_some() {
            let now = next(num(self.now), &mut values);
            if let Some(licensed) = self.licensed {
                let not = if licensed { "" } else { "NOT " };
                sql.push_str(&format!(" AND {not}{}", holds_seat(now, None)));
            }
            if let Some(t) = self.seat_type {
                let t = next(num(u64::from(t)), &mut values);
                sql.push_str(&format!(" AND {}", holds_seat(now, Some(t))));
            }
        }
        if let Some(q) = self.q.as_deref().filter(|q| !q.is_empty()) {
            let n = next(like_pattern(q).into(), &mut values);
            sql.push_str(&format!(
                " AND (name LIKE ?{n} ESCAPE '\\' OR userid LIKE ?{n} ESCAPE '\\')"
            ));
        }
        (sql, values)
    }
}

/// D1 refuses a LIKE or GLOB pattern longer than 50 bytes ("Maximum
/// characters (bytes) in a LIKE or GLOB pattern",
/// <https://developers.cloudflare.com/d1/platform/limits/>).
pub const LIKE_PATTERN_MAX_BYTES: usize = 50;

/// The LIKE pattern of a search: `q` anywhere, its `%`, `_` and `\` taken
/// literally.
pub(super) fn like_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A search D1 would refuse (its pattern past [`LIKE_PATTERN_MAX_BYTES`]).
#[derive(Debug, thiserror::Error)]
#[error(
    "q is too long: a search takes at most {max} bytes (D1's LIKE pattern limit less the two wildcards; \
     %, _ and \\ count twice, a Chinese character three times), this one is {len}"
)]
pub struct SearchTooLong {
    pub len: usize,
    pub max: usize,
}

/// Whether D1 can search for `q`.
pub fn check_search(q: &str) -> std::result::Result<(), SearchTooLong> {
    let len = like_pattern(q).len() - 2;
    let max = LIKE_PATTERN_MAX_BYTES - 2;
    if len > max {
        return Err(SearchTooLong { len, max });
    }
    Ok(())
}

/// One page of members after the cursor, and how many match: one round
/// trip. The count reads every matching member, so only the first page
/// counts; the cursor (`{total}~{userid}`) carries the total to the pages
/// after it (a bare userid, as older pages gave, is counted again).
pub async fn member_page(
    db: &Db,
    corp_id: &str,
    filter: &MemberFilter,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Page<MemberItem>> {
    let (carried, after) = match cursor.map(|c| c.split_once('~')) {
        Some(Some((total, userid))) if total.parse::<u64>().is_ok() => {
            (total.parse::<u64>().ok(), Some(userid))
        }
        _ => (None, cursor),
    };
    let mut statements = vec![member_rows_statement(
        db,
        corp_id,
        filter,
        after,
        limit + 1,
    )?];
    if carried.is_none() {
        statements.push(member_count_statement(db, corp_id, filter)?);
    }
    let results = db.batch(statements).await?;
    let items = member_items(results[0].results()?);
    let total = match (carried, results.get(1)) {
        (Some(total), _) => total,
        (None, Some(count)) => count.results::<Count>()?.first().map_or(0, |c| c.n as u64),
        (None, None) => 0,
    };
    Ok(page(items, limit, total, |m| {
        format!("{total}~{}", m.userid)
    }))
}

#[derive(Deserialize)]
struct Count {
    n: f64,
}

fn member_count_statement(db: &Db, corp_id: &str, filter: &MemberFilter) -> Result<Statement> {
    let (conditions, values) = filter.sql(2);
    let mut count_params: Vec<JsValue> = vec![corp_id.into()];
    count_params.extend(values.iter().cloned());
    db.prepare(format!(
        "SELECT count(*) AS n FROM members WHERE corp_id = ?1{conditions}"
    ))
    .bind(&count_params)
}

/// How many members match: one query.
pub async fn member_count(db: &Db, corp_id: &str, filter: &MemberFilter) -> Result<u64> {
    let counted = member_count_statement(db, corp_id, filter)?.all().await?;
    Ok(counted
        .results::<Count>()?
        .first()
        .map_or(0, |c| c.n as u64))
}

/// A member row with its active seat, as [`member_rows_statement`] reads it.
#[derive(Deserialize)]
struct MemberSeatRow {
    #[serde(flatten)]
    member: MemberRow,
    /// `[type, expires_at]` of the active seat, as JSON text.
    seat: Option<String>,
}

/// Up to `limit` members after userid `cursor` (from the first when
/// `None`), in userid order, each with its active seat.
fn member_rows_statement(
    db: &Db,
    corp_id: &str,
    filter: &MemberFilter,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Statement> {
    let (conditions, values) = filter.sql(5);
    let mut params: Vec<JsValue> = vec![
        corp_id.into(),
        cursor.unwrap_or("").into(),
        num(limit),
        num(filter.now),
    ];
    params.extend(values);
    db.prepare(format!(
        "SELECT {MEMBER_COLUMNS}, (SELECT json_array(s.type, s.expires_at) FROM seats s \
           WHERE s.corp_id = members.corp_id AND s.userid = members.userid \
             AND s.status = 'active' AND s.expires_at > ?4 \
           ORDER BY s.expires_at DESC LIMIT 1) AS seat \
         FROM members WHERE corp_id = ?1 AND userid > ?2{conditions} \
         ORDER BY userid LIMIT ?3"
    ))
    .bind(&params)
}

/// Up to `limit` members after userid `cursor` (from the first when
/// `None`), in userid order: one query.
pub async fn member_rows(
    db: &Db,
    corp_id: &str,
    filter: &MemberFilter,
    cursor: Option<&str>,
    limit: u64,
) -> Result<Vec<MemberItem>> {
    let rows = member_rows_statement(db, corp_id, filter, cursor, limit)?
        .all()
        .await?
        .results()?;
    Ok(member_items(rows))
}

fn member_items(rows: Vec<MemberSeatRow>) -> Vec<MemberItem> {
    rows.into_iter()
        .map(|r| {
            let seat = r
                .seat
                .and_then(|s| serde_json::from_str::<(u8, u64)>(&s).ok())
                .map(|(seat_type, expires_at)| MemberSeat {
                    seat_type,
                    expires_at,
                });
            let m = r.member.record();
            MemberItem {
                department_known: m.department_known(),
                userid: m.userid,
                name: m.name,
                department_ids: m.department_ids,
                in_range: m.in_range,
                status: m.status,
                via: m.via.into_iter().collect(),
                seat,
            }
        })
        .collect()
}

/// Active in-range members, those of them seen without a department, and
/// in-range departments.
#[derive(Debug, Clone, Copy, Default)]
pub struct RangeCounts {
    pub members: u64,
    pub without_department: u64,
    pub departments: u64,
}

pub async fn range_counts(db: &Db, corp_id: &str) -> Result<RangeCounts> {
    #[derive(Deserialize)]
    struct Row {
        members: f64,
        without_department: f64,
        departments: f64,
    }
    let row: Option<Row> = db
        .prepare(
            // The members walked once for both counts.
            "SELECT count(*) AS members, coalesce(sum(department_known = 0), 0) AS without_department, \
               (SELECT count(*) FROM departments WHERE corp_id = ?1) AS departments \
             FROM members WHERE corp_id = ?1 AND in_range = 1 AND status = 'active'",
        )
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(row
        .map(|r| RangeCounts {
            members: r.members as u64,
            without_department: r.without_department as u64,
            departments: r.departments as u64,
        })
        .unwrap_or_default())
}
