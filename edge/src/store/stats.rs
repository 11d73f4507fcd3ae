//! The daily snapshot behind the overview's trends (`daily_stats`,
//! migration 0017) and the weekly count of new seat requests.

use super::bind::num;
use crate::d1::Db;
use domain::api::{DayStats, WeekRequests};
use domain::when::{day_date, week_monday, CST_OFFSET_SECS};
use serde::Deserialize;
use worker::Result;

/// What one day's snapshot records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Snapshot {
    pub seats_bought: u64,
    pub seats_active: u64,
    pub members_in_range: u64,
    pub asking: u64,
}

/// Records the day's snapshot (`day`: days since 1970-01-01 in China
/// Standard Time). A later run the same day replaces it, and writes no row
/// when nothing changed; only while the organisation exists.
pub async fn record_day(db: &Db, corp_id: &str, day: u64, s: Snapshot) -> Result<()> {
    db.prepare(
        "INSERT INTO daily_stats (corp_id, day, seats_bought, seats_active, members_in_range, asking) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM organisations WHERE corp_id = ?1) \
         ON CONFLICT (corp_id, day) DO UPDATE SET seats_bought = excluded.seats_bought, \
           seats_active = excluded.seats_active, members_in_range = excluded.members_in_range, \
           asking = excluded.asking \
         WHERE (seats_bought, seats_active, members_in_range, asking) IS NOT \
           (excluded.seats_bought, excluded.seats_active, excluded.members_in_range, excluded.asking)",
    )
    .bind(&[
        corp_id.into(),
        num(day),
        num(s.seats_bought),
        num(s.seats_active),
        num(s.members_in_range),
        num(s.asking),
    ])?
    .run()
    .await?;
    Ok(())
}

/// The snapshots from day `from` on, oldest first, and the new seat
/// requests of each week since that day's Monday; one round trip.
pub async fn trends(
    db: &Db,
    corp_id: &str,
    from: u64,
) -> Result<(Vec<DayStats>, Vec<WeekRequests>)> {
    #[derive(Deserialize)]
    struct Day {
        day: f64,
        seats_bought: f64,
        seats_active: f64,
        members_in_range: f64,
        asking: f64,
    }
    #[derive(Deserialize)]
    struct Week {
        monday: f64,
        n: f64,
    }
    let monday = week_monday(from);
    let results = db
        .batch(vec![
            db.prepare(
                "SELECT day, seats_bought, seats_active, members_in_range, asking FROM daily_stats \
                 WHERE corp_id = ?1 AND day >= ?2 ORDER BY day",
            )
            .bind(&[corp_id.into(), num(from)])?,
            // A week's Monday from a request's first moment: its day in
            // China Standard Time, back to the Monday (day 0 was a Thursday).
            // Whole numbers throughout: a bound number arrives as REAL, and
            // REAL division made each request's own moment its "Monday".
            db.prepare(
                "SELECT (CAST(first_at + ?3 AS INTEGER) / 86400 + 3) / 7 * 7 - 3 AS monday, count(*) AS n \
                 FROM seat_requests WHERE corp_id = ?1 AND first_at >= ?2 GROUP BY monday ORDER BY monday",
            )
            .bind(&[
                corp_id.into(),
                num((monday * 86_400).saturating_sub(CST_OFFSET_SECS)),
                num(CST_OFFSET_SECS),
            ])?,
        ])
        .await?;
    let days = results[0]
        .results::<Day>()?
        .into_iter()
        .map(|d| DayStats {
            date: day_date(d.day as u64),
            seats_bought: d.seats_bought as u64,
            seats_active: d.seats_active as u64,
            members_in_range: d.members_in_range as u64,
            asking: d.asking as u64,
        })
        .collect();
    let weeks = results[1]
        .results::<Week>()?
        .into_iter()
        .map(|w| WeekRequests {
            week_of: day_date(w.monday as u64),
            new_requests: w.n as u64,
        })
        .collect();
    Ok((days, weeks))
}

/// Members who asked for a seat and hold no active one now.
pub async fn asking_count(db: &Db, corp_id: &str, now: u64) -> Result<u64> {
    #[derive(Deserialize)]
    struct Count {
        n: f64,
    }
    let row: Option<Count> = db
        .prepare(
            "SELECT count(*) AS n FROM seat_requests r WHERE r.corp_id = ?1 AND NOT EXISTS ( \
               SELECT 1 FROM seats s WHERE s.corp_id = r.corp_id AND s.userid = r.userid \
                 AND s.status = 'active' AND s.expires_at > ?2)",
        )
        .bind(&[corp_id.into(), num(now)])?
        .first()
        .await?;
    Ok(row.map(|c| c.n as u64).unwrap_or(0))
}
