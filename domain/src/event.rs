//! WeCom callback XML → typed events (DESIGN §2).
//!
//! Parsing is two steps: serde reads the flat `<xml>` into [`RawXml`] (every
//! field optional), then [`CommandEvent::parse`] / [`DataEvent::parse`] check
//! what each kind needs. Unknown kinds are kept with their raw XML.
//! DTDs and entity declarations are refused outright; bodies are capped.

use crate::wecom::RefundOutcome;
use serde::Deserialize;

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

/// A member as `change_contact` describes it. Only fields WeCom sent are
/// `Some`: an update carries just what changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberChange {
    pub userid: String,
    pub new_userid: Option<String>,
    pub open_userid: Option<String>,
    pub name: Option<String>,
    pub department_ids: Option<Vec<u64>>,
    pub main_department: Option<u64>,
    pub is_leader_in_dept: Option<Vec<u64>>,
    pub direct_leader: Vec<String>,
    pub position: Option<String>,
    pub mobile: Option<String>,
    pub gender: Option<String>,
    pub email: Option<String>,
    /// 1 active, 2 disabled, 4 not yet joined, 5 left.
    pub status: Option<u8>,
    pub avatar: Option<String>,
    pub alias: Option<String>,
    pub telephone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentChange {
    pub id: u64,
    pub name: Option<String>,
    pub parent_id: Option<u64>,
    pub order: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagChange {
    pub tag_id: u64,
    pub add_userids: Vec<String>,
    pub del_userids: Vec<String>,
    pub add_party_ids: Vec<u64>,
    pub del_party_ids: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactChange {
    CreateUser(MemberChange),
    UpdateUser(MemberChange),
    DeleteUser { userid: String },
    CreateParty(DepartmentChange),
    UpdateParty(DepartmentChange),
    DeleteParty { id: u64 },
    UpdateTag(TagChange),
    Unknown { change_type: String },
}

/// A suite ("command") callback, keyed by `InfoType`.
// One value per callback, never stored in bulk: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandEvent {
    SuiteTicket {
        suite_id: String,
        ticket: String,
        timestamp: u64,
    },
    CreateAuth {
        suite_id: String,
        auth_code: String,
        state: Option<String>,
    },
    ChangeAuth {
        suite_id: String,
        auth_corp_id: String,
        state: Option<String>,
    },
    CancelAuth {
        suite_id: String,
        auth_corp_id: String,
        /// When WeCom sent it (`TimeStamp`): a late retry of an uninstall
        /// is older than the install that followed it.
        timestamp: Option<u64>,
    },
    ChangeContact {
        auth_corp_id: String,
        change: ContactChange,
    },
    /// Any other `InfoType`, kept. License events arriving here (they
    /// belong to the system event URL) land here too and change nothing.
    Unknown {
        info_type: String,
        auth_corp_id: Option<String>,
    },
}

impl CommandEvent {
    pub fn parse(xml: &str) -> Result<CommandEvent, EventError> {
        let raw: RawXml = parse_raw(xml)?;
        let info_type = need(raw.info_type.clone(), "InfoType")?;
        Ok(match info_type.as_str() {
            "suite_ticket" => CommandEvent::SuiteTicket {
                suite_id: need(raw.suite_id, "SuiteId")?,
                ticket: need(raw.suite_ticket, "SuiteTicket")?,
                timestamp: number(raw.timestamp, "TimeStamp")?,
            },
            "create_auth" => CommandEvent::CreateAuth {
                suite_id: need(raw.suite_id, "SuiteId")?,
                auth_code: need(raw.auth_code, "AuthCode")?,
                state: raw.state.filter(|s| !s.is_empty()),
            },
            "change_auth" => CommandEvent::ChangeAuth {
                suite_id: need(raw.suite_id, "SuiteId")?,
                auth_corp_id: need(raw.auth_corp_id, "AuthCorpId")?,
                state: raw.state.filter(|s| !s.is_empty()),
            },
            "cancel_auth" => CommandEvent::CancelAuth {
                suite_id: need(raw.suite_id, "SuiteId")?,
                auth_corp_id: need(raw.auth_corp_id, "AuthCorpId")?,
                timestamp: raw
                    .timestamp
                    .map(|t| number(Some(t), "TimeStamp"))
                    .transpose()?,
            },
            "change_contact" => CommandEvent::ChangeContact {
                auth_corp_id: need(raw.auth_corp_id.clone(), "AuthCorpId")?,
                change: contact_change(raw)?,
            },
            _ => CommandEvent::Unknown {
                info_type,
                auth_corp_id: raw.auth_corp_id.filter(|s| !s.is_empty()),
            },
        })
    }

    /// The kind, as stored in the events table.
    pub fn kind(&self) -> String {
        match self {
            CommandEvent::SuiteTicket { .. } => "suite_ticket".into(),
            CommandEvent::CreateAuth { .. } => "create_auth".into(),
            CommandEvent::ChangeAuth { .. } => "change_auth".into(),
            CommandEvent::CancelAuth { .. } => "cancel_auth".into(),
            CommandEvent::ChangeContact { change, .. } => {
                format!("change_contact.{}", change.kind())
            }
            CommandEvent::Unknown { info_type, .. } => info_type.clone(),
        }
    }

    /// The organisation the event is about, when there is one.
    pub fn corp_id(&self) -> Option<&str> {
        match self {
            CommandEvent::SuiteTicket { .. } | CommandEvent::CreateAuth { .. } => None,
            CommandEvent::ChangeAuth { auth_corp_id, .. }
            | CommandEvent::CancelAuth { auth_corp_id, .. }
            | CommandEvent::ChangeContact { auth_corp_id, .. } => Some(auth_corp_id),
            CommandEvent::Unknown { auth_corp_id, .. } => auth_corp_id.as_deref(),
        }
    }
}

impl ContactChange {
    pub fn kind(&self) -> &str {
        match self {
            ContactChange::CreateUser(_) => "create_user",
            ContactChange::UpdateUser(_) => "update_user",
            ContactChange::DeleteUser { .. } => "delete_user",
            ContactChange::CreateParty(_) => "create_party",
            ContactChange::UpdateParty(_) => "update_party",
            ContactChange::DeleteParty { .. } => "delete_party",
            ContactChange::UpdateTag(_) => "update_tag",
            ContactChange::Unknown { change_type } => change_type,
        }
    }
}

fn member_change(raw: RawXml) -> Result<MemberChange, EventError> {
    Ok(MemberChange {
        userid: need(raw.userid, "UserID")?,
        new_userid: raw.new_userid.filter(|s| !s.is_empty()),
        open_userid: raw.open_userid.filter(|s| !s.is_empty()),
        name: raw.name,
        department_ids: id_list(raw.department, "Department")?,
        main_department: opt_number(raw.main_department, "MainDepartment")?,
        is_leader_in_dept: id_list(raw.is_leader_in_dept, "IsLeaderInDept")?,
        direct_leader: str_list(raw.direct_leader),
        position: raw.position,
        mobile: raw.mobile,
        gender: raw.gender,
        email: raw.email,
        status: opt_number(raw.status, "Status")?,
        avatar: raw.avatar,
        alias: raw.alias,
        telephone: raw.telephone,
    })
}

fn department_change(raw: RawXml) -> Result<DepartmentChange, EventError> {
    Ok(DepartmentChange {
        id: number(raw.id, "Id")?,
        name: raw.name,
        parent_id: opt_number(raw.parent_id, "ParentId")?,
        order: opt_number(raw.order, "Order")?,
    })
}

fn contact_change(raw: RawXml) -> Result<ContactChange, EventError> {
    let change_type = need(raw.change_type.clone(), "ChangeType")?;
    Ok(match change_type.as_str() {
        "create_user" => ContactChange::CreateUser(member_change(raw)?),
        "update_user" => ContactChange::UpdateUser(member_change(raw)?),
        "delete_user" => ContactChange::DeleteUser {
            userid: need(raw.userid, "UserID")?,
        },
        "create_party" => ContactChange::CreateParty(department_change(raw)?),
        "update_party" => ContactChange::UpdateParty(department_change(raw)?),
        "delete_party" => ContactChange::DeleteParty {
            id: number(raw.id, "Id")?,
        },
        "update_tag" => ContactChange::UpdateTag(TagChange {
            tag_id: number(raw.tag_id, "TagId")?,
            add_userids: str_list(raw.add_user_items),
            del_userids: str_list(raw.del_user_items),
            add_party_ids: id_list(raw.add_party_items, "AddPartyItems")?.unwrap_or_default(),
            del_party_ids: id_list(raw.del_party_items, "DelPartyItems")?.unwrap_or_default(),
        }),
        _ => ContactChange::Unknown { change_type },
    })
}

/// A provider system event (系统事件接收URL, pages 97196/95805): pushed with
/// the provider's own Token and EncodingAESKey, receive id = the provider's
/// CorpID. `ServiceCorpId` is the provider, `AuthCorpId` the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemEvent {
    pub service_corp_id: String,
    pub kind: SystemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemKind {
    /// An order was paid (`license_pay_success`, 95805).
    LicensePaySuccess {
        auth_corp_id: String,
        order_id: String,
        buyer_userid: Option<String>,
    },
    /// A refund was decided (`license_refund`, 95805).
    LicenseRefund {
        auth_corp_id: String,
        order_id: String,
        order_status: RefundOutcome,
    },
    /// WeCom bound free accounts by itself (`auto_activate`, 95994).
    AutoActivate {
        auth_corp_id: String,
        scene: Option<u8>,
        accounts: Vec<ActivatedAccount>,
    },
    /// Any other `InfoType`, kept.
    Unknown {
        info_type: String,
        auth_corp_id: Option<String>,
    },
}

impl SystemEvent {
    pub fn parse(xml: &str) -> Result<SystemEvent, EventError> {
        let raw: RawXml = parse_raw(xml)?;
        let info_type = need(raw.info_type.clone(), "InfoType")?;
        let service_corp_id = need(raw.service_corp_id.clone(), "ServiceCorpId")?;
        let kind = match info_type.as_str() {
            "license_pay_success" => SystemKind::LicensePaySuccess {
                auth_corp_id: need(raw.auth_corp_id, "AuthCorpId")?,
                order_id: need(raw.order_id, "OrderId")?,
                buyer_userid: raw.buyer_userid.filter(|s| !s.is_empty()),
            },
            "license_refund" => SystemKind::LicenseRefund {
                auth_corp_id: need(raw.auth_corp_id, "AuthCorpId")?,
                order_id: need(raw.order_id, "OrderId")?,
                order_status: number::<u32>(raw.order_status, "OrderStatus")?.into(),
            },
            "auto_activate" => SystemKind::AutoActivate {
                auth_corp_id: need(raw.auth_corp_id, "AuthCorpId")?,
                scene: opt_number(raw.scene, "Scene")?,
                accounts: raw.account_list,
            },
            _ => SystemKind::Unknown {
                info_type,
                auth_corp_id: raw.auth_corp_id.filter(|s| !s.is_empty()),
            },
        };
        Ok(SystemEvent {
            service_corp_id,
            kind,
        })
    }

    /// The kind, as stored in the events table.
    pub fn kind(&self) -> &str {
        match &self.kind {
            SystemKind::LicensePaySuccess { .. } => "license_pay_success",
            SystemKind::LicenseRefund { .. } => "license_refund",
            SystemKind::AutoActivate { .. } => "auto_activate",
            SystemKind::Unknown { info_type, .. } => info_type,
        }
    }

    /// The organisation the event is about.
    pub fn corp_id(&self) -> Option<&str> {
        match &self.kind {
            SystemKind::LicensePaySuccess { auth_corp_id, .. }
            | SystemKind::LicenseRefund { auth_corp_id, .. }
            | SystemKind::AutoActivate { auth_corp_id, .. } => Some(auth_corp_id),
            SystemKind::Unknown { auth_corp_id, .. } => auth_corp_id.as_deref(),
        }
    }
}

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

    pub fn corp_id(&self) -> Option<&str> {
        match self {
            DataEvent::UnlicensedNotify { corp_id, .. }
            | DataEvent::EnterAgent { corp_id, .. }
            | DataEvent::ChangeAppAdmin { corp_id, .. } => Some(corp_id),
            DataEvent::Unknown { corp_id, .. } => corp_id.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdata(name: &str, v: &str) -> String {
        format!("<{name}><![CDATA[{v}]]></{name}>")
    }

    #[test]
    fn suite_ticket_is_parsed() {
        let xml = format!(
            "<xml>{}{}<TimeStamp>1403610513</TimeStamp>{}</xml>",
            cdata("SuiteId", "wwsuite"),
            cdata("InfoType", "suite_ticket"),
            cdata("SuiteTicket", "TICKET-1")
        );
        assert_eq!(
            CommandEvent::parse(&xml).unwrap(),
            CommandEvent::SuiteTicket {
                suite_id: "wwsuite".into(),
                ticket: "TICKET-1".into(),
                timestamp: 1403610513
            }
        );
    }

    #[test]
    fn install_lifecycle_events_are_parsed() {
        let create = "<xml><SuiteId><![CDATA[s]]></SuiteId><AuthCode><![CDATA[AUTH]]></AuthCode>\
            <InfoType><![CDATA[create_auth]]></InfoType><TimeStamp>1</TimeStamp><State><![CDATA[]]></State></xml>";
        assert_eq!(
            CommandEvent::parse(create).unwrap(),
            CommandEvent::CreateAuth {
                suite_id: "s".into(),
                auth_code: "AUTH".into(),
                state: None
            }
        );
        let change =
            "<xml><SuiteId>s</SuiteId><InfoType>change_auth</InfoType><TimeStamp>1</TimeStamp>\
            <AuthCorpId>wwc</AuthCorpId><State>st</State></xml>";
        assert_eq!(
            CommandEvent::parse(change).unwrap(),
            CommandEvent::ChangeAuth {
                suite_id: "s".into(),
                auth_corp_id: "wwc".into(),
                state: Some("st".into())
            }
        );
        let cancel =
            "<xml><SuiteId>s</SuiteId><InfoType>cancel_auth</InfoType><TimeStamp>1</TimeStamp>\
            <AuthCorpId>wwc</AuthCorpId></xml>";
        let ev = CommandEvent::parse(cancel).unwrap();
        assert_eq!(ev.corp_id(), Some("wwc"));
        assert_eq!(ev.kind(), "cancel_auth");
    }

    #[test]
    fn create_user_carries_every_member_field() {
        let xml = "<xml><SuiteId>s</SuiteId><AuthCorpId>wwc</AuthCorpId><InfoType>change_contact</InfoType>\
            <TimeStamp>1</TimeStamp><ChangeType>create_user</ChangeType><UserID>zhangsan</UserID>\
            <OpenUserID>woAAA</OpenUserID><Name>张三</Name><Department>1,2,3</Department>\
            <MainDepartment>1</MainDepartment><IsLeaderInDept>1,0,0</IsLeaderInDept>\
            <DirectLeader>lisi,wangwu</DirectLeader><Position>产品经理</Position><Mobile>13800000000</Mobile>\
            <Gender>1</Gender><Email>zs@example.com</Email><Status>1</Status><Avatar>http://a/b</Avatar>\
            <Alias>zs</Alias><Telephone>020-123</Telephone></xml>";
        let CommandEvent::ChangeContact {
            auth_corp_id,
            change: ContactChange::CreateUser(m),
        } = CommandEvent::parse(xml).unwrap()
        else {
            panic!("not create_user")
        };
        assert_eq!(auth_corp_id, "wwc");
        assert_eq!(m.userid, "zhangsan");
        assert_eq!(m.name.as_deref(), Some("张三"));
        assert_eq!(m.department_ids, Some(vec![1, 2, 3]));
        assert_eq!(m.main_department, Some(1));
        assert_eq!(m.is_leader_in_dept, Some(vec![1, 0, 0]));
        assert_eq!(m.direct_leader, vec!["lisi", "wangwu"]);
        assert_eq!(m.status, Some(1));
        assert_eq!(m.open_userid.as_deref(), Some("woAAA"));
    }

    #[test]
    fn update_user_keeps_only_what_was_sent() {
        let xml = "<xml><AuthCorpId>wwc</AuthCorpId><InfoType>change_contact</InfoType>\
            <ChangeType>update_user</ChangeType><UserID>zs</UserID><NewUserID>zs2</NewUserID></xml>";
        let CommandEvent::ChangeContact {
            change: ContactChange::UpdateUser(m),
            ..
        } = CommandEvent::parse(xml).unwrap()
        else {
            panic!()
        };
        assert_eq!(m.new_userid.as_deref(), Some("zs2"));
        assert_eq!(m.department_ids, None);
        assert_eq!(m.name, None);
    }

    #[test]
    fn department_and_tag_changes_are_parsed() {
        let base = |body: &str| {
            format!(
                "<xml><AuthCorpId>wwc</AuthCorpId><InfoType>change_contact</InfoType>{body}</xml>"
            )
        };
        let create = base("<ChangeType>create_party</ChangeType><Id>2</Id><Name>研发</Name><ParentId>1</ParentId><Order>1</Order>");
        assert!(matches!(
            CommandEvent::parse(&create).unwrap(),
            CommandEvent::ChangeContact {
                change: ContactChange::CreateParty(DepartmentChange {
                    id: 2,
                    parent_id: Some(1),
                    ..
                }),
                ..
            }
        ));
        let delete = base("<ChangeType>delete_party</ChangeType><Id>7</Id>");
        assert!(matches!(
            CommandEvent::parse(&delete).unwrap(),
            CommandEvent::ChangeContact {
                change: ContactChange::DeleteParty { id: 7 },
                ..
            }
        ));
        let tag = base("<ChangeType>update_tag</ChangeType><TagId>3</TagId><AddUserItems>a,b</AddUserItems>\
            <DelUserItems>c</DelUserItems><AddPartyItems>4,5</AddPartyItems><DelPartyItems>6</DelPartyItems>");
        let CommandEvent::ChangeContact {
            change: ContactChange::UpdateTag(t),
            ..
        } = CommandEvent::parse(&tag).unwrap()
        else {
            panic!()
        };
        assert_eq!(t.tag_id, 3);
        assert_eq!(t.add_userids, vec!["a", "b"]);
        assert_eq!(t.del_userids, vec!["c"]);
        assert_eq!(t.add_party_ids, vec![4, 5]);
        assert_eq!(t.del_party_ids, vec![6]);
        let del_user = base("<ChangeType>delete_user</ChangeType><UserID>zs</UserID>");
        assert_eq!(
            CommandEvent::parse(&del_user).unwrap().kind(),
            "change_contact.delete_user"
        );
    }

    #[test]
    fn license_events_are_parsed() {
        let pay = "<xml><ServiceCorpId>wwp</ServiceCorpId><InfoType>license_pay_success</InfoType>\
            <AuthCorpId>wwc</AuthCorpId><OrderId>OI0001</OrderId><BuyerUserId>admin</BuyerUserId><TimeStamp>1</TimeStamp></xml>";
        assert_eq!(
            SystemEvent::parse(pay).unwrap(),
            SystemEvent {
                service_corp_id: "wwp".into(),
                kind: SystemKind::LicensePaySuccess {
                    auth_corp_id: "wwc".into(),
                    order_id: "OI0001".into(),
                    buyer_userid: Some("admin".into())
                }
            }
        );
        let refund = "<xml><ServiceCorpId>wwp</ServiceCorpId><InfoType>license_refund</InfoType><AuthCorpId>wwc</AuthCorpId><OrderId>OI1</OrderId><OrderStatus>1</OrderStatus></xml>";
        assert_eq!(
            SystemEvent::parse(refund).unwrap().kind,
            SystemKind::LicenseRefund {
                auth_corp_id: "wwc".into(),
                order_id: "OI1".into(),
                order_status: RefundOutcome::Refunded
            }
        );
        // 1 and 2 are all license_refund says today; a number WeCom adds
        // later is kept (the refund is then judged by get_order's status).
        let four = refund.replace(">1</OrderStatus>", ">4</OrderStatus>");
        assert!(matches!(
            SystemEvent::parse(&four).unwrap().kind,
            SystemKind::LicenseRefund {
                order_status: RefundOutcome::Unknown(4),
                ..
            }
        ));
        // Without the provider it is no system event.
        let anonymous = refund.replace("<ServiceCorpId>wwp</ServiceCorpId>", "");
        assert_eq!(
            SystemEvent::parse(&anonymous).unwrap_err(),
            EventError::Missing("ServiceCorpId")
        );
    }

    #[test]
    fn license_events_on_the_command_url_are_kept_not_acted_on() {
        let pay = "<xml><SuiteId>s</SuiteId><InfoType>license_pay_success</InfoType>\
            <AuthCorpId>wwc</AuthCorpId><OrderId>OI0001</OrderId></xml>";
        assert_eq!(
            CommandEvent::parse(pay).unwrap(),
            CommandEvent::Unknown {
                info_type: "license_pay_success".into(),
                auth_corp_id: Some("wwc".into())
            }
        );
    }

    #[test]
    fn auto_activate_lists_every_account() {
        let xml = "<xml><ServiceCorpId>wwp</ServiceCorpId><InfoType>auto_activate</InfoType><AuthCorpId>wwc</AuthCorpId>\
            <Scene>1</Scene><TimeStamp>1</TimeStamp>\
            <AccountList><ActiveCode>CODE1</ActiveCode><Type>1</Type><ExpireTime>1700000000</ExpireTime>\
              <UserId>zs</UserId><PreviousStatus>1</PreviousStatus></AccountList>\
            <AccountList><ActiveCode>CODE2</ActiveCode><Type>2</Type><ExpireTime>1700000001</ExpireTime>\
              <UserId>ls</UserId><PreviousStatus>2</PreviousStatus><PreviousActiveCode>OLD</PreviousActiveCode></AccountList></xml>";
        let SystemKind::AutoActivate {
            accounts, scene, ..
        } = SystemEvent::parse(xml).unwrap().kind
        else {
            panic!()
        };
        assert_eq!(scene, Some(1));
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts[0].active_code, "CODE1");
        assert_eq!(accounts[0].previous_active_code, None);
        assert_eq!(accounts[1].account_type, 2);
        assert_eq!(accounts[1].previous_active_code.as_deref(), Some("OLD"));
    }

    #[test]
    fn unknown_info_types_and_change_types_are_kept() {
        let xml = "<xml><InfoType>mystery</InfoType><AuthCorpId>wwc</AuthCorpId></xml>";
        assert_eq!(
            CommandEvent::parse(xml).unwrap(),
            CommandEvent::Unknown {
                info_type: "mystery".into(),
                auth_corp_id: Some("wwc".into())
            }
        );
        let xml = "<xml><InfoType>change_contact</InfoType><AuthCorpId>wwc</AuthCorpId><ChangeType>mystery</ChangeType></xml>";
        assert_eq!(
            CommandEvent::parse(xml).unwrap().kind(),
            "change_contact.mystery"
        );
    }

    #[test]
    fn data_events_are_parsed() {
        let xml = "<xml><ToUserName><![CDATA[wwc]]></ToUserName><FromUserName><![CDATA[zs]]></FromUserName>\
            <CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>\
            <Event><![CDATA[unlicensed_notify]]></Event><AgentID>1000002</AgentID></xml>";
        assert_eq!(
            DataEvent::parse(xml).unwrap(),
            DataEvent::UnlicensedNotify {
                corp_id: "wwc".into(),
                userid: "zs".into(),
                agent_id: Some(1000002),
                at: 1700000000
            }
        );
        let other =
            "<xml><ToUserName>wwc</ToUserName><MsgType>event</MsgType><Event>click</Event></xml>";
        assert_eq!(
            DataEvent::parse(other).unwrap(),
            DataEvent::Unknown {
                corp_id: Some("wwc".into()),
                kind: "click".into()
            }
        );
    }

    #[test]
    fn change_app_admin_is_a_data_event_about_the_organisation() {
        // WeCom's example on page 95038, on the data URL.
        let xml = "<xml><ToUserName><![CDATA[wwc]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
            <CreateTime>1348831860</CreateTime><MsgType><![CDATA[event]]></MsgType>\
            <Event><![CDATA[change_app_admin]]></Event><AgentID>1</AgentID></xml>";
        let event = DataEvent::parse(xml).unwrap();
        assert_eq!(
            event,
            DataEvent::ChangeAppAdmin {
                corp_id: "wwc".into(),
                agent_id: Some(1),
                at: 1348831860
            }
        );
        assert_eq!(
            (event.kind(), event.corp_id()),
            ("change_app_admin", Some("wwc"))
        );
        let nameless = "<xml><FromUserName>sys</FromUserName><CreateTime>1</CreateTime>\
            <MsgType>event</MsgType><Event>change_app_admin</Event></xml>";
        assert_eq!(
            DataEvent::parse(nameless).unwrap_err(),
            EventError::Missing("ToUserName")
        );
    }

    #[test]
    fn bad_input_gives_clear_errors() {
        assert_eq!(
            CommandEvent::parse("<xml></xml>").unwrap_err(),
            EventError::Missing("InfoType")
        );
        assert!(matches!(
            CommandEvent::parse("<xml><InfoType>x</Info").unwrap_err(),
            EventError::Malformed(_)
        ));
        assert!(matches!(
            CommandEvent::parse("not xml at all").unwrap_err(),
            EventError::Missing(_) | EventError::Malformed(_)
        ));
        assert_eq!(
            CommandEvent::parse("<xml><InfoType>suite_ticket</InfoType><SuiteId>s</SuiteId><SuiteTicket>t</SuiteTicket><TimeStamp>soon</TimeStamp></xml>").unwrap_err(),
            EventError::NotNumber("TimeStamp")
        );
        assert_eq!(
            CommandEvent::parse("<xml><InfoType>create_auth</InfoType><SuiteId>s</SuiteId></xml>")
                .unwrap_err(),
            EventError::Missing("AuthCode")
        );
    }

    #[test]
    fn dtds_and_entities_are_refused() {
        let xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><InfoType>&e;</InfoType></xml>";
        assert_eq!(CommandEvent::parse(xxe).unwrap_err(), EventError::Dtd);
        assert_eq!(Envelope::parse(xxe).unwrap_err(), EventError::Dtd);
        // Undeclared entities are not expanded either.
        assert!(CommandEvent::parse("<xml><InfoType>&e;</InfoType></xml>").is_err());
    }

    #[test]
    fn oversized_bodies_are_refused() {
        let big = format!(
            "<xml><InfoType>x</InfoType><Pad>{}</Pad></xml>",
            "a".repeat(MAX_CALLBACK_BYTES)
        );
        assert_eq!(CommandEvent::parse(&big).unwrap_err(), EventError::TooLarge);
    }

    #[test]
    fn envelope_yields_the_encrypted_text() {
        let env = Envelope::parse("<xml><ToUserName><![CDATA[wwc]]></ToUserName><Encrypt><![CDATA[abc==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>").unwrap();
        assert_eq!(env.encrypt, "abc==");
        assert_eq!(env.to_user_name.as_deref(), Some("wwc"));
        assert_eq!(
            Envelope::parse("<xml><ToUserName>x</ToUserName></xml>").unwrap_err(),
            EventError::Missing("Encrypt")
        );
        assert_eq!(
            Envelope::parse("<xml><Encrypt></Encrypt></xml>").unwrap_err(),
            EventError::Missing("Encrypt")
        );
    }
}
