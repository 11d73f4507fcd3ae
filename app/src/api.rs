//! Calls to the Worker's JSON API. Every body, query string and answer is
//! a shared `domain::api` type, so the console and the Worker cannot drift;
//! a failure comes back as one `ApiFailure` with the server's error code.

use domain::api::{
    ActionResults, ActivateRequest, AgentConfig, AgentConfigQuery, AlertSettings, Alerts,
    AuditItem, AuditQuery, AutoActivate, AutoActivateRequest, DepartmentNode, DevLogin, ErrorBody,
    EventHealth, EventsRetried, Forecast, ForecastRequest, Health, IdleSettings, Items, Me,
    MemberItem, MemberQuery, OrderItem, Page, RangeSummary, RenewalAsk, RenewalAsked, SeatItem,
    SeatQuery, SeatRequest, SeatRequested, SessionInfo, SessionsRevoked, Suggestions, Summary,
    SyncStarted, SyncStatus, TransferRequest,
};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A failed call, with the server's error code when it sent one.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub status: u16,
    pub code: String,
    pub message: String,
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiFailure> {
    let status = resp.status();
    if resp.ok() {
        return resp.json::<T>().await.map_err(|e| ApiFailure {
            status,
            code: "bad_response".into(),
            message: e.to_string(),
        });
    }
    Err(match resp.json::<ErrorBody>().await {
        Ok(body) => ApiFailure {
            status,
            code: body.error.code,
            message: body.error.message,
        },
        Err(_) => ApiFailure {
            status,
            code: "http".into(),
            message: resp.status_text(),
        },
    })
}

fn network(e: gloo_net::Error) -> ApiFailure {
    ApiFailure {
        status: 0,
        code: "network".into(),
        message: e.to_string(),
    }
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    decode(Request::get(url).send().await.map_err(network)?).await
}

/// `GET url?query`, the query string serialised from its typed struct
/// (fields left `None` are not sent).
pub(crate) async fn get_with<Q: Serialize, T: DeserializeOwned>(
    url: &str,
    query: &Q,
) -> Result<T, ApiFailure> {
    let query = serde_urlencoded::to_string(query).map_err(|e| ApiFailure {
        status: 0,
        code: "bad_query".into(),
        message: e.to_string(),
    })?;
    if query.is_empty() {
        get(url).await
    } else {
        get(&format!("{url}?{query}")).await
    }
}

pub(crate) async fn post<B: Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
) -> Result<T, ApiFailure> {
    let req = Request::post(url).json(body).map_err(network)?;
    decode(req.send().await.map_err(network)?).await
}

/// Health is readable even when unhealthy (503 carries the same body).
pub async fn health() -> Result<Health, ApiFailure> {
    let resp = Request::get("/api/v1/health")
        .send()
        .await
        .map_err(network)?;
    if resp.status() == 503 {
        return resp.json::<Health>().await.map_err(|e| ApiFailure {
            status: 503,
            code: "bad_response".into(),
            message: e.to_string(),
        });
    }
    decode(resp).await
}

/// Who is signed in to the console.
pub async fn session() -> Result<SessionInfo, ApiFailure> {
    get("/api/v1/session").await
}

/// The signed-in member's own page.
pub async fn me() -> Result<Me, ApiFailure> {
    get("/api/v1/me").await
}

/// Asks the admins for a seat (a second ask adds nothing).
pub async fn request_seat() -> Result<SeatRequested, ApiFailure> {
    let resp = Request::post("/api/v1/me/seat-request")
        .send()
        .await
        .map_err(network)?;
    decode(resp).await
}

pub async fn dev_login(login: &DevLogin) -> Result<SessionInfo, ApiFailure> {
    post("/auth/dev-login", login).await
}

pub async fn logout() -> Result<(), ApiFailure> {
    Request::post("/auth/logout")
        .send()
        .await
        .map_err(network)?;
    Ok(())
}

/// The signed `wx.agentConfig` for the page at `url` (WeCom's JS-SDK).
pub async fn agent_config(corp_id: &str, url: &str) -> Result<AgentConfig, ApiFailure> {
    let query = AgentConfigQuery {
        url: url.to_owned(),
    };
    get_with(
        &format!("/api/v1/corps/{corp_id}/jsapi/agent_config"),
        &query,
    )
    .await
}

pub async fn members(corp_id: &str, query: &MemberQuery) -> Result<Page<MemberItem>, ApiFailure> {
    get_with(&format!("/api/v1/corps/{corp_id}/members"), query).await
}

pub async fn audit(corp_id: &str, query: &AuditQuery) -> Result<Page<AuditItem>, ApiFailure> {
    get_with(&format!("/api/v1/corps/{corp_id}/audit"), query).await
}

pub async fn range(corp_id: &str) -> Result<RangeSummary, ApiFailure> {
    get(&format!("/api/v1/corps/{corp_id}/range")).await
}

pub async fn departments(corp_id: &str) -> Result<Vec<DepartmentNode>, ApiFailure> {
    get(&format!("/api/v1/corps/{corp_id}/departments")).await
}

pub async fn sync_status(corp_id: &str) -> Result<SyncStatus, ApiFailure> {
    get(&format!("/api/v1/corps/{corp_id}/sync")).await
}

pub async fn start_sync(corp_id: &str) -> Result<SyncStarted, ApiFailure> {
    let resp = Request::post(&format!("/api/v1/corps/{corp_id}/sync"))
        .send()
        .await
        .map_err(network)?;
    decode(resp).await
}

pub async fn trends(corp_id: &str) -> Result<domain::api::Trends, ApiFailure> {
    get(&format!("/api/v1/corps/{corp_id}/trends")).await
}

pub async fn summary(corp_id: &str) -> Result<Summary, ApiFailure> {
    get(&format!("/api/v1/corps/{corp_id}/summary")).await
}

pub async fn seats(corp_id: &str, query: &SeatQuery) -> Result<Page<SeatItem>, ApiFailure> {
    get_with(&format!("/api/v1/corps/{corp_id}/seats"), query).await
}

pub async fn orders(corp_id: &str) -> Result<Vec<OrderItem>, ApiFailure> {
    get::<Items<OrderItem>>(&format!("/api/v1/corps/{corp_id}/orders"))
        .await
        .map(|i| i.items)
}

pub async fn requests(corp_id: &str) -> Result<Vec<SeatRequest>, ApiFailure> {
    get::<Items<SeatRequest>>(&format!("/api/v1/corps/{corp_id}/requests"))
        .await
        .map(|i| i.items)
}

pub async fn suggestions(corp_id: &str) -> Result<Suggestions, ApiFailure> {
    get(&format!("/api/v1/corps/{corp_id}/suggestions")).await
}

pub async fn activate(
    corp_id: &str,
    request: &ActivateRequest,
) -> Result<ActionResults, ApiFailure> {
    post(&format!("/api/v1/corps/{corp_id}/seats/activate"), request).await
}

pub async fn transfer(
    corp_id: &str,
    request: &TransferRequest,
) -> Result<ActionResults, ApiFailure> {
    post(&format!("/api/v1/corps/{corp_id}/seats/transfer"), request).await
}

pub async fn set_idle_settings(
    corp_id: &str,
    request: &IdleSettings,
) -> Result<IdleSettings, ApiFailure> {
    post(&format!("/api/v1/corps/{corp_id}/idle_settings"), request).await
}

pub async fn ask_renewal(corp_id: &str, request: &RenewalAsk) -> Result<RenewalAsked, ApiFailure> {
    post(&format!("/api/v1/corps/{corp_id}/renewal_request"), request).await
}

pub async fn alerts(corp_id: &str) -> Result<Alerts, ApiFailure> {
    get(&format!("/api/v1/corps/{corp_id}/alerts")).await
}

pub async fn set_alerts(
    corp_id: &str,
    request: &AlertSettings,
) -> Result<AlertSettings, ApiFailure> {
    post(&format!("/api/v1/corps/{corp_id}/alerts"), request).await
}

pub async fn set_auto_activate(
    corp_id: &str,
    request: &AutoActivateRequest,
) -> Result<AutoActivate, ApiFailure> {
    post(&format!("/api/v1/corps/{corp_id}/auto_activate"), request).await
}

pub async fn events(corp_id: &str) -> Result<EventHealth, ApiFailure> {
    get(&format!("/api/v1/corps/{corp_id}/events")).await
}

pub async fn retry_events(corp_id: &str) -> Result<EventsRetried, ApiFailure> {
    /// The route takes no fields: `{}`.
    #[derive(Serialize)]
    struct Nothing {}
    post(
        &format!("/api/v1/corps/{corp_id}/events/retry"),
        &Nothing {},
    )
    .await
}

/// Ends every session of the organisation, the caller's too.
pub async fn revoke_sessions(corp_id: &str) -> Result<SessionsRevoked, ApiFailure> {
    let resp = Request::post(&format!("/api/v1/corps/{corp_id}/sessions/revoke"))
        .send()
        .await
        .map_err(network)?;
    decode(resp).await
}

pub async fn forecast(corp_id: &str, change: &ForecastRequest) -> Result<Forecast, ApiFailure> {
    post(&format!("/api/v1/corps/{corp_id}/forecast"), change).await
}
