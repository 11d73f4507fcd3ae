//! Signing in through WeCom (sim): the admin's QR login and its `state`
//! (signed, single-use, expiring), WeCom's single-use codes, the
//! business-settings entry, the member's OAuth and member session, and
//! sessions the server ends (logout, revoke-all, uninstall).

/// The test that moves the clocks runs alone: a code or state another test
/// got just before would expire under it. So does the one that counts
/// WeCom's calls.
static CLOCK: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn clock_untouched() -> std::sync::RwLockReadGuard<'static, ()> {
    CLOCK.read().unwrap_or_else(|e| e.into_inner())
}

use itest::*;
use serde_json::{json, Value};

/// A browser that does not follow redirects, so each hop can be checked.
fn hops() -> ureq::Agent {
    client().redirects(0).build()
}

struct Hop {
    status: u16,
    location: String,
    cookie: Option<String>,
    text: String,
}

impl Hop {
    fn error_code(&self) -> String {
        serde_json::from_str::<Value>(&self.text).unwrap_or_default()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

fn hop(agent: &ureq::Agent, url: &str, user_agent: &str) -> Hop {
    let resp = match agent.get(url).set("User-Agent", user_agent).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {url}: {e}"),
    };
    Hop {
        status: resp.status(),
        location: resp.header("location").unwrap_or_default().to_owned(),
        cookie: resp
            .header("set-cookie")
            .map(|c| c.split(';').next().unwrap_or_default().to_owned()),
        text: resp.into_string().unwrap_or_default(),
    }
}

const DESKTOP: &str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/140";
const IN_WECOM: &str = "Mozilla/5.0 (Linux; Android 14) Mobile wxwork/4.1.22 MicroMessenger/7.0.1";

/// A query value of a URL (percent-decoded).
fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// WeCom takes a `state` of a-zA-Z0-9, at most 128 bytes (document/path/91120).
fn assert_state_as_wecom_takes_it(state: &str) {
    assert!(
        (1..=128).contains(&state.len()) && state.bytes().all(|b| b.is_ascii_alphanumeric()),
        "a state WeCom may refuse: {state:?}"
    );
}

/// `/auth/login`: WeCom's (sim's) QR page with our callback and a state.
fn start_qr(agent: &ureq::Agent) -> String {
    let to_wecom = hop(agent, &format!("{}/auth/login", edge()), DESKTOP);
    assert_eq!(to_wecom.status, 302, "{}", to_wecom.text);
    assert!(
        to_wecom
            .location
            .starts_with(&format!("{}/wwopen/sso/3rd_qrConnect?", sim())),
        "{}",
        to_wecom.location
    );
    assert_eq!(
        param(&to_wecom.location, "appid"),
        config("PROVIDER_CORPID")
    );
    assert_eq!(param(&to_wecom.location, "usertype"), "admin");
    assert_state_as_wecom_takes_it(&param(&to_wecom.location, "state"));
    assert_eq!(
        param(&to_wecom.location, "redirect_uri"),
        format!("{}/auth/callback", edge())
    );
    to_wecom.location
}

/// Someone "scans" sim's QR page: the callback URL WeCom sends them to.
fn scan(agent: &ureq::Agent, qr_page: &str, corp: &str, userid: &str) -> String {
    let page = hop(agent, qr_page, DESKTOP);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page
        .text
        .contains(&format!("data-testid=\"as-{corp}-{userid}\"")));
    let query = qr_page.split_once('?').unwrap().1;
    let scanned = hop(
        agent,
        &format!(
            "{}/wwopen/sso/3rd_qrConnect/scan?{query}&corp={corp}&userid={userid}",
            sim()
        ),
        DESKTOP,
    );
    assert_eq!(scanned.status, 302, "{}", scanned.text);
    assert!(scanned
        .location
        .starts_with(&format!("{}/auth/callback?auth_code=", edge())));
    scanned.location
}

/// A fresh code from sim for this user (`qr` or `oauth`).
fn code_for(corp: &str, userid: &str, kind: &str) -> String {
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/login_code"),
        &json!({"userid": userid, "kind": kind}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    a.json()["code"].as_str().unwrap().to_owned()
}

fn with_cookie(method: &str, path: &str, cookie: &str) -> (u16, Value) {
    let url = format!("{}{path}", edge());
    let req = browser().request(method, &url).set("Cookie", cookie);
    let resp = match if method == "POST" {
        req.send_string("")
    } else {
        req.call()
    } {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    };
    let status = resp.status();
    let body = resp.into_string().unwrap_or_default();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Signs the admin in through the QR login; their session cookie.
fn qr_sign_in(corp: &str, userid: &str) -> String {
    let agent = hops();
    let qr = start_qr(&agent);
    let back = hop(&agent, &scan(&agent, &qr, corp, userid), DESKTOP);
    assert_eq!(
        (back.status, back.location.as_str()),
        (302, "/seats"),
        "{}",
        back.text
    );
    back.cookie.expect("a session cookie")
}

/// A member opens the app in WeCom's webview: `/me` → WeCom's OAuth →
/// `/auth/oauth` → their page; the hops' last answer.
fn oauth_sign_in(corp: &str, userid: &str) -> Hop {
    let agent = hops();
    let to_wecom = hop(&agent, &format!("{}/me", edge()), IN_WECOM);
    assert_eq!(to_wecom.status, 302, "{}", to_wecom.text);
    let authorize = &to_wecom.location;
    assert!(authorize.starts_with(&format!("{}/connect/oauth2/authorize?", sim())));
    assert!(authorize.ends_with("#wechat_redirect"), "{authorize}");
    assert_eq!(param(authorize, "appid"), config("SUITE_ID"));
    assert_eq!(param(authorize, "scope"), "snsapi_base");
    assert_eq!(
        param(authorize, "redirect_uri"),
        format!("{}/auth/oauth", edge())
    );
    let query = authorize
        .split_once('?')
        .unwrap()
        .1
        .split('#')
        .next()
        .unwrap();
    let chosen = hop(
        &agent,
        &format!(
            "{}/connect/oauth2/authorize/choose?{query}&corp={corp}&userid={userid}",
            sim()
        ),
        IN_WECOM,
    );
    assert_eq!(chosen.status, 302, "{}", chosen.text);
    hop(&agent, &chosen.location, IN_WECOM)
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_admin_signs_in_by_qr_and_its_state_is_single_use() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("qr");
    let agent = hops();
    let qr = start_qr(&agent);
    let callback = scan(&agent, &qr, &corp, "boss");
    let back = hop(&agent, &callback, DESKTOP);
    assert_eq!((back.status, back.location.as_str()), (302, "/seats"));
    let cookie = back.cookie.unwrap();
    let (status, who) = with_cookie("GET", "/api/v1/session", &cookie);
    assert_eq!(status, 200, "{who}");
    assert_eq!(
        (who["corp_id"].as_str(), who["userid"].as_str()),
        (Some(corp.as_str()), Some("boss"))
    );
    assert_eq!(who["may_manage"], true);
    // The same state again, even with a fresh code: refused.
    let state = param(&callback, "state");
    let again = hop(
        &agent,
        &format!(
            "{}/auth/callback?auth_code={}&state={state}",
            edge(),
            code_for(&corp, "boss", "qr")
        ),
        DESKTOP,
    );
    assert_eq!(
        (again.status, again.error_code().as_str()),
        (400, "state_used")
    );
    assert!(again.cookie.is_none());
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_wrong_or_missing_state_is_400() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("qrbad");
    let agent = hops();
    for state in ["&state=forged.state", "&state=", ""] {
        let code = code_for(&corp, "boss", "qr");
        let a = hop(
            &agent,
            &format!("{}/auth/callback?auth_code={code}{state}", edge()),
            DESKTOP,
        );
        assert_eq!(
            (a.status, a.error_code().as_str()),
            (400, "bad_state"),
            "{state:?}"
        );
        assert!(a.cookie.is_none());
    }
    // An OAuth state does not finish a QR login.
    let to_wecom = hop(&agent, &format!("{}/", edge()), IN_WECOM);
    let oauth_state = param(&to_wecom.location, "state");
    let a = hop(
        &agent,
        &format!(
            "{}/auth/callback?auth_code={}&state={oauth_state}",
            edge(),
            code_for(&corp, "boss", "qr")
        ),
        DESKTOP,
    );
    assert_eq!((a.status, a.error_code().as_str()), (400, "bad_state"));
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_state_expires_after_ten_minutes() {
    // Alone: the clocks move for every test of this file.
    let _alone = CLOCK.write().unwrap_or_else(|e| e.into_inner());
    let (corp, _) = installed_and_synced("qrold");
    let agent = hops();
    let state = param(&start_qr(&agent), "state");
    let _later = MovedClock::by(601);
    let code = code_for(&corp, "boss", "qr");
    let a = hop(
        &agent,
        &format!("{}/auth/callback?auth_code={code}&state={state}", edge()),
        DESKTOP,
    );
    assert_eq!(
        (a.status, a.error_code().as_str()),
        (400, "state_expired"),
        "{}",
        a.text
    );
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_spent_code_is_refused() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("qrcode");
    let agent = hops();
    let code = code_for(&corp, "boss", "qr");
    let first_state = param(&start_qr(&agent), "state");
    let first = hop(
        &agent,
        &format!(
            "{}/auth/callback?auth_code={code}&state={first_state}",
            edge()
        ),
        DESKTOP,
    );
    assert_eq!(first.status, 302, "{}", first.text);
    let second_state = param(&start_qr(&agent), "state");
    let second = hop(
        &agent,
        &format!(
            "{}/auth/callback?auth_code={code}&state={second_state}",
            edge()
        ),
        DESKTOP,
    );
    assert_eq!(
        (second.status, second.error_code().as_str()),
        (400, "invalid_code")
    );
    // The same for the member's OAuth code (each time from a browser not
    // signed in yet).
    let oauth = code_for(&corp, "dev1", "oauth");
    for expected in [302, 400] {
        let agent = hops();
        let to_wecom = hop(&agent, &format!("{}/me", edge()), IN_WECOM);
        let state = param(&to_wecom.location, "state");
        assert_state_as_wecom_takes_it(&state);
        let a = hop(
            &agent,
            &format!("{}/auth/oauth?code={oauth}&state={state}", edge()),
            IN_WECOM,
        );
        assert_eq!(a.status, expected, "{}", a.text);
        if expected == 400 {
            assert_eq!(a.error_code(), "invalid_code");
        }
    }
}

/// A POST from a browser (the same cookie jar), no redirects followed.
fn post_hop(agent: &ureq::Agent, url: &str, origin: Option<&str>) -> Hop {
    let mut req = agent.post(url).set("User-Agent", DESKTOP);
    if let Some(origin) = origin {
        req = req
            .set("Origin", origin)
            .set("Sec-Fetch-Site", "cross-site");
    }
    let resp = match req.send_string("") {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("POST {url}: {e}"),
    };
    Hop {
        status: resp.status(),
        location: resp.header("location").unwrap_or_default().to_owned(),
        cookie: resp
            .all("set-cookie")
            .into_iter()
            .find(|c| c.contains("ws_session=") && !c.contains("Max-Age=0"))
            .map(|c| c.split(';').next().unwrap_or_default().to_owned()),
        text: resp.into_string().unwrap_or_default(),
    }
}

/// The business-settings entry for `userid`: WeCom's link, then our
/// "continue as …?" page; the page's form action.
fn business_settings_confirm(agent: &ureq::Agent, corp: &str, userid: &str) -> String {
    let entry = hop(
        agent,
        &format!(
            "{}/_sim/corps/{corp}/business_settings?userid={userid}",
            sim()
        ),
        DESKTOP,
    );
    assert_eq!(entry.status, 302);
    assert!(entry
        .location
        .starts_with(&format!("{}/auth/wecom-admin?auth_code=", edge())));
    let page = hop(agent, &entry.location, DESKTOP);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.cookie.is_none() || !page.cookie.as_deref().unwrap().contains("ws_session"));
    assert!(
        page.text.contains("data-testid=\"signin-confirm\""),
        "{}",
        page.text
    );
    assert!(page
        .text
        .contains(&format!("data-testid=\"confirm-user\">{userid}<")));
    let action = page
        .text
        .split("action=\"")
        .nth(1)
        .and_then(|a| a.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    format!("{}{action}", edge())
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_business_settings_entry_asks_before_it_signs_in() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("biz");
    let agent = hops();
    let action = business_settings_confirm(&agent, &corp, "boss");
    // Another browser given the link cannot continue; another site cannot
    // post it.
    let elsewhere = post_hop(&hops(), &action, None);
    assert_eq!(
        (elsewhere.status, elsewhere.cookie.is_none()),
        (400, true),
        "{}",
        elsewhere.text
    );
    let forged = post_hop(&agent, &action, Some("https://evil.example"));
    assert_eq!(forged.status, 403, "{}", forged.text);
    // The click on our own page does.
    let back = post_hop(&agent, &action, None);
    assert_eq!(
        (back.status, back.location.as_str()),
        (302, "/seats"),
        "{}",
        back.text
    );
    let (status, who) = with_cookie("GET", "/api/v1/session", &back.cookie.unwrap());
    assert_eq!((status, who["userid"].as_str()), (200, Some("boss")));
    // Once only.
    let again = post_hop(&agent, &action, None);
    assert_eq!(again.status, 400, "{}", again.text);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_callback_link_replayed_in_another_browser_signs_nobody_in() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("replay");
    let started = hops();
    let qr = start_qr(&started);
    let callback = scan(&started, &qr, &corp, "boss");
    // The admin stops before the last redirect and sends the link on.
    let other = hop(&hops(), &callback, DESKTOP);
    assert_eq!(
        (other.status, other.error_code().as_str()),
        (400, "bad_state"),
        "{}",
        other.text
    );
    assert!(other.cookie.is_none(), "no session in the other browser");
    // The browser that started it still finishes.
    let back = hop(&started, &callback, DESKTOP);
    assert_eq!(
        (back.status, back.location.as_str()),
        (302, "/seats"),
        "{}",
        back.text
    );
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_member_who_is_no_admin_is_told_who_can_grant_access() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("noadmin");
    let agent = hops();
    let qr = start_qr(&agent);
    let refused = hop(&agent, &scan(&agent, &qr, &corp, "dev1"), DESKTOP);
    assert_eq!(refused.status, 403);
    assert!(refused.cookie.is_none());
    assert!(
        refused.text.contains("data-reason=\"not_admin\""),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("管理员"));
    assert!(refused
        .text
        .contains("Ask them to add you as an admin of the app"));
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_member_session_sees_only_its_own_routes() {
    let _clock = clock_untouched();
    let (corp, admin) = installed_and_synced("member");
    let landed = oauth_sign_in(&corp, "dev1");
    assert_eq!(
        (landed.status, landed.location.as_str()),
        (302, "/me"),
        "{}",
        landed.text
    );
    let cookie = landed.cookie.unwrap();
    let (status, me) = with_cookie("GET", "/api/v1/me", &cookie);
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (me["userid"].as_str(), me["standing"].as_str()),
        (Some("dev1"), Some("in_range"))
    );
    assert_eq!(me["access"]["allowed"], true);
    assert_eq!(me["access"]["reason"], "trial");
    // Every admin route refuses a member's session.
    for (method, path) in [
        ("GET", format!("/api/v1/corps/{corp}/summary")),
        ("GET", format!("/api/v1/corps/{corp}/members")),
        ("POST", format!("/api/v1/corps/{corp}/sessions/revoke")),
        ("GET", "/api/v1/session".to_owned()),
    ] {
        let (status, body) = with_cookie(method, &path, &cookie);
        assert_eq!(status, 403, "{method} {path}: {body}");
        assert_eq!(body["error"]["code"], "member_session");
    }
    // A seat request lands in the admins' inbox once.
    let (_, first) = with_cookie("POST", "/api/v1/me/seat-request", &cookie);
    let (_, second) = with_cookie("POST", "/api/v1/me/seat-request", &cookie);
    assert_eq!(
        (first["new"].as_bool(), second["new"].as_bool()),
        (Some(true), Some(false))
    );
    let inbox = get(&admin, &format!("{}/api/v1/corps/{corp}/requests", edge())).json();
    let mine: Vec<&Value> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["userid"] == "dev1")
        .collect();
    assert_eq!(mine.len(), 1, "{inbox}");
    assert_eq!(mine[0]["count"], 1);
    // An admin opening the app in WeCom gets the console.
    let admin_in_app = oauth_sign_in(&corp, "boss");
    assert_eq!(admin_in_app.location, "/");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn logout_ends_the_session_on_the_server() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("logout");
    let cookie = qr_sign_in(&corp, "boss");
    assert_eq!(with_cookie("GET", "/api/v1/session", &cookie).0, 200);
    assert_eq!(with_cookie("POST", "/auth/logout", &cookie).0, 204);
    let (status, body) = with_cookie("GET", &format!("/api/v1/corps/{corp}"), &cookie);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthenticated"))
    );
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn revoking_ends_every_session_of_the_organisation_and_no_other() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("revoke");
    let (other, _) = installed_and_synced("revokeother");
    let first = qr_sign_in(&corp, "boss");
    let second = qr_sign_in(&corp, "boss");
    let member = oauth_sign_in(&corp, "dev1").cookie.unwrap();
    let elsewhere = qr_sign_in(&other, "boss");
    let (status, body) = with_cookie(
        "POST",
        &format!("/api/v1/corps/{corp}/sessions/revoke"),
        &first,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body["revoked"].as_u64().unwrap() >= 3, "{body}");
    for cookie in [&first, &second] {
        assert_eq!(with_cookie("GET", "/api/v1/session", cookie).0, 401);
    }
    assert_eq!(with_cookie("GET", "/api/v1/me", &member).0, 401);
    assert_eq!(with_cookie("GET", "/api/v1/session", &elsewhere).0, 200);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_uninstall_ends_the_organisations_sessions() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("unsess");
    let cookie = qr_sign_in(&corp, "boss");
    sim_uninstall(&corp);
    settle();
    assert_eq!(
        d1_count(&format!(
            "SELECT count(*) AS n FROM sessions WHERE corp_id = '{corp}'"
        )),
        0
    );
    assert_eq!(with_cookie("GET", "/api/v1/session", &cookie).0, 401);
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_redirect_off_the_trusted_domain_is_refused_by_wecom() {
    let _clock = clock_untouched();
    let agent = hops();
    let url = format!(
        "{}/connect/oauth2/authorize?appid={}&redirect_uri=http%3A%2F%2Fevil.example%2Fauth%2Foauth&response_type=code&scope=snsapi_base&state=x",
        sim(),
        config("SUITE_ID")
    );
    let a = hop(&agent, &url, IN_WECOM);
    assert_eq!(a.status, 400);
    assert!(a.text.contains("50001"));
}

/// A QR sign-in of someone WeCom may not let in: the refusal's reason.
fn qr_refused(corp: &str, userid: &str) -> String {
    let agent = hops();
    let qr = start_qr(&agent);
    let back = hop(&agent, &scan(&agent, &qr, corp, userid), DESKTOP);
    assert_eq!(back.status, 403, "{}", back.text);
    assert!(back.cookie.is_none());
    back.text
        .split("data-reason=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_member_authorised_install_signs_in_its_admins_by_what_get_login_info_says() {
    let _clock = clock_untouched();
    let mut contacts = sim_corp(&unique_corp("mauth"), &[2], &["sales1"]);
    // A member authorised the app: WeCom gives no admin list (100073).
    contacts["auth_mode"] = json!(1);
    contacts["admins"] = json!(["boss", {"userid": "dev2", "auth_type": 0}]);
    let corp = put_sim_corp(&contacts);
    sim_install(&corp);
    let rows = d1(&format!(
        "SELECT auth_mode, (SELECT count(*) FROM admins a WHERE a.corp_id = o.corp_id) AS n \
         FROM organisations o WHERE corp_id = '{corp}'"
    ));
    assert_eq!(
        (rows[0]["auth_mode"].as_u64(), rows[0]["n"].as_u64()),
        (Some(1), Some(0))
    );

    let boss = qr_sign_in(&corp, "boss");
    let (status, who) = with_cookie("GET", "/api/v1/session", &boss);
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["may_manage"], true, "auth_type 1 manages: {who}");
    let (status, _) = with_cookie("GET", &format!("/api/v1/corps/{corp}/summary"), &boss);
    assert_eq!(status, 200, "the session stands at the next request");

    let looker = qr_sign_in(&corp, "dev2");
    let (status, who) = with_cookie("GET", "/api/v1/session", &looker);
    assert_eq!(status, 200, "{who}");
    assert_eq!(who["may_manage"], false, "auth_type 0 looks: {who}");

    // A member (usertype 5) is refused with the explanation.
    assert_eq!(qr_refused(&corp, "dev1"), "not_admin");
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn an_external_admin_the_admin_list_leaves_out_signs_in() {
    let _clock = clock_untouched();
    let mut contacts = sim_corp(&unique_corp("extadm"), &[2], &["sales1"]);
    contacts["admins"] = json!(["boss", {"userid": "dev1", "auth_type": 1, "usertype": 3}]);
    let corp = put_sim_corp(&contacts);
    sim_install(&corp);
    let listed: Vec<String> = d1(&format!(
        "SELECT userid FROM admins WHERE corp_id = '{corp}' ORDER BY userid"
    ))
    .iter()
    .map(|r| r["userid"].as_str().unwrap().to_owned())
    .collect();
    assert_eq!(
        listed,
        ["boss"],
        "WeCom's list leaves the external admin out"
    );
    let cookie = qr_sign_in(&corp, "dev1");
    let (status, who) = with_cookie("GET", "/api/v1/session", &cookie);
    assert_eq!(
        (status, who["may_manage"].clone()),
        (200, json!(true)),
        "{who}"
    );
    // Revoking every session ends theirs too.
    let (status, _) = with_cookie(
        "POST",
        &format!("/api/v1/corps/{corp}/sessions/revoke"),
        &cookie,
    );
    assert_eq!(status, 200);
    let (status, _) = with_cookie("GET", "/api/v1/session", &cookie);
    assert_eq!(status, 401);
    assert_eq!(qr_refused(&corp, "sales1"), "not_admin");
}

/// `/auth/login?via=web`: WeCom's newer web login (98171) with our
/// callback and a state; the page's link for `userid` of `corp`, followed
/// to our callback.
fn web_login_callback(agent: &ureq::Agent, corp: &str, userid: &str) -> String {
    let to_wecom = hop(agent, &format!("{}/auth/login?via=web", edge()), DESKTOP);
    assert_eq!(to_wecom.status, 302, "{}", to_wecom.text);
    let at = &to_wecom.location;
    assert!(
        at.starts_with(&format!("{}/wwlogin/sso/login?", sim())),
        "{at}"
    );
    assert_eq!(param(at, "login_type"), "ServiceApp");
    assert_eq!(param(at, "appid"), config("SUITE_ID"));
    assert_eq!(
        param(at, "redirect_uri"),
        format!("{}/auth/callback", edge())
    );
    assert_state_as_wecom_takes_it(&param(at, "state"));
    let page = hop(agent, at, DESKTOP);
    assert_eq!(page.status, 200, "{}", page.text);
    let query = at.split_once('?').unwrap().1;
    let chosen = hop(
        agent,
        &format!(
            "{}/wwlogin/sso/login/choose?{query}&corp={corp}&userid={userid}",
            sim()
        ),
        DESKTOP,
    );
    assert_eq!(chosen.status, 302, "{}", chosen.text);
    assert!(!param(&chosen.location, "code").is_empty());
    chosen.location
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn the_newer_web_login_signs_in_an_admin_by_the_admin_list() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("weblogin");
    let agent = hops();
    let callback = web_login_callback(&agent, &corp, "boss");
    let back = hop(&agent, &callback, DESKTOP);
    assert_eq!(
        (back.status, back.location.as_str()),
        (302, "/seats"),
        "{}",
        back.text
    );
    let (status, who) = with_cookie("GET", "/api/v1/session", &back.cookie.unwrap());
    assert_eq!(status, 200, "{who}");
    assert_eq!(
        (who["userid"].as_str(), who["may_manage"].clone()),
        (Some("boss"), json!(true))
    );
    // Its state is spent; a web state does not finish a QR sign-in.
    let again = hop(&agent, &callback, DESKTOP);
    assert_eq!(
        (again.status, again.error_code().as_str()),
        (400, "state_used")
    );
    let state = param(&web_login_callback(&agent, &corp, "boss"), "state");
    let as_qr = hop(
        &agent,
        &format!(
            "{}/auth/callback?auth_code={}&state={state}",
            edge(),
            code_for(&corp, "boss", "qr")
        ),
        DESKTOP,
    );
    assert_eq!(
        (as_qr.status, as_qr.error_code().as_str()),
        (400, "bad_state")
    );
    // A member is refused with the explanation.
    let member = hop(&agent, &web_login_callback(&agent, &corp, "dev1"), DESKTOP);
    assert_eq!(member.status, 403, "{}", member.text);
    assert!(member.text.contains("data-reason=\"not_admin\""));
    assert!(member.cookie.is_none());
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn wecoms_own_error_text_never_reaches_an_anonymous_page() {
    let _clock = clock_untouched();
    let (corp, _) = installed_and_synced("ipleak");
    // WeCom refuses our server (IP allow-list, 60020) and says its address.
    let a = sim_send(
        "POST",
        &format!("/_sim/corps/{corp}/busy"),
        &json!({"call": "service/get_login_info", "times": 1, "errcode": 60020}),
    );
    assert_eq!(a.status, 200, "{}", a.text);
    let agent = hops();
    let qr = start_qr(&agent);
    let back = hop(&agent, &scan(&agent, &qr, &corp, "boss"), DESKTOP);
    assert_eq!(
        (back.status, back.error_code().as_str()),
        (502, "wecom_error"),
        "{}",
        back.text
    );
    assert!(!back.text.contains("203.0.113.7"), "{}", back.text);
    assert!(!back.text.contains("from ip"), "{}", back.text);
    assert!(back.cookie.is_none());
}

/// The limit of a `[[ratelimits]]` budget in `wrangler.toml`.
fn budget_limit(binding: &str) -> u64 {
    let toml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../wrangler.toml"))
        .expect("wrangler.toml");
    let entry = toml
        .split("[[ratelimits]]")
        .find(|e| e.contains(&format!("name = \"{binding}\"")))
        .unwrap_or_else(|| panic!("no budget {binding}"));
    let at = entry.find("limit = ").expect("limit") + "limit = ".len();
    entry[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a number")
}

/// Calls of WeCom's `path` so far (sim counts them).
fn wecom_calls(path: &str) -> u64 {
    let calls: Value =
        serde_json::from_str(&get(&browser(), &format!("{}/_sim/calls", sim())).text)
            .expect("sim's call counts");
    calls[path].as_u64().unwrap_or(0)
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn junk_sign_in_codes_cost_at_most_the_budget() {
    let _alone = CLOCK.write().unwrap_or_else(|e| e.into_inner());
    let budget = budget_limit("ADMIN_SIGNIN_BUDGET");
    let asked_before = wecom_calls("service/get_login_info");
    let one_client = client_at(&fresh_client_address()).redirects(0).build();
    let mut refused = 0;
    let started = std::time::Instant::now();
    for i in 0..1000 {
        let url = format!("{}/auth/wecom-admin?auth_code=junk{i}", edge());
        let resp = match one_client.get(&url).set("User-Agent", DESKTOP).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("GET {url}: {e}"),
        };
        if resp.status() == 429 {
            refused += 1;
            let wait: u64 = resp
                .header("retry-after")
                .and_then(|s| s.parse().ok())
                .expect("429 says when to try again");
            assert!((1..=60).contains(&wait), "Retry-After {wait}");
        }
    }
    let asked = wecom_calls("service/get_login_info") - asked_before;
    // The budget is per window of a minute (fixed windows, as Cloudflare
    // counts): a burst that crosses a window's end spends two budgets.
    let windows = started.elapsed().as_secs() / 60 + 2;
    assert!(
        asked <= budget * windows,
        "WeCom was asked {asked} times for one client's junk \
         (budget {budget} a minute, {windows} windows at most)"
    );
    assert!(
        refused >= 1000 - budget * windows,
        "only {refused} of 1000 answered 429"
    );
    // Someone else is not held back by that client.
    let other = hop(
        &hops(),
        &format!("{}/auth/wecom-admin?auth_code=junk", edge()),
        DESKTOP,
    );
    assert_ne!(other.status, 429, "{}", other.text);
    // The same client's next sign-in attempt is held too, before a state
    // is written.
    let login = one_client.get(&format!("{}/auth/login", edge())).call();
    let status = match login {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(s, _)) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status, 429);
}

/// The provider's own organisation in sim (not an installer of the app):
/// an operator the test stack lists (`OPERATOR_USERIDS`) and an intern it
/// does not.
fn provider_organisation() -> String {
    let provider = config("PROVIDER_CORPID");
    put_sim_corp(&json!({
        "corp_id": provider,
        "corp_name": "服务商自己的企业",
        "departments": [{"id": 1, "name": "服务商", "parentid": 0}],
        "users": [
            {"userid": "ops01", "name": "运营一", "department": [1]},
            {"userid": "intern", "name": "实习生", "department": [1]},
        ],
        "admins": [],
        "range": {"party": [1], "user": [], "tag": []},
    }))
}

/// `/auth/desk` → WeCom's member QR login (`usertype=member`, the
/// provider's CorpID) → scanned as `userid` of `corp` → our callback's
/// answer.
fn desk_sign_in(corp: &str, userid: &str) -> Hop {
    let agent = hops();
    let to_wecom = hop(&agent, &format!("{}/auth/desk", edge()), DESKTOP);
    assert_eq!(to_wecom.status, 302, "{}", to_wecom.text);
    let qr = &to_wecom.location;
    assert!(
        qr.starts_with(&format!("{}/wwopen/sso/3rd_qrConnect?", sim())),
        "{qr}"
    );
    assert_eq!(param(qr, "appid"), config("PROVIDER_CORPID"));
    assert_eq!(param(qr, "usertype"), "member");
    assert_eq!(
        param(qr, "redirect_uri"),
        format!("{}/auth/desk/callback", edge())
    );
    assert_state_as_wecom_takes_it(&param(qr, "state"));
    let page = hop(&agent, qr, DESKTOP);
    assert_eq!(page.status, 200, "{}", page.text);
    let query = qr.split_once('?').unwrap().1;
    let scanned = hop(
        &agent,
        &format!(
            "{}/wwopen/sso/3rd_qrConnect/scan?{query}&corp={corp}&userid={userid}",
            sim()
        ),
        DESKTOP,
    );
    assert_eq!(scanned.status, 302, "{}", scanned.text);
    hop(&agent, &scanned.location, DESKTOP)
}

#[test]
#[ignore = "needs the stack: run through `make test`"]
fn a_listed_member_of_the_providers_organisation_signs_in_to_the_desk_and_nobody_else() {
    let _clock = clock_untouched();
    let provider = provider_organisation();
    let landed = desk_sign_in(&provider, "ops01");
    assert_eq!(
        (landed.status, landed.location.as_str()),
        (302, "/desk"),
        "{}",
        landed.text
    );
    let cookie = landed.cookie.expect("an operator's session cookie");
    let (status, me) = with_cookie("GET", "/api/v1/session", &cookie);
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (me["operator"].as_bool(), me["may_manage"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(me["userid"], "ops01");
    let (status, desk) = with_cookie("GET", "/api/v1/desk/corps?limit=1", &cookie);
    assert_eq!(status, 200, "{desk}");

    // A member of the provider's organisation who is not listed, and an
    // organisation's own admin, get the refusal page.
    let intern = desk_sign_in(&provider, "intern");
    assert_eq!(intern.status, 403, "{}", intern.text);
    assert!(
        intern.text.contains("data-reason=\"not_operator\""),
        "{}",
        intern.text
    );
    assert!(intern.cookie.is_none());
    let (corp, _) = installed_and_synced("deskin");
    let admin = desk_sign_in(&corp, "boss");
    assert_eq!(admin.status, 403, "{}", admin.text);
    assert!(admin.text.contains("data-reason=\"not_operator\""));

    // Logging out ends the operator's session on the server.
    let (status, _) = with_cookie("POST", "/auth/logout", &cookie);
    assert_eq!(status, 204);
    let (status, _) = with_cookie("GET", "/api/v1/desk/corps", &cookie);
    assert_eq!(status, 401);
}
