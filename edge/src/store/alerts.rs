//! Alerts to admins inside WeCom: what the rules read (one batch), the
//! causes already announced, and what a message sent records.

use super::bind::{audit_statement, num};
use super::orgs::{LicenseInfo, LicenseRow};
use crate::d1::Db;
use domain::access::Regime;
use domain::alerts::AlertKind;
use serde::Deserialize;
use worker::Result;

/// Causes older than this are forgotten (each names its own period, so an
/// old one cannot come back).
const CAUSES_KEPT_SECS: u64 = 120 * 86_400;

/// One admin of the app as an alert sees them.
pub struct AlertAdmin {
    pub userid: String,
    /// WeCom's `auth_type`: 1 may manage the app, 0 may only send messages.
    pub auth_type: u8,
    /// An active member in the app's visible range.
    pub in_range: bool,
    /// Holds an active seat (WeCom delivers to base and interconnect
    /// holders alike, document/path/90236).
    pub seated: bool,
}

/// What the alert rules read about an organisation.
pub struct AlertFacts {
    pub regime: Regime,
    pub off: Vec<AlertKind>,
    pub last_day: Option<u64>,
    pub free_seats: u64,
    pub asking: u64,
    pub expiring: u64,
    pub failing_since: Option<u64>,
    pub admins: Vec<AlertAdmin>,
    /// Causes announced (within [`CAUSES_KEPT_SECS`]).
    pub sent: Vec<String>,
}

/// The kinds turned off, from the column (unknown words are ignored).
pub fn kinds_off(text: &str) -> Vec<AlertKind> {
    text.split(',').filter_map(AlertKind::parse).collect()
}

/// Everything the rules need, in one batch on the organisation's
/// database; `None` when the organisation is not installed.
pub async fn alert_facts(db: &Db, corp_id: &str, now: u64) -> Result<Option<AlertFacts>> {
    #[derive(Deserialize)]
    struct Org {
        first_installed_at: f64,
        license_status: Option<f64>,
        trial_start: Option<f64>,
        trial_end: Option<f64>,
        license_check_time: Option<f64>,
        alerts_off: String,
        alerts_day: Option<f64>,
        seats_free: Option<f64>,
        asking: Option<f64>,
        seats_expiring: Option<f64>,
        failing_since: Option<f64>,
    }
    #[derive(Deserialize)]
    struct Admin {
        userid: String,
        auth_type: f64,
        in_range: f64,
        seated: f64,
    }
    #[derive(Deserialize)]
    struct Cause {
        cause: String,
    }
    // The seat figures as the desk row counts them, from the
    // organisation's own tables (the desk is on the home database).
    let without_seat = "NOT EXISTS (SELECT 1 FROM seats s WHERE s.corp_id = r.corp_id \
        AND s.userid = r.userid AND s.status = 'active' AND s.expires_at > ?2)";
    let org_sql = format!(
        "SELECT o.first_installed_at, o.license_status, o.trial_start, o.trial_end, \
           o.license_check_time, o.alerts_off, o.alerts_day, \
           (SELECT count(*) FROM seats WHERE corp_id = ?1 AND {free}) AS seats_free, \
           (SELECT count(*) FROM seat_requests r WHERE r.corp_id = ?1 AND {without_seat}) AS asking, \
           (SELECT count(*) FROM seats WHERE corp_id = ?1 AND status = 'active' \
              AND expires_at > ?2 AND expires_at <= ?3) AS seats_expiring, \
           (SELECT min(failed_at) FROM events e WHERE e.corp_id = ?1 \
              AND e.applied_at IS NULL AND e.failed_at IS NOT NULL) AS failing_since \
         FROM organisations o WHERE o.corp_id = ?1",
        free = super::seats::activatable(2),
    );
    let expiring_until = now + domain::api::EXPIRING_DAYS * 86_400;
    let results = db
        .batch(vec![
            db.prepare(org_sql)
                .bind(&[corp_id.into(), num(now), num(expiring_until)])?,
            db.prepare(
                "SELECT a.userid, a.auth_type, EXISTS (SELECT 1 FROM members m \
                   WHERE m.corp_id = a.corp_id AND m.userid = a.userid \
                     AND m.in_range = 1 AND m.status = 'active') AS in_range, \
                   EXISTS (SELECT 1 FROM seats s \
                   WHERE s.corp_id = a.corp_id AND s.userid = a.userid \
                     AND s.status = 'active' AND s.expires_at > ?2) AS seated \
                 FROM admins a WHERE a.corp_id = ?1 ORDER BY a.userid",
            )
            .bind(&[corp_id.into(), num(now)])?,
            db.prepare("SELECT cause FROM alerts_sent WHERE corp_id = ?1 AND sent_at > ?2")
                .bind(&[corp_id.into(), num(now.saturating_sub(CAUSES_KEPT_SECS))])?,
        ])
        .await?;
    let mut org: Vec<Org> = results[0].results()?;
    let Some(org) = org.pop() else {
        return Ok(None);
    };
    let admins: Vec<Admin> = results[1].results()?;
    let sent: Vec<Cause> = results[2].results()?;
    let license: LicenseInfo = LicenseRow {
        license_status: org.license_status,
        trial_start: org.trial_start,
        trial_end: org.trial_end,
        license_check_time: org.license_check_time,
    }
    .into();
    Ok(Some(AlertFacts {
        regime: license.licensing(org.first_installed_at as u64).regime(now),
        off: kinds_off(&org.alerts_off),
        last_day: org.alerts_day.map(|d| d as u64),
        free_seats: org.seats_free.unwrap_or(0.0) as u64,
        asking: org.asking.unwrap_or(0.0) as u64,
        expiring: org.seats_expiring.unwrap_or(0.0) as u64,
        failing_since: org.failing_since.map(|t| t as u64),
        admins: admins
            .into_iter()
            .map(|a| AlertAdmin {
                userid: a.userid,
                auth_type: a.auth_type as u8,
                in_range: a.in_range != 0.0,
                seated: a.seated != 0.0,
            })
            .collect(),
        sent: sent.into_iter().map(|c| c.cause).collect(),
    }))
}

/// Records a message that went: its causes (each once), the day, and its
/// audit row, in one transaction. A cause recorded already is left as it
/// was.
pub async fn alert_sent(
    db: &Db,
    corp_id: &str,
    causes: &[String],
    day: u64,
    now: u64,
    detail: &serde_json::Value,
) -> Result<()> {
    let mut statements = vec![
        db.prepare("UPDATE organisations SET alerts_day = ?2 WHERE corp_id = ?1")
            .bind(&[corp_id.into(), num(day)])?,
        audit_statement(db, corp_id, now, "alerts", "alert_sent", detail)?,
    ];
    for cause in causes {
        statements.push(
            db.prepare(
                "INSERT INTO alerts_sent (corp_id, cause, sent_at) \
                 SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM organisations WHERE corp_id = ?1) \
                 ON CONFLICT (corp_id, cause) DO NOTHING",
            )
            .bind(&[corp_id.into(), cause.as_str().into(), num(now)])?,
        );
    }
    db.batch(statements).await?;
    Ok(())
}

/// Notes that WeCom was asked today and delivered to nobody (every admin
/// without a seat once licenses are checked): asked again tomorrow, not
/// every hour.
pub async fn alert_day(db: &Db, corp_id: &str, day: u64) -> Result<()> {
    db.prepare("UPDATE organisations SET alerts_day = ?2 WHERE corp_id = ?1")
        .bind(&[corp_id.into(), num(day)])?
        .run()
        .await?;
    Ok(())
}

/// Turns kinds off (the rest on), with its audit row, in one transaction.
pub async fn set_alerts_off(
    db: &Db,
    corp_id: &str,
    off: &[AlertKind],
    actor: &str,
    now: u64,
) -> Result<()> {
    let words: Vec<&str> = off.iter().map(|k| k.as_str()).collect();
    let detail = serde_json::json!({ "off": words });
    db.batch(vec![
        db.prepare("UPDATE organisations SET alerts_off = ?2 WHERE corp_id = ?1")
            .bind(&[corp_id.into(), words.join(",").into()])?,
        audit_statement(db, corp_id, now, actor, "alert_settings", &detail)?,
    ])
    .await?;
    Ok(())
}

/// An organisation whose oldest unmended callback failure is this old.
pub struct FailingOrg {
    pub corp_id: String,
    pub corp_name: String,
    pub since: u64,
}

/// A renewal order placed and still awaiting payment.
pub struct UnpaidRenewal {
    pub corp_id: String,
    pub corp_name: String,
    pub order_id: String,
}

/// What the operators' alerts read: the provider organisation's last
/// message day and causes sent (`None` when it has not installed the app:
/// nobody there can receive it), the organisations whose callbacks have
/// failed since before `failing_before`, and the renewal orders awaiting
/// payment since before `unpaid_before` (each list the oldest 50).
pub struct OperatorFacts {
    pub last_day: Option<u64>,
    pub sent: Vec<String>,
    pub failing: Vec<FailingOrg>,
    pub unpaid: Vec<UnpaidRenewal>,
}

/// Most organisations each list names (the message has room for a few).
const OPERATOR_LISTED: u64 = 50;

pub async fn operator_facts(
    provider_db: &Db,
    every: &[Db],
    provider: &str,
    now: u64,
    failing_before: u64,
    unpaid_before: u64,
) -> Result<Option<OperatorFacts>> {
    #[derive(Deserialize)]
    struct Provider {
        alerts_day: Option<f64>,
    }
    #[derive(Deserialize)]
    struct Cause {
        cause: String,
    }
    #[derive(Deserialize)]
    struct Failing {
        corp_id: String,
        corp_name: String,
        since: f64,
    }
    #[derive(Deserialize)]
    struct Unpaid {
        corp_id: String,
        corp_name: String,
        order_id: String,
        created_at: f64,
    }
    let db = provider_db;
    let results = db
        .batch(vec![
            db.prepare("SELECT alerts_day FROM organisations WHERE corp_id = ?1")
                .bind(&[provider.into()])?,
            db.prepare("SELECT cause FROM alerts_sent WHERE corp_id = ?1 AND sent_at > ?2")
                .bind(&[provider.into(), num(now.saturating_sub(CAUSES_KEPT_SECS))])?,
        ])
        .await?;
    let mut provider_row: Vec<Provider> = results[0].results()?;
    let Some(provider_row) = provider_row.pop() else {
        return Ok(None);
    };
    let sent: Vec<Cause> = results[1].results()?;
    // Every database's organisations, the oldest first across them.
    let (mut failing, mut unpaid) = (Vec::<Failing>::new(), Vec::<Unpaid>::new());
    for db in every {
        let results = db
            .batch(vec![
                // The unapplied events' partial index (migration 0005)
                // keeps this to the events still waiting.
                db.prepare(
                    "SELECT e.corp_id, o.corp_name, min(e.failed_at) AS since FROM events e \
                     JOIN organisations o ON o.corp_id = e.corp_id \
                     WHERE e.applied_at IS NULL AND e.failed_at IS NOT NULL \
                     GROUP BY e.corp_id HAVING since <= ?1 ORDER BY since LIMIT ?2",
                )
                .bind(&[num(failing_before), num(OPERATOR_LISTED)])?,
                db.prepare(
                    "SELECT r.corp_id, o.corp_name, r.order_id, r.created_at FROM orders r \
                     JOIN organisations o ON o.corp_id = r.corp_id \
                     WHERE r.order_type = 2 AND r.order_status = 0 AND r.created_at <= ?1 \
                     ORDER BY r.created_at LIMIT ?2",
                )
                .bind(&[num(unpaid_before), num(OPERATOR_LISTED)])?,
            ])
            .await?;
        failing.extend(results[0].results::<Failing>()?);
        unpaid.extend(results[1].results::<Unpaid>()?);
    }
    failing.sort_by(|a, b| a.since.total_cmp(&b.since));
    failing.truncate(OPERATOR_LISTED as usize);
    unpaid.sort_by(|a, b| a.created_at.total_cmp(&b.created_at));
    unpaid.truncate(OPERATOR_LISTED as usize);
    Ok(Some(OperatorFacts {
        last_day: provider_row.alerts_day.map(|d| d as u64),
        sent: sent.into_iter().map(|c| c.cause).collect(),
        failing: failing
            .into_iter()
            .map(|f| FailingOrg {
                corp_id: f.corp_id,
                corp_name: f.corp_name,
                since: f.since as u64,
            })
            .collect(),
        unpaid: unpaid
            .into_iter()
            .map(|u| UnpaidRenewal {
                corp_id: u.corp_id,
                corp_name: u.corp_name,
                order_id: u.order_id,
            })
            .collect(),
    }))
}
