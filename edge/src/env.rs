//! Configuration and bindings (DESIGN §3), read one way: every setting is a
//! Worker secret or a plain var ([`value`]), the development switch is
//! [`dev_mode`], and KV is opened through [`kv`] (D1: `shard`, which
//! picks the organisation's database).

use crate::error::ApiError;
use crate::kv::Kv;
use worker::Env;

/// Git sha when the build knew it, else the crate version.
pub const VERSION: &str = match option_env!("WECOM_SEATS_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

#[derive(Clone)]
pub struct Config {
    pub api_base: String,
    pub suite_id: String,
    pub suite_secret: String,
    pub suite_token: String,
    pub suite_aes_key: String,
    pub provider_corpid: String,
    pub provider_secret: String,
    /// The system event URL's keys (通用开发参数); empty when unset, and
    /// that URL then refuses every callback.
    pub provider_token: String,
    pub provider_aes_key: String,
    /// 0 turns the timestamp check off.
    pub max_skew_secs: u64,
    /// Where WeCom's web login lives (`WECOM_LOGIN_BASE`: its QR page
    /// `/wwopen/sso/3rd_qrConnect`); sim plays it locally.
    pub login_base: String,
    /// Where WeCom's OAuth lives (`WECOM_OAUTH_BASE`:
    /// `/connect/oauth2/authorize`); sim plays it locally.
    pub oauth_base: String,
    /// Where WeCom's newer web login lives (`WECOM_WEB_LOGIN_BASE`:
    /// `/wwlogin/sso/login`, document/path/98171).
    pub web_login_base: String,
    /// The admin's sign-in `/auth/login` starts (`WECOM_LOGIN`): `qr`
    /// (default) or `web`.
    pub login: AdminLogin,
    /// Key material for secrets at rest: `DATA_SECRET` (required).
    pub data_secret: Vec<u8>,
    /// The provider's operators (`OPERATOR_USERIDS`, userids of
    /// `PROVIDER_CORPID`'s members, separated by commas): who may sign in
    /// to the desk. Empty: nobody.
    pub operator_userids: Vec<String>,
    /// Where the console is served (`CONSOLE_URL`, e.g.
    /// `https://seats.example.com`): alerts inside WeCom link to its pages.
    /// Empty: no alert is sent.
    pub console_url: String,
}

impl Config {
    /// Whether this member of this organisation is one of the provider's
    /// operators now (the list is read at every request, so taking a name
    /// off it ends that operator's sessions).
    pub fn is_operator(&self, corp_id: &str, userid: &str) -> bool {
        domain::session::is_operator(
            &self.provider_corpid,
            &self.operator_userids,
            corp_id,
            userid,
        )
    }
}

/// Which of WeCom's two web logins an admin is sent to (DESIGN §2):
/// the third-party QR login (`3rd_qrConnect`, redeemed with
/// `get_login_info`, which also says whether the user is an admin; needs
/// the provider console's 登录授权发起域名 and 授权完成回调域名), or the newer
/// web login (`wwlogin/sso/login?login_type=ServiceApp`, redeemed with
/// `service/auth/getuserinfo3rd`, pages 98171 and 98179; needs the login
/// authorisation's trusted domain). The newer one says nothing of admin
/// rights, so WeCom's admin list alone decides there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminLogin {
    Qr,
    Web,
}

/// A value set either as a secret or as a plain var.
pub fn value(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
}

/// A value that must be set and non-empty.
pub fn required(env: &Env, name: &str) -> Result<String, ApiError> {
    value(env, name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::internal(format!("{name} is not configured")))
}

/// A whole-number setting, or its default when unset or unreadable.
pub fn setting(env: &Env, name: &str, default: u64) -> u64 {
    value(env, name)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Local development and tests only (`DEV_LOGIN=1`): the dev login, the
/// dev clock and the `/api/v1/dev/*` routes, all of them compiled only
/// with the `dev` feature. Never set in production.
#[cfg(feature = "dev")]
pub fn dev_mode(env: &Env) -> bool {
    value(env, "DEV_LOGIN").as_deref() == Some("1")
}

/// KV, through the door every write takes (`kv`).
pub fn kv(env: &Env) -> Result<Kv, ApiError> {
    Ok(Kv::new(env.kv("KV")?))
}

thread_local! {
    /// The configuration as first read by this isolate: vars and secrets
    /// are fixed for an isolate's life (a new deployment or a changed
    /// secret starts new isolates), and reading them is a dozen calls into
    /// JavaScript on every callback.
    static CONFIG: std::cell::RefCell<Option<Config>> = const { std::cell::RefCell::new(None) };
}

impl Config {
    /// The Worker's configuration, read once per isolate; a misconfigured
    /// one is refused on every call (and read again, until it is fixed).
    pub fn from_env(env: &Env) -> Result<Config, ApiError> {
        if let Some(cfg) = CONFIG.with(|c| c.borrow().clone()) {
            return Ok(cfg);
        }
        let cfg = Config::read(env)?;
        CONFIG.with(|c| *c.borrow_mut() = Some(cfg.clone()));
        Ok(cfg)
    }

    fn read(env: &Env) -> Result<Config, ApiError> {
        let max_skew_secs = match value(env, "CALLBACK_MAX_SKEW_SECS") {
            None => 300,
            Some(v) => v.trim().parse().map_err(|_| {
                ApiError::internal("CALLBACK_MAX_SKEW_SECS must be a whole number of seconds")
            })?,
        };
        let data_secret = data_secret(value(env, "DATA_SECRET"))?;
        let key = |name| value(env, name).filter(|k| !k.is_empty());
        domain::session::check_api_keys(
            key("ACCESS_API_KEY").as_deref(),
            key("OPERATOR_API_KEY").as_deref(),
        )
        .map_err(ApiError::internal)?;
        let base = |name: &str, default: &str| {
            value(env, name)
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.into())
                .trim_end_matches('/')
                .to_owned()
        };
        Ok(Config {
            api_base: base("WECOM_API_BASE", "https://qyapi.weixin.qq.com"),
            login_base: base("WECOM_LOGIN_BASE", "https://open.work.weixin.qq.com"),
            oauth_base: base("WECOM_OAUTH_BASE", "https://open.weixin.qq.com"),
            web_login_base: base("WECOM_WEB_LOGIN_BASE", "https://login.work.weixin.qq.com"),
            login: match value(env, "WECOM_LOGIN").as_deref().map(str::trim) {
                None | Some("") | Some("qr") => AdminLogin::Qr,
                Some("web") => AdminLogin::Web,
                Some(other) => {
                    return Err(ApiError::internal(format!(
                        "WECOM_LOGIN must be qr or web, not {other:?}"
                    )))
                }
            },
            suite_id: required(env, "SUITE_ID")?,
            suite_secret: required(env, "SUITE_SECRET")?,
            suite_token: required(env, "SUITE_TOKEN")?,
            suite_aes_key: required(env, "SUITE_ENCODING_AES_KEY")?,
            provider_corpid: value(env, "PROVIDER_CORPID").unwrap_or_default(),
            provider_secret: value(env, "PROVIDER_SECRET").unwrap_or_default(),
            provider_token: value(env, "PROVIDER_TOKEN").unwrap_or_default(),
            provider_aes_key: value(env, "PROVIDER_ENCODING_AES_KEY").unwrap_or_default(),
            max_skew_secs,
            data_secret,
            operator_userids: value(env, "OPERATOR_USERIDS")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect(),
            console_url: value(env, "CONSOLE_URL")
                .unwrap_or_default()
                .trim()
                .trim_end_matches('/')
                .to_owned(),
        })
    }
}

/// Why the Worker refuses to start without a usable `DATA_SECRET`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DataSecretRefused {
    /// Permanent codes are sealed with `DATA_SECRET` alone: with
    /// `SESSION_SECRET` standing in, rotating that one after a leak would
    /// lose every organisation's permanent code.
    #[error("DATA_SECRET is not set; it alone seals permanent codes (README \"Deploy\")")]
    Missing,
    #[error("DATA_SECRET is too short to seal permanent codes with: {0}")]
    Short(domain::seal::ShortSecret),
}

impl From<DataSecretRefused> for ApiError {
    fn from(e: DataSecretRefused) -> ApiError {
        worker::console_error!("refusing to start: {e}");
        ApiError::new(
            500,
            "misconfigured",
            format!(
                "DATA_SECRET must be set, at least {} bytes",
                domain::seal::MIN_SECRET_BYTES
            ),
        )
    }
}

/// The key material for secrets at rest: `DATA_SECRET`, required and at
/// least [`domain::seal::MIN_SECRET_BYTES`] long, so a worker never seals
/// a permanent code with a weak secret or with the session secret.
fn data_secret(data_secret: Option<String>) -> Result<Vec<u8>, DataSecretRefused> {
    let secret = data_secret
        .filter(|v| !v.is_empty())
        .ok_or(DataSecretRefused::Missing)?;
    domain::seal::check_secret(secret.as_bytes()).map_err(DataSecretRefused::Short)?;
    Ok(secret.into_bytes())
}

/// Fresh random bytes from the platform CSPRNG.
pub fn random<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut buf = [0u8; N];
    getrandom::getrandom(&mut buf)
        .map_err(|e| ApiError::internal(format!("no randomness: {e}")))?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::seal::ShortSecret;

    #[test]
    fn a_missing_or_empty_data_secret_is_refused_whatever_else_is_set() {
        for unset in [None, Some(String::new())] {
            assert_eq!(data_secret(unset), Err(DataSecretRefused::Missing));
        }
    }

    #[test]
    fn a_short_data_secret_is_refused() {
        assert_eq!(
            data_secret(Some("d".repeat(31))),
            Err(DataSecretRefused::Short(ShortSecret(31)))
        );
    }

    #[test]
    fn a_long_enough_data_secret_is_the_key_material() {
        assert_eq!(
            data_secret(Some("d".repeat(32))),
            Ok("d".repeat(32).into_bytes())
        );
    }
}
