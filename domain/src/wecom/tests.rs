use super::*;

#[test]
fn order_reads_wecoms_documented_example() {
    // Shape of the example on WeCom's get_order page (document/path/95648).
    let o: OrderReply = serde_json::from_str(
        r#"{"errcode":0,"errmsg":"ok","order":{"order_id":"OI0000","order_type":1,
        "order_status":1,"corpid":"CORPID","price":10000,
        "account_count":{"base_count":100,"external_contact_count":50},
        "account_duration":{"months":2},"create_time":1640000000,"pay_time":1640000100}}"#,
    )
    .unwrap();
    assert_eq!(o.order.account_count.external_contact_count, 50);
    assert_eq!(o.order.account_duration.total_days(), 62);
    assert_eq!(o.order.pay_time, 1640000100);
    assert_eq!(o.order.order_status, OrderStatus::Paid);
    assert_eq!(o.order.order_type, OrderType::Purchase);
    assert_eq!(o.order.price, 10000);
}

#[test]
fn wecoms_numbers_read_as_words_and_unknown_ones_are_kept() {
    assert_eq!(RefundOutcome::from(1), RefundOutcome::Refunded);
    assert_eq!(RefundOutcome::from(2), RefundOutcome::Rejected);
    assert_eq!(
        RefundOutcome::from(4),
        RefundOutcome::Unknown(4),
        "4 is get_order's"
    );
    assert_eq!(OrderStatus::from(6), OrderStatus::RefundRejected);
    assert_eq!(u32::from(OrderStatus::Invalidated), 7);
    assert_eq!(OrderStatus::from(8), OrderStatus::Unknown(8));
    assert_eq!(u32::from(OrderStatus::Unknown(8)), 8);
    assert_eq!(
        Option::<OrderStatus>::from(RefundOutcome::Refunded),
        Some(OrderStatus::Refunded)
    );
    assert_eq!(
        Option::<OrderStatus>::from(RefundOutcome::Rejected),
        Some(OrderStatus::RefundRejected)
    );
    assert_eq!(Option::<OrderStatus>::from(RefundOutcome::Unknown(3)), None);
    for n in 1..=6 {
        assert_eq!(u32::from(AccountStatus::from(n)), n);
        assert!(!matches!(AccountStatus::from(n), AccountStatus::Unknown(_)));
    }
    assert_eq!(AccountStatus::from(0), AccountStatus::Unknown(0));
    assert_eq!(AccountStatus::DOCUMENTED.len(), 6);
    assert_eq!(
        serde_json::to_string(&OrderStatus::RefundRequested).unwrap(),
        "\"refund_requested\"",
        "our own JSON says the word"
    );
    assert_eq!(
        serde_json::to_string(&OrderType::Unknown(9)).unwrap(),
        "\"unknown_9\"",
        "an unknown number is shown with its number"
    );
    for s in OrderStatus::DOCUMENTED
        .iter()
        .copied()
        .chain([OrderStatus::Unknown(42)])
    {
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<OrderStatus>(&json).unwrap(), s);
    }
    assert!(serde_json::from_str::<OrderStatus>("\"unknown_x\"").is_err());
    assert!(serde_json::from_str::<OrderStatus>("\"payed\"").is_err());
}

#[test]
fn a_reply_with_a_number_wecom_added_later_still_reads() {
    // order_type 6 and order_status 7 were added after the first
    // reading; a 9 tomorrow must not lose the payment push.
    let o: OrderReply = serde_json::from_str(
        r#"{"errcode":0,"errmsg":"ok","order":{"order_id":"OI1","order_type":9,
        "order_status":11,"account_count":{"base_count":1},
        "account_duration":{"months":1},"create_time":1,"pay_time":2}}"#,
    )
    .unwrap();
    assert_eq!(o.order.order_type, OrderType::Unknown(9));
    assert_eq!(o.order.order_status, OrderStatus::Unknown(11));
    assert!(!o.order.order_status.codes_usable());
    let back = serde_json::to_value(&o.order).unwrap();
    assert_eq!(back["order_type"], 9, "WeCom's wire keeps the number");
    let info: ActiveInfoList =
        serde_json::from_str(r#"{"active_info_list":[{"active_code":"C","type":1,"status":7}]}"#)
            .unwrap();
    assert_eq!(
        info.active_info_list[0].status,
        Some(AccountStatus::Unknown(7))
    );
}

#[test]
fn codes_are_usable_only_while_the_order_stands_paid() {
    let usable: Vec<OrderStatus> = OrderStatus::DOCUMENTED
        .iter()
        .copied()
        .filter(|s| s.codes_usable())
        .collect();
    assert_eq!(
        usable,
        [
            OrderStatus::Paid,
            OrderStatus::RefundRequested,
            OrderStatus::RefundRejected
        ]
    );
}

#[test]
fn a_renewal_orders_accounts_name_members_and_no_code() {
    let page: AccountPage<OrderAccount> = serde_json::from_str(
        r#"{"next_cursor":"","has_more":0,"account_list":[{"userid":"dev1","type":1}]}"#,
    )
    .unwrap();
    assert_eq!(page.account_list[0].active_code, None);
    assert_eq!(page.account_list[0].userid.as_deref(), Some("dev1"));
}

#[test]
fn only_the_by_code_answer_carries_a_status() {
    let by_user: ActiveInfoByUser = serde_json::from_str(
        r#"{"active_status":1,"active_info_list":[{"active_code":"C","type":1,"userid":"u","active_time":1,"expire_time":2}]}"#,
    )
    .unwrap();
    assert_eq!(by_user.active_info_list[0].status, None);
    let by_code: ActiveInfoByCode = serde_json::from_str(
        r#"{"active_info":{"active_code":"C","type":1,"status":4,"create_time":1}}"#,
    )
    .unwrap();
    assert_eq!(
        by_code.active_info.status,
        Some(AccountStatus::AwaitingTransfer)
    );
}

#[test]
fn a_page_has_a_next_cursor_only_when_wecom_says_more() {
    let more: AccountPage<OrderAccount> = serde_json::from_str(
        r#"{"next_cursor":"c2","has_more":1,"account_list":[{"active_code":"A","type":2}]}"#,
    )
    .unwrap();
    assert_eq!(more.next(), Some("c2"));
    assert_eq!(more.account_list[0].active_code.as_deref(), Some("A"));
    assert_eq!(more.account_list[0].userid, None);
    let last: AccountPage<OrderAccount> =
        serde_json::from_str(r#"{"next_cursor":"c3","has_more":0,"account_list":[]}"#).unwrap();
    assert_eq!(last.next(), None);
}

#[test]
fn license_info_keeps_wecoms_trail_spelling() {
    let info: AppLicenseInfo = serde_json::from_str(
        r#"{"license_status":1,"trail_info":{"start_time":10,"end_time":20},"license_check_time":10}"#,
    )
    .unwrap();
    assert_eq!(
        info.trail_info,
        Some(TrialInfo {
            start_time: 10,
            end_time: 20
        })
    );
    let out = serde_json::to_string(&info).unwrap();
    assert!(out.contains("\"trail_info\""), "{out}");
}
