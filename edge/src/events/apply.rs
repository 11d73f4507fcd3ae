//! What each callback does, dispatched to the feature that owns it. Every
//! action is idempotent (upserts, deletes), so a retry after a half-failed
//! attempt converges to the same state; an effect that is not (a seat
//! request counts visits; a license push's audit row) is returned as an
//! [`EventWrite`] and written in one batch with the event's mark, only
//! while the event is unmarked. An
//! effect in WeCom (an install spends its auth code) is recorded under the
//! event's key before the mark, and a retry resumes from it.

use crate::cache;
use crate::contacts::{change, sync};
use crate::corp;
use crate::env::{self, Config};
use crate::error::ApiError;
use crate::install;
use crate::seats::mirror;
use crate::shard;
use crate::store::{self, EventWrite};
use crate::wecom::WeCom;
use domain::event::{CommandEvent, DataEvent, SystemEvent, SystemKind};
use worker::Env;

/// What applying an event did, which organisation it turned out to be
/// about (create_auth only learns that from WeCom's answer), and the D1
/// writes that are its effect, left for the batch that marks it applied.
pub struct Outcome {
    pub note: String,
    pub corp_id: Option<String>,
    pub writes: Vec<EventWrite>,
}

impl<T: Into<String>> From<T> for Outcome {
    fn from(note: T) -> Self {
        Outcome {
            note: note.into(),
            corp_id: None,
            writes: vec![],
        }
    }
}

/// A license push's outcome, its audit row left for the mark's batch.
fn with_audit(corp_id: &str, done: mirror::Mirrored) -> Outcome {
    let (action, detail) = done.audit;
    Outcome {
        note: done.note,
        corp_id: None,
        writes: vec![EventWrite::Audit {
            corp_id: corp_id.to_owned(),
            action,
            detail,
        }],
    }
}

async fn installed(env: &Env, corp_id: &str) -> Result<bool, ApiError> {
    Ok(store::corp_exists(&shard::db_for(env, corp_id).await?, corp_id).await?)
}

/// Keeps our suite's latest suite_ticket, which the suite token is made
/// from (the callback queues it with the ticket in the message).
pub async fn keep_suite_ticket(env: &Env, ticket: &str) -> Result<(), ApiError> {
    let cfg = Config::from_env(env)?;
    WeCom::new(&cfg, env::kv(env)?)
        .keep_suite_ticket(ticket)
        .await?;
    Ok(())
}

/// A suite command event; `key` is its dedupe key (an install resumes
/// from what it stored under it).
pub async fn command(
    env: &Env,
    cfg: &Config,
    key: &str,
    event: &CommandEvent,
    now: u64,
) -> Result<Outcome, ApiError> {
    let wecom = WeCom::new(cfg, env::kv(env)?);
    match event {
        CommandEvent::SuiteTicket {
            suite_id, ticket, ..
        } => {
            if suite_id != &cfg.suite_id {
                return Ok("ignored: another suite".into());
            }
            wecom.keep_suite_ticket(ticket).await?;
            Ok("stored".into())
        }
        CommandEvent::CreateAuth { auth_code, .. } => {
            let corp_id = install::run(env, cfg, key, auth_code, now).await?;
            Ok(Outcome {
                note: "installed, synced".into(),
                corp_id: Some(corp_id),
                writes: vec![],
            })
        }
        CommandEvent::ChangeAuth { auth_corp_id, .. } => {
            let note = corp::refresh_auth(env, cfg, auth_corp_id, now, "wecom").await?;
            sync::start(env, auth_corp_id, "change_auth").await?;
            Ok(format!("{note}, sync started").into())
        }
        CommandEvent::ChangeContact {
            auth_corp_id,
            change,
        } => {
            match change::apply(env, cfg, auth_corp_id, change, now).await? {
                change::Applied::NotInstalled => Ok("ignored: organisation not installed".into()),
                change::Applied::Done(note, mut writes) => {
                    // The member's row and the access views' new
                    // generation go in the batch that marks the event.
                    cache::forget_generation(auth_corp_id);
                    writes.push(EventWrite::NewGeneration {
                        corp_id: auth_corp_id.clone(),
                    });
                    Ok(Outcome {
                        note: note.into(),
                        corp_id: None,
                        writes,
                    })
                }
                change::Applied::NeedsFullSync => {
                    sync::start(env, auth_corp_id, "change_contact").await?;
                    Ok("sync started".into())
                }
            }
        }
        CommandEvent::CancelAuth {
            auth_corp_id,
            timestamp,
            ..
        } => Ok(match corp::cancel(env, auth_corp_id, *timestamp).await? {
            corp::Cancelled::Deleted(kv) => format!(
                "deleted ({} KV keys, {} left to expire)",
                kv.deleted, kv.left_to_expire
            ),
            corp::Cancelled::Stale => "ignored: older than the current install".into(),
        }
        .into()),
        CommandEvent::Unknown { .. } => Ok("kept: unknown kind".into()),
    }
}

/// A provider system event: license events (the system event URL only).
pub async fn system(
    env: &Env,
    cfg: &Config,
    event: &SystemEvent,
    now: u64,
) -> Result<Outcome, ApiError> {
    match &event.kind {
        SystemKind::LicensePaySuccess {
            auth_corp_id,
            order_id,
            ..
        } => {
            if !installed(env, auth_corp_id).await? {
                // Kept as this event's row; the install reads the
                // organisation's orders from WeCom, this one among them.
                return Ok("kept: the install reads this order from WeCom".into());
            }
            Ok(with_audit(
                auth_corp_id,
                mirror::mirror_order(env, cfg, auth_corp_id, order_id, now).await?,
            ))
        }
        SystemKind::LicenseRefund {
            auth_corp_id,
            order_id,
            order_status,
        } => Ok(with_audit(
            auth_corp_id,
            mirror::refund_order(env, cfg, auth_corp_id, order_id, *order_status, now).await?,
        )),
        SystemKind::AutoActivate {
            auth_corp_id,
            accounts,
            ..
        } => Ok(with_audit(
            auth_corp_id,
            mirror::auto_activated(env, auth_corp_id, accounts, now).await?,
        )),
        SystemKind::Unknown { .. } => Ok("kept: unknown kind".into()),
    }
}

pub async fn data(
    env: &Env,
    cfg: &Config,
    event: &DataEvent,
    now: u64,
) -> Result<Outcome, ApiError> {
    Ok(match event {
        // A member in range opened the app without a seat: demand.
        DataEvent::UnlicensedNotify {
            corp_id,
            userid,
            at,
            ..
        } => {
            let at = (*at).min(now).max(1);
            Outcome {
                note: "seat request recorded".into(),
                corp_id: None,
                writes: vec![EventWrite::SeatRequest {
                    corp_id: corp_id.clone(),
                    userid: userid.clone(),
                    at,
                }],
            }
        }
        DataEvent::EnterAgent { .. } => "recorded".into(),
        // WeCom says only that they changed: read them again.
        DataEvent::ChangeAppAdmin { corp_id, .. } => {
            corp::refresh_admins(env, cfg, corp_id, now, "wecom")
                .await?
                .into()
        }
        DataEvent::Unknown { .. } => "kept: unknown kind".into(),
    })
}
