//! What WeCom knows: organisations, their contacts and install state, the
//! credentials it has issued, orders and their license accounts, and a
//! clock tests can move. The few changes both the WeCom routes and the
//! control routes make (a suite_ticket, an auth code) live here too, so
//! neither side imports the other; an order placed or paid, in `licenses`.

pub use crate::jobs::{NewOrderJob, PayJob, RenewJob, UnionOrder};
use crate::wire::Refusal;
use domain::wecom::{
    as_number, as_opt_number, AccountStatus, OrderStatus, OrderType, RenewAccount,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A suite_ticket is valid for 30 minutes after it is pushed (WeCom's
/// suite_ticket callback documentation); WeCom pushes one every 10.
pub const SUITE_TICKET_TTL: u64 = 1800;
/// A pre-auth code is valid for 20 minutes (get_pre_auth_code, 90601).
pub const PRE_AUTH_CODE_TTL: u64 = 1200;
/// The AuthCode `create_auth` carries is valid for 10 minutes and good once
/// (授权成功通知, 90642: 「10分钟内有效」).
pub const AUTH_CODE_TTL: u64 = 600;
/// `create_new_order` buys at most a million accounts of each type.
pub(crate) const ORDER_ACCOUNTS_MAX: u64 = 1_000_000;
/// `create_new_order`: 「总购买时长为(months*31+days)天,最少购买1个月(31天),
/// 最多购买60个月(1860天)」 (document/path/97182).
pub(crate) const ORDER_DAYS_MIN: u64 = 31;
pub(crate) const ORDER_DAYS_MAX: u64 = 1860;
pub(crate) const DAY: u64 = 86_400;
/// Stacked time on one member and type may not pass five years (701030,
/// 「多个同类型的激活码累加后的有效期不可超过5年」, document/path/97188):
/// WeCom's five years are the 60 months of 31 days it sells at most, so a
/// fresh 60-month account activates; a renewal is cut there.
pub const MAX_STACKED_SECS: u64 = ORDER_DAYS_MAX * DAY;

/// No third-party authorisation, no order.
pub const NOT_AUTHORISED: Refusal =
    Refusal::new(701015, "the organisation has not authorised the app");
pub const BAD_ACCOUNT_COUNT: Refusal = Refusal::new(
    40058,
    "account_count: 1 to 1000000 of each type, not both zero",
);
pub const BAD_DURATION: Refusal = Refusal::new(
    40058,
    "account_duration: between 1 month (31 days) and 60 months (1860 days)",
);

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

/// An admin of the app: `auth_type` 1 = management permission, 0 =
/// message-sending only (WeCom's admin list, page 100073), and what kind of
/// admin `get_login_info` says they are (`usertype`: 1 creator, 2 internal
/// admin, 3 external admin, 4 delegated admin; 91125). Written as a bare
/// userid, an internal admin who manages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "AdminEntry")]
pub struct Admin {
    pub userid: String,
    pub auth_type: u8,
    pub usertype: u8,
}

/// `usertype` of an internal system admin.
pub const INTERNAL_ADMIN: u8 = 2;
/// `usertype` of an external admin (of another organisation): the admin
/// list leaves them out (「不包括外部管理员」, 100073).
pub const EXTERNAL_ADMIN: u8 = 3;

impl Admin {
    pub fn manager(userid: &str) -> Admin {
        Admin {
            userid: userid.to_owned(),
            auth_type: 1,
            usertype: INTERNAL_ADMIN,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AdminEntry {
    Manager(String),
    Admin {
        userid: String,
        auth_type: u8,
        #[serde(default)]
        usertype: Option<u8>,
    },
}

impl From<AdminEntry> for Admin {
    fn from(entry: AdminEntry) -> Admin {
        match entry {
            AdminEntry::Manager(userid) => Admin::manager(&userid),
            AdminEntry::Admin {
                userid,
                auth_type,
                usertype,
            } => Admin {
                userid,
                auth_type,
                usertype: usertype.unwrap_or(INTERNAL_ADMIN),
            },
        }
    }
}

/// How WeCom checks licenses for the app in this organisation, as
/// `get_app_license_info` reports it (page 97194).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LicenseSettings {
    /// 1: WeCom checks licenses; 0: it does not (historical apps, apps
    /// before their interception date).
    pub license_status: u64,
    /// When interception starts; the first install when not set.
    pub license_check_time: Option<u64>,
    /// A provider test organisation: no trial.
    pub test_corp: bool,
}

impl Default for LicenseSettings {
    fn default() -> LicenseSettings {
        LicenseSettings {
            license_status: 1,
            license_check_time: None,
            test_corp: false,
        }
    }
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
    pub admins: Vec<Admin>,
    /// How the app was authorised (`auth_info.agent[].auth_mode`,
    /// 100779): 0 by an admin, 1 by a member, when WeCom lists no admins.
    #[serde(default)]
    pub auth_mode: u8,
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
    #[serde(default)]
    pub license: LicenseSettings,
    /// How many accounts the organisation may have (「账号上限数」): the
    /// app's daily message quota is 200 recipients for each (90454).
    #[serde(default = "default_member_limit")]
    pub member_limit: u64,
}

fn default_member_limit() -> u64 {
    500
}

fn default_agent() -> u64 {
    1000001
}

/// An order of interface licenses (accounts), or a renewal of members'
/// accounts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub corp_id: String,
    #[serde(default, with = "as_number")]
    pub order_type: OrderType,
    pub base_count: u64,
    pub interconnect_count: u64,
    pub days: u64,
    pub create_time: u64,
    pub pay_time: u64,
    #[serde(with = "as_number")]
    pub order_status: OrderStatus,
    /// A renewal's members and types (a purchase lists its codes instead).
    #[serde(default)]
    pub renewals: Vec<RenewAccount>,
    /// A renewal to a set expiry instead of by `days` (0: by days).
    #[serde(default)]
    pub new_expire_time: u64,
}

/// One interface-license account: an activation code, bound to a member
/// once activated.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub active_code: String,
    pub corp_id: String,
    pub order_id: String,
    /// 1 base, 2 interconnect
    pub account_type: u8,
    pub days: u64,
    pub userid: Option<String>,
    pub active_time: Option<u64>,
    pub expire_time: Option<u64>,
    /// Not transferable again before this.
    pub transferable_after: u64,
    /// When the order was paid and the code created.
    #[serde(default)]
    pub create_time: u64,
    /// A status WeCom set rather than one that follows from binding and
    /// expiry: 4 awaiting transfer, 5 merged, 6 shared downstream.
    #[serde(default, with = "as_opt_number")]
    pub set_status: Option<AccountStatus>,
}

impl Account {
    /// The status `get_active_info_by_code` reports.
    pub fn status(&self, now: u64) -> AccountStatus {
        match (self.set_status, &self.userid, self.expire_time) {
            (Some(s), _, _) => s,
            (None, None, _) => AccountStatus::Unbound,
            (None, Some(_), Some(e)) if e > now => AccountStatus::Bound,
            _ => AccountStatus::Expired,
        }
    }
}

/// An app's JS-SDK ticket and how often it was fetched this hour.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AgentTicket {
    pub ticket: String,
    pub expires_at: u64,
    pub hour_started: u64,
    pub fetches: u32,
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
    pub orders: Vec<Order>,
    pub accounts: Vec<Account>,
    pub auto_active: HashMap<String, bool>,
    /// Renewal jobs (`create_renew_order_job`) not yet submitted.
    pub renew_jobs: HashMap<String, RenewJob>,
    /// `"{corp_id} {call}"` -> how many more of that organisation's calls
    /// answer WeCom's errcode -1 (system busy, try again later).
    pub busy: HashMap<String, u32>,
    /// The errcode a busy call answers, when not -1.
    pub busy_errcode: HashMap<String, i64>,
    /// Sign-in codes: the QR login's `auth_code` and the OAuth `code`,
    /// each single-use and good for [`LOGIN_CODE_TTL`].
    pub login_codes: HashMap<String, LoginCode>,
    /// Seconds added to the wall clock (tests move time).
    pub clock_offset: i64,
    /// corp_id -> the app's JS-SDK ticket (`ticket/get?type=agent_config`).
    pub agent_tickets: HashMap<String, AgentTicket>,
    /// Payments from the provider's balance (`submit_pay_job`), by jobid.
    pub pay_jobs: HashMap<String, PayJob>,
    /// The provider's balance in fen, when a test set one; none: enough.
    pub balance_fen: Option<u64>,
    /// Multi-organisation purchases being collected or submitted, by jobid.
    pub new_order_jobs: HashMap<String, NewOrderJob>,
    /// Multi-organisation parent orders (their sub-orders are in `orders`).
    pub union_orders: Vec<UnionOrder>,
    /// App messages sent (`message/send`), one a recipient, oldest first.
    pub messages: Vec<SentMessage>,
    /// The last `msgid` handed out.
    pub message_seq: u64,
}

/// One recipient's copy of an app message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentMessage {
    pub corp_id: String,
    pub userid: String,
    pub title: String,
    pub description: String,
    pub url: String,
    pub at: u64,
    /// False when WeCom dropped it (past 30 a minute or 1 000 an hour to
    /// one member, document/path/90454).
    pub delivered: bool,
}

/// A sign-in code lives 5 minutes and is good once (getuserinfo3rd,
/// document/path/91121: 「code只能使用一次，5分钟未被使用自动过期」).
pub const LOGIN_CODE_TTL: u64 = 300;

/// Which API spends a sign-in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginKind {
    /// The QR login or the business-settings entry: `get_login_info`.
    Qr,
    /// The OAuth in WeCom's webview: `getuserinfo3rd`.
    #[serde(rename = "oauth")]
    OAuth,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginCode {
    pub corp_id: String,
    pub userid: String,
    pub kind: LoginKind,
    pub expires_at: u64,
}

impl State {
    pub fn now(&self) -> u64 {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        wall.saturating_add_signed(self.clock_offset)
    }

    /// Whether this call of the organisation is one a test made busy; each
    /// answer spends one. The errcode WeCom then answers: -1 (busy) unless
    /// the test chose another (45009: called too often).
    pub fn take_busy(&mut self, corp_id: &str, call: &str) -> Option<i64> {
        let key = format!("{corp_id} {call}");
        match self.busy.get_mut(&key) {
            Some(left) if *left > 0 => {
                *left -= 1;
                Some(self.busy_errcode.get(&key).copied().unwrap_or(-1))
            }
            _ => None,
        }
    }

    /// A fresh suite_ticket, remembered as valid for [`SUITE_TICKET_TTL`].
    pub fn new_suite_ticket(&mut self) -> String {
        let ticket = credential(32);
        let now = self.now();
        self.suite_tickets
            .retain(|(_, at)| at + SUITE_TICKET_TTL > now);
        self.suite_tickets.push((ticket.clone(), now));
        ticket
    }

    /// A sign-in code for a user of an organisation who "scanned" (QR) or
    /// opened the app (OAuth).
    pub fn new_login_code(&mut self, corp_id: &str, userid: &str, kind: LoginKind) -> String {
        let code = credential(32);
        let now = self.now();
        self.login_codes.retain(|_, c| c.expires_at > now);
        self.login_codes.insert(
            code.clone(),
            LoginCode {
                corp_id: corp_id.to_owned(),
                userid: userid.to_owned(),
                kind,
                expires_at: now + LOGIN_CODE_TTL,
            },
        );
        code
    }

    /// Spends a sign-in code of this kind: `None` when unknown, of the
    /// other kind, already spent or expired (WeCom's 40029).
    pub fn spend_login_code(&mut self, code: &str, kind: LoginKind) -> Option<LoginCode> {
        let found = self.login_codes.get(code)?;
        if found.kind != kind {
            return None;
        }
        let found = self.login_codes.remove(code)?;
        (found.expires_at > self.now()).then_some(found)
    }

    /// An auth code for an install (what WeCom creates when an admin
    /// authorises), good for [`AUTH_CODE_TTL`].
    pub fn new_auth_code(&mut self, corp_id: &str) -> String {
        let code = credential(32);
        let exp = self.now() + AUTH_CODE_TTL;
        self.auth_codes
            .insert(code.clone(), (corp_id.to_owned(), exp));
        code
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_are_read_as_bare_userids_or_with_their_auth_type() {
        let corp: Corp = serde_json::from_value(serde_json::json!({
            "corp_id": "c", "corp_name": "C",
            "admins": ["boss", {"userid": "clerk", "auth_type": 0},
                {"userid": "partner", "auth_type": 1, "usertype": 3}],
        }))
        .unwrap();
        assert_eq!(
            corp.admins,
            vec![
                Admin::manager("boss"),
                Admin {
                    userid: "clerk".into(),
                    auth_type: 0,
                    usertype: INTERNAL_ADMIN,
                },
                Admin {
                    userid: "partner".into(),
                    auth_type: 1,
                    usertype: EXTERNAL_ADMIN,
                }
            ]
        );
        assert_eq!(corp.auth_mode, 0, "admin-authorised unless said");
        assert_eq!(corp.license.license_status, 1, "WeCom checks by default");
    }
}
