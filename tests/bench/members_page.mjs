// `make bench` (bench 5): the members page of an organisation of many
// members in headless Chromium at 1 280 x 800. Prints one JSON line:
// milliseconds from navigation to the first rows, and when the html, the
// wasm, the session and the first members page arrived; seconds to scroll to the
// last member (pages of 500 read as the list scrolls); the longest frame
// while scrolling (requestAnimationFrame gaps, ms); the most table rows in
// the page at once; and the longest frame of an idle page timed meanwhile
// (the machine's floor). EDGE, CORP and USERID say where and who.
import { chromium } from "playwright-core";

const { EDGE, CORP, USERID = "u000000" } = process.env;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 800 } });
await context.route("https://wwcdn.weixin.qq.com/**", (r) => r.fulfill({ contentType: "text/javascript", body: "" }));
await context.route("https://open.work.weixin.qq.com/**", (r) => r.fulfill({ contentType: "text/javascript", body: "" }));
const page = await context.newPage();
const login = await page.request.post(`${EDGE}/auth/dev-login`, { data: { corp_id: CORP, userid: USERID } });
if (!login.ok()) throw new Error(`dev-login: ${login.status()}`);

// The moment the first row is in the page, on the page's own clock (ms
// since the navigation started), noted by the page itself: a poll from
// here would add its own interval, and a clock started before goto() the
// browser's time to open the new document.
await page.addInitScript(() => {
  new MutationObserver((_, observer) => {
    if (document.querySelector("[data-testid=members-table] tbody tr")) {
      window.__firstRows = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
});
const started = Date.now();
await page.goto(`${EDGE}/members?in_range=`);
await page.locator("[data-testid=members-table] tbody tr").first().waitFor({ timeout: 60_000 });
const seenFromHereMs = Date.now() - started;
const firstRowsMs = Math.round(await page.evaluate(() => window.__firstRows));
// Where the first rows' time went, on the page's own clock (ms after
// navigation): the wasm arriving, then the session and the first page of
// members, each a round trip that cannot start before the one above ends.
const path = await page.evaluate(() => {
  const at = (part) => performance.getEntriesByType("resource").find((e) => e.name.includes(part));
  const span = (e) => (e ? [Math.round(e.startTime), Math.round(e.responseEnd)] : null);
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    htmlMs: Math.round(nav.responseEnd),
    wasmMs: span(at("app_bg.wasm")),
    sessionMs: span(at("/session")),
    membersMs: span(at("/members?")),
  };
});
const total = Number(await page.getByTestId("total-count").textContent());

// The floor: a page that draws nothing, in a browser of its own (a second
// tab would be a background one, whose frames Chromium holds back), its
// frames timed while the members page scrolls. Its longest frame is what
// this machine (two cores shared by Chromium, the Worker and its proxy)
// gives a page doing no work at all.
const idleBrowser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
const idle = await (await idleBrowser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
await idle.setContent("<!doctype html><title>idle</title><p>idle</p>");
await idle.evaluate(() => {
  window.__idle = { longest: 0, frames: 0 };
  let last = performance.now();
  const tick = () => {
    const now = performance.now();
    window.__idle.longest = Math.max(window.__idle.longest, now - last);
    window.__idle.frames++;
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});

// Scroll a screen and a half a frame to the end, measuring every frame's
// gap, then wait for the last member's row.
const scrolled = await page.evaluate(async () => {
  const el = document.querySelector("[data-testid=members-scroller]");
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  let longest = 0, most = 0, last = performance.now();
  const t0 = performance.now();
  for (let i = 0; i < 100_000; i++) {
    el.scrollTop = Math.min(el.scrollTop + el.clientHeight * 1.5, el.scrollHeight);
    await frame();
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    most = Math.max(most, el.querySelectorAll("tbody tr").length);
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
    // The spacer below the drawn rows is empty once the last is drawn.
    const drawnToEnd = el.lastElementChild.getBoundingClientRect().height === 0;
    if (atEnd && drawnToEnd) break;
  }
  return { toEndSecs: (performance.now() - t0) / 1000, longestFrameMs: longest, mostRows: most };
});
const floor = await idle.evaluate(() => ({
  idleLongestFrameMs: window.__idle.longest,
  idleFrames: window.__idle.frames,
}));
await idleBrowser.close();
console.log(JSON.stringify({ members: total, firstRowsMs, seenFromHereMs, ...path, ...scrolled, ...floor }));
await browser.close();
