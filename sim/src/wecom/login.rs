//! Who signed in, as WeCom tells a provider: `service/get_login_info`
//! (provider token passed as `access_token`, document/path/91125) for the
//! QR login's `auth_code`, and `service/auth/getuserinfo3rd` (suite token,
//! 91121) for the OAuth `code`. Codes are single-use and live 5 minutes;
//! anything else is 40029 "invalid code".

use super::service::suite_token_ok;
use crate::sim::Sim;
use crate::state::{Corp, LoginKind, State};
use crate::wire::{body, err, ok, Refusal, Reply, Req};
use domain::wecom::{LoginAgent, LoginCorp, LoginInfo, LoginInfoRequest, LoginUser, OAuthUser};

const INVALID_CODE: Refusal = Refusal::new(40029, "invalid code");

/// WeCom's `usertype` for someone who is no admin: a member (5). An app
/// admin is what their entry says (internal, 2, unless set).
const MEMBER: u8 = 5;

/// The same member always gets the same `open_userid` from this provider.
pub fn open_userid(corp_id: &str, userid: &str) -> String {
    format!("wo{corp_id}_{userid}")
}

/// The provider token as `get_login_info` takes it: 41001 missing, 40014
/// unknown, 42001 expired.
fn provider_token_ok(state: &State, req: &Req) -> Result<(), Reply> {
    let token = req
        .query("access_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| err(41001, "access_token missing"))?;
    match state.provider_tokens.get(token) {
        None => Err(err(40014, "invalid access_token")),
        Some(&exp) if exp <= state.now() => Err(err(42001, "access_token expired")),
        Some(_) => Ok(()),
    }
}

fn name_of(corp: Option<&Corp>, userid: &str) -> String {
    corp.and_then(|c| c.users.iter().find(|u| u.userid == userid))
        .map_or_else(|| userid.to_owned(), |u| u.name.clone())
}

/// `POST service/get_login_info?access_token=PROVIDER_TOKEN {"auth_code"}`.
pub fn login_info(sim: &Sim, req: &Req) -> Reply {
    let mut state = sim.state();
    if let Err(refused) = provider_token_ok(&state, req) {
        return refused;
    }
    let asked: LoginInfoRequest = match body(req, INVALID_CODE) {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    let Some(code) = state.spend_login_code(&asked.auth_code, LoginKind::Qr) else {
        return INVALID_CODE.reply();
    };
    let corp = state.corps.get(&code.corp_id);
    let admin = corp.and_then(|c| c.admins.iter().find(|a| a.userid == code.userid));
    let agent = match (corp, admin) {
        (Some(c), Some(a)) if c.installed => vec![LoginAgent {
            agentid: c.agent_id,
            auth_type: a.auth_type,
        }],
        _ => vec![],
    };
    ok(&LoginInfo {
        usertype: admin.map_or(MEMBER, |a| a.usertype),
        user_info: LoginUser {
            userid: code.userid.clone(),
            open_userid: open_userid(&code.corp_id, &code.userid),
            name: name_of(corp, &code.userid),
            avatar: String::new(),
        },
        corp_info: LoginCorp {
            corpid: code.corp_id.clone(),
        },
        agent,
    })
}

/// `GET service/auth/getuserinfo3rd?suite_access_token=..&code=..`.
pub fn oauth_user(sim: &Sim, req: &Req) -> Reply {
    let mut state = sim.state();
    if let Err(refused) = suite_token_ok(&state, req) {
        return refused;
    }
    let code = req.query("code").unwrap_or_default().to_owned();
    let Some(code) = state.spend_login_code(&code, LoginKind::OAuth) else {
        return INVALID_CODE.reply();
    };
    ok(&OAuthUser {
        open_userid: open_userid(&code.corp_id, &code.userid),
        corpid: code.corp_id,
        userid: code.userid,
        openid: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LOGIN_CODE_TTL;
    use serde_json::Value;

    fn signed_up(sim: &Sim) {
        let mut state = sim.state();
        let corp: Corp = serde_json::from_value(serde_json::json!({
            "corp_id": "wwcorp", "corp_name": "Corp", "installed": true,
            "users": [{"userid": "boss", "name": "Boss"}, {"userid": "ann", "name": "Ann"}],
            "admins": [{"userid": "boss", "auth_type": 0}],
        }))
        .unwrap();
        state.corps.insert("wwcorp".into(), corp);
        let exp = state.now() + 3600;
        state.provider_tokens.insert("PTOK".into(), exp);
        state.suite_tokens.insert("STOK".into(), exp);
    }

    fn login(sim: &Sim, code: &str) -> Value {
        let body = serde_json::json!({ "auth_code": code }).to_string();
        let req = Req::for_tests(
            "POST",
            "/cgi-bin/service/get_login_info?access_token=PTOK",
            &body,
        );
        serde_json::from_str(&login_info(sim, &req).body).unwrap()
    }

    #[test]
    fn a_qr_code_names_the_admin_once() {
        let sim = Sim::for_tests();
        signed_up(&sim);
        let code = sim.state().new_login_code("wwcorp", "boss", LoginKind::Qr);
        let info = login(&sim, &code);
        assert_eq!(info["usertype"], 2);
        assert_eq!(info["corp_info"]["corpid"], "wwcorp");
        assert_eq!(info["user_info"]["userid"], "boss");
        assert_eq!(info["agent"][0]["auth_type"], 0);
        assert_eq!(login(&sim, &code)["errcode"], 40029, "a code is good once");
    }

    #[test]
    fn a_member_is_usertype_5_with_no_app() {
        let sim = Sim::for_tests();
        signed_up(&sim);
        let code = sim.state().new_login_code("wwcorp", "ann", LoginKind::Qr);
        let info = login(&sim, &code);
        assert_eq!(
            (
                info["usertype"].as_u64(),
                info["agent"].as_array().map(Vec::len)
            ),
            (Some(5), Some(0))
        );
    }

    #[test]
    fn codes_expire_after_five_minutes_and_do_not_cross_apis() {
        let sim = Sim::for_tests();
        signed_up(&sim);
        let oauth = sim
            .state()
            .new_login_code("wwcorp", "ann", LoginKind::OAuth);
        assert_eq!(
            login(&sim, &oauth)["errcode"],
            40029,
            "an OAuth code is no QR code"
        );
        let qr = sim.state().new_login_code("wwcorp", "ann", LoginKind::Qr);
        sim.state().clock_offset = LOGIN_CODE_TTL as i64;
        assert_eq!(login(&sim, &qr)["errcode"], 40029);
    }

    #[test]
    fn the_oauth_code_names_corp_and_member() {
        let sim = Sim::for_tests();
        signed_up(&sim);
        let code = sim
            .state()
            .new_login_code("wwcorp", "ann", LoginKind::OAuth);
        let path =
            format!("/cgi-bin/service/auth/getuserinfo3rd?suite_access_token=STOK&code={code}");
        let user: Value =
            serde_json::from_str(&oauth_user(&sim, &Req::for_tests("GET", &path, "")).body)
                .unwrap();
        assert_eq!(
            (user["corpid"].as_str(), user["userid"].as_str()),
            (Some("wwcorp"), Some("ann"))
        );
        assert!(user.get("openid").is_none());
        let again: Value =
            serde_json::from_str(&oauth_user(&sim, &Req::for_tests("GET", &path, "")).body)
                .unwrap();
        assert_eq!(again["errcode"], 40029);
        let forged = "/cgi-bin/service/auth/getuserinfo3rd?suite_access_token=nope&code=x";
        let refused: Value =
            serde_json::from_str(&oauth_user(&sim, &Req::for_tests("GET", forged, "")).body)
                .unwrap();
        assert_eq!(refused["errcode"], 40082);
    }
}
