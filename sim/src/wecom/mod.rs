//! WeCom's server API, the routes the worker calls (`/cgi-bin/*`), written
//! from WeCom's documentation: same shapes (the wire types of
//! `domain::wecom`), same errcodes, HTTP 200 with an `errcode` for errors.
//! `service` issues tokens and installs, `agent` lists the app's admins,
//! `contacts` answers what the app may see, `license` sells and binds
//! interface licenses.

mod activation;
mod agent;
mod contacts;
mod license;
mod orders;
mod service;

use crate::sim::Sim;
use crate::wire::{Reply, Req};

/// Answers a `/cgi-bin/*` route; `None` for any other path.
pub fn handle(sim: &Sim, req: &Req) -> Option<Reply> {
    let path = req.path.strip_prefix("/cgi-bin/")?;
    Some(if let Some(call) = path.strip_prefix("license/") {
        license::handle(sim, req, call)
    } else if let Some(call) = path.strip_prefix("agent/") {
        agent::handle(sim, req, call)
    } else if matches!(path.split('/').next(), Some("department" | "user" | "tag")) {
        contacts::handle(sim, req, path)
    } else {
        service::handle(sim, req, path)
    })
}
