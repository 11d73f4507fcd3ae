//! HTTP adapters: a handler is a typed function, the adapter does the rest.
//! `admin` checks the session against the route's organisation and the
//! admins WeCom lists, `manage` also WeCom's management permission,
//! `manage_or_operator` that or the provider's operator key, `member` any
//! standing session for the user's own data, `open` the route's `Door`
//! (the access key), `dev` the development switch (`dev` feature only);
//! each reads the typed input
//! ([`Query`], [`Json`] or nothing), runs the handler, and turns its answer
//! ([`Json`] 200, [`Accepted`] 202) or its `ApiError` into the response.

use crate::body::{read_capped, Unread};
use crate::d1::Db;
use crate::env::{self, Config};
use crate::error::{respond, ApiError};
use crate::session;
use crate::shard;
use domain::csrf::{self, Refusal, Sent};
use domain::routes::Door;
use domain::session::{ct_eq, Session};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use worker::{Context, Env, Request, Response, RouteContext};

/// What every route gets from the Router.
pub type Ctx = RouteContext<Context>;

/// Longest page any list route gives.
pub const MAX_PAGE: u64 = 500;
/// Page size when the caller names none.
pub const DEFAULT_PAGE: u64 = 100;

/// A signed-in admin acting on the organisation they manage, or the
/// provider's operator reading one.
pub struct Admin {
    /// The organisation the route names.
    pub corp_id: String,
    pub session: Session,
    pub env: Env,
    /// Our own origin as the browser reached us (`scheme://host[:port]`).
    pub origin: String,
}

impl Admin {
    pub fn corp_id(&self) -> &str {
        &self.corp_id
    }

    pub fn userid(&self) -> &str {
        &self.session.userid
    }

    /// The organisation's database.
    pub async fn db(&self) -> Result<Db, ApiError> {
        shard::db_for(&self.env, &self.corp_id).await
    }

    pub fn config(&self) -> Result<Config, ApiError> {
        Config::from_env(&self.env)
    }
}

/// Who acts on an organisation through a `Door::ManageOrOperator` route:
/// an admin who manages it, or the provider's operator.
pub struct Manager {
    pub corp_id: String,
    /// The admin's userid, or [`OPERATOR`] (the audit row's actor).
    pub actor: String,
    pub env: Env,
}

/// The audit actor of what the operator key did.
pub const OPERATOR: &str = "operator";

/// A signed-in user acting on their own data (`Door::Member`): a member's
/// session or an admin's, scoped to its organisation and userid.
pub struct Caller {
    pub session: Session,
    pub env: Env,
}

impl Caller {
    /// The caller's organisation's database.
    pub async fn db(&self) -> Result<crate::d1::Db, ApiError> {
        shard::db_for(&self.env, &self.session.corp_id).await
    }
}

/// A handler's typed input, read from the request.
pub trait FromRequest: Sized {
    fn read(req: &mut Request) -> impl Future<Output = Result<Self, ApiError>>;
}

impl FromRequest for () {
    async fn read(_req: &mut Request) -> Result<(), ApiError> {
        Ok(())
    }
}

/// The query string, deserialised.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    async fn read(req: &mut Request) -> Result<Self, ApiError> {
        req.query()
            .map(Query)
            .map_err(|e| ApiError::bad_request(format!("bad query string: {e}")))
    }
}

/// A JSON body in, or a JSON answer (200) out.
pub struct Json<T>(pub T);

/// Bodies the JSON reader refuses carry this hint of the expected shape.
pub trait Shape {
    const SHAPE: &'static str;
}

/// The largest JSON body an API route reads: the biggest a console sends
/// (1 000 userids to activate, 1 000 transfer pairs, a forecast of 1 000
/// items a list) is under 100 KiB.
pub const MAX_API_BODY_BYTES: usize = 256 * 1024;

impl<T: DeserializeOwned + Shape> FromRequest for Json<T> {
    async fn read(req: &mut Request) -> Result<Self, ApiError> {
        let refused = |e: &dyn std::fmt::Display| {
            ApiError::bad_request(format!("body must be {}: {e}", T::SHAPE))
        };
        let bytes = read_capped(req, MAX_API_BODY_BYTES)
            .await
            .map_err(|e| match e {
                Unread::TooLarge => ApiError::new(
                    413,
                    "payload_too_large",
                    format!("a request body may be at most {MAX_API_BODY_BYTES} bytes"),
                ),
                Unread::Broken(e) => ApiError::bad_request(format!("body unreadable: {e}")),
            })?;
        let body: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| refused(&e))?;
        // serde would read a struct from an array too; every body is an object.
        if !body.is_object() {
            return Err(refused(&"a JSON object"));
        }
        serde_json::from_value(body)
            .map(Json)
            .map_err(|e| refused(&e))
    }
}

/// A JSON answer with 202 Accepted: the work goes on after the answer.
pub struct Accepted<T>(pub T);

/// A handler's answer, turned into a response.
pub trait IntoAnswer {
    fn into_answer(self) -> Result<Response, ApiError>;
}

impl<T: Serialize> IntoAnswer for Json<T> {
    fn into_answer(self) -> Result<Response, ApiError> {
        Ok(Response::from_json(&self.0)?)
    }
}

impl<T: Serialize> IntoAnswer for Accepted<T> {
    fn into_answer(self) -> Result<Response, ApiError> {
        Ok(Response::from_json(&self.0)?.with_status(202))
    }
}

/// The tail every adapter shares: once the door has said who calls (or
/// why not), reads the handler's input, runs it, and turns its answer or
/// the error into a response.
async fn answer<A, I, O, F, Fut>(
    req: &mut Request,
    who: Result<A, ApiError>,
    handler: F,
) -> worker::Result<Response>
where
    I: FromRequest,
    O: IntoAnswer,
    F: FnOnce(A, I) -> Fut,
    Fut: Future<Output = Result<O, ApiError>>,
{
    let run = async {
        let who = who?;
        let input = I::read(req).await?;
        handler(who, input).await?.into_answer()
    };
    respond(run.await)
}

/// A route for the admin of the organisation named by `:corp_id`
/// (`Door::Session`).
pub async fn admin<I, O, F, Fut>(req: Request, ctx: Ctx, handler: F) -> worker::Result<Response>
where
    I: FromRequest,
    O: IntoAnswer,
    F: FnOnce(Admin, I) -> Fut,
    Fut: Future<Output = Result<O, ApiError>>,
{
    signed_in(req, ctx, Door::Session, handler).await
}

/// A route that changes something (`Door::Manage`): only for an admin
/// with WeCom's management permission; the others get 403 `read_only`.
pub async fn manage<I, O, F, Fut>(req: Request, ctx: Ctx, handler: F) -> worker::Result<Response>
where
    I: FromRequest,
    O: IntoAnswer,
    F: FnOnce(Admin, I) -> Fut,
    Fut: Future<Output = Result<O, ApiError>>,
{
    signed_in(req, ctx, Door::Manage, handler).await
}

async fn signed_in<I, O, F, Fut>(
    mut req: Request,
    ctx: Ctx,
    door: Door,
    handler: F,
) -> worker::Result<Response>
where
    I: FromRequest,
    O: IntoAnswer,
    F: FnOnce(Admin, I) -> Fut,
    Fut: Future<Output = Result<O, ApiError>>,
{
    let corp_id = ctx.param("corp_id").cloned().unwrap_or_default();
    let origin = req.url()?.origin().ascii_serialization();
    let admin = match session::require(&req, &ctx.env, &corp_id).await {
        Ok((_, right)) if door == Door::Manage && !right.may_manage() => Err(ApiError::read_only()),
        Ok((session, _)) => Ok(Admin {
            corp_id,
            session,
            env: ctx.env,
            origin,
        }),
        Err(e) => Err(e),
    };
    answer(&mut req, admin, handler).await
}

/// A route for an admin who manages the organisation named by `:corp_id`
/// (`Door::Manage`), or for the provider's operator with
/// `Authorization: Bearer <OPERATOR_API_KEY>` (`Door::ManageOrOperator`):
/// a request that carries an `Authorization` header is judged by it alone.
pub async fn manage_or_operator<I, O, F, Fut>(
    mut req: Request,
    ctx: Ctx,
    handler: F,
) -> worker::Result<Response>
where
    I: FromRequest,
    O: IntoAnswer,
    F: FnOnce(Manager, I) -> Fut,
    Fut: Future<Output = Result<O, ApiError>>,
{
    let corp_id = ctx.param("corp_id").cloned().unwrap_or_default();
    let manager = match req.headers().get("Authorization") {
        Ok(Some(_)) => check_operator_key(&req, &ctx.env).map(|()| OPERATOR.to_owned()),
        _ => match session::require(&req, &ctx.env, &corp_id).await {
            Ok((_, right)) if !right.may_manage() => Err(ApiError::read_only()),
            Ok((session, _)) => Ok(session.userid),
            Err(e) => Err(e),
        },
    }
    .map(|actor| Manager {
        corp_id,
        actor,
        env: ctx.env,
    });
    answer(&mut req, manager, handler).await
}

/// The provider's operator, signed in to the desk.
pub struct Operator {
    /// The operator's userid (in the provider's own organisation): the
    /// buyer and payer WeCom is told of, and the audit row's actor.
    pub userid: String,
    /// The organisation the route names, if it names one.
    pub corp_id: String,
    pub env: Env,
}

impl Operator {
    /// The home database: the desk and its orders.
    pub fn home(&self) -> Result<crate::d1::Db, ApiError> {
        shard::home(&self.env)
    }

    /// The database of the organisation the route names.
    pub async fn db(&self) -> Result<crate::d1::Db, ApiError> {
        shard::db_for(&self.env, &self.corp_id).await
    }
}

/// A route for the provider's operator (`Door::Operator`).
pub async fn operator<I, O, F, Fut>(
    mut req: Request,
    ctx: Ctx,
    handler: F,
) -> worker::Result<Response>
where
    I: FromRequest,
    O: IntoAnswer,
    F: FnOnce(Operator, I) -> Fut,
    Fut: Future<Output = Result<O, ApiError>>,
{
    let corp_id = ctx.param("corp_id").cloned().unwrap_or_default();
    let env = ctx.env;
    let operator = session::require_operator(&req, &env)
        .await
        .map(|session| Operator {
            userid: session.userid,
            corp_id,
            env,
        });
    answer(&mut req, operator, handler).await
}

/// A route for the signed-in user's own data (`Door::Member`).
pub async fn member<I, O, F, Fut>(
    mut req: Request,
    ctx: Ctx,
    handler: F,
) -> worker::Result<Response>
where
    I: FromRequest,
    O: IntoAnswer,
    F: FnOnce(Caller, I) -> Fut,
    Fut: Future<Output = Result<O, ApiError>>,
{
    let env = ctx.env;
    let caller = session::require_member(&req, &env)
        .await
        .map(|session| Caller { session, env });
    answer(&mut req, caller, handler).await
}

/// A route behind an open door (the access key, or none). The handler
/// gets the Worker's context beside the env, to schedule work after its
/// answer (`Context::wait_until`).
pub async fn open<I, O, F, Fut>(
    mut req: Request,
    ctx: Ctx,
    door: Door,
    handler: F,
) -> worker::Result<Response>
where
    I: FromRequest,
    O: IntoAnswer,
    F: FnOnce((Env, Context), I) -> Fut,
    Fut: Future<Output = Result<O, ApiError>>,
{
    let RouteContext { data, env, .. } = ctx;
    let allowed = match door {
        Door::AccessKey => check_access_key(&req, &env),
        Door::Public => Ok(()),
        Door::Session | Door::Manage | Door::ManageOrOperator | Door::Member | Door::Operator => {
            Err(ApiError::internal(
                "a session route must go through admin, manage, manage_or_operator, member or operator",
            ))
        }
    };
    answer(&mut req, allowed.map(|()| (env, data)), handler).await
}

/// Refuses a state-changing request another site started, or one whose
/// body is not JSON (`domain::csrf`): 403 `cross_site`, 415
/// `unsupported_media_type`. For everything the browser's cookie could
/// reach: `/api/*` and `/auth/*`; WeCom's callbacks are signed instead.
pub fn same_origin(req: &Request) -> Result<(), ApiError> {
    let url = req.url()?;
    let headers = req.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    let (content_type, origin, fetch_site) = (
        header("Content-Type"),
        header("Origin"),
        header("Sec-Fetch-Site"),
    );
    let method = req.inner().method();
    let has_body = header("Content-Length").as_deref() != Some("0") && req.inner().body().is_some();
    let sent = Sent {
        method: &method,
        content_type: content_type.as_deref(),
        has_body,
        origin: origin.as_deref(),
        fetch_site: fetch_site.as_deref(),
        own_origin: &url.origin().ascii_serialization(),
    };
    match csrf::check(&sent) {
        Ok(()) => Ok(()),
        Err(Refusal::CrossSite) => Err(ApiError::new(
            403,
            "cross_site",
            "a request that changes something must come from the console's own origin",
        )),
        Err(Refusal::NotJson) => Err(ApiError::new(
            415,
            "unsupported_media_type",
            "a request body must be JSON (Content-Type: application/json)",
        )),
    }
}

/// A development route (`dev` feature only): 404 unless `DEV_LOGIN=1`,
/// then the access key too when `with_key`.
#[cfg(feature = "dev")]
pub async fn dev<I, O, F, Fut>(
    mut req: Request,
    ctx: Ctx,
    with_key: bool,
    handler: F,
) -> worker::Result<Response>
where
    I: FromRequest,
    O: IntoAnswer,
    F: FnOnce(Env, I) -> Fut,
    Fut: Future<Output = Result<O, ApiError>>,
{
    let env = ctx.env;
    let allowed = if !env::dev_mode(&env) {
        Err(ApiError::not_found("development routes are disabled"))
    } else if with_key {
        check_access_key(&req, &env)
    } else {
        Ok(())
    };
    answer(&mut req, allowed.map(|()| env), handler).await
}

/// The operator key, compared in constant time. It is optional: unset,
/// no key opens the operator's door (401), not even an empty bearer.
fn check_operator_key(req: &Request, env: &Env) -> Result<(), ApiError> {
    match env::value(env, "OPERATOR_API_KEY").filter(|k| !k.is_empty()) {
        Some(key) => check_bearer(req, &key, "OPERATOR_API_KEY"),
        None => Err(ApiError::new(
            401,
            "unauthenticated",
            "no OPERATOR_API_KEY is configured: sign in as an admin who manages",
        )),
    }
}

/// What the Worker's own answers (JSON, redirects, the sign-in pages) may
/// load and who may frame them. The console's static files get theirs from
/// `public/_headers`.
const WORKER_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// HTTPS only, for two years, subdomains too (production build only: local
/// `wrangler dev` is plain http).
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Every answer of the Worker: no framing, no MIME sniffing, no referrer
/// (a sign-in URL carries a one-time code); in production, HTTPS only.
pub fn with_security_headers(mut answer: Response) -> Response {
    let headers = answer.headers_mut();
    if cfg!(not(feature = "dev")) {
        let _ = headers.set("Strict-Transport-Security", HSTS);
    }
    for (name, value) in [
        ("Content-Security-Policy", WORKER_CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
    ] {
        // Only an immutable (forwarded) answer refuses; ours never are.
        let _ = headers.set(name, value);
    }
    answer
}

/// The access key, required (unset is a server fault, 500).
fn check_access_key(req: &Request, env: &Env) -> Result<(), ApiError> {
    check_bearer(
        req,
        &env::required(env, "ACCESS_API_KEY")?,
        "ACCESS_API_KEY",
    )
}

/// `Authorization: Bearer <key>`, compared in constant time; 401 naming
/// the secret when it is not that.
fn check_bearer(req: &Request, key: &str, secret: &str) -> Result<(), ApiError> {
    let given = req.headers().get("Authorization")?.unwrap_or_default();
    let token = given.strip_prefix("Bearer ").unwrap_or_default();
    if ct_eq(token.as_bytes(), key.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::new(
            401,
            "unauthenticated",
            format!("a valid Authorization: Bearer <{secret}> is required"),
        ))
    }
}

/// A page size from the query: default when absent, else 1..=`MAX_PAGE`.
pub fn page_limit(limit: Option<&str>) -> Result<u64, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| ApiError::bad_request(format!("limit must be 1..={MAX_PAGE}"))),
    }
}

/// A free-text query value (`q`, `cursor`): `None` when absent or empty.
pub fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_defaults_and_is_bounded() {
        assert_eq!(page_limit(None).unwrap(), DEFAULT_PAGE);
        assert_eq!(page_limit(Some("1")).unwrap(), 1);
        assert_eq!(page_limit(Some("500")).unwrap(), 500);
        for bad in ["0", "501", "", "ten", "-1", "2.0"] {
            let e = page_limit(Some(bad)).unwrap_err();
            assert_eq!((e.status, e.code), (400, "bad_request"), "{bad:?}");
            assert_eq!(e.message, "limit must be 1..=500");
        }
    }

    #[test]
    fn free_text_is_not_given_when_empty() {
        assert_eq!(given(&Some(String::new())), None);
        assert_eq!(given(&None), None);
        assert_eq!(given(&Some("王".into())), Some("王"));
    }
}
