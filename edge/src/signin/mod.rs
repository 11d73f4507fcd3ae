//! Signing in through WeCom (DESIGN §2 "Sign-in"): the admin's desktop QR
//! login (`/auth/login` → WeCom's `3rd_qrConnect` → `/auth/callback`), the
//! business-settings entry of WeCom's admin console (`/auth/wecom-admin`,
//! an `auth_code` and no `state`), and the member's OAuth inside WeCom's
//! webview (`/` or `/me` with a `wxwork` user agent and no session →
//! WeCom's `oauth2/authorize` → `/auth/oauth`). Each `state` is a random
//! nonce of letters and digits as WeCom takes it (at most 128 bytes,
//! `domain::session::is_login_state`), single-use and short-lived: D1 holds
//! its flow and expiry. Who may not sign in gets a page saying who can
//! grant access and how. Each route first spends from its client's
//! sign-in budget (`budget`), before any D1 write or WeCom call.

mod state;

pub(crate) use state::{code_refused, new_state, origin, redirect, signed_in, spend_state};

use crate::budget::{self, Budget};
use crate::clock::now_secs;
use crate::env::{self, AdminLogin, Config};
use crate::error::{respond, ApiError};
use crate::http::{Admin, Ctx, Json};
use crate::pages::{self, Refusal};
use crate::session::{self, hex, session_secret};
use crate::shard;
use crate::store;
use crate::wecom::WeCom;
use domain::api::SessionsRevoked;
use domain::session::{login_admin_right, AdminRight, LoginFlow, Role, SessionError};
use domain::signin::{binding, set_binding_cookie, Confirmation, CONFIRM_TTL_SECS};
use serde::Deserialize;
use worker::{Env, Request, Response, Result, Url};

#[derive(Deserialize)]
struct Callback {
    auth_code: Option<String>,
    code: Option<String>,
    state: Option<String>,
}

fn query(req: &Request) -> std::result::Result<Callback, ApiError> {
    req.query()
        .map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))
}

#[derive(Deserialize)]
struct LoginQuery {
    /// `qr` or `web`: the login to use instead of `WECOM_LOGIN`'s.
    via: Option<String>,
}

/// WeCom's third-party QR login page (document/path/91124): `appid` the
/// provider's CorpID; `usertype` `admin` (scanned with WeChat) or `member`
/// (scanned with the WeCom app, the provider's desk).
pub(crate) fn qr_login(
    cfg: &Config,
    back: &str,
    state: &str,
    usertype: &str,
) -> std::result::Result<Url, ApiError> {
    Url::parse_with_params(
        &format!("{}/wwopen/sso/3rd_qrConnect", cfg.login_base),
        &[
            ("appid", cfg.provider_corpid.as_str()),
            ("redirect_uri", back),
            ("state", state),
            ("usertype", usertype),
        ],
    )
    .map_err(ApiError::internal)
}

/// `GET /auth/login[?via=qr|web]`: to WeCom's login for admins, the one
/// `WECOM_LOGIN` names unless the link asks for the other: the QR login
/// (`appid` is the provider's CorpID, document/path/91124) or the newer web
/// login (`login_type=ServiceApp`, `appid` the suite id, 98171).
pub async fn login(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            if let Some(busy) = budget::spend(&req, &ctx.env, Budget::Admin).await? {
                return Ok(busy);
            }
            let cfg = Config::from_env(&ctx.env)?;
            let asked: LoginQuery = req
                .query()
                .map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))?;
            let how = match asked.via.as_deref() {
                None | Some("") => cfg.login,
                Some("qr") => AdminLogin::Qr,
                Some("web") => AdminLogin::Web,
                Some(_) => return Err(ApiError::bad_request("via is qr or web")),
            };
            let back = format!("{}/auth/callback", origin(&req)?);
            let binding_cookie;
            let url = match how {
                AdminLogin::Qr => {
                    if cfg.provider_corpid.is_empty() {
                        return Err(ApiError::internal("PROVIDER_CORPID is not configured"));
                    }
                    let (state, bound) = new_state(&req, &ctx.env, LoginFlow::Qr).await?;
                    binding_cookie = bound;
                    Ok(qr_login(&cfg, &back, &state, "admin")?)
                }
                AdminLogin::Web => {
                    let (state, bound) = new_state(&req, &ctx.env, LoginFlow::Web).await?;
                    binding_cookie = bound;
                    Url::parse_with_params(
                        &format!("{}/wwlogin/sso/login", cfg.web_login_base),
                        &[
                            ("login_type", "ServiceApp"),
                            ("appid", cfg.suite_id.as_str()),
                            ("redirect_uri", back.as_str()),
                            ("state", state.as_str()),
                        ],
                    )
                }
            }
            .map_err(ApiError::internal)?;
            redirect(url.as_str(), &[binding_cookie])
        }
        .await,
    )
}

/// `GET /auth/callback?auth_code=..&state=..` back from the QR login, or
/// `?code=..&state=..` back from the newer web login.
pub async fn callback(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            if let Some(busy) = budget::spend(&req, &ctx.env, Budget::Admin).await? {
                return Ok(busy);
            }
            let q = query(&req)?;
            match (q.auth_code.as_deref(), q.code.as_deref()) {
                (None, Some(code)) if !code.is_empty() => {
                    spend_state(&req, &ctx.env, q.state.as_deref(), LoginFlow::Web).await?;
                    web_sign_in(&req, &ctx.env, code).await
                }
                _ => {
                    spend_state(&req, &ctx.env, q.state.as_deref(), LoginFlow::Qr).await?;
                    match admin_by_code(&ctx.env, q.auth_code.as_deref()).await? {
                        Verdict::Refused(page) => Ok(page),
                        Verdict::Admin(a) => {
                            let (_, cookie) = session::open(
                                &req,
                                &ctx.env,
                                &a.corp_id,
                                &a.userid,
                                Role::Admin,
                                a.granted,
                            )
                            .await?;
                            signed_in(&req, "/seats", cookie)
                        }
                    }
                }
            }
        }
        .await,
    )
}

/// Back from the newer web login: `getuserinfo3rd` names the member
/// (98179); WeCom's admin list decides whether they are an admin (the
/// login itself does not say).
async fn web_sign_in(
    req: &Request,
    env: &Env,
    code: &str,
) -> std::result::Result<Response, ApiError> {
    let cfg = Config::from_env(env)?;
    let user = WeCom::new(&cfg, env::kv(env)?)
        .oauth_user(code)
        .await
        .map_err(code_refused)?;
    if user.corpid.is_empty() || user.userid.is_empty() {
        return pages::refused(Refusal::NoOrganisation, "", "");
    }
    let db = shard::db_for(env, &user.corpid).await?;
    if !store::corp_exists(&db, &user.corpid).await? {
        return pages::refused(Refusal::NotInstalled, &user.corpid, &user.userid);
    }
    if store::admin_right(&db, &user.corpid, &user.userid)
        .await?
        .is_none()
    {
        return pages::refused(Refusal::NotAdmin, &user.corpid, &user.userid);
    }
    let (_, cookie) =
        session::open(req, env, &user.corpid, &user.userid, Role::Admin, None).await?;
    signed_in(req, "/seats", cookie)
}

/// `GET /auth/wecom-admin?auth_code=..`: WeCom's admin console's
/// business-settings (业务设置) entry, which brings an `auth_code` and no
/// `state`; only this route takes a code without one. So that a link with
/// someone else's code cannot sign this browser in unasked (login CSRF),
/// it sets no session: it shows "continue as <user> of <organisation>?",
/// whose button posts, from our own origin, to `/auth/wecom-admin/continue`.
pub async fn wecom_admin(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            if let Some(busy) = budget::spend(&req, &ctx.env, Budget::Admin).await? {
                return Ok(busy);
            }
            let q = query(&req)?;
            let a = match admin_by_code(&ctx.env, q.auth_code.as_deref()).await? {
                Verdict::Refused(page) => return Ok(page),
                Verdict::Admin(a) => a,
            };
            let now = now_secs();
            let nonce = hex(&env::random::<16>()?);
            let expires_at = now + CONFIRM_TTL_SECS;
            let home = shard::home(&ctx.env)?;
            store::issue_login_state(&home, &nonce, LoginFlow::Confirm, expires_at).await?;
            let db = shard::db_for(&ctx.env, &a.corp_id).await?;
            let corp_name = store::corp_name(&db, &a.corp_id).await?.unwrap_or_default();
            let ticket = Confirmation {
                nonce: nonce.clone(),
                corp_id: a.corp_id.clone(),
                userid: a.userid.clone(),
                granted: a.granted.map(AdminRight::auth_type),
                expires_at,
            }
            .sign(&session_secret(&ctx.env)?)
            .map_err(ApiError::internal)?;
            let bound =
                set_binding_cookie(session::https(&req), &binding(&nonce), CONFIRM_TTL_SECS);
            pages::confirm(&a.userid, &a.corp_id, &corp_name, &ticket, &bound)
        }
        .await,
    )
}

#[derive(Deserialize)]
struct Continue {
    ticket: Option<String>,
}

/// `POST /auth/wecom-admin/continue?ticket=..`: the click on "continue as
/// …?" (same-origin, like every POST): the ticket must be ours, unexpired,
/// unused and bound to this browser; the user must still be an admin.
pub async fn wecom_admin_continue(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            if let Some(busy) = budget::spend(&req, &ctx.env, Budget::Admin).await? {
                return Ok(busy);
            }
            let q: Continue = req
                .query()
                .map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))?;
            let refused_ticket =
                || ApiError::new(400, "bad_state", "this confirmation is not one we issued");
            let token = q
                .ticket
                .filter(|t| !t.is_empty())
                .ok_or_else(refused_ticket)?;
            let c = match Confirmation::verify(&token, &session_secret(&ctx.env)?, now_secs()) {
                Ok(c) => c,
                Err(SessionError::Expired) => {
                    return Err(ApiError::new(
                        400,
                        "state_expired",
                        "this confirmation took too long; open the app from WeCom again",
                    ))
                }
                Err(_) => return Err(refused_ticket()),
            };
            spend_state(&req, &ctx.env, Some(&c.nonce), LoginFlow::Confirm).await?;
            let db = shard::db_for(&ctx.env, &c.corp_id).await?;
            if !store::corp_exists(&db, &c.corp_id).await? {
                return pages::refused(Refusal::NotInstalled, &c.corp_id, &c.userid);
            }
            let listed = store::admin_right(&db, &c.corp_id, &c.userid).await?;
            let granted = c.granted.map(AdminRight::from_auth_type);
            if listed.is_none() && granted.is_none() {
                return pages::refused(Refusal::NotAdmin, &c.corp_id, &c.userid);
            }
            let keep = if listed.is_some() { None } else { granted };
            let (_, cookie) =
                session::open(&req, &ctx.env, &c.corp_id, &c.userid, Role::Admin, keep).await?;
            signed_in(&req, "/seats", cookie)
        }
        .await,
    )
}

/// An admin `get_login_info` named, with the right to keep on the session
/// when WeCom's admin list does not name them.
struct SigningAdmin {
    corp_id: String,
    userid: String,
    granted: Option<AdminRight>,
}

enum Verdict {
    Admin(SigningAdmin),
    Refused(Response),
}

/// Who the auth code names (`get_login_info`), and whether they may sign
/// in: an admin of an installed organisation, or the refusal page. WeCom's
/// admin list decides where it names the user; where it cannot (an external
/// admin, whom it leaves out; a member-authorised install, which has none:
/// document/path/100073), `get_login_info`'s own `usertype` and
/// `agent[].auth_type` for our app do. A member (usertype 5) is refused.
async fn admin_by_code(
    env: &Env,
    auth_code: Option<&str>,
) -> std::result::Result<Verdict, ApiError> {
    let auth_code = auth_code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::bad_request("auth_code is missing"))?;
    let cfg = Config::from_env(env)?;
    let info = WeCom::new(&cfg, env::kv(env)?)
        .login_info(auth_code)
        .await
        .map_err(code_refused)?;
    let corp_id = info.corp_info.corpid.clone();
    let userid = info.user_info.userid.clone();
    let db = shard::db_for(env, &corp_id).await?;
    let agent_id = match corp_id.is_empty() {
        true => None,
        false => store::installed_agent(&db, &corp_id).await?,
    };
    let refuse = |why| pages::refused(why, &corp_id, &userid).map(Verdict::Refused);
    let Some(agent_id) = agent_id else {
        return refuse(Refusal::NotInstalled);
    };
    let granted = match store::admin_right(&db, &corp_id, &userid).await? {
        Some(_) => None,
        None => match login_admin_right(&info, agent_id) {
            Some(right) => Some(right),
            None => return refuse(Refusal::NotAdmin),
        },
    };
    Ok(Verdict::Admin(SigningAdmin {
        corp_id,
        userid,
        granted,
    }))
}

/// A navigation to one of the app's pages (`/`, `/me`): inside WeCom's
/// webview without a standing session it goes through WeCom's OAuth
/// first (document/path/91120); otherwise the page itself, from the
/// static assets.
pub async fn app_page(req: Request, ctx: Ctx) -> Result<Response> {
    let in_wecom = req
        .headers()
        .get("User-Agent")?
        .is_some_and(|ua| ua.to_ascii_lowercase().contains("wxwork"));
    if in_wecom && !session::stands(&req, &ctx.env).await {
        return respond(oauth_start(&req, &ctx.env).await);
    }
    ctx.env.assets("ASSETS")?.fetch_request(req).await
}

async fn oauth_start(req: &Request, env: &Env) -> std::result::Result<Response, ApiError> {
    if let Some(busy) = budget::spend(req, env, Budget::Member).await? {
        return Ok(busy);
    }
    let cfg = Config::from_env(env)?;
    let (state, binding_cookie) = new_state(req, env, LoginFlow::OAuth).await?;
    let back = format!("{}/auth/oauth", origin(req)?);
    let mut url = Url::parse_with_params(
        &format!("{}/connect/oauth2/authorize", cfg.oauth_base),
        &[
            ("appid", cfg.suite_id.as_str()),
            ("redirect_uri", back.as_str()),
            ("response_type", "code"),
            ("scope", "snsapi_base"),
            ("state", state.as_str()),
        ],
    )
    .map_err(ApiError::internal)?;
    url.set_fragment(Some("wechat_redirect"));
    redirect(url.as_str(), &[binding_cookie])
}

/// `GET /auth/oauth?code=..&state=..`: back from WeCom's OAuth. Admins of
/// the app get the console, every other member of an installed
/// organisation their own page.
pub async fn oauth(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            if let Some(busy) = budget::spend(&req, &ctx.env, Budget::Member).await? {
                return Ok(busy);
            }
            let q = query(&req)?;
            spend_state(&req, &ctx.env, q.state.as_deref(), LoginFlow::OAuth).await?;
            let code = q
                .code
                .filter(|c| !c.is_empty())
                .ok_or_else(|| ApiError::bad_request("code is missing"))?;
            let cfg = Config::from_env(&ctx.env)?;
            let user = WeCom::new(&cfg, env::kv(&ctx.env)?)
                .oauth_user(&code)
                .await
                .map_err(code_refused)?;
            if user.corpid.is_empty() || user.userid.is_empty() {
                return pages::refused(Refusal::NoOrganisation, "", "");
            }
            let db = shard::db_for(&ctx.env, &user.corpid).await?;
            if !store::corp_exists(&db, &user.corpid).await? {
                return pages::refused(Refusal::NotInstalled, &user.corpid, &user.userid);
            }
            let admin = store::admin_right(&db, &user.corpid, &user.userid).await?;
            let (role, page) = match admin {
                Some(_) => (Role::Admin, "/"),
                None => (Role::Member, "/me"),
            };
            let (_, cookie) =
                session::open(&req, &ctx.env, &user.corpid, &user.userid, role, None).await?;
            signed_in(&req, page, cookie)
        }
        .await,
    )
}

/// `POST /api/v1/corps/{corp_id}/sessions/revoke`: every session of the
/// organisation ends, the caller's too.
pub async fn revoke_sessions(
    admin: Admin,
    _: (),
) -> std::result::Result<Json<SessionsRevoked>, ApiError> {
    let db = admin.db().await?;
    let revoked = store::end_corp_sessions(&db, admin.corp_id()).await?;
    store::audit(
        &db,
        admin.corp_id(),
        now_secs(),
        admin.userid(),
        "sessions_revoked",
        &serde_json::json!({ "revoked": revoked }),
    )
    .await?;
    Ok(Json(SessionsRevoked { revoked }))
}
