//! Control routes that change an organisation's contacts or visible range
//! and push the callback WeCom would send. `"callback": false` in the body
//! (or `?callback=false`) drops it, to test that the reconcile heals.

use crate::push::{deliver, Source};
use crate::range::{visible, visible_departments};
use crate::sim::Sim;
use crate::state::{Department, Range, User};
use crate::wire::{bad, refused, Reply, Req};
use serde_json::{json, Value};

fn wants_callback(req: &Req, body: &Value) -> bool {
    req.query("callback") != Some("false") && body["callback"].as_bool() != Some(false)
}

fn change_contact(sim: &Sim, corp_id: &str, fields: &str) -> Reply {
    let xml = format!(
            "<xml><SuiteId><![CDATA[{}]]></SuiteId><AuthCorpId><![CDATA[{corp_id}]]></AuthCorpId>\
             <InfoType><![CDATA[change_contact]]></InfoType><TimeStamp>{}</TimeStamp>{fields}</xml>",
            sim.config.suite_id,
            sim.now()
        );
    deliver(sim, Source::Command, &sim.config.suite_id, &xml).reply()
}

fn user_fields(change: &str, user: &User, depts: &[u64], new_userid: Option<&str>) -> String {
    let mut f = format!(
        "<ChangeType><![CDATA[{change}]]></ChangeType><UserID><![CDATA[{}]]></UserID>\
             <Name><![CDATA[{}]]></Name><Status>{}</Status>",
        user.userid, user.name, user.status
    );
    if let Some(new) = new_userid {
        f.push_str(&format!("<NewUserID><![CDATA[{new}]]></NewUserID>"));
    }
    // A third-party app sees only departments inside its range.
    if !depts.is_empty() {
        let list: Vec<String> = depts.iter().map(u64::to_string).collect();
        f.push_str(&format!(
            "<Department><![CDATA[{}]]></Department><MainDepartment>{}</MainDepartment>",
            list.join(","),
            depts[0]
        ));
    }
    f
}

pub fn set_range(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    let range: Range = match serde_json::from_value(body.clone()) {
        Ok(r) => r,
        Err(e) => return bad(format!("bad range: {e}")),
    };
    let installed = {
        let mut state = sim.state();
        let Some(corp) = state.corps.get_mut(corp_id) else {
            return Reply::json(404, &json!({"error": "organisation not found"}));
        };
        corp.range = range;
        corp.installed
    };
    if !installed || !wants_callback_body(body) {
        return Reply::json(200, &json!({"pushed": false}));
    }
    let xml = format!(
        "<xml><SuiteId><![CDATA[{}]]></SuiteId><InfoType><![CDATA[change_auth]]></InfoType>\
             <TimeStamp>{}</TimeStamp><AuthCorpId><![CDATA[{corp_id}]]></AuthCorpId></xml>",
        sim.config.suite_id,
        sim.now()
    );
    deliver(sim, Source::Command, &sim.config.suite_id, &xml).reply()
}

/// POST/PATCH/DELETE `/_sim/corps/{corp_id}/users[/{userid}]`.
pub fn change_user(sim: &Sim, req: &Req, corp_id: &str, userid: Option<&str>) -> Reply {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let fields = {
        let mut state = sim.state();
        let Some(corp) = state.corps.get_mut(corp_id) else {
            return Reply::json(404, &json!({"error": "organisation not found"}));
        };
        let before = visible(corp);
        let was_seen = userid
            .and_then(|id| corp.users.iter().find(|u| u.userid == id))
            .is_some_and(|u| before.sees(u));
        let (user, change, new_userid) = match (req.method.as_str(), userid) {
            ("POST", None) => {
                let user: User = match serde_json::from_value(body.clone()) {
                    Ok(u) => u,
                    Err(e) => return bad(format!("bad user: {e}")),
                };
                if corp.users.iter().any(|u| u.userid == user.userid) {
                    return refused(60102, "userid existed");
                }
                if user
                    .department
                    .iter()
                    .any(|d| !corp.departments.iter().any(|x| x.id == *d))
                {
                    return refused(60003, "department not found");
                }
                corp.users.push(user.clone());
                (user, "create_user", None)
            }
            ("PATCH", Some(id)) => {
                let Some(user) = corp.users.iter_mut().find(|u| u.userid == id) else {
                    return refused(60111, "userid not found");
                };
                if let Some(name) = body["name"].as_str() {
                    user.name = name.to_owned();
                }
                if let Some(depts) = body["department"].as_array() {
                    user.department = depts.iter().filter_map(Value::as_u64).collect();
                }
                let new_userid = body["new_userid"].as_str().map(str::to_owned);
                let snapshot = user.clone();
                if let Some(new) = &new_userid {
                    user.userid = new.clone();
                }
                (snapshot, "update_user", new_userid)
            }
            ("DELETE", Some(id)) => {
                let Some(pos) = corp.users.iter().position(|u| u.userid == id) else {
                    return refused(60111, "userid not found");
                };
                (corp.users.remove(pos), "delete_user", None)
            }
            _ => return bad("unsupported"),
        };
        let after = visible(corp);
        let seen_id = new_userid.as_deref().unwrap_or(&user.userid);
        // WeCom only tells an app about members it can see.
        let seen_after = corp
            .users
            .iter()
            .find(|u| u.userid == seen_id)
            .is_some_and(|u| after.sees(u));
        if !was_seen && !seen_after {
            return Reply::json(
                200,
                &json!({"pushed": false, "reason": "outside the visible range"}),
            );
        }
        if !wants_callback(req, &body) {
            return Reply::json(
                200,
                &json!({"pushed": false, "reason": "callback dropped on request"}),
            );
        }
        let depts = if change == "delete_user" {
            vec![]
        } else {
            let mut current = user.clone();
            if let Some(u) = corp.users.iter().find(|u| u.userid == seen_id) {
                current = u.clone();
            }
            visible_departments(&current, &after)
        };
        if change == "delete_user" {
            format!(
                "<ChangeType><![CDATA[delete_user]]></ChangeType><UserID><![CDATA[{}]]></UserID>",
                user.userid
            )
        } else {
            user_fields(change, &user, &depts, new_userid.as_deref())
        }
    };
    change_contact(sim, corp_id, &fields)
}

/// POST/PATCH/DELETE `/_sim/corps/{corp_id}/departments[/{id}]`.
pub fn change_department(sim: &Sim, req: &Req, corp_id: &str, id: Option<u64>) -> Reply {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let fields = {
        let mut state = sim.state();
        let Some(corp) = state.corps.get_mut(corp_id) else {
            return Reply::json(404, &json!({"error": "organisation not found"}));
        };
        let fields = match (req.method.as_str(), id) {
            ("POST", None) => {
                let d: Department = match serde_json::from_value(body.clone()) {
                    Ok(d) => d,
                    Err(e) => return bad(format!("bad department: {e}")),
                };
                if corp.departments.iter().any(|x| x.id == d.id) {
                    return refused(60008, "department existed");
                }
                if !corp.departments.iter().any(|x| x.id == d.parentid) {
                    return refused(60004, "parent department not found");
                }
                corp.departments.push(d.clone());
                format!(
                        "<ChangeType><![CDATA[create_party]]></ChangeType><Id>{}</Id><Name><![CDATA[{}]]></Name>\
                         <ParentId>{}</ParentId><Order>{}</Order>",
                        d.id, d.name, d.parentid, d.order
                    )
            }
            ("PATCH", Some(id)) => {
                let Some(d) = corp.departments.iter_mut().find(|x| x.id == id) else {
                    return refused(60003, "department not found");
                };
                if let Some(name) = body["name"].as_str() {
                    d.name = name.to_owned();
                }
                if let Some(parent) = body["parentid"].as_u64() {
                    d.parentid = parent;
                }
                format!(
                        "<ChangeType><![CDATA[update_party]]></ChangeType><Id>{}</Id><Name><![CDATA[{}]]></Name><ParentId>{}</ParentId>",
                        d.id, d.name, d.parentid
                    )
            }
            ("DELETE", Some(id)) => {
                if corp.users.iter().any(|u| u.department.contains(&id)) {
                    return refused(60005, "department contains user");
                }
                if corp.departments.iter().any(|x| x.parentid == id) {
                    return refused(60006, "department contains sub-department");
                }
                let before = corp.departments.len();
                corp.departments.retain(|x| x.id != id);
                if corp.departments.len() == before {
                    return refused(60003, "department not found");
                }
                format!("<ChangeType><![CDATA[delete_party]]></ChangeType><Id>{id}</Id>")
            }
            _ => return bad("unsupported"),
        };
        if !wants_callback(req, &body) {
            return Reply::json(
                200,
                &json!({"pushed": false, "reason": "callback dropped on request"}),
            );
        }
        fields
    };
    change_contact(sim, corp_id, &fields)
}

/// `POST /_sim/corps/{corp_id}/generate {"departments":N,"members":M}`:
/// a large organisation, all of it in range (root department).
pub fn generate(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    let n_depts = body["departments"].as_u64().unwrap_or(10).max(1);
    let n_members = body["members"].as_u64().unwrap_or(100);
    let mut state = sim.state();
    let Some(corp) = state.corps.get_mut(corp_id) else {
        return Reply::json(404, &json!({"error": "organisation not found"}));
    };
    let mut departments = vec![Department {
        id: 1,
        name: "总部".into(),
        parentid: 0,
        order: 1,
    }];
    for i in 2..=n_depts {
        // A shallow tree: every tenth department under the root, the rest
        // under the nearest tenth.
        let parent = if i % 10 == 0 || i < 10 { 1 } else { i - i % 10 };
        departments.push(Department {
            id: i,
            name: format!("部门{i}"),
            parentid: parent.max(1),
            order: i,
        });
    }
    let users = (0..n_members)
        .map(|i| User {
            userid: format!("u{i:06}"),
            name: format!("成员{i}"),
            department: vec![1 + i % n_depts],
            status: 1,
        })
        .collect();
    corp.departments = departments;
    corp.users = users;
    corp.range = Range {
        party: vec![1],
        user: vec![],
        tag: vec![],
    };
    Reply::json(
        200,
        &json!({"corp_id": corp_id, "departments": n_depts, "members": n_members}),
    )
}

fn wants_callback_body(body: &Value) -> bool {
    body["callback"].as_bool() != Some(false)
}
