//! The one door to D1: every statement the Worker runs is a [`Statement`]
//! of a [`Db`] (`shard` opens it), so what must happen on every D1 round
//! trip happens here, once. In production that is nothing: the calls go
//! straight to the `worker` crate's D1 binding. In development builds (the
//! `dev` feature) each round trip (a statement's `run`/`all`/`first`, or
//! one `batch`) is counted for the invocation that made it, with the rows
//! D1 says it read and wrote, and the D1 fault switch may fail it
//! ([`dev`]).

use serde::Deserialize;
use worker::{wasm_bindgen::JsValue, D1Database, D1PreparedStatement, D1Result, Result};

/// The D1 binding, every call of which goes through [`round_trip`].
pub struct Db(D1Database);

/// A prepared statement of a [`Db`].
pub struct Statement(D1PreparedStatement);

impl Db {
    pub fn new(binding: D1Database) -> Db {
        Db(binding)
    }

    /// Prepares a statement (no round trip yet).
    pub fn prepare(&self, sql: impl Into<String>) -> Statement {
        Statement(self.0.prepare(sql))
    }

    /// The statements in one transaction: one round trip.
    pub async fn batch(&self, statements: Vec<Statement>) -> Result<Vec<D1Result>> {
        let fault = round_trip()?;
        let answer = self
            .0
            .batch(statements.into_iter().map(|s| s.0).collect())
            .await;
        #[cfg(feature = "dev")]
        if let Ok(results) = &answer {
            dev::count_rows(results);
        }
        reply(fault, answer)
    }
}

impl Statement {
    pub fn bind(self, values: &[JsValue]) -> Result<Statement> {
        Ok(Statement(self.0.bind(values)?))
    }

    /// The first row. Read through `all`, so the rows D1 says it read are
    /// counted like any other statement's (single-row queries only).
    pub async fn first<T>(&self) -> Result<Option<T>>
    where
        T: for<'a> Deserialize<'a>,
    {
        Ok(self.all().await?.results::<T>()?.into_iter().next())
    }

    pub async fn all(&self) -> Result<D1Result> {
        let fault = round_trip()?;
        let answer = self.0.all().await;
        #[cfg(feature = "dev")]
        if let Ok(result) = &answer {
            dev::count_rows(std::slice::from_ref(result));
        }
        reply(fault, answer)
    }

    pub async fn run(&self) -> Result<D1Result> {
        let fault = round_trip()?;
        let answer = self.0.run().await;
        #[cfg(feature = "dev")]
        if let Ok(result) = &answer {
            dev::count_rows(std::slice::from_ref(result));
        }
        reply(fault, answer)
    }
}

/// Tries of a write whose loss would leave a lease or claim held until it
/// expires (15 minutes for events and syncs): one failed round trip is
/// tried again at once instead. Found with the D1 fault switch. Each such
/// write may run twice (its reply lost after D1 committed, the fault
/// switch's second kind): an event's mark carries the event's own D1
/// writes guarded by the mark (`store::EventWrite`), and a sync's end is
/// conditional on the run being at its last step, so a second run writes
/// nothing twice. Under the tests' 30 % failures, 5 tries lose a write
/// about once in 400; the claim names its queue message, so the message's
/// next delivery takes a claim whose release was lost back at once.
pub const LEASE_END_TRIES: u32 = 5;

/// Runs `write` until it succeeds, at most [`LEASE_END_TRIES`] times,
/// 100 ms apart; each failure is logged with `what`.
pub async fn retried<F, Fut, T>(what: &str, write: F) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut tries = 1;
    loop {
        match write().await {
            Ok(done) => return Ok(done),
            Err(e) => {
                worker::console_error!("{what}, try {tries} of {LEASE_END_TRIES}: {e}");
                if tries == LEASE_END_TRIES {
                    return Err(e);
                }
            }
        }
        tries += 1;
        worker::Delay::from(std::time::Duration::from_millis(100)).await;
    }
}

/// A round trip whose statement runs but whose reply is lost (the fault
/// switch's second kind; never in production).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LoseReply(bool);

/// What happens before every D1 round trip: nothing in production; in
/// development it is counted and may fail before D1 is asked, or be
/// marked to lose its reply.
fn round_trip() -> Result<LoseReply> {
    crate::meter::count(crate::meter::Spend::D1Query);
    #[cfg(feature = "dev")]
    return dev::round_trip().map(LoseReply);
    #[cfg(not(feature = "dev"))]
    Ok(LoseReply(false))
}

/// D1's answer, or the error a lost reply would have given.
fn reply<T>(fault: LoseReply, answer: Result<T>) -> Result<T> {
    match (fault, answer) {
        (LoseReply(true), Ok(_)) => Err(worker::Error::RustError(
            "D1 call failed: the development fault switch lost the reply of a statement D1 ran"
                .into(),
        )),
        (_, answer) => answer,
    }
}

/// Development builds only: the invocation's D1 round trips, counted, and
/// the fault switch (tests of what the Worker does when D1 fails).
///
/// An invocation (a request, a queue batch, a cron run) runs inside
/// [`dev::Invocation::scope`], which makes it the current one while its
/// future is polled; workerd may interleave several invocations in one
/// isolate, and each poll swaps its own in, so counts never mix. Outside
/// any scope nothing is counted and nothing fails.
#[cfg(feature = "dev")]
pub mod dev {
    use domain::api::D1Faults;
    use std::cell::{Cell, RefCell};
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll};

    /// One invocation's D1 state.
    #[derive(Debug)]
    pub struct Invocation {
        /// Share of its D1 round trips that fail (0 = none, 1 = all), and
        /// whether half of those lose their reply after D1 ran them.
        faults: D1Faults,
        /// Round trips it made (the failed ones too).
        calls: Cell<u32>,
        /// Rows D1 says its statements read and wrote (`meta.rows_read`,
        /// `meta.rows_written`; a `first` reports none).
        rows_read: Cell<u64>,
        rows_written: Cell<u64>,
    }

    thread_local! {
        static CURRENT: RefCell<Option<Rc<Invocation>>> = const { RefCell::new(None) };
    }

    impl Invocation {
        pub fn new(faults: D1Faults) -> Rc<Invocation> {
            Rc::new(Invocation {
                faults,
                calls: Cell::new(0),
                rows_read: Cell::new(0),
                rows_written: Cell::new(0),
            })
        }

        /// D1 round trips made so far.
        pub fn calls(&self) -> u32 {
            self.calls.get()
        }

        /// Rows read and written so far, as D1 reported them.
        pub fn rows(&self) -> (u64, u64) {
            (self.rows_read.get(), self.rows_written.get())
        }

        /// `fut`, run as this invocation.
        pub fn scope<F: Future>(self: &Rc<Self>, fut: F) -> Scoped<F> {
            Scoped {
                invocation: Rc::clone(self),
                fut: Box::pin(fut),
            }
        }
    }

    /// A future that is its invocation's while it is polled.
    pub struct Scoped<F> {
        invocation: Rc<Invocation>,
        fut: Pin<Box<F>>,
    }

    impl<F: Future> Future for Scoped<F> {
        type Output = F::Output;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            let mine = Some(Rc::clone(&self.invocation));
            let before = CURRENT.with(|c| c.replace(mine));
            let polled = self.fut.as_mut().poll(cx);
            CURRENT.with(|c| c.replace(before));
            polled
        }
    }

    /// Counts a round trip of the current invocation, and fails it when
    /// the switch says so: before D1 is asked (an error), or after
    /// (`Ok(true)`: run it, then lose the reply).
    pub(super) fn round_trip() -> worker::Result<bool> {
        let Some(invocation) = CURRENT.with(|c| c.borrow().clone()) else {
            return Ok(false);
        };
        invocation.calls.set(invocation.calls.get() + 1);
        let faults = invocation.faults;
        if !fails(faults.d1_failure_share, worker::js_sys::Math::random()) {
            return Ok(false);
        }
        if faults.lost_replies && worker::js_sys::Math::random() < 0.5 {
            return Ok(true);
        }
        Err(worker::Error::RustError(
            "D1 call failed: the development fault switch (d1_failure_share) failed it".into(),
        ))
    }

    /// Adds what D1 says these results read and wrote to the current
    /// invocation's rows.
    pub(super) fn count_rows(results: &[worker::D1Result]) {
        for meta in results.iter().filter_map(|r| r.meta().ok().flatten()) {
            crate::meter::count(crate::meter::Spend::D1Rows(
                meta.rows_read.unwrap_or(0) as u64,
                meta.rows_written.unwrap_or(0) as u64,
            ));
        }
        let Some(invocation) = CURRENT.with(|c| c.borrow().clone()) else {
            return;
        };
        for meta in results.iter().filter_map(|r| r.meta().ok().flatten()) {
            let (read, written) = (meta.rows_read.unwrap_or(0), meta.rows_written.unwrap_or(0));
            invocation
                .rows_read
                .set(invocation.rows_read.get() + read as u64);
            invocation
                .rows_written
                .set(invocation.rows_written.get() + written as u64);
        }
    }

    /// Whether the fault switch drops contacts sync steps (their queue
    /// message is lost) in the current invocation.
    pub fn lose_sync_steps() -> bool {
        CURRENT.with(|c| {
            c.borrow()
                .as_ref()
                .is_some_and(|i| i.faults.lose_sync_steps)
        })
    }

    /// Whether a call fails, given the share that should and a uniform
    /// draw in `[0, 1)`.
    pub(super) fn fails(failure_share: f64, draw: f64) -> bool {
        draw < failure_share
    }

    #[cfg(test)]
    mod tests {
        use super::fails;

        #[test]
        fn the_share_of_draws_below_it_fail() {
            assert!(!fails(0.0, 0.0), "0 fails nothing");
            assert!(fails(1.0, 0.999_999), "1 fails everything");
            let draws: Vec<f64> = (0..1000).map(|i| i as f64 / 1000.0).collect();
            let failed = draws.iter().filter(|d| fails(0.3, **d)).count();
            assert_eq!(failed, 300);
        }
    }
}
