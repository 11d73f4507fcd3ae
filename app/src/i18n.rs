//! Console texts in Simplified Chinese (default) and English. Every text is
//! a `Text` variant, so a missing translation fails to compile.

use domain::wecom::{AccountStatus, OrderStatus, OrderType};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Lang {
        if code.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The label of the switch shows the language you would switch to.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    Brand,
    ReadOnly,
    LicenseRegime,
    LicensesNotChecked,
    LicenseChecksStart,
    TrialUntil,
    LicensesCheckedSince,
    LicensesChecked,
    NavOverview,
    SwitchTo,
    SignIn,
    SignOut,
    SignedInAs,
    ServiceHealth,
    Healthy,
    Unhealthy,
    Database,
    KeyValue,
    Version,
    Reachable,
    Unreachable,
    Loading,
    CorpId,
    UserId,
    SignInHint,
    DevLoginDisabled,
    NotFound,
    BackHome,
    NavMembers,
    SignInFirst,
    VisibleRange,
    MembersInRange,
    DepartmentsInRange,
    WithoutDepartment,
    LastSync,
    Never,
    SyncNow,
    Syncing,
    Search,
    AllStatuses,
    Active,
    Departed,
    AnyRange,
    InRange,
    OutOfRange,
    OnlyWithoutDepartment,
    ShowThem,
    NameCol,
    DepartmentsCol,
    RangeCol,
    StatusCol,
    NoDepartmentInfo,
    LoadMore,
    Shown,
    NoMembers,
    NavSeats,
    RefusedUnknownMember,
    RefusedDeparted,
    RefusedNotInRange,
    RefusedAlreadyHasSeat,
    RefusedFiveYears,
    RefusedNoFreeAccount,
    RefusedHandoverNotActive,
    RefusedCooldown,
    RefusedTakeoverHasSeat,
    RefusedSameMember,
    RefusedTakeoverDeparted,
    RefusedTakeoverNotInRange,
    RefusedBatchTooLarge,
    SeatsRefunded,
    /// Never activated within the 365 days WeCom allows after purchase.
    SeatsExpiredUnused,
    /// WeCom no longer knows the code.
    SeatsRetired,
    TrialDaysLeft,
    TrialEnded,
    TrialEnds,
    SeatsPurchased,
    SeatsActive,
    SeatsUnassigned,
    SeatsExpired,
    SeatsExpiring,
    Licensed,
    Unlicensed,
    AutoActivate,
    AutoActivateHint,
    On,
    Off,
    TurnOn,
    TurnOff,
    Activate,
    BaseAccount,
    InterconnectAccount,
    Transfer,
    TransferHint,
    Handover,
    Takeover,
    Submit,
    Done,
    AvailableAt,
    ExpiresAt,
    SeatList,
    AnySeatStatus,
    CodeCol,
    TypeCol,
    MemberCol,
    ExpiresCol,
    TransferableCol,
    NoSeats,
    Requests,
    RequestsHint,
    TimesCol,
    LastCol,
    NoRequests,
    Callbacks,
    CallbacksHint,
    CallbacksWaiting,
    CallbacksFailed,
    RetryFailed,
    Requeued,
    HasSeatNow,
    Suggestions,
    SuggestionsHint,
    NoSuggestions,
    Save,
    Idle,
    IdleFor,
    IdleRule,
    IdleDays,
    AutoMove,
    AskRenewal,
    RenewalAskedOn,
    AlertsTitle,
    AlertsHint,
    AlertTrialEnding,
    AlertSeatsOut,
    AlertSeatsExpiring,
    AlertFailing,
    AlertSeatsMoved,
    AlertsTo,
    AlertReachable,
    NoSeatAfterTrial,
    NoSeatLater,
    AlertOutOfRange,
    AlertsSent,
    NoAlertAdmins,
    DoTransfer,
    Forecast,
    ForecastHint,
    AddParty,
    RemoveParty,
    AddUser,
    RemoveUser,
    Estimate,
    MembersAfter,
    SeatsNeeded,
    SeatsFreed,
    Joining,
    Leaving,
    NotExact,
    NoMatch,
    UseTyped,
    SearchMember,
    SearchDepartment,
    Remove,
    ActivateHint,
    ChooseMembers,
    Orders,
    OrdersHint,
    NoOrders,
    OrderCol,
    AccountsCol,
    DaysCol,
    PaidCol,
    OrderPurchase,
    OrderRenewal,
    OrderMigration,
    OrderAwaitingPayment,
    OrderPaid,
    OrderCancelled,
    OrderExpiredUnpaid,
    OrderRefundRequested,
    OrderRefunded,
    OrderRefundRejected,
    OrderInvalidated,
    WeComStatusCol,
    AccountUnbound,
    AccountBound,
    AccountExpired,
    AccountAwaitingTransfer,
    AccountMerged,
    AccountSharedDownstream,
    /// A number WeCom sent that its documentation did not list when we read it.
    WeComUnknownValue,
    QrSignIn,
    QrSignInHint,
    DevSignInTitle,
    MeTitle,
    MeMayUse,
    MeMayNotUse,
    ReasonTrial,
    ReasonLicensed,
    ReasonNotEnforced,
    ReasonBeforeInterception,
    ReasonNoSeat,
    ReasonSeatExpired,
    ReasonNotInRange,
    ReasonDeparted,
    ReasonUnknownMember,
    ReasonUnknownOperation,
    SeatTypeLabel,
    SeatBase,
    SeatInterconnect,
    ValidUntil,
    NoSeatYet,
    RequestSeat,
    SeatRequested,
    RequestedOn,
    RangeHelpTitle,
    RangeHelpIntro,
    RangeHelpAdmin,
    RangeHelpMember,
    MeSignInInWeCom,
    SessionsTitle,
    SessionsHint,
    RevokeSessions,
    NavAudit,
    AuditKind,
    AllKinds,
    AuditMember,
    FromDay,
    ToDay,
    AtCol,
    ActorCol,
    DetailCol,
    NoAuditRows,
    ExportCsv,
    SeatsInTransferWait,
    Asking,
    Trends,
    SeatsTrend,
    RequestsTrend,
    ShowNumbers,
    DateCol,
    WeekOfCol,
    NewRequests,
    NoTrendYet,
    SeatCol,
    AnySeat,
    AnySeatType,
    NoSeat,
    Select,
    MembersMatch,
    AllDepartments,
    SelectedCount,
    SelectAllMatching,
    ActivateSelected,
    Activated,
    Refused,
}

pub fn text(lang: Lang, key: Text) -> &'static str {
    use Text::*;
    let (zh, en) = match key {
        Brand => ("草料二维码 · 席位管理", "CaoLiao · Seats"),
        QrSignIn => ("企业微信扫码登录", "Sign in with WeCom (QR code)"),
        QrSignInHint => ("本应用的管理员用企业微信扫码登录。", "Admins of the app sign in by scanning a QR code with WeCom."),
        DevSignInTitle => ("开发登录（仅本地）", "Development login (local only)"),
        MeTitle => ("我的席位", "My seat"),
        MeMayUse => ("你现在可以使用本应用", "You may use the app now"),
        MeMayNotUse => ("你现在不能使用本应用", "You may not use the app now"),
        ReasonTrial => ("企业在免费试用期内，可见范围内的成员都可以使用，试用截止：", "Your organisation is in its free trial: every member in range may use the app until"),
        ReasonLicensed => ("你有有效的席位，有效期至：", "You hold a valid seat, until"),
        ReasonNotEnforced => ("企业微信没有为本应用检查席位，可见范围内的成员都可以使用。", "WeCom does not check seats for this app: every member in range may use it."),
        ReasonBeforeInterception => ("企业微信尚未开始检查席位，开始日期：", "WeCom has not started checking seats yet; it starts on"),
        ReasonNoSeat => ("试用期已结束，你还没有席位。", "The trial is over and you have no seat."),
        ReasonSeatExpired => ("你的席位已到期，到期日：", "Your seat has expired, on"),
        ReasonNotInRange => ("你不在本应用的可见范围内。", "You are outside the app's visible range."),
        ReasonDeparted => ("企业微信显示你已离开本企业。", "WeCom lists you as having left the organisation."),
        ReasonUnknownMember => ("企业微信还没有告诉我们你在本应用的可见范围内。", "WeCom has not told us that you are in the app's visible range."),
        ReasonUnknownOperation => ("未知操作。", "Unknown operation."),
        SeatTypeLabel => ("席位类型", "Seat type"),
        SeatBase => ("基础帐号", "Base account"),
        SeatInterconnect => ("互通帐号", "Interconnect account"),
        ValidUntil => ("有效期至", "Valid until"),
        NoSeatYet => ("你还没有席位。", "You hold no seat."),
        RequestSeat => ("申请席位", "Request a seat"),
        SeatRequested => ("已申请：管理员会在“席位申请”中看到你的申请。", "Requested: the admins see it in their seat requests."),
        RequestedOn => ("申请日期", "Requested on"),
        RangeHelpTitle => ("如何加入可见范围", "How to get added"),
        RangeHelpIntro => ("只有本应用可见范围内的成员才能使用它。请联系企业的企业微信管理员，把你所在的部门加入可见范围（整个部门，而不是单独添加你：这样你的部门信息也会同步过来）。", "Only members in the app's visible range may use it. Ask your organisation's WeCom admin to add your department to the range (the whole department rather than you alone, so your department is known too)."),
        RangeHelpAdmin => ("管理员：企业微信管理后台 › 应用管理 › 第三方应用 › 本应用 › 可见范围 › 添加，选择你的部门，保存。", "Admin: WeCom admin console › App Management › third-party apps › this app › Visible range › Add, choose the department, save."),
        RangeHelpMember => ("成员：在企业微信“通讯录”中找到企业的管理员，把本页发给他/她；加入后重新打开本应用即可。", "Member: find your organisation's admin in WeCom's Contacts and send them this page; once added, open the app again."),
        SessionsTitle => ("登录会话", "Sessions"),
        SessionsHint => ("结束本企业所有已登录的管理后台和成员页面（包括你自己的），所有人需要重新登录。", "Ends every signed-in console and member page of this organisation, yours too; everyone signs in again."),
        RevokeSessions => ("结束所有会话", "End all sessions"),
        MeSignInInWeCom => ("请在企业微信中打开本应用，查看自己的席位。", "Open the app inside WeCom to see your own seat."),
        NavOverview => ("概览", "Overview"),
        NavAudit => ("操作日志", "Audit log"),
        AuditKind => ("类型", "Kind"),
        AllKinds => ("全部类型", "All kinds"),
        AuditMember => ("成员帐号 (userid)", "Member (userid)"),
        FromDay => ("开始日期", "From"),
        ToDay => ("结束日期", "To"),
        AtCol => ("时间（北京时间）", "When (Beijing time)"),
        ActorCol => ("操作者", "By"),
        DetailCol => ("详情", "Detail"),
        NoAuditRows => ("没有符合条件的记录。", "No entries match."),
        ExportCsv => ("导出 CSV", "Export CSV"),
        SeatsInTransferWait => ("转移等待中", "Waiting out a transfer"),
        Asking => ("申请席位的成员", "Members asking for a seat"),
        Trends => ("趋势", "Trends"),
        SeatsTrend => ("近 90 天已购与已用席位", "Seats bought and used, last 90 days"),
        RequestsTrend => ("每周新增席位申请", "New seat requests a week"),
        ShowNumbers => ("查看数据", "Show the numbers"),
        DateCol => ("日期", "Date"),
        WeekOfCol => ("周（起始周一）", "Week of (Monday)"),
        NewRequests => ("新增申请", "New requests"),
        SeatCol => ("席位", "Seat"),
        AnySeatType => ("任意席位类型", "Any seat type"),
        NoSeat => ("无席位", "No seat"),
        Select => ("选择", "Select"),
        MembersMatch => ("名成员符合条件", "members match"),
        AllDepartments => ("全部部门", "All departments"),
        SelectedCount => ("人已选", "selected"),
        SelectAllMatching => ("选择全部符合条件的成员", "Select every matching member"),
        ActivateSelected => ("为所选成员激活席位", "Activate seats for the selection"),
        Activated => ("已激活", "Activated"),
        Refused => ("未激活", "Refused"),
        AnySeat => ("有无席位", "With or without a seat"),
        NoTrendYet => ("每天的数据由定时任务记录，明天起这里会出现趋势。", "The scheduled run records a point a day; the trend shows from tomorrow."),
        SwitchTo => ("English", "中文"),
        SignIn => ("登录", "Sign in"),
        SignOut => ("退出", "Sign out"),
        SignedInAs => ("当前管理员", "Signed in as"),
        ServiceHealth => ("服务状态", "Service health"),
        Healthy => ("运行正常", "All systems working"),
        Unhealthy => ("服务异常", "Service degraded"),
        Database => ("数据库 (D1)", "Database (D1)"),
        KeyValue => ("缓存 (KV)", "Key-value (KV)"),
        Version => ("版本", "Version"),
        Reachable => ("可用", "reachable"),
        Unreachable => ("不可用", "unreachable"),
        Loading => ("加载中…", "Loading…"),
        CorpId => ("企业 ID (corp_id)", "Corp ID"),
        UserId => ("成员帐号 (userid)", "User ID"),
        SignInHint => (
            "本地开发登录：仅限该企业的应用管理员。",
            "Local development sign-in: admins of that organisation only.",
        ),
        DevLoginDisabled => (
            "开发登录未开启，请从企业微信登录。",
            "Development sign-in is off; sign in through WeCom.",
        ),
        NotFound => ("页面不存在", "Page not found"),
        BackHome => ("返回概览", "Back to overview"),
        NavMembers => ("成员", "Members"),
        SignInFirst => ("请先登录管理后台。", "Please sign in first."),
        VisibleRange => ("应用可见范围", "Visible range"),
        MembersInRange => ("范围内成员", "Members in range"),
        DepartmentsInRange => ("范围内部门", "Departments in range"),
        WithoutDepartment => ("无部门信息的成员", "Members without department"),
        LastSync => ("上次同步", "Last sync"),
        Never => ("从未", "never"),
        SyncNow => ("立即同步", "Sync now"),
        Syncing => ("同步中…", "Syncing…"),
        Search => ("搜索姓名或帐号", "Search name or user ID"),
        AllStatuses => ("全部状态", "Any status"),
        Active => ("在职", "Active"),
        Departed => ("已离职", "Departed"),
        AnyRange => ("全部成员", "Anyone"),
        InRange => ("在可见范围内", "In range"),
        OutOfRange => ("不在可见范围", "Out of range"),
        OnlyWithoutDepartment => ("仅看无部门信息", "Only without department"),
        ShowThem => ("查看这些成员", "Show them"),
        NameCol => ("姓名", "Name"),
        DepartmentsCol => ("部门", "Departments"),
        RangeCol => ("可见范围", "Range"),
        StatusCol => ("状态", "Status"),
        NoDepartmentInfo => ("无部门信息", "no department info"),
        LoadMore => ("加载更多", "Load more"),
        Shown => ("已显示", "Shown"),
        NoMembers => ("没有符合条件的成员。", "No members match."),
        SeatsRefunded => ("已退款", "Refunded"),
        SeatsExpiredUnused => ("逾期未激活", "Expired unused"),
        SeatsRetired => ("企业微信已作废", "Retired by WeCom"),
        RefusedUnknownMember => ("企业微信中没有这个成员", "WeCom does not know this member"),
        RefusedDeparted => ("该成员已离职", "the member has left the organisation"),
        RefusedNotInRange => ("该成员不在应用可见范围内", "the member is outside the app's visible range"),
        RefusedAlreadyHasSeat => ("该成员已有同类型帐号，剩余超过 20 天时不能续期", "the member already holds this type with more than 20 days left"),
        RefusedFiveYears => ("叠加后时长将超过 5 年", "stacked time would pass five years"),
        RefusedNoFreeAccount => ("没有该类型的未分配帐号了", "no unassigned account of this type is left"),
        RefusedHandoverNotActive => ("原成员没有有效的该类型帐号", "the handover member holds no active, unexpired account"),
        RefusedCooldown => ("该帐号 30 天内转移过", "this account moved within the last 30 days"),
        RefusedTakeoverHasSeat => ("接收成员已有同类型帐号且剩余超过 20 天", "the takeover member already holds this type with more than 20 days left"),
        RefusedSameMember => ("原成员和接收成员相同", "handover and takeover are the same member"),
        RefusedTakeoverDeparted => ("接收成员已离职", "the takeover member has left the organisation"),
        RefusedTakeoverNotInRange => ("接收成员不在应用可见范围内", "the takeover member is outside the app's visible range"),
        RefusedBatchTooLarge => ("单次最多 1000 个成员", "at most 1000 members per call"),
        NavSeats => ("席位", "Seats"),
        ReadOnly => ("企业微信只给了你本应用的消息权限，没有管理权限：你可以查看，但不能激活、转移或更改设置。", "WeCom gave you no management permission for this app: you may look, but not activate, transfer or change settings."),
        LicenseRegime => ("接口许可", "Licenses"),
        LicensesNotChecked => ("企业微信未对本应用开启许可检查，范围内成员都可使用。", "WeCom does not check licenses for this app: every member in range may use it."),
        LicenseChecksStart => ("企业微信开始检查许可的日期：", "WeCom starts checking licenses on"),
        TrialUntil => ("免费试用至", "Free trial until"),
        LicensesCheckedSince => ("企业微信已开启许可检查，始于", "WeCom checks licenses since"),
        LicensesChecked => ("企业微信检查许可：成员需要有效帐号。", "WeCom checks licenses: members need an active account."),
        TrialDaysLeft => ("试用剩余天数", "Trial days left"),
        TrialEnded => ("试用已结束", "Trial ended"),
        TrialEnds => ("试用截止", "Trial ends"),
        SeatsPurchased => ("已购帐号", "Accounts bought"),
        SeatsActive => ("已激活", "Active"),
        SeatsUnassigned => ("未分配", "Unassigned"),
        SeatsExpired => ("已过期", "Expired"),
        SeatsExpiring => ("30 天内到期", "Expiring in 30 days"),
        Licensed => ("已有席位的成员", "Members with a seat"),
        Unlicensed => ("没有席位的成员", "Members without a seat"),
        AutoActivate => ("自动激活", "Auto-activation"),
        AutoActivateHint => ("成员使用应用时，企业微信自动为其分配一个空闲帐号。", "WeCom binds a free account to a member who uses the app."),
        On => ("已开启", "on"),
        Off => ("已关闭", "off"),
        TurnOn => ("开启", "Turn on"),
        TurnOff => ("关闭", "Turn off"),
        Activate => ("激活席位", "Activate seats"),
        BaseAccount => ("基础帐号", "Base account"),
        InterconnectAccount => ("互通帐号", "Interconnect account"),
        Transfer => ("转移席位（继承）", "Transfer a seat"),
        TransferHint => ("离职或已移出可见范围成员的席位可立即转移；在职且在范围内成员的席位转移后 30 天内不能再次转移。", "A departed or out-of-range member's seat moves at once; an active in-range member's seat cannot move again for 30 days."),
        Handover => ("原成员", "From member"),
        Takeover => ("接收成员", "To member"),
        Submit => ("提交", "Submit"),
        Done => ("成功", "done"),
        AvailableAt => ("可再次转移日期", "can move again on"),
        ExpiresAt => ("到期", "expires"),
        SeatList => ("帐号列表", "Accounts"),
        AnySeatStatus => ("全部", "All"),
        CodeCol => ("激活码", "Activation code"),
        TypeCol => ("类型", "Type"),
        MemberCol => ("成员", "Member"),
        ExpiresCol => ("到期日", "Expires"),
        TransferableCol => ("可转移日", "Transferable"),
        NoSeats => ("没有符合条件的帐号。", "No accounts match."),
        Requests => ("席位申请", "Seat requests"),
        RequestsHint => ("以下成员打开了应用但没有有效席位。", "These members opened the app without a valid seat."),
        TimesCol => ("次数", "Times"),
        LastCol => ("最近", "Last"),
        NoRequests => ("暂无申请。", "No requests."),
        Callbacks => ("企业微信回调", "WeCom callbacks"),
        CallbacksHint => (
            "企业微信推送的变更先入队列再处理；多次重试仍失败的会列在这里，可重新处理。",
            "WeCom's pushes are queued, then applied; those that failed every retry are listed here and can be sent again.",
        ),
        CallbacksWaiting => ("排队中", "waiting"),
        CallbacksFailed => ("失败", "failed"),
        RetryFailed => ("重新处理失败的回调", "Retry failed callbacks"),
        Requeued => ("已重新排队", "sent again"),
        HasSeatNow => ("已有席位", "has a seat now"),
        Suggestions => ("转移建议", "Suggested transfers"),
        SuggestionsHint => ("这些席位的持有人已离职或不在可见范围，可立即转给提出申请的成员。", "These seats' holders left or are outside the range; they can move at once to members who asked."),
        NoSuggestions => ("暂无可转移的闲置席位。", "No idle seats to move."),
        Save => ("保存", "Save"),
        Idle => ("闲置", "idle"),
        IdleFor => ("最近使用", "last used"),
        IdleRule => ("在职且在范围内：转移后该席位 30 天内不能再次转移", "active and in range: once moved, this seat cannot move again for 30 days"),
        IdleDays => ("多少天未使用算闲置", "Idle after days unused"),
        AutoMove => ("每晚自动把闲置席位转给申请的成员", "Each night, move idle seats to members who asked"),
        AskRenewal => ("请服务商续期这些席位", "Ask the provider to renew them"),
        RenewalAskedOn => ("已向服务商申请续期", "Renewal asked of the provider on"),
        AlertsTitle => ("企业微信提醒", "Alerts in WeCom"),
        AlertsHint => ("有需要处理的事时，管理员会在企业微信里收到一条消息：每天最多一条，22:00–08:00 不发送。", "When something needs them, the admins get a message in WeCom: one a day at most, none from 22:00 to 08:00."),
        AlertTrialEnding => ("免费试用将结束（提前 14 天和 3 天）", "The free trial ends (14 and 3 days before)"),
        AlertSeatsOut => ("没有空闲席位，仍有成员在申请", "No free seat while members ask for one"),
        AlertSeatsExpiring => ("席位将在 30 天内到期", "Seats expire within 30 days"),
        AlertFailing => ("回调处理失败超过 1 小时", "A callback has failed for an hour"),
        AlertSeatsMoved => ("闲置席位已自动转移", "Idle seats moved by themselves"),
        AlertsTo => ("接收提醒的管理员", "Admins who receive alerts"),
        AlertReachable => ("可以收到", "receives them"),
        NoSeatAfterTrial => ("收不到：试用结束后，只有持有席位的成员能收到应用消息", "cannot receive them: after the trial only members with a seat get the app's messages"),
        NoSeatLater => ("试用结束后将收不到：没有席位", "will not receive them after the trial: no seat"),
        AlertOutOfRange => ("收不到：不在应用可见范围内", "cannot receive them: outside the app's visible range"),
        AlertsSent => ("查看已发送的提醒", "See the alerts sent"),
        NoAlertAdmins => ("没有可管理应用的管理员。", "No admin manages the app."),
        DoTransfer => ("转移", "Transfer"),
        Forecast => ("可见范围调整预估", "Range change forecast"),
        ForecastHint => ("调整可见范围前，先看看成员数和需要的席位。", "Before changing the visible range, see the members and seats it would take."),
        AddParty => ("增加部门", "Add departments"),
        RemoveParty => ("移除部门", "Remove departments"),
        AddUser => ("增加成员", "Add members"),
        RemoveUser => ("移除成员", "Remove members"),
        Estimate => ("预估", "Estimate"),
        MembersAfter => ("调整后成员数", "Members after"),
        SeatsNeeded => ("还需购买帐号", "Accounts to buy"),
        SeatsFreed => ("可立即转移的席位", "Seats freed at once"),
        Joining => ("新增成员", "Joining"),
        Leaving => ("移出成员", "Leaving"),
        NotExact => ("部分部门或成员不在当前可见范围内，应用看不到其成员，结果可能偏少：", "Some departments or members are outside the current range; the app cannot see them, so this may be low: "),
        NoMatch => ("没有符合的结果", "Nothing matches"),
        UseTyped => ("使用输入的", "Use as typed:"),
        SearchMember => ("搜索姓名或帐号", "Search name or user ID"),
        SearchDepartment => ("搜索部门名称或 ID", "Search department name or ID"),
        Remove => ("移除", "Remove"),
        ActivateHint => ("在成员列表中按部门、搜索或筛选选出成员（或全部符合条件的成员），一次激活，逐人显示结果。", "Pick members in the members list by department, search or filter (or every match), activate at once, and see each member's outcome."),
        ChooseMembers => ("选择成员", "Choose members"),
        Orders => ("订单", "Orders"),
        OrdersHint => ("企业微信中的购买与续期订单及其状态。", "Purchase and renewal orders in WeCom, with their status."),
        NoOrders => ("暂无订单。", "No orders yet."),
        OrderCol => ("订单号", "Order"),
        AccountsCol => ("帐号数（基础/互通）", "Accounts (base/interconnect)"),
        DaysCol => ("时长（天）", "Days"),
        PaidCol => ("支付时间", "Paid"),
        OrderPurchase => ("购买帐号", "Purchase"),
        OrderRenewal => ("续期帐号", "Renewal"),
        OrderMigration => ("迁移订单", "Migration"),
        OrderAwaitingPayment => ("待支付", "Awaiting payment"),
        OrderPaid => ("已支付", "Paid"),
        OrderCancelled => ("已取消", "Cancelled"),
        OrderExpiredUnpaid => ("未支付，已过期", "Expired unpaid"),
        OrderRefundRequested => ("申请退款中", "Refund requested"),
        OrderRefunded => ("退款成功", "Refunded"),
        OrderRefundRejected => ("退款被拒绝", "Refund rejected"),
        OrderInvalidated => ("已失效", "Invalidated"),
        WeComStatusCol => ("企业微信状态", "WeCom status"),
        AccountUnbound => ("未绑定", "Unbound"),
        AccountBound => ("已绑定且有效", "Bound and valid"),
        AccountExpired => ("已过期", "Expired"),
        AccountAwaitingTransfer => ("待转移（企业微信自动处理）", "Awaiting transfer (WeCom moves it)"),
        AccountMerged => ("已合并", "Merged"),
        AccountSharedDownstream => ("已分配给下游", "Assigned downstream"),
        WeComUnknownValue => ("未知状态", "Unknown"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

const STORAGE_KEY: &str = "ws_lang";

fn stored_lang() -> Option<Lang> {
    let storage = window().local_storage().ok()??;
    storage
        .get_item(STORAGE_KEY)
        .ok()?
        .map(|c| Lang::from_code(&c))
}

fn store_lang(lang: Lang) {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(STORAGE_KEY, lang.code());
    }
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", lang.code());
    }
}

/// Puts the language signal in context; zh-CN unless the admin chose.
pub fn provide_lang() {
    let lang = RwSignal::new(stored_lang().unwrap_or(Lang::Zh));
    Effect::new(move |_| store_lang(lang.get()));
    provide_context(lang);
}

pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// A refusal's `code` (domain::seat, or WeCom's mapped errcode) in words.
pub fn refusal(code: &str) -> Option<Text> {
    use Text::*;
    Some(match code {
        "unknown_member" => RefusedUnknownMember,
        "departed" => RefusedDeparted,
        "not_in_range" => RefusedNotInRange,
        "already_has_seat" => RefusedAlreadyHasSeat,
        "exceeds_five_years" => RefusedFiveYears,
        "no_free_account" => RefusedNoFreeAccount,
        "handover_not_active" => RefusedHandoverNotActive,
        "transfer_cooldown" => RefusedCooldown,
        "takeover_has_seat" => RefusedTakeoverHasSeat,
        "same_member" => RefusedSameMember,
        "takeover_departed" => RefusedTakeoverDeparted,
        "takeover_not_in_range" => RefusedTakeoverNotInRange,
        "batch_too_large" => RefusedBatchTooLarge,
        _ => return None,
    })
}

/// A value WeCom numbers, in words: one we know, or an unknown number
/// WeCom added after our reading, shown with its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeComWord {
    Known(Text),
    Unknown(u32),
}

/// WeCom's order status in words.
pub fn order_status(s: OrderStatus) -> WeComWord {
    use Text::*;
    WeComWord::Known(match s {
        OrderStatus::AwaitingPayment => OrderAwaitingPayment,
        OrderStatus::Paid => OrderPaid,
        OrderStatus::Cancelled => OrderCancelled,
        OrderStatus::ExpiredUnpaid => OrderExpiredUnpaid,
        OrderStatus::RefundRequested => OrderRefundRequested,
        OrderStatus::Refunded => OrderRefunded,
        OrderStatus::RefundRejected => OrderRefundRejected,
        OrderStatus::Invalidated => OrderInvalidated,
        OrderStatus::Unknown(n) => return WeComWord::Unknown(n),
    })
}

/// WeCom's order type in words.
pub fn order_type(t: OrderType) -> WeComWord {
    WeComWord::Known(match t {
        OrderType::Purchase | OrderType::MultiCorpPurchase => Text::OrderPurchase,
        OrderType::Renewal => Text::OrderRenewal,
        OrderType::EditionMigration | OrderType::ContractMigration => Text::OrderMigration,
        OrderType::Unknown(n) => return WeComWord::Unknown(n),
    })
}

/// WeCom's account status in words.
pub fn account_status(s: AccountStatus) -> WeComWord {
    use Text::*;
    WeComWord::Known(match s {
        AccountStatus::Unbound => AccountUnbound,
        AccountStatus::Bound => AccountBound,
        AccountStatus::Expired => AccountExpired,
        AccountStatus::AwaitingTransfer => AccountAwaitingTransfer,
        AccountStatus::Merged => AccountMerged,
        AccountStatus::SharedDownstream => AccountSharedDownstream,
        AccountStatus::Unknown(n) => return WeComWord::Unknown(n),
    })
}

/// [`WeComWord`] in a language: "未知状态 (9)" for an unknown number.
pub fn wecom_word(lang: Lang, w: WeComWord) -> String {
    match w {
        WeComWord::Known(t) => text(lang, t).to_owned(),
        WeComWord::Unknown(n) => format!("{} ({n})", text(lang, Text::WeComUnknownValue)),
    }
}

/// A reactive [`WeComWord`] in the current language.
pub fn tr_wecom(w: WeComWord) -> impl Fn() -> String + Copy {
    let lang = use_lang();
    move || wecom_word(lang.get(), w)
}

/// An audit row's kind in a language (`domain::api::AUDIT_ACTIONS`); a
/// kind this console does not know shows as WeCom's word for it.
pub fn audit_action(lang: Lang, action: &str) -> String {
    let (zh, en) = match action {
        "signed_in" => ("管理员登录", "Admin signed in"),
        "seats_activated" => ("激活席位", "Seats activated"),
        "seats_transferred" => ("转移席位", "Seats transferred"),
        "auto_activate" => ("设置自动激活", "Auto-activation set"),
        "events_retried" => ("重试失败的回调", "Failed callbacks retried"),
        "sessions_revoked" => ("结束所有会话", "All sessions ended"),
        "synced" => ("同步通讯录", "Contacts synced"),
        "installed" => ("安装应用", "App installed"),
        "range_changed" => ("可见范围变更", "Visible range changed"),
        "admins_changed" => ("应用管理员变更", "App admins changed"),
        "order_paid" => ("订单支付", "Order paid"),
        "order_refunded" => ("订单退款", "Order refunded"),
        "refund_rejected" => ("退款被拒", "Refund rejected"),
        "auto_activated" => ("企业微信自动激活", "Auto-activated by WeCom"),
        "license_info_changed" => ("许可检查变更", "License checks changed"),
        "reconciled" => ("定时修复通讯录", "Contacts repaired (scheduled)"),
        "licenses_reconciled" => ("定时修复席位", "Seats repaired (scheduled)"),
        "orders_read" => ("定时读取订单", "Orders read (scheduled)"),
        "order_placed" => ("服务商下单", "Order placed by the provider"),
        "order_payment_submitted" => ("服务商余额支付", "Paid from the provider's balance"),
        "renewal_placed" => ("服务商续期下单", "Renewal ordered by the provider"),
        "idle_settings" => ("闲置席位设置", "Idle seat settings"),
        "alert_sent" => ("发送提醒", "Alert sent"),
        "alert_settings" => ("提醒设置", "Alert settings"),
        "renewal_requested" => ("申请续期", "Renewal requested"),
        "idle_seats_moved" => ("闲置席位夜间转移", "Idle seats moved (nightly)"),
        other => return other.to_owned(),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
    .to_owned()
}

/// A reactive text in the current language.
pub fn tr(key: Text) -> impl Fn() -> &'static str + Copy {
    let lang = use_lang();
    move || text(lang.get(), key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_kind_has_words_in_both_languages() {
        for a in domain::api::AUDIT_ACTIONS {
            for lang in [Lang::Zh, Lang::En] {
                assert_ne!(audit_action(lang, a), *a, "{a} in {lang:?}");
            }
        }
        assert_eq!(audit_action(Lang::En, "new_kind"), "new_kind");
    }

    #[test]
    fn language_codes_round_trip_and_default_to_chinese() {
        assert_eq!(Lang::from_code(Lang::En.code()), Lang::En);
        assert_eq!(Lang::from_code(Lang::Zh.code()), Lang::Zh);
        assert_eq!(Lang::from_code("fr"), Lang::Zh);
    }

    #[test]
    fn every_refusal_our_checks_give_has_words() {
        use domain::seat::Refusal::*;
        for r in [
            UnknownMember,
            Departed,
            NotInRange,
            AlreadyHasSeat { expires_at: 0 },
            ExceedsFiveYears,
            NoFreeAccount,
            HandoverNotActive,
            TransferCooldown { available_at: 0 },
            TakeoverHasSeat { expires_at: 0 },
            SameMember,
            TakeoverDeparted,
            TakeoverNotInRange,
            BatchTooLarge,
        ] {
            assert!(refusal(r.code()).is_some(), "{}", r.code());
        }
        assert_eq!(
            refusal("wecom_refused"),
            None,
            "shown with WeCom's own message"
        );
    }

    #[test]
    fn every_order_and_account_status_reads_differently() {
        let orders: Vec<String> = OrderStatus::DOCUMENTED
            .iter()
            .map(|s| wecom_word(Lang::Zh, order_status(*s)))
            .collect();
        let accounts: Vec<String> = AccountStatus::DOCUMENTED
            .iter()
            .map(|s| wecom_word(Lang::En, account_status(*s)))
            .collect();
        for words in [orders, accounts] {
            let mut unique = words.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), words.len(), "{words:?}");
        }
        assert_eq!(
            wecom_word(Lang::En, order_status(OrderStatus::RefundRejected)),
            "Refund rejected"
        );
        assert_eq!(
            wecom_word(Lang::En, order_status(OrderStatus::Unknown(9))),
            "Unknown (9)",
            "a status WeCom added later shows with its number"
        );
        assert_eq!(
            wecom_word(Lang::Zh, account_status(AccountStatus::Unknown(7))),
            "未知状态 (7)"
        );
    }

    #[test]
    fn texts_differ_between_languages() {
        for key in [
            Text::Brand,
            Text::ServiceHealth,
            Text::SignIn,
            Text::NotFound,
        ] {
            assert_ne!(text(Lang::Zh, key), text(Lang::En, key));
        }
    }
}
