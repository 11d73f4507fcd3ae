//! Local development and test routes, compiled only with the `dev`
//! feature (`scripts/build.sh` turns it on; the production build, made by
//! `wrangler deploy`, does not: `scripts/check-release.sh` checks that its
//! bundle has none of these paths). Each is 404 unless `DEV_LOGIN=1`
//! (`http::dev`); the inspection routes also need the `ACCESS_API_KEY`
//! bearer. Tests read state through the worker itself so they never open
//! its SQLite files from another process. They are not in the route table
//! of `domain::routes`, so not in the API document either.

use crate::clock;
use crate::cron;
use crate::d1::dev::Invocation;
use crate::env;
use crate::env::Config;
use crate::error::ApiError;
use crate::http::{self, Json, Shape};
use crate::session;
use crate::shard;
use crate::store;
use domain::api::{
    ClockNow, ClockOffset, D1Faults, DevQuery, DevReconcile, DevRows, DevSealOld, KvFill, KvKeys,
    KvPrefix, Noop, Reconciled,
};
use std::rc::Rc;
use worker::{Context, Env, Response, Router};

/// Where the D1 fault switch is kept: a KV key, read at the start of every
/// invocation (request, queue batch, cron run) in every isolate. Not D1:
/// a table would be schema in production's D1 for a development switch,
/// and reading it would be one of the D1 round trips being counted. KV is
/// read-after-write consistent on one machine (`wrangler dev`), which is
/// the only place this code runs.
const FAULTS_KEY: &str = "dev:d1_faults";

/// The response header that tells how many D1 round trips a request made
/// (development builds only), so tests can hold code to its budget.
pub const D1_CALLS_HEADER: &str = "x-dev-d1-calls";
/// Rows D1 read and wrote for the request (`meta.rows_read`,
/// `meta.rows_written`), beside its round trips.
pub const D1_ROWS_READ_HEADER: &str = "x-dev-d1-rows-read";
pub const D1_ROWS_WRITTEN_HEADER: &str = "x-dev-d1-rows-written";

/// Adds the development routes (`http::dev`; `true`: the access key too).
pub fn routes(router: Router<'_, Context>) -> Router<'_, Context> {
    router
        .post_async("/auth/dev-login", session::dev_login)
        .post_async("/api/v1/dev/clock", |r, c| {
            http::dev(r, c, false, set_clock)
        })
        .post_async("/api/v1/dev/query", |r, c| http::dev(r, c, true, query))
        .post_async("/api/v1/dev/kv_keys", |r, c| http::dev(r, c, true, kv_keys))
        .post_async("/api/v1/dev/kv_fill", |r, c| http::dev(r, c, true, kv_fill))
        .post_async("/api/v1/dev/reconcile", |r, c| {
            http::dev(r, c, true, reconcile)
        })
        .post_async("/api/v1/dev/operator_alerts", |r, c| {
            http::dev(r, c, true, operator_alerts)
        })
        .post_async("/api/v1/dev/faults", |r, c| {
            http::dev(r, c, true, set_faults)
        })
        .post_async("/api/v1/dev/seal_old", |r, c| {
            http::dev(r, c, true, seal_old)
        })
        .get_async("/api/v1/dev/meter", |r, c| http::dev(r, c, true, meter))
}

/// `GET /api/v1/dev/meter`: what the isolate has spent so far of what
/// Cloudflare bills (`meter`); the benchmark reads it before and after a
/// unit of work. This request itself adds one request.
async fn meter(_env: Env, (): ()) -> Result<Json<crate::meter::Usage>, ApiError> {
    Ok(Json(crate::meter::spent()))
}

/// Whether a request is to a development route: those bypass the fault
/// switch (tests read state and turn the switch off through them).
pub fn is_dev_path(path: &str) -> bool {
    path.starts_with("/api/v1/dev/") || path == "/auth/dev-login"
}

/// How long an isolate keeps the fault switch before reading KV again:
/// reading it on every request would add a KV round trip to each, which
/// the round-trip counts and `make bench` would then measure.
const FAULTS_KEPT_MS: u64 = 1000;

thread_local! {
    /// The fault switch as last read, and when (ms); [`set_faults`]
    /// changes it in place.
    static FAULTS: std::cell::Cell<Option<(D1Faults, u64)>> = const { std::cell::Cell::new(None) };
}

const NO_FAULTS: D1Faults = D1Faults {
    d1_failure_share: 0.0,
    lost_replies: false,
    lose_sync_steps: false,
};

/// A new invocation with the fault switch as KV has it (none outside dev
/// mode, and none when `bypass`).
pub async fn invocation(env: &Env, bypass: bool) -> Rc<Invocation> {
    if bypass || !env::dev_mode(env) {
        return Invocation::new(NO_FAULTS);
    }
    let now = worker::Date::now().as_millis();
    let faults = match FAULTS.with(std::cell::Cell::get) {
        Some((faults, read_at)) if now.saturating_sub(read_at) < FAULTS_KEPT_MS => faults,
        _ => {
            let mut faults = NO_FAULTS;
            // The raw binding: a development read, not counted.
            if let Ok(kv) = env.kv("KV") {
                if let Ok(Some(v)) = kv.get(FAULTS_KEY).json::<D1Faults>().await {
                    faults = v;
                }
            }
            FAULTS.with(|s| s.set(Some((faults, now))));
            faults
        }
    };
    Invocation::new(faults)
}

/// A request's response, with how many D1 round trips it made and the
/// rows they read and wrote.
pub fn count_d1_calls(mut resp: Response, invocation: &Invocation) -> Response {
    let (read, written) = invocation.rows();
    // A response with immutable headers keeps them; none of ours has them.
    let headers = resp.headers_mut();
    let _ = headers.set(D1_CALLS_HEADER, &invocation.calls().to_string());
    let _ = headers.set(D1_ROWS_READ_HEADER, &read.to_string());
    let _ = headers.set(D1_ROWS_WRITTEN_HEADER, &written.to_string());
    resp
}

impl Shape for D1Faults {
    const SHAPE: &'static str =
        "{\"d1_failure_share\": 0..=1, \"lost_replies\"?: bool, \"lose_sync_steps\"?: bool}";
}

/// `POST /api/v1/dev/faults {"d1_failure_share", "lost_replies"?}`: from
/// the next invocation on, that share of D1 round trips fails with an
/// error (`d1::dev`), half of them after D1 ran the statement when
/// `lost_replies`; 0 turns the switch off. With `lose_sync_steps` the
/// queue consumer drops every contacts sync step (`events::sync_step`).
pub async fn set_faults(env: Env, Json(f): Json<D1Faults>) -> Result<Json<D1Faults>, ApiError> {
    if !(0.0..=1.0).contains(&f.d1_failure_share) {
        return Err(ApiError::bad_request("d1_failure_share must be 0..=1"));
    }
    // The tests' switch, not the Worker's data: written past the `kv`
    // door, which would hold it to one write a second.
    env.kv("KV")?
        .put(
            FAULTS_KEY,
            serde_json::to_string(&f).map_err(ApiError::internal)?,
        )?
        .execute()
        .await?;
    let now = worker::Date::now().as_millis();
    FAULTS.with(|s| s.set(Some((f, now))));
    Ok(Json(f))
}

impl Shape for ClockOffset {
    const SHAPE: &'static str = "{\"offset_secs\": n}";
}

impl Shape for DevQuery {
    const SHAPE: &'static str = "{\"sql\"}";
}

impl Shape for DevReconcile {
    const SHAPE: &'static str = "{\"corp_id\", \"queued\"?}";
}

impl Shape for DevSealOld {
    const SHAPE: &'static str = "{\"corp_id\", \"keep_retired\"?}";
}

impl Shape for KvPrefix {
    const SHAPE: &'static str = "{\"prefix\"}";
}

impl Shape for KvFill {
    const SHAPE: &'static str = "{\"prefix\", \"count\": 1..=950, \"ttl_secs\"?: 60..}";
}

/// KV operations one `kv_fill` may make: the invocation's 1 000, less a
/// margin (`cache::KV_OPERATIONS_PER_INVOCATION`).
const KV_FILL_MAX: u32 = 950;

/// `POST /api/v1/dev/kv_fill {"prefix", "count", "ttl_secs"?}`: writes
/// `count` keys under the prefix, as the Worker's own keys of an
/// organisation would be (tests of the uninstall's cleanup).
pub async fn kv_fill(env: Env, Json(f): Json<KvFill>) -> Result<Json<KvKeys>, ApiError> {
    if f.count == 0 || f.count > KV_FILL_MAX {
        return Err(ApiError::bad_request(format!(
            "count is 1 to {KV_FILL_MAX}"
        )));
    }
    // KV keeps a key with an expiry at least 60 s (Cloudflare KV).
    if f.ttl_secs.is_some_and(|t| t < 60) {
        return Err(ApiError::bad_request("ttl_secs is at least 60"));
    }
    let kv = env::kv(&env)?;
    let mut keys = Vec::with_capacity(f.count as usize);
    for n in 0..f.count {
        let key = format!("{}{n:04}", f.prefix);
        let mut put = kv.put(&key, "1")?;
        if let Some(ttl) = f.ttl_secs {
            put = put.expiration_ttl(ttl);
        }
        put.execute().await?;
        keys.push(key);
    }
    Ok(Json(KvKeys { keys }))
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
    let databases = match q.database {
        Some(binding) if shard::bindings(&env).contains(&binding) => vec![binding],
        Some(binding) => {
            return Err(ApiError::bad_request(format!(
                "{binding} is not one of D1_DATABASES"
            )))
        }
        None => shard::bindings(&env),
    };
    let mut answers = Vec::with_capacity(databases.len());
    for binding in databases {
        let db = shard::open_binding(&env, &binding)?;
        answers.push(db.prepare(sql).all().await?.results()?);
    }
    Ok(Json(DevRows {
        results: domain::api::merge_rows(answers),
    }))
}

/// `POST /api/v1/dev/kv_keys {"prefix"}`: KV key names under a prefix.
pub async fn kv_keys(env: Env, Json(p): Json<KvPrefix>) -> Result<Json<KvKeys>, ApiError> {
    let listed = env::kv(&env)?.list().prefix(p.prefix).execute().await?;
    Ok(Json(KvKeys {
        keys: listed.keys.into_iter().map(|k| k.name).collect(),
    }))
}

/// `POST /api/v1/dev/reconcile {"corp_id", "queued"?}`: what the scheduled
/// run does to one organisation, now, so a test repairs only its own.
pub async fn reconcile(
    env: Env,
    Json(r): Json<DevReconcile>,
) -> Result<Json<Reconciled>, ApiError> {
    let cfg = Config::from_env(&env)?;
    if !store::corp_exists(&shard::db_for(&env, &r.corp_id).await?, &r.corp_id).await? {
        return Err(ApiError::not_found("no such organisation"));
    }
    Ok(Json(
        cron::reconcile_corp(
            &env,
            &cfg,
            &r.corp_id,
            clock::now_secs(),
            if r.queued {
                cron::SyncHow::Chained
            } else {
                cron::SyncHow::Inline
            },
        )
        .await?,
    ))
}

/// `POST /api/v1/dev/operator_alerts`: the cron's alerts to the
/// provider's operators, now.
pub async fn operator_alerts(env: Env, _: ()) -> Result<Json<Noop>, ApiError> {
    let cfg = Config::from_env(&env)?;
    crate::alerts::run_operators(&env, &cfg, clock::now_secs()).await?;
    Ok(Json(Noop { ok: true }))
}

/// `POST /api/v1/dev/seal_old {"corp_id", "keep_retired"?}`: the
/// organisation's permanent code sealed the old way (`v1:`), as a
/// deployment before owner binding left it.
pub async fn seal_old(env: Env, Json(s): Json<DevSealOld>) -> Result<Json<Noop>, ApiError> {
    let cfg = Config::from_env(&env)?;
    crate::corp::plant_old_seal(&env, &cfg, &s.corp_id, s.keep_retired).await?;
    Ok(Json(Noop { ok: true }))
}

/// `POST /api/v1/dev/noop` (any method): answers without reading the body
/// or touching D1, KV or the queue, so `make bench` can set the callback
/// door beside what the local runtime alone costs a request. Like the
/// door, it is answered before the router is built (`dispatch`).
pub const NOOP_PATH: &str = "/api/v1/dev/noop";

pub fn noop_answer(env: &Env) -> worker::Result<Response> {
    if !env::dev_mode(env) {
        return ApiError::not_found("development routes are disabled").into_response();
    }
    Response::from_json(&Noop { ok: true })
}
