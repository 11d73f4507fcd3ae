//! What every store file shares: binding Rust values as D1 parameters,
//! running statements in batches, the audit row, and the health ping.

use domain::api::Page;
use serde::Deserialize;
use worker::{wasm_bindgen::JsValue, D1Database, D1PreparedStatement, Result};

/// D1 caps a batch's size; larger writes go in several transactions.
pub(super) const BATCH: usize = 100;

/// A real round trip to D1 for the health check.
pub async fn ping(db: &D1Database) -> Result<bool> {
    #[derive(Deserialize)]
    struct One {
        one: i64,
    }
    let row: Option<One> = db.prepare("SELECT 1 AS one").first(None).await?;
    Ok(matches!(row, Some(One { one: 1 })))
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
pub(super) async fn run_batched(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
) -> Result<()> {
    let mut statements = statements.into_iter().peekable();
    while statements.peek().is_some() {
        db.batch(statements.by_ref().take(BATCH).collect()).await?;
    }
    Ok(())
}

pub(super) fn audit_statement(
    db: &D1Database,
    corp_id: &str,
    now: u64,
    actor: &str,
    action: &str,
    detail: &serde_json::Value,
) -> Result<D1PreparedStatement> {
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

pub async fn audit(
    db: &D1Database,
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
