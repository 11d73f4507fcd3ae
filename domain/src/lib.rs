//! The pure core of wecom-seats: WeCom's rules and the types `edge` and `app`
//! share. Nothing here does I/O, so every rule is tested on the host.

pub mod access;
pub mod alerts;
pub mod api;
pub mod cost;
pub mod crypto;
pub mod csrf;
pub mod csv;
pub mod event;
pub mod forecast;
pub mod ids;
pub mod jsapi;
pub mod placement;
pub mod range;
pub mod routes;
pub mod seal;
pub mod seat;
pub mod session;
pub mod signin;
pub mod trial;
pub mod wecom;
pub mod when;
