//! Reading the audit log (written by `bind::audit_statement` and the
//! batches that carry an audit row), newest first.

use super::bind::{num, page};
use crate::d1::Db;
use domain::api::{AuditItem, Page};
use serde::Deserialize;
use worker::{wasm_bindgen::JsValue, Result};

/// Which rows: each field narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    /// Rows this member made, or whose detail names them anywhere.
    pub userid: Option<String>,
    pub from: Option<u64>,
    pub to: Option<u64>,
}

impl AuditFilter {
    /// The filter's SQL conditions (each starting " AND "), numbering its
    /// parameters from `?{first}`, and their values.
    fn sql(&self, first: usize) -> (String, Vec<JsValue>) {
        let mut sql = String::new();
        let mut values: Vec<JsValue> = vec![];
        let mut next = |cond: &str, v: JsValue, sql: &mut String| {
            let n = first + values.len();
            sql.push_str(&cond.replace("?N", &format!("?{n}")));
            values.push(v);
        };
        if let Some(a) = &self.action {
            next(" AND action = ?N", a.as_str().into(), &mut sql);
        }
        if let Some(u) = &self.userid {
            next(
                " AND (actor = ?N OR EXISTS (SELECT 1 FROM json_tree(audit.detail) t WHERE t.atom = ?N))",
                u.as_str().into(),
                &mut sql,
            );
        }
        if let Some(f) = self.from {
            next(" AND at >= ?N", num(f), &mut sql);
        }
        if let Some(t) = self.to {
            next(" AND at < ?N", num(t), &mut sql);
        }
        (sql, values)
    }
}

#[derive(Deserialize)]
struct AuditRow {
    id: f64,
    at: f64,
    actor: String,
    action: String,
    detail: String,
}

impl AuditRow {
    fn item(self) -> AuditItem {
        AuditItem {
            id: self.id as u64,
            at: self.at as u64,
            actor: self.actor,
            action: self.action,
            detail: serde_json::from_str(&self.detail).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// Up to `limit` rows older than row `before` (all when `None`), newest
/// first; one query.
pub async fn audit_rows(
    db: &Db,
    corp_id: &str,
    filter: &AuditFilter,
    before: Option<u64>,
    limit: u64,
) -> Result<Vec<AuditItem>> {
    let (conditions, values) = filter.sql(4);
    let mut params: Vec<JsValue> = vec![
        corp_id.into(),
        // Row ids are below 2^53 (a JavaScript number holds them exactly).
        num(before.unwrap_or(1 << 53)),
        num(limit),
    ];
    params.extend(values);
    let rows: Vec<AuditRow> = db
        .prepare(format!(
            "SELECT id, at, actor, action, detail FROM audit \
             WHERE corp_id = ?1 AND id < ?2{conditions} ORDER BY id DESC LIMIT ?3"
        ))
        .bind(&params)?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(AuditRow::item).collect())
}

/// How many rows match: one query.
pub async fn audit_count(db: &Db, corp_id: &str, filter: &AuditFilter) -> Result<u64> {
    #[derive(Deserialize)]
    struct Count {
        n: f64,
    }
    let (conditions, values) = filter.sql(2);
    let mut params: Vec<JsValue> = vec![corp_id.into()];
    params.extend(values);
    let total: Option<Count> = db
        .prepare(format!(
            "SELECT count(*) AS n FROM audit WHERE corp_id = ?1{conditions}"
        ))
        .bind(&params)?
        .first()
        .await?;
    Ok(total.map(|c| c.n as u64).unwrap_or(0))
}

/// One page of the log, newest first, with how many rows match.
pub async fn audit_page(
    db: &Db,
    corp_id: &str,
    filter: &AuditFilter,
    before: Option<u64>,
    limit: u64,
) -> Result<Page<AuditItem>> {
    let total = audit_count(db, corp_id, filter);
    let rows = audit_rows(db, corp_id, filter, before, limit + 1);
    let (total, rows) = futures_util::future::join(total, rows).await;
    Ok(page(rows?, limit, total?, |r| r.id.to_string()))
}
