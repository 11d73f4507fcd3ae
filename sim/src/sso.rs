//! WeCom's sign-in pages, for a browser: the third-party QR login
//! (`/wwopen/sso/3rd_qrConnect`, document/path/91124), the newer web login
//! (`/wwlogin/sso/login`, 98171) and the OAuth of
//! WeCom's webview (`/connect/oauth2/authorize`, 91120). A real user scans
//! a QR code or is already in WeCom; here the tester picks who from a list
//! (links with `data-testid`), and WeCom sends the browser back with a
//! single-use code. The browser may only be sent back to the suite's
//! trusted domain (`--trusted-domain`, the worker's host by default):
//! another host is refused with WeCom's 50001.

use crate::config::host_of;
use crate::sim::Sim;
use crate::state::{LoginKind, State};
use crate::wire::{Reply, Req};

/// "redirect_uri is not in the app's trusted domain" (50001, 91121).
const UNTRUSTED_REDIRECT: i64 = 50001;

/// Answers the sign-in pages; `None` for any other path.
pub fn handle(sim: &Sim, req: &Req) -> Option<Reply> {
    if req.method != "GET" {
        return None;
    }
    Some(match req.path.as_str() {
        "/wwopen/sso/3rd_qrConnect" => qr_page(sim, req),
        "/wwopen/sso/3rd_qrConnect/scan" => chosen(sim, req, LoginKind::Qr),
        "/wwlogin/sso/login" => web_login_page(sim, req),
        "/wwlogin/sso/login/choose" => chosen(sim, req, LoginKind::OAuth),
        "/connect/oauth2/authorize" => oauth_page(sim, req),
        "/connect/oauth2/authorize/choose" => chosen(sim, req, LoginKind::OAuth),
        _ => return None,
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: u16, title: &str, body: &str) -> Reply {
    Reply::html(
        status,
        format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <link rel=\"icon\" href=\"data:,\"><title>{t} · WeCom (sim)</title></head><body><h1>{t}</h1>{body}</body></html>",
            t = escape(title)
        ),
    )
}

fn refused(errcode: i64, errmsg: &str) -> Reply {
    page(
        400,
        "出错了 / Error",
        &format!(
            "<p data-testid=\"sim-error\">errcode {errcode}: {}</p>",
            escape(errmsg)
        ),
    )
}

/// The redirect target, when present and on the trusted domain.
fn redirect_uri<'a>(sim: &Sim, req: &'a Req) -> Result<&'a str, Reply> {
    let uri = req
        .query("redirect_uri")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| refused(40001, "redirect_uri missing"))?;
    if host_of(uri) != sim.config.trusted_domain {
        return Err(refused(
            UNTRUSTED_REDIRECT,
            "redirect_uri is not on the app's trusted domain",
        ));
    }
    Ok(uri)
}

fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Everyone who could sign in: each organisation's members and the app's
/// admins, with a link that "scans" (or opens the app) as them.
fn people(state: &State, link: &str, redirect: &str, st: &str) -> String {
    let mut html = String::from("<ul>");
    for corp in state.corps.values() {
        html.push_str(&format!(
            "<li><b>{}</b> ({}){}<ul>",
            escape(&corp.corp_name),
            escape(&corp.corp_id),
            if corp.installed {
                ""
            } else {
                " — 未安装 / not installed"
            }
        ));
        let mut userids: Vec<&str> = corp.users.iter().map(|u| u.userid.as_str()).collect();
        for a in &corp.admins {
            if !userids.contains(&a.userid.as_str()) {
                userids.push(&a.userid);
            }
        }
        for userid in userids {
            let admin = corp.admins.iter().find(|a| a.userid == userid);
            let role = match admin {
                Some(a) if a.auth_type == 1 => " — 应用管理员 / app admin (manage)",
                Some(_) => " — 应用管理员 / app admin (look)",
                None => "",
            };
            let query = encode(&[
                ("corp", &corp.corp_id),
                ("userid", userid),
                ("redirect_uri", redirect),
                ("state", st),
            ]);
            html.push_str(&format!(
                "<li><a data-testid=\"as-{corp}-{user}\" href=\"{link}?{q}\">{user}</a>{role}</li>",
                corp = escape(&corp.corp_id),
                user = escape(userid),
                q = escape(&query),
            ));
        }
        html.push_str("</ul></li>");
    }
    html.push_str("</ul>");
    html
}

/// The longest `state` WeCom carries (「a-zA-Z0-9的参数值,长度不可超过128个字节」,
/// document/path/91120, and the install link 90597).
const STATE_MAX_BYTES: usize = 128;

/// The `state` of a login or OAuth link, when WeCom takes it: letters and
/// digits only, at most 128 bytes; none at all is allowed.
fn state_of(req: &Req) -> Result<&str, Reply> {
    let st = req.query("state").unwrap_or_default();
    if st.len() > STATE_MAX_BYTES || !st.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(refused(
            40001,
            "invalid state: a-zA-Z0-9, at most 128 bytes",
        ));
    }
    Ok(st)
}

/// The page where the tester picks who signs in, for a link whose own
/// parameters were checked: the redirect target on the trusted domain and
/// a state WeCom takes, else WeCom's refusal; each person links to `link`.
fn chooser(sim: &Sim, req: &Req, link: &str, title: &str, prompt: &str) -> Reply {
    let redirect = match redirect_uri(sim, req) {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    let st = match state_of(req) {
        Ok(st) => st,
        Err(refused) => return refused,
    };
    let list = people(&sim.state(), link, redirect, st);
    page(200, title, &format!("<p>{prompt}</p>{list}"))
}

/// `GET /wwopen/sso/3rd_qrConnect?appid=PROVIDER_CORPID&redirect_uri&state&usertype`.
/// `usertype` is `admin` (the default: an admin scans with WeChat) or
/// `member` (a member scans with the WeCom app), document/path/91124.
fn qr_page(sim: &Sim, req: &Req) -> Reply {
    if req.query("appid") != Some(sim.config.provider_corpid.as_str()) {
        return refused(40013, "invalid appid: the provider's CorpID is expected");
    }
    if !matches!(req.query("usertype"), None | Some("admin") | Some("member")) {
        return refused(40001, "invalid usertype: admin or member");
    }
    chooser(
        sim,
        req,
        "/wwopen/sso/3rd_qrConnect/scan",
        "企业微信扫码登录 / Scan to sign in",
        "选择扫码的人 / Choose who scans:",
    )
}

/// `GET /wwlogin/sso/login?login_type=ServiceApp&appid=SUITE_ID&redirect_uri&state`:
/// WeCom's newer web login (document/path/98171): a third-party app's
/// login names its suite (「第三方登录时填登录授权 SuiteID」) and comes back
/// with a `code` that `service/auth/getuserinfo3rd` redeems (98179).
fn web_login_page(sim: &Sim, req: &Req) -> Reply {
    if req.query("login_type") != Some("ServiceApp") {
        return refused(40001, "login_type must be ServiceApp for a third-party app");
    }
    if req.query("appid") != Some(sim.config.suite_id.as_str()) {
        return refused(40013, "invalid appid: the suite id is expected");
    }
    chooser(
        sim,
        req,
        "/wwlogin/sso/login/choose",
        "企业微信登录 / Sign in with WeCom",
        "选择登录的人 / Choose who signs in:",
    )
}

/// `GET /connect/oauth2/authorize?appid=SUITE_ID&redirect_uri&response_type=code&scope&state`.
fn oauth_page(sim: &Sim, req: &Req) -> Reply {
    if req.query("appid") != Some(sim.config.suite_id.as_str()) {
        return refused(40013, "invalid appid: the suite id is expected");
    }
    if req.query("response_type") != Some("code") {
        return refused(40001, "response_type must be code");
    }
    chooser(
        sim,
        req,
        "/connect/oauth2/authorize/choose",
        "企业微信网页授权 / Open the app in WeCom",
        "谁在企业微信里打开了应用 / Who opened the app:",
    )
}

/// The chosen user: a fresh code, and back to the redirect target with it
/// (`auth_code` for the QR login, `code` for OAuth) and the `state`.
fn chosen(sim: &Sim, req: &Req, kind: LoginKind) -> Reply {
    let redirect = match redirect_uri(sim, req) {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    let (Some(corp), Some(userid)) = (req.query("corp"), req.query("userid")) else {
        return refused(40001, "corp and userid are required");
    };
    let code = sim.state().new_login_code(corp, userid, kind);
    let name = match kind {
        LoginKind::Qr => "auth_code",
        LoginKind::OAuth => "code",
    };
    let mut pairs = vec![(name, code.as_str())];
    if let Some(st) = req.query("state").filter(|s| !s.is_empty()) {
        pairs.push(("state", st));
    }
    let sep = if redirect.contains('?') { '&' } else { '?' };
    Reply::redirect(format!("{redirect}{sep}{}", encode(&pairs)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Corp;

    fn with_corp(sim: &Sim) {
        let corp: Corp = serde_json::from_value(serde_json::json!({
            "corp_id": "wwcorp", "corp_name": "Corp", "installed": true,
            "users": [{"userid": "ann", "name": "Ann"}], "admins": ["boss"],
        }))
        .unwrap();
        sim.state().corps.insert("wwcorp".into(), corp);
    }

    #[test]
    fn the_qr_page_lists_members_and_admins_and_sends_back_a_code() {
        let sim = Sim::for_tests();
        with_corp(&sim);
        let back = "http%3A%2F%2F127.0.0.1%3A9%2Fauth%2Fcallback";
        let url = format!("/wwopen/sso/3rd_qrConnect?appid=wwprovider&redirect_uri={back}&state=S1&usertype=admin");
        let page = handle(&sim, &Req::for_tests("GET", &url, "")).unwrap();
        assert_eq!(page.status, 200);
        assert!(page.body.contains("data-testid=\"as-wwcorp-ann\""));
        assert!(page.body.contains("data-testid=\"as-wwcorp-boss\""));
        let scan = format!(
            "/wwopen/sso/3rd_qrConnect/scan?corp=wwcorp&userid=boss&redirect_uri={back}&state=S1"
        );
        let sent = handle(&sim, &Req::for_tests("GET", &scan, "")).unwrap();
        assert_eq!(sent.status, 302);
        let location = sent.location.unwrap();
        assert!(
            location.starts_with("http://127.0.0.1:9/auth/callback?auth_code="),
            "{location}"
        );
        assert!(location.ends_with("&state=S1"));
    }

    #[test]
    fn the_qr_login_takes_admins_or_members_and_nothing_else() {
        let sim = Sim::for_tests();
        with_corp(&sim);
        let back = "http%3A%2F%2F127.0.0.1%3A9%2Fauth%2Fdesk%2Fcallback";
        let url = |usertype: &str| {
            format!(
                "/wwopen/sso/3rd_qrConnect?appid=wwprovider&redirect_uri={back}&state=S1{usertype}"
            )
        };
        for (usertype, status) in [
            ("&usertype=member", 200),
            ("", 200),
            ("&usertype=root", 400),
        ] {
            let reply =
                handle(&sim, &Req::for_tests("GET", &url(usertype), "")).expect("the QR page");
            assert_eq!(reply.status, status, "{usertype}");
        }
    }

    #[test]
    fn a_redirect_off_the_trusted_domain_is_50001() {
        let sim = Sim::for_tests();
        let url = "/connect/oauth2/authorize?appid=wwsuite&redirect_uri=http%3A%2F%2Fevil.example%2Fauth%2Foauth&response_type=code&scope=snsapi_base&state=S";
        let page = handle(&sim, &Req::for_tests("GET", url, "")).unwrap();
        assert_eq!(page.status, 400);
        assert!(page.body.contains("50001"));
        let wrong_app = "/connect/oauth2/authorize?appid=other&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2F&response_type=code";
        assert!(handle(&sim, &Req::for_tests("GET", wrong_app, ""))
            .unwrap()
            .body
            .contains("40013"));
    }

    #[test]
    fn a_state_of_other_characters_or_past_128_bytes_is_refused() {
        let sim = Sim::for_tests();
        with_corp(&sim);
        let back = "http%3A%2F%2F127.0.0.1%3A9%2Fauth%2Fcallback";
        let link = |st: &str| {
            format!("/wwopen/sso/3rd_qrConnect?appid=wwprovider&redirect_uri={back}&state={st}&usertype=admin")
        };
        let long = "a".repeat(129);
        for bad in ["v1.abc", "a-b", "a_b", long.as_str()] {
            let page = handle(&sim, &Req::for_tests("GET", &link(bad), "")).unwrap();
            assert_eq!(page.status, 400, "{bad}");
        }
        let ok = "A".repeat(128);
        assert_eq!(
            handle(&sim, &Req::for_tests("GET", &link(&ok), ""))
                .unwrap()
                .status,
            200
        );
        let oauth = format!("/connect/oauth2/authorize?appid=wwsuite&redirect_uri={back}&response_type=code&scope=snsapi_base&state=x.y");
        assert_eq!(
            handle(&sim, &Req::for_tests("GET", &oauth, ""))
                .unwrap()
                .status,
            400
        );
    }

    #[test]
    fn the_web_login_names_the_suite_and_sends_back_a_code() {
        let sim = Sim::for_tests();
        with_corp(&sim);
        let back = "http%3A%2F%2F127.0.0.1%3A9%2Fauth%2Fcallback";
        let url = format!(
            "/wwlogin/sso/login?login_type=ServiceApp&appid=wwsuite&redirect_uri={back}&state=S1"
        );
        let page = handle(&sim, &Req::for_tests("GET", &url, "")).unwrap();
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("data-testid=\"as-wwcorp-boss\""));
        let wrong = url.replace("ServiceApp", "CorpApp");
        assert_eq!(
            handle(&sim, &Req::for_tests("GET", &wrong, ""))
                .unwrap()
                .status,
            400
        );
        let chose = format!(
            "/wwlogin/sso/login/choose?corp=wwcorp&userid=boss&redirect_uri={back}&state=S1"
        );
        let sent = handle(&sim, &Req::for_tests("GET", &chose, "")).unwrap();
        let location = sent.location.unwrap();
        assert!(
            location.starts_with("http://127.0.0.1:9/auth/callback?code="),
            "{location}"
        );
        assert!(location.ends_with("&state=S1"));
    }
}
