//! Sends each request to the room that answers it: WeCom's server API
//! (`/cgi-bin/*`), its sign-in pages (`sso`), or the simulator's own control
//! routes (`/_sim/*`), and
//! saves WeCom's state after anything but a GET.

use crate::sim::Sim;
use crate::wire::{Reply, Req};
use crate::{control, sso, wecom};
use serde_json::json;

pub fn handle(sim: &Sim, req: &Req) -> Reply {
    let reply = dispatch(sim, req);
    if req.method != "GET" {
        sim.save();
    }
    reply
}

fn dispatch(sim: &Sim, req: &Req) -> Reply {
    wecom::handle(sim, req)
        .or_else(|| sso::handle(sim, req))
        .or_else(|| control::handle(sim, req))
        .unwrap_or_else(|| {
            let errmsg = format!("no such route {} {}", req.method, req.path);
            Reply::json(404, &json!({"errcode": 404, "errmsg": errmsg}))
        })
}
