//! An organisation as the features use it: opened (D1, a WeCom client and
//! its permanent code), installed from an auth code, its auth info and
//! admins refreshed, or cancelled with every trace of it removed.

use crate::cache;
use crate::d1::Db;
use crate::env::{self, random, Config};
use crate::error::ApiError;
use crate::shard;
use crate::store::{self, Installation};
use crate::wecom::{corp_token_key, WeCom};
use domain::ids::install_key;
use domain::range::VisibleRange;
use domain::seal::{SealError, Sealer};
use domain::wecom::{Agent, AuthInfo, Privilege};
use worker::Env;

/// An installed organisation, ready for contacts calls.
pub struct Corp<'a> {
    pub db: Db,
    pub wecom: WeCom<'a>,
    pub permanent_code: String,
    /// The app's id in this organisation (0 before WeCom named it).
    pub agent_id: u64,
}

fn sealer(cfg: &Config) -> Sealer {
    Sealer::new(&cfg.data_secret, "permanent_code")
}

/// KV key set once no permanent code sealed the old way (`v1:`) is left:
/// from then on such a value is refused, not sealed again.
const OLD_SEALS_RETIRED: &str = "seal:v1_retired";

/// Old values the cron seals again per run (each a D1 write).
const RESEAL_BATCH: u64 = 50;

/// Opens the organisation's sealed permanent code. A value sealed the old
/// way (`v1:`, bound to no organisation) is sealed again for its
/// organisation and written back at its first use (while any are left,
/// `OLD_SEALS_RETIRED` unset); after that it is refused.
async fn open_sealed(
    env: &Env,
    cfg: &Config,
    db: &Db,
    corp_id: &str,
    sealed: &str,
) -> Result<String, ApiError> {
    let refused = |e| ApiError::internal(format!("permanent code of {corp_id}: {e}"));
    match sealer(cfg).open(sealed, corp_id) {
        Err(SealError::Old) => {
            if env::kv(env)?.get(OLD_SEALS_RETIRED).text().await?.is_some() {
                return Err(refused(SealError::Old));
            }
            reseal(cfg, db, corp_id, sealed).await
        }
        other => other.map_err(refused),
    }
}

/// Seals an old value again for `corp_id` and writes it back in place of
/// `old` (unless something else already replaced it): the code.
async fn reseal(cfg: &Config, db: &Db, corp_id: &str, old: &str) -> Result<String, ApiError> {
    let sealer = sealer(cfg);
    let code = sealer
        .open_old(old)
        .map_err(|e| ApiError::internal(format!("old permanent code of {corp_id}: {e}")))?;
    let bound = sealer.seal(&code, corp_id, random::<12>()?);
    if store::reseal_permanent_code(db, corp_id, old, &bound).await? {
        worker::console_log!("{corp_id}: permanent code sealed again, bound to the organisation");
    }
    Ok(code)
}

/// The cron's part: seals again up to [`RESEAL_BATCH`] old values, and
/// once none is left retires the old kind for good. Nothing to do (one KV
/// read) after that.
pub async fn retire_old_seals(env: &Env, cfg: &Config) -> Result<u64, ApiError> {
    let kv = env::kv(env)?;
    if kv.get(OLD_SEALS_RETIRED).text().await?.is_some() {
        return Ok(0);
    }
    // Each database's batch; the old kind is retired once every one of
    // them had none left.
    let (mut resealed, mut all_done) = (0, true);
    for db in shard::every(env)? {
        let old = store::old_sealed_codes(&db, RESEAL_BATCH).await?;
        let mut here = 0;
        for (corp_id, sealed) in &old {
            match reseal(cfg, &db, corp_id, sealed).await {
                Ok(_) => here += 1,
                Err(e) => worker::console_error!("cron: {corp_id}: {}", e.message),
            }
        }
        all_done &= here == old.len() as u64 && (old.len() as u64) < RESEAL_BATCH;
        resealed += here;
    }
    if all_done {
        kv.put(OLD_SEALS_RETIRED, "1")?.execute().await?;
    }
    Ok(resealed)
}

/// The development build's test route: seals the organisation's permanent
/// code the old way, as a deployment before binding left it, and (unless
/// `keep_retired`) forgets that the old kind was retired, as a deployment
/// just upgraded would be.
#[cfg(feature = "dev")]
pub async fn plant_old_seal(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    keep_retired: bool,
) -> Result<(), ApiError> {
    let corp = open_installed(env, cfg, corp_id).await?;
    let old = sealer(cfg).seal_old(&corp.permanent_code, random::<12>()?);
    store::set_sealed_permanent_code(&corp.db, corp_id, &old).await?;
    if !keep_retired {
        env::kv(env)?.delete(OLD_SEALS_RETIRED).await?;
    }
    Ok(())
}

/// Opens an installed organisation; `None` when it is not installed.
pub async fn open<'a>(
    env: &Env,
    cfg: &'a Config,
    corp_id: &str,
) -> Result<Option<Corp<'a>>, ApiError> {
    let db = shard::db_for(env, corp_id).await?;
    let Some((sealed, agent_id)) = store::sealed_permanent_code(&db, corp_id).await? else {
        return Ok(None);
    };
    let permanent_code = open_sealed(env, cfg, &db, corp_id, &sealed).await?;
    Ok(Some(Corp {
        db,
        wecom: WeCom::new(cfg, env::kv(env)?),
        permanent_code,
        agent_id,
    }))
}

/// Opens an organisation that must be installed (404 otherwise).
pub async fn open_installed<'a>(
    env: &Env,
    cfg: &'a Config,
    corp_id: &str,
) -> Result<Corp<'a>, ApiError> {
    open(env, cfg, corp_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organisation is not installed"))
}

/// The visible range, extras included, sorted and without repeats.
fn range(p: &Privilege) -> VisibleRange {
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
    VisibleRange { party, user, tag }
}

fn our_agent(auth: &AuthInfo) -> Result<&Agent, ApiError> {
    auth.our_agent()
        .ok_or_else(|| ApiError::new(502, "wecom_error", "auth_info has no agent"))
}

/// D1 write attempts for a permanent code WeCom just returned: the auth
/// code is spent, so losing the answer to one failed write would lose the
/// install.
const SEAL_ATTEMPTS: u32 = 3;

/// `create_auth`: trades the auth code for the permanent code and stores
/// the organisation with it sealed, before anything else is tried (see
/// `install`). Returns the organisation's id.
pub async fn install(
    env: &Env,
    cfg: &Config,
    auth_code: &str,
    event_key: &str,
    now: u64,
) -> Result<String, ApiError> {
    let wecom = WeCom::new(cfg, env::kv(env)?);
    let code = wecom.get_permanent_code(auth_code).await?;
    let corp_id = code.auth_corp_info.corpid.clone();
    let agent = our_agent(&code.auth_info)?;
    let sealed = sealer(cfg).seal(&code.permanent_code, &corp_id, random::<12>()?);
    let installation = Installation {
        corp_id: corp_id.clone(),
        corp_name: code.auth_corp_info.corp_name.clone(),
        agent_id: agent.agentid,
        permanent_code_sealed: sealed,
        range: range(&agent.privilege),
        auth_mode: agent.auth_mode,
        install_key: install_key(&cfg.suite_id, &corp_id),
        now,
        first_installed_at: 0,
    };
    let mut attempt = 1;
    while let Err(e) = store_install(env, &installation, event_key).await {
        worker::console_error!(
            "install {corp_id}: storing the permanent code, attempt {attempt} of {SEAL_ATTEMPTS}: {}",
            e.message
        );
        if attempt == SEAL_ATTEMPTS {
            return Err(e);
        }
        attempt += 1;
        worker::Delay::from(std::time::Duration::from_millis(200)).await;
    }
    // The corp token that came along; it can be asked for again.
    if let Err(e) = wecom.keep_corp_token(&code).await {
        worker::console_error!("install {corp_id}: keeping the corp token: {e}");
    }
    Ok(corp_id)
}

/// Stores an install: first on the home database (the install history,
/// the directory's entry and the install kept on its `create_auth` event),
/// then the organisation's row on the database the directory places it on.
/// A pass that finds the install kept but the organisation missing (the
/// second write failed) finishes it with [`finish_install`].
async fn store_install(env: &Env, i: &Installation, event_key: &str) -> Result<(), ApiError> {
    let names = shard::bindings(env);
    let chosen = &names[domain::placement::pick(&i.corp_id, names.len())];
    let (kept, placed) = store::install_home(&shard::home(env)?, i, event_key, chosen).await?;
    shard::remember(&kept.corp_id, &placed);
    finish_install(env, &kept).await
}

/// The organisation's own part of a kept install (`store::install`), on
/// the database the directory names.
pub async fn finish_install(env: &Env, kept: &Installation) -> Result<(), ApiError> {
    let db = shard::db_for(env, &kept.corp_id).await?;
    store::install(&db, kept).await?;
    Ok(())
}

/// Re-reads `get_auth_info` and stores the range; used by change_auth and cron.
pub async fn refresh_auth(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    now: u64,
    actor: &str,
) -> Result<String, ApiError> {
    let Some(corp) = open(env, cfg, corp_id).await? else {
        return Ok("ignored: organisation not installed".into());
    };
    let auth = corp
        .wecom
        .get_auth_info(corp_id, &corp.permanent_code)
        .await?;
    let agent = our_agent(&auth.auth_info)?;
    let new_range = range(&agent.privilege);
    let corp_name = &auth.auth_corp_info.corp_name;
    let mode = agent.auth_mode;
    if store::update_range(&corp.db, corp_id, corp_name, &new_range, mode, now).await? {
        let detail = serde_json::to_value(&new_range).unwrap_or_default();
        store::audit(&corp.db, corp_id, now, actor, "range_changed", &detail).await?;
        Ok("range updated".into())
    } else {
        Ok("range unchanged".into())
    }
}

/// Re-reads the app's admins with the organisation's own token
/// (`agent/get_admin_list`) and stores them with their `auth_type`; used
/// on install, on `change_app_admin` and by the cron. A change is audited.
pub async fn refresh_admins(
    env: &Env,
    cfg: &Config,
    corp_id: &str,
    now: u64,
    actor: &str,
) -> Result<String, ApiError> {
    let Some(corp) = open(env, cfg, corp_id).await? else {
        return Ok("ignored: organisation not installed".into());
    };
    let mut admins = corp.wecom.admin_list(corp_id, &corp.permanent_code).await?;
    admins.sort_by(|a, b| a.userid.cmp(&b.userid));
    admins.dedup_by(|a, b| a.userid == b.userid);
    let before = store::admins(&corp.db, corp_id).await?;
    if before == admins {
        return Ok("admins unchanged".into());
    }
    store::replace_admins(&corp.db, corp_id, &admins).await?;
    let detail = serde_json::json!({"before": before, "after": admins});
    store::audit(&corp.db, corp_id, now, actor, "admins_changed", &detail).await?;
    Ok(format!("{} admins", admins.len()))
}

/// KV operations an uninstall may spend on its cleanup, of the
/// invocation's [`cache::KV_OPERATIONS_PER_INVOCATION`]; the rest is left
/// to the callback around it (the clock, tickets, tokens).
const CANCEL_KV_BUDGET: usize = cache::KV_OPERATIONS_PER_INVOCATION - 50;

/// Of [`CANCEL_KV_BUDGET`], what is kept for listing once the deleting
/// has to stop: one operation reads a page of
/// [`cache::KV_LIST_PAGE_KEYS`] keys, so 200 pages list 200 000 keys.
const CANCEL_KV_LIST_RESERVE: usize = 200;

/// What `cancel_auth` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Cancelled {
    /// Every row and KV key went (keys past the invocation's budget are
    /// left to expire: access views and tokens, never a key without an
    /// expiration).
    Deleted(cache::Cleanup),
    /// The organisation was installed again after WeCom sent the
    /// uninstall: a late retry, ignored.
    Stale,
}

/// The KV page size: WeCom's page, or a smaller one the tests set
/// (`DEV_KV_LIST_PAGE_KEYS`, development builds only) to cross pages
/// cheaply.
#[cfg(feature = "dev")]
fn kv_page_keys(env: &Env) -> u64 {
    if env::dev_mode(env) {
        env::setting(env, "DEV_KV_LIST_PAGE_KEYS", cache::KV_LIST_PAGE_KEYS)
            .clamp(1, cache::KV_LIST_PAGE_KEYS)
    } else {
        cache::KV_LIST_PAGE_KEYS
    }
}

#[cfg(not(feature = "dev"))]
fn kv_page_keys(_env: &Env) -> u64 {
    cache::KV_LIST_PAGE_KEYS
}

/// `cancel_auth` sent at `cancelled_at` (its `TimeStamp`): every row and
/// every KV key of the organisation goes, unless the organisation was
/// installed again after it was sent.
pub async fn cancel(
    env: &Env,
    corp_id: &str,
    cancelled_at: Option<u64>,
) -> Result<Cancelled, ApiError> {
    let db = shard::db_for(env, corp_id).await?;
    let removal = store::delete_organisation(&db, corp_id, cancelled_at).await?;
    if removal == store::Removal::NewerInstall {
        return Ok(Cancelled::Stale);
    }
    store::delete_organisation_home(&shard::home(env)?, corp_id).await?;
    let kv = env::kv(env)?;
    // The corp token first, by name: it matters most.
    kv.delete(&corp_token_key(corp_id)).await?;
    crate::wecom::forget_token(&corp_token_key(corp_id));
    // Every KV key of the organisation lives under corp:{id}:.
    let cleanup = cache::delete_under(
        &kv,
        &format!("corp:{corp_id}:"),
        kv_page_keys(env),
        CANCEL_KV_BUDGET - 1,
        CANCEL_KV_LIST_RESERVE,
    )
    .await?;
    if cleanup.left_to_expire > 0 {
        worker::console_log!(
            "cancel {corp_id}: {} KV keys left to expire on their own",
            cleanup.left_to_expire
        );
    }
    cache::drop_generation(corp_id);
    Ok(Cancelled::Deleted(cleanup))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_takes_the_extras_in_sorted_without_repeats() {
        let p: Privilege = serde_json::from_value(serde_json::json!({
            "allow_party": [3, 1], "allow_user": ["zoe", "amy"], "allow_tag": [9],
            "extra_party": [2, 3], "extra_user": ["amy", "bob"], "extra_tag": [4, 9],
        }))
        .unwrap();
        assert_eq!(
            range(&p),
            VisibleRange {
                party: vec![1, 2, 3],
                user: vec!["amy".into(), "bob".into(), "zoe".into()],
                tag: vec![4, 9],
            }
        );
    }
}
