//! Seats (interface licenses): `actions` an admin takes under WeCom's
//! rules, the `mirror` of what WeCom says, and the console `routes`.

pub mod actions;
pub mod mirror;
pub mod routes;
