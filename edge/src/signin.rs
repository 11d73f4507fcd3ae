//! Signing in through WeCom (DESIGN §2 "Sign-in"): the admin's desktop QR
//! login (`/auth/login` → WeCom's `3rd_qrConnect` → `/auth/callback`), the
//! business-settings entry of WeCom's admin console (`/auth/wecom-admin`,
//! an `auth_code` and no `state`), and the member's OAuth inside WeCom's
//! webview (`/` or `/me` with a `wxwork` user agent and no session →
//! WeCom's `oauth2/authorize` → `/auth/oauth`). Each `state` is a random
//! nonce of letters and digits as WeCom takes it (at most 128 bytes,
//! `domain::session::is_login_state`), single-use and short-lived: D1 holds
//! its flow and expiry. Who may not sign in gets a page saying who can
//! grant access and how.

use crate::clock::now_secs;
use crate::env::{self, AdminLogin, Config};
use crate::error::{respond, ApiError};
use crate::http::{Admin, Ctx, Json};
use crate::session::{self, hex};
use crate::store::{self, StateSpent};
use crate::wecom::{WeCom, WeComError, INVALID_CODE};
use domain::api::SessionsRevoked;
use domain::session::{is_login_state, login_admin_right, LoginFlow, Role, LOGIN_STATE_TTL_SECS};
use serde::Deserialize;
use worker::{Env, Headers, Request, Response, Result, Url};

/// A navigation answered with a redirect, optionally setting a cookie.
fn redirect(location: &str, cookie: Option<&str>) -> std::result::Result<Response, ApiError> {
    let headers = Headers::new();
    headers.set("Location", location)?;
    headers.set("Cache-Control", "no-store")?;
    if let Some(cookie) = cookie {
        headers.set("Set-Cookie", cookie)?;
    }
    Ok(Response::empty()?.with_status(302).with_headers(headers))
}

/// Our own address (scheme, host, port) as the browser reached us.
fn origin(req: &Request) -> std::result::Result<String, ApiError> {
    let url = req.url()?;
    Ok(url.origin().ascii_serialization())
}

/// A fresh state for `flow`: 128 random bits as 32 hex digits (letters
/// and digits, as WeCom takes a state), remembered in D1 with its flow.
async fn new_state(env: &Env, flow: LoginFlow) -> std::result::Result<String, ApiError> {
    let now = now_secs();
    let nonce = hex(&env::random::<16>()?);
    let expires_at = now + LOGIN_STATE_TTL_SECS;
    store::issue_login_state(&env::db(env)?, &nonce, flow, expires_at, now).await?;
    Ok(nonce)
}

/// Checks and spends the state WeCom brought back: missing, not ours, for
/// another flow, expired or already used → 400.
async fn spend_state(
    env: &Env,
    state: Option<&str>,
    flow: LoginFlow,
) -> std::result::Result<(), ApiError> {
    let nonce = state
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::new(400, "bad_state", "the sign-in state is missing"))?;
    let not_ours = || ApiError::new(400, "bad_state", "the sign-in state is not one we issued");
    if !is_login_state(nonce) {
        return Err(not_ours());
    }
    match store::spend_login_state(&env::db(env)?, nonce, flow, now_secs()).await? {
        StateSpent::Now => Ok(()),
        StateSpent::Expired => Err(ApiError::new(
            400,
            "state_expired",
            "this sign-in took too long; start it again",
        )),
        StateSpent::Already => Err(ApiError::new(
            400,
            "state_used",
            "this sign-in was already used; start it again",
        )),
        StateSpent::Unknown => Err(not_ours()),
    }
}

/// WeCom's refusal of a code, in our words.
fn code_refused(e: WeComError) -> ApiError {
    match e {
        WeComError::Api { errcode, .. } if errcode == INVALID_CODE => ApiError::new(
            400,
            "invalid_code",
            "WeCom says this sign-in code is invalid, used or expired; sign in again",
        ),
        other => other.into(),
    }
}

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

/// `GET /auth/login[?via=qr|web]`: to WeCom's login for admins, the one
/// `WECOM_LOGIN` names unless the link asks for the other: the QR login
/// (`appid` is the provider's CorpID, document/path/91124) or the newer web
/// login (`login_type=ServiceApp`, `appid` the suite id, 98171).
pub async fn login(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
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
            let url = match how {
                AdminLogin::Qr => {
                    if cfg.provider_corpid.is_empty() {
                        return Err(ApiError::internal("PROVIDER_CORPID is not configured"));
                    }
                    let state = new_state(&ctx.env, LoginFlow::Qr).await?;
                    Url::parse_with_params(
                        &format!("{}/wwopen/sso/3rd_qrConnect", cfg.login_base),
                        &[
                            ("appid", cfg.provider_corpid.as_str()),
                            ("redirect_uri", back.as_str()),
                            ("state", state.as_str()),
                            ("usertype", "admin"),
                        ],
                    )
                }
                AdminLogin::Web => {
                    let state = new_state(&ctx.env, LoginFlow::Web).await?;
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
            redirect(url.as_str(), None)
        }
        .await,
    )
}

/// `GET /auth/callback?auth_code=..&state=..` back from the QR login, or
/// `?code=..&state=..` back from the newer web login.
pub async fn callback(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let q = query(&req)?;
            match (q.auth_code.as_deref(), q.code.as_deref()) {
                (None, Some(code)) if !code.is_empty() => {
                    spend_state(&ctx.env, q.state.as_deref(), LoginFlow::Web).await?;
                    web_sign_in(&req, &ctx.env, code).await
                }
                _ => {
                    spend_state(&ctx.env, q.state.as_deref(), LoginFlow::Qr).await?;
                    admin_sign_in(&req, &ctx.env, q.auth_code.as_deref()).await
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
        return refused(Refusal::NoOrganisation, "", "");
    }
    let db = env::db(env)?;
    if !store::corp_exists(&db, &user.corpid).await? {
        return refused(Refusal::NotInstalled, &user.corpid, &user.userid);
    }
    if store::admin_right(&db, &user.corpid, &user.userid)
        .await?
        .is_none()
    {
        return refused(Refusal::NotAdmin, &user.corpid, &user.userid);
    }
    let (_, cookie) =
        session::open(req, env, &user.corpid, &user.userid, Role::Admin, None).await?;
    redirect("/seats", Some(&cookie))
}

/// `GET /auth/wecom-admin?auth_code=..`: WeCom's admin console's
/// business-settings (业务设置) entry, which brings an `auth_code` and no
/// `state`; only this route takes a code without one.
pub async fn wecom_admin(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let q = query(&req)?;
            admin_sign_in(&req, &ctx.env, q.auth_code.as_deref()).await
        }
        .await,
    )
}

/// Who the auth code names (`get_login_info`); a session for an admin of
/// an installed organisation, the refusal page for anyone else. WeCom's
/// admin list decides where it names the user; where it cannot (an external
/// admin, whom it leaves out; a member-authorised install, which has none:
/// document/path/100073), `get_login_info`'s own `usertype` and
/// `agent[].auth_type` for our app do. A member (usertype 5) is refused.
async fn admin_sign_in(
    req: &Request,
    env: &Env,
    auth_code: Option<&str>,
) -> std::result::Result<Response, ApiError> {
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
    let db = env::db(env)?;
    let agent_id = match corp_id.is_empty() {
        true => None,
        false => store::installed_agent(&db, &corp_id).await?,
    };
    let Some(agent_id) = agent_id else {
        return refused(Refusal::NotInstalled, &corp_id, &userid);
    };
    let granted = match store::admin_right(&db, &corp_id, &userid).await? {
        Some(_) => None,
        None => match login_admin_right(&info, agent_id) {
            Some(right) => Some(right),
            None => return refused(Refusal::NotAdmin, &corp_id, &userid),
        },
    };
    let (_, cookie) = session::open(req, env, &corp_id, &userid, Role::Admin, granted).await?;
    redirect("/seats", Some(&cookie))
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
    let cfg = Config::from_env(env)?;
    let state = new_state(env, LoginFlow::OAuth).await?;
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
    redirect(url.as_str(), None)
}

/// `GET /auth/oauth?code=..&state=..`: back from WeCom's OAuth. Admins of
/// the app get the console, every other member of an installed
/// organisation their own page.
pub async fn oauth(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let q = query(&req)?;
            spend_state(&ctx.env, q.state.as_deref(), LoginFlow::OAuth).await?;
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
                return refused(Refusal::NoOrganisation, "", "");
            }
            let db = env::db(&ctx.env)?;
            if !store::corp_exists(&db, &user.corpid).await? {
                return refused(Refusal::NotInstalled, &user.corpid, &user.userid);
            }
            let admin = store::admin_right(&db, &user.corpid, &user.userid).await?;
            let (role, page) = match admin {
                Some(_) => (Role::Admin, "/"),
                None => (Role::Member, "/me"),
            };
            let (_, cookie) =
                session::open(&req, &ctx.env, &user.corpid, &user.userid, role, None).await?;
            redirect(page, Some(&cookie))
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
    let revoked = store::end_corp_sessions(&admin.db()?, admin.corp_id()).await?;
    store::audit(
        &admin.db()?,
        admin.corp_id(),
        now_secs(),
        admin.userid(),
        "sessions_revoked",
        &serde_json::json!({ "revoked": revoked }),
    )
    .await?;
    Ok(Json(SessionsRevoked { revoked }))
}

/// Why a sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// The organisation has not installed the app (or uninstalled it).
    NotInstalled,
    /// The user is not an admin of the app in that organisation.
    NotAdmin,
    /// WeCom knows the visitor as no organisation's member.
    NoOrganisation,
}

impl Refusal {
    fn code(self) -> &'static str {
        match self {
            Refusal::NotInstalled => "not_installed",
            Refusal::NotAdmin => "not_admin",
            Refusal::NoOrganisation => "no_organisation",
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The refusal page (403), in Chinese and English: who was refused, and
/// who can grant access and how.
fn refused(why: Refusal, corp_id: &str, userid: &str) -> std::result::Result<Response, ApiError> {
    let (who, corp) = (escape(userid), escape(corp_id));
    let (zh, en) = match why {
        Refusal::NotAdmin => (
            format!(
                "<p><b>{who}</b> 不是企业 <b>{corp}</b> 中本应用的管理员，所以不能登录管理后台。</p>\
                 <p>谁可以开通：贵企业的企业微信管理员。请联系他/她在<b>企业微信管理后台 › 应用管理 › 第三方应用 › 本应用 › 管理员</b>中把你添加为应用管理员（需要修改座席时请选择“管理权限”），然后重新扫码登录。</p>\
                 <p>普通成员请在企业微信里打开本应用查看自己的座席。</p>"
            ),
            format!(
                "<p><b>{who}</b> is not an admin of this app in organisation <b>{corp}</b>, so the console cannot be opened.</p>\
                 <p>Who can grant access: your organisation's WeCom admin. Ask them to add you as an admin of the app in the <b>WeCom admin console › App Management › third-party apps › this app › Admins</b> (choose management permission if you need to change seats), then scan the QR code again.</p>\
                 <p>Members: open the app inside WeCom to see your own seat.</p>"
            ),
        ),
        Refusal::NotInstalled => (
            format!(
                "<p>企业 <b>{corp}</b> 尚未安装本应用（或已取消授权）。</p>\
                 <p>谁可以开通：贵企业的企业微信管理员可在企业微信管理后台的应用市场中安装本应用；安装后应用管理员即可扫码登录。</p>"
            ),
            format!(
                "<p>Organisation <b>{corp}</b> has not installed this app (or removed it).</p>\
                 <p>Who can grant access: your organisation's WeCom admin can install it from the app marketplace in the WeCom admin console; its admins can then sign in by QR code.</p>"
            ),
        ),
        Refusal::NoOrganisation => (
            "<p>企业微信没有告诉我们你属于哪个企业。请用企业成员的企业微信帐号打开本应用。</p>".to_owned(),
            "<p>WeCom did not say which organisation you belong to. Open the app with your organisation's WeCom account.</p>".to_owned(),
        ),
    };
    let html = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>无法登录 · Cannot sign in</title><link rel=\"stylesheet\" href=\"/app.css\"></head>\
         <body><main class=\"page\"><section class=\"card narrow\" data-testid=\"signin-refused\" data-reason=\"{code}\">\
         <h2>无法登录</h2>{zh}<hr><h2 lang=\"en\">Cannot sign in</h2><div lang=\"en\">{en}</div>\
         <p><a href=\"/auth/login\" data-testid=\"signin-again\">重新扫码登录 · Sign in again</a></p>\
         </section></main></body></html>",
        code = why.code()
    );
    let headers = Headers::new();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    Ok(Response::from_html(html)?
        .with_status(403)
        .with_headers(headers))
}
