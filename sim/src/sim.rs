//! The simulator itself: its configuration and WeCom's state behind one
//! lock, saved to the state file after every change. Every handler gets a
//! `&Sim`; nothing here knows about routes.

use crate::config::Config;
use crate::state::State;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

pub struct Sim {
    pub config: Config,
    state: Mutex<State>,
    started_at: std::time::Instant,
    /// How often each server API (`/cgi-bin/` path) was called since start,
    /// so tests can show what reached WeCom (`GET /_sim/calls`).
    calls: Mutex<BTreeMap<String, u64>>,
}

impl Sim {
    /// Starts from the state file when there is a readable one.
    pub fn new(config: Config) -> Sim {
        let state = config
            .state_file
            .as_deref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Sim {
            config,
            state: Mutex::new(state),
            started_at: std::time::Instant::now(),
            calls: Mutex::new(BTreeMap::new()),
        }
    }

    /// Counts one call of the server API `path`.
    pub fn count_call(&self, path: &str) {
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        *calls.entry(path.to_owned()).or_default() += 1;
    }

    /// Calls of each server API since start.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// WeCom's state; a panic in another handler does not lock it for good.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// WeCom's clock (the wall clock plus the offset tests set).
    pub fn now(&self) -> u64 {
        self.state().now()
    }

    pub fn uptime_secs(&self) -> u64 {
        self.started_at.elapsed().as_secs()
    }

    /// Writes the state file (atomically) when one is configured.
    pub fn save(&self) {
        let Some(path) = &self.config.state_file else {
            return;
        };
        let json = match serde_json::to_vec(&*self.state()) {
            Ok(j) => j,
            Err(e) => return eprintln!("sim: cannot serialise state: {e}"),
        };
        let tmp = format!("{path}.tmp");
        if let Err(e) = std::fs::write(&tmp, json).and_then(|_| std::fs::rename(&tmp, path)) {
            eprintln!("sim: cannot save state to {path}: {e}");
        }
    }
}

#[cfg(test)]
impl Sim {
    /// A simulator for unit tests: fixed credentials, no state file, and a
    /// worker address nothing listens on.
    pub fn for_tests() -> Sim {
        Sim::new(Config {
            listen: "127.0.0.1:0".into(),
            worker: "http://127.0.0.1:9".into(),
            suite_id: "wwsuite".into(),
            suite_secret: "suite-secret".into(),
            suite_token: "QDG6eK".into(),
            suite_aes_key: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C".into(),
            provider_corpid: "wwprovider".into(),
            provider_secret: "provider-secret".into(),
            provider_token: "ProviderTok".into(),
            provider_aes_key: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG".into(),
            state_file: None,
            trusted_domain: "127.0.0.1:9".into(),
        })
    }
}
