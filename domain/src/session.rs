//! Sessions: a signed, expiring token bound to one organisation, one user
//! and one role, naming a server-side session row (`sid`) so that logout
//! and revocation end it on the server too.
//!
//! The token is `base64url(json) "." base64url(HMAC-SHA256(secret, json))`,
//! so a token for one organisation can never be replayed against another
//! (the corp id is inside the MAC), and a forged one costs no D1 query.
//! The sign-in `state` of WeCom's QR login and OAuth is a random nonce of
//! letters and digits, as WeCom takes it ([`is_login_state`]); D1 holds its
//! flow, expiry and whether it was spent.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a console session lives: one working day.
pub const SESSION_TTL_SECS: u64 = 8 * 3600;

/// Name of the cookie that carries the token over plain http (local
/// development and tests).
pub const COOKIE_NAME: &str = "ws_session";

/// Its name over https (always, in production). Browsers keep a `__Host-`
/// cookie only when it is `Secure`, `Path=/` and has no `Domain`, so no
/// sibling subdomain can set or shadow it (RFC 6265bis §4.1.3.2).
pub const SECURE_COOKIE_NAME: &str = "__Host-ws_session";

/// The cookie's name for a request that came over https or not.
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// The `Set-Cookie` value that stores `value` for `max_age` seconds
/// (0 clears it). Never readable by scripts; sent on top-level navigations
/// from other sites (a WeCom sign-in redirect lands signed in) but not on
/// their sub-requests or form posts.
pub fn set_cookie(https: bool, value: &str, max_age: u64) -> String {
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        cookie_name(https),
        if https { "; Secure" } else { "" }
    )
}

/// Who a session is for: an admin of the app (the console), or a member
/// (only their own `/api/v1/me` routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Member,
    /// The provider's operator: a member of the provider's own organisation
    /// named in `OPERATOR_USERIDS`, who reads every organisation (the desk).
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Operator => "operator",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The server-side session row this token names (random, 128 bits).
    pub sid: String,
    pub corp_id: String,
    pub userid: String,
    pub role: Role,
    /// Unix seconds.
    pub expires_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("session token is malformed")]
    Malformed,
    #[error("session token signature does not match")]
    BadSignature,
    #[error("session has expired")]
    Expired,
    #[error("session secret is too short (need at least 32 bytes)")]
    WeakSecret,
}

/// What WeCom lets an admin of the app do: `auth_type` of
/// `agent/get_admin_list` (page 100072), 1 = management permission,
/// 0 = message-sending only. Only managers change seats; the others look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminRight {
    Look,
    Manage,
}

impl AdminRight {
    pub fn from_auth_type(auth_type: u8) -> AdminRight {
        if auth_type == 1 {
            AdminRight::Manage
        } else {
            AdminRight::Look
        }
    }

    pub fn may_manage(self) -> bool {
        self == AdminRight::Manage
    }

    /// WeCom's `auth_type` for this right.
    pub fn auth_type(self) -> u8 {
        match self {
            AdminRight::Manage => 1,
            AdminRight::Look => 0,
        }
    }
}

/// `get_login_info`'s `usertype` of a plain member (document/path/91125):
/// 1 creator, 2 internal admin, 3 external admin and 4 delegated admin are
/// admins of the organisation.
pub const LOGIN_USERTYPE_MEMBER: u8 = 5;

/// The right `get_login_info` itself gives on our app (agent `our_agent`):
/// an admin of the organisation (`usertype` 1 to 4) whom WeCom lists among
/// the admins of our app (`agent[].auth_type`: 1 manages, 0 looks). Used
/// where WeCom's admin list cannot say (an external admin, whom the list
/// leaves out; a member-authorised install, which has no list:
/// document/path/100073). A member (5) or an admin of other apps gets none.
pub fn login_admin_right(info: &crate::wecom::LoginInfo, our_agent: u64) -> Option<AdminRight> {
    if !(1..LOGIN_USERTYPE_MEMBER).contains(&info.usertype) {
        return None;
    }
    info.agent
        .iter()
        .find(|a| a.agentid == our_agent)
        .map(|a| AdminRight::from_auth_type(a.auth_type))
}

/// Secrets shorter than this are refused: a guessable key forges sessions.
const MIN_SECRET_LEN: usize = 32;

/// The bearer keys (`ACCESS_API_KEY`, `OPERATOR_API_KEY`) are refused when
/// shorter than a session secret may be, or when one is the other (the
/// product's key would then act as the provider's operator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyProblem {
    #[error("{0} must be at least 32 bytes")]
    Short(&'static str),
    #[error("ACCESS_API_KEY and OPERATOR_API_KEY must differ")]
    Same,
}

/// Checks the configured bearer keys (unset ones are not checked: their
/// routes then refuse).
pub fn check_api_keys(access: Option<&str>, operator: Option<&str>) -> Result<(), KeyProblem> {
    for (name, key) in [("ACCESS_API_KEY", access), ("OPERATOR_API_KEY", operator)] {
        if key.is_some_and(|k| k.len() < MIN_SECRET_LEN) {
            return Err(KeyProblem::Short(name));
        }
    }
    match (access, operator) {
        (Some(a), Some(o)) if ct_eq(a.as_bytes(), o.as_bytes()) => Err(KeyProblem::Same),
        _ => Ok(()),
    }
}

/// How long a sign-in `state` may wait for WeCom to send the user back:
/// WeCom's own codes live 5 minutes (auth_code, OAuth code: document/path/
/// 91121), a QR page may stay open a little longer before it is scanned.
pub const LOGIN_STATE_TTL_SECS: u64 = 10 * 60;

/// Which sign-in a `state` was issued for; one cannot stand in for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginFlow {
    /// The admin's desktop QR login (`3rd_qrConnect`).
    Qr,
    /// The admin's newer web login (`wwlogin/sso/login`, 98171).
    Web,
    /// The member's OAuth inside WeCom's webview.
    OAuth,
    /// The business-settings entry's "continue as …?" step.
    Confirm,
    /// The provider's operator's QR login (`usertype=member`) to the desk.
    Desk,
}

impl LoginFlow {
    pub fn as_str(self) -> &'static str {
        match self {
            LoginFlow::Qr => "qr",
            LoginFlow::Web => "web",
            LoginFlow::OAuth => "oauth",
            LoginFlow::Confirm => "confirm",
            LoginFlow::Desk => "desk",
        }
    }
}

/// The longest `state` WeCom carries through its login and OAuth links
/// (「可以填写a-zA-Z0-9的参数值,长度不可超过128个字节」, document/path/91120;
/// the same for the install link, 90597).
pub const LOGIN_STATE_MAX_BYTES: usize = 128;

/// Whether `state` is one WeCom would carry (and we could have issued):
/// letters and digits only, 1 to 128 bytes. Anything else is refused
/// before D1 is asked.
pub fn is_login_state(state: &str) -> bool {
    (1..=LOGIN_STATE_MAX_BYTES).contains(&state.len())
        && state.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub(crate) fn sign_json<T: Serialize>(value: &T, secret: &[u8]) -> Result<String, SessionError> {
    let payload = serde_json::to_vec(value).map_err(|_| SessionError::Malformed)?;
    let tag = mac(secret, &payload)?;
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        URL_SAFE_NO_PAD.encode(tag)
    ))
}

/// Checks the MAC in constant time before reading anything in the payload.
pub(crate) fn verify_json<T: serde::de::DeserializeOwned>(
    token: &str,
    secret: &[u8],
) -> Result<T, SessionError> {
    let (payload_b64, tag_b64) = token.split_once('.').ok_or(SessionError::Malformed)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload_b64)
        .map_err(|_| SessionError::Malformed)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag_b64)
        .map_err(|_| SessionError::Malformed)?;
    let expected = mac(secret, &payload)?;
    if !ct_eq(&expected, &tag) {
        return Err(SessionError::BadSignature);
    }
    serde_json::from_slice(&payload).map_err(|_| SessionError::Malformed)
}

fn mac(secret: &[u8], payload: &[u8]) -> Result<Vec<u8>, SessionError> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(SessionError::WeakSecret);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| SessionError::WeakSecret)?;
    mac.update(payload);
    Ok(mac.finalize().into_bytes().to_vec())
}

impl Session {
    pub fn new(sid: &str, corp_id: &str, userid: &str, role: Role, now: u64) -> Self {
        Session {
            sid: sid.to_owned(),
            corp_id: corp_id.to_owned(),
            userid: userid.to_owned(),
            role,
            expires_at: now + SESSION_TTL_SECS,
        }
    }

    pub fn sign(&self, secret: &[u8]) -> Result<String, SessionError> {
        sign_json(self, secret)
    }

    /// Checks the MAC in constant time before reading anything in the payload.
    pub fn verify(token: &str, secret: &[u8], now: u64) -> Result<Session, SessionError> {
        let session: Session = verify_json(token, secret)?;
        if session.expires_at <= now {
            return Err(SessionError::Expired);
        }
        Ok(session)
    }
}

/// Constant-time equality for secrets and MACs.
/// Whether `userid` of `corp_id` is one of the provider's operators: a
/// member of the provider's own organisation named in the list. Each name
/// is compared in constant time; an unset provider or an empty list lets
/// nobody in.
pub fn is_operator(provider: &str, listed: &[String], corp_id: &str, userid: &str) -> bool {
    if provider.is_empty() || userid.is_empty() || !ct_eq(provider.as_bytes(), corp_id.as_bytes()) {
        return false;
    }
    listed.iter().fold(false, |found, u| {
        found | ct_eq(u.as_bytes(), userid.as_bytes())
    })
}

pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Finds one cookie's value in a `Cookie:` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn signed_session_verifies_and_keeps_its_organisation() {
        let token = Session::new("s1", "wwdemo01", "admin", Role::Admin, 1000)
            .sign(SECRET)
            .unwrap();
        let back = Session::verify(&token, SECRET, 1001).unwrap();
        assert_eq!(back.corp_id, "wwdemo01");
        assert_eq!(back.userid, "admin");
        assert_eq!(back.expires_at, 1000 + SESSION_TTL_SECS);
    }

    #[test]
    fn session_for_one_corp_cannot_be_rewritten_to_another() {
        let token = Session::new("s1", "wwdemo01", "admin", Role::Admin, 1000)
            .sign(SECRET)
            .unwrap();
        let (_, tag) = token.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Session::new("s1", "wwother", "admin", Role::Admin, 1000)).unwrap(),
        );
        let forged = format!("{forged_payload}.{tag}");
        assert_eq!(
            Session::verify(&forged, SECRET, 1001),
            Err(SessionError::BadSignature)
        );
    }

    #[test]
    fn session_signed_with_another_secret_is_refused() {
        let token = Session::new("s1", "wwdemo01", "admin", Role::Admin, 1000)
            .sign(SECRET)
            .unwrap();
        let other = b"ffffffffffffffffffffffffffffffff";
        assert_eq!(
            Session::verify(&token, other, 1001),
            Err(SessionError::BadSignature)
        );
    }

    #[test]
    fn expired_session_is_refused() {
        let token = Session::new("s1", "wwdemo01", "admin", Role::Admin, 1000)
            .sign(SECRET)
            .unwrap();
        assert_eq!(
            Session::verify(&token, SECRET, 1000 + SESSION_TTL_SECS),
            Err(SessionError::Expired)
        );
    }

    #[test]
    fn garbage_tokens_are_malformed_not_panics() {
        for token in ["", ".", "abc", "a.b", "!!!.???", "e30.", ".e30"] {
            assert!(Session::verify(token, SECRET, 0).is_err(), "{token:?}");
        }
    }

    #[test]
    fn over_https_the_cookie_is_host_prefixed_and_secure() {
        let c = set_cookie(true, "tok", 60);
        assert!(c.starts_with("__Host-ws_session=tok;"), "{c}");
        // What a browser demands of a __Host- cookie.
        assert!(c.contains("; Secure") && c.contains("; Path=/;"), "{c}");
        assert!(!c.to_ascii_lowercase().contains("domain="), "{c}");
        let local = set_cookie(false, "tok", 0);
        assert!(local.starts_with("ws_session=tok;") && !local.contains("Secure"));
        assert!(local.contains("HttpOnly") && local.contains("Max-Age=0"));
    }

    #[test]
    fn short_secret_is_refused() {
        assert_eq!(
            Session::new("s", "c", "u", Role::Member, 0).sign(b"short"),
            Err(SessionError::WeakSecret)
        );
    }

    #[test]
    fn a_member_session_cannot_be_rewritten_into_an_admin_one() {
        let token = Session::new("s1", "wwdemo01", "user05", Role::Member, 1000)
            .sign(SECRET)
            .unwrap();
        let back = Session::verify(&token, SECRET, 1001).unwrap();
        assert_eq!((back.role, back.sid.as_str()), (Role::Member, "s1"));
        let (_, tag) = token.split_once('.').unwrap();
        let admin = Session::new("s1", "wwdemo01", "user05", Role::Admin, 1000);
        let forged = format!(
            "{}.{tag}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&admin).unwrap())
        );
        assert_eq!(
            Session::verify(&forged, SECRET, 1001),
            Err(SessionError::BadSignature)
        );
    }

    #[test]
    fn get_login_info_gives_a_right_only_to_admins_listed_for_our_app() {
        use crate::wecom::{LoginAgent, LoginInfo};
        let info = |usertype: u8, agent: &[(u64, u8)]| LoginInfo {
            usertype,
            agent: agent
                .iter()
                .map(|&(agentid, auth_type)| LoginAgent { agentid, auth_type })
                .collect(),
            ..LoginInfo::default()
        };
        for usertype in 1..=4 {
            assert_eq!(
                login_admin_right(&info(usertype, &[(7, 1)]), 7),
                Some(AdminRight::Manage),
                "usertype {usertype}"
            );
        }
        assert_eq!(
            login_admin_right(&info(3, &[(7, 0)]), 7),
            Some(AdminRight::Look)
        );
        assert_eq!(login_admin_right(&info(5, &[(7, 1)]), 7), None, "a member");
        assert_eq!(login_admin_right(&info(0, &[(7, 1)]), 7), None);
        assert_eq!(
            login_admin_right(&info(2, &[(8, 1)]), 7),
            None,
            "another app"
        );
        assert_eq!(login_admin_right(&info(2, &[]), 7), None);
        assert_eq!(AdminRight::Manage.auth_type(), 1);
        assert_eq!(AdminRight::Look.auth_type(), 0);
    }

    #[test]
    fn bearer_keys_are_long_and_distinct() {
        let long = "k".repeat(32);
        let other = "o".repeat(40);
        assert_eq!(check_api_keys(Some(&long), Some(&other)), Ok(()));
        assert_eq!(check_api_keys(None, None), Ok(()));
        assert_eq!(check_api_keys(Some(&long), None), Ok(()));
        assert_eq!(
            check_api_keys(Some(&"k".repeat(31)), Some(&other)),
            Err(KeyProblem::Short("ACCESS_API_KEY"))
        );
        assert_eq!(
            check_api_keys(Some(&long), Some("short")),
            Err(KeyProblem::Short("OPERATOR_API_KEY"))
        );
        assert_eq!(
            check_api_keys(Some(&long), Some(&long)),
            Err(KeyProblem::Same)
        );
    }

    #[test]
    fn a_login_state_is_what_wecom_carries() {
        assert!(is_login_state("a1B2"));
        assert!(is_login_state(&"Z".repeat(LOGIN_STATE_MAX_BYTES)));
        for bad in ["", "v1.abc", "a-b", "a_b", "a b", "ä", &"Z".repeat(129)] {
            assert!(!is_login_state(bad), "{bad:?}");
        }
    }

    #[test]
    fn only_management_permission_may_manage() {
        assert!(AdminRight::from_auth_type(1).may_manage());
        assert!(!AdminRight::from_auth_type(0).may_manage());
        assert_eq!(
            AdminRight::from_auth_type(7),
            AdminRight::Look,
            "unknown types only look"
        );
    }

    #[test]
    fn cookie_value_finds_the_named_cookie_only() {
        let h = "a=1; ws_session=tok.en; ws_session_x=no";
        assert_eq!(cookie_value(h, "ws_session"), Some("tok.en"));
        assert_eq!(cookie_value(h, "missing"), None);
    }

    #[test]
    fn only_a_listed_member_of_the_providers_own_organisation_is_an_operator() {
        let listed = ["ops1".to_owned(), "ops2".to_owned()];
        assert!(is_operator("wwprov", &listed, "wwprov", "ops2"));
        assert!(
            !is_operator("wwprov", &listed, "wwother", "ops2"),
            "another organisation's ops2"
        );
        assert!(!is_operator("wwprov", &listed, "wwprov", "ops"), "a prefix");
        assert!(!is_operator("wwprov", &listed, "wwprov", ""));
        assert!(
            !is_operator("", &listed, "", "ops1"),
            "no provider configured"
        );
        assert!(!is_operator("wwprov", &[], "wwprov", "ops1"));
    }

    #[test]
    fn ct_eq_compares_contents_and_length() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
