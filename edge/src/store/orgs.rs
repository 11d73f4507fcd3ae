//! Organisations: admins, the visible range, the license status WeCom
//! reports, the dates the trial is counted from, and the cron's choice of
//! whom to reconcile (installs and uninstalls: `installs`).

use super::bind::{changes, num, opt_num, texts};
use crate::d1::Db;
use domain::access::Licensing;
use domain::api::Corp;
use domain::range::VisibleRange;
use domain::session::AdminRight;
use domain::wecom::Admin;
use serde::Deserialize;
use worker::{wasm_bindgen::JsValue, Result};

/// What the member may do as an admin of the app; `None` when they are not
/// one (any more). One query: every console request asks.
pub async fn admin_right(db: &Db, corp_id: &str, userid: &str) -> Result<Option<AdminRight>> {
    #[derive(Deserialize)]
    struct Row {
        auth_type: f64,
    }
    let row: Option<Row> = db
        .prepare("SELECT auth_type FROM admins WHERE corp_id = ?1 AND userid = ?2")
        .bind(&[corp_id.into(), userid.into()])?
        .first()
        .await?;
    Ok(row.map(|r| AdminRight::from_auth_type(r.auth_type as u8)))
}

/// The admins as stored, in userid order.
pub async fn admins(db: &Db, corp_id: &str) -> Result<Vec<Admin>> {
    #[derive(Deserialize)]
    struct Row {
        userid: String,
        auth_type: f64,
    }
    let rows: Vec<Row> = db
        .prepare("SELECT userid, auth_type FROM admins WHERE corp_id = ?1 ORDER BY userid")
        .bind(&[corp_id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows
        .into_iter()
        .map(|r| Admin {
            userid: r.userid,
            auth_type: r.auth_type as u8,
        })
        .collect())
}

pub async fn corp(db: &Db, corp_id: &str) -> Result<Option<Corp>> {
    db.prepare(
        "SELECT corp_id, corp_name, installed_at, first_installed_at \
         FROM organisations WHERE corp_id = ?1",
    )
    .bind(&[corp_id.into()])?
    .first()
    .await
}

/// The app's agent id in an installed organisation; `None` when it is not
/// installed.
pub async fn installed_agent(db: &Db, corp_id: &str) -> Result<Option<u64>> {
    #[derive(Deserialize)]
    struct Row {
        agent_id: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare("SELECT agent_id FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(row.map(|r| r.agent_id.unwrap_or(0.0) as u64))
}

/// The organisation's name as WeCom gave it (`auth_corp_info.corp_name`).
pub async fn corp_name(db: &Db, corp_id: &str) -> Result<Option<String>> {
    #[derive(Deserialize)]
    struct Row {
        corp_name: String,
    }
    let row: Option<Row> = db
        .prepare("SELECT corp_name FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(row.map(|r| r.corp_name))
}

pub async fn corp_exists(db: &Db, corp_id: &str) -> Result<bool> {
    #[derive(Deserialize)]
    struct Hit {
        #[allow(dead_code)]
        corp_id: String,
    }
    let row: Option<Hit> = db
        .prepare("SELECT corp_id FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(row.is_some())
}

/// The range as stored: three JSON arrays.
pub(super) fn range_json(range: &VisibleRange) -> [JsValue; 3] {
    let s = |v: String| JsValue::from(v);
    [
        s(serde_json::to_string(&range.party).unwrap_or_default()),
        s(serde_json::to_string(&range.user).unwrap_or_default()),
        s(serde_json::to_string(&range.tag).unwrap_or_default()),
    ]
}

pub async fn replace_admins(db: &Db, corp_id: &str, admins: &[Admin]) -> Result<()> {
    let mut statements = vec![db
        .prepare("DELETE FROM admins WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?];
    for admin in admins {
        statements.push(
            db.prepare("INSERT INTO admins (corp_id, userid, auth_type) VALUES (?1, ?2, ?3)")
                .bind(&[
                    corp_id.into(),
                    admin.userid.as_str().into(),
                    num(admin.auth_type.into()),
                ])?,
        );
    }
    db.batch(statements).await?;
    Ok(())
}

/// Returns whether anything changed.
pub async fn update_range(
    db: &Db,
    corp_id: &str,
    corp_name: &str,
    range: &VisibleRange,
    auth_mode: u8,
    now: u64,
) -> Result<bool> {
    let [party, user, tag] = range_json(range);
    let r = db
        .prepare(
            "UPDATE organisations SET allow_party = ?2, allow_user = ?3, allow_tag = ?4, \
               corp_name = ?5, auth_mode = ?7, updated_at = ?6 \
             WHERE corp_id = ?1 AND (allow_party IS NOT ?2 OR allow_user IS NOT ?3 \
               OR allow_tag IS NOT ?4 OR corp_name IS NOT ?5 OR auth_mode IS NOT ?7)",
        )
        .bind(&[
            corp_id.into(),
            party,
            user,
            tag,
            corp_name.into(),
            num(now),
            num(auth_mode.into()),
        ])?
        .run()
        .await?;
    Ok(changes(&r) > 0)
}

pub async fn sealed_permanent_code(db: &Db, corp_id: &str) -> Result<Option<(String, u64)>> {
    #[derive(Deserialize)]
    struct Row {
        permanent_code_enc: Option<String>,
        agent_id: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare("SELECT permanent_code_enc, agent_id FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(row.and_then(|r| Some((r.permanent_code_enc?, r.agent_id.unwrap_or(0.0) as u64))))
}

/// A change the access check must see: the next generation. One statement;
/// a burst of changes is a burst of row updates, which D1 takes (unlike a
/// KV key, about one write a second).
pub async fn bump_access_version(db: &Db, corp_id: &str) -> Result<()> {
    new_generation_statement(db, corp_id)?.run().await?;
    Ok(())
}

pub(super) fn new_generation_statement(db: &Db, corp_id: &str) -> Result<crate::d1::Statement> {
    db.prepare("UPDATE organisations SET access_version = access_version + 1 WHERE corp_id = ?1")
        .bind(&[corp_id.into()])
}

pub async fn visible_range(db: &Db, corp_id: &str) -> Result<Option<VisibleRange>> {
    #[derive(Deserialize)]
    struct Row {
        allow_party: String,
        allow_user: String,
        allow_tag: String,
    }
    let row: Option<Row> = db
        .prepare("SELECT allow_party, allow_user, allow_tag FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(row.map(|r| VisibleRange {
        party: serde_json::from_str(&r.allow_party).unwrap_or_default(),
        user: serde_json::from_str(&r.allow_user).unwrap_or_default(),
        tag: serde_json::from_str(&r.allow_tag).unwrap_or_default(),
    }))
}

/// Organisations whose last full sync is older than `before`, stalest first.
/// Takes the `limit` organisations tried longest ago (one never tried by
/// the cron counts from its last sync) whose last try is at or before
/// `before`, and marks them tried `now`, in
/// one statement: a run that overlaps never takes the same ones.
pub async fn take_corps_due(db: &Db, before: u64, now: u64, limit: u64) -> Result<Vec<String>> {
    if limit == 0 {
        return Ok(vec![]);
    }
    let statement = db
        .prepare(
            "UPDATE organisations SET reconcile_attempted_at = ?3 WHERE corp_id IN \
               (SELECT corp_id FROM organisations \
                WHERE coalesce(reconcile_attempted_at, last_synced_at, 0) <= ?1 \
                ORDER BY coalesce(reconcile_attempted_at, last_synced_at, 0) LIMIT ?2) \
             RETURNING corp_id",
        )
        .bind(&[num(before), num(limit), num(now)])?;
    texts(statement, "corp_id").await
}

/// When each of the `limit` organisations tried longest ago (as
/// [`take_corps_due`] orders them) was last tried, oldest first; nothing
/// is marked. The cron compares these across databases.
pub async fn corps_due(db: &Db, before: u64, limit: u64) -> Result<Vec<u64>> {
    #[derive(Deserialize)]
    struct Row {
        due: f64,
    }
    let rows = db
        .prepare(
            "SELECT coalesce(reconcile_attempted_at, last_synced_at, 0) AS due FROM organisations \
             WHERE coalesce(reconcile_attempted_at, last_synced_at, 0) <= ?1 \
             ORDER BY due LIMIT ?2",
        )
        .bind(&[num(before), num(limit)])?
        .all()
        .await?
        .results::<Row>()?;
    Ok(rows.into_iter().map(|r| r.due as u64).collect())
}

pub async fn last_synced_at(db: &Db, corp_id: &str) -> Result<Option<u64>> {
    #[derive(Deserialize)]
    struct Row {
        last_synced_at: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare("SELECT last_synced_at FROM organisations WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(row.and_then(|r| r.last_synced_at).map(|t| t as u64))
}

/// What the license regime and the summary are counted from.
pub struct OrganisationDates {
    pub first_installed_at: u64,
    /// What `get_app_license_info` last said.
    pub license: LicenseInfo,
    pub auto_activate: bool,
    /// When an admin asked for a renewal not yet placed.
    pub renewal_asked_at: Option<u64>,
}

pub async fn organisation_dates(db: &Db, corp_id: &str) -> Result<Option<OrganisationDates>> {
    #[derive(Deserialize)]
    struct Row {
        first_installed_at: f64,
        license_status: Option<f64>,
        trial_start: Option<f64>,
        trial_end: Option<f64>,
        license_check_time: Option<f64>,
        auto_activate: f64,
        renewal_asked_at: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT first_installed_at, license_status, trial_start, trial_end, \
               license_check_time, auto_activate, renewal_asked_at \
             FROM organisations WHERE corp_id = ?1",
        )
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(row.map(|r| OrganisationDates {
        first_installed_at: r.first_installed_at as u64,
        license: LicenseRow {
            license_status: r.license_status,
            trial_start: r.trial_start,
            trial_end: r.trial_end,
            license_check_time: r.license_check_time,
        }
        .into(),
        auto_activate: r.auto_activate != 0.0,
        renewal_asked_at: r.renewal_asked_at.map(|t| t as u64),
    }))
}

pub async fn set_auto_activate(db: &Db, corp_id: &str, on: bool, now: u64) -> Result<()> {
    db.prepare("UPDATE organisations SET auto_activate = ?2, updated_at = ?3 WHERE corp_id = ?1")
        .bind(&[corp_id.into(), num(on as u64), num(now)])?
        .run()
        .await?;
    Ok(())
}

/// Writes WeCom's auto-activation switch as read; whether it changed.
pub async fn set_auto_activate_if_changed(
    db: &Db,
    corp_id: &str,
    on: bool,
    now: u64,
) -> Result<bool> {
    let result = db
        .prepare(
            "UPDATE organisations SET auto_activate = ?2, updated_at = ?3 \
             WHERE corp_id = ?1 AND auto_activate IS NOT ?2",
        )
        .bind(&[corp_id.into(), num(on as u64), num(now)])?
        .run()
        .await?;
    Ok(super::bind::changes(&result) > 0)
}

/// `get_app_license_info` as mirrored; all `None` until WeCom answered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct LicenseInfo {
    pub license_status: Option<u64>,
    pub trial_start: Option<u64>,
    pub trial_end: Option<u64>,
    pub license_check_time: Option<u64>,
}

impl LicenseInfo {
    /// The regime's facts, as `domain::access` reads them.
    pub fn licensing(&self, first_installed_at: u64) -> Licensing {
        Licensing::new(
            first_installed_at,
            self.license_status,
            self.trial_start.zip(self.trial_end),
            self.license_check_time,
        )
    }
}

/// The license columns of `organisations` as D1 gives them (numbers are
/// floats in D1's JSON).
#[derive(Deserialize)]
pub(super) struct LicenseRow {
    pub license_status: Option<f64>,
    pub trial_start: Option<f64>,
    pub trial_end: Option<f64>,
    pub license_check_time: Option<f64>,
}

impl From<LicenseRow> for LicenseInfo {
    fn from(r: LicenseRow) -> LicenseInfo {
        LicenseInfo {
            license_status: r.license_status.map(|v| v as u64),
            trial_start: r.trial_start.map(|v| v as u64),
            trial_end: r.trial_end.map(|v| v as u64),
            license_check_time: r.license_check_time.map(|v| v as u64),
        }
    }
}

pub async fn license_info(db: &Db, corp_id: &str) -> Result<Option<LicenseInfo>> {
    let row: Option<LicenseRow> = db
        .prepare(
            "SELECT license_status, trial_start, trial_end, license_check_time \
             FROM organisations WHERE corp_id = ?1",
        )
        .bind(&[corp_id.into()])?
        .first()
        .await?;
    Ok(row.map(LicenseInfo::from))
}

pub async fn set_license_info(db: &Db, corp_id: &str, info: &LicenseInfo, now: u64) -> Result<()> {
    db.prepare(
        "UPDATE organisations SET license_status = ?2, trial_start = ?3, trial_end = ?4, \
         license_check_time = ?5, updated_at = ?6 WHERE corp_id = ?1",
    )
    .bind(&[
        corp_id.into(),
        opt_num(info.license_status),
        opt_num(info.trial_start),
        opt_num(info.trial_end),
        opt_num(info.license_check_time),
        num(now),
    ])?
    .run()
    .await?;
    Ok(())
}
