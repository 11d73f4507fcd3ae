//! The wecom-seats Worker: one Router, one line per route. Handlers live in
//! the modules named for what they serve.

use worker::*;

mod api;
mod auth;
mod clock;
mod cron;
mod error;
mod store;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Router::new()
        .get_async("/api/v1/health", api::health)
        .get_async("/api/v1/session", auth::whoami)
        .get_async("/api/v1/corps/:corp_id", api::corp)
        .post_async("/auth/dev-login", auth::dev_login)
        .post_async("/auth/logout", auth::logout)
        .or_else_any_method_async("/api/*rest", api::no_such_route)
        .run(req, env)
        .await
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    cron::run(&env).await;
}
