//! What every sign-in shares: the single-use `state` bound to the browser
//! that started it (issued, then spent on the home database), the
//! redirects that land a signed-in browser, and WeCom's refusal of a code
//! in our words.

use crate::clock::now_secs;
use crate::env;
use crate::error::ApiError;
use crate::session::{self, hex};
use crate::shard;
use crate::store::{self, StateSpent};
use crate::wecom::{WeComError, INVALID_CODE};
use domain::session::{cookie_value, is_login_state, LoginFlow, LOGIN_STATE_TTL_SECS};
use domain::signin::{binding, binding_cookie_name, binding_holds, set_binding_cookie};
use worker::{Env, Headers, Request, Response};

/// A navigation answered with a redirect, optionally setting a cookie.
pub(crate) fn redirect(
    location: &str,
    cookies: &[String],
) -> std::result::Result<Response, ApiError> {
    let headers = Headers::new();
    headers.set("Location", location)?;
    headers.set("Cache-Control", "no-store")?;
    for cookie in cookies {
        headers.append("Set-Cookie", cookie)?;
    }
    Ok(Response::empty()?.with_status(302).with_headers(headers))
}

/// A signed-in landing: the session cookie, and the sign-in's browser
/// binding cleared.
pub(crate) fn signed_in(
    req: &Request,
    location: &str,
    session: String,
) -> std::result::Result<Response, ApiError> {
    let spent = set_binding_cookie(session::https(req), "", 0);
    redirect(location, &[session, spent])
}

/// Our own address (scheme, host, port) as the browser reached us.
pub(crate) fn origin(req: &Request) -> std::result::Result<String, ApiError> {
    let url = req.url()?;
    Ok(url.origin().ascii_serialization())
}

/// A fresh state for `flow`: 128 random bits as 32 hex digits (letters
/// and digits, as WeCom takes a state), remembered in D1 with its flow, and
/// the cookie that binds it to this browser (its hash, for as long as the
/// state lives).
pub(crate) async fn new_state(
    req: &Request,
    env: &Env,
    flow: LoginFlow,
) -> std::result::Result<(String, String), ApiError> {
    let now = now_secs();
    let nonce = hex(&env::random::<16>()?);
    let expires_at = now + LOGIN_STATE_TTL_SECS;
    store::issue_login_state(&shard::home(env)?, &nonce, flow, expires_at).await?;
    let cookie = set_binding_cookie(session::https(req), &binding(&nonce), LOGIN_STATE_TTL_SECS);
    Ok((nonce, cookie))
}

/// The binding cookie the browser sent, if any.
fn binding_sent(req: &Request) -> Option<String> {
    let cookies = req.headers().get("Cookie").ok().flatten()?;
    cookie_value(&cookies, binding_cookie_name(session::https(req))).map(str::to_owned)
}

/// Checks and spends the state WeCom brought back: missing, not ours, for
/// another flow, brought to another browser than the one that started it,
/// expired or already used → 400. A state refused for its browser is not
/// spent: the browser that started it may still finish.
pub(crate) async fn spend_state(
    req: &Request,
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
    let db = shard::home(env)?;
    let spent = if binding_holds(binding_sent(req).as_deref(), nonce) {
        store::spend_login_state(&db, nonce, flow, now_secs()).await?
    } else {
        // Not this browser's: left unspent, only said why.
        match store::login_state_standing(&db, nonce, flow, now_secs()).await? {
            StateSpent::Unknown | StateSpent::Now => {
                return Err(ApiError::new(
                    400,
                    "bad_state",
                    "this sign-in was started in another browser; start it again here",
                ))
            }
            other => other,
        }
    };
    match spent {
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

/// WeCom's refusal of a code, in our words. Whoever calls a sign-in route
/// is anonymous, so WeCom's own `errmsg` (it can name our egress IP, as the
/// IP allow-list refusal 60020 does) goes to the log, never to the page.
pub(crate) fn code_refused(e: WeComError) -> ApiError {
    match e {
        WeComError::Api { errcode, .. } if errcode == INVALID_CODE => ApiError::new(
            400,
            "invalid_code",
            "WeCom says this sign-in code is invalid, used or expired; sign in again",
        ),
        other => {
            worker::console_error!("sign-in: WeCom refused: {other}");
            let told: ApiError = other.into();
            ApiError::new(
                told.status,
                told.code,
                "WeCom could not confirm who is signing in; try again in a moment",
            )
        }
    }
}
