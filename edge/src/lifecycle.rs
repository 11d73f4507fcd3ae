//! What each callback does. Every action is idempotent (upserts, deletes),
//! so a retry after a half-failed attempt converges to the same state.

use crate::config::{random, Config};
use crate::error::ApiError;
use crate::store::{self, Installation};
use crate::wecom::{corp_token_key, Privilege, WeCom, SUITE_TICKET_KEY};
use crate::{licenses, sync};
use domain::event::{CommandEvent, DataEvent};
use domain::ids::install_key;
use domain::seal::Sealer;
use serde_json::json;
use worker::{console_error, Env};

/// WeCom's suite_ticket is valid for 30 minutes (pushed every 10).
const SUITE_TICKET_TTL_SECS: u64 = 30 * 60;

/// What applying an event did, and which organisation it turned out to be
/// about (create_auth only learns that from WeCom's answer).
pub struct Outcome {
    pub note: String,
    pub corp_id: Option<String>,
}

impl From<&str> for Outcome {
    fn from(note: &str) -> Self {
        Outcome {
            note: note.into(),
            corp_id: None,
        }
    }
}

impl From<String> for Outcome {
    fn from(note: String) -> Self {
        Outcome {
            note,
            corp_id: None,
        }
    }
}

fn sealer(cfg: &Config) -> Sealer {
    Sealer::new(&cfg.data_secret, "permanent_code")
}

/// The organisation's permanent code, opened from D1.
pub async fn permanent_code(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
) -> Result<Option<(String, u64)>, ApiError> {
    let Some((sealed, agent_id)) = store::sealed_permanent_code(&store::db(env)?, corp_id).await?
    else {
        return Ok(None);
    };
    let code = sealer(cfg)
        .open(&sealed)
        .map_err(|e| ApiError::internal(format!("permanent code of {corp_id}: {e}")))?;
    Ok(Some((code, agent_id)))
}

/// The visible range, extras included, as stored.
fn range(p: &Privilege) -> store::Range {
    let mut party: Vec<u64> = p
        .allow_party
        .iter()
        .chain(&p.extra_party)
        .copied()
        .collect();
    let mut user: Vec<String> = p.allow_user.iter().chain(&p.extra_user).cloned().collect();
    let mut tag: Vec<u64> = p.allow_tag.iter().chain(&p.extra_tag).copied().collect();
    party.sort_unstable();
    party.dedup();
    user.sort();
    user.dedup();
    tag.sort_unstable();
    tag.dedup();
    store::Range { party, user, tag }
}

pub async fn apply_command(
    env: &Env,
    ctx: &worker::Context,
    cfg: &Config,
    event: &CommandEvent,
    now: u64,
) -> Result<Outcome, ApiError> {
    let kv = env.kv("KV")?;
    let wecom = WeCom::new(cfg, env.kv("KV")?);
    match event {
        CommandEvent::SuiteTicket {
            suite_id, ticket, ..
        } => {
            if suite_id != &cfg.suite_id {
                return Ok("ignored: another suite".into());
            }
            kv.put(SUITE_TICKET_KEY, ticket.as_str())?
                .expiration_ttl(SUITE_TICKET_TTL_SECS)
                .execute()
                .await?;
            Ok("stored".into())
        }
        CommandEvent::CreateAuth { auth_code, .. } => {
            let code = wecom.get_permanent_code(auth_code).await?;
            let corp_id = code.auth_corp_info.corpid.clone();
            let agent = code
                .auth_info
                .our_agent()
                .ok_or_else(|| ApiError::new(502, "wecom_error", "auth_info has no agent"))?;
            let sealed = sealer(cfg).seal(&code.permanent_code, random::<12>()?);
            let db = store::db(env)?;
            store::install(
                &db,
                &Installation {
                    corp_id: &corp_id,
                    corp_name: &code.auth_corp_info.corp_name,
                    agent_id: agent.agentid,
                    permanent_code_sealed: &sealed,
                    range: &range(&agent.privilege),
                    install_key: &install_key(&cfg.suite_id, &corp_id),
                    now,
                },
            )
            .await?;
            let admins = wecom.get_admin_list(&corp_id, agent.agentid).await?;
            store::replace_admins(&db, &corp_id, &admins).await?;
            // The trial window as WeCom counts it; our first-install record
            // stands in if WeCom cannot answer now (the cron asks again).
            if let Err(e) = licenses::refresh_license_info(env, cfg, &corp_id, now, "wecom").await {
                console_error!("install {corp_id}: get_app_license_info: {}", e.message);
            }
            store::bump_generation(env, &corp_id).await;
            sync_later(env, ctx, cfg, &corp_id, "install");
            Ok(Outcome {
                note: "installed, sync started".into(),
                corp_id: Some(corp_id),
            })
        }
        CommandEvent::ChangeAuth { auth_corp_id, .. } => {
            let note = refresh_auth(env, cfg, &wecom, auth_corp_id, now, "wecom").await?;
            sync_later(env, ctx, cfg, auth_corp_id, "change_auth");
            Ok(format!("{note}, sync started").into())
        }
        CommandEvent::ChangeContact {
            auth_corp_id,
            change,
        } => {
            if !store::corp_exists(&store::db(env)?, auth_corp_id).await? {
                return Ok("ignored: organisation not installed".into());
            }
            match sync::apply_change(env, cfg, auth_corp_id, change, now).await? {
                sync::Applied::Done(note) => {
                    store::bump_generation(env, auth_corp_id).await;
                    Ok(note.into())
                }
                sync::Applied::NeedsFullSync => {
                    sync_later(env, ctx, cfg, auth_corp_id, "change_contact");
                    Ok("sync started".into())
                }
            }
        }
        CommandEvent::CancelAuth { auth_corp_id, .. } => {
            store::delete_organisation(&store::db(env)?, auth_corp_id).await?;
            // Every KV key of the organisation lives under corp:{id}:.
            let listed = kv
                .list()
                .prefix(format!("corp:{auth_corp_id}:"))
                .execute()
                .await?;
            for key in listed.keys {
                kv.delete(&key.name).await?;
            }
            kv.delete(&corp_token_key(auth_corp_id)).await?;
            Ok("deleted".into())
        }
        CommandEvent::LicensePaySuccess {
            auth_corp_id,
            order_id,
            ..
        } => {
            if !store::corp_exists(&store::db(env)?, auth_corp_id).await? {
                return Ok("ignored: organisation not installed".into());
            }
            crate::licenses::mirror_order(env, cfg, auth_corp_id, order_id, now).await
        }
        CommandEvent::LicenseRefund {
            auth_corp_id,
            order_id,
            order_status,
        } => {
            let db = store::db(env)?;
            let n = store::refund_order(
                &db,
                auth_corp_id,
                order_id,
                order_status.unwrap_or(4).into(),
                now,
            )
            .await?;
            store::audit(
                &db,
                auth_corp_id,
                now,
                "wecom",
                "order_refunded",
                &json!({"order_id": order_id, "seats": n}),
            )
            .await?;
            store::bump_generation(env, auth_corp_id).await;
            Ok(format!("{n} seats refunded").into())
        }
        CommandEvent::AutoActivate {
            auth_corp_id,
            accounts,
            ..
        } => {
            let db = store::db(env)?;
            for a in accounts {
                store::auto_activated(&db, auth_corp_id, a, now).await?;
            }
            store::audit(
                &db,
                auth_corp_id,
                now,
                "wecom",
                "auto_activated",
                &json!({"accounts": accounts.len()}),
            )
            .await?;
            store::bump_generation(env, auth_corp_id).await;
            Ok(format!("{} accounts auto-activated", accounts.len()).into())
        }
        CommandEvent::Unknown { .. } => Ok("kept: unknown kind".into()),
    }
}

/// Re-reads `get_auth_info` and stores the range; used by change_auth and cron.
pub async fn refresh_auth(
    env: &Env,
    cfg: &Config,
    wecom: &WeCom<'_>,
    corp_id: &str,
    now: u64,
    actor: &str,
) -> Result<String, ApiError> {
    let Some((code, _)) = permanent_code(env, cfg, corp_id).await? else {
        return Ok("ignored: organisation not installed".into());
    };
    let auth = wecom.get_auth_info(corp_id, &code).await?;
    let agent = auth
        .auth_info
        .our_agent()
        .ok_or_else(|| ApiError::new(502, "wecom_error", "auth_info has no agent"))?;
    let new_range = range(&agent.privilege);
    let db = store::db(env)?;
    let changed = store::update_range(
        &db,
        corp_id,
        &auth.auth_corp_info.corp_name,
        &new_range,
        now,
    )
    .await?;
    if changed {
        store::audit(&db, corp_id, now, actor, "range_changed", &json!(new_range)).await?;
        Ok("range updated".into())
    } else {
        Ok("range unchanged".into())
    }
}

pub async fn apply_data(
    env: &Env,
    _cfg: &Config,
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
            store::record_seat_request(&store::db(env)?, corp_id, userid, (*at).min(now).max(1))
                .await?;
            "seat request recorded".into()
        }
        DataEvent::EnterAgent { .. } => "recorded".into(),
        DataEvent::Unknown { .. } => "kept: unknown kind".into(),
    })
}

/// Starts a full sync after the answer has gone (WeCom wants it in 5 s).
pub fn sync_later(env: &Env, ctx: &worker::Context, cfg: &Config, corp_id: &str, actor: &str) {
    let (env, cfg, corp_id, actor) = (
        env.clone(),
        cfg.clone(),
        corp_id.to_owned(),
        actor.to_owned(),
    );
    ctx.wait_until(async move {
        let _ = sync::run(&env, &cfg, &corp_id, &actor).await;
    });
}
