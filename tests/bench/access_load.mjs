// Fixed-rate load on POST /api/v1/access/check: RATE requests a second for
// SECS seconds, spread evenly, keep-alive connections; prints latency
// percentiles and the rate achieved. Used by scripts/bench.sh.
// BASELINE=1 hits a route that does no I/O at all (an unknown /api path) at
// the same rate: the floor the local runtime itself sets.
const { EDGE, KEY, CORP, MEMBERS = "1000", RATE = "500", SECS = "10", BASELINE } = process.env;
const rate = Number(RATE), secs = Number(SECS), members = Number(MEMBERS);
const total = rate * secs;
const latencies = [];
const reasons = {};
let failures = 0;

async function one(i) {
  const userid = `u${String((i * 7919) % members).padStart(6, "0")}`;
  const t0 = performance.now();
  try {
    const r = BASELINE
      ? await fetch(`${EDGE}/api/v1/no-such-route`)
      : await fetch(`${EDGE}/api/v1/access/check`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
          body: JSON.stringify({ corp_id: CORP, userid, operation: "view_qrcode" }),
        });
    const body = await r.json();
    latencies.push(performance.now() - t0);
    if (r.status !== (BASELINE ? 404 : 200)) failures++;
    reasons[body.reason ?? `http_${r.status}`] = (reasons[body.reason ?? `http_${r.status}`] ?? 0) + 1;
  } catch {
    failures++;
  }
}

const started = performance.now();
const pending = [];
// Every 10 ms, send what is due by now: an even spread at the target rate.
await new Promise((resolve) => {
  let sent = 0;
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (sent < due) pending.push(one(sent++));
    if (sent >= total) { clearInterval(tick); resolve(); }
  }, 10);
});
await Promise.all(pending);
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]?.toFixed(2);
console.log(JSON.stringify({
  requests: total, answered: latencies.length, failures, seconds: elapsed.toFixed(2),
  achieved_rps: (latencies.length / elapsed).toFixed(0), p50_ms: pct(50), p90_ms: pct(90), p99_ms: pct(99),
  max_ms: latencies.at(-1)?.toFixed(2), reasons,
}));
