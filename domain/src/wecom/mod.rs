//! WeCom's wire shapes: the JSON bodies of the server API calls we make,
//! shared by `edge`'s client (which sends requests and reads replies) and
//! `sim`'s server (which reads requests and writes replies), so a field name
//! cannot drift between the two. Field names are WeCom's, misspellings
//! included (`trail_info`, `list_actived_account`). `errcode`/`errmsg` are
//! read by the client and written by the server around these bodies.
//!
//! One file per part of WeCom's API: `numbered` (its numbered enums),
//! `service` (install, admins, sign-in), `contacts`, `license`, `message` (app messages), `union` (multi-organisation orders); the tokens
//! every call needs are here.

use serde::{Deserialize, Serialize};

mod contacts;
mod license;
mod message;
mod numbered;
mod service;
mod union;

pub use crate::seat::MONTH_DAYS;
pub use contacts::*;
pub use license::*;
pub use message::*;
pub use numbered::*;
pub use service::*;
pub use union::*;

/// `service/get_suite_token` body; a field left out matches no suite.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SuiteTokenRequest {
    pub suite_id: String,
    pub suite_secret: String,
    pub suite_ticket: String,
}

/// `service/get_suite_token` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteToken {
    pub suite_access_token: String,
    pub expires_in: u64,
}

/// `service/get_provider_token` body; a field left out matches no provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderTokenRequest {
    pub corpid: String,
    pub provider_secret: String,
}

/// `service/get_provider_token` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderToken {
    pub provider_access_token: String,
    pub expires_in: u64,
}

/// `service/get_corp_token` reply: the organisation's access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpToken {
    pub access_token: String,
    pub expires_in: u64,
}

/// `ticket/get?type=agent_config` (page 96909): the app's JS-SDK ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsapiTicket {
    pub ticket: String,
    pub expires_in: u64,
}

#[cfg(test)]
mod tests;
