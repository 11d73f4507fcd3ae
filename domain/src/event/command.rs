//! Suite ("command") callbacks: installs, auth changes, tickets and
//! `change_contact` with its member, department and tag changes.

use super::*;

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

impl CommandEvent {
    /// The member the event is about when it touches that member's row
    /// alone (a member created, updated or deleted; not renamed, which
    /// touches two): such events of different members may be applied at
    /// once, and one member's one after another.
    pub fn member(&self) -> Option<&str> {
        match self {
            CommandEvent::ChangeContact { change, .. } => match change {
                ContactChange::CreateUser(m) | ContactChange::UpdateUser(m)
                    if m.new_userid.is_none() =>
                {
                    Some(&m.userid)
                }
                ContactChange::DeleteUser { userid } => Some(userid),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether applying the event reads the member again from WeCom whole
    /// (`user/get`) and keeps only what it says: an earlier such event of
    /// the same member, not yet applied, adds nothing once this one is.
    pub fn rereads_member(&self) -> bool {
        matches!(
            self,
            CommandEvent::ChangeContact {
                change: ContactChange::CreateUser(m) | ContactChange::UpdateUser(m),
                ..
            } if m.new_userid.is_none()
        )
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
