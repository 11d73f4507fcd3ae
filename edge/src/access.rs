//! `POST /api/v1/access/check`: the QR code product asks, before each
//! operation, whether a member may do it now.
//!
//! Hot path: the member's view (state, seats, trial) is cached in KV and in
//! the isolate's memory under the organisation's generation number; every
//! write to the organisation's members, seats or trial bumps the generation.
//! The writing isolate sees the change at once; others within a second
//! (plus KV's own propagation delay in production).

use crate::clock::now_secs;
use crate::config::value;
use crate::error::{respond, ApiError};
use crate::{store, Ctx};
use domain::access::{decide, Member};
use domain::seat::HeldSeat;
use domain::session::ct_eq;
use domain::trial::Trial;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use worker::{Env, Request, Response, Result};

/// A cached view lives at most this long even without a change.
const VIEW_TTL_SECS: u64 = 300;
/// How long this isolate trusts the generation it last read from KV.
const GENERATION_MEMO_MS: u64 = 1000;
/// Views kept in this isolate's memory (cleared when full).
const MEMO_VIEWS: usize = 20_000;

thread_local! {
    /// corp_id -> (read at ms, generation)
    static GENERATIONS: std::cell::RefCell<HashMap<String, (u64, String)>> = Default::default();
    /// "corp:gen:userid" -> view
    static VIEWS: std::cell::RefCell<HashMap<String, std::rc::Rc<View>>> = Default::default();
}

/// The organisation's generation: from memory if read within the last
/// second, else from KV.
async fn generation(kv: &worker::KvStore, corp_id: &str) -> String {
    let now_ms = worker::Date::now().as_millis();
    let memo = GENERATIONS.with(|g| g.borrow().get(corp_id).cloned());
    if let Some((at, generation)) = memo {
        if now_ms.saturating_sub(at) < GENERATION_MEMO_MS {
            return generation;
        }
    }
    let generation = store::generation(kv, corp_id).await;
    GENERATIONS.with(|g| {
        g.borrow_mut()
            .insert(corp_id.to_owned(), (now_ms, generation.clone()))
    });
    generation
}

/// A write in this isolate is seen by its next check at once.
pub fn forget_generation(corp_id: &str) {
    GENERATIONS.with(|g| g.borrow_mut().remove(corp_id));
}

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
) -> std::result::Result<Option<std::rc::Rc<View>>, ApiError> {
    let kv = env.kv("KV")?;
    let generation = generation(&kv, corp_id).await;
    let key = format!("corp:{corp_id}:access:{generation}:{userid}");
    if let Some(v) = VIEWS.with(|m| m.borrow().get(&key).cloned()) {
        return Ok(Some(v));
    }
    let remember = |v: View| {
        let v = std::rc::Rc::new(v);
        VIEWS.with(|m| {
            let mut m = m.borrow_mut();
            if m.len() >= MEMO_VIEWS {
                m.clear();
            }
            m.insert(key.clone(), v.clone());
        });
        v
    };
    if let Ok(Some(v)) = kv.get(&key).json::<View>().await {
        return Ok(Some(remember(v)));
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
    Ok(Some(remember(v)))
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
