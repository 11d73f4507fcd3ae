//! The overview's trends: the cron's daily snapshot of seats and members
//! (`store::record_day`), and `GET /api/v1/corps/{corp_id}/trends`.

use crate::error::ApiError;
use crate::http::{Admin, Json};
use crate::shard;
use crate::store::{self, Snapshot};
use domain::api::{Trends, TREND_DAYS};
use domain::when::day_number;
use worker::Env;

/// Records today's snapshot of the organisation (the cron's reconcile,
/// after the seat mirror is repaired) and its row on the provider's desk:
/// six round trips, and no row written when nothing changed.
pub async fn snapshot(env: &Env, corp_id: &str, now: u64) -> Result<(), ApiError> {
    let db = shard::db_for(env, corp_id).await?;
    let (seats, _) = store::seat_counts(&db, corp_id, now).await?;
    let range = store::range_counts(&db, corp_id).await?;
    let asking = store::asking_count(&db, corp_id, now).await?;
    let day = Snapshot {
        seats_bought: seats.purchased,
        seats_active: seats.active,
        members_in_range: range.members,
        asking,
    };
    store::record_day(&db, corp_id, day_number(now), day).await?;
    store::refresh_desk_row(&db, &shard::home(env)?, corp_id, now).await?;
    Ok(())
}

/// `GET .../trends`: the last [`TREND_DAYS`] days' snapshots and the
/// weekly new seat requests.
pub async fn trends(a: Admin, _: ()) -> Result<Json<Trends>, ApiError> {
    let today = day_number(crate::clock::now_secs());
    let from = today.saturating_sub(TREND_DAYS - 1);
    let (days, weeks) = store::trends(&a.db().await?, a.corp_id(), from).await?;
    Ok(Json(Trends { days, weeks }))
}
