// The seats page on fresh copies of the demo organisation (browser.mjs
// `seedDemo`: 12 seats bought, user01–04, 08, 10 hold one, user02 has left
// holding it, user09 and user11 asked for one): the trial and seat counts,
// the request inbox and the suggested transfer of a departed member's seat,
// activation and transfer with WeCom's rules in plain words, the
// auto-activation switch, the forecast, the account list page by page.
// Every test that changes seats seeds its own organisation, so the suite
// can run again and again against the same stack.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, launch, openPage, pick, seedDemo, signIn, sim, unpickAll } from "./browser.mjs";

let browser;
// A seeded organisation the read-only tests share.
let readOnly;
before(async () => {
  browser = await launch();
  readOnly = await seedDemo();
});
after(async () => { await browser?.close(); });

async function signedInSeatsPage(corp, userid = "admin") {
  const { page, problems } = await openPage(browser);
  await signIn(page, corp, userid);
  await page.goto(`${BASE}/seats`);
  await page.getByTestId("seats-purchased").waitFor();
  return { page, problems };
}

const count = async (page, id) => Number(await page.getByTestId(id).textContent());

// Waits until a test id shows exactly this text.
async function shows(page, id, text) {
  await page.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid=${id}]`)?.textContent === text,
    [id, String(text)],
  );
}

// The seat counts of the summary card, in one object to compare whole.
async function seatCounts(page) {
  return {
    active: await count(page, "seats-active"),
    unassigned: await count(page, "seats-unassigned"),
    licensed: await count(page, "members-licensed"),
    unlicensed: await count(page, "members-unlicensed"),
  };
}
// A freshly seeded copy: 6 of 12 seats active (user02's among them: a
// departed member's seat is still active), 5 of the 44 members in range
// hold one (user02 is no longer in range), 39 do not.
const SEEDED = { active: 6, unassigned: 6, licensed: 5, unlicensed: 39 };

// The date 30 days from now as the console shows it (China Standard Time).
function inThirtyDaysCst() {
  return new Date(Date.now() + 30 * 86400e3 + 8 * 3600e3).toISOString().slice(0, 10);
}

test("the summary shows the trial and the seats the demo bought", async () => {
  const { page, problems } = await signedInSeatsPage(readOnly);
  // The trial ends 90 days after the first install, in whole days rounded
  // up (domain::trial::days_left): installed seconds ago, 90 are left. No
  // calendar date is involved, so midnight cannot make it 89.
  assert.equal(await count(page, "trial-days-left"), 90);
  assert.equal(await page.getByTestId("license-regime").getAttribute("data-regime"), "trial");
  // The demo bought 12 and bound 6 (user01–04, 08, 10; user02 has left).
  assert.equal(await count(page, "seats-purchased"), 12);
  assert.equal(await count(page, "seats-active"), 6);
  assert.equal(await count(page, "seats-unassigned"), 6);
  assert.equal(await count(page, "seats-expired"), 0);
  assert.equal(await count(page, "seats-expiring"), 0);
  assert.equal(await count(page, "members-in-range"), 44);
  assert.deepEqual(await seatCounts(page), SEEDED);
  assert.equal(await page.getByTestId("auto-activate").textContent(), "已关闭");
  // The order, with WeCom's order status in words.
  const status = page.getByTestId("order-status").first();
  await status.waitFor();
  assert.equal(await status.textContent(), "已支付");
  await page.screenshot({ path: `${SHOTS}seats.png`, fullPage: true });
  assert.deepEqual(problems, []);
});

test("an admin WeCom lets only look sees the seats but no action buttons", async () => {
  // user05 becomes a message-only admin (auth_type 0); WeCom pushes
  // change_app_admin and the worker re-reads the list.
  const pushed = await sim("PUT", `/_sim/corps/${readOnly}/admins`, {
    admins: [{ userid: "admin", auth_type: 1 }, { userid: "user05", auth_type: 0 }],
  });
  assert.equal(pushed.success, true, JSON.stringify(pushed));
  const { page, problems } = await signedInSeatsPage(readOnly, "user05");
  await page.getByTestId("read-only").waitFor();
  assert.equal(await count(page, "seats-purchased"), 12);
  await page.getByTestId("requests-table").locator("tr[data-userid=user09]").waitFor();
  await page.locator("[data-testid=suggestions] li").first().waitFor();
  for (const id of ["activate-card", "transfer-card", "request-activate", "suggestion-transfer", "auto-activate-toggle"]) {
    assert.equal(await page.getByTestId(id).count(), 0, id);
  }
  await page.screenshot({ path: `${SHOTS}seats-read-only.png`, fullPage: true });
  await page.goto(`${BASE}/`);
  await page.getByTestId("members-in-range").waitFor();
  assert.equal(await page.getByTestId("sync-now").count(), 0);
  assert.deepEqual(problems, []);
});

test("a departed member's idle seat goes to a member who asked, in one click", async () => {
  const corp = await seedDemo();
  // user09 asks a second time: the most insistent asker is suggested first.
  // In a later second, or WeCom's notice would be the same bytes as the
  // first, which the worker rightly takes for a retry and counts once.
  await new Promise((r) => setTimeout(r, 1100));
  await sim("POST", `/_sim/corps/${corp}/open_app`, { userid: "user09" });
  const { page, problems } = await signedInSeatsPage(corp);
  const requests = page.getByTestId("requests-table");
  await requests.locator("tr[data-userid=user09]").waitFor();
  assert.equal(await requests.locator("tbody tr").count(), 2);
  assert.equal(await requests.locator("tr[data-userid=user09] td").nth(1).textContent(), "2");
  assert.equal(await requests.locator("tr[data-userid=user11] td").nth(1).textContent(), "1");
  const suggestions = page.locator("[data-testid=suggestions] li");
  await suggestions.first().waitFor();
  assert.equal(await suggestions.count(), 1);
  const suggestion = suggestions.first();
  assert.equal(await suggestion.getAttribute("data-handover"), "user02");
  assert.equal(await suggestion.getAttribute("data-takeover"), "user09");
  assert.match(await suggestion.textContent(), /已离职/);
  await suggestion.getByTestId("suggestion-transfer").click();
  const done = page.getByTestId("suggestions-card").locator("[data-testid=action-results] li.ok");
  await done.waitFor();
  assert.match(await done.textContent(), /user02 → user09/);
  // The inbox follows: user09 holds a seat now, user11 still waits; no idle
  // seat is left.
  await requests.locator("tr[data-userid=user09]").getByText("已有席位").waitFor();
  assert.equal(await requests.locator("tr[data-userid=user11] [data-testid=request-activate]").count(), 1);
  await page.getByText("暂无可转移的闲置席位").waitFor();
  // The seat moved: as many active and unassigned as before, one more
  // member in range holds one.
  await shows(page, "members-licensed", 6);
  assert.deepEqual(await seatCounts(page), { ...SEEDED, licensed: 6, unlicensed: 38 });
  assert.deepEqual(problems, []);
});

test("a requester gets a seat from the inbox in one click", async () => {
  const corp = await seedDemo();
  const { page, problems } = await signedInSeatsPage(corp);
  assert.deepEqual(await seatCounts(page), SEEDED);
  const row = page.getByTestId("requests-table").locator("tr[data-userid=user11]");
  await row.getByTestId("request-activate").click();
  const done = page.getByTestId("requests-card").locator("[data-testid=action-results] li");
  await done.waitFor();
  assert.match(await done.getAttribute("class"), /ok/);
  assert.match(await done.textContent(), /user11/);
  await row.getByText("已有席位").waitFor();
  assert.equal(await row.getByTestId("request-activate").count(), 0);
  // user09 still waits.
  const other = page.getByTestId("requests-table").locator("tr[data-userid=user09]");
  assert.equal(await other.getByTestId("request-activate").count(), 1);
  await shows(page, "seats-unassigned", 5);
  assert.deepEqual(await seatCounts(page), { active: 7, unassigned: 5, licensed: 6, unlicensed: 38 });
  assert.deepEqual(problems, []);
});

test("activation and transfer answer per member, with WeCom's rule when refused", async () => {
  const corp = await seedDemo();
  const { page, problems } = await signedInSeatsPage(corp);
  assert.equal(await count(page, "seats-unassigned"), 6);
  // Activation happens in the members list: the seats page leads to the
  // members in range without a seat.
  await page.getByTestId("activate-link").click();
  await page.waitForURL(/\/members\?/);
  assert.equal(await page.getByTestId("licensed-filter").inputValue(), "false");
  await page.locator("tr[data-userid=user05]").waitFor();
  assert.equal(await page.locator("tr[data-userid=user01]").count(), 0, "user01 holds a seat");
  // Two members picked in the list, one of whom holds a seat already.
  await page.goto(`${BASE}/members?q=user0`);
  for (const userid of ["user05", "user01"]) {
    await page.locator(`tr[data-userid=${userid}] input[type=checkbox]`).check();
  }
  await page.getByTestId("bulk-activate-run").click();
  await page.getByTestId("bulk-outcome").waitFor();
  assert.equal(await page.getByTestId("bulk-ok").textContent(), "1");
  assert.equal(await page.getByTestId("bulk-refused").textContent(), "1");
  const refusal = page.getByTestId("bulk-refusals").locator("li");
  assert.equal(await refusal.getAttribute("data-code"), "already_has_seat");
  assert.match(await refusal.textContent(), /user01.*剩余超过 20 天/);
  assert.match(await refusal.locator("span").getAttribute("title"), /20 days/);
  await page.goto(`${BASE}/seats`);
  await page.getByTestId("seats-purchased").waitFor();
  await shows(page, "seats-unassigned", 5);
  assert.equal(await count(page, "seats-active"), 7);

  // user03 is active and in range: the seat moves, then waits 30 days.
  const transfer = async (from, to) => {
    // One member each side: a new pick replaces the last.
    await pick(page, "transfer-handover", from, from);
    await pick(page, "transfer-takeover", to, to);
    assert.equal(await page.getByTestId("transfer-handover-chosen").locator("li").count(), 1);
    await page.getByTestId("transfer-submit").click();
    const li = page.getByTestId("transfer-card").locator(`[data-testid=action-results] li:has-text("${from} → ${to}")`);
    await li.waitFor();
    return li;
  };
  // The wait ends 30 days after the transfer, a date read on both sides of
  // it: the two differ only when the transfer straddles midnight in China.
  const before = inThirtyDaysCst();
  assert.match(await (await transfer("user03", "user12")).getAttribute("class"), /ok/);
  const after = inThirtyDaysCst();
  const refused = await transfer("user12", "user13");
  assert.equal(await refused.getAttribute("data-code"), "transfer_cooldown");
  const shown = await refused.getByTestId("available-at").textContent();
  assert.ok([before, after].includes(shown), `${shown} is not ${before} or ${after}`);
  await page.screenshot({ path: `${SHOTS}seats-transfer-cooldown.png`, fullPage: true });

  // A transfer moves a seat without adding one: still 7 active, 5 free.
  await page.getByTestId("seat-status-filter").selectOption("active");
  await shows(page, "seat-total", 7);
  assert.deepEqual(await seatCounts(page), { active: 7, unassigned: 5, licensed: 6, unlicensed: 38 });
  await page.locator("[data-testid=seat-table] tr[data-status=active]").first().waitFor();
  const holders = await page.locator("[data-testid=seat-table] tbody tr td:nth-child(4)").allTextContents();
  assert.deepEqual(holders.sort(), ["user01", "user02", "user04", "user05", "user08", "user10", "user12"]);
  assert.deepEqual(problems, []);
});

test("with auto-activation on, a member who opens the app gets a seat; off, they ask", async () => {
  const corp = await seedDemo();
  const { page, problems } = await signedInSeatsPage(corp);
  const auto = page.getByTestId("auto-activate");
  assert.equal(await auto.textContent(), "已关闭");
  assert.equal(await page.getByTestId("auto-activate-toggle").textContent(), "开启");
  await page.getByTestId("auto-activate-toggle").click();
  await shows(page, "auto-activate", "已开启");
  assert.equal(await page.getByTestId("auto-activate-toggle").textContent(), "关闭");

  // user12 (研发部, in range, no seat) opens the app: WeCom binds a free
  // account and tells us (auto_activate). The console shows it once loaded.
  const opened = await sim("POST", `/_sim/corps/${corp}/open_app`, { userid: "user12" });
  assert.notEqual(opened.pushed, false, JSON.stringify(opened));
  await page.reload();
  await page.getByTestId("seats-purchased").waitFor();
  assert.equal(await auto.textContent(), "已开启");
  assert.deepEqual(await seatCounts(page), { active: 7, unassigned: 5, licensed: 6, unlicensed: 38 });
  const row = page.locator("[data-testid=seat-table] tbody tr", { hasText: "user12" });
  await row.waitFor();
  assert.equal(await row.getAttribute("data-status"), "active");
  // Nobody asked: the inbox still holds the two seeded requests only.
  const requests = page.getByTestId("requests-table");
  await requests.locator("tr[data-userid=user09]").waitFor();
  assert.equal(await requests.locator("tr[data-userid=user12]").count(), 0);
  assert.equal(await requests.locator("tbody tr").count(), 2);

  await page.getByTestId("auto-activate-toggle").click();
  await shows(page, "auto-activate", "已关闭");
  // user13 opens the app with auto-activation off: WeCom only tells us
  // (unlicensed_notify); the member lands in the inbox, no seat moves.
  await sim("POST", `/_sim/corps/${corp}/open_app`, { userid: "user13" });
  await page.reload();
  await page.getByTestId("seats-purchased").waitFor();
  assert.equal(await auto.textContent(), "已关闭");
  const asked = requests.locator("tr[data-userid=user13]");
  await asked.waitFor();
  assert.equal(await asked.getByTestId("request-activate").count(), 1);
  assert.equal(await requests.locator("tbody tr").count(), 3);
  assert.deepEqual(await seatCounts(page), { active: 7, unassigned: 5, licensed: 6, unlicensed: 38 });
  assert.equal(await page.locator("[data-testid=seat-table] tbody tr", { hasText: "user13" }).count(), 0);
  assert.deepEqual(problems, []);
});

test("the forecast counts members and seats before the range changes", async () => {
  const { page, problems } = await signedInSeatsPage(readOnly);
  // Departments are found by id (WeCom gives the app no names; inside
  // WeCom the list shows them), members by userid; what the range does not
  // hold yet (a department id) is taken as typed.
  const forecast = async (field, query, id) => {
    for (const picker of ["forecast-add-party", "forecast-remove-party", "forecast-add-user", "forecast-remove-user"]) {
      await unpickAll(page, picker);
    }
    await pick(page, field, query, id);
    await page.getByTestId("forecast-submit").click();
  };
  const figures = async () => ({
    after: await count(page, "forecast-members-after"),
    needed: await count(page, "forecast-seats-needed"),
    freed: await count(page, "forecast-seats-freed"),
  });
  // The seeded copy: 44 in range, 5 of them with a seat (user01, 03, 04,
  // 08, 10; user02 left with hers and counts for neither side), 6 unassigned.
  // Members by department (demo.rs: user N lives in homes[(N-1) % 10]):
  // 研发部 2 holds user01, 02, 08, 11, 12, 18, … (18), its 前端组 5 holds
  // user03, 10, 13, 20, … (12), 市场部 3 holds user04, 09, 14, 19, … (12).
  //
  // Without 市场部 (3): 44 − 12 = 32 stay; user04's seat is freed (1); the
  // 32 hold 4 seats (user01, 03, 08, 10), so 28 lack one, 6 of them are
  // covered by the unassigned accounts: 28 − 6 = 22 seats to buy.
  await forecast("forecast-remove-party", "3", "3");
  await page.getByTestId("forecast-result").waitFor();
  assert.deepEqual(await figures(), { after: 32, needed: 22, freed: 1 });
  assert.equal(await page.getByTestId("forecast-not-exact").count(), 0);

  // Without 研发部 (2, with 前端组 5 under it): 30 members of whom user02
  // has left, so 29 go and 44 − 29 = 15 stay (市场部's 12 and the three
  // named individually); user01, 03, 08, 10 free 4 seats; of the 15 only
  // user04 holds one, 14 lack one: 14 − 6 = 8 seats to buy.
  await forecast("forecast-remove-party", "2", "2");
  await page.waitForFunction(() => document.querySelector("[data-testid=forecast-members-after]")?.textContent === "15");
  assert.deepEqual(await figures(), { after: 15, needed: 8, freed: 4 });

  // Dropping one named member without a seat (user05): 43 stay, 38 of them
  // without a seat: 38 − 6 = 32 to buy, none freed.
  await forecast("forecast-remove-user", "user05", "user05");
  await page.waitForFunction(() => document.querySelector("[data-testid=forecast-members-after]")?.textContent === "43");
  assert.deepEqual(await figures(), { after: 43, needed: 32, freed: 0 });

  await forecast("forecast-add-party", "6", "6");
  await page.getByTestId("forecast-not-exact").waitFor();
  assert.match(await page.getByTestId("forecast-not-exact").textContent(), /6/);

  // A name nothing in range carries is not a department id: nothing to pick.
  await page.getByTestId("forecast-add-party-search").fill("行政部");
  await page.getByTestId("forecast-add-party").getByText("没有符合的结果").waitFor();
  assert.equal(await page.getByTestId("forecast-add-party").locator(".picks").count(), 0);

  await page.getByTestId("lang-switch").click();
  await page.getByText("Range change forecast").waitFor();
  assert.deepEqual(problems, []);
});

test("the account list shows a page of 100, then the rest after one click", async () => {
  const corp = await seedDemo();
  // A second order of 100: 112 accounts, more than one page (paged.rs
  // PAGE_SIZE = 100).
  await sim("POST", `/_sim/corps/${corp}/orders`, { base: 100, days: 365 });
  const { page, problems } = await signedInSeatsPage(corp);
  assert.equal(await count(page, "seats-purchased"), 112);
  const rows = page.locator("[data-testid=seat-table] tbody tr");
  await shows(page, "seat-total", 112);
  assert.equal(await rows.count(), 100);
  const shown = page.getByTestId("seat-table").locator("p.muted", { hasText: "/" });
  assert.match(await shown.textContent(), /\b100 \/ 112$/);
  await page.getByTestId("seat-load-more").click();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=seat-table] tbody tr").length === 112);
  assert.match(await shown.textContent(), /\b112 \/ 112$/);
  assert.equal(await page.getByTestId("seat-load-more").count(), 0);
  // Every account once: 106 unassigned, 6 active.
  const statuses = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.status));
  assert.equal(new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.code))).size, 112);
  assert.equal(statuses.filter((s) => s === "active").length, 6);
  assert.equal(statuses.filter((s) => s === "unassigned").length, 106);
  assert.deepEqual(problems, []);
});
