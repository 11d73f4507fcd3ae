// The seats page on the demo organisation: the trial and seat counts, the
// request inbox and the suggested transfer of a departed member's seat,
// activation and transfer with WeCom's rules in plain words, the forecast.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, launch, openPage } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signedInSeatsPage() {
  const { page, problems } = await openPage(browser);
  const r = await page.request.post(`${BASE}/auth/dev-login`, { data: { corp_id: "wwdemo01", userid: "admin" } });
  assert.equal(r.status(), 200);
  await page.goto(`${BASE}/seats`);
  await page.getByTestId("seats-purchased").waitFor();
  return { page, problems };
}

const count = async (page, id) => Number(await page.getByTestId(id).textContent());

// The date 30 days from now as the console shows it (China Standard Time).
function inThirtyDaysCst() {
  return new Date(Date.now() + 30 * 86400e3 + 8 * 3600e3).toISOString().slice(0, 10);
}

test("the summary shows the trial and the seats the demo bought", async () => {
  const { page, problems } = await signedInSeatsPage();
  assert.ok(await count(page, "trial-days-left") > 0, "the demo is in its trial");
  // The demo bought 12 and bound 6 (user01–04, 08, 10; user02 has left).
  assert.equal(await count(page, "seats-purchased"), 12);
  assert.equal(await count(page, "seats-active"), 6);
  assert.equal(await count(page, "seats-unassigned"), 6);
  await page.screenshot({ path: `${SHOTS}seats.png`, fullPage: true });
  assert.deepEqual(problems, []);
});

test("a departed member's idle seat goes to a member who asked, in one click", async () => {
  const { page, problems } = await signedInSeatsPage();
  const requests = page.getByTestId("requests-table");
  await requests.locator("tr[data-userid=user09]").waitFor();
  await requests.locator("tr[data-userid=user11]").waitFor();
  const suggestion = page.locator("[data-testid=suggestions] li[data-handover=user02]");
  await suggestion.waitFor();
  const taker = await suggestion.getAttribute("data-takeover");
  assert.ok(["user09", "user11"].includes(taker), taker);
  assert.match(await suggestion.textContent(), /已离职/);
  await suggestion.getByTestId("suggestion-transfer").click();
  const done = page.getByTestId("suggestions-card").locator("[data-testid=action-results] li.ok");
  await done.waitFor();
  assert.match(await done.textContent(), new RegExp(`user02 → ${taker}`));
  // The inbox follows: the taker holds a seat now; no idle seat is left.
  await requests.locator(`tr[data-userid=${taker}]`).getByText("已有席位").waitFor();
  await page.getByText("暂无可转移的闲置席位").waitFor();
  assert.deepEqual(problems, []);
});

test("activation and transfer answer per member, with WeCom's rule when refused", async () => {
  const { page, problems } = await signedInSeatsPage();
  const unassigned = await count(page, "seats-unassigned");
  await page.getByTestId("activate-userids").fill("user05, user01");
  await page.getByTestId("activate-submit").click();
  const activated = page.getByTestId("activate-card").locator("[data-testid=action-results] li");
  await activated.nth(1).waitFor();
  assert.match(await activated.nth(0).getAttribute("class"), /ok/);
  assert.equal(await activated.nth(1).getAttribute("data-code"), "already_has_seat");
  assert.match(await activated.nth(1).textContent(), /剩余超过 20 天/);
  assert.match(await activated.nth(1).locator("span").getAttribute("title"), /20 days/);
  await page.waitForFunction(
    (n) => document.querySelector("[data-testid=seats-unassigned]")?.textContent === String(n),
    unassigned - 1,
  );

  // user03 is active and in range: the seat moves, then waits 30 days.
  const transfer = async (from, to) => {
    await page.getByTestId("transfer-handover").fill(from);
    await page.getByTestId("transfer-takeover").fill(to);
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

  // The account list agrees with the summary.
  await page.getByTestId("seat-status-filter").selectOption("active");
  const active = await count(page, "seats-active");
  await page.waitForFunction(
    (n) => document.querySelector("[data-testid=seat-total]")?.textContent === String(n),
    active,
  );
  await page.locator("[data-testid=seat-table] tr[data-status=active]").first().waitFor();
  assert.equal(await page.locator("[data-testid=seat-table] tbody tr").count(), active);
  assert.deepEqual(problems, []);
});

test("the forecast counts members and seats before the range changes", async () => {
  const { page, problems } = await signedInSeatsPage();
  await page.getByTestId("forecast-remove-party").fill("3");
  await page.getByTestId("forecast-submit").click();
  await page.getByTestId("forecast-result").waitFor();
  // 市场部 holds 12 of the demo's 44 (user04, 09, 14, … 59), none of them
  // also named individually.
  assert.equal(await count(page, "forecast-members-after"), 32);
  assert.equal(await page.getByTestId("forecast-not-exact").count(), 0);

  await page.getByTestId("forecast-remove-party").fill("");
  await page.getByTestId("forecast-add-party").fill("6");
  await page.getByTestId("forecast-submit").click();
  await page.getByTestId("forecast-not-exact").waitFor();
  assert.match(await page.getByTestId("forecast-not-exact").textContent(), /6/);

  await page.getByTestId("forecast-add-party").fill("行政部");
  await page.getByTestId("forecast-submit").click();
  await page.getByText("部门 ID 须为数字：行政部").waitFor();

  await page.getByTestId("lang-switch").click();
  await page.getByText("Range change forecast").waitFor();
  assert.deepEqual(problems, []);
});
