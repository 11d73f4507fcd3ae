//! Organisations spread over two D1 databases (edge/src/shard.rs). The
//! whole suite runs with `D1_DATABASES=DB,DB_2` (scripts/common.sh), so
//! every other test already has its organisation on one or the other; here,
//! that each organisation's rows are on its database alone, the directory
//! and the desk on the home database, that cancel_auth leaves nothing of
//! it on either but its directory entry, and that a reinstall lands where
//! it lived.

use domain::placement::pick;
use itest::*;

/// Every table that names an organisation on its own database.
const ORGANISATION_TABLES: [&str; 8] = [
    "organisations",
    "admins",
    "departments",
    "members",
    "events",
    "audit",
    "sessions",
    "sync_leases",
];

/// The rows naming `corp` in each of the organisation's tables on `db`
/// (but its create_auth, recorded on the home database before WeCom said
/// which organisation it was).
fn rows_on(db: &str, corp: &str) -> u64 {
    ORGANISATION_TABLES
        .iter()
        .map(|table| {
            let not_install = if *table == "events" {
                " AND kind <> 'create_auth'"
            } else {
                ""
            };
            d1_on(
                db,
                &format!("SELECT count(*) AS n FROM {table} WHERE corp_id = '{corp}'{not_install}"),
            )[0]["n"]
                .as_u64()
                .unwrap_or(0)
        })
        .sum()
}

fn count_on(db: &str, sql: &str) -> u64 {
    d1_on(db, sql)[0]["n"].as_u64().unwrap_or(0)
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn each_organisation_lives_on_one_database_and_cancel_auth_empties_both() {
    let dbs = databases();
    assert!(
        dbs.len() >= 2,
        "make test spreads organisations over two databases: D1_DATABASES is {dbs:?}"
    );
    let home = dbs[0].clone();
    // One new organisation for each database, as their ids fall.
    let mut corps: Vec<Option<String>> = vec![None; dbs.len()];
    while corps.iter().any(Option::is_none) {
        let corp = unique_corp("split");
        let at = pick(&corp, dbs.len());
        corps[at].get_or_insert(corp);
    }
    for (at, corp) in corps.iter().enumerate() {
        let corp = corp.as_deref().unwrap();
        let (_, admin) = installed_with(&sim_corp(corp, &[2], &["sales1"]));
        let summary = get(&admin, &format!("{}/api/v1/corps/{corp}/summary", edge()));
        assert_eq!(summary.status, 200, "{}", summary.text);
        // Its rows: all on its own database, none on another.
        for (i, db) in dbs.iter().enumerate() {
            let rows = rows_on(db, corp);
            if i == at {
                assert!(rows > 0, "{corp} has no rows on {db}, where it lives");
                let org = count_on(
                    db,
                    &format!("SELECT count(*) AS n FROM organisations WHERE corp_id = '{corp}'"),
                );
                assert_eq!(org, 1, "{corp} on {db}");
            } else {
                assert_eq!(
                    rows, 0,
                    "{corp} lives on {}, yet {db} has {rows} of its rows",
                    dbs[at]
                );
            }
        }
        let install = count_on(&home, &format!("SELECT count(*) AS n FROM events WHERE corp_id = '{corp}' AND kind = 'create_auth'"));
        assert_eq!(install, 1, "{corp}'s create_auth on {home}");
        // The install kept there (to finish it if the second write fails)
        // carries the trial's start the organisation's row has.
        let kept = count_on(&home, &format!("SELECT json_extract(install, '$.first_installed_at') AS n FROM events WHERE corp_id = '{corp}' AND kind = 'create_auth'"));
        let stored = count_on(
            &dbs[at],
            &format!("SELECT first_installed_at AS n FROM organisations WHERE corp_id = '{corp}'"),
        );
        assert!(
            kept > 0 && kept == stored,
            "{corp}: kept install's first install {kept}, stored {stored}"
        );
        // The directory and the desk row: on the home database only.
        let named = d1_on(
            &home,
            &format!("SELECT binding FROM org_homes WHERE corp_id = '{corp}'"),
        );
        assert_eq!(named.len(), 1, "{corp} in the directory: {named:?}");
        assert_eq!(named[0]["binding"].as_str(), Some(dbs[at].as_str()));
        let desk = count_on(
            &home,
            &format!("SELECT count(*) AS n FROM desk WHERE corp_id = '{corp}'"),
        );
        assert_eq!(desk, 1, "{corp}'s desk row on {home}");
        for db in &dbs[1..] {
            for table in ["org_homes", "desk", "install_history", "login_states"] {
                let n = count_on(db, &format!("SELECT count(*) AS n FROM {table}"));
                assert_eq!(n, 0, "{db} holds {n} rows of {table}, a home table");
            }
        }
    }
    // cancel_auth: nothing of either organisation is left anywhere.
    for corp in corps.iter().flatten() {
        sim_uninstall(corp);
    }
    settle();
    for corp in corps.iter().flatten() {
        for db in &dbs {
            let kept_uninstall = count_on(
                db,
                &format!("SELECT count(*) AS n FROM events WHERE corp_id = '{corp}' AND kind = 'cancel_auth'"),
            );
            assert_eq!(
                rows_on(db, corp),
                kept_uninstall,
                "{corp} left rows on {db}"
            );
            let desk = count_on(
                db,
                &format!("SELECT count(*) AS n FROM desk WHERE corp_id = '{corp}'"),
            );
            assert_eq!(desk, 0, "{corp} left its desk row on {db}");
        }
    }
    // The directory keeps where each lived, so a reinstall lands there
    // again (and no isolate that remembers it is wrong).
    for (at, corp) in corps.iter().enumerate() {
        let corp = corp.as_deref().unwrap();
        let named = d1_on(
            &home,
            &format!("SELECT binding FROM org_homes WHERE corp_id = '{corp}'"),
        );
        assert_eq!(
            named[0]["binding"].as_str(),
            Some(dbs[at].as_str()),
            "{corp} after cancel_auth"
        );
        sim_install(corp);
        let org = count_on(
            &dbs[at],
            &format!("SELECT count(*) AS n FROM organisations WHERE corp_id = '{corp}'"),
        );
        assert_eq!(org, 1, "{corp} reinstalled on {}", dbs[at]);
        let elsewhere = rows_on(&dbs[(at + 1) % dbs.len()], corp);
        assert_eq!(elsewhere, 0, "{corp} reinstalled across databases");
    }
}
