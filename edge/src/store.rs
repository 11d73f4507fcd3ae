//! Every SQL statement the Worker runs lives here, behind named functions.

use domain::api::Corp;
use serde::Deserialize;
use worker::{D1Database, Env, Result};

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
