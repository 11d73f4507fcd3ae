//! WeCom's interface-license API (`license/*`, provider token): orders,
//! their accounts, activation, transfer, the accounts bound in an
//! organisation, its license status, and auto-activation.

use super::client::{Done, WeCom, WeComError};
use domain::wecom::{
    AccountPage, ActivateAccount, ActivateByType, Activation, ActiveInfo, ActiveInfoByUser,
    ActiveInfoList, AppLicenseInfo, AppLicenseRequest, AutoActiveStatus, BatchActivate,
    BatchActivateReply, BatchTransfer, BatchTransferReply, BoundAccount, CorpCodes,
    CorpPageRequest, CorpUser, Order, OrderAccount, OrderAccountsRequest, OrderId, OrderReply,
    Transfer,
};

/// Largest page `list_order_account` and `list_actived_account` give
/// (WeCom: `limit` at most 1000; document/path/95649, 95544).
const ACCOUNT_PAGE: u64 = 1000;
/// `batch_get_active_info_by_code` takes at most 1000 codes a call
/// (document/path/95552).
const CODES_PER_CALL: usize = 1000;

impl WeCom<'_> {
    pub async fn get_order(&self, order_id: &str) -> Result<Order, WeComError> {
        let body = OrderId {
            order_id: order_id.to_owned(),
        };
        let reply: OrderReply = self.license_call("get_order", &body).await?;
        Ok(reply.order)
    }

    /// Every account of an order, all pages.
    pub async fn order_accounts(&self, order_id: &str) -> Result<Vec<OrderAccount>, WeComError> {
        let mut accounts = vec![];
        let mut cursor = String::new();
        loop {
            let body = OrderAccountsRequest {
                order_id: order_id.to_owned(),
                limit: ACCOUNT_PAGE,
                cursor,
            };
            let page: AccountPage<OrderAccount> =
                self.license_call("list_order_account", &body).await?;
            let next = page.next().map(str::to_owned);
            accounts.extend(page.account_list);
            match next {
                Some(c) => cursor = c,
                None => return Ok(accounts),
            }
        }
    }

    /// One page of the accounts bound in an organisation.
    pub async fn bound_accounts(
        &self,
        corp_id: &str,
        cursor: &str,
    ) -> Result<AccountPage<BoundAccount>, WeComError> {
        let body = CorpPageRequest {
            corpid: corp_id.to_owned(),
            limit: ACCOUNT_PAGE,
            cursor: cursor.to_owned(),
        };
        self.license_call("list_actived_account", &body).await
    }

    pub async fn active_info_by_user(
        &self,
        corp_id: &str,
        userid: &str,
    ) -> Result<ActiveInfoByUser, WeComError> {
        let body = CorpUser {
            corpid: corp_id.to_owned(),
            userid: userid.to_owned(),
        };
        self.license_call("get_active_info_by_user", &body).await
    }

    /// What WeCom says of each code, status included
    /// (`batch_get_active_info_by_code`, 1000 a call); codes WeCom does not
    /// know are left out.
    pub async fn active_info_by_codes(
        &self,
        corp_id: &str,
        codes: &[String],
    ) -> Result<Vec<ActiveInfo>, WeComError> {
        let mut infos = vec![];
        for chunk in codes.chunks(CODES_PER_CALL) {
            let body = CorpCodes {
                corpid: corp_id.to_owned(),
                active_code_list: chunk.to_vec(),
            };
            match self
                .license_call::<_, ActiveInfoList>("batch_get_active_info_by_code", &body)
                .await
            {
                Ok(found) => infos.extend(found.active_info_list),
                // 701010: none of this chunk's codes is WeCom's any more.
                Err(WeComError::Api {
                    errcode: 701010, ..
                }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(infos)
    }

    /// Lets WeCom bind the unbound code of a type with the earliest
    /// activation deadline to a member who holds none of that type
    /// (`active_account_by_type`); WeCom does not say which code.
    pub async fn activate_by_type(
        &self,
        corp_id: &str,
        userid: &str,
        account_type: u8,
    ) -> Result<(), WeComError> {
        let body = ActivateByType {
            corpid: corp_id.to_owned(),
            userid: userid.to_owned(),
            account_type,
        };
        let _: Done = self.license_call("active_account_by_type", &body).await?;
        Ok(())
    }

    /// Binds one code to one member (`active_account`).
    pub async fn activate_one(&self, corp_id: &str, one: &Activation) -> Result<(), WeComError> {
        let body = ActivateAccount {
            corpid: corp_id.to_owned(),
            active_code: one.active_code.clone(),
            userid: one.userid.clone(),
        };
        let _: Done = self.license_call("active_account", &body).await?;
        Ok(())
    }

    /// Binds codes to members (`batch_active_account`); one errcode each.
    pub async fn activate_batch(
        &self,
        corp_id: &str,
        list: Vec<Activation>,
    ) -> Result<BatchActivateReply, WeComError> {
        let body = BatchActivate {
            corpid: corp_id.to_owned(),
            active_list: list,
        };
        self.license_call("batch_active_account", &body).await
    }

    /// Moves seats between members (`batch_transfer_license`); one errcode each.
    pub async fn transfer_batch(
        &self,
        corp_id: &str,
        list: Vec<Transfer>,
    ) -> Result<BatchTransferReply, WeComError> {
        let body = BatchTransfer {
            corpid: corp_id.to_owned(),
            transfer_list: list,
        };
        self.license_call("batch_transfer_license", &body).await
    }

    pub async fn app_license_info(&self, corp_id: &str) -> Result<AppLicenseInfo, WeComError> {
        let body = AppLicenseRequest {
            corpid: corp_id.to_owned(),
            suite_id: self.cfg.suite_id.clone(),
        };
        self.license_call("get_app_license_info", &body).await
    }

    pub async fn set_auto_active(&self, corp_id: &str, enabled: bool) -> Result<(), WeComError> {
        let body = AutoActiveStatus {
            corpid: corp_id.to_owned(),
            auto_active_status: enabled as u8,
        };
        let _: Done = self.license_call("set_auto_active_status", &body).await?;
        Ok(())
    }
}
