//! Which D1 database an organisation's rows live on (README "How far one
//! D1 goes"). `D1_DATABASES` names the bindings, home first (default:
//! `DB` alone). The home database holds what belongs to no one
//! organisation: the directory (`org_homes`), the install history,
//! sign-in states and sessions, events whose organisation is not known
//! yet, and the provider's desk. Each organisation lives wholly on one
//! database, the one the directory names (or home, when it names none),
//! so no statement ever needs two.
//!
//! With one database nothing is looked up. With several, an
//! organisation's home is read from the directory once per isolate and
//! remembered: organisations do not move while the Worker runs, and an
//! entry outlives cancel_auth, so a reinstall lands where it lived (moving
//! one by hand means copying its rows, changing its directory row, and
//! deploying, which starts new isolates).

use crate::d1::Db;
use crate::error::ApiError;
use crate::{env, store};
use std::cell::RefCell;
use std::collections::HashMap;
use worker::Env;

/// The variable that lists the databases' bindings, home first.
pub const DATABASES_VAR: &str = "D1_DATABASES";
/// Homes an isolate remembers before it starts over (about 100 bytes
/// each: 10 MB of the isolate's 128 MB; Workers limits, "Memory").
const REMEMBERED_MAX: usize = 100_000;

thread_local! {
    static BINDINGS: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
    static HOMES: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// The bindings, home first, as this isolate first read them.
pub fn bindings(env: &Env) -> Vec<String> {
    if let Some(b) = BINDINGS.with(|b| b.borrow().clone()) {
        return b;
    }
    let names = domain::placement::databases(&env::value(env, DATABASES_VAR).unwrap_or_default());
    BINDINGS.with(|b| *b.borrow_mut() = Some(names.clone()));
    names
}

/// The database of a binding (one [`bindings`] or [`binding_for`] named).
pub fn open_binding(env: &Env, binding: &str) -> Result<Db, ApiError> {
    Ok(Db::new(env.d1(binding)?))
}

/// The home database.
pub fn home(env: &Env) -> Result<Db, ApiError> {
    open_binding(env, &bindings(env)[0])
}

/// Every database, home first: for what reads across organisations (the
/// cron's scans, pruning, the provider's alerts) and runs once on each.
pub fn every(env: &Env) -> Result<Vec<Db>, ApiError> {
    bindings(env).iter().map(|b| open_binding(env, b)).collect()
}

/// Remembers where an organisation lives (the directory just said so).
pub fn remember(corp_id: &str, binding: &str) {
    HOMES.with(|h| {
        let mut h = h.borrow_mut();
        if h.len() >= REMEMBERED_MAX {
            h.clear();
        }
        h.insert(corp_id.to_owned(), binding.to_owned());
    });
}

/// The database holding `corp_id`'s rows ([`binding_for`]).
pub async fn db_for(env: &Env, corp_id: &str) -> Result<Db, ApiError> {
    let binding = binding_for(env, corp_id).await?;
    open_binding(env, &binding)
}

/// The binding of the database holding `corp_id`'s rows: home when there
/// is one database or no organisation is named; otherwise the one the
/// directory names, or, when it names none (an organisation not installed
/// yet), the one its corp id hashes to, where its install will place it
/// (`domain::placement`). Read once per isolate.
pub async fn binding_for(env: &Env, corp_id: &str) -> Result<String, ApiError> {
    let mut names = bindings(env);
    if names.len() == 1 || corp_id.is_empty() {
        return Ok(names.swap_remove(0));
    }
    if let Some(b) = HOMES.with(|h| h.borrow().get(corp_id).cloned()) {
        return Ok(b);
    }
    let binding = match store::home_of(&open_binding(env, &names[0])?, corp_id).await? {
        Some(b) if names.contains(&b) => b,
        Some(b) => {
            return Err(ApiError::internal(format!(
                "the directory places {corp_id} on {b}, which {DATABASES_VAR} does not name"
            )))
        }
        None => names[domain::placement::pick(corp_id, names.len())].clone(),
    };
    remember(corp_id, &binding);
    Ok(binding)
}
