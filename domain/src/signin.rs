//! What ties a WeCom sign-in to the browser that started it (login CSRF,
//! RFC 6749 §10.12): the `state` WeCom carries is also hashed into a
//! short-lived cookie, and the return counts only in the browser holding
//! it. The business-settings entry of WeCom's admin console brings a code
//! and no state (WeCom's design), so there the user confirms who they sign
//! in as, on our own origin, before a session is set ([`Confirmation`]).

use crate::session::{ct_eq, sign_json, verify_json, SessionError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The binding cookie over plain http (development and tests) and over
/// https (always in production): `__Host-` keeps sibling hosts from
/// setting or shadowing it.
pub const BINDING_COOKIE: &str = "ws_login";
pub const SECURE_BINDING_COOKIE: &str = "__Host-ws_login";

/// How long a business-settings confirmation may wait for its click.
pub const CONFIRM_TTL_SECS: u64 = 5 * 60;

pub fn binding_cookie_name(https: bool) -> &'static str {
    if https {
        SECURE_BINDING_COOKIE
    } else {
        BINDING_COOKIE
    }
}

/// The `Set-Cookie` value holding `value` for `max_age` seconds (0 clears
/// it): sent on the top-level navigation WeCom sends back (SameSite=Lax),
/// never readable by scripts.
pub fn set_binding_cookie(https: bool, value: &str, max_age: u64) -> String {
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        binding_cookie_name(https),
        if https { "; Secure" } else { "" }
    )
}

/// What the cookie holds for a sign-in's nonce: its SHA-256, hex, so the
/// cookie alone cannot be turned into the state.
pub fn binding(nonce: &str) -> String {
    let digest = Sha256::digest(format!("wecom-seats sign-in {nonce}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether the browser's cookie binds it to this nonce (constant time).
pub fn binding_holds(cookie: Option<&str>, nonce: &str) -> bool {
    cookie.is_some_and(|c| ct_eq(c.as_bytes(), binding(nonce).as_bytes()))
}

/// A business-settings sign-in waiting for its user's click: who WeCom
/// said signed in, the right to give them, signed and short-lived, its
/// nonce single-use (spent in D1) and bound to the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub nonce: String,
    pub corp_id: String,
    pub userid: String,
    /// An admin right `get_login_info` gave where WeCom's admin list does
    /// not name the user (`auth_type`), else `None`.
    pub granted: Option<u8>,
    pub expires_at: u64,
}

impl Confirmation {
    pub fn sign(&self, secret: &[u8]) -> Result<String, SessionError> {
        sign_json(self, secret)
    }

    pub fn verify(token: &str, secret: &[u8], now: u64) -> Result<Confirmation, SessionError> {
        let c: Confirmation = verify_json(token, secret)?;
        if c.expires_at <= now {
            return Err(SessionError::Expired);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test";

    #[test]
    fn only_the_browser_holding_the_nonces_hash_is_bound() {
        let held = binding("n1");
        assert_eq!(held.len(), 64);
        assert!(binding_holds(Some(&held), "n1"));
        assert!(!binding_holds(Some(&held), "n2"), "another sign-in's state");
        assert!(!binding_holds(None, "n1"), "a browser without the cookie");
        assert!(
            !binding_holds(Some("n1"), "n1"),
            "the nonce itself is not the binding"
        );
    }

    #[test]
    fn the_cookie_is_host_only_and_secure_over_https() {
        let c = set_binding_cookie(true, "v", 600);
        assert!(c.starts_with("__Host-ws_login=v; Path=/;"), "{c}");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("; Secure"));
        assert!(!c.contains("Domain"));
        assert!(set_binding_cookie(false, "v", 0).starts_with("ws_login=v;"));
    }

    #[test]
    fn a_confirmation_is_signed_and_expires() {
        let c = Confirmation {
            nonce: "n".into(),
            corp_id: "wwc".into(),
            userid: "boss".into(),
            granted: None,
            expires_at: 100,
        };
        let token = c.sign(SECRET).unwrap();
        assert_eq!(Confirmation::verify(&token, SECRET, 99).unwrap(), c);
        assert_eq!(
            Confirmation::verify(&token, SECRET, 100),
            Err(SessionError::Expired)
        );
        let forged = token.replacen('e', "f", 1);
        assert!(Confirmation::verify(&forged, SECRET, 99).is_err() || forged == token);
        assert!(Confirmation::verify(&token, b"another-secret-of-32-bytes-or-more!", 99).is_err());
    }
}
