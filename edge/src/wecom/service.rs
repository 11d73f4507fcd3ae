//! WeCom's service API (suite access token): the suite ticket, the
//! permanent code an install brings and an organisation's auth info.

use super::client::{corp_token_key, WeCom, WeComError, SUITE_TICKET_KEY};
use domain::wecom::{AuthCodeRequest, AuthInfoReply, CorpCredential, PermanentCodeReply};

/// WeCom pushes a suite_ticket every 10 minutes and it is valid for 30
/// (授权应用 "推送suite_ticket", document/path/90628).
const SUITE_TICKET_TTL_SECS: u64 = 30 * 60;

impl WeCom<'_> {
    /// Keeps the latest suite_ticket; the suite token is made from it.
    /// KV takes one write a second to the key: a write too soon after the
    /// last waits its turn.
    pub async fn keep_suite_ticket(&self, ticket: &str) -> Result<(), WeComError> {
        self.kv
            .put_in_turn(SUITE_TICKET_KEY, ticket, Some(SUITE_TICKET_TTL_SECS))
            .await
            .map_err(|e| WeComError::Transport(format!("{e:?}")))
    }

    /// Trades a (single-use) auth code for the permanent code. The caller
    /// stores the permanent code before anything else can fail, then
    /// [`WeCom::keep_corp_token`] the token that came with it.
    pub async fn get_permanent_code(
        &self,
        auth_code: &str,
    ) -> Result<PermanentCodeReply, WeComError> {
        let body = AuthCodeRequest {
            auth_code: auth_code.to_owned(),
        };
        self.suite_call("/cgi-bin/service/get_permanent_code", &body)
            .await
    }

    /// The corp token `get_permanent_code` brought, kept rather than asked
    /// for again.
    pub async fn keep_corp_token(&self, code: &PermanentCodeReply) -> Result<(), WeComError> {
        match (&code.access_token, code.expires_in) {
            (Some(token), Some(ttl)) => {
                self.store(&corp_token_key(&code.auth_corp_info.corpid), token, ttl)
                    .await
            }
            _ => Ok(()),
        }
    }

    pub async fn get_auth_info(
        &self,
        corp_id: &str,
        permanent_code: &str,
    ) -> Result<AuthInfoReply, WeComError> {
        let body = CorpCredential {
            auth_corpid: corp_id.to_owned(),
            permanent_code: permanent_code.to_owned(),
        };
        self.suite_call("/cgi-bin/service/get_auth_info", &body)
            .await
    }
}
