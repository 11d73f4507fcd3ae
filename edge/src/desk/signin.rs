//! The provider's operator signs in to the desk through WeCom's QR login
//! for members (`3rd_qrConnect?appid=<PROVIDER_CORPID>&usertype=member`,
//! scanned with the WeCom app, document/path/91124): `/auth/desk` →
//! WeCom → `/auth/desk/callback`, where `get_login_info` (91125) must name
//! the provider's own organisation and a userid in `OPERATOR_USERIDS`, or
//! the answer is the refusal page. The state is single-use and bound to
//! the browser, as for the admins' sign-in (`crate::signin`).

use crate::budget::{self, Budget};
use crate::env::{self, Config};
use crate::error::{respond, ApiError};
use crate::http::Ctx;
use crate::pages::{self, Refusal};
use crate::session;
use crate::signin::{code_refused, new_state, origin, qr_login, redirect, signed_in, spend_state};
use crate::wecom::WeCom;
use domain::session::{LoginFlow, Role};
use serde::Deserialize;
use worker::{Request, Response, Result};

/// Where an operator lands once signed in.
pub const DESK_PAGE: &str = "/desk";

/// `GET /auth/desk`: to WeCom's QR login for members of the provider's
/// own organisation.
pub async fn login(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            if let Some(busy) = budget::spend(&req, &ctx.env, Budget::Admin).await? {
                return Ok(busy);
            }
            let cfg = Config::from_env(&ctx.env)?;
            if cfg.provider_corpid.is_empty() {
                return Err(ApiError::internal("PROVIDER_CORPID is not configured"));
            }
            let (state, bound) = new_state(&req, &ctx.env, LoginFlow::Desk).await?;
            let back = format!("{}/auth/desk/callback", origin(&req)?);
            redirect(qr_login(&cfg, &back, &state, "member")?.as_str(), &[bound])
        }
        .await,
    )
}

#[derive(Deserialize)]
struct Back {
    auth_code: Option<String>,
    state: Option<String>,
}

/// `GET /auth/desk/callback?auth_code=..&state=..`.
pub async fn callback(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            if let Some(busy) = budget::spend(&req, &ctx.env, Budget::Admin).await? {
                return Ok(busy);
            }
            let back: Back = req
                .query()
                .map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))?;
            spend_state(&req, &ctx.env, back.state.as_deref(), LoginFlow::Desk).await?;
            let code = back
                .auth_code
                .filter(|c| !c.is_empty())
                .ok_or_else(|| ApiError::bad_request("auth_code is missing"))?;
            let cfg = Config::from_env(&ctx.env)?;
            let info = WeCom::new(&cfg, env::kv(&ctx.env)?)
                .login_info(&code)
                .await
                .map_err(code_refused)?;
            let (corp_id, userid) = (&info.corp_info.corpid, &info.user_info.userid);
            if !cfg.is_operator(corp_id, userid) {
                return pages::refused(Refusal::NotOperator, corp_id, userid);
            }
            let (_, cookie) =
                session::open(&req, &ctx.env, corp_id, userid, Role::Operator, None).await?;
            signed_in(&req, DESK_PAGE, cookie)
        }
        .await,
    )
}
