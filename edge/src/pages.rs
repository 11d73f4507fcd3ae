//! The Worker's own HTML pages around sign-in: the refusal (who was
//! refused, and who can grant access and how) and the business-settings
//! entry's "continue as …?" step. Every value shown is escaped.

use crate::error::ApiError;
use worker::{Headers, Response};

/// Why a sign-in was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The organisation has not installed the app (or uninstalled it).
    NotInstalled,
    /// The user is not an admin of the app in that organisation.
    NotAdmin,
    /// WeCom knows the visitor as no organisation's member.
    NoOrganisation,
    /// Not one of the provider's operators (the desk).
    NotOperator,
}

impl Refusal {
    fn code(self) -> &'static str {
        match self {
            Refusal::NotInstalled => "not_installed",
            Refusal::NotAdmin => "not_admin",
            Refusal::NoOrganisation => "no_organisation",
            Refusal::NotOperator => "not_operator",
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The refusal page (403), in Chinese and English: who was refused, and
/// who can grant access and how.
pub fn refused(
    why: Refusal,
    corp_id: &str,
    userid: &str,
) -> std::result::Result<Response, ApiError> {
    let (who, corp) = (escape(userid), escape(corp_id));
    let (zh, en) = match why {
        Refusal::NotAdmin => (
            format!(
                "<p><b>{who}</b> 不是企业 <b>{corp}</b> 中本应用的管理员，所以不能登录管理后台。</p>\
                 <p>谁可以开通：贵企业的企业微信管理员。请联系他/她在<b>企业微信管理后台 › 应用管理 › 第三方应用 › 本应用 › 管理员</b>中把你添加为应用管理员（需要修改席位时请选择“管理权限”），然后重新扫码登录。</p>\
                 <p>普通成员请在企业微信里打开本应用查看自己的席位。</p>"
            ),
            format!(
                "<p><b>{who}</b> is not an admin of this app in organisation <b>{corp}</b>, so the console cannot be opened.</p>\
                 <p>Who can grant access: your organisation's WeCom admin. Ask them to add you as an admin of the app in the <b>WeCom admin console › App Management › third-party apps › this app › Admins</b> (choose management permission if you need to change seats), then scan the QR code again.</p>\
                 <p>Members: open the app inside WeCom to see your own seat.</p>"
            ),
        ),
        Refusal::NotInstalled => (
            format!(
                "<p>企业 <b>{corp}</b> 尚未安装本应用（或已取消授权）。</p>\
                 <p>谁可以开通：贵企业的企业微信管理员可在企业微信管理后台的应用市场中安装本应用；安装后应用管理员即可扫码登录。</p>"
            ),
            format!(
                "<p>Organisation <b>{corp}</b> has not installed this app (or removed it).</p>\
                 <p>Who can grant access: your organisation's WeCom admin can install it from the app marketplace in the WeCom admin console; its admins can then sign in by QR code.</p>"
            ),
        ),
        Refusal::NoOrganisation => (
            "<p>企业微信没有告诉我们你属于哪个企业。请用企业成员的企业微信帐号打开本应用。</p>".to_owned(),
            "<p>WeCom did not say which organisation you belong to. Open the app with your organisation's WeCom account.</p>".to_owned(),
        ),
        Refusal::NotOperator => (
            format!(
                "<p>企业 <b>{corp}</b> 的成员 <b>{who}</b> 不是服务商的运营人员，所以不能打开服务商工作台。</p>\
                 <p>谁可以开通：服务商工作台只对服务商自己企业中列在 OPERATOR_USERIDS 配置里的成员开放，请联系服务商的技术负责人。企业的管理员请从管理后台登录。</p>"
            ),
            format!(
                "<p><b>{who}</b> of organisation <b>{corp}</b> is not one of the provider's operators, so the provider's desk cannot be opened.</p>\
                 <p>Who can grant access: the desk is open only to members of the provider's own organisation listed in the OPERATOR_USERIDS setting; ask the provider's engineers. An organisation's admins sign in to the console instead.</p>"
            ),
        ),
    };
    let page = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>无法登录 · Cannot sign in</title><link rel=\"stylesheet\" href=\"/app.css\"></head>\
         <body><main class=\"page\"><section class=\"card narrow\" data-testid=\"signin-refused\" data-reason=\"{code}\">\
         <h2>无法登录</h2>{zh}<hr><h2 lang=\"en\">Cannot sign in</h2><div lang=\"en\">{en}</div>\
         <p><a href=\"/auth/login\" data-testid=\"signin-again\">重新扫码登录 · Sign in again</a></p>\
         </section></main></body></html>",
        code = why.code()
    );
    html(403, page, &[])
}

/// Too many sign-in requests from this client (429): when to try again,
/// in the `Retry-After` header and on the page.
pub fn too_many(retry_after_secs: u32) -> std::result::Result<Response, ApiError> {
    let page = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>请稍后再试 · Try again shortly</title><link rel=\"stylesheet\" href=\"/app.css\"></head>\
         <body><main class=\"page\"><section class=\"card narrow\" data-testid=\"signin-busy\">\
         <h2>登录请求过多</h2><p>这台设备或网络在短时间内发起了太多次登录，请 {retry_after_secs} 秒后再试。</p>\
         <hr><h2 lang=\"en\">Too many sign-in attempts</h2>\
         <p lang=\"en\">Too many sign-ins came from this device or network just now. Try again in {retry_after_secs} seconds.</p>\
         </section></main></body></html>"
    );
    let answer = html(429, page, &[])?;
    answer
        .headers()
        .set("Retry-After", &retry_after_secs.to_string())?;
    Ok(answer)
}

/// An HTML answer that is never cached, with any cookies given.
fn html(status: u16, body: String, cookies: &[&str]) -> std::result::Result<Response, ApiError> {
    let headers = Headers::new();
    headers.set("Content-Type", "text/html; charset=utf-8")?;
    headers.set("Cache-Control", "no-store")?;
    for cookie in cookies {
        headers.append("Set-Cookie", cookie)?;
    }
    Ok(Response::from_html(body)?
        .with_status(status)
        .with_headers(headers))
}

/// The business-settings entry's step before a session: who WeCom says is
/// signing in, and a button that posts (from this page, our origin) the
/// signed ticket; `bound` is the cookie binding it to this browser.
pub fn confirm(
    userid: &str,
    corp_id: &str,
    corp_name: &str,
    ticket: &str,
    bound: &str,
) -> std::result::Result<Response, ApiError> {
    let (who, corp, name, ticket) = (
        escape(userid),
        escape(corp_id),
        escape(corp_name),
        escape(ticket),
    );
    let body = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>继续登录 · Continue</title><link rel=\"stylesheet\" href=\"/app.css\"></head>\
         <body><main class=\"page\"><section class=\"card narrow\" data-testid=\"signin-confirm\">\
         <h2>继续登录管理后台？</h2>\
         <p>以 <b data-testid=\"confirm-user\">{who}</b> 的身份登录企业 <b>{name}</b>（<code data-testid=\"confirm-corp\">{corp}</code>）的管理后台。</p>\
         <p lang=\"en\">Continue as <b>{who}</b> of <b>{name}</b> (<code>{corp}</code>)?</p>\
         <form method=\"post\" action=\"/auth/wecom-admin/continue?ticket={ticket}\">\
         <button type=\"submit\" data-testid=\"confirm-continue\">继续 · Continue</button></form>\
         <p class=\"muted\">不是你？关闭此页即可，不会登录。 · Not you? Close this page; nothing is signed in.</p>\
         </section></main></body></html>"
    );
    html(200, body, &[bound])
}
