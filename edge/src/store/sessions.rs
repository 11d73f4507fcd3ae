//! Sessions the server can end (`sessions`) and the single-use sign-in
//! states (`login_states`), migration 0011.

use super::bind::{changes, num};
use crate::d1::Db;
use domain::session::{AdminRight, LoginFlow, Role, Session};
use serde::Deserialize;
use worker::Result;

/// Records a signed-in session; the same batch drops the user's expired
/// ones, so the table holds about one row per signed-in browser, and
/// writes an admin's sign-in to the audit log (`signed_in`; a member's
/// webview sign-in is not audited: it happens every few hours for every
/// member, and says nothing an admin acts on). `granted`:
/// an admin right `get_login_info` gave at sign-in, for an admin WeCom's
/// admin list does not name (else the list decides at every request).
pub async fn open_session(
    db: &Db,
    session: &Session,
    granted: Option<AdminRight>,
    now: u64,
) -> Result<()> {
    let mut statements = vec![
        db.prepare("DELETE FROM sessions WHERE corp_id = ?1 AND userid = ?2 AND expires_at <= ?3")
            .bind(&[
                session.corp_id.as_str().into(),
                session.userid.as_str().into(),
                num(now),
            ])?,
        db.prepare(
            "INSERT INTO sessions (corp_id, sid, userid, role, created_at, expires_at, auth_type) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .bind(&[
            session.corp_id.as_str().into(),
            session.sid.as_str().into(),
            session.userid.as_str().into(),
            session.role.as_str().into(),
            num(now),
            num(session.expires_at),
            super::bind::opt_num(granted.map(|r| r.auth_type().into())),
        ])?,
    ];
    if session.role == Role::Admin {
        statements.push(super::bind::audit_statement(
            db,
            &session.corp_id,
            now,
            &session.userid,
            "signed_in",
            &serde_json::json!({"role": session.role.as_str()}),
        )?);
    }
    db.batch(statements).await?;
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
            "SELECT coalesce((SELECT a.auth_type FROM admins a WHERE a.corp_id = s.corp_id AND a.userid = s.userid), \
               s.auth_type) AS auth_type \
             FROM sessions s WHERE s.sid = ?1 AND s.corp_id = ?2 AND s.userid = ?3 AND s.expires_at > ?4",
        )
        .bind(&[
            session.sid.as_str().into(),
            session.corp_id.as_str().into(),
            session.userid.as_str().into(),
            num(now),
        ])?
        .first()
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

/// Records a sign-in's nonce for its flow until `expires_at`: one small
/// insert (the cron prunes expired states, by the `expires_at` index).
pub async fn issue_login_state(
    db: &Db,
    nonce: &str,
    flow: LoginFlow,
    expires_at: u64,
) -> Result<()> {
    db.prepare("INSERT INTO login_states (nonce, flow, expires_at) VALUES (?1, ?2, ?3)")
        .bind(&[nonce.into(), flow.as_str().into(), num(expires_at)])?
        .run()
        .await?;
    Ok(())
}

/// What became of a sign-in's nonce when it was brought back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateSpent {
    /// Spent now: the sign-in may go on.
    Now,
    /// Spent before.
    Already,
    Expired,
    /// Never issued, or issued for the other flow.
    Unknown,
}

/// Spends a sign-in's nonce for `flow`: [`StateSpent::Now`] the first time
/// while it is valid (one round trip); otherwise a second read says why.
pub async fn spend_login_state(
    db: &Db,
    nonce: &str,
    flow: LoginFlow,
    now: u64,
) -> Result<StateSpent> {
    let result = db
        .prepare(
            "UPDATE login_states SET spent_at = ?3 \
             WHERE nonce = ?1 AND flow = ?2 AND spent_at IS NULL AND expires_at > ?3",
        )
        .bind(&[nonce.into(), flow.as_str().into(), num(now)])?
        .run()
        .await?;
    if changes(&result) == 1 {
        return Ok(StateSpent::Now);
    }
    login_state_standing(db, nonce, flow, now).await
}

/// What became of a sign-in's nonce, without spending it: never
/// [`StateSpent::Now`].
pub async fn login_state_standing(
    db: &Db,
    nonce: &str,
    flow: LoginFlow,
    now: u64,
) -> Result<StateSpent> {
    #[derive(Deserialize)]
    struct Row {
        flow: String,
        expires_at: f64,
        spent_at: Option<f64>,
    }
    let row: Option<Row> = db
        .prepare("SELECT flow, expires_at, spent_at FROM login_states WHERE nonce = ?1")
        .bind(&[nonce.into()])?
        .first()
        .await?;
    Ok(match row {
        Some(r) if r.flow != flow.as_str() => StateSpent::Unknown,
        Some(r) if r.spent_at.is_some() => StateSpent::Already,
        Some(r) if r.expires_at as u64 <= now => StateSpent::Expired,
        _ => StateSpent::Unknown,
    })
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
