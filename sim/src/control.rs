//! The simulator's own routes (`/_sim/*`) and the dispatch of every request.

use crate::config::Config;
use crate::http::{Reply, Req};
use serde_json::json;

pub struct Sim {
    pub config: Config,
    started_at: std::time::Instant,
}

impl Sim {
    pub fn new(config: Config) -> Sim {
        Sim {
            config,
            started_at: std::time::Instant::now(),
        }
    }

    pub fn handle(&self, req: &Req) -> Reply {
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/_sim/health") => Reply::json(
                200,
                &json!({
                    "ok": true,
                    "uptime_secs": self.started_at.elapsed().as_secs(),
                    "worker": self.config.worker,
                }),
            ),
            _ => Reply::json(
                404,
                &json!({"errcode": 404, "errmsg": format!("no such route {} {}", req.method, req.path)}),
            ),
        }
    }
}
