//! New seats from the desk: for one organisation (`create_new_order`,
//! document/path/97182) or several in one multi-organisation order
//! (`create_new_order_job` + `submit_new_order_job` +
//! `new_order_job_result`, 98887), and paying either from the provider's
//! balance (`submit_pay_job` + `pay_job_result`, 99420). Every order's
//! request id is claimed in D1 before WeCom is asked, so a double click
//! or a lost answer gets the same order; WeCom's refusal frees the id.
//! Each order and payment is audited in each organisation's log.

use crate::clock::now_secs;
use crate::d1;
use crate::d1::Db;
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::http::{Json, Operator, Shape};
use crate::shard;
use crate::store::{self, DeskOrderClaim};
use crate::wecom::{WeCom, BUY_LIST_MAX};
use domain::api::{
    DeskLeftOut, DeskMultiOrderRequest, DeskMultiPlaced, DeskOrderPlaced, DeskOrderRequest,
    DeskPaid, DeskPayRequest,
};
use domain::wecom::{
    AccountCount, AccountDuration, BuyInfo, CorpRefusal, NewOrderJobResult, NewOrderRequest,
    JOB_CREATED, JOB_CREATING,
};
use serde_json::json;

/// Times a WeCom job (`pay_job_result`, `new_order_job_result`) is asked
/// before the desk answers "still running", and the wait between (WeCom
/// works in the background; the page asks again, and paid seats arrive
/// with `license_pay_success` either way).
const JOB_POLLS: u32 = 3;
const JOB_POLL_MS: u64 = 300;
/// The claim of a multi-organisation order belongs to no one
/// organisation (so no organisation's `cancel_auth` removes it).
const SEVERAL: &str = "*";
/// A claimed request whose WeCom job is still making its order holds
/// this and the job's id, so a retry asks after the job.
const JOB_MARK: &str = "job:";

impl Shape for DeskOrderRequest {
    const SHAPE: &'static str =
        "{\"request_id\",\"base_count\",\"interconnect_count\",\"months\",\"days\"}";
}

impl Shape for DeskMultiOrderRequest {
    const SHAPE: &'static str =
        "{\"request_id\",\"buy_list\":[{\"corp_id\",\"base_count\",\"interconnect_count\"}],\"months\",\"days\"}";
}

impl Shape for DeskPayRequest {
    const SHAPE: &'static str = "{\"order_id\"}";
}

/// Claims the request id for `corp` (one D1 round trip): `None` when this
/// call is the first (place the order), the order (or job mark) an
/// earlier call placed, or why not.
pub(super) async fn claim(
    o: &Operator,
    request_id: &str,
    corp: &str,
    now: u64,
) -> Result<Option<String>, ApiError> {
    match store::claim_desk_order(&o.home()?, request_id, corp, &o.userid, now).await? {
        DeskOrderClaim::Mine => Ok(None),
        DeskOrderClaim::Placed(order_id) => Ok(Some(order_id)),
        DeskOrderClaim::Busy => Err(ApiError::new(
            409,
            "order_being_placed",
            "this order is being placed; look again in a moment",
        )),
        DeskOrderClaim::OtherCorp => Err(ApiError::bad_request(
            "this request_id was used for another order",
        )),
    }
}

/// `POST /api/v1/desk/corps/{corp_id}/orders`: new seats for the
/// organisation, bought by the signed-in operator (`create_new_order`).
pub async fn place_order(
    o: Operator,
    Json(asked): Json<DeskOrderRequest>,
) -> Result<Json<DeskOrderPlaced>, ApiError> {
    asked.check().map_err(ApiError::bad_request)?;
    let (home, db) = (o.home()?, o.db().await?);
    if !store::corp_exists(&db, &o.corp_id).await? {
        return Err(ApiError::not_found(
            "no installed organisation has this corp id",
        ));
    }
    let now = now_secs();
    if let Some(order_id) = claim(&o, &asked.request_id, &o.corp_id, now).await? {
        return Ok(Json(DeskOrderPlaced { order_id }));
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
    let wecom = WeCom::new(&cfg, env::kv(&o.env)?);
    let placed = wecom.create_new_order(&order).await;
    let order_id = match placed {
        Ok(id) => id,
        Err(e) => {
            store::release_desk_order(&home, &asked.request_id).await?;
            return Err(e.into());
        }
    };
    let detail = json!({
        "order_id": order_id,
        "base_count": asked.base_count,
        "interconnect_count": asked.interconnect_count,
        "months": asked.months,
        "days": asked.days,
    });
    record_placed(
        &o,
        &db,
        &wecom,
        &asked.request_id,
        &order_id,
        ("order_placed", &detail),
        now,
    )
    .await?;
    Ok(Json(DeskOrderPlaced { order_id }))
}

/// One organisation's order is placed: the claim notes its id and the
/// audit row goes in (one batch), then the order is written into the
/// organisation's orders at once (two WeCom reads; a failure is logged,
/// and the cron finds the order).
pub(super) async fn record_placed(
    o: &Operator,
    db: &Db,
    wecom: &WeCom<'_>,
    request_id: &str,
    order_id: &str,
    audit: (&str, &serde_json::Value),
    now: u64,
) -> Result<(), ApiError> {
    let corp_id = &o.corp_id;
    store::desk_order_placed(&o.home()?, request_id, order_id).await?;
    let (action, detail) = audit;
    let what = format!("{corp_id}: order {order_id} placed, its audit row");
    d1::retried(&what, || {
        store::audit(db, corp_id, now, &o.userid, action, detail)
    })
    .await?;
    if let Err(e) = crate::seats::mirror::note_placed(db, wecom, corp_id, order_id, now).await {
        worker::console_error!(
            "{corp_id}: order {order_id} placed, not yet mirrored: {}",
            e.message
        );
    }
    Ok(())
}

/// One audit row in each organisation's log, each on its own database.
async fn audit_each(
    env: &worker::Env,
    rows: &[(String, serde_json::Value)],
    now: u64,
    actor: &str,
    action: &str,
) -> Result<(), ApiError> {
    let mut by_database: std::collections::BTreeMap<String, Vec<(String, serde_json::Value)>> =
        Default::default();
    for row in rows {
        let binding = shard::binding_for(env, &row.0).await?;
        by_database.entry(binding).or_default().push(row.clone());
    }
    for (binding, rows) in by_database {
        let db = shard::open_binding(env, &binding)?;
        let what = format!("{action}: the audit rows on {binding}");
        d1::retried(&what, || store::audit_each(&db, &rows, now, actor, action)).await?;
    }
    Ok(())
}

fn left_out(refusals: Vec<CorpRefusal>) -> impl Iterator<Item = DeskLeftOut> {
    refusals.into_iter().map(|r| DeskLeftOut {
        corp_id: r.corpid,
        errcode: r.errcode,
        message: r.errmsg,
    })
}

/// Asks after a multi-organisation job until it has made its order or
/// failed, at most [`JOB_POLLS`] times.
async fn job_outcome(wecom: &WeCom<'_>, jobid: &str) -> Result<NewOrderJobResult, ApiError> {
    let mut result = NewOrderJobResult::default();
    for poll in 0..JOB_POLLS {
        if poll > 0 {
            worker::Delay::from(std::time::Duration::from_millis(JOB_POLL_MS)).await;
        }
        result = wecom.new_order_job_result(jobid).await?;
        if result.status != JOB_CREATING {
            break;
        }
    }
    Ok(result)
}

/// `POST /api/v1/desk/orders`: new seats for several organisations in one
/// multi-organisation order, all for the same time, bought by the
/// signed-in operator. WeCom takes ten organisations a call
/// ([`BUY_LIST_MAX`]), so the job grows call by call, then is submitted;
/// WeCom makes the order in the background. An organisation it leaves out
/// (a test organisation, one not installed) is named with its reason.
pub async fn place_multi_order(
    o: Operator,
    Json(asked): Json<DeskMultiOrderRequest>,
) -> Result<Json<DeskMultiPlaced>, ApiError> {
    asked.check().map_err(ApiError::bad_request)?;
    let db = o.home()?;
    let now = now_secs();
    let cfg = Config::from_env(&o.env)?;
    let wecom = WeCom::new(&cfg, env::kv(&o.env)?);
    let mut refused: Vec<DeskLeftOut> = vec![];
    let jobid = match claim(&o, &asked.request_id, SEVERAL, now).await? {
        Some(mark) => match mark.strip_prefix(JOB_MARK) {
            Some(jobid) => jobid.to_owned(),
            None => {
                return Ok(Json(DeskMultiPlaced {
                    status: "created".into(),
                    order_id: Some(mark),
                    left_out: vec![],
                }))
            }
        },
        None => {
            let submitted = submit_job(&wecom, &o.userid, &asked, &mut refused).await;
            match submitted {
                Ok(Some(jobid)) => {
                    let mark = format!("{JOB_MARK}{jobid}");
                    store::desk_order_waiting(&db, &asked.request_id, &mark).await?;
                    jobid
                }
                Ok(None) => {
                    store::release_desk_order(&db, &asked.request_id).await?;
                    return Ok(Json(DeskMultiPlaced {
                        status: "failed".into(),
                        order_id: None,
                        left_out: refused,
                    }));
                }
                Err(e) => {
                    store::release_desk_order(&db, &asked.request_id).await?;
                    return Err(e);
                }
            }
        }
    };
    let outcome = job_outcome(&wecom, &jobid).await?;
    refused.extend(left_out(outcome.fail_list));
    let status = match outcome.status {
        JOB_CREATED if !outcome.order_id.is_empty() => "created",
        JOB_CREATING => "creating",
        _ => "failed",
    };
    match status {
        "created" => {
            // Each organisation's own sub-order goes in its log.
            let union = wecom.union_order(&outcome.order_id).await?;
            let rows: Vec<(String, serde_json::Value)> = union
                .buy_list
                .iter()
                .map(|sub| {
                    let detail = json!({
                        "order_id": sub.sub_order_id,
                        "parent_order_id": outcome.order_id,
                        "base_count": sub.account_count.base_count,
                        "interconnect_count": sub.account_count.external_contact_count,
                        "months": asked.months,
                        "days": asked.days,
                    });
                    (sub.corpid.clone(), detail)
                })
                .collect();
            store::desk_order_placed(&db, &asked.request_id, &outcome.order_id).await?;
            // Noted first (a retry finds the order), then each
            // organisation's audit row (each database's tried again).
            audit_each(&o.env, &rows, now, &o.userid, "order_placed").await?;
        }
        "failed" => store::release_desk_order(&db, &asked.request_id).await?,
        _ => {}
    }
    Ok(Json(DeskMultiPlaced {
        status: status.into(),
        order_id: (status == "created").then_some(outcome.order_id),
        left_out: refused,
    }))
}

/// Builds the job ten organisations a call and submits it: its id, or
/// `None` when WeCom left every organisation out (each in `refused`).
async fn submit_job(
    wecom: &WeCom<'_>,
    buyer: &str,
    asked: &DeskMultiOrderRequest,
    refused: &mut Vec<DeskLeftOut>,
) -> Result<Option<String>, ApiError> {
    let duration = AccountDuration {
        months: asked.months,
        days: asked.days,
        new_expire_time: 0,
    };
    let mut jobid: Option<String> = None;
    for part in asked.buy_list.chunks(BUY_LIST_MAX) {
        let buy_list = part
            .iter()
            .map(|b| BuyInfo {
                corpid: b.corp_id.clone(),
                account_count: AccountCount {
                    base_count: b.base_count,
                    external_contact_count: b.interconnect_count,
                },
                account_duration: duration,
            })
            .collect();
        let reply = wecom.add_to_new_order_job(buy_list, jobid.take()).await?;
        refused.extend(left_out(reply.invalid_list));
        jobid = Some(reply.jobid);
    }
    let Some(jobid) = jobid.filter(|_| refused.len() < asked.buy_list.len()) else {
        return Ok(None);
    };
    wecom.submit_new_order_job(&jobid, buyer).await?;
    Ok(Some(jobid))
}

/// Pays an order from the provider's balance, the operator as payer, and
/// reads how it went up to [`JOB_POLLS`] times: the outcome and the job.
async fn pay(
    wecom: &WeCom<'_>,
    payer: &str,
    order_id: &str,
) -> Result<(DeskPaid, String), ApiError> {
    let jobid = wecom.submit_pay_job(payer, order_id).await?;
    let mut paid = DeskPaid {
        status: "running".into(),
        errcode: None,
        message: None,
    };
    for poll in 0..JOB_POLLS {
        if poll > 0 {
            worker::Delay::from(std::time::Duration::from_millis(JOB_POLL_MS)).await;
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
    Ok((paid, jobid))
}

fn order_id_given(asked: &DeskPayRequest) -> Result<(), ApiError> {
    if asked.order_id.is_empty() {
        return Err(ApiError::bad_request("order_id is required"));
    }
    Ok(())
}

/// `POST /api/v1/desk/corps/{corp_id}/orders/pay`: pays one
/// organisation's order (a purchase or a renewal) from the balance.
pub async fn pay_order(
    o: Operator,
    Json(asked): Json<DeskPayRequest>,
) -> Result<Json<DeskPaid>, ApiError> {
    order_id_given(&asked)?;
    let cfg = Config::from_env(&o.env)?;
    let wecom = WeCom::new(&cfg, env::kv(&o.env)?);
    let (paid, jobid) = pay(&wecom, &o.userid, &asked.order_id).await?;
    let detail = json!({"order_id": asked.order_id, "jobid": jobid, "status": paid.status, "errcode": paid.errcode});
    let db = o.db().await?;
    store::audit(
        &db,
        &o.corp_id,
        now_secs(),
        &o.userid,
        "order_payment_submitted",
        &detail,
    )
    .await?;
    Ok(Json(paid))
}

/// `POST /api/v1/desk/orders/pay`: pays a multi-organisation order from
/// the balance; each organisation's log notes its sub-order's payment.
/// The order's sub-orders are read first (`get_union_order`), so an id
/// that is not a multi-organisation order is refused before paying.
pub async fn pay_multi_order(
    o: Operator,
    Json(asked): Json<DeskPayRequest>,
) -> Result<Json<DeskPaid>, ApiError> {
    order_id_given(&asked)?;
    let cfg = Config::from_env(&o.env)?;
    let wecom = WeCom::new(&cfg, env::kv(&o.env)?);
    let union = wecom.union_order(&asked.order_id).await?;
    let (paid, jobid) = pay(&wecom, &o.userid, &asked.order_id).await?;
    let rows: Vec<(String, serde_json::Value)> = union
        .buy_list
        .iter()
        .map(|sub| {
            let detail = json!({"order_id": sub.sub_order_id, "parent_order_id": asked.order_id, "jobid": jobid, "status": paid.status, "errcode": paid.errcode});
            (sub.corpid.clone(), detail)
        })
        .collect();
    audit_each(
        &o.env,
        &rows,
        now_secs(),
        &o.userid,
        "order_payment_submitted",
    )
    .await?;
    Ok(Json(paid))
}
