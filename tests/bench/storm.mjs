// A storm of change_contact events end to end: EVENTS members renamed in
// sim by SENDERS concurrent senders (each rename makes sim push an
// update_user callback to the worker, as WeCom does), then the clock runs
// until the worker has applied every event (it asks user/get for each).
// Prints the seconds to send, the seconds until all were applied, and
// events per second end to end. Used by scripts/bench.sh.
const { SIM, EDGE, KEY, CORP, EVENTS = "1000", MEMBERS = "1000", SENDERS = "16" } = process.env;
const events = Number(EVENTS), members = Number(MEMBERS), senders = Number(SENDERS);

async function applied() {
  const sql = `SELECT count(*) AS n FROM events WHERE corp_id = '${CORP}' AND kind = 'change_contact.update_user' AND applied_at IS NOT NULL`;
  const r = await fetch(`${EDGE}/api/v1/dev/query`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ sql }),
  });
  const rows = await r.json();
  return rows.results?.[0]?.n ?? 0;
}

const before = await applied();
const started = performance.now();
let next = 0, refused = 0;
await Promise.all(Array.from({ length: senders }, async () => {
  while (next < events) {
    const i = next++;
    const userid = `u${String((i * 97) % members).padStart(6, "0")}`;
    const r = await fetch(`${SIM}/_sim/corps/${CORP}/users/${userid}`, {
      method: "PATCH",
      body: JSON.stringify({ name: `改名${i}` }),
    });
    await r.arrayBuffer();
    if (!r.ok) refused++;
  }
}));
const sent = (performance.now() - started) / 1000;
let done = 0;
const deadline = performance.now() + 180_000;
while (performance.now() < deadline) {
  done = (await applied()) - before;
  if (done >= events) break;
  await new Promise((r) => setTimeout(r, 100));
}
const whole = (performance.now() - started) / 1000;
console.log(JSON.stringify({
  events, senders, refused, applied: done, sent_secs: sent.toFixed(2),
  applied_secs: whole.toFixed(2), events_per_s: (done / whole).toFixed(1),
}));
