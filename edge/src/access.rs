//! `POST /api/v1/access/check`: the QR code product asks, before each
//! operation, whether a member may do it now.
//!
//! Hot path: the member's view (state, seats, trial) is cached in KV under
//! the organisation's generation number; every write to the organisation's
//! members, seats or trial bumps the generation, so a stale view is never
//! read after a change (within KV's own propagation delay).

use crate::clock::now_secs;
use crate::config::value;
use crate::error::{respond, ApiError};
use crate::{store, Ctx};
use domain::access::{decide, Member};
use domain::seat::HeldSeat;
use domain::session::ct_eq;
use domain::trial::Trial;
use serde::{Deserialize, Serialize};
use worker::{Env, Request, Response, Result};

/// A cached view lives at most this long even without a change.
const VIEW_TTL_SECS: u64 = 300;

#[derive(Deserialize)]
struct Check {
    corp_id: String,
    userid: String,
    operation: String,
}

#[derive(Serialize, Deserialize)]
struct View {
    /// unknown | departed | out_of_range | in_range
    state: String,
    seats: Vec<(String, u8, u64)>,
    trial: Trial,
}

impl View {
    fn member(&self) -> Member {
        match self.state.as_str() {
            "departed" => Member::Departed,
            "out_of_range" => Member::OutOfRange,
            "in_range" => Member::InRange(
                self.seats
                    .iter()
                    .filter_map(|(code, t, exp)| {
                        Some(HeldSeat {
                            active_code: code.clone(),
                            seat_type: (*t).try_into().ok()?,
                            expires_at: *exp,
                            transferable_at: None,
                        })
                    })
                    .collect(),
            ),
            _ => Member::Unknown,
        }
    }
}

pub fn authorised(req: &Request, env: &Env) -> std::result::Result<(), ApiError> {
    let key = value(env, "ACCESS_API_KEY")
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ApiError::internal("ACCESS_API_KEY is not configured"))?;
    let given = req.headers().get("Authorization")?.unwrap_or_default();
    let token = given.strip_prefix("Bearer ").unwrap_or_default();
    if ct_eq(token.as_bytes(), key.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::new(
            401,
            "unauthenticated",
            "a valid Authorization: Bearer <ACCESS_API_KEY> is required",
        ))
    }
}

async fn view(
    env: &Env,
    corp_id: &str,
    userid: &str,
) -> std::result::Result<Option<View>, ApiError> {
    let kv = env.kv("KV")?;
    let generation = store::generation(&kv, corp_id).await;
    let key = format!("corp:{corp_id}:access:{generation}:{userid}");
    if let Ok(Some(v)) = kv.get(&key).json::<View>().await {
        return Ok(Some(v));
    }
    let db = store::db(env)?;
    let Some(facts) = store::access_facts(&db, corp_id, userid).await? else {
        return Ok(None);
    };
    let v = View {
        state: facts.state,
        seats: facts.seats,
        trial: Trial::new(facts.first_installed_at, facts.wecom_trial),
    };
    if let Ok(put) = kv.put(&key, serde_json::to_string(&v).unwrap_or_default()) {
        let _ = put.expiration_ttl(VIEW_TTL_SECS).execute().await;
    }
    Ok(Some(v))
}

pub async fn check(mut req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            authorised(&req, &ctx.env)?;
            let q: Check = req.json().await.map_err(|_| {
                ApiError::bad_request("body must be {\"corp_id\",\"userid\",\"operation\"}")
            })?;
            let v = view(&ctx.env, &q.corp_id, &q.userid)
                .await?
                .ok_or_else(|| {
                    ApiError::new(
                        404,
                        "unknown_corp",
                        "that organisation has not installed the app",
                    )
                })?;
            let decision = decide(Some(v.trial), &v.member(), &q.operation, now_secs());
            Ok(Response::from_json(&decision)?)
        }
        .await,
    )
}
