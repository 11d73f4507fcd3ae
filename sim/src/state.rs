//! What WeCom knows: organisations, their contacts and install state, the
//! credentials it has issued, and a clock tests can move.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Department {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub parentid: u64,
    #[serde(default)]
    pub order: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub userid: String,
    pub name: String,
    #[serde(default)]
    pub department: Vec<u64>,
    /// 1 active, 2 disabled, 4 not joined, 5 left.
    #[serde(default = "active")]
    pub status: u8,
}

fn active() -> u8 {
    1
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Tag {
    pub tagid: u64,
    pub tagname: String,
    #[serde(default)]
    pub userlist: Vec<String>,
    #[serde(default)]
    pub partylist: Vec<u64>,
}

/// The app's visible range as the admin set it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Range {
    #[serde(default)]
    pub party: Vec<u64>,
    #[serde(default)]
    pub user: Vec<String>,
    #[serde(default)]
    pub tag: Vec<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Corp {
    pub corp_id: String,
    pub corp_name: String,
    #[serde(default = "default_agent")]
    pub agent_id: u64,
    #[serde(default)]
    pub departments: Vec<Department>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub admins: Vec<String>,
    #[serde(default)]
    pub range: Range,
    #[serde(default)]
    pub installed: bool,
    #[serde(default)]
    pub permanent_code: Option<String>,
    /// When the app was first installed: WeCom's trial runs 90 days from
    /// here and reinstalling does not move it.
    #[serde(default)]
    pub first_installed_at: Option<u64>,
}

fn default_agent() -> u64 {
    1000001
}

/// Everything WeCom remembers; saved with `--state FILE` so a restarted
/// simulator agrees with the worker's persisted D1.
#[derive(Default, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// suite_tickets pushed, with when: each is valid for 30 minutes.
    pub suite_tickets: Vec<(String, u64)>,
    /// token -> expires_at
    pub suite_tokens: HashMap<String, u64>,
    pub provider_tokens: HashMap<String, u64>,
    /// token -> (corp_id, expires_at)
    pub corp_tokens: HashMap<String, (String, u64)>,
    pub pre_auth_codes: HashMap<String, u64>,
    /// auth_code -> (corp_id, expires_at); consumed by get_permanent_code.
    pub auth_codes: HashMap<String, (String, u64)>,
    pub corps: BTreeMap<String, Corp>,
    pub orders: Vec<crate::license_api::Order>,
    pub accounts: Vec<crate::license_api::Account>,
    pub auto_active: HashMap<String, bool>,
    /// Seconds added to the wall clock (tests move time).
    pub clock_offset: i64,
}

impl State {
    pub fn now(&self) -> u64 {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        wall.saturating_add_signed(self.clock_offset)
    }
}

/// A fresh opaque credential, as WeCom hands out.
pub fn credential(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut bytes = vec![0u8; len];
    getrandom::getrandom(&mut bytes).expect("the OS has randomness");
    bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}
