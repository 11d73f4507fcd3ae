//! Console sign-in. A session is a signed cookie bound to one organisation;
//! every `/api/v1/corps/:corp_id/...` route checks it through
//! `require_session`, so another organisation's id answers 403.

use crate::clock::now_secs;
use crate::error::{respond, ApiError};
use crate::store;
use domain::api::{DevLogin, SessionInfo};
use domain::session::{cookie_value, Session, SessionError, COOKIE_NAME, SESSION_TTL_SECS};
use worker::{Env, Headers, Request, Response, Result};

fn session_secret(env: &Env) -> std::result::Result<Vec<u8>, ApiError> {
    env.secret("SESSION_SECRET")
        .map(|s| s.to_string().into_bytes())
        .map_err(|_| ApiError::internal("SESSION_SECRET is not configured"))
}

/// The caller's session, if any valid one is presented.
fn current_session(req: &Request, env: &Env) -> std::result::Result<Session, ApiError> {
    let cookies = req.headers().get("Cookie")?.unwrap_or_default();
    let token = cookie_value(&cookies, COOKIE_NAME).ok_or_else(ApiError::unauthenticated)?;
    match Session::verify(token, &session_secret(env)?, now_secs()) {
        Ok(session) => Ok(session),
        Err(SessionError::WeakSecret) => Err(ApiError::internal("SESSION_SECRET is too short")),
        Err(_) => Err(ApiError::unauthenticated()),
    }
}

/// The session, checked against the route's `:corp_id`.
pub async fn require_session(
    req: &Request,
    ctx: &crate::Ctx,
) -> std::result::Result<Session, ApiError> {
    let session = current_session(req, &ctx.env)?;
    let corp_id = ctx.param("corp_id").map(String::as_str).unwrap_or_default();
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

fn dev_login_enabled(env: &Env) -> bool {
    env.var("DEV_LOGIN")
        .map(|v| v.to_string() == "1")
        .unwrap_or(false)
}

/// `POST /auth/dev-login {"corp_id","userid"}`: local development only.
pub async fn dev_login(mut req: Request, ctx: crate::Ctx) -> Result<Response> {
    respond(
        async {
            if !dev_login_enabled(&ctx.env) {
                return Err(ApiError::not_found("dev login is disabled"));
            }
            let login: DevLogin = req
                .json()
                .await
                .map_err(|_| ApiError::bad_request("body must be {\"corp_id\",\"userid\"}"))?;
            let db = store::db(&ctx.env)?;
            if !store::is_admin(&db, &login.corp_id, &login.userid).await? {
                return Err(ApiError::forbidden(
                    "that member is not an admin of that organisation",
                ));
            }
            let session = Session::new(&login.corp_id, &login.userid, now_secs());
            let token = session
                .sign(&session_secret(&ctx.env)?)
                .map_err(ApiError::internal)?;
            let headers = Headers::new();
            headers.set(
                "Set-Cookie",
                &session_cookie(&req, &token, SESSION_TTL_SECS),
            )?;
            Ok(Response::from_json(&info(&session))?.with_headers(headers))
        }
        .await,
    )
}

pub async fn logout(req: Request, _ctx: crate::Ctx) -> Result<Response> {
    let headers = Headers::new();
    headers.set("Set-Cookie", &session_cookie(&req, "", 0))?;
    Ok(Response::empty()?.with_status(204).with_headers(headers))
}

/// `GET /api/v1/session`: 401 when signed out.
pub async fn whoami(req: Request, ctx: crate::Ctx) -> Result<Response> {
    respond(
        current_session(&req, &ctx.env)
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
