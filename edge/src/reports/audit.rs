//! `GET /api/v1/corps/{corp_id}/audit`: the audit log, newest first.

use crate::error::ApiError;
use crate::http::{given, page_limit, Admin, Json, Query};
use crate::store::{self, AuditFilter};
use domain::api::{AuditFilters, AuditItem, AuditQuery, Page, AUDIT_ACTIONS};

/// Longest `userid` filter, in characters as the API document counts
/// them (WeCom's userids are at most 64 bytes).
const USERID_MAX: usize = 64;

/// A query's filter, or 400 naming the field that is wrong.
pub fn filter(q: &AuditFilters) -> Result<AuditFilter, ApiError> {
    let action = q
        .action
        .as_deref()
        .map(|a| {
            AUDIT_ACTIONS
                .iter()
                .find(|known| **known == a)
                .map(|known| known.to_string())
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "action must be one of {}, not {a:?}",
                        AUDIT_ACTIONS.join(", ")
                    ))
                })
        })
        .transpose()?;
    let userid = given(&q.userid)
        .map(|u| {
            if u.chars().count() > USERID_MAX {
                Err(ApiError::bad_request(format!(
                    "userid must be at most {USERID_MAX} characters"
                )))
            } else {
                Ok(u.to_owned())
            }
        })
        .transpose()?;
    Ok(AuditFilter {
        action,
        userid,
        from: moment("from", &q.from)?,
        to: moment("to", &q.to)?,
    })
}

fn moment(name: &str, v: &Option<String>) -> Result<Option<u64>, ApiError> {
    v.as_deref()
        .map(|s| {
            s.parse::<u32>().map(u64::from).map_err(|_| {
                ApiError::bad_request(format!(
                    "{name} must be unix seconds from 0 to 4294967295, not {s:?}"
                ))
            })
        })
        .transpose()
}

/// A row id cursor, or 400.
pub fn cursor(v: &Option<String>) -> Result<Option<u64>, ApiError> {
    v.as_deref()
        .map(|s| {
            s.parse::<u64>()
                .map_err(|_| ApiError::bad_request("cursor must be a next_cursor this route gave"))
        })
        .transpose()
}

/// One page of the log, newest first.
pub async fn audit(
    a: Admin,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Page<AuditItem>>, ApiError> {
    let limit = page_limit(q.limit.as_deref())?;
    let filter = filter(&q.filters)?;
    let page = store::audit_page(
        &a.db().await?,
        a.corp_id(),
        &filter,
        cursor(&q.cursor)?,
        limit,
    )
    .await?;
    Ok(Json(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(action: &str, userid: &str, from: &str) -> AuditFilters {
        AuditFilters {
            action: Some(action.into()),
            userid: Some(userid.into()),
            from: Some(from.into()),
            to: None,
        }
    }

    #[test]
    fn a_known_action_a_userid_and_a_moment_filter() {
        let f = filter(&q("seats_activated", "dev1", "1700000000")).unwrap();
        assert_eq!(f.action.as_deref(), Some("seats_activated"));
        assert_eq!(f.userid.as_deref(), Some("dev1"));
        assert_eq!(f.from, Some(1_700_000_000));
        assert_eq!(f.to, None);
    }

    #[test]
    fn only_an_empty_member_means_not_given() {
        let f = filter(&q("synced", "", "1")).unwrap();
        assert!(f.userid.is_none());
        // The document has no empty kind, moment or cursor.
        assert!(filter(&q("", "dev1", "1")).is_err());
        assert!(filter(&q("synced", "dev1", "")).is_err());
        assert!(cursor(&Some(String::new())).is_err());
        assert_eq!(cursor(&None).unwrap(), None);
    }

    #[test]
    fn an_unknown_action_or_a_bad_moment_is_refused_by_name() {
        let e = filter(&q("drop_table", "dev1", "1")).unwrap_err();
        assert!(e.message.contains("action must be one of"), "{}", e.message);
        let e = filter(&q("synced", "dev1", "-1")).unwrap_err();
        assert!(e.message.starts_with("from must be"), "{}", e.message);
        let e = filter(&q("synced", &"x".repeat(65), "1")).unwrap_err();
        assert!(e.message.starts_with("userid must be"), "{}", e.message);
        assert!(cursor(&Some("abc".into())).is_err());
        assert_eq!(cursor(&Some("12".into())).unwrap(), Some(12));
    }
}
