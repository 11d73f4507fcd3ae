//! Contacts sync: the visible range set in WeCom becomes our member list.

use itest::*;
use serde_json::json;

fn set_range(corp: &str, party: &[u64], users: &[&str]) {
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/range"),
        &json!({"party": party, "user": users, "tag": []}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn install_brings_the_members_of_the_range_individuals_without_departments() {
    let (corp, admin) = installed_and_synced("mem");
    let m = members(&admin, &corp, "");
    assert_eq!(m.keys().collect::<Vec<_>>(), vec!["dev1", "dev2", "sales1"]);
    assert_eq!(m["dev1"]["department_ids"], json!([2]));
    assert_eq!(m["dev1"]["department_known"], true);
    assert_eq!(m["dev1"]["via"], json!(["department"]));
    // In range only as an individual: WeCom gives no department.
    assert_eq!(m["sales1"]["department_ids"], json!(null));
    assert_eq!(m["sales1"]["department_known"], false);
    assert_eq!(m["sales1"]["via"], json!(["individual"]));
    assert_eq!(m["sales1"]["status"], "active");
    assert!(!m.contains_key("boss"), "outside the range");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn adding_a_department_to_the_range_brings_its_members_with_departments() {
    let (corp, admin) = installed_and_synced("adddep");
    let before = sync_id(&admin, &corp);
    set_range(&corp, &[2, 3], &[]);
    wait_for_sync(&admin, &corp, before);
    let m = members(&admin, &corp, "in_range=true");
    assert_eq!(m.keys().collect::<Vec<_>>(), vec!["dev1", "dev2", "sales1"]);
    assert_eq!(
        m["sales1"]["department_ids"],
        json!([3]),
        "now known through its department"
    );
    assert_eq!(m["sales1"]["department_known"], true);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn adding_an_individual_brings_them_without_department_information() {
    let (corp, admin) = installed_and_synced("addind");
    let before = sync_id(&admin, &corp);
    set_range(&corp, &[2], &["sales1", "boss"]);
    wait_for_sync(&admin, &corp, before);
    let m = members(&admin, &corp, "");
    assert_eq!(m["boss"]["department_known"], false);
    assert_eq!(m["boss"]["department_ids"], json!(null));
    let without = members(&admin, &corp, "department_known=false");
    assert_eq!(without.keys().collect::<Vec<_>>(), vec!["boss", "sales1"]);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn removing_from_the_range_keeps_the_member_as_out_of_range() {
    let (corp, admin) = installed_and_synced("rm");
    let before = sync_id(&admin, &corp);
    set_range(&corp, &[], &["sales1"]);
    wait_for_sync(&admin, &corp, before);
    let m = members(&admin, &corp, "");
    assert_eq!(m["dev1"]["in_range"], false, "kept for seat history");
    assert_eq!(
        m["dev1"]["status"], "active",
        "left the range, not the company"
    );
    assert_eq!(m["sales1"]["in_range"], true);
    let out = members(&admin, &corp, "in_range=false");
    assert_eq!(out.keys().collect::<Vec<_>>(), vec!["dev1", "dev2"]);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_member_deleted_in_wecom_becomes_departed() {
    let (corp, admin) = installed_and_synced("depart");
    member_leaves(&corp, "dev1");
    let m = members(&admin, &corp, "status=departed");
    assert_eq!(m.keys().collect::<Vec<_>>(), vec!["dev1"]);
    assert_eq!(m["dev1"]["in_range"], false);
    // A full sync agrees (and does not resurrect them).
    let before = sync_id(&admin, &corp);
    assert_eq!(
        post_text(&admin, &format!("{}/api/v1/corps/{corp}/sync", edge()), "").status,
        202
    );
    wait_for_sync(&admin, &corp, before);
    assert_eq!(members(&admin, &corp, "")["dev1"]["status"], "departed");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn contact_changes_apply_one_by_one() {
    let (corp, admin) = installed_and_synced("inc");
    let users = format!("/_sim/corps/{corp}/users");
    let a = sim_send(
        "POST",
        &users,
        &json!({"userid": "dev3", "name": "开发三", "department": [2]}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let m = members(&admin, &corp, "");
    // WeCom tells a third-party app the userid in the name's place.
    assert_eq!(m["dev3"]["name"], "dev3");
    assert_eq!(m["dev3"]["department_ids"], json!([2]));

    // Renamed in WeCom: no real name ever reaches us.
    let a = sim_send(
        "PATCH",
        &format!("{users}/dev3"),
        &json!({"name": "开发叁"}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(members(&admin, &corp, "")["dev3"]["name"], "dev3");

    // Moving to a department outside the range drops the member from it.
    let a = sim_send(
        "PATCH",
        &format!("{users}/dev3"),
        &json!({"department": [1]}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(members(&admin, &corp, "")["dev3"]["in_range"], false);
    // A new department under one in range appears in the tree.
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/departments"),
        &json!({"id": 20, "name": "后端组", "parentid": 2}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let tree = get(
        &admin,
        &format!("{}/api/v1/corps/{corp}/departments", edge()),
    )
    .json();
    let rnd = &tree[0];
    assert_eq!(rnd["id"], 2);
    assert_eq!(rnd["children"][0]["id"], 20);
    // Named by its id, as WeCom names departments for third-party apps.
    assert_eq!(rnd["children"][0]["name"], "20");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_dropped_contact_callback_is_repaired_by_the_reconcile() {
    let (corp, admin) = installed_and_synced("heal");
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/users"),
        &json!({"userid": "dev9", "name": "开发九", "department": [2], "callback": false}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json()["pushed"], false);
    assert!(
        !members(&admin, &corp, "").contains_key("dev9"),
        "the callback was lost"
    );

    reconcile(&corp);
    let m = members(&admin, &corp, "");
    assert_eq!(m["dev9"]["department_ids"], json!([2]), "healed");
    let audit = d1(&format!(
        "SELECT detail FROM audit WHERE corp_id = '{corp}' AND action = 'reconciled' AND actor = 'cron'"
    ));
    assert_eq!(audit.len(), 1, "the repair is in the audit log");
    let detail: serde_json::Value =
        serde_json::from_str(audit[0]["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["added_or_updated"], 1);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn members_api_pages_filters_and_refuses_bad_queries() {
    let (corp, admin) = installed_and_synced("api");
    let base = format!("{}/api/v1/corps/{corp}/members", edge());
    // Stable cursor paging: one at a time, in userid order, total constant.
    let mut seen = vec![];
    let mut cursor = String::new();
    loop {
        let page = get(&admin, &format!("{base}?limit=1&cursor={cursor}")).json();
        assert_eq!(page["total"], 3);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["userid"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, vec!["dev1", "dev2", "sales1"]);
    let by_dept = get(&admin, &format!("{base}?department_id=2")).json();
    assert_eq!(by_dept["total"], 2);
    let search = get(&admin, &format!("{base}?q=ales")).json();
    assert_eq!(search["items"][0]["userid"], "sales1");
    for bad in [
        "limit=0",
        "limit=501",
        "status=gone",
        "in_range=maybe",
        "department_id=x",
    ] {
        let a = get(&admin, &format!("{base}?{bad}"));
        assert_eq!(a.status, 400, "{bad}: {}", a.text);
        assert_eq!(a.error_code(), "bad_request");
    }
    let other = signed_in("wwdemo01", "admin");
    assert_eq!(
        get(&other, &base).status,
        403,
        "another organisation's admin"
    );
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn range_summary_counts_and_explains_members_without_departments() {
    let (corp, admin) = installed_and_synced("sum");
    let r = get(&admin, &format!("{}/api/v1/corps/{corp}/range", edge())).json();
    assert_eq!(r["allow_party"], json!([2]));
    assert_eq!(r["allow_user"], json!(["sales1"]));
    assert_eq!(r["members_in_range"], 3);
    assert_eq!(r["members_without_department"], 1);
    assert!(r["advice"]["en"]
        .as_str()
        .unwrap()
        .contains("whole departments"));
    assert!(r["advice"]["zh"].as_str().unwrap().contains("部门整体"));
    let tree = get(
        &admin,
        &format!("{}/api/v1/corps/{corp}/departments", edge()),
    )
    .json();
    assert_eq!(tree[0]["id"], 2);
    assert_eq!(tree[0]["member_count"], 2);
    assert_eq!(tree[0]["total_count"], 2);
    let sync = get(&admin, &format!("{}/api/v1/corps/{corp}/sync", edge())).json();
    assert_eq!(sync["state"], "done");
    assert_eq!(sync["counts"]["members_in_range"], 3);
    assert!(sync["last_synced_at"].as_u64().is_some());
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_tag_in_the_range_brings_its_members_and_its_departments() {
    let corp = unique_corp("tag");
    let (corp, admin) = installed_with(&json!({
            "corp_id": corp, "corp_name": "标签企业",
            "departments": [
                {"id": 1, "name": "总部", "parentid": 0},
                {"id": 2, "name": "研发", "parentid": 1},
                {"id": 3, "name": "销售", "parentid": 1},
                {"id": 4, "name": "客服", "parentid": 1},
            ],
            "users": [
                {"userid": "boss", "name": "老板", "department": [1]},
                {"userid": "dev1", "name": "开发一", "department": [2]},
                {"userid": "lead", "name": "销售组长", "department": [3]},
                {"userid": "rep", "name": "销售一", "department": [3]},
                {"userid": "care", "name": "客服一", "department": [4]},
            ],
            "tags": [{"tagid": 9, "tagname": "骨干", "userlist": ["lead"], "partylist": [4]}],
            "admins": ["boss"],
            "range": {"party": [2], "user": [], "tag": [9]},
    }));
    let m = members(&admin, &corp, "");
    assert_eq!(
        m.keys().collect::<Vec<_>>(),
        vec!["care", "dev1", "lead"],
        "rep shares lead's department but is not tagged"
    );
    assert_eq!(m["lead"]["via"], json!(["tag"]));
    assert_eq!(
        m["lead"]["department_known"], false,
        "a tagged member comes without departments"
    );
    assert_eq!(
        m["care"]["via"],
        json!(["department"]),
        "the tag's department"
    );
    assert_eq!(m["care"]["department_ids"], json!([4]));
    let range = get(&admin, &format!("{}/api/v1/corps/{corp}/range", edge())).json();
    assert_eq!(range["allow_tag"], json!([9]), "{range}");
    // The reconcile's check counts the tagged member (no department) and
    // the tag's department as the sync stored them: nothing to write.
    reconcile_rows(&corp);
    let (r, _, written) = reconcile_rows(&corp);
    assert_eq!(
        (r["contacts"]["members_in_range"].as_u64(), written),
        (Some(3), 0),
        "{r}"
    );
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_department_in_the_range_brings_every_level_below_it() {
    let corp = unique_corp("deep");
    let (corp, admin) = installed_with(&json!({
            "corp_id": corp, "corp_name": "多级企业",
            "departments": [
                {"id": 1, "name": "总部", "parentid": 0},
                {"id": 2, "name": "研发", "parentid": 1},
                {"id": 5, "name": "前端", "parentid": 2},
                {"id": 6, "name": "组件", "parentid": 5},
                {"id": 7, "name": "测试", "parentid": 2},
                {"id": 8, "name": "销售", "parentid": 1},
            ],
            "users": [
                {"userid": "boss", "name": "老板", "department": [1]},
                {"userid": "cto", "name": "技术总监", "department": [2]},
                {"userid": "fe", "name": "前端一", "department": [5]},
                {"userid": "comp", "name": "组件一", "department": [6]},
                {"userid": "both", "name": "兼任", "department": [6, 8]},
                {"userid": "qa", "name": "测试一", "department": [7]},
                {"userid": "rep", "name": "销售一", "department": [8]},
            ],
            "admins": ["boss"],
            "range": {"party": [2], "user": [], "tag": []},
    }));
    let m = members(&admin, &corp, "");
    assert_eq!(
        m.keys().collect::<Vec<_>>(),
        vec!["both", "comp", "cto", "fe", "qa"]
    );
    assert_eq!(m["comp"]["department_ids"], json!([6]), "three levels down");
    assert_eq!(
        m["both"]["department_ids"],
        json!([6]),
        "sales is outside the range"
    );
    let in_dept_5 = members(&admin, &corp, "department_id=5");
    assert_eq!(
        in_dept_5.keys().collect::<Vec<_>>(),
        vec!["fe"],
        "directly in 前端"
    );
    // The tree counts every level: 研发 2 holds cto, 前端 5 holds fe and,
    // through 组件 6, comp and both; 测试 7 holds qa.
    let tree = get(
        &admin,
        &format!("{}/api/v1/corps/{corp}/departments", edge()),
    )
    .json();
    let counts = department_counts(&tree);
    assert_eq!(
        counts,
        vec![(2, 1, 5), (5, 1, 3), (6, 2, 2), (7, 1, 1)],
        "(id, directly, with sub-departments): {tree}"
    );
}

/// Every node of a department tree as (id, member_count, total_count), in
/// id order.
fn department_counts(nodes: &serde_json::Value) -> Vec<(u64, u64, u64)> {
    let mut out = vec![];
    for n in nodes.as_array().unwrap() {
        out.push((
            n["id"].as_u64().unwrap(),
            n["member_count"].as_u64().unwrap(),
            n["total_count"].as_u64().unwrap(),
        ));
        out.extend(department_counts(&n["children"]));
    }
    out.sort_unstable();
    out
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_callback_wecom_was_too_busy_for_is_answered_then_applied_on_the_queues_retry() {
    let (corp, admin) = installed_and_synced("busy");
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/busy"),
        &json!({"call": "user/get", "times": 1}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/users"),
        &json!({"userid": "dev3", "name": "开发三", "department": [2]}),
    );
    let delivery = a.json();
    // WeCom's push is taken at once: asking WeCom comes after the answer.
    assert_eq!(
        (delivery["success"].as_bool(), delivery["attempts"].as_u64()),
        (Some(true), Some(1)),
        "{delivery}"
    );
    // The first try met WeCom busy; the queue's retry (2 s later) applies it.
    let dev3 = wait_for_member(&admin, &corp, "dev3");
    assert_eq!(dev3["department_ids"], json!([2]), "{dev3}");
    let rows = d1(&format!(
        "SELECT applied_at, attempts FROM events WHERE corp_id = '{corp}' AND kind = 'change_contact.create_user'"
    ));
    assert_eq!(rows.len(), 1, "one event, recorded once: {rows:?}");
    assert!(rows[0]["applied_at"].is_u64(), "and applied");
    assert_eq!(rows[0]["attempts"], 2, "busy once, applied on the retry");
}

/// The reconcile as the cron runs it, with what it cost in D1.
fn reconcile_rows(corp: &str) -> (serde_json::Value, u64, u64) {
    let a = dev_route("reconcile", &json!({"corp_id": corp}));
    assert_eq!(a.status, 200, "{}", a.text);
    let (read, written) = a.d1_rows.expect("development builds report D1 rows");
    (a.json(), read, written)
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_reconcile_that_finds_nothing_changed_writes_nothing_and_reads_each_member_once() {
    let (corp, admin) = generated("quiet", 12, 600);
    // The day's first reconcile writes the day's point for the overview's
    // trends; the next ones of the day find nothing to write.
    reconcile_rows(&corp);
    let (r, read, written) = reconcile_rows(&corp);
    assert_eq!(r["contacts"]["members_in_range"], 600, "{r}");
    assert_eq!(r["contacts"]["added_or_updated"], 0, "{r}");
    assert_eq!(written, 0, "an unchanged reconcile writes no row: {r}");
    // The contacts check reads each member once; the day's counts for the
    // overview and the desk walk them twice more. A sync read each member
    // about seven times.
    assert!(read <= 3 * 600 + 300, "{read} rows read for 600 members");

    // An individual in range (no department) counts as the sync stored it.
    let (small, _) = installed_and_synced("quiet1");
    reconcile_rows(&small);
    let (r, _, written) = reconcile_rows(&small);
    assert_eq!(written, 0, "{r}");

    // A member who joined and one who left, neither told by a callback:
    // the check finds them, and the sync follows.
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/users"),
        &json!({"userid": "quiet1", "name": "悄悄", "department": [2], "callback": false}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let a = sim_send(
        "DELETE",
        &format!("/_sim/corps/{corp}/users/u000007?callback=false"),
        &json!({}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let (r, _, _) = reconcile_rows(&corp);
    assert_eq!(r["contacts"]["added_or_updated"], 1, "{r}");
    assert_eq!(r["contacts"]["departed"], 1, "{r}");
    let m = members(&admin, &corp, "");
    assert_eq!(m["quiet1"]["department_ids"], json!([2]));
    assert_eq!(m["u000007"]["status"], "departed");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_crons_check_runs_on_the_queue_and_starts_the_sync_that_repairs() {
    // Chunks of one department: the check is a chain of several messages.
    let (corp, admin) = generated("chain", 6, 120);
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/users"),
        &json!({"userid": "late1", "name": "迟到", "department": [3], "callback": false}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let before = sync_status(&admin, &corp)["id"].clone();
    let a = dev_route("reconcile", &json!({"corp_id": corp, "queued": true}));
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        a.json()["contacts"],
        serde_json::Value::Null,
        "left to the queue"
    );
    // The check found the difference and started the sync that repairs.
    let s = wait_for_sync(&admin, &corp, before.as_str().map(str::to_owned));
    assert_eq!(s["counts"]["added_or_updated"], 1, "{s}");
    assert_eq!(
        members(&admin, &corp, "")["late1"]["department_ids"],
        json!([3])
    );
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_lost_delete_callback_is_repaired_as_departed_not_out_of_range() {
    let (corp, admin) = installed_and_synced("lostdel");
    // dev1 leaves the company; the delete_user callback never arrives.
    let mut contacts = sim_corp(&corp, &[2], &["sales1"]);
    contacts["users"]
        .as_array_mut()
        .unwrap()
        .retain(|u| u["userid"] != "dev1");
    put_sim_corp(&contacts);
    assert_eq!(
        members(&admin, &corp, "")["dev1"]["status"],
        "active",
        "not known yet"
    );

    let r = reconcile(&corp);
    assert_eq!(r["contacts"]["departed"], 1, "{r}");
    let m = members(&admin, &corp, "");
    assert_eq!(m["dev1"]["status"], "departed");
    assert_eq!(m["dev1"]["in_range"], false);
    assert_eq!(m["dev2"]["status"], "active", "the others stay");
    assert_eq!(m["dev2"]["in_range"], true);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn one_sync_per_organisation_at_a_time() {
    // Large enough that a sync takes a moment.
    let corp = put_sim_corp(&sim_corp(&unique_corp("lease"), &[2], &["sales1"]));
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/generate"),
        &json!({"departments": 30, "members": 3000}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    sim_install(&corp);
    let admin = signed_in(&corp, "boss");
    // The install's own first sync runs first.
    let before = Some(
        wait_for_sync(&admin, &corp, None)["id"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let start = || {
        post_json(
            &admin,
            &format!("{}/api/v1/corps/{corp}/sync", edge()),
            &json!({}),
        )
    };
    let first = start();
    assert_eq!(first.status, 202, "{}", first.text);
    let second = start();
    assert_eq!(second.status, 409, "{}", second.text);
    assert_eq!(second.error_code(), "sync_running");
    assert!(second.error_message().contains("boss"), "{}", second.text);
    // It says how far the running one is (30 departments, one a step
    // here), in words and as numbers a program reads.
    assert!(
        second
            .error_message()
            .contains("chunks of departments done"),
        "{}",
        second.text
    );
    let progress = &second.json()["error"]["progress"];
    let total = progress["chunks_total"].as_u64().expect("chunks_total");
    let done = progress["chunks_done"].as_u64().expect("chunks_done");
    assert!(done <= total, "{}", second.text);
    assert!(
        second
            .error_message()
            .contains(&format!("{done} of {total} chunks")),
        "the words and the numbers agree: {}",
        second.text
    );
    wait_for_sync(&admin, &corp, before);
    // Done: the lease is free again.
    let after = sync_id(&admin, &corp);
    let third = start();
    assert_eq!(third.status, 202, "{}", third.text);
    wait_for_sync(&admin, &corp, after);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_search_longer_than_d1_can_match_is_refused_with_the_limit() {
    let (corp, admin) = installed_and_synced("longq");
    let search = |q: &str| {
        get(
            &admin,
            &format!("{}/api/v1/corps/{corp}/members?q={}", edge(), urlencode(q)),
        )
    };
    // 16 Chinese characters are 48 bytes: the longest search D1 takes.
    let longest = "开".repeat(16);
    assert_eq!(search(&longest).status, 200);
    assert_eq!(search("dev").json()["total"], 2);
    for too_long in ["开".repeat(17), "x".repeat(49), "%".repeat(25)] {
        let a = search(&too_long);
        assert_eq!(a.status, 400, "{}", a.text);
        assert_eq!(a.error_code(), "bad_request");
        assert!(
            a.error_message().contains("q is too long") && a.error_message().contains("48"),
            "{}",
            a.text
        );
    }
}

/// Starts a sync as the admin; its run id.
fn start_sync(admin: &ureq::Agent, corp: &str) -> String {
    let a = post_json(
        admin,
        &format!("{}/api/v1/corps/{corp}/sync", edge()),
        &json!({}),
    );
    assert_eq!(a.status, 202, "{}", a.text);
    a.json()["id"].as_str().unwrap().to_owned()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_full_sync_runs_chunk_by_chunk_and_shows_its_progress() {
    // One department a step here (SYNC_CHUNK_DEPARTMENTS=1 in the tests).
    let (corp, admin) = generated("chain", 12, 240);
    let before = sync_id(&admin, &corp);
    let id = start_sync(&admin, &corp);
    let mut seen = vec![];
    let done = loop {
        let s = sync_status(&admin, &corp);
        if s["id"] == id.as_str() && s["state"] == "running" {
            let p = &s["progress"];
            seen.push((
                p["chunks_done"].as_u64().unwrap(),
                p["chunks_total"].as_u64().unwrap(),
            ));
        }
        if s["id"] == id.as_str() && s["state"] != "running" {
            break s;
        }
        assert!(seen.len() < 3000, "the sync did not end: {s}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert_eq!(done["state"], "done", "{done}");
    assert_ne!(before.as_deref(), Some(id.as_str()));
    // Progress only grows, and was seen part-way.
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");
    assert!(
        seen.iter().any(|&(d, t)| t == 12 && d > 0 && d < t),
        "no part-way progress seen: {seen:?}"
    );
    assert_eq!(done["counts"]["members_in_range"], 240, "{done}");
    assert_eq!(done["counts"]["departments"], 12, "{done}");
    let listed = get(
        &admin,
        &format!("{}/api/v1/corps/{corp}/members?limit=1", edge()),
    )
    .json();
    assert_eq!(listed["total"], 240);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_member_added_while_a_sync_runs_stays_in_range_when_it_ends() {
    // One department a step; department 1 is the first chunk.
    let (corp, admin) = generated("late", 12, 240);
    let id = start_sync(&admin, &corp);
    for _ in 0..3000 {
        let s = sync_status(&admin, &corp);
        assert!(
            s["id"] == id.as_str() && s["state"] == "running",
            "the sync ended before it read two chunks: {s}"
        );
        if s["progress"]["chunks_done"].as_u64().unwrap_or(0) >= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // Department 1 has been read; WeCom now adds a member there and pushes
    // create_user, which is applied while the sync goes on.
    let added = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/users"),
        &json!({"userid": "late2", "name": "迟来", "department": [1]}),
    );
    assert_eq!(added.status, 200, "{}", added.text);
    let stored = format!(
        "SELECT count(*) AS n FROM members WHERE corp_id = '{corp}' AND userid = 'late2' AND in_range = 1"
    );
    for _ in 0..100 {
        if d1_count(&stored) == 1 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let s = sync_status(&admin, &corp);
    assert!(
        s["id"] == id.as_str() && s["state"] == "running",
        "the member was applied after the sync ended, which tests nothing: {s}"
    );
    let done = wait_for_sync(&admin, &corp, None);
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(
        d1_count(&stored),
        1,
        "the sync's end took late2 out of the range"
    );
    assert_eq!(may(&corp, "late2", "fill_form")["reason"], "trial");
    assert_eq!(done["counts"]["left_range"], 0, "{done}");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_chunk_wecom_refuses_as_too_frequent_waits_and_the_sync_still_completes() {
    let (corp, admin) = generated("freq", 6, 60);
    // A member joins without a callback; WeCom then refuses the next three
    // user/list calls with 45009 ("api freq out of limit").
    let mut org = sim_send("GET", &format!("/_sim/corps/{corp}"), &json!({})).json();
    org["users"]
        .as_array_mut()
        .unwrap()
        .push(json!({"userid": "late1", "name": "迟到", "department": [3]}));
    assert_eq!(sim_send("POST", "/_sim/corps", &org).status, 200);
    let busy = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/busy"),
        &json!({"call": "user/list", "times": 3, "errcode": 45009}),
    );
    assert_eq!(busy.status, 200, "{}", busy.text);
    let before = sync_id(&admin, &corp);
    start_sync(&admin, &corp);
    let done = wait_for_sync(&admin, &corp, before);
    assert_eq!(done["counts"]["members_in_range"], 61, "{done}");
    assert!(members(&admin, &corp, "").contains_key("late1"));
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_member_deleted_without_a_callback_departs_at_the_end_of_a_chained_sync() {
    let (corp, admin) = generated("gone", 4, 40);
    let mut org = sim_send("GET", &format!("/_sim/corps/{corp}"), &json!({})).json();
    org["users"]
        .as_array_mut()
        .unwrap()
        .retain(|u| u["userid"] != "u000005");
    assert_eq!(sim_send("POST", "/_sim/corps", &org).status, 200);
    let before = sync_id(&admin, &corp);
    start_sync(&admin, &corp);
    let done = wait_for_sync(&admin, &corp, before);
    assert_eq!(done["counts"]["departed"], 1, "{done}");
    assert_eq!(members(&admin, &corp, "")["u000005"]["status"], "departed");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_sync_step_waiting_out_wecom_renews_its_lease() {
    let (corp, admin) = installed_and_synced("renew");
    // WeCom refuses the next four user/list calls as too frequent (45009):
    // one step waits them out (a second each in tests, a minute in
    // production, up to an hour in all).
    let busy = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/busy"),
        &json!({"call": "user/list", "times": 4, "errcode": 45009}),
    );
    assert_eq!(busy.status, 200, "{}", busy.text);
    let before = sync_id(&admin, &corp);
    start_sync(&admin, &corp);
    // The lease as each poll finds it: (the step it waits at, its expiry).
    let mut seen: Vec<(u64, u64)> = vec![];
    for _ in 0..300 {
        let lease = d1(&format!(
            "SELECT next_step, expires_at FROM sync_leases WHERE corp_id = '{corp}'"
        ));
        let Some(l) = lease.first() else { break };
        let now = (
            l["next_step"].as_u64().unwrap_or(0),
            l["expires_at"].as_u64().unwrap_or(0),
        );
        if seen.last() != Some(&now) {
            seen.push(now);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let done = wait_for_sync(&admin, &corp, before);
    assert_eq!(done["state"], "done", "{done}");
    // Renewed while waiting at one step, not only when a step ended.
    let renewed_in_place = seen.windows(2).any(|w| w[0].0 == w[1].0 && w[1].1 > w[0].1);
    assert!(renewed_in_place, "lease over time: {seen:?}");
}
