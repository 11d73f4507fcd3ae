//! The wecom-seats Worker: one Router, one line per route. Handlers live in
//! the modules named for what they serve.

use worker::*;

mod api;
mod auth;
mod callback;
mod clock;
mod config;
mod cron;
mod error;
mod lifecycle;
mod store;
mod wecom;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Router::new()
        .get_async("/api/v1/health", api::health)
        .get_async("/api/v1/session", auth::whoami)
        .get_async("/api/v1/corps/:corp_id", api::corp)
        .get_async("/wecom/callback/command", callback::verify_command)
        .post_async("/wecom/callback/command", callback::push_command)
        .get_async("/wecom/callback/data", callback::verify_data)
        .post_async("/wecom/callback/data", callback::push_data)
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
