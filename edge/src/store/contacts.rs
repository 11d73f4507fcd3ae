//! Members and departments as the contacts sync and `change_contact`
//! leave them (the console's reads of them: `member_list`).

use super::bind::{changes, json_str, num, run_batched, BATCH};
use crate::d1::Db;
use domain::api::SyncCounts;
use domain::range::{MemberRecord, Status, Via};
use serde::Deserialize;
use worker::{wasm_bindgen::JsValue, Result};

#[derive(Deserialize)]
pub(super) struct MemberRow {
    userid: String,
    name: String,
    department_ids: Option<String>,
    in_range: f64,
    via: String,
    status: String,
}

impl MemberRow {
    pub(super) fn record(self) -> MemberRecord {
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

pub(super) const MEMBER_COLUMNS: &str = "userid, name, department_ids, in_range, via, status";

pub(super) fn upsert_member_statement(
    db: &Db,
    corp_id: &str,
    m: &MemberRecord,
    now: u64,
) -> Result<crate::d1::Statement> {
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
    db: &Db,
    corp_id: &str,
    members: &[MemberRecord],
    now: u64,
) -> Result<crate::d1::Statement> {
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

pub async fn rename_member(db: &Db, corp_id: &str, old: &str, new: &str, now: u64) -> Result<()> {
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

/// A member deleted in WeCom (a row already departed is not written).
pub(super) fn departed_statement(
    db: &Db,
    corp_id: &str,
    userid: &str,
    now: u64,
) -> Result<crate::d1::Statement> {
    db.prepare(
        "UPDATE members SET status = 'departed', in_range = 0, via = '[]', updated_at = ?3 \
         WHERE corp_id = ?1 AND userid = ?2 AND status != 'departed'",
    )
    .bind(&[corp_id.into(), userid.into(), num(now)])
}

/// A member WeCom says is outside the range now (60011); unchanged rows
/// are not written.
pub(super) fn out_of_range_statement(
    db: &Db,
    corp_id: &str,
    userid: &str,
    now: u64,
) -> Result<crate::d1::Statement> {
    db.prepare(
        "UPDATE members SET in_range = 0, via = '[]', updated_at = ?3 \
         WHERE corp_id = ?1 AND userid = ?2 AND (in_range != 0 OR via != '[]')",
    )
    .bind(&[corp_id.into(), userid.into(), num(now)])
}

/// Stored rows of just these members (one sync chunk).
pub async fn stored_members_among(
    db: &Db,
    corp_id: &str,
    userids: &[&str],
) -> Result<Vec<MemberRecord>> {
    let rows: Vec<MemberRow> = db
        .prepare(format!(
            "SELECT {MEMBER_COLUMNS} FROM (SELECT DISTINCT value FROM json_each(?2)) j \
             CROSS JOIN members m WHERE m.corp_id = ?1 AND m.userid = j.value"
        ))
        .bind(&[corp_id.into(), json_str(&userids)])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(MemberRow::record).collect())
}

pub async fn upsert_members(
    db: &Db,
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
    db: &Db,
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

/// One page of the members stored as in range, whole, in userid order:
/// the contacts check reads each once.
pub async fn in_range_members_after(
    db: &Db,
    corp_id: &str,
    after: &str,
    limit: u64,
) -> Result<Vec<MemberRecord>> {
    let rows: Vec<MemberRow> = db
        .prepare(format!(
            "SELECT {MEMBER_COLUMNS} FROM members \
             WHERE corp_id = ?1 AND in_range = 1 AND userid > ?2 ORDER BY userid LIMIT ?3"
        ))
        .bind(&[corp_id.into(), after.into(), num(limit)])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(MemberRow::record).collect())
}

/// A contacts check found the members as WeCom has them: the time is
/// noted only when the last note is older than `every` seconds, so most
/// checks write nothing. Returns whether it wrote.
pub async fn note_checked(db: &Db, corp_id: &str, now: u64, every: u64) -> Result<bool> {
    let r = db
        .prepare(
            "UPDATE organisations SET last_synced_at = ?2 \
             WHERE corp_id = ?1 AND coalesce(last_synced_at, 0) <= ?3",
        )
        .bind(&[corp_id.into(), num(now), num(now.saturating_sub(every))])?
        .run()
        .await?;
    Ok(changes(&r) > 0)
}

/// Ends a full sync: members who left the range or departed, and the time.
pub async fn finish_sync(
    db: &Db,
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

pub fn counts_detail(counts: &SyncCounts) -> serde_json::Value {
    serde_json::to_value(counts).unwrap_or_default()
}
