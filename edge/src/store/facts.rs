//! Cross-table reads for one decision: what the access check, a seat
//! action or a range forecast needs to know, in as few round trips as
//! D1 allows.

use super::bind::{json_str, num};
use super::orgs::{LicenseInfo, LicenseRow};
use crate::d1::Db;
use domain::seat::{HeldSeat, MemberState, SeatType};
use serde::Deserialize;
use std::collections::HashMap;
use worker::Result;

pub struct AccessFacts {
    pub state: MemberState,
    /// Every seat bound to the member (active or expired).
    pub seats: Vec<HeldSeat>,
    pub first_installed_at: u64,
    /// What `get_app_license_info` last said.
    pub license: LicenseInfo,
    /// The organisation's access generation, read in the same round trip
    /// (`cache`): its install and its access version.
    pub generation: (u64, u64),
}

/// A member row's place: departed, out of range, or active in range.
fn place(status: &str, in_range: f64) -> MemberState {
    match (status, in_range != 0.0) {
        ("departed", _) => MemberState::Departed,
        (_, false) => MemberState::OutOfRange,
        (_, true) => MemberState::ActiveInRange,
    }
}

/// What the access decision needs; `None` when the organisation is unknown.
pub async fn access_facts(db: &Db, corp_id: &str, userid: &str) -> Result<Option<AccessFacts>> {
    #[derive(Deserialize)]
    struct Org {
        first_installed_at: f64,
        license_status: Option<f64>,
        trial_start: Option<f64>,
        trial_end: Option<f64>,
        license_check_time: Option<f64>,
        installed_at: f64,
        access_version: f64,
    }
    #[derive(Deserialize)]
    struct Who {
        status: String,
        in_range: f64,
    }
    #[derive(Deserialize)]
    struct Seat {
        active_code: String,
        #[serde(rename = "type")]
        seat_type: f64,
        expires_at: f64,
    }
    let results = db
        .batch(vec![
            db.prepare(
                "SELECT first_installed_at, license_status, trial_start, trial_end, \
                   license_check_time, installed_at, access_version FROM organisations WHERE corp_id = ?1",
            )
                .bind(&[corp_id.into()])?,
            db.prepare("SELECT status, in_range FROM members WHERE corp_id = ?1 AND userid = ?2")
                .bind(&[corp_id.into(), userid.into()])?,
            db.prepare(
                "SELECT active_code, type, expires_at FROM seats \
                 WHERE corp_id = ?1 AND userid = ?2 AND status IN ('active', 'expired') AND expires_at IS NOT NULL",
            )
            .bind(&[corp_id.into(), userid.into()])?,
        ])
        .await?;
    let org: Option<Org> = results[0].results::<Org>()?.into_iter().next();
    let Some(org) = org else { return Ok(None) };
    let who: Option<Who> = results[1].results::<Who>()?.into_iter().next();
    let seats: Vec<Seat> = results[2].results()?;
    let state = who.map_or(MemberState::Unknown, |w| place(&w.status, w.in_range));
    Ok(Some(AccessFacts {
        state,
        seats: seats
            .into_iter()
            .filter_map(|s| {
                Some(HeldSeat {
                    active_code: s.active_code,
                    seat_type: SeatType::try_from(s.seat_type as u8).ok()?,
                    expires_at: s.expires_at as u64,
                    transferable_at: None,
                })
            })
            .collect(),
        first_installed_at: org.first_installed_at as u64,
        generation: (org.installed_at as u64, org.access_version as u64),
        license: LicenseRow {
            license_status: org.license_status,
            trial_start: org.trial_start,
            trial_end: org.trial_end,
            license_check_time: org.license_check_time,
        }
        .into(),
    }))
}

/// Where each member of a seat action stands and the seats they hold,
/// read for the whole batch at once.
#[derive(Default)]
pub struct MemberFacts {
    states: HashMap<String, MemberState>,
    seats: HashMap<String, Vec<HeldSeat>>,
}

impl MemberFacts {
    pub fn state(&self, userid: &str) -> MemberState {
        self.states
            .get(userid)
            .copied()
            .unwrap_or(MemberState::Unknown)
    }

    /// Active seats (with an expiry), newest expiry first.
    pub fn seats(&self, userid: &str) -> &[HeldSeat] {
        self.seats.get(userid).map_or(&[], Vec::as_slice)
    }
}

/// [`MemberFacts`] of these members: two queries in one round trip,
/// however many members (a batch of up to `domain::seat::MAX_BATCH`).
pub async fn member_facts(db: &Db, corp_id: &str, userids: &[&str]) -> Result<MemberFacts> {
    #[derive(Deserialize)]
    struct Who {
        userid: String,
        status: String,
        in_range: f64,
    }
    #[derive(Deserialize)]
    struct Seat {
        userid: String,
        active_code: String,
        #[serde(rename = "type")]
        seat_type: f64,
        expires_at: f64,
        transferable_at: Option<f64>,
    }
    let ids = json_str(&userids);
    let results = db
        .batch(vec![
            db.prepare(
                "SELECT m.userid, m.status, m.in_range \
                 FROM (SELECT DISTINCT value FROM json_each(?2)) j CROSS JOIN members m \
                 WHERE m.corp_id = ?1 AND m.userid = j.value",
            )
            .bind(&[corp_id.into(), ids.clone()])?,
            db.prepare(
                "SELECT userid, active_code, type, expires_at, transferable_at FROM seats \
                 WHERE corp_id = ?1 AND userid IN (SELECT value FROM json_each(?2)) \
                   AND status = 'active' AND expires_at IS NOT NULL \
                 ORDER BY expires_at DESC",
            )
            .bind(&[corp_id.into(), ids])?,
        ])
        .await?;
    let mut facts = MemberFacts::default();
    for w in results[0].results::<Who>()? {
        facts.states.insert(w.userid, place(&w.status, w.in_range));
    }
    for r in results[1].results::<Seat>()? {
        let Ok(seat_type) = SeatType::try_from(r.seat_type as u8) else {
            continue;
        };
        facts.seats.entry(r.userid).or_default().push(HeldSeat {
            active_code: r.active_code,
            seat_type,
            expires_at: r.expires_at as u64,
            transferable_at: r.transferable_at.map(|t| t as u64),
        });
    }
    Ok(facts)
}

// ---- forecast --------------------------------------------------------------

/// What a range forecast needs: the department tree, every member still in
/// the organisation (in range or not) with whether they hold an active seat,
/// and how many accounts are unassigned; at most
/// [`domain::api::FORECAST_WEIGHED`] departments and members.
pub struct ForecastFacts {
    pub departments: Vec<domain::range::Department>,
    pub members: Vec<domain::forecast::KnownMember>,
    /// Accounts bought and not yet bound to anyone.
    pub unassigned: u64,
    /// False when there were more departments or members than were read.
    pub complete: bool,
}

pub async fn forecast_facts(db: &Db, corp_id: &str, now: u64) -> Result<ForecastFacts> {
    #[derive(Deserialize)]
    struct Dept {
        id: f64,
        parent_id: f64,
    }
    #[derive(Deserialize)]
    struct Row {
        userid: String,
        department_ids: Option<String>,
        via: String,
        in_range: f64,
        licensed: f64,
    }
    #[derive(Deserialize)]
    struct Count {
        n: f64,
    }
    // One more than weighed: a row past the bound says there are more.
    let weighed = domain::api::FORECAST_WEIGHED;
    let read = weighed as u64 + 1;
    let results = db
        .batch(vec![
            db.prepare(
                "SELECT id, parent_id FROM departments WHERE corp_id = ?1 ORDER BY id LIMIT ?2",
            )
            .bind(&[corp_id.into(), num(read)])?,
            db.prepare(
                "SELECT m.userid, m.department_ids, m.via, m.in_range, \
                   EXISTS (SELECT 1 FROM seats s WHERE s.corp_id = m.corp_id AND s.userid = m.userid \
                           AND s.status = 'active' AND s.expires_at > ?2) AS licensed \
                 FROM members m WHERE m.corp_id = ?1 AND m.status = 'active' \
                 ORDER BY m.userid LIMIT ?3",
            )
            .bind(&[corp_id.into(), num(now), num(read)])?,
            db.prepare(format!(
                "SELECT count(*) AS n FROM seats WHERE corp_id = ?1 AND {}",
                super::seats::activatable(2)
            ))
            .bind(&[corp_id.into(), num(now)])?,
        ])
        .await?;
    let mut departments: Vec<domain::range::Department> = results[0]
        .results::<Dept>()?
        .into_iter()
        .map(|d| domain::range::Department {
            id: d.id as u64,
            parent_id: d.parent_id as u64,
        })
        .collect();
    let mut members: Vec<domain::forecast::KnownMember> = results[1]
        .results::<Row>()?
        .into_iter()
        .map(|r| domain::forecast::KnownMember {
            department_ids: r
                .department_ids
                .and_then(|j| serde_json::from_str(&j).ok())
                .unwrap_or_default(),
            via: serde_json::from_str(&r.via).unwrap_or_default(),
            in_range: r.in_range != 0.0,
            licensed: r.licensed != 0.0,
            userid: r.userid,
        })
        .collect();
    let unassigned = results[2]
        .results::<Count>()?
        .first()
        .map_or(0, |c| c.n as u64);
    let complete = departments.len() <= weighed && members.len() <= weighed;
    departments.truncate(weighed);
    members.truncate(weighed);
    Ok(ForecastFacts {
        departments,
        members,
        unassigned,
        complete,
    })
}
