//! Sessions the server can end (`sessions`) and the single-use sign-in
//! states (`login_states`), migration 0011.

use super::bind::{changes, num};
use crate::d1::Db;
use domain::session::{AdminRight, Session};
use serde::Deserialize;
use worker::Result;

/// Records a signed-in session; the same batch drops the user's expired
/// ones, so the table holds about one row per signed-in browser.
pub async fn open_session(db: &Db, session: &Session, now: u64) -> Result<()> {
    db.batch(vec![
        db.prepare("DELETE FROM sessions WHERE corp_id = ?1 AND userid = ?2 AND expires_at <= ?3")
            .bind(&[
                session.corp_id.as_str().into(),
                session.userid.as_str().into(),
                num(now),
            ])?,
        db.prepare(
            "INSERT INTO sessions (corp_id, sid, userid, role, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(&[
            session.corp_id.as_str().into(),
            session.sid.as_str().into(),
            session.userid.as_str().into(),
            session.role.as_str().into(),
            num(now),
            num(session.expires_at),
        ])?,
    ])
    .await?;
    Ok(())
}

/// What a session may do now, from one D1 query: whether its row still
/// stands (not logged out, not revoked, organisation not uninstalled) and
/// the admin right WeCom's admin list gives its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Logged out, revoked, or the organisation uninstalled.
    Ended,
    /// The session stands; its user is not (or no longer) an admin.
    Member,
    /// The session stands and its user is an admin of the app.
    Admin(AdminRight),
}

pub async fn session_standing(db: &Db, session: &Session, now: u64) -> Result<Standing> {
    #[derive(Deserialize)]
    struct Row {
        auth_type: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare(
            "SELECT (SELECT a.auth_type FROM admins a WHERE a.corp_id = s.corp_id AND a.userid = s.userid) \
               AS auth_type \
             FROM sessions s WHERE s.sid = ?1 AND s.corp_id = ?2 AND s.userid = ?3 AND s.expires_at > ?4",
        )
        .bind(&[
            session.sid.as_str().into(),
            session.corp_id.as_str().into(),
            session.userid.as_str().into(),
            num(now),
        ])?
        .first(None)
        .await?;
    Ok(match row {
        None => Standing::Ended,
        Some(Row { auth_type: None }) => Standing::Member,
        Some(Row { auth_type: Some(t) }) => Standing::Admin(AdminRight::from_auth_type(t as u8)),
    })
}

/// Logout: the session's row goes.
pub async fn end_session(db: &Db, sid: &str) -> Result<()> {
    db.prepare("DELETE FROM sessions WHERE sid = ?1")
        .bind(&[sid.into()])?
        .run()
        .await?;
    Ok(())
}

/// Every session of the organisation ends; how many there were.
pub async fn end_corp_sessions(db: &Db, corp_id: &str) -> Result<u64> {
    let result = db
        .prepare("DELETE FROM sessions WHERE corp_id = ?1")
        .bind(&[corp_id.into()])?
        .run()
        .await?;
    Ok(changes(&result) as u64)
}

/// Remembers a sign-in's nonce until `expires_at`; the same batch drops
/// the states that expired unused.
pub async fn issue_login_state(db: &Db, nonce: &str, expires_at: u64, now: u64) -> Result<()> {
    db.batch(vec![
        db.prepare("DELETE FROM login_states WHERE expires_at <= ?1")
            .bind(&[num(now)])?,
        db.prepare("INSERT INTO login_states (nonce, expires_at) VALUES (?1, ?2)")
            .bind(&[nonce.into(), num(expires_at)])?,
    ])
    .await?;
    Ok(())
}

/// Spends a sign-in's nonce: true the first time, while it is valid.
pub async fn spend_login_state(db: &Db, nonce: &str, now: u64) -> Result<bool> {
    let result = db
        .prepare("DELETE FROM login_states WHERE nonce = ?1 AND expires_at > ?2")
        .bind(&[nonce.into(), num(now)])?
        .run()
        .await?;
    Ok(changes(&result) == 1)
}

/// The cron drops sessions and sign-in states that have expired (a
/// session row outlives its cookie only until then).
pub async fn prune_sessions(db: &Db, now: u64) -> Result<()> {
    db.batch(vec![
        db.prepare("DELETE FROM sessions WHERE expires_at <= ?1")
            .bind(&[num(now)])?,
        db.prepare("DELETE FROM login_states WHERE expires_at <= ?1")
            .bind(&[num(now)])?,
    ])
    .await?;
    Ok(())
}
