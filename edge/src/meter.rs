//! What the Worker spends of what Cloudflare bills (requests, D1 rows, KV
//! and queue operations) and of its limits (D1 queries, WeCom calls),
//! counted per isolate in development builds and read by the benchmark
//! (`GET /api/v1/dev/meter`) before and after a unit of work. Production
//! builds count nothing: every [`count`] compiles to nothing there.
//! `wrangler dev` runs the Worker in one isolate, so its totals are the
//! Worker's.

#[cfg(feature = "dev")]
pub use domain::cost::Usage;

/// One thing the Worker spent (production builds make but never read
/// them).
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "dev"), allow(dead_code))]
pub enum Spend {
    /// A request (fetch invocation).
    Request,
    /// A queue batch delivered `n` messages.
    Delivered(u64),
    /// A cron run.
    Cron,
    /// A D1 round trip (a statement or a batch).
    D1Query,
    /// Rows D1 says a statement read and wrote.
    D1Rows(u64, u64),
    KvRead,
    KvWrite,
    KvDelete,
    KvList,
    /// `n` messages sent to a queue.
    Sent(u64),
    /// A call to WeCom's API.
    WeComCall,
}

#[cfg(feature = "dev")]
thread_local! {
    static SPENT: std::cell::RefCell<Usage> = std::cell::RefCell::new(Usage::default());
}

/// Counts `spend` (development builds).
#[cfg_attr(not(feature = "dev"), allow(unused_variables))]
#[inline]
pub fn count(spend: Spend) {
    #[cfg(feature = "dev")]
    SPENT.with(|s| add(&mut s.borrow_mut(), spend));
}

#[cfg(feature = "dev")]
fn add(u: &mut Usage, spend: Spend) {
    match spend {
        Spend::Request => u.requests += 1.0,
        Spend::Delivered(n) => {
            u.queue_batches += 1.0;
            u.queue_deliveries += n as f64;
        }
        Spend::Cron => u.cron_runs += 1.0,
        Spend::D1Query => u.d1_queries += 1.0,
        Spend::D1Rows(read, written) => {
            u.d1_rows_read += read as f64;
            u.d1_rows_written += written as f64;
        }
        Spend::KvRead => u.kv_reads += 1.0,
        Spend::KvWrite => u.kv_writes += 1.0,
        Spend::KvDelete => u.kv_deletes += 1.0,
        Spend::KvList => u.kv_lists += 1.0,
        Spend::Sent(n) => u.queue_sends += n as f64,
        Spend::WeComCall => u.wecom_calls += 1.0,
    }
}

/// The isolate's totals so far (development builds).
#[cfg(feature = "dev")]
pub fn spent() -> Usage {
    SPENT.with(|s| s.borrow().clone())
}
