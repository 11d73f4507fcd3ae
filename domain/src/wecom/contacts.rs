//! The contacts API: departments, members, tags.

use serde::{Deserialize, Serialize};

/// A department as `department/list` gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Department {
    pub id: u64,
    pub name: String,
    pub parentid: u64,
    pub order: u64,
}

/// `department/list` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentList {
    #[serde(default)]
    pub department: Vec<Department>,
}

/// A member as `user/list`, `user/get` and `tag/get` give it: only
/// departments inside the app's range are listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub userid: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub department: Vec<u64>,
}

/// `user/list` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    #[serde(default)]
    pub userlist: Vec<User>,
}

/// A tag's member as `tag/get` lists it: id and name only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagUser {
    pub userid: String,
    /// Not given to third-party apps (page 90349).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

/// `tag/get` reply: the tag's members and departments the app may see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tag {
    pub tagname: String,
    pub userlist: Vec<TagUser>,
    pub partylist: Vec<u64>,
}
