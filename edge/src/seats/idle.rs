//! Idle seats moving by themselves: where an organisation switched it on,
//! the nightly reconcile moves each idle seat to a member who asked for
//! one, as the console's suggestions pair them (departed and out-of-range
//! holders first; then in-range holders idle for the organisation's idle
//! days, whose seat then waits 30 days before it can move again), through
//! the same transfer an admin's click makes, with an audit row per move.

use crate::env::Config;
use crate::error::ApiError;
use crate::seats::actions::{self, Actor};
use crate::seats::routes::suggest;
use crate::shard;
use crate::store;
use domain::api::{TransferPair, TransferRequest};
use serde_json::json;
use worker::Env;

/// Who the audit names for the nightly move.
pub const AUTO_MOVE_ACTOR: &str = "auto_move";

/// Moves the organisation's idle seats to the members asking, when it
/// switched the nightly move on: how many moved.
pub async fn auto_move(env: &Env, cfg: &Config, corp_id: &str, now: u64) -> Result<u64, ApiError> {
    let db = shard::db_for(env, corp_id).await?;
    if !store::idle_settings(&db, corp_id).await?.auto_move {
        return Ok(0);
    }
    let seats = store::idle_seats(&db, corp_id, now).await?;
    let waiting = store::waiting_requesters(&db, corp_id, now).await?;
    let pairs = suggest(seats, waiting).items;
    if pairs.is_empty() {
        return Ok(0);
    }
    let request = TransferRequest {
        transfers: pairs
            .iter()
            .map(|p| TransferPair {
                handover_userid: p.handover_userid.clone(),
                takeover_userid: p.takeover_userid.clone(),
            })
            .collect(),
    };
    let who = Actor {
        corp_id,
        userid: AUTO_MOVE_ACTOR,
        now,
    };
    let results = actions::transfer(env, cfg, &who, &request).await?.results;
    // One row a move, naming why the seat was free.
    let rows: Vec<(String, serde_json::Value)> = pairs
        .iter()
        .zip(&results)
        .filter(|(_, r)| r.ok)
        .map(|(p, _)| {
            let detail = json!({
                "handover_userid": p.handover_userid,
                "handover_state": p.handover_state,
                "idle_since": p.idle_since,
                "takeover_userid": p.takeover_userid,
                "type": p.seat_type,
            });
            (corp_id.to_owned(), detail)
        })
        .collect();
    store::audit_each(&db, &rows, now, AUTO_MOVE_ACTOR, "idle_seats_moved").await?;
    Ok(rows.len() as u64)
}
