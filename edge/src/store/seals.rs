//! Sealed permanent codes being sealed again: values of the old kind
//! (`v1:`) are replaced by ones bound to their organisation.

use super::bind::{changes, num};
use crate::d1::Db;
use serde::Deserialize;
use worker::Result;

/// Replaces `old` with `new` as the organisation's sealed permanent code,
/// only if `old` is still what the row holds (another request may have
/// sealed it again first, or the organisation was reinstalled). Whether it
/// replaced it.
pub async fn reseal_permanent_code(db: &Db, corp_id: &str, old: &str, new: &str) -> Result<bool> {
    let r = db
        .prepare(
            "UPDATE organisations SET permanent_code_enc = ?3 \
             WHERE corp_id = ?1 AND permanent_code_enc = ?2",
        )
        .bind(&[corp_id.into(), old.into(), new.into()])?
        .run()
        .await?;
    Ok(changes(&r) > 0)
}

/// Up to `limit` organisations whose permanent code is still sealed the
/// old way: (corp id, sealed value).
pub async fn old_sealed_codes(db: &Db, limit: u64) -> Result<Vec<(String, String)>> {
    #[derive(Deserialize)]
    struct Row {
        corp_id: String,
        permanent_code_enc: String,
    }
    let rows: Vec<Row> = db
        .prepare(
            "SELECT corp_id, permanent_code_enc FROM organisations \
             WHERE permanent_code_enc LIKE 'v1:%' LIMIT ?1",
        )
        .bind(&[num(limit)])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| (r.corp_id, r.permanent_code_enc))
        .collect())
}

/// Writes `sealed` as the organisation's permanent code (the development
/// build's test route, which plants old values).
#[cfg(feature = "dev")]
pub async fn set_sealed_permanent_code(db: &Db, corp_id: &str, sealed: &str) -> Result<bool> {
    let r = db
        .prepare("UPDATE organisations SET permanent_code_enc = ?2 WHERE corp_id = ?1")
        .bind(&[corp_id.into(), sealed.into()])?
        .run()
        .await?;
    Ok(changes(&r) > 0)
}
