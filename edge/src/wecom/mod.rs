//! WeCom server API client with a KV token cache. The calls themselves are
//! grouped by WeCom's own API families: `service` (install, auth info),
//! `agent` (the app's admins), `contacts` (departments, members, tags), `license`
//! (interface licenses), `buying` (orders placed and paid) and `login` (who signed in); every body and reply is a `domain::wecom` type.
//!
//! Tokens (suite, provider, each organisation's corp token) are cached in KV
//! until shortly before they expire. A short KV lease keeps concurrent
//! isolates from refreshing together; WeCom returns the same token while it
//! is valid, so a lost race only costs a call. An expired or invalid token
//! (40014, 42001, 42009, 40082) forces one refresh and one retry.

mod agent;
mod buying;
mod client;
mod contacts;
mod license;
mod login;
mod service;

pub use buying::{BUY_LIST_MAX, RENEW_LIST_MAX};
pub use client::{corp_token_key, forget as forget_token, WeCom, WeComError};
pub use contacts::UserLookup;
pub use license::ORDER_WINDOW_SECS;
pub use login::INVALID_CODE;
