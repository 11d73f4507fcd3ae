//! A member's own routes (`Door::Member`): `GET /api/v1/me` (may I use
//! the app now and why, my seat, my request) and `POST
//! /api/v1/me/seat-request` (into the admins' seat-request inbox, the one
//! `unlicensed_notify` fills). Always the session's own organisation and
//! userid: the routes take no ids.

use crate::cache::AccessView;
use crate::clock::now_secs;
use crate::error::ApiError;
use crate::http::{Caller, Json};
use crate::store;
use domain::access::decide;
use domain::api::{Me, MySeat, SeatRequested};
use domain::seat::MemberState;

/// The operation whose answer the member's page shows: opening the app.
const OPENING_THE_APP: &str = "open_workbench";

fn not_installed() -> ApiError {
    ApiError::new(
        404,
        "unknown_corp",
        "your organisation has not installed the app",
    )
}

pub async fn me(caller: Caller, _: ()) -> Result<Json<Me>, ApiError> {
    let db = caller.db().await?;
    let (corp_id, userid) = (&caller.session.corp_id, &caller.session.userid);
    let facts = store::access_facts(&db, corp_id, userid)
        .await?
        .ok_or_else(not_installed)?;
    let corp = store::corp(&db, corp_id).await?.ok_or_else(not_installed)?;
    let requested_at = store::seat_requested_at(&db, corp_id, userid).await?;
    let now = now_secs();
    let standing = match facts.state {
        MemberState::Unknown => "unknown",
        MemberState::Departed => "departed",
        MemberState::OutOfRange => "out_of_range",
        MemberState::ActiveInRange => "in_range",
    };
    let seat = facts
        .seats
        .iter()
        .filter(|s| s.is_active(now))
        .max_by_key(|s| s.expires_at)
        .map(|s| MySeat {
            seat_type: s.seat_type.into(),
            expires_at: s.expires_at,
        });
    let view = AccessView {
        state: facts.state,
        seats: facts.seats,
        licensing: facts.license.licensing(facts.first_installed_at),
    };
    Ok(Json(Me {
        corp_id: corp_id.clone(),
        corp_name: corp.corp_name,
        userid: userid.clone(),
        access: decide(&view.licensing, &view.member(), OPENING_THE_APP, now),
        standing: standing.into(),
        seat,
        requested_at,
    }))
}

pub async fn seat_request(caller: Caller, _: ()) -> Result<Json<SeatRequested>, ApiError> {
    let db = caller.db().await?;
    let (corp_id, userid) = (&caller.session.corp_id, &caller.session.userid);
    if !store::corp_exists(&db, corp_id).await? {
        return Err(not_installed());
    }
    let (requested_at, new) = store::ask_for_seat(&db, corp_id, userid, now_secs()).await?;
    Ok(Json(SeatRequested { requested_at, new }))
}
