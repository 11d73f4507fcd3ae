//! WeCom's contacts API as a third-party app sees it (`department/list`,
//! `user/list`, `user/simplelist`, `user/list_id`, `user/get`, `tag/get`):
//! only what is inside the app's visible range (see `range`). Members in
//! range only as individuals (or through a tag's user list) come with no
//! departments, because the app may not see those departments.

use crate::range::{visible, visible_departments, Visible};
use crate::sim::Sim;
use crate::state::{self, Corp, State};
use crate::wire::{err, no_such_api, ok, Refusal, Reply, Req};
use domain::wecom::{Department, DepartmentList, Tag, TagUser, User};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// `user/list_id` pages: 1 000 pairs unless asked, at most 10 000 (WeCom's
/// user/list_id documentation).
const LIST_ID_PAGE: u64 = 1000;
const LIST_ID_PAGE_MAX: u64 = 10_000;

const NO_PRIVILEGE: Refusal =
    Refusal::new(60011, "no privilege to access/modify contact/party/agent");
const BAD_PARTY: Refusal = Refusal::new(60123, "invalid party id");
const BAD_TAG: Refusal = Refusal::new(40068, "invalid tagid");

/// A member as `user/list` and `user/get` give it: the shared shape plus
/// what WeCom also sends and the worker does not read (`status`,
/// `open_userid`, `main_department`).
#[derive(Serialize)]
struct Member {
    #[serde(flatten)]
    user: User,
    status: u8,
    open_userid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    main_department: Option<u64>,
}

/// `user/list` reply (`domain::wecom::UserList` with [`Member`]s).
#[derive(Serialize)]
struct MemberList {
    userlist: Vec<Member>,
}

/// `user/list_id` body; unreadable or missing fields read as defaults.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ListIdRequest {
    limit: Option<u64>,
    cursor: Option<String>,
}

/// One member in one department, as `user/list_id` pairs them.
#[derive(Serialize)]
struct DeptUser<'a> {
    userid: &'a str,
    department: u64,
}

#[derive(Serialize)]
struct DeptUserPage<'a> {
    next_cursor: String,
    dept_user: Vec<DeptUser<'a>>,
}

/// What a third-party app is told a member is called: WeCom stopped giving
/// third-party apps real names (for all of them since 2020-06-30) and sends
/// the userid in the name's place (pages 91122, 90196); only the JS-SDK's
/// `<ww-open-data>` shows the real one.
fn shown_name(user: &state::User) -> String {
    user.userid.clone()
}

/// A department's name as a third-party app gets it: its id (page 90344).
fn shown_department_name(d: &state::Department) -> String {
    d.id.to_string()
}

fn member(user: &state::User, v: &Visible) -> Member {
    let department = visible_departments(user, v);
    Member {
        main_department: department.first().copied(),
        status: user.status,
        open_userid: format!("wo{}", user.userid),
        user: User {
            userid: user.userid.clone(),
            name: shown_name(user),
            department,
        },
    }
}

/// The organisation an `access_token` was issued for: 41001 missing,
/// 40014 unknown, 42001 expired.
pub(super) fn corp_for_token<'a>(state: &'a State, req: &Req) -> Result<&'a Corp, Reply> {
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
    let corp_id = match corp_for_token(&state, req) {
        Ok(corp) => corp.corp_id.clone(),
        Err(e) => return e,
    };
    let corp = &state.corps[&corp_id];
    let v = visible(corp);
    let reply = match (req.method.as_str(), path) {
        ("GET", "department/list") => departments(corp, &v, number(req, "id")),
        ("GET", "user/list" | "user/simplelist") => members(corp, &v, req),
        ("POST", "user/list_id") => member_ids(corp, &v, req),
        ("GET", "user/get") => one_member(corp, &v, req.query("userid").unwrap_or_default()),
        ("GET", "tag/get") => tag(corp, number(req, "tagid")),
        _ => Err(no_such_api()),
    };
    reply.unwrap_or_else(|e| e)
}

/// The departments in range, or those under `root` (itself included).
fn departments(corp: &Corp, v: &Visible, root: Option<u64>) -> Result<Reply, Reply> {
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
        Some(_) => return Err(NO_PRIVILEGE.reply()),
    };
    let department = corp
        .departments
        .iter()
        .filter(|d| within.contains(&d.id))
        .map(|d| Department {
            id: d.id,
            name: shown_department_name(d),
            parentid: d.parentid,
            order: d.order,
        })
        .collect();
    Ok(ok(&DepartmentList { department }))
}

/// The direct members of one department in range.
fn members(corp: &Corp, v: &Visible, req: &Req) -> Result<Reply, Reply> {
    let dept = number(req, "department_id").ok_or_else(|| BAD_PARTY.reply())?;
    if !corp.departments.iter().any(|d| d.id == dept) {
        return Err(BAD_PARTY.reply());
    }
    if !v.departments.contains(&dept) {
        return Err(NO_PRIVILEGE.reply());
    }
    let userlist = corp
        .users
        .iter()
        .filter(|u| u.department.contains(&dept))
        .map(|u| member(u, v))
        .collect();
    Ok(ok(&MemberList { userlist }))
}

/// Every (member, department) pair in range, cursor-paged.
fn member_ids<'a>(corp: &'a Corp, v: &Visible, req: &Req) -> Result<Reply, Reply> {
    let asked: ListIdRequest = serde_json::from_slice(&req.body).unwrap_or_default();
    let limit = asked
        .limit
        .unwrap_or(LIST_ID_PAGE)
        .clamp(1, LIST_ID_PAGE_MAX) as usize;
    let start: usize = match asked.cursor.filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c.parse().map_err(|_| err(50100, "invalid cursor"))?,
    };
    let mut pairs: Vec<DeptUser<'a>> = corp
        .users
        .iter()
        .flat_map(|u| {
            visible_departments(u, v)
                .into_iter()
                .map(move |department| DeptUser {
                    userid: &u.userid,
                    department,
                })
        })
        .skip(start)
        .take(limit + 1)
        .collect();
    let more = pairs.len() > limit;
    pairs.truncate(limit);
    let next_cursor = if more {
        (start + limit).to_string()
    } else {
        String::new()
    };
    Ok(ok(&DeptUserPage {
        next_cursor,
        dept_user: pairs,
    }))
}

fn one_member(corp: &Corp, v: &Visible, userid: &str) -> Result<Reply, Reply> {
    let user = corp
        .users
        .iter()
        .find(|u| u.userid == userid)
        .ok_or_else(|| err(60111, "userid not found"))?;
    if !v.sees(user) {
        return Err(NO_PRIVILEGE.reply());
    }
    Ok(ok(&member(user, v)))
}

/// A tag in the range: its members and departments.
fn tag(corp: &Corp, tagid: Option<u64>) -> Result<Reply, Reply> {
    let tagid = tagid.ok_or_else(|| BAD_TAG.reply())?;
    let tag = corp
        .tags
        .iter()
        .find(|t| t.tagid == tagid)
        .ok_or_else(|| BAD_TAG.reply())?;
    if !corp.range.tag.contains(&tagid) {
        return Err(NO_PRIVILEGE.reply());
    }
    let userlist = corp
        .users
        .iter()
        .filter(|u| tag.userlist.contains(&u.userid))
        // No name at all here for third-party apps (page 90349).
        .map(|u| TagUser {
            userid: u.userid.clone(),
            name: String::new(),
        })
        .collect();
    Ok(ok(&Tag {
        tagname: tag.tagname.clone(),
        userlist,
        partylist: tag.partylist.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::wecom::UserList;

    /// An installed organisation: R&D (2) in range with its sub-team (4),
    /// sales (3) outside; `solo` in range on their own, `pat` through tag 7.
    fn installed(sim: &Sim) -> String {
        let corp: Corp = serde_json::from_value(serde_json::json!({
            "corp_id": "wwcorp", "corp_name": "Corp", "installed": true,
            "departments": [
                {"id": 1, "name": "Root", "parentid": 0},
                {"id": 2, "name": "R&D", "parentid": 1},
                {"id": 3, "name": "Sales", "parentid": 1},
                {"id": 4, "name": "Team", "parentid": 2},
            ],
            "users": [
                {"userid": "dev", "name": "Dev", "department": [2, 3]},
                {"userid": "solo", "name": "Solo", "department": [3]},
                {"userid": "pat", "name": "Pat", "department": [3], "status": 2},
            ],
            "tags": [{"tagid": 7, "tagname": "Leads", "userlist": ["pat"], "partylist": [4]}],
            "range": {"party": [2], "user": ["solo"], "tag": [7]},
        }))
        .unwrap();
        let mut state = sim.state();
        state.corps.insert(corp.corp_id.clone(), corp);
        let exp = state.now() + 60;
        state
            .corp_tokens
            .insert("tok".into(), ("wwcorp".into(), exp));
        "tok".into()
    }

    fn get(sim: &Sim, path: &str, query: &str) -> Reply {
        // Through WeCom's front door, where the busy switch sits.
        let req = Req::for_tests("GET", &format!("/cgi-bin/{path}?{query}"), "");
        crate::wecom::handle(sim, &req).expect("a cgi-bin route")
    }

    #[test]
    fn user_list_reads_as_the_shared_type_with_only_departments_in_range() {
        let sim = Sim::for_tests();
        let token = installed(&sim);
        let reply = get(
            &sim,
            "user/list",
            &format!("access_token={token}&department_id=2"),
        );
        let list: UserList = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(list.userlist.len(), 1);
        assert_eq!(list.userlist[0].userid, "dev");
        assert_eq!(list.userlist[0].department, vec![2], "sales is outside");
        assert!(reply.body.contains(r#""main_department":2"#));
        assert!(reply.body.contains(r#""status":1"#));
    }

    #[test]
    fn a_busy_call_answers_errcode_minus_one_as_often_as_asked_then_works() {
        let sim = Sim::for_tests();
        let token = installed(&sim);
        sim.state().busy.insert("wwcorp user/get".into(), 2);
        let query = format!("access_token={token}&userid=solo");
        for _ in 0..2 {
            let reply = get(&sim, "user/get", &query);
            assert_eq!(reply.body, r#"{"errcode":-1,"errmsg":"system busy"}"#);
        }
        let solo: User = serde_json::from_str(&get(&sim, "user/get", &query).body).unwrap();
        assert_eq!(solo.userid, "solo");
        // Another call of the same organisation was never busy.
        assert!(
            get(&sim, "department/list", &format!("access_token={token}"))
                .body
                .contains(r#""errcode":0"#)
        );
    }

    #[test]
    fn a_member_in_range_on_their_own_comes_without_departments() {
        let sim = Sim::for_tests();
        let token = installed(&sim);
        let reply = get(
            &sim,
            "user/get",
            &format!("access_token={token}&userid=solo"),
        );
        let solo: User = serde_json::from_str(&reply.body).unwrap();
        assert!(solo.department.is_empty());
        assert!(!reply.body.contains("main_department"));
    }

    #[test]
    fn tag_get_reads_as_the_shared_type() {
        let sim = Sim::for_tests();
        let token = installed(&sim);
        let reply = get(&sim, "tag/get", &format!("access_token={token}&tagid=7"));
        let tag: Tag = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(tag.partylist, vec![4]);
        assert_eq!(tag.userlist[0].userid, "pat");
        assert_eq!(tag.userlist[0].name, "", "no names for third-party apps");
        assert!(!reply.body.contains("Pat"));
        assert!(reply.body.contains(r#""tagname":"Leads""#));
    }

    #[test]
    fn department_list_under_a_root_keeps_to_the_range() {
        let sim = Sim::for_tests();
        let token = installed(&sim);
        let reply = get(
            &sim,
            "department/list",
            &format!("access_token={token}&id=2"),
        );
        let list: DepartmentList = serde_json::from_str(&reply.body).unwrap();
        let ids: Vec<u64> = list.department.iter().map(|d| d.id).collect();
        assert_eq!(ids, vec![2, 4]);
        let outside = get(
            &sim,
            "department/list",
            &format!("access_token={token}&id=3"),
        );
        assert!(outside.body.contains("60011"));
    }
}
