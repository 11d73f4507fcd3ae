// What a unit of work costs in what Cloudflare bills: each unit runs
// against the bench's stack and is measured by the Worker's own meter
// (GET /api/v1/dev/meter, development builds: requests, queue batches and
// deliveries, D1 queries and rows read/written, KV reads/writes/deletes/
// lists, queue sends, WeCom calls) and by the CPU time of the workerd
// process that runs the Worker (utime + stime from /proc, WORKERD_PIDS).
// That CPU includes what production runs elsewhere (local D1's SQLite, KV
// and the queue), so it is an upper bound of the CPU Cloudflare bills.
// Prints one JSON line per unit: {unit, times, usage (per unit), cpu_ms
// (per unit)}. Used by scripts/bench.sh, which feeds them to `bill`.
import { readFileSync } from "node:fs";

const { EDGE, SIM, KEY, SUITE_ID, WORKERD_PIDS = "", SYNC_MEMBERS = "10000" } = process.env;
const auth = { authorization: `Bearer ${KEY}` };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tick = 1000 / 100; // USER_HZ: /proc counts CPU in hundredths of a second

function cpuMs() {
  let ticks = 0;
  for (const pid of WORKERD_PIDS.split(/\s+/).filter(Boolean)) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks * tick;
}

async function meter() {
  const r = await fetch(`${EDGE}/api/v1/dev/meter`, { headers: auth });
  if (!r.ok) throw new Error(`meter: ${r.status} ${await r.text()}`);
  return r.json();
}

async function sim(method, path, body) {
  const r = await fetch(`${SIM}${path}`, { method, body: body && JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// Waits until every message sent to the queue has been delivered and the
// meter stops moving (the queue's work is part of the unit).
async function settled() {
  let last = JSON.stringify(await meter()), still = 0;
  for (let i = 0; i < 600 && still < 5; i++) {
    await sleep(200);
    const m = await meter();
    const now = JSON.stringify({ ...m, requests: 0 });
    still = now === last && m.queue_deliveries >= m.queue_sends ? still + 1 : 0;
    last = now;
  }
}

// Runs `work` (which does the unit `times` times), waits for the queue,
// and prints the meter's difference per unit (the meter counts no
// development route, its own reads included).
async function unit(name, times, work) {
  await settled();
  const before = await meter(), cpu0 = cpuMs();
  await work();
  await settled();
  const cpu = cpuMs() - cpu0;
  const after = await meter();
  const usage = {};
  for (const k of Object.keys(after)) usage[k] = (after[k] - before[k]) / times;
  console.log(JSON.stringify({ unit: name, times, usage, cpu_ms: cpu / times }));
}

const corp = `wwcost${Date.now() % 100000}`;
await sim("POST", "/_sim/suite_ticket");
await sim("POST", "/_sim/corps", { corp_id: corp, corp_name: "Cost", admins: ["u000000"] });
await sim("POST", `/_sim/corps/${corp}/generate`, { departments: 100, members: Number(SYNC_MEMBERS) });

let cookie = "";
async function signIn() {
  for (let i = 0; i < 300; i++) {
    const r = await fetch(`${EDGE}/auth/dev-login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ corp_id: corp, userid: "u000000" }),
    });
    if (r.ok) { cookie = r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; "); return; }
    await sleep(200);
  }
  throw new Error("never installed");
}
async function api(method, path, body) {
  const r = await fetch(`${EDGE}${path}`, {
    method, headers: { cookie, "content-type": "application/json", ...auth }, body: body && JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return JSON.parse(text);
}
async function syncDone() {
  for (let i = 0; i < 600; i++) {
    const s = await api("GET", `/api/v1/corps/${corp}/sync`);
    if (s.state === "done") return;
    await sleep(250);
  }
  throw new Error("sync never finished");
}

await unit(`install and full sync of ${SYNC_MEMBERS} members`, 1, async () => {
  await sim("POST", `/_sim/corps/${corp}/install`);
  await signIn();
  await syncDone();
});

await unit("suite_ticket callback", 10, async () => {
  for (let i = 0; i < 10; i++) { await sim("POST", "/_sim/suite_ticket"); await sleep(1100); }
});

await unit("change_contact callback (update_user)", 50, async () => {
  for (let i = 0; i < 50; i++) {
    await sim("PATCH", `/_sim/corps/${corp}/users/u${String(i + 1).padStart(6, "0")}`, { name: `改名${i}` });
  }
});

// The same message twice: the second is what WeCom's retry looks like.
const again = `<xml><SuiteId><![CDATA[${SUITE_ID}]]></SuiteId><AuthCorpId><![CDATA[${corp}]]></AuthCorpId>` +
  `<InfoType><![CDATA[change_contact]]></InfoType><TimeStamp>${Math.floor(Date.now() / 1000)}</TimeStamp>` +
  `<ChangeType><![CDATA[update_user]]></ChangeType><UserID><![CDATA[u000010]]></UserID></xml>`;
await sim("POST", "/_sim/push", { source: "command", xml: again });
await unit("change_contact callback, WeCom's retry of one applied", 10, async () => {
  for (let i = 0; i < 10; i++) await sim("POST", "/_sim/push", { source: "command", xml: again });
});

await unit("unlicensed_notify callback", 50, async () => {
  for (let i = 0; i < 50; i++) {
    await sim("POST", `/_sim/corps/${corp}/open_app`, { userid: `u${String(200 + i).padStart(6, "0")}` });
  }
});

await unit("license_pay_success callback (an order of 100 base seats)", 1, async () => {
  await sim("POST", `/_sim/corps/${corp}/orders`, { base: 100, interconnect: 0, days: 365 });
});

const check = (userid) => fetch(`${EDGE}/api/v1/access/check`, {
  method: "POST", headers: { "content-type": "application/json", ...auth },
  body: JSON.stringify({ corp_id: corp, userid, operation: "view_qrcode" }),
}).then((r) => r.json());
// A member's first check of the day also notes their last use: the
// isolate gathers a second of first checks into one write.
await unit("access check, a member's first of the day (last use noted)", 100, async () => {
  await Promise.all(Array.from({ length: 100 }, (_, i) => check(`u${String(2000 + i).padStart(6, "0")}`)));
  await sleep(1500);
});
await check("u000300");
await unit("access check, warm", 200, async () => { for (let i = 0; i < 200; i++) await check("u000300"); });
// After a change the isolate's view of the organisation is stale: the
// check alone is measured, the change's own callback is not.
{
  const times = 20, sum = {};
  let cpu = 0;
  for (let i = 0; i < times; i++) {
    await sim("PATCH", `/_sim/corps/${corp}/users/u000300`, { name: `又改${i}` });
    await settled();
    const before = await meter(), cpu0 = cpuMs();
    await check("u000300");
    cpu += cpuMs() - cpu0;
    const after = await meter();
    for (const k of Object.keys(after)) sum[k] = (sum[k] ?? 0) + (after[k] - before[k]) / times;
  }
  console.log(JSON.stringify({ unit: "access check after a change", times, usage: sum, cpu_ms: cpu / times }));
}

await api("POST", "/api/v1/dev/reconcile", { corp_id: corp });
await unit("reconcile that finds nothing changed", 1, async () => {
  await api("POST", "/api/v1/dev/reconcile", { corp_id: corp });
});

const hundred = Array.from({ length: 100 }, (_, i) => `u${String(1000 + i).padStart(6, "0")}`);
await unit("activation of 100 members", 1, async () => {
  await api("POST", `/api/v1/corps/${corp}/seats/activate`, { userids: hundred, type: 1 });
});
