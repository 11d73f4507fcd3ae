// Shared launch settings for the browser tests: Debian's Chromium, offline.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

export const BASE = process.env.EDGE_URL ?? "http://127.0.0.1:8787";
export const SHOTS = new URL("../../target/e2e/", import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

// WeCom's JS-SDK hosts cannot be reached offline: every context gets them
// played as WeCom answers a browser that signed in without WeCom's login
// (the development login): the scripts load, and open data refuses, so
// names stay userids. names.test.mjs plays the SDK that accepts.
export async function playWeComSdkWithoutLogin(context) {
  const ww = `window.ww = { register() {}, initOpenData() {
    return Promise.reject(new Error("open data needs WeCom's login on this domain")); } };`;
  await context.route("https://wwcdn.weixin.qq.com/**", (route) =>
    route.fulfill({ contentType: "text/javascript", body: ww }));
  await context.route("https://open.work.weixin.qq.com/wwopen/js/**", (route) =>
    route.fulfill({ contentType: "text/javascript", body: "" }));
}

// A page that fails the test on any uncaught error or panic in the console.
export async function openPage(browser) {
  const context = await browser.newContext({ locale: "zh-CN" });
  await playWeComSdkWithoutLogin(context);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/401|Unauthorized/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { page, problems };
}

export const SIM = process.env.SIM_URL ?? "http://127.0.0.1:9101";

// A call to the simulator's control routes; fails the test unless it is 2xx
// (a callback the worker refused comes back as 502). A call that may have
// pushed callbacks returns once the worker's queue has applied them, as a
// user looking a moment later would find them.
export async function sim(method, path, body) {
  const r = await fetch(`${SIM}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  if (method !== "GET") await settle();
  return text ? JSON.parse(text) : null;
}

// One read-only SELECT through the worker's development route: on every
// database, put together, or on the one named (a binding of D1_DATABASES).
export async function d1(sql, database) {
  const r = await fetch(`${BASE}/api/v1/dev/query`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${process.env.ACCESS_API_KEY}` },
    body: JSON.stringify(database ? { sql, database } : { sql }),
  });
  if (!r.ok) throw new Error(`dev/query: ${r.status} ${await r.text()}`);
  return (await r.json()).results;
}

// The databases organisations are spread over, home first.
const DATABASES = (process.env.D1_DATABASES || "DB").split(",").map((d) => d.trim()).filter(Boolean);

// Waits (up to 20 s) until every event recorded so far is applied, failed
// or in its second try (as itest's `settle`), on each database.
export async function settle() {
  const newest = [];
  for (const db of DATABASES) {
    const [{ n }] = await d1("SELECT coalesce(max(rowid), 0) AS n FROM events", db);
    newest.push([db, n]);
  }
  for (let i = 0; i < 400; i++) {
    let waiting = 0;
    for (const [db, last] of newest) {
      const [{ n }] = await d1(
        `SELECT count(*) AS n FROM events WHERE rowid <= ${last} ` +
          "AND applied_at IS NULL AND failed_at IS NULL AND attempts < 2",
        db,
      );
      waiting += n;
    }
    if (waiting === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("events recorded before now were not applied within 20 s");
}

// Signs an admin in from node and calls the worker's API with that session.
export async function adminApi(corp, userid = "admin") {
  // The worker installs after answering WeCom: until it has read the
  // admins, the sign-in is refused (403). Wait up to 20 s for that.
  let login;
  for (let i = 0; i < 100; i++) {
    login = await fetch(`${BASE}/auth/dev-login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ corp_id: corp, userid }),
    });
    if (login.status !== 403) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!login.ok) throw new Error(`dev-login ${corp}: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get("set-cookie").split(";")[0];
  return async (method, path, body) => {
    const r = await fetch(`${BASE}/api/v1/corps/${corp}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

// Waits until the organisation's sync is done (or fails, after a minute).
export async function waitForSync(corp) {
  const api = await adminApi(corp);
  for (let i = 0; i < 300; i++) {
    const s = await api("GET", "/sync");
    if (s.state === "done") return s;
    if (s.state === "failed") throw new Error(`sync of ${corp} failed: ${s.error}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`sync of ${corp} did not finish in a minute`);
}

// A member of the demo's R&D department (2, in range) who is not in the demo.
export const extraMember = (userid) => ({ userid, name: `新成员${userid}`, department: [2], status: 1 });

// A fresh copy of the demo organisation under its own id, seeded as
// scripts/common.sh `seed_demo` seeds wwdemo01: installed and synced, an
// order of 12 seats for 365 days, seats for user01–04, 08 and 10, then
// user02 leaves holding one, and user09 and user11 open the app without a
// seat. `extraMembers` (member objects) join the contacts before the
// install. Returns the organisation's id.
export async function seedDemo({ extraMembers = [] } = {}) {
  const corp = `wwe2e${randomBytes(6).toString("hex")}`;
  const created = await sim("POST", "/_sim/demo", { corp_id: corp });
  if (!created.created) throw new Error(`${corp} already existed`);
  if (extraMembers.length) {
    const org = await sim("GET", `/_sim/corps/${corp}`);
    org.users.push(...extraMembers);
    await sim("POST", "/_sim/corps", org);
  }
  await sim("POST", "/_sim/suite_ticket");
  await sim("POST", `/_sim/corps/${corp}/install`);
  await waitForSync(corp);
  await sim("POST", `/_sim/corps/${corp}/orders`, { base: 12, days: 365 });
  const api = await adminApi(corp);
  const activated = await api("POST", "/seats/activate", {
    userids: ["user01", "user02", "user03", "user04", "user08", "user10"],
    type: 1,
  });
  const refused = activated.results.filter((r) => !r.ok);
  if (refused.length) throw new Error(`seeding ${corp}: ${JSON.stringify(refused)}`);
  await sim("DELETE", `/_sim/corps/${corp}/users/user02`);
  await sim("POST", `/_sim/corps/${corp}/open_app`, { userid: "user09" });
  await sim("POST", `/_sim/corps/${corp}/open_app`, { userid: "user11" });
  return corp;
}

// Signs the page's browser context in as the organisation's admin (or
// another admin WeCom lists).
export async function signIn(page, corp, userid = "admin") {
  const r = await page.request.post(`${BASE}/auth/dev-login`, { data: { corp_id: corp, userid } });
  if (r.status() !== 200) throw new Error(`dev-login ${corp}: ${r.status()} ${await r.text()}`);
}

// WeCom makes `user05` an admin who may only look (auth_type 0) beside the
// demo's `admin`, and a page of `browser` signs in as them once the queue
// has applied the change_app_admin WeCom pushed (a moment after the push).
export async function readOnlyAdminPage(browser, corp) {
  const pushed = await sim("PUT", `/_sim/corps/${corp}/admins`, {
    admins: [{ userid: "admin", auth_type: 1 }, { userid: "user05", auth_type: 0 }],
  });
  if (pushed.success !== true) throw new Error(`admins not changed: ${JSON.stringify(pushed)}`);
  const viewer = await openPage(browser);
  for (let i = 0; ; i++) {
    try { await signIn(viewer.page, corp, "user05"); break; } catch (e) {
      if (i === 40) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return viewer;
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

// axe-core's serious and critical violations on the page as it is now
// (evaluated by the browser's debugger, which the page's CSP, no inline
// scripts, does not govern).
export async function axeProblems(page) {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => (await window.axe.run(document)).violations);
  return found
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

// How far the page scrolls sideways (0 or less: it does not).
export const sideways = (page) =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

// The cron's reconcile of one organisation, now (development route).
export async function reconcile(corp) {
  const r = await fetch(`${BASE}/api/v1/dev/reconcile`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${process.env.ACCESS_API_KEY}` },
    body: JSON.stringify({ corp_id: corp }),
  });
  if (!r.ok) throw new Error(`dev/reconcile: ${r.status} ${await r.text()}`);
  return r.json();
}

// Picks a member or department in a picker (components/picker.rs): types
// `query` in its search box and presses the choice whose id is `id`; the
// choice then shows among the picked ones.
export async function pick(page, picker, query, id) {
  await page.getByTestId(`${picker}-search`).fill(query);
  await page.getByTestId(picker).locator(`.picks [data-pick="${id}"]`).click();
  await page.getByTestId(`${picker}-chosen`).locator(`[data-pick="${id}"]`).waitFor();
}

// Empties a picker, one remove button at a time.
export async function unpickAll(page, picker) {
  const remove = page.getByTestId(`${picker}-chosen`).locator("button");
  while (await remove.count()) await remove.first().click();
}
