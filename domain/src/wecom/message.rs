//! `message/send` with the organisation's corp token (third-party apps:
//! document/path/90372; the same call as 90236): a text card to members.

use serde::{Deserialize, Serialize};

/// Recipients of one call: `touser` takes at most 1 000 userids joined by
/// `|` (90236: 「多个接收者用'|'分隔，最多支持1000个」).
pub const MAX_RECIPIENTS: usize = 1000;
/// A text card's title and description (90236: 「不超过128个字符」,
/// 「不超过512个字符」, older copies say bytes: we keep to bytes, the
/// stricter reading; WeCom cuts what is longer).
pub const TITLE_MAX_BYTES: usize = 128;
pub const DESCRIPTION_MAX_BYTES: usize = 512;
/// The card's link (90236: 「最长2048字节」).
pub const URL_MAX_BYTES: usize = 2048;
/// The card's button text (90236: 「不超过4个文字」).
pub const BUTTON_MAX_CHARS: usize = 4;
/// Per app and member: 30 messages a minute and 1 000 an hour; the rest are
/// dropped without an error (90454: 「每应用对同一个成员不可超过30次/分钟，
/// 1000次/小时，超过部分会被丢弃不下发」).
pub const PER_MEMBER_PER_MINUTE: usize = 30;
pub const PER_MEMBER_PER_HOUR: usize = 1000;
/// Per app and day: 200 recipients for each account the organisation may
/// have (90454: 「每应用不可超过账号上限数*200人次/天」).
pub const RECIPIENTS_PER_ACCOUNT_PER_DAY: u64 = 200;
/// Every recipient unknown, out of range or without a base seat
/// (90236: 「如果全部接收人无权限或不存在，则本次调用返回失败，errcode为81013」).
pub const ALL_RECIPIENTS_INVALID: i64 = 81_013;
/// The app's daily quota spent (global errcodes: 「接口调用超过限制」).
pub const FREQ_OUT_OF_LIMIT: i64 = 45_009;

/// `message/send` body for a text card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextCardMessage {
    /// Userids joined by `|`.
    pub touser: String,
    /// `textcard`.
    pub msgtype: String,
    pub agentid: u64,
    pub textcard: TextCard,
    /// 1: WeCom drops the same body sent again within the interval.
    #[serde(default)]
    pub enable_duplicate_check: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_check_interval: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextCard {
    pub title: String,
    pub description: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub btntxt: String,
}

/// `message/send` reply: who did not get it, each list joined by `|`.
/// `unlicenseduser`: in range but without a base seat (90236:
/// 「unlicenseduser中的用户在应用可见范围内但没有基础接口权限」).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SendReply {
    pub invaliduser: String,
    pub invalidparty: String,
    pub invalidtag: String,
    pub unlicenseduser: String,
    pub msgid: String,
}

impl SendReply {
    /// The userids of a `|`-joined list.
    pub fn users(list: &str) -> Vec<String> {
        list.split('|')
            .filter(|u| !u.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// `text` cut to at most `max` bytes on a character boundary.
pub fn cut_bytes(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}
