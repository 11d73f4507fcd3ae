//! The provider's desk (`GET /api/v1/desk/corps`): every installed
//! organisation with its seats, requests and sync, filtered, sorted and
//! paged for an operator; read-only for the operator on each
//! organisation's own routes; refused to anyone else.

use itest::*;
use serde_json::{json, Value};

fn operator() -> ureq::Agent {
    signed_in(&config("PROVIDER_CORPID"), "ops01")
}

fn desk(agent: &ureq::Agent, query: &str) -> Value {
    let a = get(agent, &format!("{}/api/v1/desk/corps?{query}", edge()));
    assert_eq!(a.status, 200, "{query}: {}", a.text);
    a.json()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["corp_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_desk_finds_who_is_short_of_seats_sorts_any_column_and_pages() {
    // Three organisations of this run, told apart from every other test's
    // by a shared prefix of their corp ids.
    let run = unique_corp("dk");
    let [short, bought, quiet] = ["a", "b", "c"].map(|s| format!("{run}{s}"));
    for corp in [&short, &bought, &quiet] {
        installed_with(&sim_corp(corp, &[1], &[]));
    }
    // A member of the first opens the app without a seat: refused.
    let opened = sim_send(
        "POST",
        &format!("/_sim/corps/{short}/open_app"),
        &json!({"userid": "dev1"}),
    );
    assert_eq!(opened.status, 200, "{}", opened.text);
    settle();
    // The second buys five seats.
    pay_order(&bought, 5, 31);
    settle();
    for corp in [&short, &bought, &quiet] {
        reconcile(corp);
    }
    let ops = operator();
    let all = desk(&ops, &format!("q={run}"));
    assert_eq!(all["total"], 3, "{all}");
    assert_eq!(
        ids(&all),
        [short.clone(), bought.clone(), quiet.clone()],
        "by name, then corp id"
    );
    let row = |page: &Value, corp: &str| -> Value {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["corp_id"] == corp)
            .cloned()
            .unwrap()
    };
    let b = row(&all, &bought);
    assert_eq!(
        (b["seats_bought"].as_u64(), b["seats_free"].as_u64()),
        (Some(5), Some(5)),
        "{b}"
    );
    assert_eq!(b["members_in_range"], 4);
    let s = row(&all, &short);
    assert!(
        s["refused"].as_u64() >= Some(1) && s["asking"].as_u64() >= Some(1),
        "{s}"
    );

    // "Short of seats": refused lately, or more asking than free.
    let short_page = desk(&ops, &format!("q={run}&short=true"));
    assert_eq!(ids(&short_page), std::slice::from_ref(&short));
    assert_eq!(short_page["total"], 1);
    // Largest purchase first.
    assert_eq!(
        ids(&desk(&ops, &format!("q={run}&sort=seats_bought&desc=true")))[0],
        bought
    );
    // One at a time, the cursor carries on where the last page ended.
    let mut seen = vec![];
    let mut cursor = String::new();
    loop {
        let page = desk(
            &ops,
            &format!("q={run}&sort=seats_free&limit=1&cursor={cursor}"),
        );
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = urlencode(c),
            None => break,
        }
    }
    let mut by_free = vec![short.clone(), quiet.clone()];
    by_free.sort();
    by_free.push(bought.clone());
    assert_eq!(seen, by_free, "0 free (by corp id), then 5");

    // A reconcile that finds the organisation as it was leaves its row as
    // it was: nothing written (the check's time is noted twice a day, see
    // global.rs).
    let row = || d1(&format!("SELECT * FROM desk WHERE corp_id = '{quiet}'"))[0].clone();
    let before = row();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r = reconcile(&quiet);
    assert_eq!(r["contacts"]["added_or_updated"], 0, "{r}");
    assert_eq!(row(), before);

    // What the desk refuses to guess.
    for bad in ["sort=price", "short=yes", "cursor=nonsense", "limit=0"] {
        let a = get(&ops, &format!("{}/api/v1/desk/corps?{bad}", edge()));
        assert_eq!(
            (a.status, a.json()["error"]["code"].as_str()),
            (400, Some("bad_request")),
            "{bad}: {}",
            a.text
        );
    }
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_operator_reads_every_organisation_and_changes_none_and_an_admin_never_reaches_the_desk() {
    let (corp, admin) = installed_and_synced("deskro");
    let ops = operator();
    for path in ["summary", "members", "seats", "audit"] {
        let a = get(&ops, &format!("{}/api/v1/corps/{corp}/{path}", edge()));
        assert_eq!(a.status, 200, "{path}: {}", a.text);
    }
    let a = post_json(
        &ops,
        &format!("{}/api/v1/corps/{corp}/seats/activate", edge()),
        &json!({"userids": ["dev1"], "type": 1}),
    );
    assert_eq!(
        (a.status, a.json()["error"]["code"].as_str()),
        (403, Some("read_only")),
        "{}",
        a.text
    );
    let a = get(&ops, &format!("{}/api/v1/me", edge()));
    assert_eq!(a.status, 403, "{}", a.text);

    let a = get(&admin, &format!("{}/api/v1/desk/corps", edge()));
    assert_eq!(a.status, 403, "{}", a.text);
    assert!(!a.text.contains(&corp));
    let a = get(&browser(), &format!("{}/api/v1/desk/corps", edge()));
    assert_eq!(a.status, 401, "{}", a.text);
}

fn summary(admin: &ureq::Agent, corp: &str) -> Value {
    let a = get(admin, &format!("{}/api/v1/corps/{corp}/summary", edge()));
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_operator_orders_seats_once_pays_them_from_the_balance_and_they_arrive() {
    let (corp, admin) = installed_and_synced("deskorder");
    let ops = operator();
    let orders = format!("{}/api/v1/desk/corps/{corp}/orders", edge());
    let request_id = format!("r-{}", unique_corp("x"));
    let order = json!({"request_id": request_id, "base_count": 3, "months": 12});
    let first = post_json(&ops, &orders, &order);
    assert_eq!(first.status, 200, "{}", first.text);
    let order_id = first.json()["order_id"].as_str().unwrap().to_owned();
    // A double click: the same order, and WeCom was asked once.
    let again = post_json(&ops, &orders, &order);
    assert_eq!(
        again.json()["order_id"],
        order_id.as_str(),
        "{}",
        again.text
    );
    let listed = wecom_license("list_order", &json!({"corpid": corp}));
    assert_eq!(
        listed["order_list"].as_array().unwrap().len(),
        1,
        "{listed}"
    );
    // The organisation's order list shows it at once, awaiting payment
    // (the cron follows it from there).
    let ours = get(&admin, &format!("{}/api/v1/corps/{corp}/orders", edge())).json();
    let mine = ours["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["order_id"] == order_id.as_str())
        .unwrap_or_else(|| panic!("{ours}"));
    assert_eq!(mine["order_status"], "awaiting_payment", "{mine}");
    // What WeCom would refuse is refused first; admins cannot order here.
    for bad in [
        json!({"request_id": "r-tooshort-0", "base_count": 3, "months": 0, "days": 30}),
        json!({"request_id": "r-nothing-00", "base_count": 0, "months": 1}),
        json!({"request_id": "no", "base_count": 1, "months": 1}),
    ] {
        let a = post_json(&ops, &orders, &bad);
        assert_eq!(a.status, 400, "{bad}: {}", a.text);
    }
    let a = post_json(
        &admin,
        &orders,
        &json!({"request_id": "r-by-admin-1", "base_count": 1, "months": 1}),
    );
    assert_eq!(a.status, 403, "{}", a.text);
    assert_eq!(
        summary(&admin, &corp)["seats"]["purchased"],
        0,
        "unpaid: no seats"
    );

    // Paid from the provider's balance: WeCom pushes license_pay_success and
    // the seats arrive without anyone pressing anything.
    let pay = format!("{orders}/pay");
    let paid = post_json(&ops, &pay, &json!({"order_id": order_id}));
    assert_eq!(
        (paid.status, paid.json()["status"].as_str()),
        (200, Some("paid")),
        "{}",
        paid.text
    );
    let mut purchased = 0;
    for _ in 0..100 {
        purchased = summary(&admin, &corp)["seats"]["purchased"]
            .as_u64()
            .unwrap_or(0);
        if purchased == 3 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(purchased, 3);
    let twice = post_json(&ops, &pay, &json!({"order_id": order_id}));
    assert_eq!(twice.json()["status"], "failed", "{}", twice.text);
    assert_eq!(twice.json()["errcode"], 701084);

    // Who ordered and who paid, in the organisation's audit log.
    let audit = get(&admin, &format!("{}/api/v1/corps/{corp}/audit", edge())).json();
    let rows = audit["items"].as_array().unwrap();
    for action in ["order_placed", "order_payment_submitted"] {
        let row = rows
            .iter()
            .find(|r| r["action"] == action)
            .unwrap_or_else(|| panic!("{action}: {audit}"));
        assert_eq!(row["actor"], "ops01");
        assert_eq!(row["detail"]["order_id"], order_id.as_str());
    }

    // A test organisation buys one month at most: WeCom refuses twelve, the
    // request id is freed, and the same id then places the month.
    let t = sim_send(
        "PUT",
        &format!("/_sim/corps/{corp}/license_info"),
        &json!({"license_status": 1, "test_corp": true}),
    );
    assert_eq!(t.status, 200, "{}", t.text);
    let retry_id = format!("r-{}", unique_corp("y"));
    let refused = post_json(
        &ops,
        &orders,
        &json!({"request_id": retry_id, "base_count": 1, "months": 12}),
    );
    assert_eq!(refused.status, 502, "{}", refused.text);
    let month = post_json(
        &ops,
        &orders,
        &json!({"request_id": retry_id, "base_count": 1, "months": 1}),
    );
    assert_eq!(month.status, 200, "{}", month.text);
}
