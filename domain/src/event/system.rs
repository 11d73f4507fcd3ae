//! Provider system events: license payments, refunds, auto-activation.

use super::*;

/// A provider system event (系统事件接收URL, pages 97196/95805): pushed with
/// the provider's own Token and EncodingAESKey, receive id = the provider's
/// CorpID. `ServiceCorpId` is the provider, `AuthCorpId` the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemEvent {
    pub service_corp_id: String,
    pub kind: SystemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemKind {
    /// An order was paid (`license_pay_success`, 95805).
    LicensePaySuccess {
        auth_corp_id: String,
        order_id: String,
        buyer_userid: Option<String>,
    },
    /// A refund was decided (`license_refund`, 95805).
    LicenseRefund {
        auth_corp_id: String,
        order_id: String,
        order_status: RefundOutcome,
    },
    /// WeCom bound free accounts by itself (`auto_activate`, 95994).
    AutoActivate {
        auth_corp_id: String,
        scene: Option<u8>,
        accounts: Vec<ActivatedAccount>,
    },
    /// Any other `InfoType`, kept.
    Unknown {
        info_type: String,
        auth_corp_id: Option<String>,
    },
}

impl SystemEvent {
    pub fn parse(xml: &str) -> Result<SystemEvent, EventError> {
        let raw: RawXml = parse_raw(xml)?;
        let info_type = need(raw.info_type.clone(), "InfoType")?;
        let service_corp_id = need(raw.service_corp_id.clone(), "ServiceCorpId")?;
        let kind = match info_type.as_str() {
            "license_pay_success" => SystemKind::LicensePaySuccess {
                auth_corp_id: need(raw.auth_corp_id, "AuthCorpId")?,
                order_id: need(raw.order_id, "OrderId")?,
                buyer_userid: raw.buyer_userid.filter(|s| !s.is_empty()),
            },
            "license_refund" => SystemKind::LicenseRefund {
                auth_corp_id: need(raw.auth_corp_id, "AuthCorpId")?,
                order_id: need(raw.order_id, "OrderId")?,
                order_status: number::<u32>(raw.order_status, "OrderStatus")?.into(),
            },
            "auto_activate" => SystemKind::AutoActivate {
                auth_corp_id: need(raw.auth_corp_id, "AuthCorpId")?,
                scene: opt_number(raw.scene, "Scene")?,
                accounts: raw.account_list,
            },
            _ => SystemKind::Unknown {
                info_type,
                auth_corp_id: raw.auth_corp_id.filter(|s| !s.is_empty()),
            },
        };
        Ok(SystemEvent {
            service_corp_id,
            kind,
        })
    }

    /// The kind, as stored in the events table.
    pub fn kind(&self) -> &str {
        match &self.kind {
            SystemKind::LicensePaySuccess { .. } => "license_pay_success",
            SystemKind::LicenseRefund { .. } => "license_refund",
            SystemKind::AutoActivate { .. } => "auto_activate",
            SystemKind::Unknown { info_type, .. } => info_type,
        }
    }

    /// The organisation the event is about.
    pub fn corp_id(&self) -> Option<&str> {
        match &self.kind {
            SystemKind::LicensePaySuccess { auth_corp_id, .. }
            | SystemKind::LicenseRefund { auth_corp_id, .. }
            | SystemKind::AutoActivate { auth_corp_id, .. } => Some(auth_corp_id),
            SystemKind::Unknown { auth_corp_id, .. } => auth_corp_id.as_deref(),
        }
    }
}
