//! The wecom-seats Worker: entry points and the route table, one line per
//! route. A route names its adapter (`http::admin` for the console, signed
//! in to that organisation; `http::open` behind a `Door`: the access key
//! for the product's servers, or local development only) and its typed
//! handler.
//!
//! Where a line goes: SQL in `store/<owner>.rs`, a WeCom call in `wecom/`,
//! reading a request or building a response in a `routes.rs`, `callback`
//! or `dev.rs`, a sequence of store + WeCom + audit + cache in its feature
//! (`contacts/`, `seats/`). Imports point down: routes / callback / cron →
//! features → corp → store / wecom / cache → env / domain.

use worker::*;

mod access;
mod api;
mod cache;
mod callback;
mod clock;
mod contacts;
mod corp;
mod cron;
mod dev;
mod env;
mod error;
mod http;
mod seats;
mod session;
mod store;
mod wecom;

use contacts::routes as members;
use http::{admin, open, Door::*};
use seats::routes as seat;

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    clock::load(&env).await;
    routes(Router::with_data(ctx)).run(req, env).await
}

/// Every route, one a line.
#[rustfmt::skip]
fn routes(router: Router<'_, Context>) -> Router<'_, Context> {
    router
        .get_async("/api/v1/health",                         api::health)
        .get_async("/api/v1/session",                        session::whoami)
        .get_async("/api/v1/corps/:corp_id",                 |r, c| admin(r, c, api::corp))
        .get_async("/api/v1/corps/:corp_id/members",         |r, c| admin(r, c, members::members))
        .get_async("/api/v1/corps/:corp_id/departments",     |r, c| admin(r, c, members::departments))
        .get_async("/api/v1/corps/:corp_id/range",           |r, c| admin(r, c, members::range))
        .get_async("/api/v1/corps/:corp_id/sync",            |r, c| admin(r, c, members::sync_status))
        .post_async("/api/v1/corps/:corp_id/sync",           |r, c| admin(r, c, members::start_sync))
        .get_async("/api/v1/corps/:corp_id/summary",         |r, c| admin(r, c, seat::summary))
        .get_async("/api/v1/corps/:corp_id/seats",           |r, c| admin(r, c, seat::seats))
        .get_async("/api/v1/corps/:corp_id/orders",          |r, c| admin(r, c, seat::orders))
        .post_async("/api/v1/corps/:corp_id/seats/activate", |r, c| admin(r, c, seat::activate))
        .post_async("/api/v1/corps/:corp_id/seats/transfer", |r, c| admin(r, c, seat::transfer))
        .get_async("/api/v1/corps/:corp_id/requests",        |r, c| admin(r, c, seat::requests))
        .get_async("/api/v1/corps/:corp_id/suggestions",     |r, c| admin(r, c, seat::suggestions))
        .post_async("/api/v1/corps/:corp_id/forecast",       |r, c| admin(r, c, seat::forecast))
        .post_async("/api/v1/corps/:corp_id/auto_activate",  |r, c| admin(r, c, seat::set_auto_activate))
        .get_async("/wecom/callback/command",                callback::verify_command)
        .post_async("/wecom/callback/command",               callback::push_command)
        .get_async("/wecom/callback/data",                   callback::verify_data)
        .post_async("/wecom/callback/data",                  callback::push_data)
        .post_async("/api/v1/access/check",                  |r, c| open(r, c, AccessKey, access::check))
        .post_async("/api/v1/dev/clock",                     |r, c| open(r, c, Dev, dev::set_clock))
        .post_async("/api/v1/dev/query",                     |r, c| open(r, c, DevWithKey, dev::query))
        .post_async("/api/v1/dev/kv_keys",                   |r, c| open(r, c, DevWithKey, dev::kv_keys))
        .post_async("/auth/dev-login",                       session::dev_login)
        .post_async("/auth/logout",                          session::logout)
        .or_else_any_method_async("/api/*rest",              api::no_such_route)
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    clock::load(&env).await;
    cron::run(&env).await;
}
