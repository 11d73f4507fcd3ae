//! Routes that belong to no feature: health, the OpenAPI document, the
//! organisation itself and its callbacks' health, and the JSON 404 and 405
//! answers.

use crate::env::{self, VERSION};
use crate::error::ApiError;
use crate::events;
use crate::http::{Admin, Ctx, Json, Manager};
use crate::shard;
use crate::store;
use domain::api::{Corp, EventHealth, EventsRetried, Health};
use domain::routes::Route;
use worker::{Request, Response, Result};

/// Liveness plus real reachability of D1 and KV; 503 when either is down.
pub async fn health(_req: Request, ctx: Ctx) -> Result<Response> {
    // Every database answers, or D1 is down for someone.
    let mut d1 = true;
    match shard::every(&ctx.env) {
        Ok(every) => {
            for db in every {
                d1 &= store::ping(&db).await.unwrap_or(false);
            }
        }
        Err(_) => d1 = false,
    }
    let kv = match env::kv(&ctx.env) {
        Ok(kv) => kv.get("health:probe").text().await.is_ok(),
        Err(_) => false,
    };
    let (status, body) = health_answer(d1, kv);
    Ok(Response::from_json(&body)?.with_status(status))
}

/// The status and body of the health answer from the two probes: 200 only
/// when both D1 and KV answered, 503 otherwise.
fn health_answer(d1: bool, kv: bool) -> (u16, Health) {
    let ok = d1 && kv;
    let body = Health {
        ok,
        d1,
        kv,
        version: VERSION.to_owned(),
    };
    (if ok { 200 } else { 503 }, body)
}

/// `GET /api/v1/corps/:corp_id`: the organisation this session manages.
pub async fn corp(a: Admin, _: ()) -> std::result::Result<Json<Corp>, ApiError> {
    let corp = store::corp(&a.db().await?, a.corp_id())
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
    Ok(Json(corp))
}

/// The organisation's callbacks waiting in the queue, and those that failed.
pub async fn events(a: Admin, _: ()) -> std::result::Result<Json<EventHealth>, ApiError> {
    Ok(Json(events::health(&a.env, a.corp_id()).await?))
}

/// Sends the organisation's failed callbacks to the queue again: for an
/// admin who manages it, or the provider's operator (any organisation;
/// audited as `operator`).
pub async fn retry_events(m: Manager, _: ()) -> std::result::Result<Json<EventsRetried>, ApiError> {
    let retried = events::retry_failed(&m.env, &m.corp_id).await?;
    let detail = serde_json::json!({"requeued": retried.requeued});
    let now = crate::clock::now_secs();
    store::audit(
        &shard::db_for(&m.env, &m.corp_id).await?,
        &m.corp_id,
        now,
        &m.actor,
        "events_retried",
        &detail,
    )
    .await?;
    Ok(Json(retried))
}

/// The OpenAPI document of this API (`make build` writes it from the
/// route table and the types in `domain::api`).
pub async fn openapi(_req: Request, _ctx: Ctx) -> Result<Response> {
    let mut resp = Response::ok(include_str!("../openapi.json"))?;
    resp.headers_mut().set("Content-Type", "application/json")?;
    Ok(resp)
}

/// A path of the table asked with a method it does not serve: 405 with
/// the methods it does in `Allow` (RFC 9110 §15.5.6).
pub fn method_not_allowed(req: &Request, path: &str) -> Result<Response> {
    let allowed: Vec<&str> = Route::methods_at(path).iter().map(|m| m.as_str()).collect();
    let allow = allowed.join(", ");
    let message = format!("{} is not served here; use {allow}", req.inner().method());
    let mut resp = ApiError::new(405, "method_not_allowed", message).into_response()?;
    resp.headers_mut().set("Allow", &allow)?;
    Ok(resp)
}

pub async fn no_such_route(req: Request, _ctx: Ctx) -> Result<Response> {
    ApiError::not_found(format!("no route {} {}", req.method(), req.path())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer's status and the three flags it reports.
    fn answered(d1: bool, kv: bool) -> (u16, bool, bool, bool) {
        let (status, body) = health_answer(d1, kv);
        assert_eq!(body.version, VERSION);
        (status, body.ok, body.d1, body.kv)
    }

    #[test]
    fn health_is_200_only_when_d1_and_kv_both_answer() {
        assert_eq!(answered(true, true), (200, true, true, true));
    }

    #[test]
    fn health_is_503_naming_the_store_that_failed() {
        assert_eq!(answered(false, true), (503, false, false, true));
        assert_eq!(answered(true, false), (503, false, true, false));
        assert_eq!(answered(false, false), (503, false, false, false));
    }
}
