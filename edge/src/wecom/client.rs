//! The WeCom client: one typed POST/GET with errcode handling, and the
//! suite, provider and corp tokens cached in KV under a short lease.

use crate::clock::now_secs;
use crate::env::Config;
use crate::error::ApiError;
use crate::kv::Kv;
use domain::wecom::{
    CorpCredential, CorpToken, JsapiTicket, ProviderToken, ProviderTokenRequest, SuiteToken,
    SuiteTokenRequest,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::{Fetch, Headers, Method, Request, RequestInit, Url};

/// Refresh this long before a token expires.
const REFRESH_MARGIN_SECS: u64 = 300;
const LEASE_SECS: u64 = 60;
/// Token invalid or expired (WeCom's global errcode table, document/path/90313).
const TOKEN_ERRCODES: [i64; 4] = [40014, 42001, 42009, 40082];

#[derive(Debug, thiserror::Error)]
pub enum WeComError {
    #[error("WeCom errcode {errcode}: {errmsg}")]
    Api { errcode: i64, errmsg: String },
    #[error("WeCom unreachable: {0}")]
    Transport(String),
    #[error("no suite_ticket received from WeCom yet")]
    NoSuiteTicket,
}

/// "Too frequent": 45009 calls over the limit (blocked for the limit's
/// window), 45033 too many concurrent calls (90313). Work that meets one
/// waits and tries again rather than failing.
const RATE_LIMIT_ERRCODES: [i64; 2] = [45009, 45033];

impl From<WeComError> for ApiError {
    fn from(e: WeComError) -> Self {
        match &e {
            WeComError::Api { errcode, .. } if RATE_LIMIT_ERRCODES.contains(errcode) => {
                ApiError::new(503, "wecom_rate_limited", e.to_string())
            }
            _ => ApiError::new(502, "wecom_error", e.to_string()),
        }
    }
}

fn transport(e: impl std::fmt::Display) -> WeComError {
    WeComError::Transport(e.to_string())
}

/// The errcode and errmsg every WeCom answer carries.
#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

/// A body-less answer (`{"errcode":0,"errmsg":"ok"}`).
#[derive(Deserialize)]
pub(super) struct Done {}

#[derive(Serialize, Deserialize)]
struct CachedToken {
    token: String,
    expires_at: u64,
}

pub struct WeCom<'a> {
    pub(super) cfg: &'a Config,
    pub(super) kv: Kv,
}

thread_local! {
    /// Tokens this isolate read or made, with their expiry: a sync makes
    /// thousands of calls, and a storm of events one each, which must not
    /// read KV every time. A token WeCom refuses before its expiry (a
    /// reinstall, a reset) is refreshed by the call that met the refusal.
    static TOKENS: std::cell::RefCell<std::collections::HashMap<String, (String, u64)>> =
        Default::default();
}

/// A token of the isolate's that is good for longer than the refresh margin.
fn remembered(key: &str, now: u64) -> Option<String> {
    TOKENS.with(|t| {
        t.borrow()
            .get(key)
            .filter(|(_, expires_at)| *expires_at > now + REFRESH_MARGIN_SECS)
            .map(|(token, _)| token.clone())
    })
}

fn remember(key: &str, token: &str, expires_at: u64) {
    TOKENS.with(|t| {
        t.borrow_mut()
            .insert(key.to_owned(), (token.to_owned(), expires_at))
    });
}

/// Forgets the isolate's token under `key` (an uninstall).
pub fn forget(key: &str) {
    TOKENS.with(|t| t.borrow_mut().remove(key));
}

pub const SUITE_TICKET_KEY: &str = "wecom:suite_ticket";

pub fn corp_token_key(corp_id: &str) -> String {
    format!("corp:{corp_id}:token")
}

/// Under the organisation's prefix, so uninstalling removes it too.
fn agent_ticket_key(corp_id: &str) -> String {
    format!("corp:{corp_id}:agent_ticket")
}

impl<'a> WeCom<'a> {
    pub fn new(cfg: &'a Config, kv: Kv) -> Self {
        WeCom { cfg, kv }
    }

    async fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<R, WeComError> {
        let url = Url::parse_with_params(&format!("{}{path}", self.cfg.api_base), query)
            .map_err(transport)?;
        let mut init = RequestInit::new();
        init.with_method(method);
        if let Some(body) = body {
            let headers = Headers::new();
            headers
                .set("Content-Type", "application/json")
                .map_err(transport)?;
            let body = serde_json::to_string(body).map_err(transport)?;
            init.with_headers(headers).with_body(Some(body.into()));
        }
        let req = Request::new_with_init(url.as_str(), &init).map_err(transport)?;
        crate::meter::count(crate::meter::Spend::WeComCall);
        let mut resp = Fetch::Request(req).send().await.map_err(transport)?;
        let value: Value = resp.json().await.map_err(transport)?;
        let status: Status = serde_json::from_value(value.clone()).map_err(transport)?;
        match status.errcode {
            0 => serde_json::from_value(value).map_err(transport),
            errcode => Err(WeComError::Api {
                errcode,
                errmsg: status.errmsg,
            }),
        }
    }

    async fn cached(&self, key: &str) -> Option<CachedToken> {
        self.kv.get(key).json::<CachedToken>().await.ok().flatten()
    }

    pub(super) async fn store(
        &self,
        key: &str,
        token: &str,
        expires_in: u64,
    ) -> Result<(), WeComError> {
        let cached = CachedToken {
            token: token.to_owned(),
            expires_at: now_secs() + expires_in,
        };
        remember(key, token, cached.expires_at);
        // The token is good whether or not KV keeps it: a refused write
        // (another isolate stored a token this second; KV takes one write a
        // second to a key) only means the next isolate asks WeCom again.
        let stored = match self
            .kv
            .put(key, serde_json::to_string(&cached).map_err(transport)?)
        {
            Ok(put) => put.expiration_ttl(expires_in.max(60)).execute().await,
            Err(e) => Err(e),
        };
        if let Err(e) = stored {
            worker::console_error!("{key} not cached in KV: {e}");
        }
        Ok(())
    }

    /// A cached token, or `None` when it must be refreshed (taking the lease).
    async fn reuse_or_lease(&self, key: &str, force: bool) -> Option<String> {
        let now = now_secs();
        if force {
            forget(key);
        } else if let Some(t) = remembered(key, now) {
            return Some(t);
        }
        self.reuse_or_lease_kv(key, force, now).await
    }

    async fn reuse_or_lease_kv(&self, key: &str, force: bool, now: u64) -> Option<String> {
        let cached = self.cached(key).await;
        if let Some(c) = &cached {
            if !force && c.expires_at > now + REFRESH_MARGIN_SECS {
                remember(key, &c.token, c.expires_at);
                return Some(c.token.clone());
            }
        }
        let lease = format!("lease:{key}");
        if let Some(c) = &cached {
            let leased = matches!(self.kv.get(&lease).text().await, Ok(Some(_)));
            if !force && leased && c.expires_at > now {
                return Some(c.token.clone()); // someone else is refreshing
            }
        }
        if let Ok(put) = self.kv.put(&lease, "1") {
            let _ = put.expiration_ttl(LEASE_SECS).execute().await;
        }
        None
    }

    /// Ends a refresh: releases the lease, then stores and returns the
    /// token WeCom gave (with its `expires_in`).
    async fn keep_token(
        &self,
        key: &str,
        answer: Result<(String, u64), WeComError>,
    ) -> Result<String, WeComError> {
        self.release(key).await;
        let (token, expires_in) = answer?;
        if token.is_empty() {
            return Err(WeComError::Transport(format!(
                "WeCom answered {key} with an empty token"
            )));
        }
        self.store(key, &token, expires_in).await?;
        Ok(token)
    }

    async fn release(&self, key: &str) {
        let _ = self.kv.delete(&format!("lease:{key}")).await;
    }

    async fn suite_token(&self, force: bool) -> Result<String, WeComError> {
        const KEY: &str = "wecom:suite_token";
        if let Some(t) = self.reuse_or_lease(KEY, force).await {
            return Ok(t);
        }
        let ticket = self
            .kv
            .get(SUITE_TICKET_KEY)
            .text()
            .await
            .ok()
            .flatten()
            .ok_or(WeComError::NoSuiteTicket)?;
        let body = SuiteTokenRequest {
            suite_id: self.cfg.suite_id.clone(),
            suite_secret: self.cfg.suite_secret.clone(),
            suite_ticket: ticket,
        };
        let path = "/cgi-bin/service/get_suite_token";
        let result = self.call(Method::Post, path, &[], Some(&body)).await;
        let result = result.map(|t: SuiteToken| (t.suite_access_token, t.expires_in));
        self.keep_token(KEY, result).await
    }

    pub async fn provider_token(&self, force: bool) -> Result<String, WeComError> {
        const KEY: &str = "wecom:provider_token";
        if let Some(t) = self.reuse_or_lease(KEY, force).await {
            return Ok(t);
        }
        let body = ProviderTokenRequest {
            corpid: self.cfg.provider_corpid.clone(),
            provider_secret: self.cfg.provider_secret.clone(),
        };
        let path = "/cgi-bin/service/get_provider_token";
        let result = self.call(Method::Post, path, &[], Some(&body)).await;
        let result = result.map(|t: ProviderToken| (t.provider_access_token, t.expires_in));
        self.keep_token(KEY, result).await
    }

    /// A call authorised by the suite access token, retried once with a
    /// fresh token when WeCom says the token is bad.
    pub(super) async fn suite_call<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, WeComError> {
        let token = self.suite_token(false).await?;
        let query = [("suite_access_token", token.as_str())];
        match self.call(Method::Post, path, &query, Some(body)).await {
            Err(WeComError::Api { errcode, .. }) if TOKEN_ERRCODES.contains(&errcode) => {
                let token = self.suite_token(true).await?;
                let query = [("suite_access_token", token.as_str())];
                self.call(Method::Post, path, &query, Some(body)).await
            }
            other => other,
        }
    }

    /// A GET authorised by the suite access token (`query` after it),
    /// retried once with a fresh token when WeCom says the token is bad.
    pub(super) async fn suite_get<R: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<R, WeComError> {
        let call = |token: String| async move {
            let mut q: Vec<(&str, &str)> = vec![("suite_access_token", token.as_str())];
            q.extend_from_slice(query);
            self.call(Method::Get, path, &q, None::<&()>).await
        };
        match call(self.suite_token(false).await?).await {
            Err(WeComError::Api { errcode, .. }) if TOKEN_ERRCODES.contains(&errcode) => {
                call(self.suite_token(true).await?).await
            }
            other => other,
        }
    }

    /// A POST authorised by the provider access token passed as
    /// `access_token` (`service/get_login_info`), retried the same way.
    pub(super) async fn provider_post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, WeComError> {
        let token = self.provider_token(false).await?;
        let query = [("access_token", token.as_str())];
        match self.call(Method::Post, path, &query, Some(body)).await {
            Err(WeComError::Api { errcode, .. }) if TOKEN_ERRCODES.contains(&errcode) => {
                let token = self.provider_token(true).await?;
                let query = [("access_token", token.as_str())];
                self.call(Method::Post, path, &query, Some(body)).await
            }
            other => other,
        }
    }

    pub async fn refresh_tokens(&self) -> Result<(), WeComError> {
        self.suite_token(false).await?;
        if !self.cfg.provider_corpid.is_empty() {
            self.provider_token(false).await?;
        }
        Ok(())
    }

    /// The organisation's own access token, for its contacts API.
    pub async fn corp_token(
        &self,
        corp_id: &str,
        permanent_code: &str,
        force: bool,
    ) -> Result<String, WeComError> {
        let key = corp_token_key(corp_id);
        if let Some(t) = self.reuse_or_lease(&key, force).await {
            return Ok(t);
        }
        let body = CorpCredential {
            auth_corpid: corp_id.to_owned(),
            permanent_code: permanent_code.to_owned(),
        };
        let result = self
            .suite_call("/cgi-bin/service/get_corp_token", &body)
            .await;
        let result = result.map(|t: CorpToken| (t.access_token, t.expires_in));
        self.keep_token(&key, result).await
    }

    /// The app's JS-SDK ticket (`ticket/get?type=agent_config`, page 96909),
    /// kept in KV like a token: WeCom allows 100 fetches an hour per app.
    pub async fn agent_ticket(
        &self,
        corp_id: &str,
        permanent_code: &str,
    ) -> Result<String, WeComError> {
        let key = agent_ticket_key(corp_id);
        if let Some(t) = self.reuse_or_lease(&key, false).await {
            return Ok(t);
        }
        let query = [("type", "agent_config")];
        let result = self
            .corp_call(corp_id, permanent_code, "/cgi-bin/ticket/get", &query)
            .await;
        let result = result.map(|t: JsapiTicket| (t.ticket, t.expires_in));
        self.keep_token(&key, result).await
    }

    /// A GET with the organisation's access token, retried once with a
    /// fresh token when WeCom says it is invalid or expired.
    pub(super) async fn corp_call<R: DeserializeOwned>(
        &self,
        corp_id: &str,
        permanent_code: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<R, WeComError> {
        self.corp_request(
            corp_id,
            permanent_code,
            Method::Get,
            path,
            query,
            None::<&()>,
        )
        .await
    }

    /// A POST of `body` with the organisation's access token, retried the
    /// same way.
    pub(super) async fn corp_post<B: Serialize, R: DeserializeOwned>(
        &self,
        corp_id: &str,
        permanent_code: &str,
        path: &str,
        body: &B,
    ) -> Result<R, WeComError> {
        self.corp_request(corp_id, permanent_code, Method::Post, path, &[], Some(body))
            .await
    }

    async fn corp_request<B: Serialize, R: DeserializeOwned>(
        &self,
        corp_id: &str,
        permanent_code: &str,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<R, WeComError> {
        let call = |token: String| {
            let method = method.clone();
            async move {
                let mut q: Vec<(&str, &str)> = vec![("access_token", token.as_str())];
                q.extend_from_slice(query);
                self.call(method, path, &q, body).await
            }
        };
        let token = self.corp_token(corp_id, permanent_code, false).await?;
        match call(token).await {
            Err(WeComError::Api { errcode, .. }) if TOKEN_ERRCODES.contains(&errcode) => {
                call(self.corp_token(corp_id, permanent_code, true).await?).await
            }
            other => other,
        }
    }

    /// A `license/*` call with the provider token, retried once with a fresh
    /// token when WeCom says it is invalid or expired.
    pub(super) async fn license_call<B: Serialize, R: DeserializeOwned>(
        &self,
        name: &str,
        body: &B,
    ) -> Result<R, WeComError> {
        let path = format!("/cgi-bin/license/{name}");
        let token = self.provider_token(false).await?;
        let query = [("provider_access_token", token.as_str())];
        match self.call(Method::Post, &path, &query, Some(body)).await {
            Err(WeComError::Api { errcode, .. }) if TOKEN_ERRCODES.contains(&errcode) => {
                let token = self.provider_token(true).await?;
                let query = [("provider_access_token", token.as_str())];
                self.call(Method::Post, &path, &query, Some(body)).await
            }
            other => other,
        }
    }
}
