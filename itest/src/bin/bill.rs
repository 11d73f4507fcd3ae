//! The cost table and the monthly bill: reads the units of work
//! `tests/bench/cost.mjs` measured (one JSON line each, on stdin) and
//! prints what each spent, then what a month costs for one organisation
//! of 10 000 members and for a provider of 1 000 of them under the day
//! stated below, at Cloudflare's prices (`domain::cost`). Used by
//! `scripts/bench.sh`; `D1_BYTES_PER_MEMBER` (measured by the bench's
//! 100 000-member sync) sizes D1's storage.

use domain::cost::{bill, Month, Usage};
use serde::Deserialize;
use std::io::BufRead;

#[derive(Deserialize)]
struct Unit {
    unit: String,
    usage: Usage,
    cpu_ms: f64,
}

/// The month this bill prices, per organisation of [`MEMBERS`] members:
/// (unit measured, times a month, why).
const MEMBERS: f64 = 10_000.0;
const DAYS: f64 = 30.0;

fn month_of_one(units: &[Unit]) -> (Month, Vec<String>) {
    let day: [(&str, f64, &str); 9] = [
        (
            "access check, a member's first of the day (last use noted)",
            MEMBERS * DAYS,
            "each member opens the app 5 times a day: the first notes the last use",
        ),
        (
            "access check after a change",
            MEMBERS * 4.0 * DAYS,
            "the other 4, each priced as one after a change (production runs many \
             short-lived isolates, so a warm memo is the exception)",
        ),
        (
            "change_contact callback (update_user)",
            MEMBERS * 0.01 / 7.0 * DAYS,
            "1 % of members change a week",
        ),
        (
            "unlicensed_notify callback",
            MEMBERS * 0.01 * DAYS,
            "1 % of members a day open the app without a seat",
        ),
        (
            "reconcile that finds nothing changed",
            24.0 * DAYS,
            "hourly reconcile",
        ),
        (
            "license_pay_success callback (an order of 100 base seats)",
            1.0,
            "one order a month",
        ),
        (
            "activation of 100 members",
            1.0,
            "100 seats activated a month",
        ),
        (
            "install and full sync of 10000 members",
            1.0,
            "one full sync a month (a range change)",
        ),
        (
            "suite_ticket callback",
            6.0 * 24.0 * DAYS / 1000.0,
            "a suite_ticket every 10 minutes, shared by the provider's 1 000 organisations",
        ),
    ];
    let mut month = Month::default();
    let mut said = Vec::new();
    for (name, times, why) in day {
        match units.iter().find(|u| u.unit == name) {
            Some(u) => {
                month.add(&u.usage, u.cpu_ms, times);
                said.push(format!("  {times:>10.0} x {name}: {why}"));
            }
            None => said.push(format!("  (not measured: {name})")),
        }
    }
    (month, said)
}

fn main() {
    let units: Vec<Unit> = std::io::stdin()
        .lock()
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str(&line).ok())
        .collect();
    println!(
        "{:<62} {:>8} {:>8} {:>9} {:>9} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "unit of work (per unit)",
        "requests",
        "CPU ms",
        "D1 read",
        "D1 write",
        "D1 q",
        "KV r",
        "KV w",
        "queue",
        "WeCom"
    );
    for u in &units {
        let s = &u.usage;
        println!(
            "{:<62} {:>8.2} {:>8.1} {:>9.1} {:>9.1} {:>6.1} {:>6.2} {:>6.2} {:>6.2} {:>6.2}",
            u.unit,
            s.requests + s.queue_batches + s.cron_runs,
            u.cpu_ms,
            s.d1_rows_read,
            s.d1_rows_written,
            s.d1_queries,
            s.kv_reads,
            s.kv_writes + s.kv_deletes + s.kv_lists,
            s.queue_operations(),
            s.wecom_calls,
        );
    }
    let bytes_per_member: f64 = std::env::var("D1_BYTES_PER_MEMBER")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let (mut one, said) = month_of_one(&units);
    one.d1_storage_gb = MEMBERS * bytes_per_member / 1e9;
    println!("\nthe month priced (one organisation of 10 000 members, 30 days):");
    for line in said {
        println!("{line}");
    }
    println!("  D1 storage: {bytes_per_member:.0} bytes a member");
    for (who, n) in [("one organisation", 1.0), ("a provider of 1 000", 1000.0)] {
        let b = bill(&one.times(n));
        println!("\nmonthly bill, {who} (USD):");
        for l in b.lines.iter().filter(|l| l.used > 0.0) {
            println!(
                "  {:<24} used {:>16.0}  past the plan {:>16.0}  ${:>8.2}",
                l.what, l.used, l.billed, l.usd
            );
        }
        println!("  {:<24} ${:.2} (the plan's $5 included)", "total", b.usd);
    }
}
