//! Data callbacks from an organisation's app: a member without a seat
//! opened it, admins changed.

use super::*;

/// A data callback from an authorised organisation's app, keyed by `Event`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataEvent {
    /// A member in the visible range opened the app without a valid seat.
    UnlicensedNotify {
        corp_id: String,
        userid: String,
        agent_id: Option<u64>,
        at: u64,
    },
    EnterAgent {
        corp_id: String,
        userid: String,
        agent_id: Option<u64>,
        at: u64,
    },
    /// The app's admins changed (page 95038): re-read them. `FromUserName`
    /// is always `sys`.
    ChangeAppAdmin {
        corp_id: String,
        agent_id: Option<u64>,
        at: u64,
    },
    Unknown {
        corp_id: Option<String>,
        kind: String,
    },
}

impl DataEvent {
    pub fn parse(xml: &str) -> Result<DataEvent, EventError> {
        let raw: RawXml = parse_raw(xml)?;
        let kind = raw
            .event
            .clone()
            .or(raw.msg_type.clone())
            .filter(|s| !s.is_empty())
            .ok_or(EventError::Missing("Event"))?;
        Ok(match kind.as_str() {
            "unlicensed_notify" | "enter_agent" => {
                let corp_id = need(raw.to_user_name, "ToUserName")?;
                let userid = need(raw.from_user_name, "FromUserName")?;
                let agent_id = opt_number(raw.agent_id, "AgentID")?;
                let at = number(raw.create_time, "CreateTime")?;
                if kind == "enter_agent" {
                    DataEvent::EnterAgent {
                        corp_id,
                        userid,
                        agent_id,
                        at,
                    }
                } else {
                    DataEvent::UnlicensedNotify {
                        corp_id,
                        userid,
                        agent_id,
                        at,
                    }
                }
            }
            "change_app_admin" => DataEvent::ChangeAppAdmin {
                corp_id: need(raw.to_user_name, "ToUserName")?,
                agent_id: opt_number(raw.agent_id, "AgentID")?,
                at: number(raw.create_time, "CreateTime")?,
            },
            _ => DataEvent::Unknown {
                corp_id: raw.to_user_name.filter(|s| !s.is_empty()),
                kind,
            },
        })
    }

    pub fn kind(&self) -> &str {
        match self {
            DataEvent::UnlicensedNotify { .. } => "unlicensed_notify",
            DataEvent::EnterAgent { .. } => "enter_agent",
            DataEvent::ChangeAppAdmin { .. } => "change_app_admin",
            DataEvent::Unknown { kind, .. } => kind,
        }
    }

    /// The event only says "read it again": applying it twice does no harm,
    /// and two changes within one second arrive as the same message, so a
    /// repeat must not be skipped as already applied.
    pub fn asks_to_reread(&self) -> bool {
        matches!(self, DataEvent::ChangeAppAdmin { .. })
    }

    /// The member the event is about when it touches that member alone
    /// (see `CommandEvent::member`).
    pub fn member(&self) -> Option<&str> {
        match self {
            DataEvent::UnlicensedNotify { userid, .. } => Some(userid),
            _ => None,
        }
    }

    pub fn corp_id(&self) -> Option<&str> {
        match self {
            DataEvent::UnlicensedNotify { corp_id, .. }
            | DataEvent::EnterAgent { corp_id, .. }
            | DataEvent::ChangeAppAdmin { corp_id, .. } => Some(corp_id),
            DataEvent::Unknown { corp_id, .. } => corp_id.as_deref(),
        }
    }
}
