//! Console texts in Simplified Chinese (default) and English. Every text is
//! a `Text` variant, so a missing translation fails to compile.

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
    UserIdCol,
    NameCol,
    DepartmentsCol,
    RangeCol,
    StatusCol,
    ViaCol,
    NoDepartmentInfo,
    LoadMore,
    Shown,
    NoMembers,
    ViaDepartment,
    ViaIndividual,
    ViaTag,
    Yes,
    No,
}

pub fn text(lang: Lang, key: Text) -> &'static str {
    use Text::*;
    let (zh, en) = match key {
        Brand => ("草料二维码 · 席位管理", "CaoLiao · Seats"),
        NavOverview => ("概览", "Overview"),
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
        UserIdCol => ("帐号", "User ID"),
        NameCol => ("姓名", "Name"),
        DepartmentsCol => ("部门", "Departments"),
        RangeCol => ("可见范围", "Range"),
        StatusCol => ("状态", "Status"),
        ViaCol => ("加入方式", "Via"),
        NoDepartmentInfo => ("无部门信息", "no department info"),
        LoadMore => ("加载更多", "Load more"),
        Shown => ("已显示", "Shown"),
        NoMembers => ("没有符合条件的成员。", "No members match."),
        ViaDepartment => ("部门", "department"),
        ViaIndividual => ("个人", "individual"),
        ViaTag => ("标签", "tag"),
        Yes => ("是", "yes"),
        No => ("否", "no"),
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

/// A reactive text in the current language.
pub fn tr(key: Text) -> impl Fn() -> &'static str + Copy {
    let lang = use_lang();
    move || text(lang.get(), key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_round_trip_and_default_to_chinese() {
        assert_eq!(Lang::from_code(Lang::En.code()), Lang::En);
        assert_eq!(Lang::from_code(Lang::Zh.code()), Lang::Zh);
        assert_eq!(Lang::from_code("fr"), Lang::Zh);
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
