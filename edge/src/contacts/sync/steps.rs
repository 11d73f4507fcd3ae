//! The three kinds of step of a contacts sync run: the plan (step 0),
//! a chunk of departments' members, and the finish (who is in range
//! without a department route, who left), with what they share: the
//! members a run has seen and the shape of the range.

use crate::cache;
use crate::corp;
use crate::d1::Db;
use crate::env;
use crate::error::ApiError;
use crate::store::{self, DepartmentRow, StepDone, SyncRun};
use crate::wecom::{UserLookup, WeComError};
use domain::api::SyncCounts;
use domain::range::{self, Department, Member, TagMembers};
use domain::wecom::Department as WeComDepartment;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use worker::{console_log, Env};

/// How many vanished members one sync probes with `user/get`; the rest are
/// marked out of range (a delete_user callback or the next sync corrects).
const DEPARTURE_PROBES: usize = 200;

/// Departments whose members one step reads, expands, diffs and writes:
/// each step stays well inside D1's queries and the subrequests of one
/// invocation (`store::D1_QUERIES_PER_INVOCATION`, `WORKER_SUBREQUESTS`)
/// and memory stays bounded by a chunk. `SYNC_CHUNK_DEPARTMENTS` changes
/// it (tests make chunks small).
const DEPARTMENTS_PER_CHUNK: u64 = 20;
/// Page size when looking for members who left the range.
const LEFT_RANGE_PAGE: u64 = 1000;

/// Members already placed in range by this run, as 8-byte hashes (all the
/// sync keeps per member). FNV-1a, so every invocation of every build
/// hashes alike.
#[derive(Default)]
struct Seen(std::collections::HashSet<u64>);

impl Seen {
    fn hash(userid: &str) -> u64 {
        userid.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }
    fn insert(&mut self, userid: &str) {
        self.0.insert(Self::hash(userid));
    }
    fn contains(&self, userid: &str) -> bool {
        self.0.contains(&Self::hash(userid))
    }
    /// As stored between steps: 16 hex digits a member.
    fn to_hex(&self) -> String {
        self.0.iter().map(|h| format!("{h:016x}")).collect()
    }
    fn extend_from_hex(&mut self, hex: &str) {
        let digits = hex.as_bytes();
        for i in (0..digits.len() / 16).map(|i| i * 16) {
            let part = std::str::from_utf8(&digits[i..i + 16]).unwrap_or_default();
            if let Ok(h) = u64::from_str_radix(part, 16) {
                self.0.insert(h);
            }
        }
    }
}

/// What step 0 found and the later steps follow, kept on the run's lease
/// row as JSON.
#[derive(Serialize, Deserialize)]
pub(super) struct Plan {
    /// Every visible department: (id, parent id).
    pub(super) tree: Vec<(u64, u64)>,
    /// The department ids each chunk step reads.
    pub(super) chunks: Vec<Vec<u64>>,
    tags: Vec<PlannedTag>,
    /// Tags' users, with the name WeCom gave, in userid order.
    pub(super) tag_users: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
struct PlannedTag {
    tag_id: u64,
    userids: Vec<String>,
    party_ids: Vec<u64>,
}

/// What the range expansion needs besides the members themselves.
pub(super) struct RangeShape {
    pub(super) visible: range::VisibleRange,
    tree: Vec<Department>,
    tags: Vec<TagMembers>,
}

/// The organisation's visible range as stored (404 once it is gone).
async fn visible_range(db: &Db, corp_id: &str) -> Result<range::VisibleRange, ApiError> {
    store::visible_range(db, corp_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))
}

impl RangeShape {
    /// The members in range among these, as WeCom has them.
    pub(super) fn expand(
        &self,
        members: &[Member],
    ) -> std::collections::BTreeMap<String, range::InRange> {
        range::expand(&self.visible, &self.tree, members, &self.tags)
    }

    /// The range as stored, with the tree and tags the plan found.
    pub(super) async fn of(db: &Db, corp_id: &str, plan: &Plan) -> Result<RangeShape, ApiError> {
        Ok(RangeShape {
            visible: visible_range(db, corp_id).await?,
            tree: plan.tree(),
            tags: plan.tags(),
        })
    }
}

/// Expands one chunk of members, writes what differs from their stored
/// rows, and returns how many rows it wrote.
async fn write_chunk(
    db: &Db,
    corp_id: &str,
    shape: &RangeShape,
    members: Vec<Member>,
    seen: &mut Seen,
    now: u64,
) -> Result<u64, ApiError> {
    let snapshot = shape.expand(&members);
    if snapshot.is_empty() {
        return Ok(0);
    }
    let ids: Vec<&str> = snapshot.keys().map(String::as_str).collect();
    ids.iter().for_each(|u| seen.insert(u));
    let stored = store::stored_members_among(db, corp_id, &ids).await?;
    let diff = range::diff(&stored, &snapshot);
    store::upsert_members(db, corp_id, &diff.upserts, now).await?;
    Ok(diff.upserts.len() as u64)
}

/// Step 0: the department tree and the tags in range, read from WeCom;
/// the departments written; the chunks planned.
pub(super) async fn plan(
    env: &Env,
    corp: &corp::Corp<'_>,
    corp_id: &str,
    now: u64,
) -> Result<StepDone, ApiError> {
    let (departments, plan) = read_plan(env, corp, corp_id).await?;
    store::write_departments(&corp.db, corp_id, &department_rows(&departments), now).await?;
    let chunks = plan.chunks.len() as u64;
    let text = serde_json::to_string(&plan).map_err(ApiError::internal)?;
    Ok(StepDone {
        step: 0,
        plan: Some((text, chunks)),
        written: 0,
        seen: None,
    })
}

/// The departments as stored.
pub(super) fn department_rows(departments: &[WeComDepartment]) -> Vec<DepartmentRow<'_>> {
    departments
        .iter()
        .map(|d| DepartmentRow {
            id: d.id,
            parent_id: d.parentid,
            name: &d.name,
            order: d.order,
        })
        .collect()
}

/// What a sync (and the check) reads first from WeCom: the departments the
/// app sees, the tags in range with their users, and the plan of chunks.
pub(super) async fn read_plan(
    env: &Env,
    corp: &corp::Corp<'_>,
    corp_id: &str,
) -> Result<(Vec<WeComDepartment>, Plan), ApiError> {
    let code = &corp.permanent_code;
    let visible = visible_range(&corp.db, corp_id).await?;
    let departments = corp.wecom.department_list(corp_id, code).await?;
    let mut tags = vec![];
    let mut tag_users: HashMap<String, String> = HashMap::new();
    for tag_id in &visible.tag {
        // A tag deleted in WeCom (or no longer visible) brings nobody.
        let t = match corp.wecom.tag_get(corp_id, code, *tag_id).await {
            Err(WeComError::Api {
                errcode: 40068 | 60011,
                ..
            }) => continue,
            other => other?,
        };
        let userids = t.userlist.iter().map(|u| u.userid.clone()).collect();
        tag_users.extend(t.userlist.into_iter().map(|u| (u.userid, u.name)));
        tags.push(PlannedTag {
            tag_id: *tag_id,
            userids,
            party_ids: t.partylist,
        });
    }
    let per_chunk = env::setting(env, "SYNC_CHUNK_DEPARTMENTS", DEPARTMENTS_PER_CHUNK).max(1);
    let mut tag_users: Vec<(String, String)> = tag_users.into_iter().collect();
    tag_users.sort_unstable();
    let plan = Plan {
        tree: departments.iter().map(|d| (d.id, d.parentid)).collect(),
        chunks: departments
            .chunks(per_chunk as usize)
            .map(|c| c.iter().map(|d| d.id).collect())
            .collect(),
        tags,
        tag_users,
    };
    Ok((departments, plan))
}

impl Plan {
    fn tree(&self) -> Vec<Department> {
        self.tree
            .iter()
            .map(|&(id, parent_id)| Department { id, parent_id })
            .collect()
    }

    fn tags(&self) -> Vec<TagMembers> {
        self.tags
            .iter()
            .map(|t| TagMembers {
                tag_id: t.tag_id,
                userids: t.userids.clone(),
                party_ids: t.party_ids.clone(),
            })
            .collect()
    }
}

/// The direct members of these departments as WeCom lists them, each once.
/// `user/list` gives each member's every visible department, so a member
/// listed in several chunks yields the same row each time.
pub(super) async fn list_members(
    corp: &corp::Corp<'_>,
    corp_id: &str,
    chunk: &[u64],
) -> Result<Vec<Member>, ApiError> {
    let mut people: HashMap<String, Member> = HashMap::new();
    for id in chunk {
        for u in corp
            .wecom
            .user_list(corp_id, &corp.permanent_code, *id)
            .await?
        {
            people.entry(u.userid.clone()).or_insert(Member {
                userid: u.userid,
                name: u.name,
                department_ids: u.department,
            });
        }
    }
    Ok(people.into_values().collect())
}

/// A chunk step: the members of these departments, read, expanded and
/// written.
pub(super) async fn read_chunk(
    corp: &corp::Corp<'_>,
    corp_id: &str,
    plan: &Plan,
    chunk: &[u64],
    at: u64,
    now: u64,
) -> Result<StepDone, ApiError> {
    let shape = RangeShape::of(&corp.db, corp_id, plan).await?;
    let members = list_members(corp, corp_id, chunk).await?;
    let mut seen = Seen::default();
    let written = write_chunk(&corp.db, corp_id, &shape, members, &mut seen, now).await?;
    Ok(StepDone {
        step: at,
        plan: None,
        written,
        seen: Some(seen.to_hex()),
    })
}

/// The members in range that no chunk listed (`listed` says which were):
/// the tags' users without departments, and the individuals as `user/get`
/// finds them. The sync's last step and the check's read them alike.
pub(super) async fn unlisted_members(
    corp: &corp::Corp<'_>,
    corp_id: &str,
    plan: &Plan,
    shape: &RangeShape,
    listed: impl Fn(&str) -> bool,
) -> Result<Vec<Member>, ApiError> {
    let mut rest: Vec<Member> = plan
        .tag_users
        .iter()
        .filter(|(u, _)| !listed(u))
        .map(|(userid, name)| Member {
            userid: userid.clone(),
            name: name.clone(),
            department_ids: vec![],
        })
        .collect();
    for userid in &shape.visible.user {
        if listed(userid) || rest.iter().any(|m| &m.userid == userid) {
            continue;
        }
        let code = &corp.permanent_code;
        if let UserLookup::Found(u) = corp.wecom.user_get(corp_id, code, userid).await? {
            rest.push(Member {
                userid: u.userid,
                name: u.name,
                department_ids: u.department,
            });
        }
    }
    Ok(rest)
}

/// The last step: members in range without a department route (named
/// individually or by a tag), then who was not seen: they left the range,
/// or WeCom (probed with `user/get`, at most [`DEPARTURE_PROBES`]).
#[allow(clippy::too_many_arguments)]
pub(super) async fn finish(
    env: &Env,
    corp: &corp::Corp<'_>,
    corp_id: &str,
    id: &str,
    run: &SyncRun,
    plan: &Plan,
    at: u64,
    now: u64,
) -> Result<(StepDone, SyncCounts), ApiError> {
    let (db, code) = (&corp.db, &corp.permanent_code);
    let shape = RangeShape::of(db, corp_id, plan).await?;
    let mut seen = Seen::default();
    for hex in store::sync_seen(db, corp_id, id).await? {
        seen.extend_from_hex(&hex);
    }
    let rest = unlisted_members(corp, corp_id, plan, &shape, |u| seen.contains(u)).await?;
    let written = write_chunk(db, corp_id, &shape, rest, &mut seen, now).await?;

    // Stored as in range but not seen: they left the range, or WeCom.
    let mut left_range = vec![];
    let mut after = String::new();
    loop {
        let page = store::in_range_userids_after(db, corp_id, &after, LEFT_RANGE_PAGE).await?;
        let Some(last) = page.last().cloned() else {
            break;
        };
        left_range.extend(page.into_iter().filter(|u| !seen.contains(u)));
        after = last;
    }
    let mut departed = vec![];
    let mut found = vec![];
    for userid in left_range.iter().take(DEPARTURE_PROBES) {
        match corp.wecom.user_get(corp_id, code, userid).await? {
            UserLookup::NotFound => departed.push(userid.clone()),
            UserLookup::Found(u) => found.push(Member {
                userid: u.userid,
                name: u.name,
                department_ids: u.department,
            }),
            UserLookup::OutOfRange => {}
        }
    }
    // Found in a department of the range: added there after its chunk was
    // read (a callback applied while the run went on). Still in range,
    // written as WeCom has them now.
    let late = write_chunk(db, corp_id, &shape, found, &mut seen, now).await?;
    left_range.retain(|u| !seen.contains(u));
    let written = written + late;
    store::finish_sync(db, corp_id, &left_range, &departed, now).await?;
    // Access views change only with members: a sync that wrote none keeps
    // every view (and every isolate's memory of them) good.
    if run.written + written > 0 || !left_range.is_empty() {
        cache::bump_generation(env, corp_id).await;
    }
    console_log!(
        "sync {corp_id}: {} chunks, {} rows written, {} left the range, wasm heap {} KiB",
        run.chunks_total,
        run.written + written,
        left_range.len(),
        wasm_heap_bytes() / 1024
    );
    let counts = SyncCounts {
        members_in_range: seen.0.len() as u64,
        added_or_updated: run.written + written,
        left_range: (left_range.len() - departed.len()) as u64,
        departed: departed.len() as u64,
        departments: plan.tree.len() as u64,
    };
    let done = StepDone {
        step: at,
        plan: None,
        written,
        seen: None,
    };
    Ok((done, counts))
}

/// The audit row of a sync (action and detail): always for a sync
/// someone asked for, and for the cron's reconcile only when it repaired
/// something.
pub(super) fn audit_row(
    actor: &str,
    counts: &SyncCounts,
) -> Option<(&'static str, serde_json::Value)> {
    if actor == "cron" {
        counts
            .repaired_anything()
            .then(|| ("reconciled", store::counts_detail(counts)))
    } else {
        Some(("synced", store::counts_detail(counts)))
    }
}

/// The wasm linear memory's size. It only grows, so after a sync it is the
/// peak our own code needed; the benchmark reports it beside workerd's RSS
/// to tell our memory from the runtime's and local D1's.
fn wasm_heap_bytes() -> u32 {
    use worker::wasm_bindgen::JsCast;
    worker::wasm_bindgen::memory()
        .unchecked_into::<worker::js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<worker::js_sys::ArrayBuffer>()
        .byte_length()
}
