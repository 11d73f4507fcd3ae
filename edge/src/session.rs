//! Console sign-in. A session is a signed cookie bound to one organisation;
//! `http::admin` checks it against the route's `:corp_id` for every
//! `/api/v1/corps/:corp_id/...` route, so another organisation's id
//! answers 403.

use crate::clock::now_secs;
use crate::env;
use crate::error::{respond, ApiError};
use crate::store;
use domain::api::{DevLogin, SessionInfo};
use domain::session::{cookie_value, Session, SessionError, COOKIE_NAME, SESSION_TTL_SECS};
use worker::{Context, Env, Headers, Request, Response, Result, RouteContext};

fn session_secret(env: &Env) -> std::result::Result<Vec<u8>, ApiError> {
    env::required(env, "SESSION_SECRET").map(String::into_bytes)
}

/// The caller's session, if any valid one is presented.
pub fn current(req: &Request, env: &Env) -> std::result::Result<Session, ApiError> {
    let cookies = req.headers().get("Cookie")?.unwrap_or_default();
    let token = cookie_value(&cookies, COOKIE_NAME).ok_or_else(ApiError::unauthenticated)?;
    match Session::verify(token, &session_secret(env)?, now_secs()) {
        Ok(session) => Ok(session),
        Err(SessionError::WeakSecret) => Err(ApiError::internal("SESSION_SECRET is too short")),
        Err(_) => Err(ApiError::unauthenticated()),
    }
}

/// The session, checked against the organisation the route names.
pub fn require(req: &Request, env: &Env, corp_id: &str) -> std::result::Result<Session, ApiError> {
    let session = current(req, env)?;
    if session.corp_id != corp_id {
        return Err(ApiError::forbidden(
            "this session manages another organisation",
        ));
    }
    Ok(session)
}

fn session_cookie(req: &Request, value: &str, max_age: u64) -> String {
    // `Secure` whenever we are served over https (always, in production).
    let secure = req.url().map(|u| u.scheme() == "https").unwrap_or(false);
    format!(
        "{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The answer that signs `session` in: its info and the cookie.
fn signed_in(
    req: &Request,
    env: &Env,
    session: &Session,
) -> std::result::Result<Response, ApiError> {
    let token = session
        .sign(&session_secret(env)?)
        .map_err(ApiError::internal)?;
    let headers = Headers::new();
    headers.set("Set-Cookie", &session_cookie(req, &token, SESSION_TTL_SECS))?;
    Ok(Response::from_json(&info(session))?.with_headers(headers))
}

/// `POST /auth/dev-login {"corp_id","userid"}`: local development only.
pub async fn dev_login(mut req: Request, ctx: RouteContext<Context>) -> Result<Response> {
    respond(
        async {
            if !env::dev_mode(&ctx.env) {
                return Err(ApiError::not_found("dev login is disabled"));
            }
            let login: DevLogin = req
                .json()
                .await
                .map_err(|_| ApiError::bad_request("body must be {\"corp_id\",\"userid\"}"))?;
            if !store::is_admin(&env::db(&ctx.env)?, &login.corp_id, &login.userid).await? {
                return Err(ApiError::forbidden(
                    "that member is not an admin of that organisation",
                ));
            }
            let session = Session::new(&login.corp_id, &login.userid, now_secs());
            signed_in(&req, &ctx.env, &session)
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

/// `GET /api/v1/session`: 401 when signed out.
pub async fn whoami(req: Request, ctx: RouteContext<Context>) -> Result<Response> {
    respond(
        current(&req, &ctx.env)
            .and_then(|s| Response::from_json(&info(&s)).map_err(ApiError::from)),
    )
}

fn info(session: &Session) -> SessionInfo {
    SessionInfo {
        corp_id: session.corp_id.clone(),
        userid: session.userid.clone(),
        expires_at: session.expires_at,
    }
}
