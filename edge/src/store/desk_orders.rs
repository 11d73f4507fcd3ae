//! Orders placed from the provider's desk (`desk_orders`, migration
//! 0019): each caller's request id claimed before WeCom is asked, so a
//! retry finds its order; and the seats a renewal from the desk renews.

use super::bind::{audit_statement, num, run_batched};
use crate::d1::{Db, Statement};
use domain::api::DeskRenewal;
use serde::Deserialize;
use worker::Result;

/// Whose a desk order's request id is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskOrderClaim {
    /// This call claimed it: place the order.
    Mine,
    /// An earlier call placed this order.
    Placed(String),
    /// An earlier call is placing it now.
    Busy,
    /// The id was used for another organisation.
    OtherCorp,
}

/// Claims a desk order's request id (one round trip): the first call gets
/// [`DeskOrderClaim::Mine`], any later one what became of it.
pub async fn claim_desk_order(
    db: &Db,
    request_id: &str,
    corp_id: &str,
    actor: &str,
    now: u64,
) -> Result<DeskOrderClaim> {
    #[derive(Deserialize)]
    struct Claimed {
        corp_id: String,
        order_id: String,
    }
    let results = db
        .batch(vec![
            db.prepare(
                "INSERT INTO desk_orders (request_id, corp_id, actor, created_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (request_id) DO NOTHING",
            )
            .bind(&[request_id.into(), corp_id.into(), actor.into(), num(now)])?,
            db.prepare("SELECT corp_id, order_id FROM desk_orders WHERE request_id = ?1")
                .bind(&[request_id.into()])?,
        ])
        .await?;
    if super::bind::changes(&results[0]) == 1 {
        return Ok(DeskOrderClaim::Mine);
    }
    Ok(match results[1].results::<Claimed>()?.into_iter().next() {
        Some(c) if c.corp_id != corp_id => DeskOrderClaim::OtherCorp,
        Some(c) if c.order_id.is_empty() => DeskOrderClaim::Busy,
        Some(c) => DeskOrderClaim::Placed(c.order_id),
        None => DeskOrderClaim::Busy,
    })
}

/// The claimed request's order was placed: its id noted (on the home
/// database, before the organisations' audit rows on theirs, so a retry
/// finds the order instead of placing another).
pub async fn desk_order_placed(db: &Db, request_id: &str, order_id: &str) -> Result<()> {
    noted(db, request_id, order_id)?.run().await?;
    Ok(())
}

fn noted(db: &Db, request_id: &str, order_id: &str) -> Result<Statement> {
    db.prepare("UPDATE desk_orders SET order_id = ?2 WHERE request_id = ?1")
        .bind(&[request_id.into(), order_id.into()])
}

/// Notes what the claimed request is waiting for (a WeCom job still
/// making its order), so a retry asks after it instead of placing again.
pub async fn desk_order_waiting(db: &Db, request_id: &str, marker: &str) -> Result<()> {
    noted(db, request_id, marker)?.run().await?;
    Ok(())
}

/// One audit row in each organisation's log (an action on several, all of
/// them on this database).
pub async fn audit_each(
    db: &Db,
    rows: &[(String, serde_json::Value)],
    now: u64,
    actor: &str,
    action: &str,
) -> Result<()> {
    let mut statements = vec![];
    for (corp_id, detail) in rows {
        statements.push(audit_statement(db, corp_id, now, actor, action, detail)?);
    }
    run_batched(db, statements).await
}

/// WeCom refused the claimed request's order (or its job failed): the
/// claim goes, so a retry can ask again (a job is noted as `job:<id>`,
/// `desk::orders`). A placed order's claim stays.
pub async fn release_desk_order(db: &Db, request_id: &str) -> Result<()> {
    db.prepare(
        "DELETE FROM desk_orders WHERE request_id = ?1 AND (order_id = '' OR order_id LIKE 'job:%')",
    )
        .bind(&[request_id.into()])?
        .run()
        .await?;
    Ok(())
}

/// The seats a renewal within `until` renews: each member and type whose
/// latest active seat ends after `now` and by `until`, soonest first, at
/// most `limit` of them, and how many there are in all (one round trip).
pub async fn renewable_seats(
    db: &Db,
    corp_id: &str,
    now: u64,
    until: u64,
    limit: u64,
) -> Result<(Vec<DeskRenewal>, u64)> {
    #[derive(Deserialize)]
    struct Row {
        userid: String,
        #[serde(rename = "type")]
        account_type: f64,
        expire_time: f64,
    }
    #[derive(Deserialize)]
    struct Count {
        n: f64,
    }
    const ENDING: &str = "SELECT userid, type, max(expires_at) AS expire_time FROM seats \
        WHERE corp_id = ?1 AND status = 'active' AND userid IS NOT NULL AND expires_at > ?2 \
        GROUP BY userid, type HAVING max(expires_at) <= ?3";
    let params = [corp_id.into(), num(now), num(until)];
    let results = db
        .batch(vec![
            db.prepare(format!(
                "{ENDING} ORDER BY expire_time, userid, type LIMIT ?4"
            ))
            .bind(&[corp_id.into(), num(now), num(until), num(limit)])?,
            db.prepare(format!("SELECT count(*) AS n FROM ({ENDING})"))
                .bind(&params)?,
        ])
        .await?;
    let rows = results[0]
        .results::<Row>()?
        .into_iter()
        .map(|r| DeskRenewal {
            userid: r.userid,
            account_type: r.account_type as u8,
            expire_time: r.expire_time as u64,
        })
        .collect();
    let total = results[1]
        .results::<Count>()?
        .first()
        .map_or(0, |c| c.n as u64);
    Ok((rows, total))
}
