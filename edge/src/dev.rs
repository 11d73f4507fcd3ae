//! Local development and test routes. All refuse (404) unless `DEV_LOGIN=1`
//! (never in production), and the inspection routes also need the
//! `ACCESS_API_KEY` bearer. Tests read state through the worker itself so
//! they never open its SQLite files from another process.

use crate::error::{respond, ApiError};
use crate::{store, Ctx};
use serde::Deserialize;
use serde_json::{json, Value};
use worker::{Request, Response, Result};

fn dev_only(ctx: &Ctx) -> std::result::Result<(), ApiError> {
    if crate::clock::dev_mode(&ctx.env) {
        Ok(())
    } else {
        Err(ApiError::not_found("development routes are disabled"))
    }
}

fn inspector(req: &Request, ctx: &Ctx) -> std::result::Result<(), ApiError> {
    dev_only(ctx)?;
    crate::access::authorised(req, &ctx.env)
}

/// `POST /api/v1/dev/clock {"offset_secs"}`: moves the worker's clock.
pub async fn set_clock(mut req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            dev_only(&ctx)?;
            #[derive(Deserialize)]
            struct Offset {
                offset_secs: i64,
            }
            let o: Offset = req
                .json()
                .await
                .map_err(|_| ApiError::bad_request("body must be {\"offset_secs\": n}"))?;
            crate::clock::set(&ctx.env, o.offset_secs).await?;
            Ok(Response::from_json(
                &json!({"offset_secs": o.offset_secs, "now": crate::clock::now_secs()}),
            )?)
        }
        .await,
    )
}

/// `POST /api/v1/dev/query {"sql"}`: one read-only SELECT, for tests.
pub async fn query(mut req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            inspector(&req, &ctx)?;
            let body: Value = req
                .json()
                .await
                .map_err(|_| ApiError::bad_request("body must be {\"sql\"}"))?;
            let sql = body["sql"]
                .as_str()
                .unwrap_or_default()
                .trim()
                .trim_end_matches(';');
            let is_select = sql.len() > 6 && sql[..6].eq_ignore_ascii_case("select");
            if !is_select || sql.contains(';') {
                return Err(ApiError::bad_request("one SELECT statement only"));
            }
            let rows: Vec<Value> = store::db(&ctx.env)?.prepare(sql).all().await?.results()?;
            Ok(Response::from_json(&json!({"results": rows}))?)
        }
        .await,
    )
}

/// `POST /api/v1/dev/kv_keys {"prefix"}`: KV key names under a prefix.
pub async fn kv_keys(mut req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            inspector(&req, &ctx)?;
            let body: Value = req
                .json()
                .await
                .map_err(|_| ApiError::bad_request("body must be {\"prefix\"}"))?;
            let prefix = body["prefix"].as_str().unwrap_or_default().to_owned();
            let listed = ctx.env.kv("KV")?.list().prefix(prefix).execute().await?;
            let names: Vec<String> = listed.keys.into_iter().map(|k| k.name).collect();
            Ok(Response::from_json(&json!({"keys": names}))?)
        }
        .await,
    )
}
