//! Who signed in: the admin's QR login or business-settings entry
//! (`service/get_login_info`, provider token, document/path/91125) and the
//! member's OAuth in WeCom's webview (`service/auth/getuserinfo3rd`, suite
//! token, document/path/91121). Both codes are single-use and live 5
//! minutes; a spent or expired one is WeCom's 40029 "invalid code".

use super::client::{WeCom, WeComError};
use domain::wecom::{LoginInfo, LoginInfoRequest, OAuthUser};

/// WeCom's answer to a code that is unknown, spent or expired
/// (global errcode table, document/path/90313).
pub const INVALID_CODE: i64 = 40029;

impl WeCom<'_> {
    pub async fn login_info(&self, auth_code: &str) -> Result<LoginInfo, WeComError> {
        let body = LoginInfoRequest {
            auth_code: auth_code.to_owned(),
        };
        self.provider_post("/cgi-bin/service/get_login_info", &body)
            .await
    }

    pub async fn oauth_user(&self, code: &str) -> Result<OAuthUser, WeComError> {
        self.suite_get("/cgi-bin/service/auth/getuserinfo3rd", &[("code", code)])
            .await
    }
}
