//! The one door to KV: every `put` the Worker makes goes through
//! [`Kv::put`] (`env::kv` opens it; reads, lists and deletes pass
//! straight to the `worker` crate's binding), and each is counted
//! (`meter`).
//!
//! Cloudflare takes one write a second to a key and answers a faster one
//! with 429 ([`SAME_KEY_WRITE_MS`]); the local KV under `wrangler dev`
//! takes any number, so code that writes one key in a burst would pass
//! every test and lose writes in production. Development builds (the
//! `dev` feature) therefore refuse, as Cloudflare does, a write to a key
//! this isolate wrote less than a second ago. Production builds go
//! straight to the binding.

use crate::meter::{self, Spend};
use worker::kv::{
    GetOptionsBuilder, KvError, KvStore, ListOptionsBuilder, PutOptionsBuilder, ToRawKvValue,
};

/// Writes Cloudflare takes to one key: one a second; a faster one fails
/// with `429 Too Many Requests`
/// (<https://developers.cloudflare.com/kv/platform/limits/>, "Writes to
/// same key").
pub const SAME_KEY_WRITE_MS: u64 = 1_000;

/// Tries of [`Kv::put_in_turn`]: a write refused for the key's second is
/// sent again once the second is over.
const SAME_KEY_TRIES: u32 = 3;

/// The KV binding; its `put` is [`Kv::put`].
pub struct Kv(KvStore);

impl Kv {
    pub fn new(binding: KvStore) -> Kv {
        Kv(binding)
    }

    /// A write of `value` to `key`, sent by [`Put::execute`].
    pub fn put<T: ToRawKvValue>(&self, key: &str, value: T) -> Result<Put, KvError> {
        Ok(Put {
            key: key.to_owned(),
            builder: self.0.put(key, value)?,
        })
    }
}

impl Kv {
    /// Writes `value` to `key`, waiting out the key's second when KV
    /// refuses a write too soon after the last (a record whose last state
    /// must land, like a sync's end written a moment after its start).
    pub async fn put_in_turn(
        &self,
        key: &str,
        value: &str,
        ttl_secs: Option<u64>,
    ) -> Result<(), KvError> {
        let mut tries = 1;
        loop {
            let mut put = self.put(key, value)?;
            if let Some(secs) = ttl_secs {
                put = put.expiration_ttl(secs);
            }
            match put.execute().await {
                Err(e) if too_soon(&e) && tries < SAME_KEY_TRIES => {
                    tries += 1;
                    worker::Delay::from(std::time::Duration::from_millis(SAME_KEY_WRITE_MS)).await;
                }
                done => return done,
            }
        }
    }
}

/// Whether KV refused a write for coming within a second of the last to
/// its key (Cloudflare's error and the development builds' both say 429).
pub fn too_soon(e: &KvError) -> bool {
    e.to_string().contains("429")
}

/// Reads, lists and deletes go straight to the binding, counted
/// (`meter`).
impl Kv {
    pub fn get(&self, key: &str) -> GetOptionsBuilder {
        meter::count(Spend::KvRead);
        self.0.get(key)
    }

    pub fn list(&self) -> ListOptionsBuilder {
        meter::count(Spend::KvList);
        self.0.list()
    }

    pub async fn delete(&self, key: &str) -> Result<(), KvError> {
        meter::count(Spend::KvDelete);
        self.0.delete(key).await
    }
}

/// One write, not yet sent.
pub struct Put {
    #[cfg_attr(not(feature = "dev"), allow(dead_code))]
    key: String,
    builder: PutOptionsBuilder,
}

impl Put {
    pub fn expiration_ttl(self, secs: u64) -> Put {
        Put {
            builder: self.builder.expiration_ttl(secs),
            ..self
        }
    }

    /// Sends the write: one KV operation.
    pub async fn execute(self) -> Result<(), KvError> {
        #[cfg(feature = "dev")]
        dev::same_key_write(&self.key)?;
        meter::count(Spend::KvWrite);
        self.builder.execute().await
    }
}

/// Development builds only: Cloudflare's one write a second to a key,
/// kept per isolate (`wrangler dev` runs one).
#[cfg(feature = "dev")]
mod dev {
    use super::{KvError, SAME_KEY_WRITE_MS};
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// Keys remembered; older entries are dropped when it is full.
    const REMEMBERED: usize = 10_000;

    thread_local! {
        /// key -> when this isolate last wrote it (ms)
        static WRITTEN: RefCell<HashMap<String, u64>> = Default::default();
    }

    /// Refuses a write to `key` within a second of the last, as Cloudflare
    /// does; otherwise notes it.
    pub(super) fn same_key_write(key: &str) -> Result<(), KvError> {
        let now = worker::Date::now().as_millis();
        WRITTEN.with(|w| {
            let mut w = w.borrow_mut();
            if refused(w.get(key).copied(), now) {
                // The error Cloudflare's binding throws, with the reason.
                let message = format!(
                    "KV PUT failed: 429 Too Many Requests (\"{key}\" was written less than \
                     {SAME_KEY_WRITE_MS} ms ago; Cloudflare takes one write a second to a key)"
                );
                return Err(KvError::JavaScript(
                    worker::js_sys::Error::new(&message).into(),
                ));
            }
            if w.len() >= REMEMBERED {
                w.retain(|_, at| !refused(Some(*at), now));
            }
            w.insert(key.to_owned(), now);
            Ok(())
        })
    }

    /// Whether a write at `now` to a key last written at `last` is refused.
    pub(super) fn refused(last: Option<u64>, now: u64) -> bool {
        last.is_some_and(|at| now.saturating_sub(at) < SAME_KEY_WRITE_MS)
    }

    #[cfg(test)]
    mod tests {
        use super::refused;

        #[test]
        fn a_key_takes_one_write_a_second() {
            assert!(!refused(None, 5_000), "a first write goes through");
            assert!(refused(Some(5_000), 5_000));
            assert!(refused(Some(5_000), 5_999));
            assert!(!refused(Some(5_000), 6_000));
        }
    }
}
