//! `POST /api/v1/access/check`: the QR code product asks, before each
//! operation, whether a member may do it now. Hot path: the member's view
//! comes from `cache` (isolate memory; on a miss one D1 round trip);
//! the member's last use is noted after the answer (`last_use`).

use crate::cache;
use crate::clock::now_secs;
use crate::error::ApiError;
use crate::http::{Json, Shape};
use domain::access::{check_question, decide, Decision};
use domain::api::AccessCheck;
use worker::{Context, Env};

impl Shape for AccessCheck {
    const SHAPE: &'static str = "{\"corp_id\",\"userid\",\"operation\"}";
}

pub async fn check(
    (env, ctx): (Env, Context),
    Json(q): Json<AccessCheck>,
) -> Result<Json<Decision>, ApiError> {
    check_question(&q.corp_id, &q.userid, &q.operation)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let view = cache::access_view(&env, &q.corp_id, &q.userid)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                404,
                "unknown_corp",
                "that organisation has not installed the app",
            )
        })?;
    let now = now_secs();
    let decision = decide(&view.licensing, &view.member(), &q.operation, now);
    // A member the organisation knows used the app: noted once a day,
    // after this answer.
    if view.state != domain::seat::MemberState::Unknown {
        crate::last_use::note(&ctx, &env, &q.corp_id, &q.userid, now);
    }
    Ok(Json(decision))
}
