//! Departments in the visible range: written by the sync and by
//! `change_contact`, read as the console's tree with member counts.

use super::bind::{json_str, num, run_counted};
use crate::d1::Db;
use serde::Deserialize;
use worker::Result;

pub struct DepartmentRow<'a> {
    pub id: u64,
    pub parent_id: u64,
    pub name: &'a str,
    pub order: u64,
}

fn upsert_department_statement(
    db: &Db,
    corp_id: &str,
    d: &DepartmentRow<'_>,
    now: u64,
) -> Result<crate::d1::Statement> {
    db.prepare(
        "INSERT INTO departments (corp_id, id, parent_id, name, sort_order, in_range, updated_at) \
         SELECT ?1, ?2, ?3, ?4, ?5, 1, ?6 WHERE EXISTS (SELECT 1 FROM organisations WHERE corp_id = ?1) \
         ON CONFLICT (corp_id, id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name, \
           sort_order = excluded.sort_order, in_range = 1, updated_at = excluded.updated_at \
         WHERE (departments.parent_id, departments.name, departments.sort_order, departments.in_range) \
           IS NOT (excluded.parent_id, excluded.name, excluded.sort_order, 1)",
    )
    .bind(&[corp_id.into(), num(d.id), num(d.parent_id), d.name.into(), num(d.order), num(now)])
}

pub async fn upsert_department(
    db: &Db,
    corp_id: &str,
    d: &DepartmentRow<'_>,
    now: u64,
) -> Result<()> {
    upsert_department_statement(db, corp_id, d, now)?
        .run()
        .await?;
    Ok(())
}

pub async fn delete_department(db: &Db, corp_id: &str, id: u64) -> Result<()> {
    db.prepare("DELETE FROM departments WHERE corp_id = ?1 AND id = ?2")
        .bind(&[corp_id.into(), num(id)])?
        .run()
        .await?;
    Ok(())
}

/// What says whether a member WeCom describes is in range: the visible
/// range's individuals, and which of the member's `departments` are
/// stored (in range). One round trip, reading the member's departments
/// only, not the organisation's thousand.
pub async fn member_range(
    db: &Db,
    corp_id: &str,
    departments: &[u64],
) -> Result<(Vec<String>, std::collections::HashSet<u64>)> {
    #[derive(Deserialize)]
    struct Individuals {
        allow_user: String,
    }
    #[derive(Deserialize)]
    struct Row {
        id: f64,
    }
    let results = db
        .batch(vec![
            db.prepare("SELECT allow_user FROM organisations WHERE corp_id = ?1")
                .bind(&[corp_id.into()])?,
            db.prepare(
                "SELECT id FROM departments WHERE corp_id = ?1 \
                 AND id IN (SELECT value FROM json_each(?2))",
            )
            .bind(&[corp_id.into(), json_str(&departments)])?,
        ])
        .await?;
    let individuals = results[0]
        .results::<Individuals>()?
        .into_iter()
        .next()
        .and_then(|r| serde_json::from_str(&r.allow_user).ok())
        .unwrap_or_default();
    let known = results[1].results::<Row>()?;
    Ok((
        individuals,
        known.into_iter().map(|r| r.id as u64).collect(),
    ))
}

/// A stored department, without its members: what a department callback
/// needs of the tree.
pub struct KnownDepartment {
    pub id: u64,
    pub parent_id: u64,
    pub name: String,
}

/// Those of `ids` the organisation has stored: one read by the primary
/// key, no member read (a department callback of a 100 000-member
/// organisation must not walk its members).
pub async fn departments_by_id(
    db: &Db,
    corp_id: &str,
    ids: &[u64],
) -> Result<Vec<KnownDepartment>> {
    #[derive(Deserialize)]
    struct Row {
        id: f64,
        parent_id: f64,
        name: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT id, parent_id, name FROM departments \
             WHERE corp_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
        )
        .bind(&[corp_id.into(), json_str(&ids)])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| KnownDepartment {
            id: r.id as u64,
            parent_id: r.parent_id as u64,
            name: r.name,
        })
        .collect())
}

/// The visible departments (others removed).
/// Stores the departments in range as WeCom lists them (those no longer
/// listed deleted; unchanged ones not written); how many rows changed.
pub async fn write_departments(
    db: &Db,
    corp_id: &str,
    departments: &[DepartmentRow<'_>],
    now: u64,
) -> Result<usize> {
    let visible_ids: Vec<u64> = departments.iter().map(|d| d.id).collect();
    let mut statements = vec![db
        .prepare("DELETE FROM departments WHERE corp_id = ?1 AND id NOT IN (SELECT value FROM json_each(?2))")
        .bind(&[corp_id.into(), json_str(&visible_ids)])?];
    for d in departments {
        statements.push(upsert_department_statement(db, corp_id, d, now)?);
    }
    run_counted(db, statements).await
}

pub struct StoredDepartment {
    pub id: u64,
    pub parent_id: u64,
    pub name: String,
    pub direct_members: u64,
}

/// The department tree with each department's direct member count: the
/// members are walked once (one `GROUP BY` over their department lists),
/// not once per department.
pub async fn departments_with_counts(db: &Db, corp_id: &str) -> Result<Vec<StoredDepartment>> {
    #[derive(Deserialize)]
    struct Row {
        id: f64,
        parent_id: f64,
        name: String,
        n: f64,
    }
    let rows: Vec<Row> = db
        .prepare(
            "WITH counts AS ( \
               SELECT j.value AS id, count(*) AS n FROM members m, json_each(m.department_ids) j \
               WHERE m.corp_id = ?1 AND m.in_range = 1 AND m.status = 'active' GROUP BY j.value) \
             SELECT d.id, d.parent_id, d.name, coalesce(c.n, 0) AS n \
             FROM departments d LEFT JOIN counts c ON c.id = d.id \
             WHERE d.corp_id = ?1 ORDER BY d.sort_order, d.id",
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

/// The departments as the last sync left them, in id order: what the
/// contacts check compares with WeCom's list (one read a department).
pub async fn stored_departments(db: &Db, corp_id: &str) -> Result<Vec<ListedDepartment>> {
    #[derive(Deserialize)]
    struct Row {
        id: f64,
        parent_id: f64,
        name: String,
        sort_order: f64,
        in_range: f64,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT id, parent_id, name, sort_order, in_range FROM departments \
             WHERE corp_id = ?1 ORDER BY id",
        )
        .bind(&[corp_id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| ListedDepartment {
            id: r.id as u64,
            parent_id: r.parent_id as u64,
            name: r.name,
            order: r.sort_order as u64,
            in_range: r.in_range != 0.0,
        })
        .collect())
}

/// A department as stored, or as WeCom lists it (then in range).
#[derive(Debug, PartialEq, Eq)]
pub struct ListedDepartment {
    pub id: u64,
    pub parent_id: u64,
    pub name: String,
    pub order: u64,
    pub in_range: bool,
}
