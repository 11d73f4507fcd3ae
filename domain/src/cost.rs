//! What running the Worker costs on Cloudflare: the units Cloudflare bills
//! ([`Usage`], counted by the Worker's development builds and the
//! benchmark), its published prices ([`PRICES`]), and the monthly bill a
//! month of usage comes to ([`bill`]).
//!
//! Prices: Workers Paid plan, read 2026-12-07 from
//! <https://developers.cloudflare.com/workers/platform/pricing/>,
//! <https://developers.cloudflare.com/d1/platform/pricing/>,
//! <https://developers.cloudflare.com/kv/platform/pricing/> and
//! <https://developers.cloudflare.com/queues/platform/pricing/> (the pages
//! carry no date of their own). Subrequests (the calls to WeCom), duration
//! and static assets are not billed.

use serde::{Deserialize, Serialize};

/// What the Worker spent, as counted: what Cloudflare bills and what its
/// limits count.
/// Counts are whole while metered; a unit of work's share of a batch is
/// a fraction, hence floats.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Requests (fetch invocations); static assets are free. Cron runs
    /// and queue batches are invocations billed as requests too.
    pub requests: f64,
    /// Queue consumer invocations (batches), billed as requests.
    pub queue_batches: f64,
    /// Messages delivered to the consumer (each a queue read; a retry is
    /// another).
    pub queue_deliveries: f64,
    pub cron_runs: f64,
    /// D1 round trips (a statement or a batch): not billed, but limited
    /// per invocation.
    pub d1_queries: f64,
    pub d1_rows_read: f64,
    pub d1_rows_written: f64,
    pub kv_reads: f64,
    pub kv_writes: f64,
    pub kv_deletes: f64,
    pub kv_lists: f64,
    /// Messages sent to a queue (each a queue write).
    pub queue_sends: f64,
    /// Calls to WeCom's API: not billed by Cloudflare, limited by WeCom.
    pub wecom_calls: f64,
}

impl Usage {
    /// What was spent between `before` and `self` (counters only grow).
    pub fn since(&self, before: &Usage) -> Usage {
        Usage {
            requests: (self.requests - before.requests).max(0.0),
            queue_batches: (self.queue_batches - before.queue_batches).max(0.0),
            queue_deliveries: (self.queue_deliveries - before.queue_deliveries).max(0.0),
            cron_runs: (self.cron_runs - before.cron_runs).max(0.0),
            d1_queries: (self.d1_queries - before.d1_queries).max(0.0),
            d1_rows_read: (self.d1_rows_read - before.d1_rows_read).max(0.0),
            d1_rows_written: (self.d1_rows_written - before.d1_rows_written).max(0.0),
            kv_reads: (self.kv_reads - before.kv_reads).max(0.0),
            kv_writes: (self.kv_writes - before.kv_writes).max(0.0),
            kv_deletes: (self.kv_deletes - before.kv_deletes).max(0.0),
            kv_lists: (self.kv_lists - before.kv_lists).max(0.0),
            queue_sends: (self.queue_sends - before.queue_sends).max(0.0),
            wecom_calls: (self.wecom_calls - before.wecom_calls).max(0.0),
        }
    }

    /// Queue operations Cloudflare bills: a write per message sent, a read
    /// per delivery (a retry is another read) and a delete per message
    /// acknowledged ("it takes 3 operations to deliver a message: 1 write,
    /// 1 read, and 1 delete"; our messages are far below 64 KB).
    pub fn queue_operations(&self) -> f64 {
        self.queue_sends * 2.0 + self.queue_deliveries
    }
}

/// One billed unit: what the plan includes a month and what each million
/// past it costs (USD).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price {
    pub what: &'static str,
    pub included: f64,
    pub usd_per_million: f64,
}

/// The Workers Paid plan's monthly minimum (USD), which includes the
/// allowances below.
pub const BASE_USD: f64 = 5.0;

/// Cloudflare's prices (Workers Paid; pages in the module's head).
pub const PRICES: Prices = Prices {
    requests: Price {
        what: "Workers requests",
        included: 10e6,
        usd_per_million: 0.30,
    },
    cpu_ms: Price {
        what: "Workers CPU ms",
        included: 30e6,
        usd_per_million: 0.02,
    },
    d1_rows_read: Price {
        what: "D1 rows read",
        included: 25e9,
        usd_per_million: 0.001,
    },
    d1_rows_written: Price {
        what: "D1 rows written",
        included: 50e6,
        usd_per_million: 1.00,
    },
    // GB-months, priced per GB: the "million" is one GB.
    d1_storage_gb: Price {
        what: "D1 storage (GB-month)",
        included: 5.0,
        usd_per_million: 0.75,
    },
    kv_reads: Price {
        what: "KV reads",
        included: 10e6,
        usd_per_million: 0.50,
    },
    kv_writes: Price {
        what: "KV writes",
        included: 1e6,
        usd_per_million: 5.00,
    },
    kv_deletes: Price {
        what: "KV deletes",
        included: 1e6,
        usd_per_million: 5.00,
    },
    kv_lists: Price {
        what: "KV lists",
        included: 1e6,
        usd_per_million: 5.00,
    },
    queue_operations: Price {
        what: "Queues operations",
        included: 1e6,
        usd_per_million: 0.40,
    },
};

pub struct Prices {
    pub requests: Price,
    pub cpu_ms: Price,
    pub d1_rows_read: Price,
    pub d1_rows_written: Price,
    pub d1_storage_gb: Price,
    pub kv_reads: Price,
    pub kv_writes: Price,
    pub kv_deletes: Price,
    pub kv_lists: Price,
    pub queue_operations: Price,
}

/// A month of what Cloudflare bills, in its units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Month {
    pub requests: f64,
    pub cpu_ms: f64,
    pub d1_rows_read: f64,
    pub d1_rows_written: f64,
    pub d1_storage_gb: f64,
    pub kv_reads: f64,
    pub kv_writes: f64,
    pub kv_deletes: f64,
    pub kv_lists: f64,
    pub queue_operations: f64,
}

impl Month {
    /// Adds `times` repetitions of a unit of work that spent `usage` and
    /// `cpu_ms` of CPU.
    pub fn add(&mut self, usage: &Usage, cpu_ms: f64, times: f64) {
        let billed_requests = usage.requests + usage.queue_batches + usage.cron_runs;
        self.requests += billed_requests * times;
        self.cpu_ms += cpu_ms * times;
        self.d1_rows_read += usage.d1_rows_read * times;
        self.d1_rows_written += usage.d1_rows_written * times;
        self.kv_reads += usage.kv_reads * times;
        self.kv_writes += usage.kv_writes * times;
        self.kv_deletes += usage.kv_deletes * times;
        self.kv_lists += usage.kv_lists * times;
        self.queue_operations += usage.queue_operations() * times;
    }

    /// `n` of this month, as one account pays for them.
    pub fn times(&self, n: f64) -> Month {
        Month {
            requests: self.requests * n,
            cpu_ms: self.cpu_ms * n,
            d1_rows_read: self.d1_rows_read * n,
            d1_rows_written: self.d1_rows_written * n,
            d1_storage_gb: self.d1_storage_gb * n,
            kv_reads: self.kv_reads * n,
            kv_writes: self.kv_writes * n,
            kv_deletes: self.kv_deletes * n,
            kv_lists: self.kv_lists * n,
            queue_operations: self.queue_operations * n,
        }
    }
}

/// One line of a bill: the amount used, the part past the plan's
/// allowance, and what that part costs.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub what: &'static str,
    pub used: f64,
    pub billed: f64,
    pub usd: f64,
}

/// The month's bill: the plan's minimum and a line per unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Bill {
    pub lines: Vec<Line>,
    pub usd: f64,
}

pub fn bill(m: &Month) -> Bill {
    let p = &PRICES;
    let lines: Vec<Line> = [
        (p.requests, m.requests),
        (p.cpu_ms, m.cpu_ms),
        (p.d1_rows_read, m.d1_rows_read),
        (p.d1_rows_written, m.d1_rows_written),
        (p.d1_storage_gb, m.d1_storage_gb),
        (p.kv_reads, m.kv_reads),
        (p.kv_writes, m.kv_writes),
        (p.kv_deletes, m.kv_deletes),
        (p.kv_lists, m.kv_lists),
        (p.queue_operations, m.queue_operations),
    ]
    .into_iter()
    .map(|(price, used)| {
        let billed = (used - price.included).max(0.0);
        let per_unit = if price.what.contains("storage") {
            price.usd_per_million
        } else {
            price.usd_per_million / 1e6
        };
        Line {
            what: price.what,
            used,
            billed,
            usd: billed * per_unit,
        }
    })
    .collect();
    let usd = BASE_USD + lines.iter().map(|l| l.usd).sum::<f64>();
    Bill { lines, usd }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_the_allowances_the_bill_is_the_plans_minimum() {
        let mut m = Month::default();
        let usage = Usage {
            requests: 1.0,
            d1_rows_read: 10.0,
            d1_rows_written: 2.0,
            kv_reads: 1.0,
            ..Usage::default()
        };
        m.add(&usage, 2.0, 1e6);
        assert_eq!(bill(&m).usd, BASE_USD);
    }

    #[test]
    fn past_the_allowances_each_unit_costs_its_price() {
        // Cloudflare's own example: 15 million requests at 7 ms of CPU
        // each cost $5 + $1.50 + $1.50 = $8.00.
        let mut m = Month::default();
        m.add(
            &Usage {
                requests: 1.0,
                ..Usage::default()
            },
            7.0,
            15e6,
        );
        let b = bill(&m);
        assert!((b.usd - 8.0).abs() < 1e-9, "{b:?}");
        // 1 million rows written past the 50 million: $1; 6 GB stored: $0.75.
        let m = Month {
            d1_rows_written: 51e6,
            d1_storage_gb: 6.0,
            ..Month::default()
        };
        assert!((bill(&m).usd - (BASE_USD + 1.0 + 0.75)).abs() < 1e-9);
    }

    #[test]
    fn a_queued_message_costs_three_operations_and_a_retry_one_more() {
        let once = Usage {
            queue_sends: 1.0,
            queue_deliveries: 1.0,
            ..Usage::default()
        };
        assert_eq!(once.queue_operations(), 3.0);
        let retried = Usage {
            queue_deliveries: 2.0,
            ..once.clone()
        };
        assert_eq!(retried.queue_operations(), 4.0);
        assert_eq!(retried.since(&once).queue_deliveries, 1.0);
    }
}
