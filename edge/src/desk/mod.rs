//! The provider's desk: every installed organisation at a glance, for the
//! provider's operators (`Door::Operator`; sign-in in `signin`), and the
//! orders they place (`orders`, `renewals`).

mod orders;
mod renewals;
pub mod signin;

pub use orders::{pay_multi_order, pay_order, place_multi_order, place_order};
pub use renewals::{renew, renewals};

use crate::clock::now_secs;
use crate::error::ApiError;
use crate::http::{given, page_limit, Json, Operator, Query};
use crate::store;
use domain::api::{DeskCursor, DeskQuery, DeskRow, Page};

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
        &o.home()?,
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
