//! What an admin reads back and takes away: the audit log and the CSV
//! exports, checked against the API they mirror.

use itest::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `GET` a CSV export: (status, content type, content disposition, text).
fn export(admin: &ureq::Agent, corp: &str, what: &str) -> (u16, String, String, String) {
    let url = format!("{}/api/v1/corps/{corp}/export/{what}", edge());
    let resp = match admin.get(&url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{url}: {e}"),
    };
    let status = resp.status();
    let content_type = resp.header("content-type").unwrap_or_default().to_owned();
    let disposition = resp
        .header("content-disposition")
        .unwrap_or_default()
        .to_owned();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut resp.into_reader(), &mut text).expect("a UTF-8 body");
    (status, content_type, disposition, text)
}

/// A CSV as maps from its header's names to each line's cells.
fn records(text: &str) -> Vec<BTreeMap<String, String>> {
    assert!(text.starts_with('\u{feff}'), "no byte-order mark");
    let mut rows = domain::csv::parse(text).into_iter();
    let header = rows.next().expect("a header line");
    rows.map(|r| {
        assert_eq!(r.len(), header.len(), "{r:?}");
        header.iter().cloned().zip(r).collect()
    })
    .collect()
}

fn audit(admin: &ureq::Agent, corp: &str, query: &str) -> Value {
    let a = get(
        admin,
        &format!("{}/api/v1/corps/{corp}/audit?{query}", edge()),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_audit_log_shows_the_sign_in_and_an_activation_with_its_outcome() {
    let (corp, admin) = installed_and_synced("aud");
    pay_order(&corp, 1, 365);
    let before = now();
    assert_eq!(activate(&admin, &corp, &["dev1"])[0]["ok"], true);

    let activated = audit(&admin, &corp, "action=seats_activated");
    assert_eq!(activated["total"], 1, "{activated}");
    let row = &activated["items"][0];
    assert_eq!(row["actor"], "boss");
    assert!(row["at"].as_u64().unwrap() >= before);
    assert!(row["detail"].to_string().contains("dev1"), "{row}");

    // By member: the activation names dev1; boss's own rows are theirs.
    let of_dev1 = audit(&admin, &corp, "userid=dev1");
    assert!(of_dev1["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["action"] == "seats_activated"));
    let signed_in = audit(&admin, &corp, "action=signed_in&userid=boss");
    assert!(signed_in["total"].as_u64().unwrap() >= 1, "{signed_in}");

    // Newest first, paged; a window of time narrows.
    let all = audit(&admin, &corp, "");
    let ids: Vec<u64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    assert!(ids.len() >= 3, "installed, signed in, activated: {all}");
    let first = audit(&admin, &corp, "limit=1");
    assert_eq!(first["items"][0]["id"].as_u64(), Some(ids[0]));
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = audit(&admin, &corp, &format!("limit=1&cursor={cursor}"));
    assert_eq!(second["items"][0]["id"].as_u64(), Some(ids[1]));
    let future = audit(&admin, &corp, &format!("from={}", now() + 3600));
    assert_eq!(future["total"], 0);

    let bad = get(
        &admin,
        &format!("{}/api/v1/corps/{corp}/audit?action=drop", edge()),
    );
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert!(bad.text.contains("action must be one of"), "{}", bad.text);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_members_export_matches_the_members_list_row_for_row_across_pages() {
    // More members than one export page (5 000), so it pages through D1.
    let (corp, admin) = generated("expm", 20, 6_200);
    pay_order(&corp, 3, 365);
    let listed = members(&admin, &corp, "");
    let some: Vec<&str> = listed.keys().take(3).map(String::as_str).collect();
    assert!(activate(&admin, &corp, &some)
        .iter()
        .all(|r| r["ok"] == true));

    let (status, content_type, disposition, text) = export(&admin, &corp, "members.csv");
    assert_eq!(status, 200, "{text}");
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert!(disposition.contains("members.csv"), "{disposition}");
    let rows = records(&text);
    assert_eq!(rows.len(), listed.len());
    let seats = all_seats(&admin, &corp);
    for row in &rows {
        let m = &listed[&row["userid"]];
        assert_eq!(row["name"], m["name"].as_str().unwrap());
        assert_eq!(row["status"], m["status"].as_str().unwrap());
        assert_eq!(row["in_range"], m["in_range"].to_string());
        let ids: Vec<String> = m["department_ids"]
            .as_array()
            .map(|a| a.iter().map(|v| v.to_string()).collect())
            .unwrap_or_default();
        assert_eq!(row["department_ids"], ids.join(";"));
        let seat = seats.iter().find(|s| s["userid"] == m["userid"]);
        match seat {
            Some(s) => {
                assert_eq!(row["base_seat"], "active");
                let expires = s["expires_at"].as_u64().unwrap();
                assert_eq!(row["base_seat_expires"], domain::when::date_time(expires));
            }
            None => assert_eq!(row["base_seat"], ""),
        }
    }
    assert_eq!(
        rows.iter().filter(|r| r["base_seat"] == "active").count(),
        3
    );

    // The list's filters apply.
    let (_, _, _, none) = export(&admin, &corp, "members.csv?status=departed");
    assert_eq!(records(&none).len(), 0);
    let (bad, _, _, text) = export(&admin, &corp, "members.csv?status=gone");
    assert_eq!(bad, 400, "{text}");
}

/// Every seat of the organisation, from the seat list.
fn all_seats(admin: &ureq::Agent, corp: &str) -> Vec<Value> {
    let mut out = vec![];
    let mut cursor = String::new();
    loop {
        let a = get(
            admin,
            &format!(
                "{}/api/v1/corps/{corp}/seats?limit=500&cursor={cursor}",
                edge()
            ),
        );
        assert_eq!(a.status, 200, "{}", a.text);
        let page = a.json();
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => return out,
        }
    }
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn seats_orders_and_audit_export_what_their_lists_show() {
    let (corp, admin) = installed_and_synced("exps");
    let order = pay_order(&corp, 2, 365);
    assert_eq!(activate(&admin, &corp, &["dev1"])[0]["ok"], true);

    let (status, _, _, text) = export(&admin, &corp, "seats.csv");
    assert_eq!(status, 200, "{text}");
    let seats = records(&text);
    let listed = all_seats(&admin, &corp);
    assert_eq!(seats.len(), listed.len());
    for (row, s) in seats.iter().zip(&listed) {
        assert_eq!(row["active_code"], s["active_code"].as_str().unwrap());
        assert_eq!(row["status"], s["status"].as_str().unwrap());
        assert_eq!(row["userid"], s["userid"].as_str().unwrap_or(""));
    }
    let (_, _, _, active) = export(&admin, &corp, "seats.csv?status=active");
    assert_eq!(records(&active).len(), 1);

    let (status, _, _, text) = export(&admin, &corp, "orders.csv");
    assert_eq!(status, 200, "{text}");
    let orders = records(&text);
    assert_eq!(orders.len(), 1, "{text}");
    assert_eq!(orders[0]["order_id"], order);
    assert_eq!(orders[0]["base_count"], "2");

    let (status, _, _, text) = export(&admin, &corp, "audit.csv?action=seats_activated");
    assert_eq!(status, 200, "{text}");
    let audit_rows = records(&text);
    assert_eq!(audit_rows.len(), 1, "{text}");
    assert_eq!(audit_rows[0]["actor"], "boss");
    assert!(audit_rows[0]["detail"].contains("dev1"));
}

fn trends(admin: &ureq::Agent, corp: &str) -> Value {
    let a = get(admin, &format!("{}/api/v1/corps/{corp}/trends", edge()));
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_cron_keeps_one_point_a_day_for_the_overview_and_counts_new_requests_a_week() {
    let (corp, admin) = installed_and_synced("trend");
    pay_order(&corp, 3, 365);
    reconcile(&corp);
    let today = domain::when::date(now());
    let first = trends(&admin, &corp);
    assert_eq!(first["days"].as_array().unwrap().len(), 1, "{first}");
    let day = &first["days"][0];
    assert_eq!(day["date"], today.as_str());
    assert_eq!(
        (
            &day["seats_bought"],
            &day["seats_active"],
            &day["members_in_range"],
            &day["asking"]
        ),
        (&json!(3), &json!(0), &json!(3), &json!(0)),
        "{day}"
    );

    // dev2 opens the app without a seat; dev1 gets one: the same day's
    // point moves, no second point is added.
    let opened = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/open_app"),
        &json!({"userid": "dev2"}),
    );
    assert_eq!(opened.status, 200, "{}", opened.text);
    assert_eq!(activate(&admin, &corp, &["dev1"])[0]["ok"], true);
    reconcile(&corp);
    let second = trends(&admin, &corp);
    assert_eq!(second["days"].as_array().unwrap().len(), 1, "{second}");
    assert_eq!(second["days"][0]["seats_active"], 1);
    assert_eq!(second["days"][0]["asking"], 1);
    let monday = domain::when::day_date(domain::when::week_monday(domain::when::day_number(now())));
    assert_eq!(
        second["weeks"],
        json!([{"week_of": monday, "new_requests": 1}])
    );

    // The overview's summary says the same now.
    let summary = get(&admin, &format!("{}/api/v1/corps/{corp}/summary", edge())).json();
    assert_eq!(summary["asking"], 1, "{summary}");
    assert_eq!(summary["seats"]["transfer_wait"], 0, "{summary}");
    // dev1 is active and in range: the seat moves, then waits 30 days.
    assert_eq!(transfer(&admin, &corp, "dev1", "sales1")["ok"], true);
    let summary = get(&admin, &format!("{}/api/v1/corps/{corp}/summary", edge())).json();
    assert_eq!(summary["seats"]["transfer_wait"], 1, "{summary}");

    // dev1, seatless now, opens the app a second later: the same week
    // counts two new requests, in one row.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let opened = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/open_app"),
        &json!({"userid": "dev1"}),
    );
    assert_eq!(opened.status, 200, "{}", opened.text);
    reconcile(&corp);
    let third = trends(&admin, &corp);
    assert_eq!(
        third["weeks"],
        json!([{"week_of": monday, "new_requests": 2}]),
        "{third}"
    );
}
