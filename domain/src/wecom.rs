//! WeCom's wire shapes: the JSON bodies of the server API calls we make,
//! shared by `edge`'s client (which sends requests and reads replies) and
//! `sim`'s server (which reads requests and writes replies), so a field name
//! cannot drift between the two. Field names are WeCom's, misspellings
//! included (`trail_info`, `list_actived_account`). `errcode`/`errmsg` are
//! read by the client and written by the server around these bodies.

use serde::{Deserialize, Serialize};

pub use crate::seat::MONTH_DAYS;

// ---- WeCom's numbered enums ------------------------------------------------------

/// An enum WeCom numbers on the wire. WeCom adds values over time
/// (`order_status` 7, `order_type` 6 and 8 came later; DESIGN §2): a number
/// its documentation does not list yet is kept as `Unknown(n)`, never a
/// parse failure that would lose the reply carrying it. The number both
/// ways (`u32::from`, `From<u32>`); serde writes the word (`unknown_<n>` for
/// an unknown number) for our own JSON; [`as_number`] on WeCom's wire.
macro_rules! numbered {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $n:literal $word:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $variant,)+
            /// A number WeCom's documentation does not list (yet), as sent.
            Unknown(u32),
        }

        impl From<$name> for u32 {
            fn from(v: $name) -> u32 {
                match v {
                    $($name::$variant => $n,)+
                    $name::Unknown(n) => n,
                }
            }
        }

        impl From<u32> for $name {
            fn from(n: u32) -> $name {
                match n {
                    $($n => $name::$variant,)+
                    n => $name::Unknown(n),
                }
            }
        }

        impl $name {
            /// Every value WeCom documents, in its order.
            pub const DOCUMENTED: &'static [$name] = &[$($name::$variant),+];

            /// The word for our own JSON: `paid`, or `unknown_9`.
            pub fn word(self) -> String {
                match self {
                    $($name::$variant => $word.to_owned(),)+
                    $name::Unknown(n) => format!("{UNKNOWN_PREFIX}{n}"),
                }
            }

            /// The value of a word [`Self::word`] wrote.
            pub fn from_word(word: &str) -> Option<$name> {
                match word {
                    $($word => Some($name::$variant),)+
                    other => other
                        .strip_prefix(UNKNOWN_PREFIX)
                        .and_then(|n| n.parse::<u32>().ok())
                        .map($name::from),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.word())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let word = String::deserialize(d)?;
                $name::from_word(&word).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "{word:?} is none of {} nor {UNKNOWN_PREFIX}<number>",
                        [$($word),+].join(", ")
                    ))
                })
            }
        }

        #[cfg(feature = "openapi")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "anyOf": [
                        {"enum": [$($word),+]},
                        {"pattern": "^unknown_[0-9]+$",
                         "description": "a number WeCom sent that its documentation does not list yet"}
                    ]
                })
            }
        }
    };
}

/// How an undocumented number is written in our JSON: `unknown_9`.
const UNKNOWN_PREFIX: &str = "unknown_";

numbered! {
    /// `license_refund.OrderStatus` (document/path/95805): how WeCom decided
    /// a refund. Not `get_order`'s `order_status` (there 5 and 6).
    RefundOutcome {
        Refunded = 1 "refunded",
        Rejected = 2 "rejected",
    }
}

numbered! {
    /// `get_order.order_status` (document/path/97185, 95648).
    #[derive(Default)]
    OrderStatus {
        #[default]
        AwaitingPayment = 0 "awaiting_payment",
        Paid = 1 "paid",
        /// Closed unpaid.
        Cancelled = 2 "cancelled",
        /// Unpaid, the order expired.
        ExpiredUnpaid = 3 "expired_unpaid",
        RefundRequested = 4 "refund_requested",
        Refunded = 5 "refunded",
        RefundRejected = 6 "refund_rejected",
        /// A test organisation was taken off the provider's test list: its
        /// test orders are void.
        Invalidated = 7 "invalidated",
    }
}

impl OrderStatus {
    /// Whether the order's codes are the organisation's to use: paid, or
    /// paid with a refund asked for or refused. An order awaiting payment
    /// has no codes yet; one refunded, cancelled, expired or void has none
    /// left; an unknown status is shown but not counted on.
    pub fn codes_usable(self) -> bool {
        matches!(
            self,
            OrderStatus::Paid | OrderStatus::RefundRequested | OrderStatus::RefundRejected
        )
    }
}

impl From<RefundOutcome> for Option<OrderStatus> {
    /// What `get_order` says once the refund is decided (nothing known for
    /// an outcome WeCom has not documented).
    fn from(o: RefundOutcome) -> Self {
        match o {
            RefundOutcome::Refunded => Some(OrderStatus::Refunded),
            RefundOutcome::Rejected => Some(OrderStatus::RefundRejected),
            RefundOutcome::Unknown(_) => None,
        }
    }
}

numbered! {
    /// `get_order.order_type` (document/path/97185; 8 only in
    /// `list_order` without a corp id and `get_union_order`).
    #[derive(Default)]
    OrderType {
        #[default]
        Purchase = 1 "purchase",
        /// `list_order_account` then lists members, not codes.
        Renewal = 2 "renewal",
        EditionMigration = 5 "edition_migration",
        ContractMigration = 6 "contract_migration",
        MultiCorpPurchase = 8 "multi_corp_purchase",
    }
}

numbered! {
    /// An account's status (`get_active_info_by_code`, document/path/97189).
    AccountStatus {
        Unbound = 1 "unbound",
        /// Bound and valid.
        Bound = 2 "bound",
        Expired = 3 "expired",
        /// With auto-activation on, WeCom moves the account of a member who
        /// left or left the visible range to this the next early morning,
        /// and hands it on itself.
        AwaitingTransfer = 4 "awaiting_transfer",
        /// Its time was merged into another code (a renewal): dead, never
        /// activated or transferred again.
        Merged = 5 "merged",
        /// Assigned to a downstream organisation.
        SharedDownstream = 6 "shared_downstream",
    }
}

impl AccountStatus {
    /// Whether WeCom is already moving this account itself, so nobody
    /// should be asked to.
    pub fn moving_by_itself(self) -> bool {
        self == AccountStatus::AwaitingTransfer
    }
}

/// Serde of a [`numbered!`] enum as WeCom's number.
pub mod as_number {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer, T: Copy + Into<u32>>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32((*v).into())
    }

    pub fn deserialize<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: From<u32>,
    {
        Ok(T::from(u32::deserialize(d)?))
    }
}

/// Serde of an optional [`numbered!`] enum as WeCom's number.
pub mod as_opt_number {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer, T: Copy + Into<u32>>(
        v: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(&(*v).into()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: From<u32>,
    {
        Ok(Option::<u32>::deserialize(d)?.map(T::from))
    }
}

// ---- tokens ---------------------------------------------------------------------

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

// ---- service API: install, auth info, admins --------------------------------

/// `auth_info.agent[].privilege`: the app's visible range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Privilege {
    pub allow_party: Vec<u64>,
    pub allow_user: Vec<String>,
    pub allow_tag: Vec<u64>,
    pub extra_party: Vec<u64>,
    pub extra_user: Vec<String>,
    pub extra_tag: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub agentid: u64,
    /// 0: authorised by an admin; 1: by a member (`auth_mode`,
    /// document/path/100779), when WeCom gives no admin list (100073).
    #[serde(default)]
    pub auth_mode: u8,
    #[serde(default)]
    pub privilege: Privilege,
}

/// `auth_mode` of a member-authorised install (document/path/100779:
/// 「授权模式，0为管理员授权；1为成员授权」).
pub const MEMBER_AUTHORISED: u8 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthInfo {
    #[serde(default)]
    pub agent: Vec<Agent>,
}

impl AuthInfo {
    /// Our app's agent (a suite may hold several; we have one).
    pub fn our_agent(&self) -> Option<&Agent> {
        self.agent.first()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthCorpInfo {
    pub corpid: String,
    #[serde(default)]
    pub corp_name: String,
}

/// `service/get_permanent_code` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthCodeRequest {
    pub auth_code: String,
}

/// `service/get_permanent_code` reply; it carries a first corp token too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermanentCodeReply {
    pub permanent_code: String,
    pub auth_corp_info: AuthCorpInfo,
    pub auth_info: AuthInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

/// `service/get_auth_info` and `service/get_corp_token` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpCredential {
    pub auth_corpid: String,
    pub permanent_code: String,
}

/// `service/get_auth_info` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthInfoReply {
    pub auth_corp_info: AuthCorpInfo,
    pub auth_info: AuthInfo,
}

/// `service/get_admin_list` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminListRequest {
    pub auth_corpid: String,
    pub agentid: u64,
}

/// One admin of the app in an organisation: `auth_type` 1 may manage, 0 may look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admin {
    pub userid: String,
    #[serde(default)]
    pub auth_type: u8,
}

/// `agent/get_admin_list` (corp token) and `service/get_admin_list` reply;
/// member-authorised apps get no list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminList {
    #[serde(default)]
    pub admin: Vec<Admin>,
}

// ---- sign-in ------------------------------------------------------------------

/// `service/get_login_info` body (provider access token, document/path/
/// 91125): the `auth_code` WeCom's QR login or the admin console's
/// business-settings entry sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginInfoRequest {
    pub auth_code: String,
}

/// Who signed in (`user_info` of `get_login_info`, 91125).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginUser {
    pub userid: String,
    pub open_userid: String,
    pub name: String,
    pub avatar: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginCorp {
    pub corpid: String,
}

/// An app of the provider the admin may use, and how (`auth_type` 1
/// manage, 0 use).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginAgent {
    pub agentid: u64,
    pub auth_type: u8,
}

/// `service/get_login_info` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginInfo {
    /// 1 creator, 2 internal admin, 3 external admin, 4 delegated admin,
    /// 5 member (document/path/91125).
    pub usertype: u8,
    pub user_info: LoginUser,
    pub corp_info: LoginCorp,
    pub agent: Vec<LoginAgent>,
}

/// `service/auth/getuserinfo3rd` reply (suite access token, 91121): a
/// member of an organisation (`corpid`, `userid`, `open_userid`), or
/// someone of no organisation (`openid` only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OAuthUser {
    pub corpid: String,
    pub userid: String,
    pub open_userid: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub openid: String,
}

// ---- contacts API -------------------------------------------------------------

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

// ---- license API (provider token) -----------------------------------------------

/// Accounts of each type in an order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountCount {
    pub base_count: u64,
    pub external_contact_count: u64,
}

/// How long each account of an order lasts once activated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountDuration {
    #[serde(skip_serializing_if = "is_zero")]
    pub months: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub days: u64,
    /// A renewal to a set expiry (instead of months).
    #[serde(skip_serializing_if = "is_zero")]
    pub new_expire_time: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl AccountDuration {
    /// Whole days, a month counting [`MONTH_DAYS`].
    pub fn total_days(&self) -> u64 {
        self.days + MONTH_DAYS * self.months
    }
}

/// `license/get_order` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderId {
    pub order_id: String,
}

/// A body naming only the organisation (`get_auto_active_status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CorpOnly {
    pub corpid: String,
}

/// `license/list_order` body (document/path/95647, 97184): orders placed
/// in a window of at most 31 days (`start_time` and `end_time` together or
/// neither), one organisation's when `corpid` is given; cursor pages of at
/// most 1 000 (default 500).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListOrderRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corpid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// One order of `list_order`'s `order_list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub order_id: String,
    #[serde(with = "as_number", default)]
    pub order_type: OrderType,
}

/// `license/list_order` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderList {
    pub next_cursor: String,
    pub has_more: u8,
    pub order_list: Vec<OrderSummary>,
}

impl OrderList {
    /// The cursor of the next page, when WeCom says there is one.
    pub fn next(&self) -> Option<&str> {
        (self.has_more == 1 && !self.next_cursor.is_empty()).then_some(self.next_cursor.as_str())
    }
}

/// An order as `license/get_order` describes it. It lists neither codes
/// nor renewed members: `list_order_account` does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Order {
    pub order_id: String,
    #[serde(with = "as_number")]
    pub order_type: OrderType,
    #[serde(with = "as_number")]
    pub order_status: OrderStatus,
    pub corpid: String,
    /// In fen.
    pub price: u64,
    pub account_count: AccountCount,
    pub account_duration: AccountDuration,
    pub create_time: u64,
    pub pay_time: u64,
}

/// `license/get_order` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderReply {
    pub order: Order,
}

/// `license/list_order_account` body; `limit` and `cursor` are optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAccountsRequest {
    pub order_id: String,
    #[serde(default)]
    pub limit: u64,
    #[serde(default)]
    pub cursor: String,
}

/// `license/list_actived_account` body (also any corp-wide paged list);
/// `limit` and `cursor` are optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpPageRequest {
    pub corpid: String,
    #[serde(default)]
    pub limit: u64,
    #[serde(default)]
    pub cursor: String,
}

/// One account of an order (`list_order_account`, document/path/97186): a
/// purchase lists codes, a renewal lists the renewed members and no code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAccount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_code: Option<String>,
    #[serde(default)]
    pub userid: Option<String>,
    #[serde(rename = "type")]
    pub account_type: u8,
}

/// One bound account (`list_actived_account`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundAccount {
    pub userid: String,
    #[serde(rename = "type")]
    pub account_type: u8,
    #[serde(default)]
    pub active_time: u64,
    pub expire_time: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_code: Option<String>,
}

/// A page of a cursor-paged account list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage<T> {
    #[serde(default)]
    pub next_cursor: String,
    #[serde(default)]
    pub has_more: u8,
    #[serde(default = "Vec::new")]
    pub account_list: Vec<T>,
}

impl<T> AccountPage<T> {
    /// The cursor of the next page, when WeCom says there is one.
    pub fn next(&self) -> Option<&str> {
        (self.has_more == 1 && !self.next_cursor.is_empty()).then_some(self.next_cursor.as_str())
    }
}

/// An account as `get_active_info_by_code` / `_by_user` describe it;
/// binding fields once bound. Only `_by_code` carries `status`
/// (document/path/97189; `_by_user`, 97191, does not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveInfo {
    pub active_code: String,
    #[serde(rename = "type")]
    pub account_type: u8,
    #[serde(
        default,
        with = "as_opt_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<AccountStatus>,
    #[serde(default)]
    pub create_time: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_time: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<u64>,
}

/// `license/get_active_info_by_user` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpUser {
    pub corpid: String,
    pub userid: String,
}

/// `license/get_active_info_by_user` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActiveInfoByUser {
    pub active_status: u8,
    pub active_info_list: Vec<ActiveInfo>,
}

/// `license/get_active_info_by_code` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpCode {
    pub corpid: String,
    pub active_code: String,
}

/// `license/get_active_info_by_code` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveInfoByCode {
    pub active_info: ActiveInfo,
}

/// `license/batch_get_active_info_by_code` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpCodes {
    pub corpid: String,
    #[serde(default)]
    pub active_code_list: Vec<String>,
}

/// `license/batch_get_active_info_by_code` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActiveInfoList {
    pub active_info_list: Vec<ActiveInfo>,
    pub invalid_active_code_list: Vec<String>,
}

/// `license/active_account` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivateAccount {
    pub corpid: String,
    pub active_code: String,
    pub userid: String,
}

/// `license/active_account_by_type` body: WeCom binds the unbound code of
/// this type with the earliest activation deadline; its reply names no
/// code (document/path/97188, 95553).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivateByType {
    pub corpid: String,
    pub userid: String,
    #[serde(rename = "type")]
    pub account_type: u8,
}

/// A member and account type in a renewal (`create_renew_order_job`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewAccount {
    pub userid: String,
    #[serde(rename = "type")]
    pub account_type: u8,
}

/// `license/create_renew_order_job` body (document/path/95646, 97183).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewOrderJob {
    pub corpid: String,
    #[serde(default)]
    pub account_list: Vec<RenewAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobid: Option<String>,
}

/// A member `create_renew_order_job` would not take, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidRenewal {
    pub errcode: i64,
    #[serde(default)]
    pub errmsg: String,
    pub userid: String,
    #[serde(rename = "type")]
    pub account_type: u8,
}

/// `license/create_renew_order_job` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewOrderJobReply {
    pub jobid: String,
    #[serde(default)]
    pub invalid_account_list: Vec<InvalidRenewal>,
}

/// `license/submit_order_job` body: the job becomes a renewal order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitOrderJob {
    pub jobid: String,
    #[serde(default)]
    pub buyer_userid: String,
    #[serde(default)]
    pub account_duration: AccountDuration,
}

/// `license/submit_order_job` (and `create_new_order`) reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedOrder {
    pub order_id: String,
}

/// One member to bind a code to, in `license/batch_active_account`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activation {
    pub active_code: String,
    pub userid: String,
}

/// `license/batch_active_account` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchActivate {
    pub corpid: String,
    #[serde(default)]
    pub active_list: Vec<Activation>,
}

/// One outcome of `license/batch_active_account`: `errcode` 0 or a 7010xx.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationResult {
    pub active_code: String,
    #[serde(default)]
    pub userid: String,
    pub errcode: i64,
}

/// `license/batch_active_account` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchActivateReply {
    #[serde(default)]
    pub active_result: Vec<ActivationResult>,
}

/// One seat move in `license/batch_transfer_license`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub handover_userid: String,
    pub takeover_userid: String,
}

/// `license/batch_transfer_license` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchTransfer {
    pub corpid: String,
    #[serde(default)]
    pub transfer_list: Vec<Transfer>,
}

/// One outcome of `license/batch_transfer_license`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferResult {
    pub handover_userid: String,
    pub takeover_userid: String,
    pub errcode: i64,
}

/// `license/batch_transfer_license` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchTransferReply {
    #[serde(default)]
    pub transfer_result: Vec<TransferResult>,
}

/// `license/get_app_license_info` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppLicenseRequest {
    pub corpid: String,
    pub suite_id: String,
}

/// The trial window WeCom counts (`trail_info`, sic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialInfo {
    pub start_time: u64,
    pub end_time: u64,
}

/// `license/get_app_license_info` reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppLicenseInfo {
    pub license_status: Option<u64>,
    /// Only when `license_status` is 1 and the organisation has a trial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trail_info: Option<TrialInfo>,
    pub license_check_time: Option<u64>,
}

/// `license/set_auto_active_status` body and `get_auto_active_status` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoActiveStatus {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub corpid: String,
    pub auto_active_status: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_reads_wecoms_documented_example() {
        // Shape of the example on WeCom's get_order page (document/path/95648).
        let o: OrderReply = serde_json::from_str(
            r#"{"errcode":0,"errmsg":"ok","order":{"order_id":"OI0000","order_type":1,
            "order_status":1,"corpid":"CORPID","price":10000,
            "account_count":{"base_count":100,"external_contact_count":50},
            "account_duration":{"months":2},"create_time":1640000000,"pay_time":1640000100}}"#,
        )
        .unwrap();
        assert_eq!(o.order.account_count.external_contact_count, 50);
        assert_eq!(o.order.account_duration.total_days(), 62);
        assert_eq!(o.order.pay_time, 1640000100);
        assert_eq!(o.order.order_status, OrderStatus::Paid);
        assert_eq!(o.order.order_type, OrderType::Purchase);
        assert_eq!(o.order.price, 10000);
    }

    #[test]
    fn wecoms_numbers_read_as_words_and_unknown_ones_are_kept() {
        assert_eq!(RefundOutcome::from(1), RefundOutcome::Refunded);
        assert_eq!(RefundOutcome::from(2), RefundOutcome::Rejected);
        assert_eq!(
            RefundOutcome::from(4),
            RefundOutcome::Unknown(4),
            "4 is get_order's"
        );
        assert_eq!(OrderStatus::from(6), OrderStatus::RefundRejected);
        assert_eq!(u32::from(OrderStatus::Invalidated), 7);
        assert_eq!(OrderStatus::from(8), OrderStatus::Unknown(8));
        assert_eq!(u32::from(OrderStatus::Unknown(8)), 8);
        assert_eq!(
            Option::<OrderStatus>::from(RefundOutcome::Refunded),
            Some(OrderStatus::Refunded)
        );
        assert_eq!(
            Option::<OrderStatus>::from(RefundOutcome::Rejected),
            Some(OrderStatus::RefundRejected)
        );
        assert_eq!(Option::<OrderStatus>::from(RefundOutcome::Unknown(3)), None);
        for n in 1..=6 {
            assert_eq!(u32::from(AccountStatus::from(n)), n);
            assert!(!matches!(AccountStatus::from(n), AccountStatus::Unknown(_)));
        }
        assert_eq!(AccountStatus::from(0), AccountStatus::Unknown(0));
        assert_eq!(AccountStatus::DOCUMENTED.len(), 6);
        assert_eq!(
            serde_json::to_string(&OrderStatus::RefundRequested).unwrap(),
            "\"refund_requested\"",
            "our own JSON says the word"
        );
        assert_eq!(
            serde_json::to_string(&OrderType::Unknown(9)).unwrap(),
            "\"unknown_9\"",
            "an unknown number is shown with its number"
        );
        for s in OrderStatus::DOCUMENTED
            .iter()
            .copied()
            .chain([OrderStatus::Unknown(42)])
        {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(serde_json::from_str::<OrderStatus>(&json).unwrap(), s);
        }
        assert!(serde_json::from_str::<OrderStatus>("\"unknown_x\"").is_err());
        assert!(serde_json::from_str::<OrderStatus>("\"payed\"").is_err());
    }

    #[test]
    fn a_reply_with_a_number_wecom_added_later_still_reads() {
        // order_type 6 and order_status 7 were added after the first
        // reading; a 9 tomorrow must not lose the payment push.
        let o: OrderReply = serde_json::from_str(
            r#"{"errcode":0,"errmsg":"ok","order":{"order_id":"OI1","order_type":9,
            "order_status":11,"account_count":{"base_count":1},
            "account_duration":{"months":1},"create_time":1,"pay_time":2}}"#,
        )
        .unwrap();
        assert_eq!(o.order.order_type, OrderType::Unknown(9));
        assert_eq!(o.order.order_status, OrderStatus::Unknown(11));
        assert!(!o.order.order_status.codes_usable());
        let back = serde_json::to_value(&o.order).unwrap();
        assert_eq!(back["order_type"], 9, "WeCom's wire keeps the number");
        let info: ActiveInfoList = serde_json::from_str(
            r#"{"active_info_list":[{"active_code":"C","type":1,"status":7}]}"#,
        )
        .unwrap();
        assert_eq!(
            info.active_info_list[0].status,
            Some(AccountStatus::Unknown(7))
        );
    }

    #[test]
    fn codes_are_usable_only_while_the_order_stands_paid() {
        let usable: Vec<OrderStatus> = OrderStatus::DOCUMENTED
            .iter()
            .copied()
            .filter(|s| s.codes_usable())
            .collect();
        assert_eq!(
            usable,
            [
                OrderStatus::Paid,
                OrderStatus::RefundRequested,
                OrderStatus::RefundRejected
            ]
        );
    }

    #[test]
    fn a_renewal_orders_accounts_name_members_and_no_code() {
        let page: AccountPage<OrderAccount> = serde_json::from_str(
            r#"{"next_cursor":"","has_more":0,"account_list":[{"userid":"dev1","type":1}]}"#,
        )
        .unwrap();
        assert_eq!(page.account_list[0].active_code, None);
        assert_eq!(page.account_list[0].userid.as_deref(), Some("dev1"));
    }

    #[test]
    fn only_the_by_code_answer_carries_a_status() {
        let by_user: ActiveInfoByUser = serde_json::from_str(
            r#"{"active_status":1,"active_info_list":[{"active_code":"C","type":1,"userid":"u","active_time":1,"expire_time":2}]}"#,
        )
        .unwrap();
        assert_eq!(by_user.active_info_list[0].status, None);
        let by_code: ActiveInfoByCode = serde_json::from_str(
            r#"{"active_info":{"active_code":"C","type":1,"status":4,"create_time":1}}"#,
        )
        .unwrap();
        assert_eq!(
            by_code.active_info.status,
            Some(AccountStatus::AwaitingTransfer)
        );
    }

    #[test]
    fn a_page_has_a_next_cursor_only_when_wecom_says_more() {
        let more: AccountPage<OrderAccount> = serde_json::from_str(
            r#"{"next_cursor":"c2","has_more":1,"account_list":[{"active_code":"A","type":2}]}"#,
        )
        .unwrap();
        assert_eq!(more.next(), Some("c2"));
        assert_eq!(more.account_list[0].active_code.as_deref(), Some("A"));
        assert_eq!(more.account_list[0].userid, None);
        let last: AccountPage<OrderAccount> =
            serde_json::from_str(r#"{"next_cursor":"c3","has_more":0,"account_list":[]}"#).unwrap();
        assert_eq!(last.next(), None);
    }

    #[test]
    fn license_info_keeps_wecoms_trail_spelling() {
        let info: AppLicenseInfo = serde_json::from_str(
            r#"{"license_status":1,"trail_info":{"start_time":10,"end_time":20},"license_check_time":10}"#,
        )
        .unwrap();
        assert_eq!(
            info.trail_info,
            Some(TrialInfo {
                start_time: 10,
                end_time: 20
            })
        );
        let out = serde_json::to_string(&info).unwrap();
        assert!(out.contains("\"trail_info\""), "{out}");
    }
}
