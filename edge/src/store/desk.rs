//! The provider's desk (`desk`, migration 0018): one row per installed
//! organisation, refreshed from its own tables in one statement by the
//! cron's reconcile and at install, and read a page at a time through the
//! index of the column it is sorted by.

use super::bind::{audit_statement, num};
use super::member_list::like_pattern;
use super::seats::activatable;
use crate::d1::Db;
use domain::api::{
    DeskCursor, DeskFilters, DeskRow, DeskSort, EXPIRING_DAYS, REFUSED_DAYS, STALE_SECS,
    TRIAL_ENDING_DAYS,
};
use serde::Deserialize;
use worker::wasm_bindgen::JsValue;
use worker::Result;

const DAY: u64 = 86_400;

/// Every figure of the row but the name, in the table's order.
const FIGURES: &str = "members_in_range, seats_bought, seats_active, seats_free, seats_expiring, \
    asking, refused, trial_ends_at, license_check_time, failed_events, last_sync_at, sync_state, \
    renewal_asked_at, renewal_days";

/// Recomputes the organisation's desk row from its tables: one read on
/// the organisation's database (`db`), then one statement on the home
/// database (`home`, where the desk is), which writes nothing when no
/// figure changed (a reconcile that finds nothing new writes no row).
/// An organisation no longer installed loses its row.
pub async fn refresh_desk_row(db: &Db, home: &Db, corp_id: &str, now: u64) -> Result<()> {
    let without_seat = "NOT EXISTS (SELECT 1 FROM seats s WHERE s.corp_id = r.corp_id \
        AND s.userid = r.userid AND s.status = 'active' AND s.expires_at > ?2)";
    let figures = format!(
        "SELECT o.corp_id, o.corp_name, \
           (SELECT count(*) FROM members m WHERE m.corp_id = ?1 AND m.in_range = 1 AND m.status = 'active') AS members_in_range, \
           (SELECT count(*) FROM seats WHERE corp_id = ?1 AND status != 'refunded' AND retired_at IS NULL) AS seats_bought, \
           (SELECT count(*) FROM seats WHERE corp_id = ?1 AND status = 'active' AND expires_at > ?2) AS seats_active, \
           (SELECT count(*) FROM seats WHERE corp_id = ?1 AND {free}) AS seats_free, \
           (SELECT count(*) FROM seats WHERE corp_id = ?1 AND status = 'active' AND expires_at > ?2 AND expires_at <= ?3) AS seats_expiring, \
           (SELECT count(*) FROM seat_requests r WHERE r.corp_id = ?1 AND {without_seat}) AS asking, \
           (SELECT count(*) FROM seat_requests r WHERE r.corp_id = ?1 AND r.last_at > ?4 AND {without_seat}) AS refused, \
           coalesce(CASE WHEN o.license_status = 1 THEN o.trial_end END, 0) AS trial_ends_at, \
           coalesce(o.license_check_time, 0) AS license_check_time, \
           (SELECT count(*) FROM events WHERE corp_id = ?1 AND applied_at IS NULL AND failed_at IS NOT NULL) AS failed_events, \
           coalesce(o.last_synced_at, 0) AS last_sync_at, \
           CASE WHEN EXISTS (SELECT 1 FROM sync_leases l WHERE l.corp_id = ?1 AND l.expires_at > ?2) THEN 'running' \
                WHEN o.last_synced_at IS NOT NULL THEN 'done' ELSE 'idle' END AS sync_state, \
           coalesce(o.renewal_asked_at, 0) AS renewal_asked_at, coalesce(o.renewal_days, 0) AS renewal_days, \
           ?2 AS updated_at \
         FROM organisations o WHERE o.corp_id = ?1",
        free = activatable(2),
    );
    let Some(r) = db
        .prepare(figures)
        .bind(&[
            corp_id.into(),
            num(now),
            num(now + EXPIRING_DAYS * DAY),
            num(now.saturating_sub(REFUSED_DAYS * DAY)),
        ])?
        .first::<Row>()
        .await?
    else {
        // Removed between its changes and this refresh: its row goes too.
        home.prepare("DELETE FROM desk WHERE corp_id = ?1")
            .bind(&[corp_id.into()])?
            .run()
            .await?;
        return Ok(());
    };
    let sql = format!(
        "INSERT INTO desk (corp_id, corp_name, {FIGURES}, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) \
         ON CONFLICT (corp_id) DO UPDATE SET corp_name = excluded.corp_name, \
           members_in_range = excluded.members_in_range, seats_bought = excluded.seats_bought, \
           seats_active = excluded.seats_active, seats_free = excluded.seats_free, \
           seats_expiring = excluded.seats_expiring, asking = excluded.asking, refused = excluded.refused, \
           trial_ends_at = excluded.trial_ends_at, license_check_time = excluded.license_check_time, \
           failed_events = excluded.failed_events, last_sync_at = excluded.last_sync_at, \
           sync_state = excluded.sync_state, renewal_asked_at = excluded.renewal_asked_at, \
           renewal_days = excluded.renewal_days, updated_at = excluded.updated_at \
         WHERE (corp_name, {FIGURES}) IS NOT (excluded.corp_name, excluded.{figures})",
        figures = FIGURES.replace(", ", ", excluded."),
    );
    let n = |v: f64| JsValue::from_f64(v);
    home.prepare(sql)
        .bind(&[
            r.corp_id.as_str().into(),
            r.corp_name.as_str().into(),
            n(r.members_in_range),
            n(r.seats_bought),
            n(r.seats_active),
            n(r.seats_free),
            n(r.seats_expiring),
            n(r.asking),
            n(r.refused),
            n(r.trial_ends_at),
            n(r.license_check_time),
            n(r.failed_events),
            n(r.last_sync_at),
            r.sync_state.as_str().into(),
            n(r.renewal_asked_at),
            n(r.renewal_days),
            n(r.updated_at),
        ])?
        .run()
        .await?;
    Ok(())
}

#[derive(Deserialize)]
struct Row {
    corp_id: String,
    corp_name: String,
    members_in_range: f64,
    seats_bought: f64,
    seats_active: f64,
    seats_free: f64,
    seats_expiring: f64,
    asking: f64,
    refused: f64,
    trial_ends_at: f64,
    license_check_time: f64,
    failed_events: f64,
    last_sync_at: f64,
    sync_state: String,
    renewal_asked_at: f64,
    renewal_days: f64,
    updated_at: f64,
}

/// 0 in the table stands for "none".
fn some(t: f64) -> Option<u64> {
    (t > 0.0).then_some(t as u64)
}

impl From<Row> for DeskRow {
    fn from(r: Row) -> DeskRow {
        DeskRow {
            corp_id: r.corp_id,
            corp_name: r.corp_name,
            members_in_range: r.members_in_range as u64,
            seats_bought: r.seats_bought as u64,
            seats_active: r.seats_active as u64,
            seats_free: r.seats_free as u64,
            seats_expiring: r.seats_expiring as u64,
            asking: r.asking as u64,
            refused: r.refused as u64,
            trial_ends_at: some(r.trial_ends_at),
            license_check_time: some(r.license_check_time),
            failed_events: r.failed_events as u64,
            last_sync_at: some(r.last_sync_at),
            sync_state: r.sync_state,
            renewal_asked_at: some(r.renewal_asked_at),
            renewal_days: some(r.renewal_days),
            updated_at: r.updated_at as u64,
        }
    }
}

/// Binds a value and names its placeholder.
fn bind(binds: &mut Vec<JsValue>, v: JsValue) -> String {
    binds.push(v);
    format!("?{}", binds.len())
}

/// The filters as SQL over `desk` (each clause starting with `AND`), their
/// values bound in `binds`.
fn filter_sql(f: &DeskFilters, now: u64, binds: &mut Vec<JsValue>) -> String {
    let mut sql = String::new();
    if let Some(q) = &f.q {
        let p = bind(binds, like_pattern(q).into());
        sql += &format!(" AND (corp_name LIKE {p} ESCAPE '\\' OR corp_id LIKE {p} ESCAPE '\\')");
    }
    if f.trial_ending {
        let (from, to) = (
            bind(binds, num(now)),
            bind(binds, num(now + TRIAL_ENDING_DAYS * DAY)),
        );
        sql += &format!(" AND trial_ends_at > {from} AND trial_ends_at <= {to}");
    }
    if f.short {
        sql += " AND (refused > 0 OR asking > seats_free)";
    }
    if f.expiring {
        sql += " AND seats_expiring > 0";
    }
    if f.failing {
        sql += " AND failed_events > 0";
    }
    if f.renewal_asked {
        sql += " AND renewal_asked_at > 0";
    }
    if f.stale {
        let since = bind(binds, num(now.saturating_sub(STALE_SECS)));
        sql += &format!(" AND sync_state != 'running' AND last_sync_at < {since}");
    }
    sql
}

#[derive(Deserialize)]
struct Count {
    n: f64,
}

/// One page of the desk sorted by `sort` (then corp id), after `cursor`;
/// the next cursor, and how many organisations the filters match (counted
/// for the first page, carried by the cursor after). One round trip: the
/// page and the count in one batch.
pub async fn desk_page(
    db: &Db,
    filters: &DeskFilters,
    sort: DeskSort,
    desc: bool,
    cursor: Option<&DeskCursor>,
    limit: u64,
    now: u64,
) -> Result<(Vec<DeskRow>, Option<DeskCursor>, u64)> {
    let column = sort.as_str();
    let (after, order) = if desc { ("<", "DESC") } else { (">", "ASC") };
    let mut count_binds = vec![];
    let count_sql = format!(
        "SELECT count(*) AS n FROM desk WHERE 1 = 1{}",
        filter_sql(filters, now, &mut count_binds)
    );
    let mut binds = vec![];
    let mut page_sql = format!(
        "SELECT * FROM desk WHERE 1 = 1{}",
        filter_sql(filters, now, &mut binds)
    );
    if let Some(c) = cursor {
        let value: JsValue = match sort {
            DeskSort::CorpName => c.value.as_str().into(),
            _ => c.value.parse::<f64>().unwrap_or(0.0).into(),
        };
        let (v, id) = (
            bind(&mut binds, value),
            bind(&mut binds, c.corp_id.as_str().into()),
        );
        page_sql += &format!(" AND ({column}, corp_id) {after} ({v}, {id})");
    }
    page_sql += &format!(
        " ORDER BY {column} {order}, corp_id {order} LIMIT {}",
        limit + 1
    );
    // The count reads every matching row (50 000 with no filter), so only
    // the first page counts; later pages carry its total in the cursor.
    let mut statements = vec![db.prepare(page_sql).bind(&binds)?];
    if cursor.is_none() {
        statements.push(db.prepare(count_sql).bind(&count_binds)?);
    }
    let results = db.batch(statements).await?;
    let mut rows: Vec<DeskRow> = results[0]
        .results::<Row>()?
        .into_iter()
        .map(DeskRow::from)
        .collect();
    let total = match (cursor, results.get(1)) {
        (Some(c), _) => c.total,
        (None, Some(count)) => count.results::<Count>()?.first().map_or(0, |c| c.n as u64),
        (None, None) => 0,
    };
    let next = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|last| DeskCursor {
            value: last.sort_value(sort),
            corp_id: last.corp_id.clone(),
            total,
        })
    } else {
        None
    };
    Ok((rows, next, total))
}

/// An admin asks the provider to renew the seats ending within `days`: the
/// organisation notes when and how many days with the audit row, in one
/// transaction on its database, then its desk row on the home database;
/// answers how many active seats end within those days.
pub async fn ask_renewal(
    db: &Db,
    home: &Db,
    corp_id: &str,
    days: u64,
    actor: &str,
    now: u64,
) -> Result<u64> {
    let seats = db
        .prepare(
            "SELECT count(*) AS n FROM seats WHERE corp_id = ?1 AND status = 'active' \
             AND expires_at > ?2 AND expires_at <= ?3",
        )
        .bind(&[corp_id.into(), num(now), num(now + days * DAY)])?
        .first::<Count>()
        .await?
        .map_or(0, |c| c.n as u64);
    let detail = serde_json::json!({ "days": days, "seats": seats });
    db.batch(vec![
        db.prepare(
            "UPDATE organisations SET renewal_asked_at = ?2, renewal_days = ?3 WHERE corp_id = ?1",
        )
        .bind(&[corp_id.into(), num(now), num(days)])?,
        audit_statement(db, corp_id, now, actor, "renewal_requested", &detail)?,
    ])
    .await?;
    home.prepare("UPDATE desk SET renewal_asked_at = ?2, renewal_days = ?3 WHERE corp_id = ?1")
        .bind(&[corp_id.into(), num(now), num(days)])?
        .run()
        .await?;
    Ok(seats)
}

/// The provider placed the renewal: the request is answered, on the
/// organisation's database and its desk row on the home database.
pub async fn clear_renewal_ask(db: &Db, home: &Db, corp_id: &str) -> Result<()> {
    db.prepare(
        "UPDATE organisations SET renewal_asked_at = NULL, renewal_days = NULL \
         WHERE corp_id = ?1 AND renewal_asked_at IS NOT NULL",
    )
    .bind(&[corp_id.into()])?
    .run()
    .await?;
    home.prepare(
        "UPDATE desk SET renewal_asked_at = 0, renewal_days = 0 \
         WHERE corp_id = ?1 AND renewal_asked_at > 0",
    )
    .bind(&[corp_id.into()])?
    .run()
    .await?;
    Ok(())
}
