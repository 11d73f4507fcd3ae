//! Callbacks as WeCom sends them: encrypted and signed with the test
//! suite's (or the provider's) keys, posted to the Worker's callback URLs.

use crate::*;

/// A callback signed and encrypted with the test suite's credentials.
pub struct Callback {
    pub query: String,
    pub body: String,
}

pub fn crypt() -> domain::crypto::MsgCrypt {
    domain::crypto::MsgCrypt::new(&config("SUITE_TOKEN"), &config("SUITE_ENCODING_AES_KEY"))
        .unwrap()
}

/// The provider's system event URL keys (PROVIDER_TOKEN/_ENCODING_AES_KEY).
pub fn provider_crypt() -> domain::crypto::MsgCrypt {
    domain::crypto::MsgCrypt::new(
        &config("PROVIDER_TOKEN"),
        &config("PROVIDER_ENCODING_AES_KEY"),
    )
    .unwrap()
}

/// A callback signed and encrypted with the suite's keys.
pub fn signed_callback(plaintext: &str, receive_id: &str, timestamp: u64) -> Callback {
    signed_with(&crypt(), plaintext, receive_id, timestamp)
}

/// A callback signed and encrypted with `c`.
pub fn signed_with(
    c: &domain::crypto::MsgCrypt,
    plaintext: &str,
    receive_id: &str,
    timestamp: u64,
) -> Callback {
    let encrypted = c.encrypt(plaintext, receive_id, [42; 16]);
    let ts = timestamp.to_string();
    let sig = c.signature(&ts, "4242", &encrypted);
    Callback {
        query: format!("msg_signature={sig}&timestamp={ts}&nonce=4242"),
        body: format!("<xml><ToUserName><![CDATA[{receive_id}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>"),
    }
}

pub fn post_callback(route: &str, query: &str, body: &str) -> Answer {
    post_text(
        &browser(),
        &format!("{}/wecom/callback/{route}?{query}", edge()),
        body,
    )
}

/// Base64 is not URL-safe: `+`, `/` and `=` must be escaped in a query.
/// Percent-encodes a query-string value.
pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
