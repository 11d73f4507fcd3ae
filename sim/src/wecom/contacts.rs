//! WeCom's contacts API as a third-party app sees it: only what is inside
//! the app's visible range. Departments in range bring their sub-departments;
//! members in range only as individuals (or through a tag's user list) come
//! with no departments, because the app may not see those departments.
//! Written from WeCom's documentation, independently of `domain::range`.

use crate::range::{visible, visible_departments, Visible};
use crate::sim::Sim;
use crate::state::{Corp, State, User};
use crate::wire::{err, no_such_api, ok, Reply, Req};
use serde_json::{json, Value};
use std::collections::HashSet;

fn user_json(user: &User, v: &Visible) -> Value {
    let depts = visible_departments(user, v);
    let mut j = json!({
        "userid": user.userid,
        "name": user.name,
        "department": depts,
        "status": user.status,
        "open_userid": format!("wo{}", user.userid),
    });
    if let Some(main) = depts.first() {
        j["main_department"] = json!(main);
    }
    j
}

/// The organisation an `access_token` was issued for: 41001 missing,
/// 40014 unknown, 42001 expired.
fn corp_for_token<'a>(state: &'a State, req: &Req) -> Result<&'a Corp, Reply> {
    let token = req
        .query("access_token")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| err(41001, "access_token missing"))?;
    let (corp_id, exp) = state
        .corp_tokens
        .get(token)
        .ok_or_else(|| err(40014, "invalid access_token"))?;
    if *exp <= state.now() {
        return Err(err(42001, "access_token expired"));
    }
    state
        .corps
        .get(corp_id)
        .filter(|c| c.installed)
        .ok_or_else(|| err(40014, "invalid access_token"))
}

fn number(req: &Req, name: &str) -> Option<u64> {
    req.query(name).and_then(|v| v.parse().ok())
}

/// Answers `cgi-bin/{department,user,tag}/*` (`path` without `cgi-bin/`).
pub fn handle(sim: &Sim, req: &Req, path: &str) -> Reply {
    let state = sim.state();
    let reply = (|| -> Result<Reply, Reply> {
        let corp = corp_for_token(&state, req)?;
        let v = visible(corp);
        Ok(match (req.method.as_str(), path) {
            ("GET", "department/list") => {
                let root = number(req, "id");
                let within: HashSet<u64> = match root {
                    None => v.departments.clone(),
                    Some(id) if v.departments.contains(&id) => {
                        let mut set = HashSet::from([id]);
                        let mut grew = true;
                        while grew {
                            grew = false;
                            for d in &corp.departments {
                                if set.contains(&d.parentid)
                                    && v.departments.contains(&d.id)
                                    && set.insert(d.id)
                                {
                                    grew = true;
                                }
                            }
                        }
                        set
                    }
                    Some(_) => {
                        return Err(err(
                            60011,
                            "no privilege to access/modify contact/party/agent",
                        ))
                    }
                };
                let list: Vec<Value> = corp
                    .departments
                    .iter()
                    .filter(|d| within.contains(&d.id))
                    .map(|d| json!({"id": d.id, "name": d.name, "parentid": d.parentid, "order": d.order}))
                    .collect();
                ok(&json!({"department": list}))
            }
            ("GET", "user/list" | "user/simplelist") => {
                let dept =
                    number(req, "department_id").ok_or_else(|| err(60123, "invalid party id"))?;
                if !corp.departments.iter().any(|d| d.id == dept) {
                    return Err(err(60123, "invalid party id"));
                }
                if !v.departments.contains(&dept) {
                    return Err(err(
                        60011,
                        "no privilege to access/modify contact/party/agent",
                    ));
                }
                let list: Vec<Value> = corp
                    .users
                    .iter()
                    .filter(|u| u.department.contains(&dept))
                    .map(|u| user_json(u, &v))
                    .collect();
                ok(&json!({"userlist": list}))
            }
            ("POST", "user/list_id") => {
                let body: Value = serde_json::from_slice(&req.body).unwrap_or(json!({}));
                let limit = body["limit"].as_u64().unwrap_or(1000).clamp(1, 10000) as usize;
                let start: usize = match body["cursor"].as_str().filter(|c| !c.is_empty()) {
                    None => 0,
                    Some(c) => c.parse().map_err(|_| err(50100, "invalid cursor"))?,
                };
                let pairs: Vec<Value> = corp
                    .users
                    .iter()
                    .flat_map(|u| {
                        visible_departments(u, &v)
                            .into_iter()
                            .map(move |d| json!({"userid": u.userid, "department": d}))
                    })
                    .skip(start)
                    .take(limit + 1)
                    .collect();
                let more = pairs.len() > limit;
                let page: Vec<Value> = pairs.into_iter().take(limit).collect();
                let next = if more {
                    (start + limit).to_string()
                } else {
                    String::new()
                };
                ok(&json!({"next_cursor": next, "dept_user": page}))
            }
            ("GET", "user/get") => {
                let userid = req.query("userid").unwrap_or_default();
                let user = corp
                    .users
                    .iter()
                    .find(|u| u.userid == userid)
                    .ok_or_else(|| err(60111, "userid not found"))?;
                if !v.sees(user) {
                    return Err(err(
                        60011,
                        "no privilege to access/modify contact/party/agent",
                    ));
                }
                ok(&user_json(user, &v))
            }
            ("GET", "tag/get") => {
                let tagid = number(req, "tagid").ok_or_else(|| err(40068, "invalid tagid"))?;
                let tag = corp
                    .tags
                    .iter()
                    .find(|t| t.tagid == tagid)
                    .ok_or_else(|| err(40068, "invalid tagid"))?;
                if !corp.range.tag.contains(&tagid) {
                    return Err(err(
                        60011,
                        "no privilege to access/modify contact/party/agent",
                    ));
                }
                let users: Vec<Value> = corp
                    .users
                    .iter()
                    .filter(|u| tag.userlist.contains(&u.userid))
                    .map(|u| json!({"userid": u.userid, "name": u.name}))
                    .collect();
                ok(&json!({"tagname": tag.tagname, "userlist": users, "partylist": tag.partylist}))
            }
            _ => return Err(no_such_api()),
        })
    })();
    reply.unwrap_or_else(|e| e)
}
