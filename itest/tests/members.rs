//! The members list as the console's 50 000-member view asks for it:
//! by department subtree and by seat.

use itest::*;

fn userids(admin: &ureq::Agent, corp: &str, query: &str) -> Vec<String> {
    members(admin, corp, query).into_keys().collect()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn members_are_found_by_department_subtree_and_by_seat() {
    // Every department in range: boss in 总部 (1), dev1 and dev2 in 研发
    // (2, under 1), sales1 in 销售 (3, under 1).
    let (corp, admin) = installed_with(&sim_corp(&unique_corp("mfil"), &[1], &[]));
    assert_eq!(userids(&admin, &corp, "department_id=1"), ["boss"]);
    assert_eq!(
        userids(&admin, &corp, "department_id=1&sub_departments=true"),
        ["boss", "dev1", "dev2", "sales1"]
    );
    assert_eq!(
        userids(&admin, &corp, "department_id=2&sub_departments=true"),
        ["dev1", "dev2"]
    );

    pay_order(&corp, 2, 365);
    assert_eq!(activate(&admin, &corp, &["dev1"])[0]["ok"], true);
    assert_eq!(userids(&admin, &corp, "licensed=true"), ["dev1"]);
    assert_eq!(
        userids(&admin, &corp, "licensed=false"),
        ["boss", "dev2", "sales1"]
    );
    assert_eq!(userids(&admin, &corp, "seat_type=1"), ["dev1"]);
    assert!(userids(&admin, &corp, "seat_type=2").is_empty());
    // Filters combine: unlicensed members of 研发 and below.
    assert_eq!(
        userids(
            &admin,
            &corp,
            "licensed=false&department_id=2&sub_departments=true"
        ),
        ["dev2"]
    );
    let bad = get(
        &admin,
        &format!("{}/api/v1/corps/{corp}/members?seat_type=9", edge()),
    );
    assert_eq!(bad.status, 400, "{}", bad.text);
}
