//! The wecom-seats Worker: entry points and the routes. The `/api/v1`
//! table is `domain::routes` (shared with the OpenAPI document); [`handle`]
//! gives each entry, one a line, its adapter (`http::admin` for the console,
//! signed in to that organisation, `http::manage` for what changes something
//! there; `http::open` behind the route's `Door`, the access key) and its
//! typed handler. The development routes (`dev`: the dev login,
//! `/api/v1/dev/*`) are compiled only with the `dev` feature, which
//! `scripts/build.sh` turns on and the production build does not.
//!
//! Where a line goes: SQL in `store/<owner>.rs`, a WeCom call in `wecom/`,
//! reading a request or building a response in a `routes.rs`, `callback`
//! or `dev.rs`, a sequence of store + WeCom + audit + cache in its feature
//! (`contacts/`, `seats/`). Imports point down: routes / callback / cron →
//! features → corp → store / wecom / cache → env / domain.

use worker::*;

mod access;
mod alerts;
mod api;
mod body;
mod budget;
mod cache;
mod callback;
mod clock;
mod contacts;
mod corp;
mod cron;
mod d1;
mod desk;
#[cfg(feature = "dev")]
mod dev;
mod env;
mod error;
mod events;
mod http;
mod install;
mod jsapi;
mod kv;
mod last_use;
mod me;
mod meter;
mod pages;
mod queue;
mod reports;
mod seats;
mod session;
mod shard;
mod signin;
mod store;
mod wecom;

use contacts::routes as members;
use domain::routes::{self, Door::*, Route};
use http::{admin, manage, manage_or_operator, member, open, operator};
use reports::export;
use seats::routes as seat;

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    clock::load(&env).await;
    let path = req.path();
    // The development routes (the meter's own reads among them) are not
    // the Worker's work.
    #[cfg(feature = "dev")]
    if !dev::is_dev_path(&path) {
        meter::count(meter::Spend::Request);
    }
    let cookie_reaches = path.starts_with("/api/") || path.starts_with("/auth/");
    if cookie_reaches {
        if let Err(refused) = http::same_origin(&req) {
            return Ok(http::with_security_headers(refused.into_response()?));
        }
    }
    #[cfg(feature = "dev")]
    let answer = {
        let invocation = dev::invocation(&env, dev::is_dev_path(&path)).await;
        let resp = invocation.scope(dispatch(&path, req, env, ctx)).await?;
        dev::count_d1_calls(resp, &invocation)
    };
    #[cfg(not(feature = "dev"))]
    let answer = dispatch(&path, req, env, ctx).await?;
    Ok(http::with_security_headers(answer))
}

/// WeCom's callbacks go straight to their door; everything else through
/// the router. The callback door is the hot path (WeCom waits 1 s for
/// `create_auth`, 5 s for the rest, and pushes in bursts), and the router
/// is built anew for every request (some fifty routes): without it, and
/// with the configuration read once per isolate, the door answered 497
/// callbacks a second where it answered 423 (`make bench`, README
/// "Benchmarks").
async fn dispatch(path: &str, req: Request, env: Env, ctx: Context) -> Result<Response> {
    if let Some(source) = callback::door(path) {
        return callback::answer(req, &env, source).await;
    }
    #[cfg(feature = "dev")]
    if path == dev::NOOP_PATH {
        return dev::noop_answer(&env);
    }
    routes(Router::with_data(ctx)).run(req, env).await
}

/// The `/api/v1` routes come from `domain::routes` (one handler each, by
/// [`handle`]); the sign-in routes and the app pages a WeCom webview may
/// need to send through OAuth first are added here (WeCom's callbacks
/// never reach the router: [`dispatch`]).
fn routes(mut router: Router<'_, Context>) -> Router<'_, Context> {
    for path in Route::paths() {
        router = router.on_async(&routes::router_pattern(path), move |req, ctx| {
            serve(path, req, ctx)
        });
    }
    #[cfg(feature = "dev")]
    let router = dev::routes(router);
    router
        .get_async("/auth/login", signin::login)
        .get_async("/auth/callback", signin::callback)
        .get_async("/auth/wecom-admin", signin::wecom_admin)
        .post_async("/auth/wecom-admin/continue", signin::wecom_admin_continue)
        .get_async("/auth/oauth", signin::oauth)
        .get_async("/auth/desk", desk::signin::login)
        .get_async("/auth/desk/callback", desk::signin::callback)
        .get_async("/", signin::app_page)
        .get_async("/me", signin::app_page)
        .head_async("/", signin::app_page)
        .head_async("/me", signin::app_page)
        .post_async("/auth/logout", session::logout)
        .or_else_any_method_async("/api/*rest", api::no_such_route)
}

/// A request to a path of the route table: its route, or 405 with `Allow`.
async fn serve(path: &'static str, req: Request, ctx: http::Ctx) -> Result<Response> {
    // The raw method: the worker crate reads an unknown one (QUERY) as GET.
    let method = routes::Method::parse(&req.inner().method());
    match method.and_then(|m| Route::find(m, path)) {
        Some(route) => handle(route, req, ctx).await,
        None => api::method_not_allowed(&req, path),
    }
}

/// Every route of the table, one a line: its adapter and typed handler.
#[rustfmt::skip]
async fn handle(route: Route, r: Request, c: http::Ctx) -> Result<Response> {
    use Route::*;
    match route {
        Health       => api::health(r, c).await,
        OpenApi      => api::openapi(r, c).await,
        Session      => session::whoami(r, c).await,
        AccessCheck  => open(r, c, AccessKey, access::check).await,
        Me           => member(r, c, me::me).await,
        MeSeatRequest => member(r, c, me::seat_request).await,
        Corp         => admin(r, c, api::corp).await,
        Members      => admin(r, c, members::members).await,
        Departments  => admin(r, c, members::departments).await,
        Range        => admin(r, c, members::range).await,
        SyncStatus   => admin(r, c, members::sync_status).await,
        StartSync    => manage(r, c, members::start_sync).await,
        Summary      => admin(r, c, seat::summary).await,
        Seats        => admin(r, c, seat::seats).await,
        Orders       => admin(r, c, seat::orders).await,
        Activate     => manage(r, c, seat::activate).await,
        Transfer     => manage(r, c, seat::transfer).await,
        Requests     => admin(r, c, seat::requests).await,
        Suggestions  => admin(r, c, seat::suggestions).await,
        Forecast     => admin(r, c, seat::forecast).await,
        RenewalRequest => manage(r, c, seat::ask_renewal).await,
        AutoActivate => manage(r, c, seat::set_auto_activate).await,
        IdleSettings => manage(r, c, seat::set_idle_settings).await,
        Alerts       => admin(r, c, alerts::view).await,
        AlertSettings => manage(r, c, alerts::set).await,
        Events       => admin(r, c, api::events).await,
        RetryEvents  => manage_or_operator(r, c, api::retry_events).await,
        AgentConfig  => admin(r, c, jsapi::agent_config).await,
        RevokeSessions => manage(r, c, signin::revoke_sessions).await,
        Trends       => admin(r, c, reports::trends::trends).await,
        Audit        => admin(r, c, reports::audit::audit).await,
        ExportMembers => admin(r, c, export::members).await,
        ExportSeats  => admin(r, c, export::seats).await,
        ExportOrders => admin(r, c, export::orders).await,
        ExportAudit  => admin(r, c, export::audit).await,
        DeskCorps    => operator(r, c, desk::corps).await,
        DeskOrder    => operator(r, c, desk::place_order).await,
        DeskPay      => operator(r, c, desk::pay_order).await,
        DeskMultiOrder => operator(r, c, desk::place_multi_order).await,
        DeskMultiPay => operator(r, c, desk::pay_multi_order).await,
        DeskRenewals => operator(r, c, desk::renewals).await,
        DeskRenew    => operator(r, c, desk::renew).await,
    }
}

/// Both queues (wrangler.toml): the work queue applies events, the
/// dead-letter queue marks the ones that failed their last retry.
#[event(queue)]
async fn queue(batch: MessageBatch<queue::Work>, env: Env, _ctx: Context) -> Result<()> {
    #[cfg(feature = "dev")]
    meter::count(meter::Spend::Delivered(batch.raw_iter().len() as u64));
    clock::load(&env).await;
    #[cfg(feature = "dev")]
    return dev::invocation(&env, false)
        .await
        .scope(events::consume(batch, &env))
        .await;
    #[cfg(not(feature = "dev"))]
    events::consume(batch, &env).await
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    meter::count(meter::Spend::Cron);
    clock::load(&env).await;
    #[cfg(feature = "dev")]
    dev::invocation(&env, false)
        .await
        .scope(cron::run(&env))
        .await;
    #[cfg(not(feature = "dev"))]
    cron::run(&env).await;
}
