//! The WeCom server API routes the worker calls (`/cgi-bin/...`), written
//! from WeCom's documentation: same shapes, same errcodes, HTTP 200 with an
//! `errcode` for errors.

use crate::sim::Sim;
use crate::state::{credential, Corp, State, AUTH_CODE_TTL, SUITE_TICKET_TTL};
use crate::wire::{err, no_such_api, ok, Reply, Req};
use serde_json::{json, Value};

const TOKEN_TTL: u64 = 7200;

fn body(req: &Req) -> Result<Value, Reply> {
    serde_json::from_slice(&req.body).map_err(|_| err(47001, "data format error"))
}

fn field<'a>(v: &'a Value, name: &str) -> &'a str {
    v[name].as_str().unwrap_or_default()
}

/// Checks `suite_access_token`: 41022 missing, 40082 unknown, 42009 expired.
fn suite_token_ok(state: &State, req: &Req) -> Result<(), Reply> {
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
fn authorised<'a>(state: &'a State, v: &Value) -> Result<&'a Corp, Reply> {
    let corp = state
        .corps
        .get(field(v, "auth_corpid"))
        .ok_or_else(|| err(40084, "invalid permanent_code"))?;
    if !corp.installed {
        return Err(err(48004, "api forbidden for auth relation invalid"));
    }
    if corp.permanent_code.as_deref() != Some(field(v, "permanent_code")) {
        return Err(err(40084, "invalid permanent_code"));
    }
    Ok(corp)
}

fn auth_corp_info(corp: &Corp) -> Value {
    json!({"corpid": corp.corp_id, "corp_name": corp.corp_name, "corp_type": "verified",
           "corp_user_max": 10000, "subject_type": 1})
}

fn auth_info(corp: &Corp) -> Value {
    json!({"agent": [{
        "agentid": corp.agent_id,
        "name": "草料二维码",
        "auth_mode": 0,
        "privilege": {
            "level": 1,
            "allow_party": corp.range.party,
            "allow_user": corp.range.user,
            "allow_tag": corp.range.tag,
            "extra_party": [], "extra_user": [], "extra_tag": [],
        }
    }]})
}

fn issue_corp_token(state: &mut State, corp_id: &str) -> String {
    let token = credential(64);
    let exp = state.now() + TOKEN_TTL;
    state
        .corp_tokens
        .insert(token.clone(), (corp_id.to_owned(), exp));
    token
}

/// Answers the other `cgi-bin/*` routes (`path` without `cgi-bin/`).
pub fn handle(sim: &Sim, req: &Req, path: &str) -> Reply {
    let cfg = &sim.config;
    let mut state = sim.state();
    let reply = (|| -> Result<Reply, Reply> {
        Ok(match (req.method.as_str(), path) {
            ("POST", "service/get_suite_token") => {
                let v = body(req)?;
                if field(&v, "suite_id") != cfg.suite_id {
                    return Err(err(40083, "invalid suite_id"));
                }
                if field(&v, "suite_secret") != cfg.suite_secret {
                    return Err(err(40080, "invalid suite_secret"));
                }
                let now = state.now();
                let ticket = field(&v, "suite_ticket");
                let valid = state
                    .suite_tickets
                    .iter()
                    .any(|(t, at)| t == ticket && at + SUITE_TICKET_TTL > now);
                if !valid {
                    return Err(err(40085, "invalid suite_ticket"));
                }
                let token = credential(64);
                state.suite_tokens.insert(token.clone(), now + TOKEN_TTL);
                ok(&json!({"suite_access_token": token, "expires_in": TOKEN_TTL}))
            }
            ("POST", "service/get_provider_token") => {
                let v = body(req)?;
                if field(&v, "corpid") != cfg.provider_corpid {
                    return Err(err(40013, "invalid corpid"));
                }
                if field(&v, "provider_secret") != cfg.provider_secret {
                    return Err(err(40001, "invalid secret"));
                }
                let token = credential(64);
                let exp = state.now() + TOKEN_TTL;
                state.provider_tokens.insert(token.clone(), exp);
                ok(&json!({"provider_access_token": token, "expires_in": TOKEN_TTL}))
            }
            ("GET", "service/get_pre_auth_code") => {
                suite_token_ok(&state, req)?;
                let code = credential(32);
                let exp = state.now() + AUTH_CODE_TTL;
                state.pre_auth_codes.insert(code.clone(), exp);
                ok(&json!({"pre_auth_code": code, "expires_in": AUTH_CODE_TTL}))
            }
            ("POST", "service/get_permanent_code") => {
                suite_token_ok(&state, req)?;
                let v = body(req)?;
                let now = state.now();
                // An auth code is good once, for 20 minutes.
                let corp_id = match state.auth_codes.remove(field(&v, "auth_code")) {
                    Some((corp_id, exp)) if exp > now => corp_id,
                    _ => return Err(err(40078, "invalid auth_code")),
                };
                let permanent_code = credential(43);
                let token = issue_corp_token(&mut state, &corp_id);
                let corp = state
                    .corps
                    .get_mut(&corp_id)
                    .ok_or_else(|| err(40078, "invalid auth_code"))?;
                corp.installed = true;
                corp.first_installed_at.get_or_insert(now);
                corp.permanent_code = Some(permanent_code.clone());
                let admin = corp.admins.first().cloned().unwrap_or_default();
                ok(&json!({
                    "access_token": token,
                    "expires_in": TOKEN_TTL,
                    "permanent_code": permanent_code,
                    "auth_corp_info": auth_corp_info(corp),
                    "auth_info": auth_info(corp),
                    "auth_user_info": {"userid": admin, "open_userid": format!("wo{admin}"), "name": admin},
                }))
            }
            ("POST", "service/get_auth_info") => {
                suite_token_ok(&state, req)?;
                let corp = authorised(&state, &body(req)?)?;
                ok(&json!({"auth_corp_info": auth_corp_info(corp), "auth_info": auth_info(corp)}))
            }
            ("POST", "service/get_corp_token") => {
                suite_token_ok(&state, req)?;
                let corp_id = authorised(&state, &body(req)?)?.corp_id.clone();
                let token = issue_corp_token(&mut state, &corp_id);
                ok(&json!({"access_token": token, "expires_in": TOKEN_TTL}))
            }
            ("POST", "service/get_admin_list") => {
                suite_token_ok(&state, req)?;
                let v = body(req)?;
                let corp = state
                    .corps
                    .get(field(&v, "auth_corpid"))
                    .filter(|c| c.installed)
                    .ok_or_else(|| err(48004, "api forbidden for auth relation invalid"))?;
                if v["agentid"].as_u64() != Some(corp.agent_id) {
                    return Err(err(40056, "invalid agentid"));
                }
                let admin: Vec<Value> = corp
                    .admins
                    .iter()
                    .map(|u| json!({"userid": u, "open_userid": format!("wo{u}"), "auth_type": 1}))
                    .collect();
                ok(&json!({"admin": admin}))
            }
            _ => return Err(no_such_api()),
        })
    })();
    reply.unwrap_or_else(|e| e)
}
