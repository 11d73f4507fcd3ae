//! Behaviour over time, with WeCom's and the worker's clocks moved. These
//! run alone (their own test binary, one test) so no other test sees the
//! jump.

use itest::*;

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_trial_ends_after_90_days_and_a_reinstall_does_not_restart_it() {
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
        let t0 = now() + 91 * 86400;
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
        wait_for_sync(&admin, &corp, t0);
        let again = may(&corp, "dev1", "open_workbench");
        assert_eq!(
            again["reason"], "no_seat",
            "reinstall did not restart the trial"
        );
        assert_eq!(again["trial_ends_at"], trial_end);
    }
}
