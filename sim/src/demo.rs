//! The demo organisation `wwdemo01`: a few departments, about sixty members,
//! a visible range of whole departments plus some individuals (who come
//! without department information, as WeCom sends them).

use crate::state::{Admin, Corp, Department, LicenseSettings, Range, Tag, User};

pub const DEMO_CORP_ID: &str = "wwdemo01";

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "杰"];

pub fn corp() -> Corp {
    let departments = vec![
        dept(1, "草料演示科技", 0),
        dept(2, "研发部", 1),
        dept(3, "市场部", 1),
        dept(4, "销售部", 1),
        dept(5, "前端组", 2),
        dept(6, "行政部", 1),
    ];
    let mut users = vec![User {
        userid: "admin".into(),
        name: "管理员".into(),
        department: vec![1],
        status: 1,
    }];
    // 60 members spread over the departments: 2 and 5 (R&D), 3, 4, 6.
    let homes = [2, 2, 5, 3, 4, 4, 6, 2, 3, 5];
    for i in 0..60 {
        users.push(User {
            userid: format!("user{:02}", i + 1),
            name: format!(
                "{}{}",
                SURNAMES[i % SURNAMES.len()],
                GIVEN[(i / 3) % GIVEN.len()]
            ),
            department: vec![homes[i % homes.len()]],
            status: 1,
        });
    }
    Corp {
        corp_id: DEMO_CORP_ID.into(),
        corp_name: "草料演示科技有限公司".into(),
        agent_id: 1000001,
        departments,
        users,
        tags: vec![Tag {
            tagid: 1,
            tagname: "二维码管理员".into(),
            userlist: vec!["user05".into(), "user06".into()],
            partylist: vec![],
        }],
        admins: vec![Admin::manager("admin")],
        auth_mode: 0,
        // R&D (with its sub-department) and marketing as whole departments;
        // three sales people picked one by one.
        range: Range {
            party: vec![2, 3],
            user: vec!["user05".into(), "user06".into(), "user15".into()],
            tag: vec![],
        },
        installed: false,
        permanent_code: None,
        first_installed_at: None,
        license: LicenseSettings::default(),
        member_limit: 500,
    }
}

/// The provider's own organisation (it installs nothing): the operators
/// the demo and tests list in `OPERATOR_USERIDS`, and a colleague who is
/// not listed.
pub fn provider(corp_id: &str) -> Corp {
    let member = |userid: &str, name: &str| User {
        userid: userid.into(),
        name: name.into(),
        department: vec![1],
        status: 1,
    };
    Corp {
        corp_id: corp_id.into(),
        corp_name: "草料二维码（服务商）".into(),
        agent_id: 0,
        departments: vec![dept(1, "草料二维码", 0)],
        users: vec![
            member("ops01", "运营一"),
            member("ops02", "运营二"),
            member("intern", "实习生"),
        ],
        tags: vec![],
        admins: vec![],
        auth_mode: 0,
        range: Range::default(),
        installed: false,
        permanent_code: None,
        first_installed_at: None,
        license: LicenseSettings::default(),
        member_limit: 500,
    }
}

fn dept(id: u64, name: &str, parentid: u64) -> Department {
    Department {
        id,
        name: name.into(),
        parentid,
        order: id,
    }
}
