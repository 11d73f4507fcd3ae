//! Control routes that change an organisation's contacts or visible range
//! and push the callback WeCom would send. `"callback": false` in the body
//! (or `?callback=false`) drops it, to test that the reconcile heals.

use crate::push::{deliver, suite_event, Message, Source};
use crate::range::{visible, visible_departments};
use crate::sim::Sim;
use crate::state::{Department, Range, User};
use crate::wire::{bad, not_found, refused, Reply, Req};
use serde_json::{json, Value};

fn wants_callback(req: &Req, body: &Value) -> bool {
    req.query("callback") != Some("false") && body["callback"].as_bool() != Some(false)
}

/// What one `change_contact` callback says: gathered while the state is
/// locked, written after.
enum Change {
    /// `create_user` or `update_user`: the member as they were (an update
    /// that renames carries the new id), with the departments the app sees.
    User {
        change_type: &'static str,
        user: User,
        new_userid: Option<String>,
        departments: Vec<u64>,
    },
    DeleteUser {
        userid: String,
    },
    CreateParty(Department),
    UpdateParty(Department),
    DeleteParty {
        id: u64,
    },
}

impl Change {
    fn write(self, m: Message) -> Message {
        match self {
            Change::User {
                change_type,
                user,
                new_userid,
                departments,
            } => {
                let mut m = m
                    .cdata("ChangeType", change_type)
                    .cdata("UserID", &user.userid)
                    // No name for a third-party app (page 90639): `user/get` gives the userid.
                    .text("Status", user.status);
                if let Some(new) = new_userid {
                    m = m.cdata("NewUserID", &new);
                }
                // A third-party app sees only departments inside its range.
                if let Some(main) = departments.first() {
                    let list: Vec<String> = departments.iter().map(u64::to_string).collect();
                    m = m
                        .cdata("Department", &list.join(","))
                        .text("MainDepartment", main);
                }
                m
            }
            Change::DeleteUser { userid } => m
                .cdata("ChangeType", "delete_user")
                .cdata("UserID", &userid),
            Change::CreateParty(d) => m
                .cdata("ChangeType", "create_party")
                .text("Id", d.id)
                // A third-party app gets the id in the name's place (page 90344).
                .cdata("Name", &d.id.to_string())
                .text("ParentId", d.parentid)
                .text("Order", d.order),
            Change::UpdateParty(d) => m
                .cdata("ChangeType", "update_party")
                .text("Id", d.id)
                .cdata("Name", &d.id.to_string())
                .text("ParentId", d.parentid),
            Change::DeleteParty { id } => m.cdata("ChangeType", "delete_party").text("Id", id),
        }
    }
}

/// Pushes `change_contact` for one change.
fn change_contact(sim: &Sim, corp_id: &str, change: Change) -> Reply {
    let header = Message::new()
        .cdata("SuiteId", &sim.config.suite_id)
        .cdata("AuthCorpId", corp_id)
        .cdata("InfoType", "change_contact")
        .text("TimeStamp", sim.now());
    let xml = change.write(header).finish();
    deliver(sim, Source::Command, &sim.config.suite_id, &xml).reply()
}

pub fn set_range(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    let range: Range = match serde_json::from_value(body.clone()) {
        Ok(r) => r,
        Err(e) => return bad(format!("bad range: {e}")),
    };
    let installed = {
        let mut state = sim.state();
        let Some(corp) = state.corps.get_mut(corp_id) else {
            return not_found("organisation");
        };
        corp.range = range;
        corp.installed
    };
    if !installed || !wants_callback_body(body) {
        return Reply::json(200, &json!({"pushed": false}));
    }
    let xml = suite_event(sim, "change_auth", sim.now())
        .cdata("AuthCorpId", corp_id)
        .finish();
    deliver(sim, Source::Command, &sim.config.suite_id, &xml).reply()
}

/// POST/PATCH/DELETE `/_sim/corps/{corp_id}/users[/{userid}]`.
pub fn change_user(sim: &Sim, req: &Req, corp_id: &str, userid: Option<&str>) -> Reply {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let change = {
        let mut state = sim.state();
        let Some(corp) = state.corps.get_mut(corp_id) else {
            return not_found("organisation");
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
        if change == "delete_user" {
            Change::DeleteUser {
                userid: user.userid,
            }
        } else {
            let current = corp.users.iter().find(|u| u.userid == seen_id);
            let departments = visible_departments(current.unwrap_or(&user), &after);
            Change::User {
                change_type: change,
                user,
                new_userid,
                departments,
            }
        }
    };
    change_contact(sim, corp_id, change)
}

/// POST/PATCH/DELETE `/_sim/corps/{corp_id}/departments[/{id}]`.
pub fn change_department(sim: &Sim, req: &Req, corp_id: &str, id: Option<u64>) -> Reply {
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let change = {
        let mut state = sim.state();
        let Some(corp) = state.corps.get_mut(corp_id) else {
            return not_found("organisation");
        };
        let change = match (req.method.as_str(), id) {
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
                Change::CreateParty(d)
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
                Change::UpdateParty(d.clone())
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
                Change::DeleteParty { id }
            }
            _ => return bad("unsupported"),
        };
        if !wants_callback(req, &body) {
            return Reply::json(
                200,
                &json!({"pushed": false, "reason": "callback dropped on request"}),
            );
        }
        change
    };
    change_contact(sim, corp_id, change)
}

/// `POST /_sim/corps/{corp_id}/generate {"departments":N,"members":M}`:
/// a large organisation, all of it in range (root department).
pub fn generate(sim: &Sim, corp_id: &str, body: &Value) -> Reply {
    let n_depts = body["departments"].as_u64().unwrap_or(10).max(1);
    let n_members = body["members"].as_u64().unwrap_or(100);
    let mut state = sim.state();
    let Some(corp) = state.corps.get_mut(corp_id) else {
        return not_found("organisation");
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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::event::{CommandEvent, ContactChange};

    fn parsed(change: Change) -> ContactChange {
        let xml = change
            .write(
                Message::new()
                    .cdata("SuiteId", "wwsuite")
                    .cdata("AuthCorpId", "wwcorp")
                    .cdata("InfoType", "change_contact")
                    .text("TimeStamp", 1_700_000_000),
            )
            .finish();
        match CommandEvent::parse(&xml) {
            Ok(CommandEvent::ChangeContact { change, .. }) => change,
            other => panic!("{other:?} from {xml}"),
        }
    }

    #[test]
    fn a_member_change_with_markup_in_its_ids_reads_back_whole_without_a_name() {
        let name = "Zoë <admin> & ]]> co";
        let change = parsed(Change::User {
            change_type: "update_user",
            user: User {
                userid: "u&1".into(),
                name: name.into(),
                department: vec![3, 2],
                status: 1,
            },
            new_userid: Some("u<2>".into()),
            departments: vec![2, 5],
        });
        let ContactChange::UpdateUser(member) = change else {
            panic!("{change:?}");
        };
        assert_eq!(member.userid, "u&1");
        assert_eq!(member.new_userid.as_deref(), Some("u<2>"));
        // WeCom tells a third-party app no member's name (page 90639).
        assert_eq!(member.name, None);
        assert_eq!(member.department_ids, Some(vec![2, 5]));
        assert_eq!(member.main_department, Some(2));
    }

    #[test]
    fn a_department_change_names_the_department_by_its_id() {
        let change = parsed(Change::CreateParty(Department {
            id: 7,
            name: "R&D ]]><lab>".into(),
            parentid: 1,
            order: 3,
        }));
        let ContactChange::CreateParty(d) = change else {
            panic!("{change:?}");
        };
        assert_eq!((d.id, d.parent_id, d.order), (7, Some(1), Some(3)));
        // A third-party app gets the id in the name's place (page 90344).
        assert_eq!(d.name.as_deref(), Some("7"));
    }
}
