//! Sessions. A session is a signed cookie naming a server-side row
//! (`store::sessions`), bound to one organisation, one user and one role.
//! Each request checks the row and the admins WeCom lists in one D1 query
//! ([`store::session_standing`]): a logged-out or revoked session answers
//! 401 `unauthenticated`, a removed admin 401 `not_admin`, a member's
//! session on an admin route 403 `member_session`, another organisation's
//! id 403. [`session_cookie`] is the one place the cookie is built.

use crate::clock::now_secs;
use crate::env::{self, Config};
use crate::error::{respond, ApiError};
use crate::shard;
use crate::store::{self, Standing};
use domain::api::SessionInfo;
use domain::session::{
    cookie_name, cookie_value, set_cookie, AdminRight, Role, Session, SessionError,
    SESSION_TTL_SECS,
};
use worker::{Context, Env, Headers, Request, Response, Result, RouteContext};

pub fn session_secret(env: &Env) -> std::result::Result<Vec<u8>, ApiError> {
    env::required(env, "SESSION_SECRET").map(String::into_bytes)
}

/// The caller's session, if a validly signed, unexpired one is presented
/// (its row is not read here).
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

/// The session's standing now: one D1 query, on its organisation's
/// database (sessions live beside the admins they name).
async fn standing(env: &Env, session: &Session) -> std::result::Result<Standing, ApiError> {
    let db = shard::db_for(env, &session.corp_id).await?;
    Ok(store::session_standing(&db, session, now_secs()).await?)
}

/// An admin session's right now: ended → 401, no longer an admin → 401
/// `not_admin`, a member's session → 403 `member_session`.
async fn admin_right(env: &Env, session: &Session) -> std::result::Result<AdminRight, ApiError> {
    if session.role != Role::Admin {
        return Err(ApiError::new(
            403,
            "member_session",
            "this is a member's session; the console needs an admin's sign-in",
        ));
    }
    match standing(env, session).await? {
        Standing::Ended => Err(ApiError::unauthenticated()),
        Standing::Member => Err(ApiError::not_admin()),
        Standing::Admin(right) => Ok(right),
    }
}

/// An operator's session that still stands: its row is there and the
/// operator is still listed (`OPERATOR_USERIDS`); otherwise 401.
async fn operator_standing(env: &Env, session: &Session) -> std::result::Result<(), ApiError> {
    let listed = Config::from_env(env)?.is_operator(&session.corp_id, &session.userid);
    if !listed {
        return Err(ApiError::new(
            401,
            "not_operator",
            "this member is no longer one of the provider's operators",
        ));
    }
    match standing(env, session).await? {
        Standing::Ended => Err(ApiError::unauthenticated()),
        Standing::Member | Standing::Admin(_) => Ok(()),
    }
}

/// The provider's operator's session (`Door::Operator`): 401 when signed
/// out or no longer listed, 403 for any other session.
pub async fn require_operator(req: &Request, env: &Env) -> std::result::Result<Session, ApiError> {
    let session = current(req, env)?;
    if session.role != Role::Operator {
        return Err(ApiError::forbidden(
            "the desk is for the provider's operators",
        ));
    }
    operator_standing(env, &session).await?;
    Ok(session)
}

/// The session, checked against the organisation the route names, and the
/// admin's right there. The provider's operator reads every organisation
/// and changes none (`AdminRight::Look`).
pub async fn require(
    req: &Request,
    env: &Env,
    corp_id: &str,
) -> std::result::Result<(Session, AdminRight), ApiError> {
    let session = current(req, env)?;
    if session.role == Role::Operator {
        operator_standing(env, &session).await?;
        return Ok((session, AdminRight::Look));
    }
    if session.corp_id != corp_id {
        return Err(ApiError::forbidden(
            "this session manages another organisation",
        ));
    }
    let right = admin_right(env, &session).await?;
    Ok((session, right))
}

/// Whether the request came over https (always, in production).
/// Whether cookies are `Secure` and `__Host-`: always in the production
/// build (whatever scheme a request claims); in a development build, when
/// the request came over https (local `wrangler dev` is plain http).
pub fn https(req: &Request) -> bool {
    if cfg!(not(feature = "dev")) {
        return true;
    }
    req.url().map(|u| u.scheme() == "https").unwrap_or(false)
}

/// Any standing session (a member's or an admin's), for the user's own
/// routes.
pub async fn require_member(req: &Request, env: &Env) -> std::result::Result<Session, ApiError> {
    let session = current(req, env)?;
    if session.role == Role::Operator {
        return Err(ApiError::forbidden(
            "an operator is no member of an organisation that installed the app",
        ));
    }
    match standing(env, &session).await? {
        Standing::Ended => Err(ApiError::unauthenticated()),
        Standing::Member | Standing::Admin(_) => Ok(session),
    }
}

/// Whether the request carries a session that still stands (one D1 query
/// when a signed cookie is there, none otherwise).
pub async fn stands(req: &Request, env: &Env) -> bool {
    match current(req, env) {
        Ok(session) => !matches!(standing(env, &session).await, Ok(Standing::Ended) | Err(_)),
        Err(_) => false,
    }
}

/// The `Set-Cookie` value for a session token (empty with `max_age` 0:
/// the cookie is cleared): `__Host-` prefixed and `Secure` over https
/// (`domain::session::set_cookie`). The one place the cookie is built.
pub fn session_cookie(req: &Request, value: &str, max_age: u64) -> String {
    set_cookie(https(req), value, max_age)
}

/// Opens a session for the user (a new row) and gives its cookie.
pub async fn open(
    req: &Request,
    env: &Env,
    corp_id: &str,
    userid: &str,
    role: Role,
    granted: Option<AdminRight>,
) -> std::result::Result<(Session, String), ApiError> {
    let sid = hex(&env::random::<16>()?);
    let now = now_secs();
    let session = Session::new(&sid, corp_id, userid, role, now);
    let token = session
        .sign(&session_secret(env)?)
        .map_err(ApiError::internal)?;
    store::open_session(&shard::db_for(env, corp_id).await?, &session, granted, now).await?;
    Ok((session, session_cookie(req, &token, SESSION_TTL_SECS)))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
            if Config::from_env(&ctx.env)?.is_operator(&login.corp_id, &login.userid) {
                let (session, cookie) = open(
                    &req,
                    &ctx.env,
                    &login.corp_id,
                    &login.userid,
                    Role::Operator,
                    None,
                )
                .await?;
                let headers = Headers::new();
                headers.set("Set-Cookie", &cookie)?;
                return Ok(
                    Response::from_json(&info(&session, AdminRight::Look))?.with_headers(headers)
                );
            }
            let db = shard::db_for(&ctx.env, &login.corp_id).await?;
            let Some(right) = store::admin_right(&db, &login.corp_id, &login.userid).await? else {
                return Err(ApiError::forbidden(
                    "that member is not an admin of that organisation",
                ));
            };
            let (session, cookie) = open(
                &req,
                &ctx.env,
                &login.corp_id,
                &login.userid,
                Role::Admin,
                None,
            )
            .await?;
            let headers = Headers::new();
            headers.set("Set-Cookie", &cookie)?;
            Ok(Response::from_json(&info(&session, right))?.with_headers(headers))
        }
        .await,
    )
}

/// `POST /auth/logout`: ends the session on the server and clears the
/// cookie; the old cookie answers 401 from then on.
pub async fn logout(req: Request, ctx: RouteContext<Context>) -> Result<Response> {
    respond(
        async {
            if let Ok(session) = current(&req, &ctx.env) {
                let db = shard::db_for(&ctx.env, &session.corp_id).await?;
                store::end_session(&db, &session.sid).await?;
            }
            let headers = Headers::new();
            headers.set("Set-Cookie", &session_cookie(&req, "", 0))?;
            Ok(Response::empty()?.with_status(204).with_headers(headers))
        }
        .await,
    )
}

/// `GET /api/v1/session`: 401 when signed out or no longer an admin.
pub async fn whoami(req: Request, ctx: RouteContext<Context>) -> Result<Response> {
    respond(
        async {
            let session = current(&req, &ctx.env)?;
            if session.role == Role::Operator {
                operator_standing(&ctx.env, &session).await?;
                return Ok(Response::from_json(&info(&session, AdminRight::Look))?);
            }
            let right = admin_right(&ctx.env, &session).await?;
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
        operator: session.role == Role::Operator,
    }
}
