//! Command-line flags and the shared configuration variables.

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    /// Where callbacks are pushed (the worker's base URL).
    pub worker: String,
}

impl Config {
    pub fn from_args_and_env(mut args: impl Iterator<Item = String>) -> Result<Config, String> {
        let mut config = Config {
            listen: "127.0.0.1:9101".into(),
            worker: "http://127.0.0.1:8787".into(),
        };
        while let Some(flag) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match flag.as_str() {
                "--listen" => config.listen = value("--listen")?,
                "--worker" => config.worker = value("--worker")?,
                "--help" | "-h" => {
                    return Err("usage: sim [--listen ADDR] [--worker URL]".into());
                }
                other => return Err(format!("unknown flag {other}")),
            }
        }
        Ok(config)
    }
}
