//! Console sign-in. A session is a signed cookie bound to one organisation;
//! `http::admin` checks it against the route's `:corp_id` for every
//! `/api/v1/corps/:corp_id/...` route, so another organisation's id
//! answers 403, and against the admins WeCom lists now, so a removed admin
//! is refused (401 `not_admin`) at the next request.

use crate::clock::now_secs;
use crate::env;
use crate::error::{respond, ApiError};
use crate::store;
use domain::api::SessionInfo;
use domain::session::{
    cookie_name, cookie_value, set_cookie, AdminRight, Session, SessionError, SESSION_TTL_SECS,
};
use worker::{Context, Env, Headers, Request, Response, Result, RouteContext};

fn session_secret(env: &Env) -> std::result::Result<Vec<u8>, ApiError> {
    env::required(env, "SESSION_SECRET").map(String::into_bytes)
}

/// The caller's session, if any valid one is presented.
pub fn current(req: &Request, env: &Env) -> std::result::Result<Session, ApiError> {
    let cookies = req.headers().get("Cookie")?.unwrap_or_default();
    let token =
        cookie_value(&cookies, cookie_name(https(req))).ok_or_else(ApiError::unauthenticated)?;
    match Session::verify(token, &session_secret(env)?, now_secs()) {
        Ok(session) => Ok(session),
        Err(SessionError::WeakSecret) => Err(ApiError::internal("SESSION_SECRET is too short")),
        Err(_) => Err(ApiError::unauthenticated()),
    }
}

/// What the session's user may do as an admin now: one D1 query.
async fn right(env: &Env, session: &Session) -> std::result::Result<AdminRight, ApiError> {
    store::admin_right(&env::db(env)?, &session.corp_id, &session.userid)
        .await?
        .ok_or_else(ApiError::not_admin)
}

/// The session, checked against the organisation the route names, and the
/// admin's right there.
pub async fn require(
    req: &Request,
    env: &Env,
    corp_id: &str,
) -> std::result::Result<(Session, AdminRight), ApiError> {
    let session = current(req, env)?;
    if session.corp_id != corp_id {
        return Err(ApiError::forbidden(
            "this session manages another organisation",
        ));
    }
    let right = right(env, &session).await?;
    Ok((session, right))
}

/// Whether the request came over https (always, in production).
fn https(req: &Request) -> bool {
    req.url().map(|u| u.scheme() == "https").unwrap_or(false)
}

fn session_cookie(req: &Request, value: &str, max_age: u64) -> String {
    set_cookie(https(req), value, max_age)
}

/// The answer that signs `session` in: its info and the cookie (only the
/// dev login signs in so far).
#[cfg_attr(not(feature = "dev"), allow(dead_code))]
fn signed_in(
    req: &Request,
    env: &Env,
    session: &Session,
    right: AdminRight,
) -> std::result::Result<Response, ApiError> {
    let token = session
        .sign(&session_secret(env)?)
        .map_err(ApiError::internal)?;
    let headers = Headers::new();
    headers.set("Set-Cookie", &session_cookie(req, &token, SESSION_TTL_SECS))?;
    Ok(Response::from_json(&info(session, right))?.with_headers(headers))
}

/// `POST /auth/dev-login {"corp_id","userid"}`: local development only
/// (the `dev` feature, then `DEV_LOGIN=1`).
#[cfg(feature = "dev")]
pub async fn dev_login(mut req: Request, ctx: RouteContext<Context>) -> Result<Response> {
    respond(
        async {
            if !env::dev_mode(&ctx.env) {
                return Err(ApiError::not_found("dev login is disabled"));
            }
            let login: domain::api::DevLogin = req
                .json()
                .await
                .map_err(|_| ApiError::bad_request("body must be {\"corp_id\",\"userid\"}"))?;
            let db = env::db(&ctx.env)?;
            let Some(right) = store::admin_right(&db, &login.corp_id, &login.userid).await? else {
                return Err(ApiError::forbidden(
                    "that member is not an admin of that organisation",
                ));
            };
            let session = Session::new(&login.corp_id, &login.userid, now_secs());
            signed_in(&req, &ctx.env, &session, right)
        }
        .await,
    )
}

/// `POST /auth/logout`: clears the session cookie.
pub async fn logout(req: Request, _ctx: RouteContext<Context>) -> Result<Response> {
    let headers = Headers::new();
    headers.set("Set-Cookie", &session_cookie(&req, "", 0))?;
    Ok(Response::empty()?.with_status(204).with_headers(headers))
}

/// `GET /api/v1/session`: 401 when signed out or no longer an admin.
pub async fn whoami(req: Request, ctx: RouteContext<Context>) -> Result<Response> {
    respond(
        async {
            let session = current(&req, &ctx.env)?;
            let right = right(&ctx.env, &session).await?;
            Ok(Response::from_json(&info(&session, right))?)
        }
        .await,
    )
}

fn info(session: &Session, right: AdminRight) -> SessionInfo {
    SessionInfo {
        corp_id: session.corp_id.clone(),
        userid: session.userid.clone(),
        expires_at: session.expires_at,
        may_manage: right.may_manage(),
    }
}
