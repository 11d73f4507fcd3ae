//! Every SQL statement the Worker runs lives here, behind named functions.

use domain::api::Corp;
use serde::Deserialize;
use worker::{wasm_bindgen::JsValue, D1Database, Env, Result};

pub fn db(env: &Env) -> Result<D1Database> {
    env.d1("DB")
}

/// A real round trip to D1 for the health check.
pub async fn ping(db: &D1Database) -> Result<bool> {
    #[derive(Deserialize)]
    struct One {
        one: i64,
    }
    let row: Option<One> = db.prepare("SELECT 1 AS one").first(None).await?;
    Ok(matches!(row, Some(One { one: 1 })))
}

pub async fn is_admin(db: &D1Database, corp_id: &str, userid: &str) -> Result<bool> {
    #[derive(Deserialize)]
    struct Hit {
        #[allow(dead_code)]
        userid: String,
    }
    let row: Option<Hit> = db
        .prepare("SELECT userid FROM admins WHERE corp_id = ?1 AND userid = ?2")
        .bind(&[corp_id.into(), userid.into()])?
        .first(None)
        .await?;
    Ok(row.is_some())
}

pub async fn corp(db: &D1Database, corp_id: &str) -> Result<Option<Corp>> {
    db.prepare(
        "SELECT corp_id, corp_name, installed_at, first_installed_at \
         FROM organisations WHERE corp_id = ?1",
    )
    .bind(&[corp_id.into()])?
    .first(None)
    .await
}

/// Every table that holds an organisation's data (cancel_auth empties them).
const ORGANISATION_TABLES: [&str; 11] = [
    "organisations",
    "admins",
    "departments",
    "members",
    "member_departments",
    "orders",
    "seats",
    "transfers",
    "events",
    "seat_requests",
    "audit",
];

fn num(n: u64) -> JsValue {
    JsValue::from(n as f64)
}

fn opt_str(s: Option<&str>) -> JsValue {
    s.map(JsValue::from).unwrap_or(JsValue::NULL)
}

fn changes(result: &worker::D1Result) -> usize {
    result
        .meta()
        .ok()
        .flatten()
        .and_then(|m| m.changes)
        .unwrap_or(0)
}

pub async fn corp_exists(db: &D1Database, corp_id: &str) -> Result<bool> {
    #[derive(Deserialize)]
    struct Hit {
        #[allow(dead_code)]
        corp_id: String,
    }
    let row: Option<Hit> = db
        .prepare("SELECT corp_id FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first(None)
        .await?;
    Ok(row.is_some())
}

pub async fn corp_ids(db: &D1Database) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        corp_id: String,
    }
    let rows: Vec<Row> = db
        .prepare("SELECT corp_id FROM organisations ORDER BY corp_id")
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.corp_id).collect())
}

#[derive(Debug, PartialEq, Eq)]
pub enum EventState {
    /// First delivery, or an earlier delivery that was not applied.
    ToApply,
    Applied,
}

/// Writes the event (once per dedupe key) and says whether it still needs
/// applying.
pub async fn record_event(
    db: &D1Database,
    dedupe_key: &str,
    corp_id: Option<&str>,
    source: &str,
    kind: &str,
    now: u64,
    raw: &str,
) -> Result<EventState> {
    #[derive(Deserialize)]
    struct Row {
        applied_at: Option<f64>,
    }
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO events (dedupe_key, corp_id, source, kind, received_at, raw) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(&[
                dedupe_key.into(),
                opt_str(corp_id),
                source.into(),
                kind.into(),
                num(now),
                raw.into(),
            ])?,
            db.prepare("SELECT applied_at FROM events WHERE dedupe_key = ?1")
                .bind(&[dedupe_key.into()])?,
        ])
        .await?;
    let rows: Vec<Row> = results
        .get(1)
        .map(|r| r.results())
        .transpose()?
        .unwrap_or_default();
    Ok(match rows.first() {
        Some(Row {
            applied_at: Some(_),
        }) => EventState::Applied,
        _ => EventState::ToApply,
    })
}

pub async fn mark_event_applied(
    db: &D1Database,
    dedupe_key: &str,
    now: u64,
    outcome: &str,
    corp_id: Option<&str>,
) -> Result<()> {
    db.prepare(
        "UPDATE events SET applied_at = ?2, outcome = ?3, corp_id = COALESCE(corp_id, ?4) \
         WHERE dedupe_key = ?1",
    )
    .bind(&[
        dedupe_key.into(),
        num(now),
        outcome.into(),
        opt_str(corp_id),
    ])?
    .run()
    .await?;
    Ok(())
}

/// Events are evidence for a while, not forever.
pub async fn prune_events(db: &D1Database, received_before: u64) -> Result<usize> {
    let r = db
        .prepare("DELETE FROM events WHERE received_at < ?1 AND applied_at IS NOT NULL")
        .bind(&[num(received_before)])?
        .run()
        .await?;
    Ok(changes(&r))
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Range {
    pub party: Vec<u64>,
    pub user: Vec<String>,
    pub tag: Vec<u64>,
}

impl Range {
    fn json(&self) -> [JsValue; 3] {
        let s = |v: String| JsValue::from(v);
        [
            s(serde_json::to_string(&self.party).unwrap_or_default()),
            s(serde_json::to_string(&self.user).unwrap_or_default()),
            s(serde_json::to_string(&self.tag).unwrap_or_default()),
        ]
    }
}

pub struct Installation<'a> {
    pub corp_id: &'a str,
    pub corp_name: &'a str,
    pub agent_id: u64,
    pub permanent_code_sealed: &'a str,
    pub range: &'a Range,
    pub install_key: &'a str,
    pub now: u64,
}

/// Stores an install. The first-install time comes from the anonymised
/// history, so a reinstall after cancel_auth keeps the original trial start.
pub async fn install(db: &D1Database, i: &Installation<'_>) -> Result<()> {
    let [party, user, tag] = i.range.json();
    db.batch(vec![
        db.prepare(
            "INSERT INTO install_history (corp_hash, first_installed_at) VALUES (?1, ?2) \
             ON CONFLICT (corp_hash) DO NOTHING",
        )
        .bind(&[i.install_key.into(), num(i.now)])?,
        db.prepare(
            "INSERT INTO organisations (corp_id, corp_name, agent_id, permanent_code_enc, \
               allow_party, allow_user, allow_tag, installed_at, first_installed_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
               (SELECT first_installed_at FROM install_history WHERE corp_hash = ?9), ?8) \
             ON CONFLICT (corp_id) DO UPDATE SET corp_name = excluded.corp_name, \
               agent_id = excluded.agent_id, permanent_code_enc = excluded.permanent_code_enc, \
               allow_party = excluded.allow_party, allow_user = excluded.allow_user, \
               allow_tag = excluded.allow_tag, installed_at = excluded.installed_at, \
               first_installed_at = MIN(organisations.first_installed_at, excluded.first_installed_at), \
               updated_at = excluded.updated_at",
        )
        .bind(&[
            i.corp_id.into(),
            i.corp_name.into(),
            num(i.agent_id),
            i.permanent_code_sealed.into(),
            party,
            user,
            tag,
            num(i.now),
            i.install_key.into(),
        ])?,
        audit_statement(db, i.corp_id, i.now, "wecom", "installed", &serde_json::json!({
            "agent_id": i.agent_id, "range": i.range,
        }))?,
    ])
    .await?;
    Ok(())
}

pub async fn replace_admins(
    db: &D1Database,
    corp_id: &str,
    admins: &[crate::wecom::Admin],
) -> Result<()> {
    let mut statements = vec![db
        .prepare("DELETE FROM admins WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?];
    for admin in admins {
        statements.push(
            db.prepare("INSERT INTO admins (corp_id, userid, auth_type) VALUES (?1, ?2, ?3)")
                .bind(&[
                    corp_id.into(),
                    admin.userid.as_str().into(),
                    num(admin.auth_type.into()),
                ])?,
        );
    }
    db.batch(statements).await?;
    Ok(())
}

/// Returns whether anything changed.
pub async fn update_range(
    db: &D1Database,
    corp_id: &str,
    corp_name: &str,
    range: &Range,
    now: u64,
) -> Result<bool> {
    let [party, user, tag] = range.json();
    let r = db
        .prepare(
            "UPDATE organisations SET allow_party = ?2, allow_user = ?3, allow_tag = ?4, \
               corp_name = ?5, updated_at = ?6 \
             WHERE corp_id = ?1 AND (allow_party IS NOT ?2 OR allow_user IS NOT ?3 \
               OR allow_tag IS NOT ?4 OR corp_name IS NOT ?5)",
        )
        .bind(&[corp_id.into(), party, user, tag, corp_name.into(), num(now)])?
        .run()
        .await?;
    Ok(changes(&r) > 0)
}

pub async fn sealed_permanent_code(
    db: &D1Database,
    corp_id: &str,
) -> Result<Option<(String, u64)>> {
    #[derive(Deserialize)]
    struct Row {
        permanent_code_enc: Option<String>,
        agent_id: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare("SELECT permanent_code_enc, agent_id FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first(None)
        .await?;
    Ok(row.and_then(|r| Some((r.permanent_code_enc?, r.agent_id.unwrap_or(0.0) as u64))))
}

/// cancel_auth: every row of the organisation, in one transaction.
pub async fn delete_organisation(db: &D1Database, corp_id: &str) -> Result<()> {
    let statements = ORGANISATION_TABLES
        .iter()
        .map(|table| {
            db.prepare(format!("DELETE FROM {table} WHERE corp_id = ?1"))
                .bind(&[corp_id.into()])
        })
        .collect::<Result<Vec<_>>>()?;
    db.batch(statements).await?;
    Ok(())
}

fn audit_statement(
    db: &D1Database,
    corp_id: &str,
    now: u64,
    actor: &str,
    action: &str,
    detail: &serde_json::Value,
) -> Result<worker::D1PreparedStatement> {
    db.prepare("INSERT INTO audit (corp_id, at, actor, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)")
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
