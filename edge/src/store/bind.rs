//! What every store file shares: binding Rust values as D1 parameters,
//! running statements in batches, the audit row, and the health ping.

use crate::d1::{Db, Statement};
use domain::api::Page;
use serde::Deserialize;
use worker::{wasm_bindgen::JsValue, Result};

/// D1 caps a batch's size; larger writes go in several transactions.
pub(super) const BATCH: usize = 100;

/// D1 counts queries per Worker invocation: 50 on the Free plan, 1 000 on
/// Paid ("Queries per Worker invocation", D1 limits,
/// <https://developers.cloudflare.com/d1/platform/limits/>). A `batch` is
/// one round trip. A seat action of up to `domain::seat::MAX_BATCH`
/// members reads and writes in a handful of round trips (rows passed as
/// one JSON list, [`JSON_ROWS`] at a time), so it fits even the Free
/// plan's budget.
pub const D1_QUERIES_PER_INVOCATION: usize = 50;

/// Rows one statement takes as a JSON list (`json_each`): a thousand rows
/// of about 200 bytes stay far below D1's 1 MB per bound string.
pub(super) const JSON_ROWS: usize = 1000;

/// A real round trip to D1 for the health check.
pub async fn ping(db: &Db) -> Result<bool> {
    #[derive(Deserialize)]
    struct One {
        one: i64,
    }
    let row: Option<One> = db.prepare("SELECT 1 AS one").first().await?;
    Ok(matches!(row, Some(One { one: 1 })))
}

/// One text column of every row a statement returns (ids, keys), in order.
pub(super) async fn texts(statement: Statement, column: &str) -> Result<Vec<String>> {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = statement.all().await?.results()?;
    Ok(rows
        .into_iter()
        .filter_map(|mut r| match r.remove(column) {
            Some(serde_json::Value::String(v)) => Some(v),
            _ => None,
        })
        .collect())
}

pub(super) fn num(n: u64) -> JsValue {
    JsValue::from(n as f64)
}

pub(super) fn opt_num(n: Option<u64>) -> JsValue {
    n.map(num).unwrap_or(JsValue::NULL)
}

pub(super) fn opt_str(s: Option<&str>) -> JsValue {
    s.map(JsValue::from).unwrap_or(JsValue::NULL)
}

pub(super) fn changes(result: &worker::D1Result) -> usize {
    result
        .meta()
        .ok()
        .flatten()
        .and_then(|m| m.changes)
        .unwrap_or(0)
}
pub(super) fn json_str<T: serde::Serialize>(v: &T) -> JsValue {
    JsValue::from(serde_json::to_string(v).unwrap_or_default())
}

/// Runs statements in transactions of at most `BATCH`.
pub(super) async fn run_batched(db: &Db, statements: Vec<Statement>) -> Result<()> {
    run_counted(db, statements).await.map(|_| ())
}

/// [`run_batched`], answering how many rows the statements changed.
pub(super) async fn run_counted(db: &Db, statements: Vec<Statement>) -> Result<usize> {
    let mut statements = statements.into_iter().peekable();
    let mut changed = 0;
    while statements.peek().is_some() {
        let results = db.batch(statements.by_ref().take(BATCH).collect()).await?;
        changed += results.iter().map(changes).sum::<usize>();
    }
    Ok(changed)
}

pub(super) fn audit_statement(
    db: &Db,
    corp_id: &str,
    now: u64,
    actor: &str,
    action: &str,
    detail: &serde_json::Value,
) -> Result<Statement> {
    // Only while the organisation exists: a sync or action finishing after
    // cancel_auth must not leave a row of a deleted organisation behind.
    db.prepare(
        "INSERT INTO audit (corp_id, at, actor, action, detail) \
         SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM organisations WHERE corp_id = ?1)",
    )
    .bind(&[
        corp_id.into(),
        num(now),
        actor.into(),
        action.into(),
        detail.to_string().into(),
    ])
}

/// Runs statements in transactions of at most `BATCH`, the audit row in
/// the last one: an action's results and its audit row are written
/// together, one round trip per `BATCH` statements.
pub async fn write_audited(
    db: &Db,
    mut statements: Vec<Statement>,
    corp_id: &str,
    now: u64,
    actor: &str,
    action: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    statements.push(audit_statement(db, corp_id, now, actor, action, detail)?);
    let round_trips = statements.len().div_ceil(BATCH);
    if round_trips > D1_QUERIES_PER_INVOCATION / 2 {
        worker::console_warn!(
            "{action}: {round_trips} D1 round trips for its writes, past half of the {D1_QUERIES_PER_INVOCATION} a Worker invocation may make"
        );
    }
    run_batched(db, statements).await
}

pub async fn audit(
    db: &Db,
    corp_id: &str,
    now: u64,
    actor: &str,
    action: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    audit_statement(db, corp_id, now, actor, action, detail)?
        .run()
        .await?;
    Ok(())
}

/// A page from `limit + 1` rows read in cursor order: the first `limit`,
/// and the cursor (`key` of the last) when a row was left over.
pub(super) fn page<T>(
    mut items: Vec<T>,
    limit: u64,
    total: u64,
    key: impl Fn(&T) -> String,
) -> Page<T> {
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    Page {
        next_cursor: items.last().filter(|_| more).map(key),
        items,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::page;

    #[test]
    fn a_leftover_row_makes_the_last_kept_key_the_cursor() {
        let p = page(vec!["a", "b", "c"], 2, 7, |s| s.to_string());
        assert_eq!(p.items, vec!["a", "b"]);
        assert_eq!(p.next_cursor.as_deref(), Some("b"));
        assert_eq!(p.total, 7);
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let p = page(vec!["a", "b"], 2, 2, |s| s.to_string());
        assert_eq!(p.items, vec!["a", "b"]);
        assert_eq!(p.next_cursor, None);
        let empty = page(Vec::<&str>::new(), 2, 0, |s| s.to_string());
        assert_eq!(empty.next_cursor, None);
    }
}
