//! Contacts sync: WeCom's view of the visible range becomes our members and
//! departments.
//!
//! Full sync reads `department/list`, each department's `user/list`, each
//! tag in range, and `user/get` for members named individually, expands the
//! range with `domain::range`, diffs against D1 and writes only what changed.
//! Members who vanished are probed with `user/get`: 60111 means deleted in
//! WeCom (departed), anything else means they left the range.
//! Incremental: `change_contact` events patch single rows.

use crate::clock::now_secs;
use crate::config::Config;
use crate::error::ApiError;
use crate::lifecycle::permanent_code;
use crate::store::{self, DepartmentRow};
use crate::wecom::{UserLookup, WeCom, WeComError, WeUser};
use domain::api::{SyncCounts, SyncStatus};
use domain::event::ContactChange;
use domain::range::{self, Department, Member, MemberRecord, Status, TagMembers, Via};
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use worker::{console_error, console_log, Env};

/// How many vanished members one sync probes with `user/get`; the rest are
/// marked out of range (a delete_user callback or the next sync corrects).
const DEPARTURE_PROBES: usize = 200;

fn status_key(corp_id: &str) -> String {
    format!("corp:{corp_id}:sync")
}

pub async fn status(env: &Env, corp_id: &str) -> Result<SyncStatus, ApiError> {
    let stored: Option<SyncStatus> = env
        .kv("KV")?
        .get(&status_key(corp_id))
        .json()
        .await
        .ok()
        .flatten();
    let last = store::last_synced_at(&store::db(env)?, corp_id).await?;
    Ok(match stored {
        Some(mut s) => {
            s.last_synced_at = last;
            s
        }
        None => SyncStatus {
            state: "idle".into(),
            started_at: None,
            finished_at: None,
            last_synced_at: last,
            counts: None,
            error: None,
        },
    })
}

async fn put_status(env: &Env, corp_id: &str, s: &SyncStatus) {
    let Ok(kv) = env.kv("KV") else { return };
    if let Ok(put) = kv.put(
        &status_key(corp_id),
        serde_json::to_string(s).unwrap_or_default(),
    ) {
        let _ = put.execute().await;
    }
}

/// Runs a full sync and records its status; `actor` is who asked
/// (`install`, `change_auth`, `cron`, an admin's userid).
pub async fn run(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    actor: &str,
) -> Result<SyncCounts, ApiError> {
    let started_at = now_secs();
    put_status(
        env,
        corp_id,
        &SyncStatus {
            state: "running".into(),
            started_at: Some(started_at),
            finished_at: None,
            last_synced_at: None,
            counts: None,
            error: None,
        },
    )
    .await;
    let result = full_sync(env, cfg, corp_id, actor).await;
    let (state, counts, error) = match &result {
        Ok(c) => ("done", Some(c.clone()), None),
        Err(e) => ("failed", None, Some(e.message.clone())),
    };
    if let Err(e) = &result {
        console_error!("sync {corp_id}: {}", e.message);
    }
    // cancel_auth may have deleted the organisation meanwhile (its writes
    // above are conditional on it existing): leave no key behind either.
    let status = SyncStatus {
        state: state.into(),
        started_at: Some(started_at),
        finished_at: Some(now_secs()),
        last_synced_at: None,
        counts,
        error,
    };
    if store::corp_exists(&store::db(env)?, corp_id)
        .await
        .unwrap_or(false)
    {
        put_status(env, corp_id, &status).await;
    } else if let Ok(kv) = env.kv("KV") {
        let _ = kv.delete(&status_key(corp_id)).await;
    }
    result
}

async fn full_sync(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    actor: &str,
) -> Result<SyncCounts, ApiError> {
    let db = store::db(env)?;
    let (code, _) = permanent_code(env, cfg, corp_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
    let visible = store::visible_range(&db, corp_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
    let wecom = WeCom::new(cfg, env.kv("KV")?);

    let read_started = worker::Date::now().as_millis();
    let departments = wecom.department_list(corp_id, &code).await?;
    let mut people: HashMap<String, Member> = HashMap::new();
    for d in &departments {
        for u in wecom.user_list(corp_id, &code, d.id).await? {
            let m = people.entry(u.userid.clone()).or_insert_with(|| Member {
                userid: u.userid.clone(),
                name: u.name.clone(),
                department_ids: vec![],
            });
            m.department_ids.extend(u.department.iter().copied());
        }
    }
    let mut tags = vec![];
    for tag_id in &visible.tag {
        // A tag deleted in WeCom (or no longer visible) brings nobody.
        let t = match wecom.tag_get(corp_id, &code, *tag_id).await {
            Err(WeComError::Api {
                errcode: 40068 | 60011,
                ..
            }) => continue,
            other => other?,
        };
        let userids = t.userlist.iter().map(|u| u.userid.clone()).collect();
        for u in t.userlist {
            people.entry(u.userid.clone()).or_insert(Member {
                userid: u.userid,
                name: u.name,
                department_ids: vec![],
            });
        }
        tags.push(TagMembers {
            tag_id: *tag_id,
            userids,
            party_ids: t.partylist,
        });
    }
    for userid in &visible.user {
        if people.contains_key(userid) {
            continue;
        }
        if let UserLookup::Found(u) = wecom.user_get(corp_id, &code, userid).await? {
            people.insert(
                u.userid.clone(),
                Member {
                    userid: u.userid,
                    name: u.name,
                    department_ids: u.department,
                },
            );
        }
    }

    let tree: Vec<Department> = departments
        .iter()
        .map(|d| Department {
            id: d.id,
            parent_id: d.parentid,
        })
        .collect();
    let members: Vec<Member> = people.into_values().collect();
    let snapshot = range::expand(&visible, &tree, &members, &tags);
    let stored = store::stored_members(&db, corp_id).await?;
    let diff = range::diff(&stored, &snapshot);

    let mut departed = vec![];
    let mut left_range = vec![];
    for (i, userid) in diff.left_range.iter().enumerate() {
        let gone = i < DEPARTURE_PROBES
            && matches!(
                wecom.user_get(corp_id, &code, userid).await?,
                UserLookup::NotFound
            );
        if gone {
            departed.push(userid.clone());
        }
        left_range.push(userid.clone());
    }
    let write_started = worker::Date::now().as_millis();
    let rows: Vec<DepartmentRow> = departments
        .iter()
        .map(|d| DepartmentRow {
            id: d.id,
            parent_id: d.parentid,
            name: &d.name,
            order: d.order,
        })
        .collect();
    let now = now_secs();
    store::write_sync(
        &db,
        corp_id,
        &rows,
        &diff.upserts,
        &left_range,
        &departed,
        now,
    )
    .await?;
    store::bump_generation(env, corp_id).await;

    console_log!(
        "sync {corp_id}: read WeCom in {} ms, wrote {} changes in {} ms",
        write_started - read_started,
        diff.upserts.len() + left_range.len(),
        worker::Date::now().as_millis() - write_started
    );
    let counts = SyncCounts {
        members_in_range: snapshot.len() as u64,
        added_or_updated: diff.upserts.len() as u64,
        left_range: (left_range.len() - departed.len()) as u64,
        departed: departed.len() as u64,
        departments: rows.len() as u64,
    };
    let action = if actor == "cron" {
        "reconciled"
    } else {
        "synced"
    };
    if actor != "cron" || counts.repaired_anything() {
        store::audit(
            &db,
            corp_id,
            now,
            actor,
            action,
            &store::counts_detail(&counts),
        )
        .await?;
    }
    Ok(counts)
}

/// Applies one `change_contact` event. For members the event is only a
/// hint (WeCom omits fields that did not change, and departments outside
/// the range): `user/get` says what is true now.
pub async fn apply_change(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    change: &ContactChange,
    now: u64,
) -> Result<Applied, ApiError> {
    let db = store::db(env)?;
    Ok(match change {
        ContactChange::CreateUser(m) | ContactChange::UpdateUser(m) => {
            if let Some(new) = &m.new_userid {
                store::rename_member(&db, corp_id, &m.userid, new, now).await?;
            }
            let userid = m.new_userid.as_deref().unwrap_or(&m.userid);
            let (code, _) = permanent_code(env, cfg, corp_id)
                .await?
                .ok_or_else(|| ApiError::not_found("organisation is not installed"))?;
            let wecom = WeCom::new(cfg, env.kv("KV")?);
            match wecom.user_get(corp_id, &code, userid).await? {
                UserLookup::NotFound => {
                    store::mark_departed(&db, corp_id, userid, now).await?;
                    Applied::Done("member departed")
                }
                UserLookup::OutOfRange => {
                    store::mark_out_of_range(&db, corp_id, userid, now).await?;
                    Applied::Done("member left the range")
                }
                UserLookup::Found(u) => match member_now(&db, corp_id, &u).await? {
                    Some(record) => {
                        store::upsert_member(&db, corp_id, &record, now).await?;
                        Applied::Done("member updated")
                    }
                    None => Applied::NeedsFullSync,
                },
            }
        }
        ContactChange::DeleteUser { userid } => {
            store::mark_departed(&db, corp_id, userid, now).await?;
            Applied::Done("member departed")
        }
        ContactChange::CreateParty(d) | ContactChange::UpdateParty(d) => {
            let existing = store::departments_with_counts(&db, corp_id).await?;
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
                Applied::Done("department updated")
            } else {
                Applied::NeedsFullSync
            }
        }
        ContactChange::DeleteParty { id } => {
            store::delete_department(&db, corp_id, *id).await?;
            Applied::Done("department deleted")
        }
        ContactChange::UpdateTag(_) | ContactChange::Unknown { .. } => Applied::NeedsFullSync,
    })
}

pub enum Applied {
    Done(&'static str),
    NeedsFullSync,
}

/// The member row WeCom's current view leads to, when it alone says how
/// the member is in range (a tag route needs a full sync).
async fn member_now(
    db: &worker::D1Database,
    corp_id: &str,
    u: &WeUser,
) -> Result<Option<MemberRecord>, ApiError> {
    let visible = store::visible_range(db, corp_id).await?.unwrap_or_default();
    let in_range_departments = store::department_ids(db, corp_id).await?;
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
    if visible.user.contains(&u.userid) {
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

pub fn started(actor: &str) -> serde_json::Value {
    json!({"state": "running", "actor": actor})
}
