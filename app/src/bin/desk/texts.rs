//! The desk's words in Simplified Chinese and English (its own table, so
//! the admins' console carries none of them).

use crate::i18n::{use_lang, Lang};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    Title,
    SignInAsOperator,
    OnlyOperators,
    ToConsole,
    Search,
    TrialEnding,
    Short,
    Expiring,
    Failing,
    Stale,
    SortBy,
    LargestFirst,
    Organisation,
    Members,
    SeatsBoughtActiveFree,
    Expiring30,
    AskingRefused,
    TrialEnds,
    ChecksFrom,
    FailedEvents,
    LastSync,
    Matching,
    LoadMore,
    NoneMatch,
    Back,
    SignOut,
    Running,
    Never,
    NewOrder,
    BaseAccounts,
    Months,
    PlaceOrder,
    OrderPlaced,
    PayFromBalance,
    OrPayInConsole,
    Paid,
    PayRunning,
    PayFailed,
}

fn words(t: T) -> (&'static str, &'static str) {
    use T::*;
    match t {
        Title => ("服务商工作台", "Provider's desk"),
        SignInAsOperator => (
            "用企业微信扫码登录（服务商成员）",
            "Sign in with WeCom (the provider's members)",
        ),
        OnlyOperators => (
            "服务商工作台只对服务商的运营人员开放。",
            "The desk is for the provider's operators only.",
        ),
        ToConsole => (
            "企业管理员请前往管理后台",
            "Organisation admins: go to the console",
        ),
        Search => ("搜索企业名称或 corp id", "Search name or corp id"),
        TrialEnding => ("试用 14 天内到期", "Trial ends within 14 days"),
        Short => ("席位不足", "Short of seats"),
        Expiring => ("席位 30 天内到期", "Seats expire within 30 days"),
        Failing => ("回调失败", "Failing callbacks"),
        Stale => ("一天未同步", "Not synced for a day"),
        SortBy => ("排序", "Sort by"),
        LargestFirst => ("从大到小", "Largest first"),
        Organisation => ("企业", "Organisation"),
        Members => ("可见成员", "Members in range"),
        SeatsBoughtActiveFree => ("席位 购买/使用/空闲", "Seats bought/active/free"),
        Expiring30 => ("30 天内到期", "Expiring in 30 days"),
        AskingRefused => ("申请/近 7 天被拒", "Asking/refused (7 days)"),
        TrialEnds => ("试用到期", "Trial ends"),
        ChecksFrom => ("开始拦截", "Checks from"),
        FailedEvents => ("失败回调", "Failed callbacks"),
        LastSync => ("最近同步", "Last sync"),
        Matching => ("家企业符合条件", "organisations match"),
        LoadMore => ("加载更多", "Load more"),
        NoneMatch => ("没有符合条件的企业。", "No organisation matches."),
        Back => ("返回工作台", "Back to the desk"),
        SignOut => ("退出", "Sign out"),
        Running => ("同步中", "syncing"),
        Never => ("从未", "never"),
        NewOrder => ("购买新席位", "Buy new seats"),
        BaseAccounts => ("基础帐号数", "Base accounts"),
        Months => ("时长（月，每月 31 天）", "Months (31 days each)"),
        PlaceOrder => ("下单", "Place the order"),
        OrderPlaced => ("已下单，待支付：", "Ordered, awaiting payment:"),
        PayFromBalance => ("用服务商余额支付", "Pay from the provider's balance"),
        OrPayInConsole => ("也可以在企业微信服务商管理后台按订单号支付；支付后席位自动到账。", "Or pay it by its order id in WeCom's provider console; the seats arrive by themselves once paid."),
        Paid => ("已支付，席位即将到账。", "Paid: the seats are on their way."),
        PayRunning => ("企业微信正在处理支付，请稍后查看。", "WeCom is still paying; look again shortly."),
        PayFailed => ("支付失败：", "Payment failed:"),
    }
}

/// The word in the page's language, following the language switch.
pub fn w(t: T) -> impl Fn() -> &'static str + Copy {
    let lang = use_lang();
    move || match lang.get() {
        Lang::Zh => words(t).0,
        Lang::En => words(t).1,
    }
}
