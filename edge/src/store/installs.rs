//! Installs and uninstalls of organisations: the home database's part of
//! an install (history, directory, the install kept on its `create_auth`),
//! the organisation's own row, and cancel_auth's deletes on both databases.

use super::bind::{changes, num, opt_num};
use super::orgs::{corp_exists, range_json};
use crate::d1::Db;
use domain::range::VisibleRange;
use serde::{Deserialize, Serialize};
use worker::Result;

/// Every table that holds an organisation's data on its own database
/// (cancel_auth empties them).
pub const ORGANISATION_TABLES: [&str; 15] = [
    "organisations",
    "admins",
    "departments",
    "members",
    "orders",
    "seats",
    "transfers",
    "events",
    "seat_requests",
    "audit",
    "sync_leases",
    "sync_seen",
    "sessions",
    "daily_stats",
    "alerts_sent",
];

/// The tables of the home database that name an organisation: its desk
/// row, the desk's orders for it, and events recorded before it was known
/// (its create_auth). cancel_auth empties them too.
pub const HOME_TABLES: [&str; 3] = ["desk", "desk_orders", "events"];

/// An install, as the organisation's row is made from it. It is kept
/// (sealed code and all) on the `create_auth` event's row on the home
/// database before the organisation's own database is written, so a pass
/// after a failure in between finishes it without spending the auth code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installation {
    pub corp_id: String,
    pub corp_name: String,
    pub agent_id: u64,
    pub permanent_code_sealed: String,
    pub range: VisibleRange,
    /// `auth_info.agent[].auth_mode`: 1 when a member authorised the app.
    pub auth_mode: u8,
    pub install_key: String,
    pub now: u64,
    /// When the organisation first installed the app (the anonymised
    /// install history's, so a reinstall after cancel_auth keeps the
    /// original trial start); 0 until the home database answered.
    #[serde(default)]
    pub first_installed_at: u64,
}

/// The home database's part of an install, one transaction: the install
/// history, the directory's entry (`binding` unless it names one already)
/// and the `create_auth` event `event_key` pointing at the organisation
/// with the install kept on it. Answers the install with its first-install
/// time, and the database the directory places it on.
pub async fn install_home(
    home: &Db,
    i: &Installation,
    event_key: &str,
    binding: &str,
) -> Result<(Installation, String)> {
    #[derive(Deserialize)]
    struct First {
        first_installed_at: f64,
    }
    #[derive(Deserialize)]
    struct Home {
        binding: String,
    }
    let results = home
        .batch(vec![
            home.prepare(
                "INSERT INTO install_history (corp_hash, first_installed_at) VALUES (?1, ?2) \
                 ON CONFLICT (corp_hash) DO NOTHING",
            )
            .bind(&[i.install_key.as_str().into(), num(i.now)])?,
            home.prepare(
                "INSERT INTO org_homes (corp_id, binding, placed_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (corp_id) DO NOTHING",
            )
            .bind(&[i.corp_id.as_str().into(), binding.into(), num(i.now)])?,
            // Kept with the first-install time the history now holds, so
            // a pass that finishes it from here counts the trial right.
            home.prepare(
                "UPDATE events SET corp_id = ?1, install = json_set(?2, '$.first_installed_at', \
                   (SELECT first_installed_at FROM install_history WHERE corp_hash = ?4)) \
                 WHERE dedupe_key = ?3",
            )
            .bind(&[
                i.corp_id.as_str().into(),
                serde_json::to_string(i).unwrap_or_default().into(),
                event_key.into(),
                i.install_key.as_str().into(),
            ])?,
            home.prepare("SELECT first_installed_at FROM install_history WHERE corp_hash = ?1")
                .bind(&[i.install_key.as_str().into()])?,
            home.prepare("SELECT binding FROM org_homes WHERE corp_id = ?1")
                .bind(&[i.corp_id.as_str().into()])?,
        ])
        .await?;
    let first = results
        .get(3)
        .map(|r| r.results::<First>())
        .transpose()?
        .and_then(|rows| rows.into_iter().next())
        .map_or(i.now, |f| f.first_installed_at as u64);
    let placed = results
        .get(4)
        .map(|r| r.results::<Home>())
        .transpose()?
        .and_then(|rows| rows.into_iter().next())
        .map_or_else(|| binding.to_owned(), |h| h.binding);
    let mut kept = i.clone();
    kept.first_installed_at = first;
    Ok((kept, placed))
}

/// The organisation's part of an install, on its own database, one
/// transaction: its row, and the `installed` audit row once (a retry after
/// a commit whose reply was lost finds it written at the same time).
pub async fn install(db: &Db, i: &Installation) -> Result<()> {
    let [party, user, tag] = range_json(&i.range);
    db.batch(vec![
        db.prepare(
            "INSERT INTO organisations (corp_id, corp_name, agent_id, permanent_code_enc, \
               allow_party, allow_user, allow_tag, installed_at, first_installed_at, updated_at, auth_mode) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?10) \
             ON CONFLICT (corp_id) DO UPDATE SET corp_name = excluded.corp_name, auth_mode = excluded.auth_mode, \
               agent_id = excluded.agent_id, permanent_code_enc = excluded.permanent_code_enc, \
               allow_party = excluded.allow_party, allow_user = excluded.allow_user, \
               allow_tag = excluded.allow_tag, installed_at = excluded.installed_at, \
               first_installed_at = MIN(organisations.first_installed_at, excluded.first_installed_at), \
               updated_at = excluded.updated_at",
        )
        .bind(&[
            i.corp_id.as_str().into(),
            i.corp_name.as_str().into(),
            num(i.agent_id),
            i.permanent_code_sealed.as_str().into(),
            party,
            user,
            tag,
            num(i.now),
            num(i.first_installed_at),
            num(i.auth_mode.into()),
        ])?,
        db.prepare(
            "INSERT INTO audit (corp_id, at, actor, action, detail) \
             SELECT ?1, ?2, 'wecom', 'installed', ?3 \
             WHERE NOT EXISTS (SELECT 1 FROM audit WHERE corp_id = ?1 AND action = 'installed' AND at = ?2)",
        )
        .bind(&[
            i.corp_id.as_str().into(),
            num(i.now),
            serde_json::json!({
                "agent_id": i.agent_id, "range": i.range, "auth_mode": i.auth_mode,
            })
            .to_string()
            .into(),
        ])?,
    ])
    .await?;
    Ok(())
}

/// What `cancel_auth` did to the organisation's rows.
#[derive(Debug, PartialEq, Eq)]
pub enum Removal {
    /// Every row went (but the uninstall events).
    Deleted,
    /// The organisation was installed after the uninstall was sent (a late
    /// retry after a reinstall): nothing went.
    NewerInstall,
    /// Nothing was there.
    NotInstalled,
}

/// cancel_auth: every row of the organisation on its database, in one
/// transaction, unless it was installed after `cancelled_at` (WeCom's
/// `TimeStamp`; `None`: unknown, and the rows go). The uninstalls' own
/// event rows stay (they name nobody but the organisation): a late retry
/// of one is then a duplicate, not a second uninstall; the cron prunes
/// them with the rest. Its rows on the home database go after
/// ([`delete_organisation_home`]).
pub async fn delete_organisation(
    db: &Db,
    corp_id: &str,
    cancelled_at: Option<u64>,
) -> Result<Removal> {
    // Every statement asks the same question of `organisations`, which goes
    // last, so the batch deletes all or nothing.
    let installed_before = "EXISTS (SELECT 1 FROM organisations \
        WHERE corp_id = ?1 AND (?2 IS NULL OR installed_at <= ?2))";
    let this_install = [corp_id.into(), opt_num(cancelled_at)];
    let mut statements = Vec::with_capacity(ORGANISATION_TABLES.len());
    for table in ORGANISATION_TABLES {
        statements.push(match table {
            "organisations" => continue,
            "events" => db
                .prepare(format!(
                    "DELETE FROM events WHERE corp_id = ?1 AND kind <> 'cancel_auth' \
                     AND {installed_before}"
                ))
                .bind(&this_install)?,
            _ => db
                .prepare(format!(
                    "DELETE FROM {table} WHERE corp_id = ?1 AND {installed_before}"
                ))
                .bind(&this_install)?,
        });
    }
    statements.push(
        db.prepare(
            "DELETE FROM organisations WHERE corp_id = ?1 \
             AND (?2 IS NULL OR installed_at <= ?2)",
        )
        .bind(&this_install)?,
    );
    let results = db.batch(statements).await?;
    if results.last().map(changes).unwrap_or(0) > 0 {
        return Ok(Removal::Deleted);
    }
    Ok(if corp_exists(db, corp_id).await? {
        Removal::NewerInstall
    } else {
        Removal::NotInstalled
    })
}

/// cancel_auth's part on the home database, once the organisation's own
/// rows are gone: its desk row, the desk's orders for it, and the events
/// that came to name it (the uninstalls' own kept, as on its database, and
/// an install not yet finished: a reinstall under way after this uninstall
/// was sent). One transaction; doing it twice does nothing.
///
/// Its directory entry stays: which database an organisation lives on
/// never changes, so every isolate's memory of it stays true and a
/// reinstall finds its database again (the entry names the corp id and a
/// binding, nothing of the organisation's data, as the kept uninstall
/// events name it too).
pub async fn delete_organisation_home(home: &Db, corp_id: &str) -> Result<()> {
    let mut statements = Vec::with_capacity(HOME_TABLES.len());
    for table in HOME_TABLES {
        let guard = if table == "events" {
            " AND kind <> 'cancel_auth' AND NOT (kind = 'create_auth' AND applied_at IS NULL)"
        } else {
            ""
        };
        statements.push(
            home.prepare(format!("DELETE FROM {table} WHERE corp_id = ?1{guard}"))
                .bind(&[corp_id.into()])?,
        );
    }
    home.batch(statements).await?;
    Ok(())
}
