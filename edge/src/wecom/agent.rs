//! WeCom's app API (the organisation's corp token): the app's admins.

use super::client::{WeCom, WeComError};
use domain::wecom::{Admin, AdminList};

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
