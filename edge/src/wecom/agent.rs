//! WeCom's app API (the organisation's corp token): the app's admins, and
//! messages to members.

use super::client::{WeCom, WeComError};
use domain::wecom::{Admin, AdminList, SendReply, TextCardMessage};

/// `agent/get_admin_list` takes no body fields (page 100072).
#[derive(serde::Serialize)]
struct NoFields {}

impl WeCom<'_> {
    /// The app's admins with their `auth_type` (page 100072; the suite-token
    /// `service/get_admin_list` is no longer maintained). Member-authorised
    /// apps get none.
    pub async fn admin_list(
        &self,
        corp_id: &str,
        permanent_code: &str,
    ) -> Result<Vec<Admin>, WeComError> {
        let list: AdminList = self
            .corp_post(
                corp_id,
                permanent_code,
                "/cgi-bin/agent/get_admin_list",
                &NoFields {},
            )
            .await?;
        Ok(list.admin)
    }
}

impl WeCom<'_> {
    /// Sends a text card to members (`message/send`, page 90372). WeCom
    /// drops the same body sent again within its duplicate window, so a
    /// retried call cannot deliver twice. Who did not get it comes back in
    /// the reply (`invaliduser`, `unlicenseduser`); nobody at all is
    /// errcode 81013.
    pub async fn send_card(
        &self,
        corp_id: &str,
        permanent_code: &str,
        message: &TextCardMessage,
    ) -> Result<SendReply, WeComError> {
        self.corp_post(corp_id, permanent_code, "/cgi-bin/message/send", message)
            .await
    }
}
