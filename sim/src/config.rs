//! Command-line flags and the configuration variables shared with the worker.

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    /// Where callbacks are pushed (the worker's base URL).
    pub worker: String,
    pub suite_id: String,
    pub suite_secret: String,
    pub suite_token: String,
    pub suite_aes_key: String,
    pub provider_corpid: String,
    pub provider_secret: String,
    /// The provider's system event URL keys (通用开发参数).
    pub provider_token: String,
    pub provider_aes_key: String,
    /// Where WeCom's state persists between runs (none: in memory only).
    pub state_file: Option<String>,
    /// The suite's trusted domain (可信域名) and web-login callback domain
    /// (授权回调域): a sign-in may only send the browser back to this host
    /// (with its port). By default the worker's.
    pub trusted_domain: String,
}

/// The host (and port) of a URL, as a redirect domain is compared.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or("").to_owned()
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(format!("{name} must be set (see .dev.vars)"))
}

impl Config {
    pub fn from_args_and_env(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
        let mut config = Config {
            listen: "127.0.0.1:9101".into(),
            worker: "http://127.0.0.1:8787".into(),
            suite_id: env("SUITE_ID")?,
            suite_secret: env("SUITE_SECRET")?,
            suite_token: env("SUITE_TOKEN")?,
            suite_aes_key: env("SUITE_ENCODING_AES_KEY")?,
            provider_corpid: env("PROVIDER_CORPID")?,
            provider_secret: env("PROVIDER_SECRET")?,
            provider_token: env("PROVIDER_TOKEN")?,
            provider_aes_key: env("PROVIDER_ENCODING_AES_KEY")?,
            state_file: None,
            trusted_domain: String::new(),
        };
        while let Some(flag) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match flag.as_str() {
                "--listen" => config.listen = value("--listen")?,
                "--worker" => config.worker = value("--worker")?.trim_end_matches('/').to_owned(),
                "--state" => config.state_file = Some(value("--state")?),
                "--trusted-domain" => config.trusted_domain = value("--trusted-domain")?,
                "--help" | "-h" => {
                    return Err("usage: sim [--listen ADDR] [--worker URL] [--state FILE] [--trusted-domain HOST:PORT]".into());
                }
                other => return Err(format!("unknown flag {other}")),
            }
        }
        if config.trusted_domain.is_empty() {
            config.trusted_domain = host_of(&config.worker);
        }
        Ok(config)
    }
}
