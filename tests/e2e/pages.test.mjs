// Every console page at a desktop's width (1 280 px) and inside WeCom on a
// phone (390 px, and the narrowest, 360 px): axe-core finds no serious or
// critical violation, nothing scrolls sideways, nothing jumps as the data
// arrives (layout shift under 0.1, the web's "good"), and a screenshot of each
// is kept under target/e2e/. The overview's tiles lead into the lists
// they count, and its trends draw the cron's daily points.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE, SHOTS, adminApi, axeProblems, launch, openPage, reconcile, seedDemo, sideways, signIn,
} from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Each page, and what shows once its data has loaded.
const PAGES = [
  ["overview", "/", "[data-testid=tile-active] strong"],
  ["members", "/members", "tr[data-userid=user01]"],
  ["seats", "/seats", "table.accounts tbody tr"],
  ["audit", "/audit", "tr[data-action]"],
];

// Layout shift as the page loads: the sum of every shift the browser
// reports that no input caused (the Cumulative Layout Shift of web.dev).
const CLS_GOOD = 0.1;
const recordShifts = () => {
  window.__shift = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
  }).observe({ type: "layout-shift", buffered: true });
};

test("every page passes axe, fits the screen and holds still at 1280, 390 and 360 px", async () => {
  const corp = await seedDemo();
  await reconcile(corp);
  for (const [width, height] of [[1280, 900], [390, 844], [360, 740]]) {
    for (const [name, path, loaded] of PAGES) {
      const { page, problems } = await openPage(browser);
      await page.setViewportSize({ width, height });
      await signIn(page, corp);
      await page.addInitScript(recordShifts);
      await page.goto(`${BASE}${path}`);
      await page.locator(loaded).first().waitFor();
      // Every card's data in (the checks judge the page as it settles).
      await page.waitForLoadState("networkidle");
      const shift = await page.evaluate(() => window.__shift);
      assert.ok(shift < CLS_GOOD, `${name} shifts ${shift.toFixed(3)} as it loads at ${width} px`);
      const across = await sideways(page);
      assert.ok(across <= 0, `${name} scrolls ${across} px sideways at ${width} px`);
      assert.deepEqual(await axeProblems(page), [], `axe on ${name} at ${width} px`);
      if (name === "seats" && width < 600) {
        // Each account a card, each value under its column's name.
        const card = await page.locator("table.accounts tbody tr").first().evaluate((tr) => ({
          display: getComputedStyle(tr).display,
          label: getComputedStyle(tr.cells[0], "::before").content,
        }));
        assert.deepEqual(card, { display: "block", label: '"激活码"' });
        // Each seat request a card too: its action beside the member, not
        // a column squeezed off the edge.
        const request = await page.locator("table.requests tbody tr").first().evaluate((tr) => ({
          display: getComputedStyle(tr).display,
          label: getComputedStyle(tr.cells[1], "::before").content,
          actionBesideMember: Math.abs(tr.cells[3].getBoundingClientRect().top - tr.cells[0].getBoundingClientRect().top) < 24,
        }));
        assert.deepEqual(request, { display: "grid", label: '"次数 "', actionBesideMember: true });
      }
      await page.screenshot({ path: `${SHOTS}page-${name}-${width}.png`, fullPage: true });
      assert.deepEqual(problems, [], `${name} at ${width} px`);
      await page.context().close();
    }
  }
});

test("the overview's tiles count what their lists hold, and the trends show today's point", async () => {
  const corp = await seedDemo();
  await reconcile(corp);
  const api = await adminApi(corp);
  const summary = await api("GET", "/summary");
  const { page, problems } = await openPage(browser);
  await signIn(page, corp);
  await page.goto(`${BASE}/`);
  await page.getByTestId("license-regime").waitFor();
  assert.equal(await page.locator("[data-testid=tile-active] strong").textContent(), String(summary.seats.active));
  assert.equal(await page.locator("[data-testid=tile-asking] strong").textContent(), String(summary.asking));
  assert.ok(summary.asking >= 1, JSON.stringify(summary));

  // The trend has today's point, as numbers too.
  const trend = page.getByTestId("seats-trend-table");
  await page.getByTestId("seats-chart").waitFor();
  await page.getByTestId("trends-card").locator("summary").first().click();
  const firstRow = await trend.locator("tbody tr").first().locator("td").allTextContents();
  assert.equal(firstRow[1], String(summary.seats.purchased));
  assert.equal(firstRow[2], String(summary.seats.active));

  // "Without a seat" leads to exactly those members.
  await page.getByTestId("tile-unlicensed").click();
  await page.waitForURL(/\/members\?licensed=false/);
  await page.waitForFunction(
    (n) => document.querySelector("[data-testid=total-count]")?.textContent === n,
    String(summary.members.unlicensed),
  );
  assert.equal(await page.getByTestId("licensed-filter").inputValue(), "false");
  await page.screenshot({ path: `${SHOTS}overview-tiles-to-members.png`, fullPage: true });
  assert.deepEqual(problems, []);
});

test("a console page asks who is signed in once, beside the wasm download, and /me not at all", async () => {
  const corp = await seedDemo();
  const { page, problems } = await openPage(browser);
  await signIn(page, corp);
  const asked = [];
  page.on("request", (r) => { if (r.url().endsWith("/api/v1/session")) asked.push(r.url()); });
  await page.goto(`${BASE}/members`);
  await page.locator("tr[data-userid=user01]").waitFor();
  // The boot script's preload is the console's own ask: one request.
  assert.equal(asked.length, 1, `session asked ${asked.length} times`);
  const [session, wasm] = await page.evaluate(() => {
    const at = (part) => performance.getEntriesByType("resource").find((e) => e.name.includes(part));
    return [at("/api/v1/session").startTime, at("app_bg.wasm").responseEnd];
  });
  assert.ok(session < wasm, `the session was asked at ${session} ms, after the wasm arrived (${wasm} ms)`);
  assert.deepEqual(problems, []);
  // A member's page in WeCom asks /api/v1/me, never the console's session.
  asked.length = 0;
  await page.goto(`${BASE}/me`);
  await page.locator("[data-testid=me-card], [data-testid=me-signed-out]").first().waitFor();
  assert.equal(asked.length, 0, "/me asked for the console's session");
  await page.context().close();
});
