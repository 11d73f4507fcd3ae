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
const ORGANISATION_TABLES: [&str; 10] = [
    "organisations",
    "admins",
    "departments",
    "members",
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

fn opt_num(n: Option<u64>) -> JsValue {
    n.map(num).unwrap_or(JsValue::NULL)
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

// ---- contacts -------------------------------------------------------------

use domain::api::{MemberItem, SyncCounts};
use domain::range::{MemberRecord, Status, Via, VisibleRange};

/// D1 caps a batch's size; larger writes go in several transactions.
const BATCH: usize = 100;

fn json_str<T: serde::Serialize>(v: &T) -> JsValue {
    JsValue::from(serde_json::to_string(v).unwrap_or_default())
}

pub async fn visible_range(db: &D1Database, corp_id: &str) -> Result<Option<VisibleRange>> {
    #[derive(Deserialize)]
    struct Row {
        allow_party: String,
        allow_user: String,
        allow_tag: String,
    }
    let row: Option<Row> = db
        .prepare("SELECT allow_party, allow_user, allow_tag FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first(None)
        .await?;
    Ok(row.map(|r| VisibleRange {
        party: serde_json::from_str(&r.allow_party).unwrap_or_default(),
        user: serde_json::from_str(&r.allow_user).unwrap_or_default(),
        tag: serde_json::from_str(&r.allow_tag).unwrap_or_default(),
    }))
}

#[derive(Deserialize)]
struct MemberRow {
    userid: String,
    name: String,
    department_ids: Option<String>,
    in_range: f64,
    via: String,
    status: String,
}

impl MemberRow {
    fn record(self) -> MemberRecord {
        MemberRecord {
            userid: self.userid,
            name: self.name,
            department_ids: self
                .department_ids
                .and_then(|d| serde_json::from_str(&d).ok()),
            in_range: self.in_range != 0.0,
            via: serde_json::from_str(&self.via).unwrap_or_default(),
            status: if self.status == "departed" {
                Status::Departed
            } else {
                Status::Active
            },
        }
    }
}

const MEMBER_COLUMNS: &str = "userid, name, department_ids, in_range, via, status";

fn upsert_member_statement(
    db: &D1Database,
    corp_id: &str,
    m: &MemberRecord,
    now: u64,
) -> Result<worker::D1PreparedStatement> {
    let via: Vec<Via> = m.via.iter().copied().collect();
    db.prepare(
        "INSERT INTO members (corp_id, userid, name, department_ids, department_known, in_range, via, status, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (corp_id, userid) DO UPDATE SET name = excluded.name, \
           department_ids = excluded.department_ids, department_known = excluded.department_known, \
           in_range = excluded.in_range, via = excluded.via, status = excluded.status, \
           updated_at = excluded.updated_at",
    )
    .bind(&[
        corp_id.into(),
        m.userid.as_str().into(),
        m.name.as_str().into(),
        m.department_ids.as_ref().map(json_str).unwrap_or(JsValue::NULL),
        num(m.department_known() as u64),
        num(m.in_range as u64),
        json_str(&via),
        m.status.as_str().into(),
        num(now),
    ])
}

/// Members a single bulk upsert carries (as one JSON parameter).
const MEMBERS_PER_STATEMENT: usize = 500;

/// Many members in one statement: rows come from a JSON array through
/// `json_each`, so a 100k-member sync is 200 statements, not 100 000.
fn upsert_members_statement(
    db: &D1Database,
    corp_id: &str,
    members: &[MemberRecord],
    now: u64,
) -> Result<worker::D1PreparedStatement> {
    let rows: Vec<serde_json::Value> = members
        .iter()
        .map(|m| {
            serde_json::json!({
                "u": m.userid,
                "n": m.name,
                "d": m.department_ids,
                "k": m.department_known() as u8,
                "r": m.in_range as u8,
                "v": m.via,
                "s": m.status.as_str(),
            })
        })
        .collect();
    db.prepare(
        "INSERT INTO members (corp_id, userid, name, department_ids, department_known, in_range, via, status, updated_at) \
         SELECT ?1, json_extract(j.value, '$.u'), json_extract(j.value, '$.n'), json_extract(j.value, '$.d'), \
           json_extract(j.value, '$.k'), json_extract(j.value, '$.r'), json_extract(j.value, '$.v'), \
           json_extract(j.value, '$.s'), ?3 \
         FROM json_each(?2) AS j \
         WHERE EXISTS (SELECT 1 FROM organisations WHERE corp_id = ?1) \
         ON CONFLICT (corp_id, userid) DO UPDATE SET name = excluded.name, \
           department_ids = excluded.department_ids, department_known = excluded.department_known, \
           in_range = excluded.in_range, via = excluded.via, status = excluded.status, \
           updated_at = excluded.updated_at",
    )
    .bind(&[corp_id.into(), json_str(&rows), num(now)])
}

pub async fn upsert_member(
    db: &D1Database,
    corp_id: &str,
    m: &MemberRecord,
    now: u64,
) -> Result<()> {
    upsert_member_statement(db, corp_id, m, now)?.run().await?;
    Ok(())
}

pub async fn rename_member(
    db: &D1Database,
    corp_id: &str,
    old: &str,
    new: &str,
    now: u64,
) -> Result<()> {
    db.batch(vec![
        db.prepare(
            "UPDATE members SET userid = ?3, updated_at = ?4 WHERE corp_id = ?1 AND userid = ?2",
        )
        .bind(&[corp_id.into(), old.into(), new.into(), num(now)])?,
        db.prepare(
            "UPDATE seats SET userid = ?3, updated_at = ?4 WHERE corp_id = ?1 AND userid = ?2",
        )
        .bind(&[corp_id.into(), old.into(), new.into(), num(now)])?,
    ])
    .await?;
    Ok(())
}

/// A member deleted in WeCom. Returns whether we knew them.
pub async fn mark_departed(db: &D1Database, corp_id: &str, userid: &str, now: u64) -> Result<bool> {
    let r = db
        .prepare(
            "UPDATE members SET status = 'departed', in_range = 0, via = '[]', updated_at = ?3 \
             WHERE corp_id = ?1 AND userid = ?2 AND status != 'departed'",
        )
        .bind(&[corp_id.into(), userid.into(), num(now)])?
        .run()
        .await?;
    Ok(changes(&r) > 0)
}

/// A member WeCom says is outside the range now (60011).
pub async fn mark_out_of_range(
    db: &D1Database,
    corp_id: &str,
    userid: &str,
    now: u64,
) -> Result<()> {
    db.prepare("UPDATE members SET in_range = 0, via = '[]', updated_at = ?3 WHERE corp_id = ?1 AND userid = ?2")
        .bind(&[corp_id.into(), userid.into(), num(now)])?
        .run()
        .await?;
    Ok(())
}

pub struct DepartmentRow<'a> {
    pub id: u64,
    pub parent_id: u64,
    pub name: &'a str,
    pub order: u64,
}

fn upsert_department_statement(
    db: &D1Database,
    corp_id: &str,
    d: &DepartmentRow<'_>,
    now: u64,
) -> Result<worker::D1PreparedStatement> {
    db.prepare(
        "INSERT INTO departments (corp_id, id, parent_id, name, sort_order, in_range, updated_at) \
         SELECT ?1, ?2, ?3, ?4, ?5, 1, ?6 WHERE EXISTS (SELECT 1 FROM organisations WHERE corp_id = ?1) \
         ON CONFLICT (corp_id, id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name, \
           sort_order = excluded.sort_order, in_range = 1, updated_at = excluded.updated_at",
    )
    .bind(&[corp_id.into(), num(d.id), num(d.parent_id), d.name.into(), num(d.order), num(now)])
}

pub async fn upsert_department(
    db: &D1Database,
    corp_id: &str,
    d: &DepartmentRow<'_>,
    now: u64,
) -> Result<()> {
    upsert_department_statement(db, corp_id, d, now)?
        .run()
        .await?;
    Ok(())
}

pub async fn delete_department(db: &D1Database, corp_id: &str, id: u64) -> Result<()> {
    db.prepare("DELETE FROM departments WHERE corp_id = ?1 AND id = ?2")
        .bind(&[corp_id.into(), num(id)])?
        .run()
        .await?;
    Ok(())
}

pub async fn department_ids(
    db: &D1Database,
    corp_id: &str,
) -> Result<std::collections::HashSet<u64>> {
    #[derive(Deserialize)]
    struct Row {
        id: f64,
    }
    let rows: Vec<Row> = db
        .prepare("SELECT id FROM departments WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.id as u64).collect())
}

/// Runs statements in transactions of at most `BATCH`.
async fn run_batched(db: &D1Database, statements: Vec<worker::D1PreparedStatement>) -> Result<()> {
    let mut statements = statements.into_iter().peekable();
    while statements.peek().is_some() {
        db.batch(statements.by_ref().take(BATCH).collect()).await?;
    }
    Ok(())
}

/// The visible departments (others removed).
pub async fn write_departments(
    db: &D1Database,
    corp_id: &str,
    departments: &[DepartmentRow<'_>],
    now: u64,
) -> Result<()> {
    let visible_ids: Vec<u64> = departments.iter().map(|d| d.id).collect();
    let mut statements = vec![db
        .prepare("DELETE FROM departments WHERE corp_id = ?1 AND id NOT IN (SELECT value FROM json_each(?2))")
        .bind(&[corp_id.into(), json_str(&visible_ids)])?];
    for d in departments {
        statements.push(upsert_department_statement(db, corp_id, d, now)?);
    }
    run_batched(db, statements).await
}

/// Stored rows of just these members (one sync chunk).
pub async fn stored_members_among(
    db: &D1Database,
    corp_id: &str,
    userids: &[&str],
) -> Result<Vec<MemberRecord>> {
    let rows: Vec<MemberRow> = db
        .prepare(format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE corp_id = ?1 AND userid IN (SELECT value FROM json_each(?2))"
        ))
        .bind(&[corp_id.into(), json_str(&userids)])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(MemberRow::record).collect())
}

pub async fn upsert_members(
    db: &D1Database,
    corp_id: &str,
    upserts: &[MemberRecord],
    now: u64,
) -> Result<()> {
    let statements = upserts
        .chunks(MEMBERS_PER_STATEMENT)
        .map(|chunk| upsert_members_statement(db, corp_id, chunk, now))
        .collect::<Result<Vec<_>>>()?;
    run_batched(db, statements).await
}

/// One page of the members stored as in range, in userid order.
pub async fn in_range_userids_after(
    db: &D1Database,
    corp_id: &str,
    after: &str,
    limit: u64,
) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        userid: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT userid FROM members WHERE corp_id = ?1 AND in_range = 1 AND userid > ?2 ORDER BY userid LIMIT ?3",
        )
        .bind(&[corp_id.into(), after.into(), num(limit)])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.userid).collect())
}

/// Ends a full sync: members who left the range or departed, and the time.
pub async fn finish_sync(
    db: &D1Database,
    corp_id: &str,
    left_range: &[String],
    departed: &[String],
    now: u64,
) -> Result<()> {
    let mut statements = vec![];
    for chunk in left_range.chunks(BATCH) {
        statements.push(
            db.prepare(
                "UPDATE members SET in_range = 0, via = '[]', updated_at = ?3 \
                 WHERE corp_id = ?1 AND userid IN (SELECT value FROM json_each(?2))",
            )
            .bind(&[corp_id.into(), json_str(&chunk), num(now)])?,
        );
    }
    for chunk in departed.chunks(BATCH) {
        statements.push(
            db.prepare(
                "UPDATE members SET status = 'departed', updated_at = ?3 \
                 WHERE corp_id = ?1 AND userid IN (SELECT value FROM json_each(?2))",
            )
            .bind(&[corp_id.into(), json_str(&chunk), num(now)])?,
        );
    }
    statements.push(
        db.prepare("UPDATE organisations SET last_synced_at = ?2 WHERE corp_id = ?1")
            .bind(&[corp_id.into(), num(now)])?,
    );
    run_batched(db, statements).await
}

/// Organisations whose last full sync is older than `before`, stalest first.
pub async fn corps_due_for_sync(db: &D1Database, before: u64, limit: u64) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        corp_id: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT corp_id FROM organisations WHERE last_synced_at IS NULL OR last_synced_at <= ?1 \
             ORDER BY last_synced_at IS NOT NULL, last_synced_at LIMIT ?2",
        )
        .bind(&[num(before), num(limit)])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.corp_id).collect())
}

pub async fn last_synced_at(db: &D1Database, corp_id: &str) -> Result<Option<u64>> {
    #[derive(Deserialize)]
    struct Row {
        last_synced_at: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare("SELECT last_synced_at FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first(None)
        .await?;
    Ok(row.and_then(|r| r.last_synced_at).map(|t| t as u64))
}

#[derive(Debug, Default)]
pub struct MemberFilter {
    pub q: Option<String>,
    pub status: Option<Status>,
    pub in_range: Option<bool>,
    pub department_known: Option<bool>,
    pub department_id: Option<u64>,
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
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM json_each(members.department_ids) WHERE value = ?{n})"
            ));
        }
        if let Some(q) = self.q.as_deref().filter(|q| !q.is_empty()) {
            let escaped = q
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let n = next(format!("%{escaped}%").into(), &mut values);
            sql.push_str(&format!(
                " AND (name LIKE ?{n} ESCAPE '\\' OR userid LIKE ?{n} ESCAPE '\\')"
            ));
        }
        (sql, values)
    }
}

/// One page of members in userid order, the next cursor, and the total.
pub async fn member_page(
    db: &D1Database,
    corp_id: &str,
    filter: &MemberFilter,
    cursor: Option<&str>,
    limit: u64,
) -> Result<(Vec<MemberItem>, Option<String>, u64)> {
    #[derive(Deserialize)]
    struct Count {
        n: f64,
    }
    let (conditions, values) = filter.sql(2);
    let mut count_params: Vec<JsValue> = vec![corp_id.into()];
    count_params.extend(values.iter().cloned());
    let total: Option<Count> = db
        .prepare(format!(
            "SELECT count(*) AS n FROM members WHERE corp_id = ?1{conditions}"
        ))
        .bind(&count_params)?
        .first(None)
        .await?;

    let (conditions, values) = filter.sql(4);
    let mut params: Vec<JsValue> =
        vec![corp_id.into(), cursor.unwrap_or("").into(), num(limit + 1)];
    params.extend(values);
    let rows: Vec<MemberRow> = db
        .prepare(format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE corp_id = ?1 AND userid > ?2{conditions} \
             ORDER BY userid LIMIT ?3"
        ))
        .bind(&params)?
        .all()
        .await?
        .results()?;
    let more = rows.len() as u64 > limit;
    let items: Vec<MemberItem> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| {
            let m = r.record();
            MemberItem {
                department_known: m.department_known(),
                userid: m.userid,
                name: m.name,
                department_ids: m.department_ids,
                in_range: m.in_range,
                status: m.status,
                via: m.via.into_iter().collect(),
            }
        })
        .collect();
    let next = if more {
        items.last().map(|m| m.userid.clone())
    } else {
        None
    };
    Ok((items, next, total.map(|c| c.n as u64).unwrap_or(0)))
}

pub struct StoredDepartment {
    pub id: u64,
    pub parent_id: u64,
    pub name: String,
    pub direct_members: u64,
}

pub async fn departments_with_counts(
    db: &D1Database,
    corp_id: &str,
) -> Result<Vec<StoredDepartment>> {
    #[derive(Deserialize)]
    struct Row {
        id: f64,
        parent_id: f64,
        name: String,
        n: f64,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT d.id, d.parent_id, d.name, \
               (SELECT count(*) FROM members m, json_each(m.department_ids) j \
                 WHERE m.corp_id = d.corp_id AND m.in_range = 1 AND m.status = 'active' AND j.value = d.id) AS n \
             FROM departments d WHERE d.corp_id = ?1 ORDER BY d.sort_order, d.id",
        )
        .bind(&[corp_id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| StoredDepartment {
            id: r.id as u64,
            parent_id: r.parent_id as u64,
            name: r.name,
            direct_members: r.n as u64,
        })
        .collect())
}

pub async fn range_counts(db: &D1Database, corp_id: &str) -> Result<(u64, u64, u64)> {
    #[derive(Deserialize)]
    struct Row {
        members: f64,
        without_department: f64,
        departments: f64,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT \
               (SELECT count(*) FROM members WHERE corp_id = ?1 AND in_range = 1 AND status = 'active') AS members, \
               (SELECT count(*) FROM members WHERE corp_id = ?1 AND in_range = 1 AND status = 'active' AND department_known = 0) AS without_department, \
               (SELECT count(*) FROM departments WHERE corp_id = ?1) AS departments",
        )
        .bind(&[corp_id.into()])?
        .first(None)
        .await?;
    Ok(row
        .map(|r| {
            (
                r.members as u64,
                r.without_department as u64,
                r.departments as u64,
            )
        })
        .unwrap_or_default())
}

pub fn counts_detail(counts: &SyncCounts) -> serde_json::Value {
    serde_json::to_value(counts).unwrap_or_default()
}

// ---- access check ---------------------------------------------------------

fn generation_key(corp_id: &str) -> String {
    format!("corp:{corp_id}:gen")
}

/// The organisation's cache generation (see `access`).
pub async fn generation(kv: &worker::KvStore, corp_id: &str) -> String {
    kv.get(&generation_key(corp_id))
        .text()
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| "0".into())
}

/// Invalidates every cached access view of the organisation.
pub async fn bump_generation(env: &Env, corp_id: &str) {
    let Ok(kv) = env.kv("KV") else { return };
    crate::access::forget_generation(corp_id);
    let next = worker::Date::now().as_millis().to_string();
    if let Ok(put) = kv.put(&generation_key(corp_id), next) {
        let _ = put.execute().await;
    }
}

/// Forgets the organisation's generation key (cancel_auth raced by a sync).
pub async fn drop_generation(env: &Env, corp_id: &str) {
    crate::access::forget_generation(corp_id);
    if let Ok(kv) = env.kv("KV") {
        let _ = kv.delete(&generation_key(corp_id)).await;
    }
}

pub struct AccessFacts {
    /// unknown | departed | out_of_range | in_range
    pub state: String,
    /// (active_code, type, expires_at) of every seat bound to the member.
    pub seats: Vec<(String, u8, u64)>,
    pub first_installed_at: u64,
    pub wecom_trial: Option<(u64, u64)>,
}

/// What the access decision needs; `None` when the organisation is unknown.
pub async fn access_facts(
    db: &D1Database,
    corp_id: &str,
    userid: &str,
) -> Result<Option<AccessFacts>> {
    #[derive(Deserialize)]
    struct Org {
        first_installed_at: f64,
        trial_start: Option<f64>,
        trial_end: Option<f64>,
    }
    #[derive(Deserialize)]
    struct Who {
        status: String,
        in_range: f64,
    }
    #[derive(Deserialize)]
    struct Seat {
        active_code: String,
        #[serde(rename = "type")]
        seat_type: f64,
        expires_at: f64,
    }
    let results = db
        .batch(vec![
            db.prepare("SELECT first_installed_at, trial_start, trial_end FROM organisations WHERE corp_id = ?1")
                .bind(&[corp_id.into()])?,
            db.prepare("SELECT status, in_range FROM members WHERE corp_id = ?1 AND userid = ?2")
                .bind(&[corp_id.into(), userid.into()])?,
            db.prepare(
                "SELECT active_code, type, expires_at FROM seats \
                 WHERE corp_id = ?1 AND userid = ?2 AND status IN ('active', 'expired') AND expires_at IS NOT NULL",
            )
            .bind(&[corp_id.into(), userid.into()])?,
        ])
        .await?;
    let org: Option<Org> = results[0].results::<Org>()?.into_iter().next();
    let Some(org) = org else { return Ok(None) };
    let who: Option<Who> = results[1].results::<Who>()?.into_iter().next();
    let seats: Vec<Seat> = results[2].results()?;
    let state = match who {
        None => "unknown",
        Some(w) if w.status == "departed" => "departed",
        Some(w) if w.in_range == 0.0 => "out_of_range",
        Some(_) => "in_range",
    };
    Ok(Some(AccessFacts {
        state: state.into(),
        seats: seats
            .into_iter()
            .map(|s| (s.active_code, s.seat_type as u8, s.expires_at as u64))
            .collect(),
        first_installed_at: org.first_installed_at as u64,
        wecom_trial: org
            .trial_start
            .zip(org.trial_end)
            .map(|(a, b)| (a as u64, b as u64)),
    }))
}

// ---- seats ----------------------------------------------------------------

use domain::api::{SeatCounts, SeatItem};
use domain::seat::{HeldSeat, MemberState, SeatType};

pub struct PaidOrder<'a> {
    pub order_id: &'a str,
    pub order_status: u64,
    pub base_count: u64,
    pub interconnect_count: u64,
    pub days: u64,
    pub created_at: u64,
    pub paid_at: u64,
}

/// Stores an order and its accounts (unassigned); idempotent.
pub async fn insert_order(
    db: &D1Database,
    corp_id: &str,
    o: &PaidOrder<'_>,
    accounts: &[(String, u8, Option<String>)],
    now: u64,
) -> Result<()> {
    let rows: Vec<serde_json::Value> = accounts
        .iter()
        .map(|(code, t, userid)| serde_json::json!({"c": code, "t": t, "u": userid}))
        .collect();
    db.batch(vec![
        db.prepare(
            "INSERT INTO orders (corp_id, order_id, order_type, order_status, base_count, interconnect_count, \
               duration_days, created_at, paid_at, updated_at) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
             ON CONFLICT (corp_id, order_id) DO UPDATE SET order_status = excluded.order_status, updated_at = excluded.updated_at",
        )
        .bind(&[
            corp_id.into(),
            o.order_id.into(),
            num(o.order_status),
            num(o.base_count),
            num(o.interconnect_count),
            num(o.days),
            num(o.created_at),
            num(o.paid_at),
            num(now),
        ])?,
        db.prepare(
            "INSERT INTO seats (corp_id, active_code, order_id, type, status, updated_at) \
             SELECT ?1, json_extract(j.value, '$.c'), ?2, json_extract(j.value, '$.t'), 'unassigned', ?4 \
             FROM json_each(?3) AS j WHERE true ON CONFLICT (corp_id, active_code) DO NOTHING",
        )
        .bind(&[corp_id.into(), o.order_id.into(), json_str(&rows), num(now)])?,
    ])
    .await?;
    Ok(())
}

pub async fn member_state(db: &D1Database, corp_id: &str, userid: &str) -> Result<MemberState> {
    #[derive(Deserialize)]
    struct Row {
        status: String,
        in_range: f64,
    }
    let row: Option<Row> = db
        .prepare("SELECT status, in_range FROM members WHERE corp_id = ?1 AND userid = ?2")
        .bind(&[corp_id.into(), userid.into()])?
        .first(None)
        .await?;
    Ok(match row {
        None => MemberState::Unknown,
        Some(r) if r.status == "departed" => MemberState::Departed,
        Some(r) if r.in_range == 0.0 => MemberState::OutOfRange,
        Some(_) => MemberState::ActiveInRange,
    })
}

/// Seats bound to a member (active or expired), newest expiry first.
pub async fn held_seats(db: &D1Database, corp_id: &str, userid: &str) -> Result<Vec<HeldSeat>> {
    #[derive(Deserialize)]
    struct Row {
        active_code: String,
        #[serde(rename = "type")]
        seat_type: f64,
        expires_at: f64,
        transferable_at: Option<f64>,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT active_code, type, expires_at, transferable_at FROM seats \
             WHERE corp_id = ?1 AND userid = ?2 AND status = 'active' AND expires_at IS NOT NULL \
             ORDER BY expires_at DESC",
        )
        .bind(&[corp_id.into(), userid.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(HeldSeat {
                active_code: r.active_code,
                seat_type: SeatType::try_from(r.seat_type as u8).ok()?,
                expires_at: r.expires_at as u64,
                transferable_at: r.transferable_at.map(|t| t as u64),
            })
        })
        .collect())
}

/// Unassigned codes of a type with their duration in days, oldest order first.
pub async fn free_codes(
    db: &D1Database,
    corp_id: &str,
    seat_type: u8,
    limit: usize,
) -> Result<Vec<(String, u64)>> {
    #[derive(Deserialize)]
    struct Row {
        active_code: String,
        duration_days: Option<f64>,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT s.active_code, o.duration_days FROM seats s \
             LEFT JOIN orders o ON o.corp_id = s.corp_id AND o.order_id = s.order_id \
             WHERE s.corp_id = ?1 AND s.type = ?2 AND s.status = 'unassigned' \
             ORDER BY o.paid_at, s.active_code LIMIT ?3",
        )
        .bind(&[corp_id.into(), num(seat_type.into()), num(limit as u64)])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| (r.active_code, r.duration_days.unwrap_or(0.0) as u64))
        .collect())
}

pub async fn activate_seat(
    db: &D1Database,
    corp_id: &str,
    code: &str,
    userid: &str,
    now: u64,
    expires_at: u64,
    merged: Option<&str>,
) -> Result<()> {
    let mut statements = vec![db
        .prepare(
            "UPDATE seats SET status = 'active', userid = ?3, activated_at = ?4, expires_at = ?5, updated_at = ?4 \
             WHERE corp_id = ?1 AND active_code = ?2",
        )
        .bind(&[corp_id.into(), code.into(), userid.into(), num(now), num(expires_at)])?];
    if let Some(old) = merged {
        // WeCom merges the old account's remaining time into the new one.
        statements.push(
            db.prepare("UPDATE seats SET status = 'expired', expires_at = ?3, updated_at = ?3 WHERE corp_id = ?1 AND active_code = ?2")
                .bind(&[corp_id.into(), old.into(), num(now)])?,
        );
    }
    db.batch(statements).await?;
    Ok(())
}

pub struct SeatTransfer<'a> {
    pub code: &'a str,
    pub seat_type: u8,
    pub handover: &'a str,
    pub takeover: &'a str,
    pub cooldown_until: Option<u64>,
    pub replaced: Option<&'a str>,
    pub actor: &'a str,
    pub now: u64,
}

pub async fn transfer_seat(db: &D1Database, corp_id: &str, t: &SeatTransfer<'_>) -> Result<()> {
    let mut statements = vec![
        db.prepare(
            "UPDATE seats SET userid = ?3, transferable_at = ?4, updated_at = ?5 WHERE corp_id = ?1 AND active_code = ?2",
        )
        .bind(&[
            corp_id.into(),
            t.code.into(),
            t.takeover.into(),
            opt_num(t.cooldown_until),
            num(t.now),
        ])?,
        db.prepare(
            "INSERT INTO transfers (corp_id, active_code, type, handover_userid, takeover_userid, transferred_at, \
               cooldown_until, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .bind(&[
            corp_id.into(),
            t.code.into(),
            num(t.seat_type.into()),
            t.handover.into(),
            t.takeover.into(),
            num(t.now),
            opt_num(t.cooldown_until),
            t.actor.into(),
        ])?,
    ];
    if let Some(old) = t.replaced {
        statements.push(
            db.prepare("UPDATE seats SET status = 'expired', expires_at = ?3, updated_at = ?3 WHERE corp_id = ?1 AND active_code = ?2")
                .bind(&[corp_id.into(), old.into(), num(t.now)])?,
        );
    }
    db.batch(statements).await?;
    Ok(())
}

/// The seat list; `status` is computed from expiry so it is right at `now`.
pub async fn seat_page(
    db: &D1Database,
    corp_id: &str,
    status: Option<&str>,
    seat_type: Option<u8>,
    cursor: Option<&str>,
    limit: u64,
    now: u64,
) -> Result<(Vec<SeatItem>, Option<String>, u64)> {
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
    }
    #[derive(Deserialize)]
    struct Count {
        n: f64,
    }
    let computed =
        "CASE WHEN status = 'active' AND expires_at <= ?2 THEN 'expired' ELSE status END";
    let filters =
        format!("corp_id = ?1 AND (?3 IS NULL OR ({computed}) = ?3) AND (?4 IS NULL OR type = ?4)");
    let params = |extra: &[JsValue]| {
        let mut p: Vec<JsValue> = vec![
            corp_id.into(),
            num(now),
            status.map(JsValue::from).unwrap_or(JsValue::NULL),
            opt_num(seat_type.map(u64::from)),
        ];
        p.extend_from_slice(extra);
        p
    };
    let total: Option<Count> = db
        .prepare(format!("SELECT count(*) AS n FROM seats WHERE {filters}"))
        .bind(&params(&[]))?
        .first(None)
        .await?;
    let rows: Vec<Row> = db
        .prepare(format!(
            "SELECT active_code, type, {computed} AS st, userid, activated_at, expires_at, transferable_at \
             FROM seats WHERE {filters} AND active_code > ?5 ORDER BY active_code LIMIT ?6"
        ))
        .bind(&params(&[cursor.unwrap_or("").into(), num(limit + 1)]))?
        .all()
        .await?
        .results()?;
    let more = rows.len() as u64 > limit;
    let items: Vec<SeatItem> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| SeatItem {
            active_code: r.active_code,
            seat_type: r.seat_type as u8,
            status: r.st,
            userid: r.userid,
            activated_at: r.activated_at.map(|t| t as u64),
            expires_at: r.expires_at.map(|t| t as u64),
            transferable_at: r.transferable_at.map(|t| t as u64).filter(|t| *t > now),
        })
        .collect();
    let next = if more {
        items.last().map(|s| s.active_code.clone())
    } else {
        None
    };
    Ok((items, next, total.map(|c| c.n as u64).unwrap_or(0)))
}

pub async fn seat_counts(db: &D1Database, corp_id: &str, now: u64) -> Result<(SeatCounts, u64)> {
    #[derive(Deserialize)]
    struct Row {
        purchased: f64,
        active: f64,
        unassigned: f64,
        expired: f64,
        expiring: f64,
        licensed_members: f64,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT \
               count(*) FILTER (WHERE status != 'refunded') AS purchased, \
               count(*) FILTER (WHERE status = 'active' AND expires_at > ?2) AS active, \
               count(*) FILTER (WHERE status = 'unassigned') AS unassigned, \
               count(*) FILTER (WHERE status = 'expired' OR (status = 'active' AND expires_at <= ?2)) AS expired, \
               count(*) FILTER (WHERE status = 'active' AND expires_at > ?2 AND expires_at <= ?3) AS expiring, \
               count(DISTINCT userid) FILTER (WHERE status = 'active' AND expires_at > ?2 AND EXISTS ( \
                 SELECT 1 FROM members m WHERE m.corp_id = seats.corp_id AND m.userid = seats.userid \
                   AND m.in_range = 1 AND m.status = 'active')) AS licensed_members \
             FROM seats WHERE corp_id = ?1",
        )
        .bind(&[corp_id.into(), num(now), num(now + 30 * 86400)])?
        .first(None)
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
                },
                r.licensed_members as u64,
            )
        })
        .unwrap_or_default())
}

pub async fn orders(db: &D1Database, corp_id: &str) -> Result<Vec<serde_json::Value>> {
    let rows: Vec<serde_json::Value> = db
        .prepare(
            "SELECT order_id, order_status, base_count, interconnect_count, duration_days, created_at, paid_at \
             FROM orders WHERE corp_id = ?1 ORDER BY paid_at DESC",
        )
        .bind(&[corp_id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows)
}

pub async fn organisation_dates(
    db: &D1Database,
    corp_id: &str,
) -> Result<Option<(u64, Option<(u64, u64)>, bool)>> {
    #[derive(Deserialize)]
    struct Row {
        first_installed_at: f64,
        trial_start: Option<f64>,
        trial_end: Option<f64>,
        auto_activate: f64,
    }
    let row: Option<Row> = db
        .prepare("SELECT first_installed_at, trial_start, trial_end, auto_activate FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first(None)
        .await?;
    Ok(row.map(|r| {
        (
            r.first_installed_at as u64,
            r.trial_start
                .zip(r.trial_end)
                .map(|(a, b)| (a as u64, b as u64)),
            r.auto_activate != 0.0,
        )
    }))
}

pub async fn refund_order(
    db: &D1Database,
    corp_id: &str,
    order_id: &str,
    order_status: u64,
    now: u64,
) -> Result<usize> {
    let results = db
        .batch(vec![
            db.prepare("UPDATE orders SET order_status = ?3, updated_at = ?4 WHERE corp_id = ?1 AND order_id = ?2")
                .bind(&[corp_id.into(), order_id.into(), num(order_status), num(now)])?,
            db.prepare(
                "UPDATE seats SET status = 'refunded', updated_at = ?3 \
                 WHERE corp_id = ?1 AND order_id = ?2 AND status = 'unassigned'",
            )
            .bind(&[corp_id.into(), order_id.into(), num(now)])?,
        ])
        .await?;
    Ok(results.get(1).map(changes).unwrap_or(0))
}

/// WeCom bound a free account to a member who used the app.
pub async fn auto_activated(
    db: &D1Database,
    corp_id: &str,
    a: &domain::event::ActivatedAccount,
    now: u64,
) -> Result<()> {
    let mut statements = vec![db
        .prepare(
            "INSERT INTO seats (corp_id, active_code, type, status, userid, activated_at, expires_at, updated_at) \
             VALUES (?1, ?2, ?3, 'active', ?4, ?5, ?6, ?5) \
             ON CONFLICT (corp_id, active_code) DO UPDATE SET status = 'active', userid = excluded.userid, \
               activated_at = excluded.activated_at, expires_at = excluded.expires_at, updated_at = excluded.updated_at",
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
            db.prepare("UPDATE seats SET status = 'expired', expires_at = ?3, updated_at = ?3 WHERE corp_id = ?1 AND active_code = ?2")
                .bind(&[corp_id.into(), old.as_str().into(), num(now)])?,
        );
    }
    db.batch(statements).await?;
    Ok(())
}

pub async fn record_seat_request(
    db: &D1Database,
    corp_id: &str,
    userid: &str,
    at: u64,
) -> Result<()> {
    db.prepare(
        "INSERT INTO seat_requests (corp_id, userid, first_at, last_at, count) VALUES (?1, ?2, ?3, ?3, 1) \
         ON CONFLICT (corp_id, userid) DO UPDATE SET last_at = max(last_at, excluded.last_at), count = count + 1",
    )
    .bind(&[corp_id.into(), userid.into(), num(at)])?
    .run()
    .await?;
    Ok(())
}

/// The seat-request inbox: who asked, how often, and whether they now hold a seat.
pub async fn seat_requests(
    db: &D1Database,
    corp_id: &str,
    now: u64,
) -> Result<Vec<serde_json::Value>> {
    db.prepare(
        "SELECT r.userid, m.name, r.first_at, r.last_at, r.count, \
           EXISTS (SELECT 1 FROM seats s WHERE s.corp_id = r.corp_id AND s.userid = r.userid \
                   AND s.status = 'active' AND s.expires_at > ?2) AS has_seat \
         FROM seat_requests r LEFT JOIN members m ON m.corp_id = r.corp_id AND m.userid = r.userid \
         WHERE r.corp_id = ?1 ORDER BY has_seat, r.last_at DESC",
    )
    .bind(&[corp_id.into(), num(now)])?
    .all()
    .await?
    .results()
}

pub async fn set_auto_activate(db: &D1Database, corp_id: &str, on: bool, now: u64) -> Result<()> {
    db.prepare("UPDATE organisations SET auto_activate = ?2, updated_at = ?3 WHERE corp_id = ?1")
        .bind(&[corp_id.into(), num(on as u64), num(now)])?
        .run()
        .await?;
    Ok(())
}

/// Active seats whose holder has left the company or the range (these move
/// at once), longest remaining first.
pub async fn idle_seats(
    db: &D1Database,
    corp_id: &str,
    now: u64,
) -> Result<Vec<serde_json::Value>> {
    db.prepare(
        "SELECT s.active_code, s.type, s.userid AS handover_userid, s.expires_at, \
           CASE WHEN m.status = 'departed' THEN 'departed' ELSE 'out_of_range' END AS handover_state \
         FROM seats s JOIN members m ON m.corp_id = s.corp_id AND m.userid = s.userid \
         WHERE s.corp_id = ?1 AND s.status = 'active' AND s.expires_at > ?2 \
           AND (m.status = 'departed' OR m.in_range = 0) \
         ORDER BY s.expires_at DESC",
    )
    .bind(&[corp_id.into(), num(now)])?
    .all()
    .await?
    .results()
}

/// In-range members who asked for a seat and still have none, most eager first.
pub async fn waiting_requesters(
    db: &D1Database,
    corp_id: &str,
    now: u64,
) -> Result<Vec<serde_json::Value>> {
    db.prepare(
        "SELECT r.userid, m.name, r.count, r.last_at FROM seat_requests r \
         JOIN members m ON m.corp_id = r.corp_id AND m.userid = r.userid \
         WHERE r.corp_id = ?1 AND m.in_range = 1 AND m.status = 'active' \
           AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.corp_id = r.corp_id AND s.userid = r.userid \
                           AND s.status = 'active' AND s.expires_at > ?2) \
         ORDER BY r.count DESC, r.last_at DESC",
    )
    .bind(&[corp_id.into(), num(now)])?
    .all()
    .await?
    .results()
}

// ---- license status (get_app_license_info) --------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct LicenseInfo {
    pub license_status: Option<u64>,
    pub trial_start: Option<u64>,
    pub trial_end: Option<u64>,
    pub license_check_time: Option<u64>,
}

pub async fn license_info(db: &D1Database, corp_id: &str) -> Result<Option<LicenseInfo>> {
    #[derive(Deserialize)]
    struct Row {
        license_status: Option<f64>,
        trial_start: Option<f64>,
        trial_end: Option<f64>,
        license_check_time: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT license_status, trial_start, trial_end, license_check_time \
             FROM organisations WHERE corp_id = ?1",
        )
        .bind(&[corp_id.into()])?
        .first(None)
        .await?;
    Ok(row.map(|r| LicenseInfo {
        license_status: r.license_status.map(|v| v as u64),
        trial_start: r.trial_start.map(|v| v as u64),
        trial_end: r.trial_end.map(|v| v as u64),
        license_check_time: r.license_check_time.map(|v| v as u64),
    }))
}

pub async fn set_license_info(
    db: &D1Database,
    corp_id: &str,
    info: &LicenseInfo,
    now: u64,
) -> Result<()> {
    db.prepare(
        "UPDATE organisations SET license_status = ?2, trial_start = ?3, trial_end = ?4, \
         license_check_time = ?5, updated_at = ?6 WHERE corp_id = ?1",
    )
    .bind(&[
        corp_id.into(),
        opt_num(info.license_status),
        opt_num(info.trial_start),
        opt_num(info.trial_end),
        opt_num(info.license_check_time),
        num(now),
    ])?
    .run()
    .await?;
    Ok(())
}

// ---- forecast --------------------------------------------------------------

/// What a range forecast needs: the department tree, every member still in
/// the organisation (in range or not) with whether they hold an active seat,
/// and how many accounts are unassigned.
pub async fn forecast_facts(
    db: &D1Database,
    corp_id: &str,
    now: u64,
) -> Result<(
    Vec<domain::range::Department>,
    Vec<domain::forecast::KnownMember>,
    u64,
)> {
    #[derive(Deserialize)]
    struct Dept {
        id: f64,
        parent_id: f64,
    }
    #[derive(Deserialize)]
    struct Row {
        userid: String,
        department_ids: Option<String>,
        via: String,
        in_range: f64,
        licensed: f64,
    }
    #[derive(Deserialize)]
    struct Count {
        n: f64,
    }
    let results = db
        .batch(vec![
            db.prepare("SELECT id, parent_id FROM departments WHERE corp_id = ?1")
                .bind(&[corp_id.into()])?,
            db.prepare(
                "SELECT m.userid, m.department_ids, m.via, m.in_range, \
                   EXISTS (SELECT 1 FROM seats s WHERE s.corp_id = m.corp_id AND s.userid = m.userid \
                           AND s.status = 'active' AND s.expires_at > ?2) AS licensed \
                 FROM members m WHERE m.corp_id = ?1 AND m.status = 'active'",
            )
            .bind(&[corp_id.into(), num(now)])?,
            db.prepare("SELECT count(*) AS n FROM seats WHERE corp_id = ?1 AND status = 'unassigned'")
                .bind(&[corp_id.into()])?,
        ])
        .await?;
    let departments = results[0]
        .results::<Dept>()?
        .into_iter()
        .map(|d| domain::range::Department {
            id: d.id as u64,
            parent_id: d.parent_id as u64,
        })
        .collect();
    let members = results[1]
        .results::<Row>()?
        .into_iter()
        .map(|r| domain::forecast::KnownMember {
            department_ids: r
                .department_ids
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default(),
            via: serde_json::from_str(&r.via).unwrap_or_default(),
            in_range: r.in_range != 0.0,
            licensed: r.licensed != 0.0,
            userid: r.userid,
        })
        .collect();
    let unassigned = results[2]
        .results::<Count>()?
        .first()
        .map_or(0, |c| c.n as u64);
    Ok((departments, members, unassigned))
}
