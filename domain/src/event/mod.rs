//! WeCom callback XML → typed events (DESIGN §2).
//!
//! Parsing is two steps: serde reads the flat `<xml>` into [`RawXml`] (every
//! field optional), then [`CommandEvent::parse`] / [`DataEvent::parse`] check
//! what each kind needs. Unknown kinds are kept with their raw XML.
//! DTDs and entity declarations are refused outright; bodies are capped.
//!
//! One file per callback URL: `command` (suite), `data`, `system`
//! (provider); the envelope, the raw fields and their readers are here.

use crate::wecom::RefundOutcome;
use serde::Deserialize;

mod command;
mod data;
mod system;

pub use command::*;
pub use data::*;
pub use system::*;

/// Largest callback body we read (WeCom's are a few KiB).
pub const MAX_CALLBACK_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("body is larger than {MAX_CALLBACK_BYTES} bytes")]
    TooLarge,
    #[error("DTDs and entity declarations are not accepted")]
    Dtd,
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("missing field {0}")]
    Missing(&'static str),
    #[error("field {0} is not a number")]
    NotNumber(&'static str),
}

fn guard(xml: &str) -> Result<(), EventError> {
    if xml.len() > MAX_CALLBACK_BYTES {
        return Err(EventError::TooLarge);
    }
    let upper = xml.to_ascii_uppercase();
    if upper.contains("<!DOCTYPE") || upper.contains("<!ENTITY") {
        return Err(EventError::Dtd);
    }
    Ok(())
}

fn parse_raw<T: for<'de> Deserialize<'de>>(xml: &str) -> Result<T, EventError> {
    guard(xml)?;
    quick_xml::de::from_str(xml).map_err(|e| EventError::Malformed(e.to_string()))
}

/// The POST envelope: `<xml><ToUserName/><Encrypt/><AgentID/></xml>`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Envelope {
    #[serde(rename = "ToUserName", default)]
    pub to_user_name: Option<String>,
    #[serde(rename = "Encrypt")]
    pub encrypt: String,
    #[serde(rename = "AgentID", default)]
    pub agent_id: Option<String>,
}

impl Envelope {
    pub fn parse(xml: &str) -> Result<Envelope, EventError> {
        let env: Envelope = parse_raw(xml).map_err(|e| match e {
            EventError::Malformed(m) if m.contains("Encrypt") => EventError::Missing("Encrypt"),
            other => other,
        })?;
        if env.encrypt.trim().is_empty() {
            return Err(EventError::Missing("Encrypt"));
        }
        Ok(env)
    }
}

/// One account of an `auto_activate` callback.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ActivatedAccount {
    #[serde(rename = "ActiveCode")]
    pub active_code: String,
    #[serde(rename = "Type")]
    pub account_type: u8,
    #[serde(rename = "ExpireTime")]
    pub expire_time: u64,
    #[serde(rename = "UserId")]
    pub userid: String,
    #[serde(rename = "PreviousStatus", default)]
    pub previous_status: Option<u8>,
    #[serde(rename = "PreviousActiveCode", default)]
    pub previous_active_code: Option<String>,
}

/// Every field any callback may carry; all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawXml {
    #[serde(rename = "SuiteId")]
    suite_id: Option<String>,
    #[serde(rename = "ServiceCorpId")]
    service_corp_id: Option<String>,
    #[serde(rename = "InfoType")]
    info_type: Option<String>,
    #[serde(rename = "TimeStamp")]
    timestamp: Option<String>,
    #[serde(rename = "SuiteTicket")]
    suite_ticket: Option<String>,
    #[serde(rename = "AuthCode")]
    auth_code: Option<String>,
    #[serde(rename = "State")]
    state: Option<String>,
    #[serde(rename = "AuthCorpId")]
    auth_corp_id: Option<String>,
    #[serde(rename = "ChangeType")]
    change_type: Option<String>,
    #[serde(rename = "UserID")]
    userid: Option<String>,
    #[serde(rename = "NewUserID")]
    new_userid: Option<String>,
    #[serde(rename = "OpenUserID")]
    open_userid: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Department")]
    department: Option<String>,
    #[serde(rename = "MainDepartment")]
    main_department: Option<String>,
    #[serde(rename = "IsLeaderInDept")]
    is_leader_in_dept: Option<String>,
    #[serde(rename = "DirectLeader")]
    direct_leader: Option<String>,
    #[serde(rename = "Position")]
    position: Option<String>,
    #[serde(rename = "Mobile")]
    mobile: Option<String>,
    #[serde(rename = "Gender")]
    gender: Option<String>,
    #[serde(rename = "Email")]
    email: Option<String>,
    #[serde(rename = "Status")]
    status: Option<String>,
    #[serde(rename = "Avatar")]
    avatar: Option<String>,
    #[serde(rename = "Alias")]
    alias: Option<String>,
    #[serde(rename = "Telephone")]
    telephone: Option<String>,
    #[serde(rename = "Id")]
    id: Option<String>,
    #[serde(rename = "ParentId")]
    parent_id: Option<String>,
    #[serde(rename = "Order")]
    order: Option<String>,
    #[serde(rename = "TagId")]
    tag_id: Option<String>,
    #[serde(rename = "AddUserItems")]
    add_user_items: Option<String>,
    #[serde(rename = "DelUserItems")]
    del_user_items: Option<String>,
    #[serde(rename = "AddPartyItems")]
    add_party_items: Option<String>,
    #[serde(rename = "DelPartyItems")]
    del_party_items: Option<String>,
    #[serde(rename = "OrderId")]
    order_id: Option<String>,
    #[serde(rename = "BuyerUserId")]
    buyer_userid: Option<String>,
    #[serde(rename = "OrderStatus")]
    order_status: Option<String>,
    #[serde(rename = "Scene")]
    scene: Option<String>,
    #[serde(rename = "AccountList")]
    account_list: Vec<ActivatedAccount>,
    // Data callbacks.
    #[serde(rename = "ToUserName")]
    to_user_name: Option<String>,
    #[serde(rename = "FromUserName")]
    from_user_name: Option<String>,
    #[serde(rename = "CreateTime")]
    create_time: Option<String>,
    #[serde(rename = "MsgType")]
    msg_type: Option<String>,
    #[serde(rename = "Event")]
    event: Option<String>,
    #[serde(rename = "EventKey")]
    event_key: Option<String>,
    #[serde(rename = "AgentID")]
    agent_id: Option<String>,
}

fn need(v: Option<String>, name: &'static str) -> Result<String, EventError> {
    v.map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or(EventError::Missing(name))
}

fn number<T: std::str::FromStr>(v: Option<String>, name: &'static str) -> Result<T, EventError> {
    need(v, name)?
        .parse()
        .map_err(|_| EventError::NotNumber(name))
}

fn opt_number<T: std::str::FromStr>(
    v: Option<String>,
    name: &'static str,
) -> Result<Option<T>, EventError> {
    match v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| EventError::NotNumber(name)),
    }
}

/// "1,2,3" → [1, 2, 3]; WeCom's list fields are comma-separated.
fn id_list(v: Option<String>, name: &'static str) -> Result<Option<Vec<u64>>, EventError> {
    match v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .split(',')
            .map(|p| p.trim().parse().map_err(|_| EventError::NotNumber(name)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

fn str_list(v: Option<String>) -> Vec<String> {
    v.map(|s| {
        s.split(',')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests;
