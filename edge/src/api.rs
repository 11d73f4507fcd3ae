//! Admin JSON routes under `/api/v1`. Handlers stay thin: check the session,
//! call `store`, answer with a `domain::api` type.

use crate::auth::require_session;
use crate::error::{respond, ApiError};
use crate::store;
use domain::api::Health;
use worker::{Request, Response, Result};

/// Git sha when the build knew it, else the crate version.
pub const VERSION: &str = match option_env!("WECOM_SEATS_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

/// Liveness plus real reachability of D1 and KV; 503 when either is down.
pub async fn health(_req: Request, ctx: crate::Ctx) -> Result<Response> {
    let d1 = match store::db(&ctx.env) {
        Ok(db) => store::ping(&db).await.unwrap_or(false),
        Err(_) => false,
    };
    let kv = match ctx.env.kv("KV") {
        Ok(kv) => kv.get("health:probe").text().await.is_ok(),
        Err(_) => false,
    };
    let body = Health {
        ok: d1 && kv,
        d1,
        kv,
        version: VERSION.to_owned(),
    };
    let status = if body.ok { 200 } else { 503 };
    Ok(Response::from_json(&body)?.with_status(status))
}

/// The organisation this session manages.
pub async fn corp(req: Request, ctx: crate::Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let db = store::db(&ctx.env)?;
            let corp = store::corp(&db, &session.corp_id)
                .await?
                .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
            Ok(Response::from_json(&corp)?)
        }
        .await,
    )
}

pub async fn no_such_route(req: Request, _ctx: crate::Ctx) -> Result<Response> {
    ApiError::not_found(format!("no route {} {}", req.method(), req.path())).into_response()
}
