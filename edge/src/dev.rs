//! Local development and test routes (`http::dev`: 404 unless
//! `DEV_LOGIN=1`, never in production); the inspection routes also need
//! the `ACCESS_API_KEY` bearer. Tests read state through the worker itself
//! so they never open its SQLite files from another process.

use crate::clock;
use crate::cron;
use crate::env;
use crate::env::Config;
use crate::error::ApiError;
use crate::http::{Json, Shape};
use crate::store;
use domain::api::{
    ClockNow, ClockOffset, DevQuery, DevReconcile, DevRows, KvKeys, KvPrefix, Noop, Reconciled,
};
use worker::Env;

impl Shape for ClockOffset {
    const SHAPE: &'static str = "{\"offset_secs\": n}";
}

impl Shape for DevQuery {
    const SHAPE: &'static str = "{\"sql\"}";
}

impl Shape for DevReconcile {
    const SHAPE: &'static str = "{\"corp_id\"}";
}

impl Shape for KvPrefix {
    const SHAPE: &'static str = "{\"prefix\"}";
}

/// `POST /api/v1/dev/clock {"offset_secs"}`: moves the worker's clock.
pub async fn set_clock(env: Env, Json(o): Json<ClockOffset>) -> Result<Json<ClockNow>, ApiError> {
    clock::set(&env, o.offset_secs).await?;
    Ok(Json(ClockNow {
        offset_secs: o.offset_secs,
        now: clock::now_secs(),
    }))
}

/// `POST /api/v1/dev/query {"sql"}`: one read-only SELECT, for tests.
pub async fn query(env: Env, Json(q): Json<DevQuery>) -> Result<Json<DevRows>, ApiError> {
    let sql = q.sql.trim().trim_end_matches(';');
    let is_select = sql.len() > 6
        && sql
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("select"));
    if !is_select || sql.contains(';') {
        return Err(ApiError::bad_request("one SELECT statement only"));
    }
    let results = env::db(&env)?.prepare(sql).all().await?.results()?;
    Ok(Json(DevRows { results }))
}

/// `POST /api/v1/dev/kv_keys {"prefix"}`: KV key names under a prefix.
pub async fn kv_keys(env: Env, Json(p): Json<KvPrefix>) -> Result<Json<KvKeys>, ApiError> {
    let listed = env::kv(&env)?.list().prefix(p.prefix).execute().await?;
    Ok(Json(KvKeys {
        keys: listed.keys.into_iter().map(|k| k.name).collect(),
    }))
}

/// `POST /api/v1/dev/reconcile {"corp_id"}`: what the scheduled run does to
/// one organisation, now, so a test repairs only its own.
pub async fn reconcile(
    env: Env,
    Json(r): Json<DevReconcile>,
) -> Result<Json<Reconciled>, ApiError> {
    let cfg = Config::from_env(&env)?;
    if !store::corp_exists(&env::db(&env)?, &r.corp_id).await? {
        return Err(ApiError::not_found("no such organisation"));
    }
    Ok(Json(
        cron::reconcile_corp(&env, &cfg, &r.corp_id, clock::now_secs()).await?,
    ))
}

/// `POST /api/v1/dev/noop`: answers without reading the body or touching
/// D1, KV or the queue, so `make bench` can set the callback door beside
/// what the local runtime alone costs a request.
pub async fn noop(_env: Env, _: ()) -> Result<Json<Noop>, ApiError> {
    Ok(Json(Noop { ok: true }))
}
