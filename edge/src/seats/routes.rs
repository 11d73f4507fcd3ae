//! Console routes for seats: the summary, accounts, orders, the request
//! inbox and suggestions, activation, transfer, auto-activation and the
//! range forecast.

use crate::clock::now_secs;
use crate::error::ApiError;
use crate::http::{given, page_limit, Admin, Json, Query, Shape};
use crate::seats::actions::{self, Actor};
use crate::shard;
use crate::store::{self, IdleSeat, Requester};
use domain::api::{
    ActionResults, ActivateRequest, AutoActivate, AutoActivateRequest, Forecast, ForecastRequest,
    IdleSettings, Items, MemberCounts, OrderItem, Page, RenewalAsk, RenewalAsked, SeatFilters,
    SeatItem, SeatQuery, SeatRequest, Suggestion, Suggestions, Summary, TransferRequest,
    TrialSummary,
};
use domain::seat::SeatType;
use domain::trial::Trial;
use domain::wecom::AccountStatus;

/// Longest list a forecast takes per field: an input guard, not a WeCom rule.
const MAX_FORECAST_ITEMS: usize = 1000;
/// The `status` filter's values.
const SEAT_STATUSES: [&str; 6] = [
    "unassigned",
    "active",
    "expired",
    "refunded",
    "expired_unused",
    "retired",
];

impl Shape for ActivateRequest {
    const SHAPE: &'static str = "{\"userids\":[..],\"type\":1|2}";
}

impl Shape for TransferRequest {
    const SHAPE: &'static str = "{\"transfers\":[{\"handover_userid\",\"takeover_userid\"}]}";
}

impl Shape for AutoActivateRequest {
    const SHAPE: &'static str = "{\"enabled\": bool}";
}

impl Shape for ForecastRequest {
    const SHAPE: &'static str =
        "{\"add_party\":[ids],\"add_user\":[userids],\"remove_party\":[..],\"remove_user\":[..]}";
}

fn actor(a: &Admin) -> Actor<'_> {
    Actor {
        corp_id: a.corp_id(),
        userid: a.userid(),
        now: now_secs(),
    }
}

fn trial_summary(trial: Trial, now: u64) -> TrialSummary {
    TrialSummary {
        start: trial.start,
        end: trial.end,
        days_left: trial.days_left(now),
        active: trial.is_active(now),
    }
}

/// `GET .../summary`: license regime, trial, seat counts, licensed
/// members, auto-activation.
pub async fn summary(a: Admin, _: ()) -> Result<Json<Summary>, ApiError> {
    let (db, now) = (a.db().await?, now_secs());
    let org = store::organisation_dates(&db, a.corp_id())
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
    let (seats, licensed) = store::seat_counts(&db, a.corp_id(), now).await?;
    let range = store::range_counts(&db, a.corp_id()).await?;
    let asking = store::asking_count(&db, a.corp_id(), now).await?;
    let licensing = org.license.licensing(org.first_installed_at);
    Ok(Json(Summary {
        license: licensing.regime(now),
        trial: licensing.trial.map(|t| trial_summary(t, now)),
        seats,
        members: MemberCounts {
            in_range: range.members,
            licensed: licensed.min(range.members),
            unlicensed: range.members.saturating_sub(licensed),
            without_department: range.without_department,
        },
        auto_activate: org.auto_activate,
        asking,
        renewal_asked_at: org.renewal_asked_at,
    }))
}

/// The seat list's filters: a known status, a seat type 1 or 2.
pub fn seat_filter(q: &SeatFilters) -> Result<(Option<&str>, Option<u8>), ApiError> {
    let status = q.status.as_deref();
    if status.is_some_and(|s| !SEAT_STATUSES.contains(&s)) {
        return Err(ApiError::bad_request(
            "status must be unassigned, active, expired or refunded",
        ));
    }
    let seat_type = q
        .seat_type
        .as_deref()
        .map(|t| {
            let t = t
                .parse::<u8>()
                .ok()
                .and_then(|t| SeatType::try_from(t).ok());
            t.map(u8::from)
                .ok_or_else(|| ApiError::bad_request("type must be 1 or 2"))
        })
        .transpose()?;
    Ok((status, seat_type))
}

/// `GET .../seats`: accounts, `status` computed at now.
pub async fn seats(a: Admin, Query(q): Query<SeatQuery>) -> Result<Json<Page<SeatItem>>, ApiError> {
    let (status, seat_type) = seat_filter(&q.filters)?;
    let limit = page_limit(q.limit.as_deref())?;
    let (db, cursor, now) = (a.db().await?, given(&q.cursor), now_secs());
    let page = store::seat_page(&db, a.corp_id(), status, seat_type, cursor, limit, now).await?;
    Ok(Json(page))
}

/// `GET .../orders`: orders mirrored from WeCom.
pub async fn orders(a: Admin, _: ()) -> Result<Json<Items<OrderItem>>, ApiError> {
    let items = store::orders(&a.db().await?, a.corp_id()).await?;
    Ok(Json(Items { items }))
}

/// `GET .../requests`: members who opened the app without a seat.
pub async fn requests(a: Admin, _: ()) -> Result<Json<Items<SeatRequest>>, ApiError> {
    let items = store::seat_requests(&a.db().await?, a.corp_id(), now_secs()).await?;
    Ok(Json(Items { items }))
}

/// Pairs idle seats (longest remaining first) with waiting members (most
/// eager first). A seat WeCom is already moving itself (awaiting transfer
/// under auto-activation) is nobody's to offer.
pub(crate) fn suggest(seats: Vec<IdleSeat>, waiting: Vec<Requester>) -> Suggestions {
    let seats: Vec<IdleSeat> = seats
        .into_iter()
        .filter(|s| !s.wecom_status.is_some_and(AccountStatus::moving_by_itself))
        .collect();
    let unmatched_seats = seats.len().saturating_sub(waiting.len()) as u64;
    let unmatched_requests = waiting.len().saturating_sub(seats.len()) as u64;
    let items = seats
        .into_iter()
        .zip(waiting)
        .map(|(seat, who)| Suggestion {
            active_code: seat.active_code,
            seat_type: seat.seat_type,
            handover_userid: seat.handover_userid,
            handover_state: seat.handover_state,
            idle_since: seat.idle_since,
            expires_at: seat.expires_at,
            takeover_userid: who.userid,
            takeover_name: who.name,
            requests: who.count,
        })
        .collect();
    Suggestions {
        items,
        unmatched_seats,
        unmatched_requests,
        idle_days: 0,
        auto_move: false,
    }
}

/// `GET .../suggestions`: seats held by departed or out-of-range members
/// (they move at once), then seats idle for the organisation's idle days
/// (they move, then wait 30 days), matched to in-range members who asked
/// for one; with the organisation's idle settings.
pub async fn suggestions(a: Admin, _: ()) -> Result<Json<Suggestions>, ApiError> {
    let (db, now) = (a.db().await?, now_secs());
    let seats = store::idle_seats(&db, a.corp_id(), now).await?;
    let waiting = store::waiting_requesters(&db, a.corp_id(), now).await?;
    let settings = store::idle_settings(&db, a.corp_id()).await?;
    Ok(Json(Suggestions {
        idle_days: settings.idle_days,
        auto_move: settings.auto_move,
        ..suggest(seats, waiting)
    }))
}

impl Shape for IdleSettings {
    const SHAPE: &'static str = "{\"idle_days\": 7..=365, \"auto_move\": bool}";
}

/// `POST .../idle_settings`: when a seat is idle, and the nightly move.
pub async fn set_idle_settings(
    a: Admin,
    Json(body): Json<IdleSettings>,
) -> Result<Json<IdleSettings>, ApiError> {
    body.check().map_err(ApiError::bad_request)?;
    let db = a.db().await?;
    store::set_idle_settings(&db, a.corp_id(), &body, a.userid(), now_secs()).await?;
    Ok(Json(body))
}

impl Shape for RenewalAsk {
    const SHAPE: &'static str = "{\"days\": 1..=90}";
}

/// `POST .../renewal_request`: the admin asks the provider to renew the
/// seats ending within the days; the desk shows it until the renewal is
/// placed.
pub async fn ask_renewal(
    a: Admin,
    Json(body): Json<RenewalAsk>,
) -> Result<Json<RenewalAsked>, ApiError> {
    body.check().map_err(ApiError::bad_request)?;
    let (db, now) = (a.db().await?, now_secs());
    let home = shard::home(&a.env)?;
    let seats = store::ask_renewal(&db, &home, a.corp_id(), body.days, a.userid(), now).await?;
    Ok(Json(RenewalAsked {
        asked_at: now,
        days: body.days,
        seats,
    }))
}

/// `POST .../seats/activate {"userids":[..],"type":1}` → per-member results.
pub async fn activate(
    a: Admin,
    Json(body): Json<ActivateRequest>,
) -> Result<Json<ActionResults>, ApiError> {
    let cfg = a.config()?;
    Ok(Json(
        actions::activate(&a.env, &cfg, &actor(&a), &body).await?,
    ))
}

/// `POST .../seats/transfer {"transfers":[..]}` → per-pair results.
pub async fn transfer(
    a: Admin,
    Json(body): Json<TransferRequest>,
) -> Result<Json<ActionResults>, ApiError> {
    let cfg = a.config()?;
    Ok(Json(
        actions::transfer(&a.env, &cfg, &actor(&a), &body).await?,
    ))
}

/// `POST .../auto_activate {"enabled": bool}`: WeCom binds free accounts
/// to members who use the app.
pub async fn set_auto_activate(
    a: Admin,
    Json(body): Json<AutoActivateRequest>,
) -> Result<Json<AutoActivate>, ApiError> {
    let cfg = a.config()?;
    actions::set_auto_activate(&a.env, &cfg, &actor(&a), body.enabled).await?;
    Ok(Json(AutoActivate {
        auto_activate: body.enabled,
    }))
}

/// Refuses a forecast with a list longer than [`MAX_FORECAST_ITEMS`].
fn check_forecast_size(change: &ForecastRequest) -> Result<(), ApiError> {
    let parties = [&change.add_party, &change.remove_party].map(|l| l.len());
    let users = [&change.add_user, &change.remove_user].map(|l| l.len());
    if parties
        .into_iter()
        .chain(users)
        .any(|n| n > MAX_FORECAST_ITEMS)
    {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_FORECAST_ITEMS} entries per list"
        )));
    }
    Ok(())
}

/// `POST .../forecast`: how many members the range would hold and how many
/// seats it would need.
pub async fn forecast(
    a: Admin,
    Json(change): Json<ForecastRequest>,
) -> Result<Json<Forecast>, ApiError> {
    check_forecast_size(&change)?;
    let db = a.db().await?;
    let current = store::visible_range(&db, a.corp_id())
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
    let f = store::forecast_facts(&db, a.corp_id(), now_secs()).await?;
    let forecast =
        domain::forecast::forecast(&current, &change, &f.departments, &f.members, f.unassigned);
    Ok(Json(if f.complete {
        forecast
    } else {
        domain::forecast::weighed_part(forecast)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle(code: &str, expires_at: u64) -> IdleSeat {
        IdleSeat {
            active_code: code.into(),
            seat_type: 1,
            handover_userid: format!("gone-{code}"),
            expires_at,
            handover_state: "departed".into(),
            idle_since: None,
            wecom_status: Some(AccountStatus::Bound),
        }
    }

    fn asker(userid: &str, count: u64) -> Requester {
        Requester {
            userid: userid.into(),
            name: None,
            count,
        }
    }

    #[test]
    fn suggestions_pair_seats_and_askers_in_order_and_count_the_rest() {
        let s = suggest(
            vec![idle("A", 300), idle("B", 200), idle("C", 100)],
            vec![asker("eager", 5), asker("calm", 1)],
        );
        let pairs: Vec<(&str, &str)> = s
            .items
            .iter()
            .map(|i| (i.active_code.as_str(), i.takeover_userid.as_str()))
            .collect();
        assert_eq!(pairs, vec![("A", "eager"), ("B", "calm")]);
        assert_eq!((s.unmatched_seats, s.unmatched_requests), (1, 0));
        let s = suggest(vec![idle("A", 1)], vec![asker("x", 1), asker("y", 1)]);
        assert_eq!((s.unmatched_seats, s.unmatched_requests), (0, 1));
    }

    #[test]
    fn a_seat_wecom_is_moving_itself_is_not_suggested() {
        let mut moving = idle("A", 300);
        moving.wecom_status = Some(AccountStatus::AwaitingTransfer);
        let s = suggest(
            vec![moving, idle("B", 200)],
            vec![asker("x", 1), asker("y", 1)],
        );
        let codes: Vec<&str> = s.items.iter().map(|i| i.active_code.as_str()).collect();
        assert_eq!(codes, vec!["B"]);
        assert_eq!((s.unmatched_seats, s.unmatched_requests), (0, 1));
    }

    #[test]
    fn the_seat_filter_takes_known_statuses_and_types_only() {
        let q = |status: Option<&str>, t: Option<&str>| SeatFilters {
            status: status.map(Into::into),
            seat_type: t.map(Into::into),
        };
        assert_eq!(seat_filter(&q(None, None)).unwrap(), (None, None));
        assert_eq!(
            seat_filter(&q(Some("expired"), Some("2"))).unwrap(),
            (Some("expired"), Some(2))
        );
        for (status, t) in [
            (Some("gone"), None),
            (Some(""), None),
            (None, Some("3")),
            (None, Some("")),
        ] {
            let e = seat_filter(&q(status, t)).unwrap_err();
            assert_eq!(e.status, 400, "{status:?} {t:?}");
        }
    }

    #[test]
    fn a_forecast_list_may_hold_a_thousand_entries_not_more() {
        let mut change = ForecastRequest {
            add_user: (0..MAX_FORECAST_ITEMS).map(|i| format!("u{i}")).collect(),
            ..Default::default()
        };
        assert!(check_forecast_size(&change).is_ok());
        change.remove_party = (0..=MAX_FORECAST_ITEMS as u64).collect();
        let e = check_forecast_size(&change).unwrap_err();
        assert_eq!(e.message, "at most 1000 entries per list");
    }
}
