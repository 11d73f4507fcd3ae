// `make bench` (bench 6): the provider's desk with many organisations in
// D1. Prints one JSON line: for the route (`GET /api/v1/desk/corps`, a
// page of 100) with no filter by name, "short of seats" by free seats
// largest first, and "trial ending" by trial end: the median of 5 answers
// (ms), its D1 round trips and the rows D1 read (development builds count
// them: x-dev-d1-calls, x-dev-d1-rows-read); then the desk page in
// headless Chromium at 1 280 x 800: ms from navigation to the first rows,
// and when the html, the wasm, the session and the first page arrived.
// EDGE says where; PROVIDER_CORPID and OPERATOR whom to sign in as.
import { chromium } from "playwright-core";

const { EDGE, PROVIDER_CORPID, OPERATOR = "ops01" } = process.env;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const login = await page.request.post(`${EDGE}/auth/dev-login`, { data: { corp_id: PROVIDER_CORPID, userid: OPERATOR } });
if (!login.ok()) throw new Error(`dev-login: ${login.status()} ${await login.text()}`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function route(query) {
  const times = [];
  let last;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    last = await page.request.get(`${EDGE}/api/v1/desk/corps?limit=100&${query}`);
    times.push(performance.now() - t0);
    if (!last.ok()) throw new Error(`${query}: ${last.status()} ${await last.text()}`);
  }
  const body = await last.json();
  const h = last.headers();
  return {
    ms: Math.round(median(times)),
    rows: body.items.length,
    total: body.total,
    d1Calls: Number(h["x-dev-d1-calls"]),
    rowsRead: Number(h["x-dev-d1-rows-read"]),
  };
}
const byName = await route("");
const short = await route("short=true&sort=seats_free&desc=true");
const trial = await route("trial_ending=true&sort=trial_ends_at");
const nextPage = await (async () => {
  const first = await (await page.request.get(`${EDGE}/api/v1/desk/corps?limit=100`)).json();
  const cursor = encodeURIComponent(first.next_cursor);
  return route(`cursor=${cursor}`);
})();

await page.addInitScript(() => {
  new MutationObserver((_, observer) => {
    if (document.querySelector("[data-testid=desk-table] tbody tr")) {
      window.__firstRows = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
});
await page.goto(`${EDGE}/desk`);
await page.locator("[data-testid=desk-table] tbody tr").first().waitFor({ timeout: 60_000 });
const firstRowsMs = Math.round(await page.evaluate(() => window.__firstRows));
const path = await page.evaluate(() => {
  const at = (part) => performance.getEntriesByType("resource").find((e) => e.name.includes(part));
  const span = (e) => (e ? [Math.round(e.startTime), Math.round(e.responseEnd)] : null);
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    htmlMs: Math.round(nav.responseEnd),
    wasmMs: span(at("desk_bg.wasm")),
    sessionMs: span(at("/session")),
    pageMs: span(at("/desk/corps?")),
  };
});
console.log(JSON.stringify({ byName, short, trial, nextPage, firstRowsMs, ...path }));
await browser.close();
