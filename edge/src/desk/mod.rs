//! The provider's desk: every installed organisation at a glance, for the
//! provider's operators (`Door::Operator`; sign-in in `crate::signin`).

pub mod signin;

use crate::clock::now_secs;
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::http::{given, page_limit, Json, Operator, Query, Shape};
use crate::store::{self, DeskOrderClaim};
use crate::wecom::WeCom;
use domain::api::{
    DeskCursor, DeskOrderPlaced, DeskOrderRequest, DeskPaid, DeskPayRequest, DeskQuery, DeskRow,
    Page,
};
use domain::wecom::{AccountCount, AccountDuration, NewOrderRequest};

/// Times `pay_job_result` is asked before the desk answers "running", and
/// the wait between (WeCom pays in the background; the page can ask
/// again, and the seats arrive with `license_pay_success` either way).
const PAY_POLLS: u32 = 3;
const PAY_POLL_MS: u64 = 300;

/// `GET /api/v1/desk/corps`: one page of organisations, filtered and
/// sorted as asked, with how many match; one D1 round trip.
pub async fn corps(
    o: Operator,
    Query(q): Query<DeskQuery>,
) -> Result<Json<Page<DeskRow>>, ApiError> {
    let limit = page_limit(q.limit.as_deref())?;
    let (filters, sort, desc) = q.checked().map_err(ApiError::bad_request)?;
    if let Some(text) = &filters.q {
        store::check_search(text).map_err(|e| ApiError::bad_request(e.to_string()))?;
    }
    let cursor = match given(&q.cursor) {
        None => None,
        Some(c) => Some(
            DeskCursor::decode(c)
                .ok_or_else(|| ApiError::bad_request("cursor is not one this route gave"))?,
        ),
    };
    let (items, next, total) = store::desk_page(
        &o.db()?,
        &filters,
        sort,
        desc,
        cursor.as_ref(),
        limit,
        now_secs(),
    )
    .await?;
    Ok(Json(Page {
        items,
        next_cursor: next.map(|c| c.encode()),
        total,
    }))
}

impl Shape for DeskOrderRequest {
    const SHAPE: &'static str =
        "{\"request_id\",\"base_count\",\"interconnect_count\",\"months\",\"days\"}";
}

impl Shape for DeskPayRequest {
    const SHAPE: &'static str = "{\"order_id\"}";
}

/// `POST /api/v1/desk/corps/{corp_id}/orders`: new seats for the
/// organisation, bought by the signed-in operator (`create_new_order`).
/// The request id is claimed first (one D1 round trip), so a retry gets
/// the order the first call placed; WeCom's refusal frees it again.
pub async fn place_order(
    o: Operator,
    Json(asked): Json<DeskOrderRequest>,
) -> Result<Json<DeskOrderPlaced>, ApiError> {
    asked.check().map_err(ApiError::bad_request)?;
    let db = o.db()?;
    if !store::corp_exists(&db, &o.corp_id).await? {
        return Err(ApiError::not_found(
            "no installed organisation has this corp id",
        ));
    }
    let now = now_secs();
    match store::claim_desk_order(&db, &asked.request_id, &o.corp_id, &o.userid, now).await? {
        DeskOrderClaim::Placed(order_id) => return Ok(Json(DeskOrderPlaced { order_id })),
        DeskOrderClaim::Busy => {
            return Err(ApiError::new(
                409,
                "order_being_placed",
                "this order is being placed; look again in a moment",
            ))
        }
        DeskOrderClaim::OtherCorp => {
            return Err(ApiError::bad_request(
                "this request_id was used for another organisation",
            ))
        }
        DeskOrderClaim::Mine => {}
    }
    let order = NewOrderRequest {
        corpid: o.corp_id.clone(),
        buyer_userid: o.userid.clone(),
        account_count: AccountCount {
            base_count: asked.base_count,
            external_contact_count: asked.interconnect_count,
        },
        account_duration: AccountDuration {
            months: asked.months,
            days: asked.days,
            new_expire_time: 0,
        },
    };
    let cfg = Config::from_env(&o.env)?;
    let placed = WeCom::new(&cfg, env::kv(&o.env)?)
        .create_new_order(&order)
        .await;
    let order_id = match placed {
        Ok(id) => id,
        Err(e) => {
            store::release_desk_order(&db, &asked.request_id).await?;
            return Err(e.into());
        }
    };
    let detail = serde_json::json!({
        "order_id": order_id,
        "base_count": asked.base_count,
        "interconnect_count": asked.interconnect_count,
        "months": asked.months,
        "days": asked.days,
    });
    store::desk_order_placed(
        &db,
        &asked.request_id,
        &o.corp_id,
        &order_id,
        &o.userid,
        &detail,
        now,
    )
    .await?;
    Ok(Json(DeskOrderPlaced { order_id }))
}

/// `POST /api/v1/desk/corps/{corp_id}/orders/pay`: pays the order from the
/// provider's balance (`submit_pay_job`, the operator as payer) and reads
/// how it went (`pay_job_result`) a few times.
pub async fn pay_order(
    o: Operator,
    Json(asked): Json<DeskPayRequest>,
) -> Result<Json<DeskPaid>, ApiError> {
    if asked.order_id.is_empty() {
        return Err(ApiError::bad_request("order_id is required"));
    }
    let cfg = Config::from_env(&o.env)?;
    let wecom = WeCom::new(&cfg, env::kv(&o.env)?);
    let jobid = wecom.submit_pay_job(&o.userid, &asked.order_id).await?;
    let mut paid = DeskPaid {
        status: "running".into(),
        errcode: None,
        message: None,
    };
    for poll in 0..PAY_POLLS {
        if poll > 0 {
            worker::Delay::from(std::time::Duration::from_millis(PAY_POLL_MS)).await;
        }
        let result = wecom.pay_job_result(&jobid).await?;
        match result.status {
            1 => paid.status = "paid".into(),
            3 => {
                let why = result.pay_job_result.unwrap_or_default();
                paid = DeskPaid {
                    status: "failed".into(),
                    errcode: Some(why.errcode),
                    message: Some(why.errmsg),
                };
            }
            _ => continue,
        }
        break;
    }
    let detail = serde_json::json!({"order_id": asked.order_id, "jobid": jobid, "status": paid.status, "errcode": paid.errcode});
    store::audit(
        &o.db()?,
        &o.corp_id,
        now_secs(),
        &o.userid,
        "order_payment_submitted",
        &detail,
    )
    .await?;
    Ok(Json(paid))
}
