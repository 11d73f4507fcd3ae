//! Admin routes for members, departments, the visible range and syncs.

use crate::auth::require_session;
use crate::config::Config;
use crate::error::{respond, ApiError};
use crate::{lifecycle, store, sync, Ctx};
use domain::api::{Advice, DepartmentNode, Page, RangeSummary};
use domain::range::{Status, NO_DEPARTMENT_ADVICE_EN, NO_DEPARTMENT_ADVICE_ZH};
use std::collections::HashMap;
use worker::{Request, Response, Result};

pub const MAX_PAGE: u64 = 500;
const DEFAULT_PAGE: u64 = 100;

fn query(req: &Request) -> std::result::Result<HashMap<String, String>, ApiError> {
    Ok(req
        .url()
        .map_err(|_| ApiError::bad_request("bad url"))?
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

fn flag(q: &HashMap<String, String>, name: &str) -> std::result::Result<Option<bool>, ApiError> {
    match q.get(name).map(String::as_str) {
        None | Some("") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(ApiError::bad_request(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}

fn filter(q: &HashMap<String, String>) -> std::result::Result<store::MemberFilter, ApiError> {
    Ok(store::MemberFilter {
        q: q.get("q").cloned(),
        status: match q.get("status").map(String::as_str) {
            None | Some("") => None,
            Some("active") => Some(Status::Active),
            Some("departed") => Some(Status::Departed),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "status must be active or departed, not {other:?}"
                )))
            }
        },
        in_range: flag(q, "in_range")?,
        department_known: flag(q, "department_known")?,
        department_id: match q.get("department_id").filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(
                v.parse()
                    .map_err(|_| ApiError::bad_request("department_id must be a number"))?,
            ),
        },
    })
}

pub async fn members(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let q = query(&req)?;
            let limit = match q.get("limit").filter(|v| !v.is_empty()) {
                None => DEFAULT_PAGE,
                Some(v) => match v.parse::<u64>() {
                    Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
                    _ => {
                        return Err(ApiError::bad_request(format!(
                            "limit must be 1..={MAX_PAGE}"
                        )))
                    }
                },
            };
            let db = store::db(&ctx.env)?;
            let (items, next_cursor, total) = store::member_page(
                &db,
                &session.corp_id,
                &filter(&q)?,
                q.get("cursor")
                    .map(String::as_str)
                    .filter(|c| !c.is_empty()),
                limit,
            )
            .await?;
            Ok(Response::from_json(&Page {
                items,
                next_cursor,
                total,
            })?)
        }
        .await,
    )
}

fn tree(
    all: &[store::StoredDepartment],
    parent: u64,
    known: &std::collections::HashSet<u64>,
) -> Vec<DepartmentNode> {
    all.iter()
        // Roots are departments whose parent we do not hold.
        .filter(|d| {
            if parent == u64::MAX {
                !known.contains(&d.parent_id)
            } else {
                d.parent_id == parent && d.id != parent
            }
        })
        .map(|d| {
            let children = tree(all, d.id, known);
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

pub async fn departments(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let all =
                store::departments_with_counts(&store::db(&ctx.env)?, &session.corp_id).await?;
            let known = all.iter().map(|d| d.id).collect();
            Ok(Response::from_json(&tree(&all, u64::MAX, &known))?)
        }
        .await,
    )
}

pub async fn range(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let db = store::db(&ctx.env)?;
            let visible = store::visible_range(&db, &session.corp_id)
                .await?
                .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
            let (members, without_department, departments) =
                store::range_counts(&db, &session.corp_id).await?;
            Ok(Response::from_json(&RangeSummary {
                allow_party: visible.party,
                allow_user: visible.user,
                allow_tag: visible.tag,
                members_in_range: members,
                departments_in_range: departments,
                members_without_department: without_department,
                advice: Advice {
                    zh: NO_DEPARTMENT_ADVICE_ZH.into(),
                    en: NO_DEPARTMENT_ADVICE_EN.into(),
                },
            })?)
        }
        .await,
    )
}

pub async fn sync_status(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            Ok(Response::from_json(
                &sync::status(&ctx.env, &session.corp_id).await?,
            )?)
        }
        .await,
    )
}

/// Starts a full sync now; answers 202 at once, the sync runs on.
pub async fn start_sync(req: Request, ctx: Ctx) -> Result<Response> {
    respond(
        async {
            let session = require_session(&req, &ctx).await?;
            let cfg = Config::from_env(&ctx.env)?;
            lifecycle::sync_later(&ctx.env, &ctx.data, &cfg, &session.corp_id, &session.userid);
            Ok(Response::from_json(&sync::started(&session.userid))?.with_status(202))
        }
        .await,
    )
}
