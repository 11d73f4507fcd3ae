//! Request and response bodies of the `/api/v1` surface, shared by `edge`
//! (which writes them) and `app` (which reads them), so the two cannot drift.
//!
//! One file per feature: `signin`, `members`, `seats`, `audit`, `desk`, `desk_orders`, `dev`; what every
//! route shares (errors, pages, the access check, events, the JS-SDK
//! signature) is here.

use crate::wecom::{AccountStatus, OrderStatus, OrderType};
use serde::{Deserialize, Serialize};

mod alerts;
mod audit;
mod desk;
mod desk_orders;
mod dev;
mod members;
mod seats;
mod signin;

pub use alerts::*;
pub use audit::*;
pub use desk::*;
pub use desk_orders::*;
pub use dev::*;
pub use members::*;
pub use seats::*;
pub use signin::*;

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Health {
    pub ok: bool,
    pub d1: bool,
    pub kv: bool,
    pub version: String,
}

/// Every error answer: `{"error": {"code", "message"}}` (DESIGN §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    /// `sync_running` only: how far the sync that is running is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<SyncProgress>,
}

/// `GET /api/v1/corps/{corp_id}`: the organisation the session manages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Corp {
    pub corp_id: String,
    pub corp_name: String,
    pub installed_at: u64,
    pub first_installed_at: u64,
}

pub use crate::range::{Status, Via};

/// Whole numbers in request bodies. JSON (and the JSON Schema an OpenAPI
/// client validates against) counts `2.0` as the integer 2; serde's plain
/// integers refuse it. These accept an integer-valued number in range.
pub mod whole {
    use serde::de::{Deserializer, Error, Visitor};
    use serde::Deserialize;
    use std::fmt;

    /// A whole number, written with or without a fraction of zero.
    struct Whole(u64);

    impl<'de> Deserialize<'de> for Whole {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Whole;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a whole number")
                }
                fn visit_u64<E: Error>(self, v: u64) -> Result<Whole, E> {
                    Ok(Whole(v))
                }
                fn visit_i64<E: Error>(self, v: i64) -> Result<Whole, E> {
                    u64::try_from(v)
                        .map(Whole)
                        .map_err(|_| E::custom(format!("{v} is negative")))
                }
                fn visit_f64<E: Error>(self, v: f64) -> Result<Whole, E> {
                    // Below 2^53 every whole f64 is exact.
                    if v.fract() == 0.0 && (0.0..9_007_199_254_740_992.0).contains(&v) {
                        Ok(Whole(v as u64))
                    } else {
                        Err(E::custom("not a whole number in range"))
                    }
                }
            }
            d.deserialize_any(V)
        }
    }

    pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        Whole::deserialize(d).map(|Whole(n)| n)
    }

    pub fn u8<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
        let Whole(n) = Whole::deserialize(d)?;
        u8::try_from(n).map_err(|_| D::Error::custom(format!("{n} is out of range")))
    }

    /// WeCom's department ids, 32-bit whole numbers.
    pub fn department_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
        Vec::<Whole>::deserialize(d)?
            .into_iter()
            .map(|Whole(n)| match n <= u64::from(u32::MAX) {
                true => Ok(n),
                false => Err(D::Error::custom(format!("{n} is not a department id"))),
            })
            .collect()
    }

    #[cfg(test)]
    mod tests {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(deserialize_with = "super::u8")]
            t: u8,
            #[serde(deserialize_with = "super::department_ids")]
            l: Vec<u64>,
        }

        #[test]
        fn integer_valued_numbers_are_whole_and_others_are_refused() {
            let ok: T =
                serde_json::from_str(r#"{"t": 2.0, "l": [1, 4067.0, 4294967295]}"#).unwrap();
            assert_eq!((ok.t, ok.l), (2, vec![1, 4067, 4294967295]));
            for bad in [
                r#"{"t": 2.5, "l": []}"#,
                r#"{"t": 256, "l": []}"#,
                r#"{"t": 1, "l": [-1]}"#,
                r#"{"t": 1, "l": [1e25]}"#,
                r#"{"t": 1, "l": [4294967296]}"#,
                r#"{"t": "1", "l": []}"#,
            ] {
                assert!(serde_json::from_str::<T>(bad).is_err(), "{bad}");
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(rename = "{T}Page"))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    pub total: u64,
}

/// A list answer without paging (each route bounds its length, see its
/// description).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "openapi", schemars(rename = "{T}List"))]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// `POST /api/v1/access/check` body. A field empty, too long or of other
/// characters answers 400 `bad_request` naming it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AccessCheck {
    /// 1 to 64 ASCII letters and digits.
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 64), regex(pattern = r"^[A-Za-z0-9]+$"))
    )]
    pub corp_id: String,
    /// 1 to 64 bytes: ASCII letters, digits, `_`, `-`, `.` and `@`.
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 64), regex(pattern = r"^[A-Za-z0-9_.@-]+$"))
    )]
    pub userid: String,
    /// 1 to 64 bytes: lowercase ASCII letters, digits and `_`.
    #[cfg_attr(
        feature = "openapi",
        schemars(length(min = 1, max = 64), regex(pattern = r"^[a-z0-9_]+$"))
    )]
    pub operation: String,
}

/// `GET /api/v1/corps/{corp_id}/events`: WeCom's callbacks about the
/// organisation that are not applied yet. `backlog` are waiting in the
/// queue (or being retried); `failed` reached the dead-letter queue after
/// their last retry and wait for someone to retry them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventHealth {
    pub backlog: u64,
    pub failed: u64,
    /// The latest failed events, newest first (at most 20).
    pub failures: Vec<EventFailure>,
}

/// A callback that could not be applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventFailure {
    /// WeCom's kind (`InfoType` or `Event`), e.g. `change_contact.update_user`.
    pub kind: String,
    pub received_at: u64,
    pub failed_at: u64,
    /// Why the last try failed.
    pub error: String,
}

/// `POST /api/v1/corps/{corp_id}/events/retry`: how many failed events
/// were sent to the queue again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct EventsRetried {
    pub requeued: u64,
}

/// `GET /api/v1/corps/{corp_id}/jsapi/agent_config` query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AgentConfigQuery {
    /// The page's own URL as the browser has it (`location.href`); what
    /// follows `#` is not signed. At most 1024 bytes, http(s) only, no
    /// spaces or control characters.
    #[cfg_attr(
        feature = "openapi",
        schemars(
            length(min = 8, max = 1024),
            regex(
                pattern = r"^https?://[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000/#][^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
            )
        )
    )]
    pub url: String,
}

/// What `wx.agentConfig` needs (WeCom JS-SDK, page 96909): pass
/// `corp_id` as `corpid`, `agent_id` as `agentid`, `nonce_str` as
/// `nonceStr`. WeCom checks the signature against the page's URL and the
/// app's trusted domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AgentConfig {
    pub corp_id: String,
    pub agent_id: u64,
    /// Unix seconds, as signed.
    pub timestamp: u64,
    pub nonce_str: String,
    /// SHA-1 hex over the app's JS-SDK ticket, `nonce_str`, `timestamp`
    /// and the URL.
    pub signature: String,
    /// The URL that was signed (the given one without its fragment).
    pub url: String,
}
