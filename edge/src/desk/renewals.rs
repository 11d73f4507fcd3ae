//! Renewals from the desk: the seats of an organisation that end within
//! N days, renewed in one order (`create_renew_order_job`, a thousand
//! members a call, appended to one job, then `submit_order_job`;
//! document/path/97183), the operator as buyer. WeCom's refusals
//! (`invalid_account_list`) are shown; the order is paid as any other.

use super::orders::{claim, record_placed};
use crate::clock::now_secs;
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::http::{Json, Operator, Query, Shape};
use crate::store;
use crate::wecom::{WeCom, RENEW_LIST_MAX};
use domain::api::{
    DeskNotRenewed, DeskRenewPlaced, DeskRenewRequest, DeskRenewals, DeskRenewalsQuery,
};
use domain::seat::DAY;
use domain::wecom::{AccountDuration, RenewAccount, SubmitOrderJob};
use serde_json::json;

/// Seats the preview lists (its total counts them all).
const PREVIEW_ROWS: u64 = 200;
/// Seats one renewal from the desk renews: ten of WeCom's calls of
/// [`RENEW_LIST_MAX`], each a subrequest, inside the 50 of Workers' Free
/// plan with the rest of the request (developers.cloudflare.com/workers/
/// platform/limits). Past it the operator narrows `within_days`.
const RENEW_SEATS_MAX: u64 = 10 * RENEW_LIST_MAX as u64;

impl Shape for DeskRenewRequest {
    const SHAPE: &'static str = "{\"request_id\",\"within_days\",\"months\"}";
}

/// `GET /api/v1/desk/corps/{corp_id}/renewals?within_days=N`: what a
/// renewal would renew (one D1 round trip).
pub async fn renewals(
    o: Operator,
    Query(q): Query<DeskRenewalsQuery>,
) -> Result<Json<DeskRenewals>, ApiError> {
    let days = q.days().map_err(ApiError::bad_request)?;
    let now = now_secs();
    let (items, total) = store::renewable_seats(
        &o.db().await?,
        &o.corp_id,
        now,
        now + days * DAY,
        PREVIEW_ROWS,
    )
    .await?;
    Ok(Json(DeskRenewals { total, items }))
}

/// `POST /api/v1/desk/corps/{corp_id}/renewals`: renews every seat ending
/// within `within_days` for `months`; the same `request_id` gives the
/// same order.
pub async fn renew(
    o: Operator,
    Json(asked): Json<DeskRenewRequest>,
) -> Result<Json<DeskRenewPlaced>, ApiError> {
    asked.check().map_err(ApiError::bad_request)?;
    let (home, db) = (o.home()?, o.db().await?);
    let now = now_secs();
    let until = now + asked.within_days * DAY;
    let (seats, total) =
        store::renewable_seats(&db, &o.corp_id, now, until, RENEW_SEATS_MAX).await?;
    if total == 0 {
        return Err(ApiError::new(
            400,
            "nothing_to_renew",
            format!("no seat ends within {} days", asked.within_days),
        ));
    }
    if total > RENEW_SEATS_MAX {
        return Err(ApiError::bad_request(format!(
            "{total} seats end within {} days; a renewal from the desk renews at most {RENEW_SEATS_MAX}: ask for fewer days",
            asked.within_days
        )));
    }
    if let Some(order_id) = claim(&o, &asked.request_id, &o.corp_id, now).await? {
        return Ok(Json(DeskRenewPlaced {
            order_id: Some(order_id),
            renewing: total,
            refused: vec![],
        }));
    }
    let cfg = Config::from_env(&o.env)?;
    let wecom = WeCom::new(&cfg, env::kv(&o.env)?);
    let placed = place(&wecom, &o, &seats, asked.months).await;
    let (order_id, refused) = match placed {
        Ok(p) => p,
        Err(e) => {
            store::release_desk_order(&home, &asked.request_id).await?;
            return Err(e);
        }
    };
    let renewing = seats.len() as u64 - refused.len() as u64;
    let Some(order_id) = order_id else {
        store::release_desk_order(&home, &asked.request_id).await?;
        return Ok(Json(DeskRenewPlaced {
            order_id: None,
            renewing: 0,
            refused,
        }));
    };
    let detail = json!({
        "order_id": order_id,
        "seats": renewing,
        "refused": refused.len(),
        "within_days": asked.within_days,
        "months": asked.months,
    });
    let audit = ("renewal_placed", &detail);
    record_placed(&o, &db, &wecom, &asked.request_id, &order_id, audit, now).await?;
    // The admin's request, if any, is answered.
    store::clear_renewal_ask(&db, &home, &o.corp_id).await?;
    Ok(Json(DeskRenewPlaced {
        order_id: Some(order_id),
        renewing,
        refused,
    }))
}

/// The job, a thousand seats a call, then the order: its id (none when
/// WeCom refused every seat) and the seats refused.
async fn place(
    wecom: &WeCom<'_>,
    o: &Operator,
    seats: &[domain::api::DeskRenewal],
    months: u64,
) -> Result<(Option<String>, Vec<DeskNotRenewed>), ApiError> {
    let mut jobid: Option<String> = None;
    let mut refused = vec![];
    for part in seats.chunks(RENEW_LIST_MAX) {
        let accounts = part
            .iter()
            .map(|s| RenewAccount {
                userid: s.userid.clone(),
                account_type: s.account_type,
            })
            .collect();
        let reply = wecom
            .add_to_renew_job(&o.corp_id, accounts, jobid.take())
            .await?;
        refused.extend(
            reply
                .invalid_account_list
                .into_iter()
                .map(|r| DeskNotRenewed {
                    userid: r.userid,
                    account_type: r.account_type,
                    errcode: r.errcode,
                    message: r.errmsg,
                }),
        );
        jobid = Some(reply.jobid);
    }
    let Some(jobid) = jobid.filter(|_| refused.len() < seats.len()) else {
        return Ok((None, refused));
    };
    let order_id = wecom
        .submit_renew_job(&SubmitOrderJob {
            jobid,
            buyer_userid: o.userid.clone(),
            account_duration: AccountDuration {
                months,
                days: 0,
                new_expire_time: 0,
            },
        })
        .await?;
    Ok((Some(order_id), refused))
}
