//! Wall-clock time for the rules, in unix seconds.
//!
//! In local development (the `dev` feature and `DEV_LOGIN=1`) tests may
//! move time: an offset kept in KV is loaded at the start of each request.
//! Production builds have no offset: it is always zero.

use std::cell::Cell;
use worker::Env;

#[cfg(feature = "dev")]
const OFFSET_KEY: &str = "dev:clock_offset";

thread_local! {
    // Workers run one request at a time per isolate thread.
    static OFFSET: Cell<i64> = const { Cell::new(0) };
    // Read from KV once per isolate; `set` updates it in place.
    static LOADED: Cell<bool> = const { Cell::new(false) };
}

pub fn now_secs() -> u64 {
    let wall = worker::Date::now().as_millis() / 1000;
    wall.saturating_add_signed(OFFSET.with(Cell::get))
}

/// Loads the dev clock offset (zero outside dev mode), once per isolate.
#[cfg_attr(not(feature = "dev"), allow(unused_variables))]
pub async fn load(env: &Env) {
    if LOADED.with(Cell::get) {
        return;
    }
    LOADED.with(|l| l.set(true));
    #[allow(unused_mut)]
    let mut offset = 0;
    #[cfg(feature = "dev")]
    if crate::env::dev_mode(env) {
        if let Ok(kv) = env.kv("KV") {
            if let Ok(Some(v)) = kv.get(OFFSET_KEY).text().await {
                offset = v.parse().unwrap_or(0);
            }
        }
    }
    OFFSET.with(|o| o.set(offset));
}

/// Sets the dev clock offset (callers check dev mode).
#[cfg(feature = "dev")]
pub async fn set(env: &Env, offset_secs: i64) -> worker::Result<()> {
    env.kv("KV")?
        .put(OFFSET_KEY, offset_secs.to_string())
        .map_err(|e| worker::Error::RustError(format!("{e:?}")))?
        .execute()
        .await
        .map_err(|e| worker::Error::RustError(format!("{e:?}")))?;
    OFFSET.with(|o| o.set(offset_secs));
    Ok(())
}
