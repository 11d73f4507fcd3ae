//! WeCom's interface-license API (`license/*`, provider token): orders,
//! their accounts, activation, transfer, the accounts bound in an
//! organisation, its license status, and auto-activation.

use super::client::{Done, WeCom, WeComError};
use domain::wecom::{
    AccountPage, ActivateAccount, ActivateByType, Activation, ActiveInfo, ActiveInfoByUser,
    ActiveInfoList, AppLicenseInfo, AppLicenseRequest, AutoActiveStatus, BatchActivate,
    BatchActivateReply, BatchTransfer, BatchTransferReply, BoundAccount, CorpCodes, CorpOnly,
    CorpPageRequest, CorpUser, ListOrderRequest, Order, OrderAccount, OrderAccountsRequest,
    OrderId, OrderList, OrderReply, OrderSummary, Transfer,
};

/// Largest page `list_order_account` and `list_actived_account` give
/// (WeCom: `limit` at most 1000; document/path/95649, 95544).
const ACCOUNT_PAGE: u64 = 1000;
/// `batch_get_active_info_by_code` takes at most 1000 codes a call
/// (document/path/95552).
const CODES_PER_CALL: usize = 1000;
/// `list_order`'s largest page (「最大值1000,默认值500」, document/path/97184).
const ORDER_PAGE: u64 = 1000;
/// `list_order`'s placing window spans at most 31 days
/// (「起始时间跟结束时间不能超过31天」, document/path/97184).
pub const ORDER_WINDOW_SECS: u64 = 31 * 86_400;

/// What WeCom says of a batch of codes: each code it knows, and the codes
/// it no longer knows (`invalid_active_code_list`).
#[derive(Debug, Default)]
pub struct CodeInfos {
    pub known: Vec<ActiveInfo>,
    pub invalid: Vec<String>,
}

impl WeCom<'_> {
    pub async fn get_order(&self, order_id: &str) -> Result<Order, WeComError> {
        let body = OrderId {
            order_id: order_id.to_owned(),
        };
        let reply: OrderReply = self.license_call("get_order", &body).await?;
        Ok(reply.order)
    }

    /// Every order of an organisation placed between `start` and `end`
    /// (at most [`ORDER_WINDOW_SECS`] apart), all pages.
    pub async fn list_orders(
        &self,
        corp_id: &str,
        start: u64,
        end: u64,
    ) -> Result<Vec<OrderSummary>, WeComError> {
        let mut orders = vec![];
        let mut cursor = None;
        loop {
            let body = ListOrderRequest {
                corpid: Some(corp_id.to_owned()),
                start_time: Some(start),
                end_time: Some(end.min(start + ORDER_WINDOW_SECS)),
                cursor,
                limit: Some(ORDER_PAGE),
            };
            let page: OrderList = self.license_call("list_order", &body).await?;
            let next = page.next().map(str::to_owned);
            orders.extend(page.order_list);
            match next {
                Some(c) => cursor = Some(c),
                None => return Ok(orders),
            }
        }
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
    /// (`batch_get_active_info_by_code`, 1000 a call), and the codes it no
    /// longer knows.
    pub async fn active_info_by_codes(
        &self,
        corp_id: &str,
        codes: &[String],
    ) -> Result<CodeInfos, WeComError> {
        let mut infos = CodeInfos::default();
        for chunk in codes.chunks(CODES_PER_CALL) {
            let body = CorpCodes {
                corpid: corp_id.to_owned(),
                active_code_list: chunk.to_vec(),
            };
            match self
                .license_call::<_, ActiveInfoList>("batch_get_active_info_by_code", &body)
                .await
            {
                Ok(found) => {
                    infos.known.extend(found.active_info_list);
                    infos.invalid.extend(found.invalid_active_code_list);
                }
                // 701010: none of this chunk's codes is WeCom's any more.
                Err(WeComError::Api {
                    errcode: 701010, ..
                }) => infos.invalid.extend_from_slice(chunk),
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

    /// Whether WeCom binds free codes by itself (`get_auto_active_status`,
    /// document/path/95874). 701071: nothing was ever bought for the
    /// organisation, so nothing can be bound: off.
    pub async fn auto_active(&self, corp_id: &str) -> Result<bool, WeComError> {
        let body = CorpOnly {
            corpid: corp_id.to_owned(),
        };
        match self
            .license_call::<_, AutoActiveStatus>("get_auto_active_status", &body)
            .await
        {
            Ok(status) => Ok(status.auto_active_status == 1),
            Err(WeComError::Api {
                errcode: 701071, ..
            }) => Ok(false),
            Err(e) => Err(e),
        }
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
