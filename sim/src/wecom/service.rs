//! WeCom's service API (`cgi-bin/service/*`): suite and provider tokens,
//! the install (pre-auth code, permanent code), the organisation's
//! authorisation, its corp tokens and the app's admins. Bodies and replies
//! are `domain::wecom`'s wire types where the worker reads them.

use crate::sim::Sim;
use crate::state::{credential, Corp, State, EXTERNAL_ADMIN, PRE_AUTH_CODE_TTL, SUITE_TICKET_TTL};
use crate::wire::{body, err, no_such_api, ok, Refusal, Reply, Req};
use domain::wecom::{
    Admin, AdminList, AdminListRequest, Agent, AuthCodeRequest, AuthCorpInfo, AuthInfo,
    AuthInfoReply, CorpCredential, CorpToken, PermanentCodeReply, Privilege, ProviderToken,
    ProviderTokenRequest, SuiteToken, SuiteTokenRequest,
};
use serde::Serialize;

/// Suite, provider and corp tokens live two hours (WeCom's token docs).
const TOKEN_TTL: u64 = 7200;

const BAD_PERMANENT_CODE: Refusal = Refusal::new(40084, "invalid permanent_code");
const BAD_AGENT: Refusal = Refusal::new(40056, "invalid agentid");
const AUTH_CANCELLED: Refusal = Refusal::new(48004, "api forbidden for auth relation invalid");

#[derive(Serialize)]
struct PreAuthCode {
    pre_auth_code: String,
    expires_in: u64,
}

/// `get_permanent_code` reply: the shared shape plus the admin who
/// installed (`auth_user_info`), which WeCom sends and the worker ignores.
#[derive(Serialize)]
struct PermanentCode {
    #[serde(flatten)]
    reply: PermanentCodeReply,
    auth_user_info: AuthUser,
}

#[derive(Serialize)]
struct AuthUser {
    userid: String,
    open_userid: String,
    name: String,
}

/// Checks `suite_access_token`: 41022 missing, 40082 unknown, 42009 expired.
pub(super) fn suite_token_ok(state: &State, req: &Req) -> Result<(), Reply> {
    let Some(token) = req.query("suite_access_token").filter(|t| !t.is_empty()) else {
        return Err(err(41022, "missing suite_access_token"));
    };
    match state.suite_tokens.get(token) {
        None => Err(err(40082, "invalid suite_token")),
        Some(&exp) if exp <= state.now() => Err(err(42009, "suite_access_token expired")),
        Some(_) => Ok(()),
    }
}

/// An installed organisation whose permanent code matches: 40084 otherwise,
/// 48004 once the authorisation was cancelled.
fn authorised<'a>(state: &'a State, credential: &CorpCredential) -> Result<&'a Corp, Reply> {
    let corp = state
        .corps
        .get(&credential.auth_corpid)
        .ok_or_else(|| BAD_PERMANENT_CODE.reply())?;
    if !corp.installed {
        return Err(AUTH_CANCELLED.reply());
    }
    if corp.permanent_code.as_deref() != Some(credential.permanent_code.as_str()) {
        return Err(BAD_PERMANENT_CODE.reply());
    }
    Ok(corp)
}

fn auth_corp_info(corp: &Corp) -> AuthCorpInfo {
    AuthCorpInfo {
        corpid: corp.corp_id.clone(),
        corp_name: corp.corp_name.clone(),
    }
}

/// Our one app and its visible range, as the admin set it.
fn auth_info(corp: &Corp) -> AuthInfo {
    AuthInfo {
        agent: vec![Agent {
            agentid: corp.agent_id,
            auth_mode: corp.auth_mode,
            privilege: Privilege {
                allow_party: corp.range.party.clone(),
                allow_user: corp.range.user.clone(),
                allow_tag: corp.range.tag.clone(),
                ..Privilege::default()
            },
        }],
    }
}

fn issue_corp_token(state: &mut State, corp_id: &str) -> String {
    let token = credential(64);
    let exp = state.now() + TOKEN_TTL;
    state
        .corp_tokens
        .insert(token.clone(), (corp_id.to_owned(), exp));
    token
}

/// The app's admins as WeCom lists them.
/// The admin list WeCom gives (`agent/get_admin_list`, 100073): no
/// external admins (「不包括外部管理员」), and none at all for a
/// member-authorised install (「成员授权模式下，不返回管理员列表」).
pub fn admins_of(corp: &Corp) -> AdminList {
    if corp.auth_mode == 1 {
        return AdminList::default();
    }
    AdminList {
        admin: corp
            .admins
            .iter()
            .filter(|a| a.usertype != EXTERNAL_ADMIN)
            .map(|a| Admin {
                userid: a.userid.clone(),
                auth_type: a.auth_type,
            })
            .collect(),
    }
}

/// Answers the other `cgi-bin/*` routes (`path` without `cgi-bin/`).
pub fn handle(sim: &Sim, req: &Req, path: &str) -> Reply {
    let mut state = sim.state();
    let reply = match (req.method.as_str(), path) {
        ("POST", "service/get_suite_token") => suite_token(sim, &mut state, req),
        ("POST", "service/get_provider_token") => provider_token(sim, &mut state, req),
        ("GET", "service/get_pre_auth_code") => pre_auth_code(&mut state, req),
        ("POST", "service/get_permanent_code") => permanent_code(&mut state, req),
        ("POST", "service/get_auth_info") => authorisation(&state, req),
        ("POST", "service/get_corp_token") => corp_token(&mut state, req),
        ("POST", "service/get_admin_list") => admin_list(&state, req),
        _ => Err(no_such_api()),
    };
    reply.unwrap_or_else(|e| e)
}

fn suite_token(sim: &Sim, state: &mut State, req: &Req) -> Result<Reply, Reply> {
    let asked: SuiteTokenRequest = body(req, Refusal::new(40083, "invalid suite_id"))?;
    if asked.suite_id != sim.config.suite_id {
        return Err(err(40083, "invalid suite_id"));
    }
    if asked.suite_secret != sim.config.suite_secret {
        return Err(err(40080, "invalid suite_secret"));
    }
    let now = state.now();
    let valid = state
        .suite_tickets
        .iter()
        .any(|(t, at)| *t == asked.suite_ticket && at + SUITE_TICKET_TTL > now);
    if !valid {
        return Err(err(40085, "invalid suite_ticket"));
    }
    let token = credential(64);
    state.suite_tokens.insert(token.clone(), now + TOKEN_TTL);
    Ok(ok(&SuiteToken {
        suite_access_token: token,
        expires_in: TOKEN_TTL,
    }))
}

fn provider_token(sim: &Sim, state: &mut State, req: &Req) -> Result<Reply, Reply> {
    let asked: ProviderTokenRequest = body(req, Refusal::new(40013, "invalid corpid"))?;
    if asked.corpid != sim.config.provider_corpid {
        return Err(err(40013, "invalid corpid"));
    }
    if asked.provider_secret != sim.config.provider_secret {
        return Err(err(40001, "invalid secret"));
    }
    let token = credential(64);
    let exp = state.now() + TOKEN_TTL;
    state.provider_tokens.insert(token.clone(), exp);
    Ok(ok(&ProviderToken {
        provider_access_token: token,
        expires_in: TOKEN_TTL,
    }))
}

fn pre_auth_code(state: &mut State, req: &Req) -> Result<Reply, Reply> {
    suite_token_ok(state, req)?;
    let code = credential(32);
    let exp = state.now() + PRE_AUTH_CODE_TTL;
    state.pre_auth_codes.insert(code.clone(), exp);
    Ok(ok(&PreAuthCode {
        pre_auth_code: code,
        expires_in: PRE_AUTH_CODE_TTL,
    }))
}

/// The install completes: the auth code (good once, for 10 minutes) is
/// exchanged for a permanent code and a first corp token.
fn permanent_code(state: &mut State, req: &Req) -> Result<Reply, Reply> {
    suite_token_ok(state, req)?;
    let asked: AuthCodeRequest = body(req, Refusal::new(40078, "invalid auth_code"))?;
    let now = state.now();
    let corp_id = match state.auth_codes.remove(&asked.auth_code) {
        Some((corp_id, exp)) if exp > now => corp_id,
        _ => return Err(err(40078, "invalid auth_code")),
    };
    let permanent_code = credential(43);
    let token = issue_corp_token(state, &corp_id);
    let corp = state
        .corps
        .get_mut(&corp_id)
        .ok_or_else(|| err(40078, "invalid auth_code"))?;
    corp.installed = true;
    corp.first_installed_at.get_or_insert(now);
    corp.permanent_code = Some(permanent_code.clone());
    let admin = corp
        .admins
        .first()
        .map(|a| a.userid.clone())
        .unwrap_or_default();
    Ok(ok(&PermanentCode {
        reply: PermanentCodeReply {
            permanent_code,
            auth_corp_info: auth_corp_info(corp),
            auth_info: auth_info(corp),
            access_token: Some(token),
            expires_in: Some(TOKEN_TTL),
        },
        auth_user_info: AuthUser {
            open_userid: format!("wo{admin}"),
            name: admin.clone(),
            userid: admin,
        },
    }))
}

fn authorisation(state: &State, req: &Req) -> Result<Reply, Reply> {
    suite_token_ok(state, req)?;
    let corp = authorised(state, &body(req, BAD_PERMANENT_CODE)?)?;
    Ok(ok(&AuthInfoReply {
        auth_corp_info: auth_corp_info(corp),
        auth_info: auth_info(corp),
    }))
}

fn corp_token(state: &mut State, req: &Req) -> Result<Reply, Reply> {
    suite_token_ok(state, req)?;
    let corp_id = authorised(state, &body(req, BAD_PERMANENT_CODE)?)?
        .corp_id
        .clone();
    Ok(ok(&CorpToken {
        access_token: issue_corp_token(state, &corp_id),
        expires_in: TOKEN_TTL,
    }))
}

/// The old, suite-token way to read the admins (page 90606; WeCom no
/// longer maintains it but still answers).
fn admin_list(state: &State, req: &Req) -> Result<Reply, Reply> {
    suite_token_ok(state, req)?;
    let asked: AdminListRequest = body(req, BAD_AGENT)?;
    let corp = state
        .corps
        .get(&asked.auth_corpid)
        .filter(|c| c.installed)
        .ok_or_else(|| AUTH_CANCELLED.reply())?;
    if asked.agentid != corp.agent_id {
        return Err(BAD_AGENT.reply());
    }
    Ok(ok(&admins_of(corp)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Range;

    fn installing(sim: &Sim) -> (String, String) {
        let mut state = sim.state();
        let corp: Corp = serde_json::from_value(serde_json::json!({
            "corp_id": "wwcorp", "corp_name": "Corp", "admins": ["boss"],
        }))
        .unwrap();
        state.corps.insert("wwcorp".into(), corp);
        state.corps.get_mut("wwcorp").unwrap().range = Range {
            party: vec![2],
            user: vec!["solo".into()],
            tag: vec![],
        };
        let token = credential(64);
        let exp = state.now() + TOKEN_TTL;
        state.suite_tokens.insert(token.clone(), exp);
        (token, state.new_auth_code("wwcorp"))
    }

    #[test]
    fn permanent_code_reply_is_the_shared_wire_type() {
        let sim = Sim::for_tests();
        let (token, code) = installing(&sim);
        let req = Req::for_tests(
            "POST",
            &format!("/cgi-bin/service/get_permanent_code?suite_access_token={token}"),
            &format!(r#"{{"auth_code":"{code}"}}"#),
        );
        let reply = handle(&sim, &req, "service/get_permanent_code");
        let read: PermanentCodeReply = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(read.auth_corp_info.corpid, "wwcorp");
        let agent = read.auth_info.our_agent().unwrap();
        assert_eq!(agent.privilege.allow_party, vec![2]);
        assert_eq!(agent.privilege.allow_user, vec!["solo".to_string()]);
        assert!(read.access_token.is_some());
        assert!(reply.body.contains(r#""auth_user_info":{"name":"boss""#));

        let again = handle(&sim, &req, "service/get_permanent_code");
        assert!(again.body.contains("40078"), "an auth code is good once");
    }

    fn post(sim: &Sim, path_and_query: &str, body: serde_json::Value) -> serde_json::Value {
        let req = Req::for_tests(
            "POST",
            &format!("/cgi-bin/{path_and_query}"),
            &body.to_string(),
        );
        let path = req.path.trim_start_matches("/cgi-bin/").to_owned();
        serde_json::from_str(&handle(sim, &req, &path).body).unwrap()
    }

    #[test]
    fn tokens_are_refused_with_wecoms_errcodes() {
        let sim = Sim::for_tests();
        let bad_secret = post(
            &sim,
            "service/get_suite_token",
            serde_json::json!({"suite_id": "wwsuite", "suite_secret": "nope", "suite_ticket": "x"}),
        );
        assert_eq!(bad_secret["errcode"], 40080);
        let bad_suite = post(
            &sim,
            "service/get_suite_token",
            serde_json::json!({"suite_id": "wwnope", "suite_secret": "x", "suite_ticket": "x"}),
        );
        assert_eq!(bad_suite["errcode"], 40083);
        let bad_ticket = post(
            &sim,
            "service/get_suite_token",
            serde_json::json!({"suite_id": "wwsuite", "suite_secret": "suite-secret", "suite_ticket": "stale"}),
        );
        assert_eq!(bad_ticket["errcode"], 40085);
        let no_token = post(
            &sim,
            "service/get_permanent_code",
            serde_json::json!({"auth_code": "x"}),
        );
        assert_eq!(no_token["errcode"], 41022);
        let bad_token = post(
            &sim,
            "service/get_auth_info?suite_access_token=forged",
            serde_json::json!({}),
        );
        assert_eq!(bad_token["errcode"], 40082);
        let provider = post(
            &sim,
            "service/get_provider_token",
            serde_json::json!({"corpid": "wwprovider", "provider_secret": "nope"}),
        );
        assert_eq!(provider["errcode"], 40001);
        let provider_ok = post(
            &sim,
            "service/get_provider_token",
            serde_json::json!({"corpid": "wwprovider", "provider_secret": "provider-secret"}),
        );
        assert_eq!(provider_ok["errcode"], 0);
        assert_eq!(provider_ok["expires_in"], 7200);
    }

    #[test]
    fn admin_list_with_an_unreadable_agentid_is_refused_as_a_bad_agent() {
        let sim = Sim::for_tests();
        let (token, _) = installing(&sim);
        let path = format!("/cgi-bin/service/get_admin_list?suite_access_token={token}");
        let req = Req::for_tests("POST", &path, r#"{"auth_corpid":"wwcorp","agentid":"1"}"#);
        assert!(handle(&sim, &req, "service/get_admin_list")
            .body
            .contains("40056"));
        let broken = Req::for_tests("POST", &path, "{");
        assert!(handle(&sim, &broken, "service/get_admin_list")
            .body
            .contains("47001"));
    }
}
