//! Console routes for members, departments, the visible range and syncs.

use crate::contacts::sync;
use crate::error::ApiError;
use crate::http::{given, page_limit, Accepted, Admin, Json, Query};
use crate::store::{self, MemberFilter, StoredDepartment};
use domain::api::{
    Advice, DepartmentNode, MemberFilters, MemberItem, MemberQuery, Page, RangeSummary,
    SyncStarted, SyncStatus,
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

pub fn filter(q: &MemberFilters, now: u64) -> Result<MemberFilter, ApiError> {
    if let Some(search) = &q.q {
        store::check_search(search).map_err(|e| ApiError::bad_request(e.to_string()))?;
    }
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
            // WeCom's department ids are 32-bit (the document says so too).
            .map(|v| v.parse::<u32>().map(u64::from))
            .transpose()
            .map_err(|_| {
                ApiError::bad_request("department_id must be a number from 0 to 4294967295")
            })?,
        sub_departments: flag("sub_departments", &q.sub_departments)?.unwrap_or(false),
        licensed: flag("licensed", &q.licensed)?,
        seat_type: match q.seat_type.as_deref() {
            None => None,
            Some("1") => Some(1),
            Some("2") => Some(2),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "seat_type must be 1 or 2, not {other:?}"
                )))
            }
        },
        now,
    })
}

/// `GET .../members`: one page in userid order.
pub async fn members(
    a: Admin,
    Query(q): Query<MemberQuery>,
) -> Result<Json<Page<MemberItem>>, ApiError> {
    let limit = page_limit(q.limit.as_deref())?;
    let filter = filter(&q.filters, crate::clock::now_secs())?;
    let page = store::member_page(
        &a.db().await?,
        a.corp_id(),
        &filter,
        given(&q.cursor),
        limit,
    )
    .await?;
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
    let all = store::departments_with_counts(&a.db().await?, a.corp_id()).await?;
    let known = all.iter().map(|d| d.id).collect();
    Ok(Json(tree(&all, None, &known)))
}

/// `GET .../range`: the allow lists, counts, and the advice for members
/// seen without a department.
pub async fn range(a: Admin, _: ()) -> Result<Json<RangeSummary>, ApiError> {
    let db = a.db().await?;
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
    let id = sync::start(&a.env, a.corp_id(), a.userid()).await?;
    Ok(Accepted(SyncStarted {
        id,
        state: "running".into(),
        actor: a.userid().to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The query as `Request::query` reads it.
    fn q(pairs: &[(&str, &str)]) -> MemberFilters {
        let text = serde_urlencoded::to_string(pairs).unwrap();
        serde_urlencoded::from_str::<MemberQuery>(&text)
            .unwrap()
            .filters
    }

    fn filter_now(q: &MemberFilters) -> Result<MemberFilter, ApiError> {
        filter(q, 1_000)
    }

    #[test]
    fn seat_and_subtree_filters_are_read_and_bad_values_named() {
        let f = filter_now(&q(&[
            ("licensed", "false"),
            ("seat_type", "2"),
            ("department_id", "7"),
            ("sub_departments", "true"),
        ]))
        .unwrap();
        assert_eq!(
            (f.licensed, f.seat_type, f.sub_departments, f.now),
            (Some(false), Some(2), true, 1_000)
        );
        assert!(!filter_now(&q(&[])).unwrap().sub_departments);
        let e = filter_now(&q(&[("seat_type", "3")])).unwrap_err();
        assert_eq!(e.message, "seat_type must be 1 or 2, not \"3\"");
        assert!(filter_now(&q(&[("licensed", "")])).is_err());
    }

    #[test]
    fn member_filters_are_read_and_bad_values_named() {
        let f = filter_now(&q(&[
            ("status", "departed"),
            ("in_range", "false"),
            ("department_id", "7"),
        ]))
        .unwrap();
        assert_eq!(f.status, Some(Status::Departed));
        assert_eq!(f.in_range, Some(false));
        assert_eq!(f.department_known, None);
        assert_eq!(f.department_id, Some(7));
        let e = filter_now(&q(&[("in_range", "yes")])).unwrap_err();
        assert_eq!(e.message, "in_range must be true or false, not \"yes\"");
        let e = filter_now(&q(&[("status", "")])).unwrap_err();
        assert_eq!(e.message, "status must be active or departed, not \"\"");
        let e = filter_now(&q(&[("department_id", "R&D")])).unwrap_err();
        assert_eq!(
            e.message,
            "department_id must be a number from 0 to 4294967295"
        );
        // 32 bits, as WeCom's ids and the OpenAPI document have them.
        assert_eq!(
            filter_now(&q(&[("department_id", "4294967295")]))
                .unwrap()
                .department_id,
            Some(4_294_967_295)
        );
        assert!(filter_now(&q(&[("department_id", "4294967296")])).is_err());
        assert!(filter_now(&q(&[("department_id", "124360269792408190976")])).is_err());
    }

    fn dept(id: u64, parent_id: u64, direct_members: u64) -> StoredDepartment {
        StoredDepartment {
            id,
            parent_id,
            name: format!("d{id}"),
            direct_members,
        }
    }

    #[test]
    fn the_tree_sums_members_upwards_and_roots_are_departments_whose_parent_we_lack() {
        // 1 is outside the range: 2 and 3 are roots; 5 sits under 2, 6 under 5.
        let all = vec![dept(2, 1, 4), dept(3, 1, 1), dept(5, 2, 3), dept(6, 5, 2)];
        let known = all.iter().map(|d| d.id).collect();
        let roots = tree(&all, None, &known);
        assert_eq!(roots.iter().map(|d| d.id).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!((roots[0].member_count, roots[0].total_count), (4, 9));
        assert_eq!(roots[0].children[0].total_count, 5);
        assert_eq!(roots[0].children[0].children[0].id, 6);
        assert_eq!(roots[1].total_count, 1);
    }
}
