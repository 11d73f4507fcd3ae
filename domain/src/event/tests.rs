use super::*;

fn cdata(name: &str, v: &str) -> String {
    format!("<{name}><![CDATA[{v}]]></{name}>")
}

#[test]
fn suite_ticket_is_parsed() {
    let xml = format!(
        "<xml>{}{}<TimeStamp>1403610513</TimeStamp>{}</xml>",
        cdata("SuiteId", "wwsuite"),
        cdata("InfoType", "suite_ticket"),
        cdata("SuiteTicket", "TICKET-1")
    );
    assert_eq!(
        CommandEvent::parse(&xml).unwrap(),
        CommandEvent::SuiteTicket {
            suite_id: "wwsuite".into(),
            ticket: "TICKET-1".into(),
            timestamp: 1403610513
        }
    );
}

#[test]
fn install_lifecycle_events_are_parsed() {
    let create = "<xml><SuiteId><![CDATA[s]]></SuiteId><AuthCode><![CDATA[AUTH]]></AuthCode>\
        <InfoType><![CDATA[create_auth]]></InfoType><TimeStamp>1</TimeStamp><State><![CDATA[]]></State></xml>";
    assert_eq!(
        CommandEvent::parse(create).unwrap(),
        CommandEvent::CreateAuth {
            suite_id: "s".into(),
            auth_code: "AUTH".into(),
            state: None
        }
    );
    let change =
        "<xml><SuiteId>s</SuiteId><InfoType>change_auth</InfoType><TimeStamp>1</TimeStamp>\
        <AuthCorpId>wwc</AuthCorpId><State>st</State></xml>";
    assert_eq!(
        CommandEvent::parse(change).unwrap(),
        CommandEvent::ChangeAuth {
            suite_id: "s".into(),
            auth_corp_id: "wwc".into(),
            state: Some("st".into())
        }
    );
    let cancel =
        "<xml><SuiteId>s</SuiteId><InfoType>cancel_auth</InfoType><TimeStamp>1</TimeStamp>\
        <AuthCorpId>wwc</AuthCorpId></xml>";
    let ev = CommandEvent::parse(cancel).unwrap();
    assert_eq!(ev.corp_id(), Some("wwc"));
    assert_eq!(ev.kind(), "cancel_auth");
}

#[test]
fn create_user_carries_every_member_field() {
    let xml = "<xml><SuiteId>s</SuiteId><AuthCorpId>wwc</AuthCorpId><InfoType>change_contact</InfoType>\
        <TimeStamp>1</TimeStamp><ChangeType>create_user</ChangeType><UserID>zhangsan</UserID>\
        <OpenUserID>woAAA</OpenUserID><Name>张三</Name><Department>1,2,3</Department>\
        <MainDepartment>1</MainDepartment><IsLeaderInDept>1,0,0</IsLeaderInDept>\
        <DirectLeader>lisi,wangwu</DirectLeader><Position>产品经理</Position><Mobile>13800000000</Mobile>\
        <Gender>1</Gender><Email>zs@example.com</Email><Status>1</Status><Avatar>http://a/b</Avatar>\
        <Alias>zs</Alias><Telephone>020-123</Telephone></xml>";
    let CommandEvent::ChangeContact {
        auth_corp_id,
        change: ContactChange::CreateUser(m),
    } = CommandEvent::parse(xml).unwrap()
    else {
        panic!("not create_user")
    };
    assert_eq!(auth_corp_id, "wwc");
    assert_eq!(m.userid, "zhangsan");
    assert_eq!(m.name.as_deref(), Some("张三"));
    assert_eq!(m.department_ids, Some(vec![1, 2, 3]));
    assert_eq!(m.main_department, Some(1));
    assert_eq!(m.is_leader_in_dept, Some(vec![1, 0, 0]));
    assert_eq!(m.direct_leader, vec!["lisi", "wangwu"]);
    assert_eq!(m.status, Some(1));
    assert_eq!(m.open_userid.as_deref(), Some("woAAA"));
}

#[test]
fn update_user_keeps_only_what_was_sent() {
    let xml = "<xml><AuthCorpId>wwc</AuthCorpId><InfoType>change_contact</InfoType>\
        <ChangeType>update_user</ChangeType><UserID>zs</UserID><NewUserID>zs2</NewUserID></xml>";
    let CommandEvent::ChangeContact {
        change: ContactChange::UpdateUser(m),
        ..
    } = CommandEvent::parse(xml).unwrap()
    else {
        panic!()
    };
    assert_eq!(m.new_userid.as_deref(), Some("zs2"));
    assert_eq!(m.department_ids, None);
    assert_eq!(m.name, None);
}

#[test]
fn department_and_tag_changes_are_parsed() {
    let base = |body: &str| {
        format!("<xml><AuthCorpId>wwc</AuthCorpId><InfoType>change_contact</InfoType>{body}</xml>")
    };
    let create = base("<ChangeType>create_party</ChangeType><Id>2</Id><Name>研发</Name><ParentId>1</ParentId><Order>1</Order>");
    assert!(matches!(
        CommandEvent::parse(&create).unwrap(),
        CommandEvent::ChangeContact {
            change: ContactChange::CreateParty(DepartmentChange {
                id: 2,
                parent_id: Some(1),
                ..
            }),
            ..
        }
    ));
    let delete = base("<ChangeType>delete_party</ChangeType><Id>7</Id>");
    assert!(matches!(
        CommandEvent::parse(&delete).unwrap(),
        CommandEvent::ChangeContact {
            change: ContactChange::DeleteParty { id: 7 },
            ..
        }
    ));
    let tag = base("<ChangeType>update_tag</ChangeType><TagId>3</TagId><AddUserItems>a,b</AddUserItems>\
        <DelUserItems>c</DelUserItems><AddPartyItems>4,5</AddPartyItems><DelPartyItems>6</DelPartyItems>");
    let CommandEvent::ChangeContact {
        change: ContactChange::UpdateTag(t),
        ..
    } = CommandEvent::parse(&tag).unwrap()
    else {
        panic!()
    };
    assert_eq!(t.tag_id, 3);
    assert_eq!(t.add_userids, vec!["a", "b"]);
    assert_eq!(t.del_userids, vec!["c"]);
    assert_eq!(t.add_party_ids, vec![4, 5]);
    assert_eq!(t.del_party_ids, vec![6]);
    let del_user = base("<ChangeType>delete_user</ChangeType><UserID>zs</UserID>");
    assert_eq!(
        CommandEvent::parse(&del_user).unwrap().kind(),
        "change_contact.delete_user"
    );
}

#[test]
fn license_events_are_parsed() {
    let pay = "<xml><ServiceCorpId>wwp</ServiceCorpId><InfoType>license_pay_success</InfoType>\
        <AuthCorpId>wwc</AuthCorpId><OrderId>OI0001</OrderId><BuyerUserId>admin</BuyerUserId><TimeStamp>1</TimeStamp></xml>";
    assert_eq!(
        SystemEvent::parse(pay).unwrap(),
        SystemEvent {
            service_corp_id: "wwp".into(),
            kind: SystemKind::LicensePaySuccess {
                auth_corp_id: "wwc".into(),
                order_id: "OI0001".into(),
                buyer_userid: Some("admin".into())
            }
        }
    );
    let refund = "<xml><ServiceCorpId>wwp</ServiceCorpId><InfoType>license_refund</InfoType><AuthCorpId>wwc</AuthCorpId><OrderId>OI1</OrderId><OrderStatus>1</OrderStatus></xml>";
    assert_eq!(
        SystemEvent::parse(refund).unwrap().kind,
        SystemKind::LicenseRefund {
            auth_corp_id: "wwc".into(),
            order_id: "OI1".into(),
            order_status: RefundOutcome::Refunded
        }
    );
    // 1 and 2 are all license_refund says today; a number WeCom adds
    // later is kept (the refund is then judged by get_order's status).
    let four = refund.replace(">1</OrderStatus>", ">4</OrderStatus>");
    assert!(matches!(
        SystemEvent::parse(&four).unwrap().kind,
        SystemKind::LicenseRefund {
            order_status: RefundOutcome::Unknown(4),
            ..
        }
    ));
    // Without the provider it is no system event.
    let anonymous = refund.replace("<ServiceCorpId>wwp</ServiceCorpId>", "");
    assert_eq!(
        SystemEvent::parse(&anonymous).unwrap_err(),
        EventError::Missing("ServiceCorpId")
    );
}

#[test]
fn license_events_on_the_command_url_are_kept_not_acted_on() {
    let pay = "<xml><SuiteId>s</SuiteId><InfoType>license_pay_success</InfoType>\
        <AuthCorpId>wwc</AuthCorpId><OrderId>OI0001</OrderId></xml>";
    assert_eq!(
        CommandEvent::parse(pay).unwrap(),
        CommandEvent::Unknown {
            info_type: "license_pay_success".into(),
            auth_corp_id: Some("wwc".into())
        }
    );
}

#[test]
fn auto_activate_lists_every_account() {
    let xml = "<xml><ServiceCorpId>wwp</ServiceCorpId><InfoType>auto_activate</InfoType><AuthCorpId>wwc</AuthCorpId>\
        <Scene>1</Scene><TimeStamp>1</TimeStamp>\
        <AccountList><ActiveCode>CODE1</ActiveCode><Type>1</Type><ExpireTime>1700000000</ExpireTime>\
          <UserId>zs</UserId><PreviousStatus>1</PreviousStatus></AccountList>\
        <AccountList><ActiveCode>CODE2</ActiveCode><Type>2</Type><ExpireTime>1700000001</ExpireTime>\
          <UserId>ls</UserId><PreviousStatus>2</PreviousStatus><PreviousActiveCode>OLD</PreviousActiveCode></AccountList></xml>";
    let SystemKind::AutoActivate {
        accounts, scene, ..
    } = SystemEvent::parse(xml).unwrap().kind
    else {
        panic!()
    };
    assert_eq!(scene, Some(1));
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0].active_code, "CODE1");
    assert_eq!(accounts[0].previous_active_code, None);
    assert_eq!(accounts[1].account_type, 2);
    assert_eq!(accounts[1].previous_active_code.as_deref(), Some("OLD"));
}

#[test]
fn unknown_info_types_and_change_types_are_kept() {
    let xml = "<xml><InfoType>mystery</InfoType><AuthCorpId>wwc</AuthCorpId></xml>";
    assert_eq!(
        CommandEvent::parse(xml).unwrap(),
        CommandEvent::Unknown {
            info_type: "mystery".into(),
            auth_corp_id: Some("wwc".into())
        }
    );
    let xml = "<xml><InfoType>change_contact</InfoType><AuthCorpId>wwc</AuthCorpId><ChangeType>mystery</ChangeType></xml>";
    assert_eq!(
        CommandEvent::parse(xml).unwrap().kind(),
        "change_contact.mystery"
    );
}

#[test]
fn data_events_are_parsed() {
    let xml =
        "<xml><ToUserName><![CDATA[wwc]]></ToUserName><FromUserName><![CDATA[zs]]></FromUserName>\
        <CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>\
        <Event><![CDATA[unlicensed_notify]]></Event><AgentID>1000002</AgentID></xml>";
    assert_eq!(
        DataEvent::parse(xml).unwrap(),
        DataEvent::UnlicensedNotify {
            corp_id: "wwc".into(),
            userid: "zs".into(),
            agent_id: Some(1000002),
            at: 1700000000
        }
    );
    let other =
        "<xml><ToUserName>wwc</ToUserName><MsgType>event</MsgType><Event>click</Event></xml>";
    assert_eq!(
        DataEvent::parse(other).unwrap(),
        DataEvent::Unknown {
            corp_id: Some("wwc".into()),
            kind: "click".into()
        }
    );
}

#[test]
fn change_app_admin_is_a_data_event_about_the_organisation() {
    // WeCom's example on page 95038, on the data URL.
    let xml =
        "<xml><ToUserName><![CDATA[wwc]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>\
        <CreateTime>1348831860</CreateTime><MsgType><![CDATA[event]]></MsgType>\
        <Event><![CDATA[change_app_admin]]></Event><AgentID>1</AgentID></xml>";
    let event = DataEvent::parse(xml).unwrap();
    assert_eq!(
        event,
        DataEvent::ChangeAppAdmin {
            corp_id: "wwc".into(),
            agent_id: Some(1),
            at: 1348831860
        }
    );
    assert_eq!(
        (event.kind(), event.corp_id()),
        ("change_app_admin", Some("wwc"))
    );
    let nameless = "<xml><FromUserName>sys</FromUserName><CreateTime>1</CreateTime>\
        <MsgType>event</MsgType><Event>change_app_admin</Event></xml>";
    assert_eq!(
        DataEvent::parse(nameless).unwrap_err(),
        EventError::Missing("ToUserName")
    );
}

#[test]
fn bad_input_gives_clear_errors() {
    assert_eq!(
        CommandEvent::parse("<xml></xml>").unwrap_err(),
        EventError::Missing("InfoType")
    );
    assert!(matches!(
        CommandEvent::parse("<xml><InfoType>x</Info").unwrap_err(),
        EventError::Malformed(_)
    ));
    assert!(matches!(
        CommandEvent::parse("not xml at all").unwrap_err(),
        EventError::Missing(_) | EventError::Malformed(_)
    ));
    assert_eq!(
        CommandEvent::parse("<xml><InfoType>suite_ticket</InfoType><SuiteId>s</SuiteId><SuiteTicket>t</SuiteTicket><TimeStamp>soon</TimeStamp></xml>").unwrap_err(),
        EventError::NotNumber("TimeStamp")
    );
    assert_eq!(
        CommandEvent::parse("<xml><InfoType>create_auth</InfoType><SuiteId>s</SuiteId></xml>")
            .unwrap_err(),
        EventError::Missing("AuthCode")
    );
}

#[test]
fn dtds_and_entities_are_refused() {
    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><InfoType>&e;</InfoType></xml>";
    assert_eq!(CommandEvent::parse(xxe).unwrap_err(), EventError::Dtd);
    assert_eq!(Envelope::parse(xxe).unwrap_err(), EventError::Dtd);
    // Undeclared entities are not expanded either.
    assert!(CommandEvent::parse("<xml><InfoType>&e;</InfoType></xml>").is_err());
}

#[test]
fn oversized_bodies_are_refused() {
    let big = format!(
        "<xml><InfoType>x</InfoType><Pad>{}</Pad></xml>",
        "a".repeat(MAX_CALLBACK_BYTES)
    );
    assert_eq!(CommandEvent::parse(&big).unwrap_err(), EventError::TooLarge);
}

#[test]
fn envelope_yields_the_encrypted_text() {
    let env = Envelope::parse("<xml><ToUserName><![CDATA[wwc]]></ToUserName><Encrypt><![CDATA[abc==]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>").unwrap();
    assert_eq!(env.encrypt, "abc==");
    assert_eq!(env.to_user_name.as_deref(), Some("wwc"));
    assert_eq!(
        Envelope::parse("<xml><ToUserName>x</ToUserName></xml>").unwrap_err(),
        EventError::Missing("Encrypt")
    );
    assert_eq!(
        Envelope::parse("<xml><Encrypt></Encrypt></xml>").unwrap_err(),
        EventError::Missing("Encrypt")
    );
}

#[test]
fn a_members_own_change_names_its_lane_and_a_rename_or_a_department_does_not() {
    let change = |body: &str| {
        CommandEvent::parse(&format!(
            "<xml><AuthCorpId>wwc</AuthCorpId><InfoType>change_contact</InfoType>{body}</xml>"
        ))
        .unwrap()
    };
    let update = change("<ChangeType>update_user</ChangeType><UserID>zs</UserID>");
    assert_eq!(update.member(), Some("zs"));
    assert!(update.rereads_member());
    let create = change("<ChangeType>create_user</ChangeType><UserID>ls</UserID>");
    assert_eq!(
        (create.member(), create.rereads_member()),
        (Some("ls"), true)
    );
    // A departure is the member's too, but reads nothing from WeCom.
    let delete = change("<ChangeType>delete_user</ChangeType><UserID>zs</UserID>");
    assert_eq!(
        (delete.member(), delete.rereads_member()),
        (Some("zs"), false)
    );
    // A rename touches two rows: applied alone.
    let rename =
        change("<ChangeType>update_user</ChangeType><UserID>zs</UserID><NewUserID>zs2</NewUserID>");
    assert_eq!((rename.member(), rename.rereads_member()), (None, false));
    let party = change("<ChangeType>update_party</ChangeType><Id>2</Id><Name>研发</Name>");
    assert_eq!(party.member(), None);
}
