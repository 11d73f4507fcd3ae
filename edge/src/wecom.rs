//! WeCom server API client with a KV token cache.
//!
//! Tokens (suite, provider, each organisation's corp token) are cached in KV
//! until shortly before they expire. A short KV lease keeps concurrent
//! isolates from refreshing together; WeCom returns the same token while it
//! is valid, so a lost race only costs a call. An expired or invalid token
//! (40014, 42001, 42009) forces one refresh and one retry.

use crate::clock::now_secs;
use crate::config::Config;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use worker::{Fetch, Headers, KvStore, Method, Request, RequestInit, Url};

/// Refresh this long before a token expires.
const REFRESH_MARGIN_SECS: u64 = 300;
const LEASE_SECS: u64 = 60;
const TOKEN_ERRCODES: [i64; 4] = [40014, 42001, 42009, 40082];

#[derive(Debug)]
pub enum WeComError {
    Api { errcode: i64, errmsg: String },
    Transport(String),
    NoSuiteTicket,
}

impl std::fmt::Display for WeComError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WeComError::Api { errcode, errmsg } => write!(f, "WeCom errcode {errcode}: {errmsg}"),
            WeComError::Transport(e) => write!(f, "WeCom unreachable: {e}"),
            WeComError::NoSuiteTicket => f.write_str("no suite_ticket received from WeCom yet"),
        }
    }
}

impl From<WeComError> for ApiError {
    fn from(e: WeComError) -> Self {
        ApiError::new(502, "wecom_error", e.to_string())
    }
}

fn transport(e: impl std::fmt::Display) -> WeComError {
    WeComError::Transport(e.to_string())
}

#[derive(Serialize, Deserialize)]
struct CachedToken {
    token: String,
    expires_at: u64,
}

/// `auth_info.agent[].privilege`: the visible range.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Privilege {
    #[serde(default)]
    pub allow_party: Vec<u64>,
    #[serde(default)]
    pub allow_user: Vec<String>,
    #[serde(default)]
    pub allow_tag: Vec<u64>,
    #[serde(default)]
    pub extra_party: Vec<u64>,
    #[serde(default)]
    pub extra_user: Vec<String>,
    #[serde(default)]
    pub extra_tag: Vec<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Agent {
    pub agentid: u64,
    #[serde(default)]
    pub privilege: Privilege,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthInfo {
    #[serde(default)]
    pub agent: Vec<Agent>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthCorpInfo {
    pub corpid: String,
    #[serde(default)]
    pub corp_name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PermanentCode {
    pub permanent_code: String,
    pub auth_corp_info: AuthCorpInfo,
    pub auth_info: AuthInfo,
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub expires_in: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CorpAuth {
    pub auth_corp_info: AuthCorpInfo,
    pub auth_info: AuthInfo,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Admin {
    pub userid: String,
    #[serde(default)]
    pub auth_type: u8,
}

/// A department as `department/list` gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct WeDepartment {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub parentid: u64,
    #[serde(default)]
    pub order: u64,
}

/// A member as `user/list` and `user/get` give it: only departments inside
/// the app's range are listed.
#[derive(Debug, Clone, Deserialize)]
pub struct WeUser {
    pub userid: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub department: Vec<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WeTag {
    #[serde(default)]
    pub userlist: Vec<WeUser>,
    #[serde(default)]
    pub partylist: Vec<u64>,
}

/// `user/get` outcomes the sync tells apart.
pub enum UserLookup {
    Found(WeUser),
    /// 60111: no such member any more (deleted: departed).
    NotFound,
    /// 60011: exists, but outside the app's visible range.
    OutOfRange,
}

impl AuthInfo {
    /// Our app's agent (a suite may hold several; we have one).
    pub fn our_agent(&self) -> Option<&Agent> {
        self.agent.first()
    }
}

pub struct WeCom<'a> {
    cfg: &'a Config,
    kv: KvStore,
    /// Tokens already read in this request: a sync makes thousands of
    /// calls and must not read KV for each.
    memo: std::cell::RefCell<std::collections::HashMap<String, String>>,
}

pub const SUITE_TICKET_KEY: &str = "wecom:suite_ticket";

pub fn corp_token_key(corp_id: &str) -> String {
    format!("corp:{corp_id}:token")
}

impl<'a> WeCom<'a> {
    pub fn new(cfg: &'a Config, kv: KvStore) -> Self {
        WeCom {
            cfg,
            kv,
            memo: Default::default(),
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, WeComError> {
        let url = Url::parse_with_params(&format!("{}{path}", self.cfg.api_base), query)
            .map_err(transport)?;
        let mut init = RequestInit::new();
        init.with_method(method);
        if let Some(body) = body {
            let headers = Headers::new();
            headers
                .set("Content-Type", "application/json")
                .map_err(transport)?;
            init.with_headers(headers)
                .with_body(Some(body.to_string().into()));
        }
        let req = Request::new_with_init(url.as_str(), &init).map_err(transport)?;
        let mut resp = Fetch::Request(req).send().await.map_err(transport)?;
        let value: Value = resp.json().await.map_err(transport)?;
        match value.get("errcode").and_then(Value::as_i64).unwrap_or(0) {
            0 => Ok(value),
            errcode => Err(WeComError::Api {
                errcode,
                errmsg: value["errmsg"].as_str().unwrap_or_default().to_owned(),
            }),
        }
    }

    async fn cached(&self, key: &str) -> Option<CachedToken> {
        self.kv.get(key).json::<CachedToken>().await.ok().flatten()
    }

    async fn store(&self, key: &str, token: &str, expires_in: u64) -> Result<(), WeComError> {
        self.memo
            .borrow_mut()
            .insert(key.to_owned(), token.to_owned());
        let cached = CachedToken {
            token: token.to_owned(),
            expires_at: now_secs() + expires_in,
        };
        self.kv
            .put(key, serde_json::to_string(&cached).map_err(transport)?)
            .map_err(|e| transport(format!("{e:?}")))?
            .expiration_ttl(expires_in.max(60))
            .execute()
            .await
            .map_err(|e| transport(format!("{e:?}")))
    }

    /// A cached token, or `None` when it must be refreshed (taking the lease).
    async fn reuse_or_lease(&self, key: &str, force: bool) -> Option<String> {
        if force {
            self.memo.borrow_mut().remove(key);
        } else if let Some(t) = self.memo.borrow().get(key) {
            return Some(t.clone());
        }
        let token = self.reuse_or_lease_kv(key, force).await;
        if let Some(t) = &token {
            self.memo.borrow_mut().insert(key.to_owned(), t.clone());
        }
        token
    }

    async fn reuse_or_lease_kv(&self, key: &str, force: bool) -> Option<String> {
        let now = now_secs();
        let cached = self.cached(key).await;
        if let Some(c) = &cached {
            if !force && c.expires_at > now + REFRESH_MARGIN_SECS {
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

    /// Ends a refresh: releases the lease, then stores and returns the token
    /// WeCom gave under `field` (with its `expires_in`).
    async fn keep_token(
        &self,
        key: &str,
        answer: Result<Value, WeComError>,
        field: &str,
    ) -> Result<String, WeComError> {
        self.release(key).await;
        let v = answer?;
        let token = v[field].as_str().unwrap_or_default().to_owned();
        if token.is_empty() {
            return Err(WeComError::Transport(format!(
                "WeCom answered without {field}"
            )));
        }
        self.store(key, &token, v["expires_in"].as_u64().unwrap_or(7200))
            .await?;
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
        let body = json!({
            "suite_id": self.cfg.suite_id,
            "suite_secret": self.cfg.suite_secret,
            "suite_ticket": ticket,
        });
        let result = self
            .call(
                Method::Post,
                "/cgi-bin/service/get_suite_token",
                &[],
                Some(&body),
            )
            .await;
        self.keep_token(KEY, result, "suite_access_token").await
    }

    pub async fn provider_token(&self, force: bool) -> Result<String, WeComError> {
        const KEY: &str = "wecom:provider_token";
        if let Some(t) = self.reuse_or_lease(KEY, force).await {
            return Ok(t);
        }
        let body = json!({"corpid": self.cfg.provider_corpid, "provider_secret": self.cfg.provider_secret});
        let result = self
            .call(
                Method::Post,
                "/cgi-bin/service/get_provider_token",
                &[],
                Some(&body),
            )
            .await;
        self.keep_token(KEY, result, "provider_access_token").await
    }

    /// A call authorised by the suite access token, retried once with a
    /// fresh token when WeCom says the token is bad.
    async fn suite_call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, WeComError> {
        let token = self.suite_token(false).await?;
        match self
            .call(
                method.clone(),
                path,
                &[("suite_access_token", &token)],
                body,
            )
            .await
        {
            Err(WeComError::Api { errcode, .. }) if TOKEN_ERRCODES.contains(&errcode) => {
                let token = self.suite_token(true).await?;
                self.call(method, path, &[("suite_access_token", &token)], body)
                    .await
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

    pub async fn get_permanent_code(&self, auth_code: &str) -> Result<PermanentCode, WeComError> {
        let v = self
            .suite_call(
                Method::Post,
                "/cgi-bin/service/get_permanent_code",
                Some(&json!({"auth_code": auth_code})),
            )
            .await?;
        let code: PermanentCode = serde_json::from_value(v).map_err(transport)?;
        // The answer carries a corp token too; keep it rather than ask again.
        if let (Some(token), Some(ttl)) = (&code.access_token, code.expires_in) {
            self.store(&corp_token_key(&code.auth_corp_info.corpid), token, ttl)
                .await?;
        }
        Ok(code)
    }

    pub async fn get_auth_info(
        &self,
        corp_id: &str,
        permanent_code: &str,
    ) -> Result<CorpAuth, WeComError> {
        let v = self
            .suite_call(
                Method::Post,
                "/cgi-bin/service/get_auth_info",
                Some(&json!({"auth_corpid": corp_id, "permanent_code": permanent_code})),
            )
            .await?;
        serde_json::from_value(v).map_err(transport)
    }

    pub async fn get_admin_list(
        &self,
        corp_id: &str,
        agent_id: u64,
    ) -> Result<Vec<Admin>, WeComError> {
        let v = self
            .suite_call(
                Method::Post,
                "/cgi-bin/service/get_admin_list",
                Some(&json!({"auth_corpid": corp_id, "agentid": agent_id})),
            )
            .await?;
        serde_json::from_value(v["admin"].clone()).map_err(transport)
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
        let result = self
            .suite_call(
                Method::Post,
                "/cgi-bin/service/get_corp_token",
                Some(&json!({"auth_corpid": corp_id, "permanent_code": permanent_code})),
            )
            .await;
        self.keep_token(&key, result, "access_token").await
    }

    /// A call with the organisation's access token, retried once with a
    /// fresh token when WeCom says it is invalid or expired.
    async fn corp_call(
        &self,
        corp_id: &str,
        permanent_code: &str,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Value, WeComError> {
        let call = |token: String| async move {
            let mut q: Vec<(&str, &str)> = vec![("access_token", token.as_str())];
            q.extend_from_slice(query);
            self.call(Method::Get, path, &q, None).await
        };
        let token = self.corp_token(corp_id, permanent_code, false).await?;
        match call(token).await {
            Err(WeComError::Api { errcode, .. }) if TOKEN_ERRCODES.contains(&errcode) => {
                call(self.corp_token(corp_id, permanent_code, true).await?).await
            }
            other => other,
        }
    }

    pub async fn department_list(
        &self,
        corp_id: &str,
        code: &str,
    ) -> Result<Vec<WeDepartment>, WeComError> {
        let v = self
            .corp_call(corp_id, code, "/cgi-bin/department/list", &[])
            .await?;
        serde_json::from_value(v["department"].clone()).map_err(transport)
    }

    /// Direct members of one department.
    pub async fn user_list(
        &self,
        corp_id: &str,
        code: &str,
        department_id: u64,
    ) -> Result<Vec<WeUser>, WeComError> {
        let id = department_id.to_string();
        let v = self
            .corp_call(
                corp_id,
                code,
                "/cgi-bin/user/list",
                &[("department_id", &id)],
            )
            .await?;
        serde_json::from_value(v["userlist"].clone()).map_err(transport)
    }

    pub async fn user_get(
        &self,
        corp_id: &str,
        code: &str,
        userid: &str,
    ) -> Result<UserLookup, WeComError> {
        match self
            .corp_call(corp_id, code, "/cgi-bin/user/get", &[("userid", userid)])
            .await
        {
            Ok(v) => Ok(UserLookup::Found(
                serde_json::from_value(v).map_err(transport)?,
            )),
            Err(WeComError::Api { errcode: 60111, .. }) => Ok(UserLookup::NotFound),
            Err(WeComError::Api { errcode: 60011, .. }) => Ok(UserLookup::OutOfRange),
            Err(e) => Err(e),
        }
    }

    pub async fn tag_get(
        &self,
        corp_id: &str,
        code: &str,
        tag_id: u64,
    ) -> Result<WeTag, WeComError> {
        let id = tag_id.to_string();
        let v = self
            .corp_call(corp_id, code, "/cgi-bin/tag/get", &[("tagid", &id)])
            .await?;
        serde_json::from_value(v).map_err(transport)
    }

    /// A `license/*` call with the provider token, retried once with a fresh
    /// token when WeCom says it is invalid or expired.
    pub async fn license_call(&self, path: &str, body: &Value) -> Result<Value, WeComError> {
        let path = format!("/cgi-bin/license/{path}");
        let token = self.provider_token(false).await?;
        match self
            .call(
                Method::Post,
                &path,
                &[("provider_access_token", &token)],
                Some(body),
            )
            .await
        {
            Err(WeComError::Api { errcode, .. }) if TOKEN_ERRCODES.contains(&errcode) => {
                let token = self.provider_token(true).await?;
                self.call(
                    Method::Post,
                    &path,
                    &[("provider_access_token", &token)],
                    Some(body),
                )
                .await
            }
            other => other,
        }
    }
}
