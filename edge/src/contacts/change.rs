//! `change_contact`: one member or department changed in WeCom. For
//! members the event is only a hint (WeCom omits fields that did not
//! change, and departments outside the range): `user/get` says what is
//! true now. What cannot be patched alone asks for a full sync.

use crate::corp;
use crate::env::Config;
use crate::error::ApiError;
use crate::shard;
use crate::store::{self, DepartmentRow, EventWrite};
use crate::wecom::UserLookup;
use domain::event::ContactChange;
use domain::range::{MemberRecord, Status, Via};
use domain::wecom::User;
use std::collections::BTreeSet;
use worker::Env;

/// Applies one `change_contact` event. For members the event is only a
/// hint (WeCom omits fields that did not change, and departments outside
/// the range): `user/get` says what is true now. A member's row is not
/// written here but returned, for the batch that marks the event applied
/// (one round trip less, and not written twice when that batch's reply is
/// lost).
pub async fn apply(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    change: &ContactChange,
    now: u64,
) -> Result<Applied, ApiError> {
    let db = shard::db_for(env, corp_id).await?;
    let departed = |userid: &str| EventWrite::Departed {
        corp_id: corp_id.to_owned(),
        userid: userid.to_owned(),
    };
    Ok(match change {
        ContactChange::CreateUser(m) | ContactChange::UpdateUser(m) => {
            // Opening the organisation says whether it is installed.
            let Some(corp) = corp::open(env, cfg, corp_id).await? else {
                return Ok(Applied::NotInstalled);
            };
            if let Some(new) = &m.new_userid {
                store::rename_member(&db, corp_id, &m.userid, new, now).await?;
            }
            let userid = m.new_userid.as_deref().unwrap_or(&m.userid);
            let lookup = corp
                .wecom
                .user_get(corp_id, &corp.permanent_code, userid)
                .await?;
            match lookup {
                UserLookup::NotFound => Applied::Done("member departed", vec![departed(userid)]),
                UserLookup::OutOfRange => Applied::Done(
                    "member left the range",
                    vec![EventWrite::OutOfRange {
                        corp_id: corp_id.to_owned(),
                        userid: userid.to_owned(),
                    }],
                ),
                UserLookup::Found(u) => match member_now(&db, corp_id, &u).await? {
                    Some(record) => Applied::Done(
                        "member updated",
                        vec![EventWrite::Member {
                            corp_id: corp_id.to_owned(),
                            record,
                        }],
                    ),
                    None => Applied::NeedsFullSync,
                },
            }
        }
        _ if !store::corp_exists(&db, corp_id).await? => Applied::NotInstalled,
        ContactChange::DeleteUser { userid } => {
            Applied::Done("member departed", vec![departed(userid)])
        }
        ContactChange::CreateParty(d) | ContactChange::UpdateParty(d) => {
            let asked: Vec<u64> = std::iter::once(d.id).chain(d.parent_id).collect();
            let existing = store::departments_by_id(&db, corp_id, &asked).await?;
            let old = existing.iter().find(|x| x.id == d.id);
            let parent = d.parent_id.or(old.map(|o| o.parent_id)).unwrap_or(0);
            if existing.iter().any(|x| x.id == parent) || old.is_some() {
                let name = d
                    .name
                    .clone()
                    .or(old.map(|o| o.name.clone()))
                    .unwrap_or_default();
                let row = DepartmentRow {
                    id: d.id,
                    parent_id: parent,
                    name: &name,
                    order: d.order.unwrap_or(0),
                };
                store::upsert_department(&db, corp_id, &row, now).await?;
                Applied::Done("department updated", vec![])
            } else {
                Applied::NeedsFullSync
            }
        }
        ContactChange::DeleteParty { id } => {
            store::delete_department(&db, corp_id, *id).await?;
            Applied::Done("department deleted", vec![])
        }
        ContactChange::UpdateTag(_) | ContactChange::Unknown { .. } => Applied::NeedsFullSync,
    })
}

pub enum Applied {
    /// Done, but for these writes (left for the event's mark).
    Done(&'static str, Vec<EventWrite>),
    NeedsFullSync,
    NotInstalled,
}

/// The member row WeCom's current view leads to, when it alone says how
/// the member is in range (a tag route needs a full sync).
async fn member_now(
    db: &crate::d1::Db,
    corp_id: &str,
    u: &User,
) -> Result<Option<MemberRecord>, ApiError> {
    let (individuals, in_range_departments) =
        store::member_range(db, corp_id, &u.department).await?;
    let departments: Vec<u64> = u
        .department
        .iter()
        .copied()
        .filter(|d| in_range_departments.contains(d))
        .collect();
    let mut via = BTreeSet::new();
    if !departments.is_empty() {
        via.insert(Via::Department);
    }
    if individuals.contains(&u.userid) {
        via.insert(Via::Individual);
    }
    if via.is_empty() {
        return Ok(None);
    }
    Ok(Some(MemberRecord {
        userid: u.userid.clone(),
        name: u.name.clone(),
        department_ids: via.contains(&Via::Department).then_some(departments),
        in_range: true,
        via,
        status: Status::Active,
    }))
}
