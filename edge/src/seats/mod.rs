//! Seats (interface licenses): `actions` an admin takes under WeCom's
//! rules, the `mirror` of what WeCom says, the console `routes`, and
//! `idle` seats moving by themselves each night.

pub mod actions;
pub mod idle;
pub mod mirror;
pub mod routes;
