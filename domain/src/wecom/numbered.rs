//! WeCom's numbered enums: order, order type, account and refund
//! statuses, kept as `Unknown(n)` when WeCom sends a number its
//! documentation does not list yet.

use serde::{Deserialize, Serialize};

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
