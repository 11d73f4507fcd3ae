//! Behaviour over time, with WeCom's and the worker's clocks moved. These
//! run alone (their own test binary, one test at a time) so no other test
//! sees the jump.

use itest::*;

/// The tests here move shared clocks: one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_trial_ends_after_90_days_and_a_reinstall_does_not_restart_it() {
    let _one_at_a_time = serial();
    let (corp, _admin) = installed_and_synced("clk");
    let before = may(&corp, "dev1", "open_workbench");
    assert_eq!(before["reason"], "trial");
    let trial_end = before["trial_ends_at"].as_u64().unwrap();

    {
        let _later = MovedClock::by(89 * 86400);
        assert_eq!(
            may(&corp, "dev1", "open_workbench")["reason"],
            "trial",
            "day 89"
        );
    }
    {
        let _later = MovedClock::by(91 * 86400);
        let after = may(&corp, "dev1", "open_workbench");
        assert_eq!(after["allowed"], false);
        assert_eq!(after["reason"], "no_seat");
        assert_eq!(after["trial_ends_at"], trial_end);

        // Uninstall and install again, 91 days on: the trial stays over.
        assert_eq!(
            post_text(
                &browser(),
                &format!("{}/_sim/corps/{corp}/uninstall", sim()),
                ""
            )
            .status,
            200
        );
        assert_eq!(
            post_text(
                &browser(),
                &format!("{}/_sim/corps/{corp}/install", sim()),
                ""
            )
            .status,
            200
        );
        let admin = signed_in(&corp, "boss");
        wait_for_sync(&admin, &corp, None);
        let again = may(&corp, "dev1", "open_workbench");
        assert_eq!(
            again["reason"], "no_seat",
            "reinstall did not restart the trial"
        );
        assert_eq!(again["trial_ends_at"], trial_end);
    }
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_seat_from_an_active_in_range_member_waits_30_days_before_moving_again() {
    let _one_at_a_time = serial();
    let (corp, admin) = installed_and_synced("cool");
    pay_order(&corp, 1, 365);
    let url = |p: &str| format!("{}/api/v1/corps/{corp}/seats/{p}", edge());
    let a = post_json(
        &admin,
        &url("activate"),
        &serde_json::json!({"userids": ["dev1"], "type": 1}),
    );
    assert_eq!(a.json()["results"][0]["ok"], true, "{}", a.text);
    let t = |admin: &ureq::Agent, h: &str, k: &str| {
        let a = post_json(
            admin,
            &url("transfer"),
            &serde_json::json!({"transfers": [{"handover_userid": h, "takeover_userid": k}]}),
        );
        assert_eq!(a.status, 200, "{}", a.text);
        a.json()["results"][0].clone()
    };
    let moved_at = now();
    let first = t(&admin, "dev1", "dev2");
    assert_eq!(first["ok"], true, "{first}");
    let available = first["available_at"].as_u64().expect("a waiting period");
    assert!((moved_at + 30 * 86400..=moved_at + 30 * 86400 + 5).contains(&available));

    let again = t(&admin, "dev2", "sales1");
    assert_eq!(again["code"], "transfer_cooldown");
    assert_eq!(again["available_at"].as_u64(), Some(available));

    let _later = MovedClock::by(30 * 86400 + 60);
    // A month on, yesterday's console session has expired: sign in again.
    let admin = signed_in(&corp, "boss");
    let after = t(&admin, "dev2", "sales1");
    assert_eq!(after["ok"], true, "after 30 days: {after}");
    // The trial is long over too, and sales1 now holds the seat.
    assert_eq!(may(&corp, "sales1", "view_qrcode")["reason"], "licensed");
}
