//! The wecom-seats Worker: one Router, one line per route. Handlers live in
//! the modules named for what they serve.

use worker::*;

mod access;
mod api;
mod auth;
mod callback;
mod clock;
mod config;
mod contacts;
mod cron;
mod dev;
mod error;
mod licenses;
mod lifecycle;
mod store;
mod sync;
mod wecom;

/// What every handler gets: the route's params, env, and the request's
/// execution context (for work that continues after the answer).
pub type Ctx = RouteContext<Context>;

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    clock::load(&env).await;
    Router::with_data(ctx)
        .get_async("/api/v1/health", api::health)
        .get_async("/api/v1/session", auth::whoami)
        .get_async("/api/v1/corps/:corp_id", api::corp)
        .get_async("/api/v1/corps/:corp_id/members", contacts::members)
        .get_async("/api/v1/corps/:corp_id/departments", contacts::departments)
        .get_async("/api/v1/corps/:corp_id/range", contacts::range)
        .get_async("/api/v1/corps/:corp_id/sync", contacts::sync_status)
        .post_async("/api/v1/corps/:corp_id/sync", contacts::start_sync)
        .get_async("/api/v1/corps/:corp_id/summary", licenses::summary)
        .get_async("/api/v1/corps/:corp_id/seats", licenses::seats)
        .get_async("/api/v1/corps/:corp_id/orders", licenses::orders)
        .post_async("/api/v1/corps/:corp_id/seats/activate", licenses::activate)
        .post_async("/api/v1/corps/:corp_id/seats/transfer", licenses::transfer)
        .get_async("/api/v1/corps/:corp_id/requests", licenses::requests)
        .get_async("/api/v1/corps/:corp_id/suggestions", licenses::suggestions)
        .post_async("/api/v1/corps/:corp_id/forecast", licenses::forecast)
        .post_async(
            "/api/v1/corps/:corp_id/auto_activate",
            licenses::set_auto_activate,
        )
        .get_async("/wecom/callback/command", callback::verify_command)
        .post_async("/wecom/callback/command", callback::push_command)
        .get_async("/wecom/callback/data", callback::verify_data)
        .post_async("/wecom/callback/data", callback::push_data)
        .post_async("/api/v1/access/check", access::check)
        .post_async("/api/v1/dev/clock", dev::set_clock)
        .post_async("/api/v1/dev/query", dev::query)
        .post_async("/api/v1/dev/kv_keys", dev::kv_keys)
        .post_async("/auth/dev-login", auth::dev_login)
        .post_async("/auth/logout", auth::logout)
        .or_else_any_method_async("/api/*rest", api::no_such_route)
        .run(req, env)
        .await
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    clock::load(&env).await;
    cron::run(&env).await;
}
