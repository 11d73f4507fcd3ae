//! The directory (`org_homes`, migration 0023): which D1 database holds
//! each organisation, by binding name. Only the home database's copy is
//! read or written (edge `shard`); an install writes its entry
//! (`install_home`), which outlives cancel_auth (`delete_organisation_home`).

use crate::d1::Db;
use serde::Deserialize;
use worker::Result;

#[derive(Deserialize)]
struct Home {
    binding: String,
}

/// The binding that holds `corp_id`, if the directory names one.
pub async fn home_of(db: &Db, corp_id: &str) -> Result<Option<String>> {
    let home = db
        .prepare("SELECT binding FROM org_homes WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first::<Home>()
        .await?;
    Ok(home.map(|h| h.binding))
}
