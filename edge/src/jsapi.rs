//! WeCom's JS-SDK for the console: signs `wx.agentConfig` so a page inside
//! WeCom may render members' real names with `<ww-open-data>` (the API
//! gives third-party apps only userids).

use crate::clock::now_secs;
use crate::corp;
use crate::env::random;
use crate::error::ApiError;
use crate::http::{Admin, Json, Query};
use domain::api::{AgentConfig, AgentConfigQuery};
use domain::crypto::hex;
use domain::jsapi::{own_page_url, signature};

/// `GET /api/v1/corps/{corp_id}/jsapi/agent_config?url=`: the signed
/// config for the page at `url`, a page of our own origin (400 otherwise).
pub async fn agent_config(
    a: Admin,
    Query(q): Query<AgentConfigQuery>,
) -> Result<Json<AgentConfig>, ApiError> {
    let url = own_page_url(&q.url, &a.origin).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let cfg = a.config()?;
    let corp = corp::open_installed(&a.env, &cfg, a.corp_id()).await?;
    let ticket = corp
        .wecom
        .agent_ticket(a.corp_id(), &corp.permanent_code)
        .await?;
    let nonce_str = hex(&random::<8>()?);
    let timestamp = now_secs();
    Ok(Json(AgentConfig {
        corp_id: a.corp_id().to_owned(),
        agent_id: corp.agent_id,
        timestamp,
        signature: signature(&ticket, &nonce_str, timestamp, url),
        nonce_str,
        url: url.to_owned(),
    }))
}
