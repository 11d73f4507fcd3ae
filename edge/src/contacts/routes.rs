//! Console routes for members, departments, the visible range and syncs.

use crate::contacts::sync;
use crate::error::ApiError;
use crate::http::{given, page_limit, Accepted, Admin, Json, Query};
use crate::store::{self, MemberFilter, StoredDepartment};
use domain::api::{
    Advice, DepartmentNode, MemberItem, MemberQuery, Page, RangeSummary, SyncStarted, SyncStatus,
};
use domain::range::{Status, NO_DEPARTMENT_ADVICE_EN, NO_DEPARTMENT_ADVICE_ZH};
use std::collections::HashSet;

fn flag(name: &str, v: &Option<String>) -> Result<Option<bool>, ApiError> {
    match v.as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(ApiError::bad_request(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}

fn filter(q: &MemberQuery) -> Result<MemberFilter, ApiError> {
    Ok(MemberFilter {
        q: q.q.clone(),
        status: match q.status.as_deref() {
            None => None,
            Some("active") => Some(Status::Active),
            Some("departed") => Some(Status::Departed),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "status must be active or departed, not {other:?}"
                )))
            }
        },
        in_range: flag("in_range", &q.in_range)?,
        department_known: flag("department_known", &q.department_known)?,
        department_id: q
            .department_id
            .as_deref()
            .map(|v| v.parse())
            .transpose()
            .map_err(|_| ApiError::bad_request("department_id must be a number"))?,
    })
}

/// `GET .../members`: one page in userid order.
pub async fn members(
    a: Admin,
    Query(q): Query<MemberQuery>,
) -> Result<Json<Page<MemberItem>>, ApiError> {
    let limit = page_limit(q.limit.as_deref())?;
    let filter = filter(&q)?;
    let page = store::member_page(&a.db()?, a.corp_id(), &filter, given(&q.cursor), limit).await?;
    Ok(Json(page))
}

/// The department tree under `parent` (`None`: the roots, departments
/// whose parent we do not hold), with member counts summed upwards.
fn tree(
    all: &[StoredDepartment],
    parent: Option<u64>,
    known: &HashSet<u64>,
) -> Vec<DepartmentNode> {
    all.iter()
        .filter(|d| match parent {
            None => !known.contains(&d.parent_id),
            Some(p) => d.parent_id == p && d.id != p,
        })
        .map(|d| {
            let children = tree(all, Some(d.id), known);
            let total = d.direct_members + children.iter().map(|c| c.total_count).sum::<u64>();
            DepartmentNode {
                id: d.id,
                name: d.name.clone(),
                parent_id: d.parent_id,
                member_count: d.direct_members,
                total_count: total,
                children,
            }
        })
        .collect()
}

/// `GET .../departments`: the in-range tree with member counts.
pub async fn departments(a: Admin, _: ()) -> Result<Json<Vec<DepartmentNode>>, ApiError> {
    let all = store::departments_with_counts(&a.db()?, a.corp_id()).await?;
    let known = all.iter().map(|d| d.id).collect();
    Ok(Json(tree(&all, None, &known)))
}

/// `GET .../range`: the allow lists, counts, and the advice for members
/// seen without a department.
pub async fn range(a: Admin, _: ()) -> Result<Json<RangeSummary>, ApiError> {
    let db = a.db()?;
    let visible = store::visible_range(&db, a.corp_id())
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
    let counts = store::range_counts(&db, a.corp_id()).await?;
    Ok(Json(RangeSummary {
        allow_party: visible.party,
        allow_user: visible.user,
        allow_tag: visible.tag,
        members_in_range: counts.members,
        departments_in_range: counts.departments,
        members_without_department: counts.without_department,
        advice: Advice {
            zh: NO_DEPARTMENT_ADVICE_ZH.into(),
            en: NO_DEPARTMENT_ADVICE_EN.into(),
        },
    }))
}

/// `GET .../sync`: the last or running sync.
pub async fn sync_status(a: Admin, _: ()) -> Result<Json<SyncStatus>, ApiError> {
    Ok(Json(sync::status(&a.env, a.corp_id()).await?))
}

/// `POST .../sync`: starts a full sync; answers 202 at once, the sync runs on.
pub async fn start_sync(a: Admin, _: ()) -> Result<Accepted<SyncStarted>, ApiError> {
    let cfg = a.config()?;
    sync::start_later(&a.env, &a.ctx, &cfg, a.corp_id(), a.userid());
    Ok(Accepted(SyncStarted {
        state: "running".into(),
        actor: a.userid().to_owned(),
    }))
}
