// The provider's desk (/desk, its own wasm): an operator signs in through
// WeCom's member QR login (sim plays it), finds the organisations short of
// seats, opens one read-only; an organisation's admin is told the desk is
// not for them. axe finds nothing serious at 1 280 and 390 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE, SHOTS, axeProblems, launch, openPage, reconcile, seedDemo, sideways, signIn, sim,
} from "./browser.mjs";

// A provider token from sim, as the worker gets one.
async function providerToken() {
  const r = await sim("POST", "/cgi-bin/service/get_provider_token", {
    corpid: PROVIDER,
    provider_secret: process.env.PROVIDER_SECRET,
  });
  return r.provider_access_token;
}

const PROVIDER = process.env.PROVIDER_CORPID;
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// /auth/desk → sim's QR page (the provider's CorpID, usertype=member) →
// scanned as `userid` of the provider's own organisation.
async function operatorSignsIn(page, userid = "ops01") {
  await page.goto(`${BASE}/auth/desk`);
  assert.match(page.url(), /usertype=member/);
  await page.getByTestId(`as-${PROVIDER}-${userid}`).click();
}

test("an operator finds who is short of seats and opens one organisation read-only", async () => {
  // Two organisations: the demo copy, whose members were refused just now
  // (user09, user11 opened the app without a seat), and one whose refusals
  // were answered with seats.
  const short = await seedDemo();
  const served = await seedDemo();
  const { page: admin } = await openPage(browser);
  await signIn(admin, served);
  for (const userid of ["user09", "user11"]) {
    const r = await admin.request.post(`${BASE}/api/v1/corps/${served}/seats/activate`, {
      data: { userids: [userid], type: 1 },
    });
    assert.equal(r.status(), 200, await r.text());
  }
  await admin.context().close();
  await reconcile(short);
  await reconcile(served);

  for (const [width, height] of [[1280, 900], [390, 844]]) {
    const { page, problems } = await openPage(browser);
    await page.setViewportSize({ width, height });
    await operatorSignsIn(page);
    await page.waitForURL(/\/desk/);
    assert.equal(await page.getByTestId("signed-in").textContent(), "ops01");
    await page.getByTestId("desk-table").waitFor();
    // Both organisations of this test, then only the one short of seats.
    await page.getByTestId("desk-q").fill("wwe2e");
    await page.getByTestId("desk-q").press("Enter");
    await page.locator(`tr[data-corp=${short}]`).waitFor();
    await page.locator(`tr[data-corp=${served}]`).waitFor();
    await page.getByTestId("desk-short").check();
    await page.waitForURL(/short=true/);
    await page.locator(`tr[data-corp=${served}]`).waitFor({ state: "detached" });
    assert.equal(await page.locator(`tr[data-corp=${short}]`).count(), 1);
    // Six free; nine once the first pass (1 280 px) bought three (the
    // payment's push refreshes the desk's row).
    const free = width === 1280 ? "6" : "9";
    assert.equal(await page.locator(`tr[data-corp=${short}] [data-testid=seats-free]`).textContent(), free);
    assert.deepEqual(await axeProblems(page), [], `axe on the desk at ${width} px`);
    assert.ok((await sideways(page)) <= 0, `the desk scrolls sideways at ${width} px`);
    await page.screenshot({ path: `${SHOTS}desk-short-${width}.png`, fullPage: true });

    // The link reproduces the view.
    const link = page.url();
    await page.goto(link);
    await page.locator(`tr[data-corp=${short}]`).waitFor();
    assert.equal(await page.locator(`tr[data-corp=${served}]`).count(), 0);

    // One organisation: its seats as its admins see them, no action.
    await page.locator(`tr[data-corp=${short}] a`).click();
    await page.getByTestId("desk-org").waitFor();
    await page.getByTestId("seats-purchased").waitFor();
    // The demo's 12, and 3 more once the first pass (1 280 px) bought them.
    const bought = width === 1280 ? "12" : "15";
    await page.waitForFunction((n) => document.querySelector("[data-testid=seats-purchased]")?.textContent === n, bought);
    assert.equal(await page.getByTestId("auto-activate-toggle").count(), 0, "read-only");
    await page.locator("table.accounts tbody tr").first().waitFor();
    assert.deepEqual(await axeProblems(page), [], `axe on an organisation at ${width} px`);
    if (width === 1280) {
      // Two members wait and six seats are free: the form suggests one.
      const order = page.getByTestId("desk-order");
      assert.equal(await order.getByTestId("order-base").inputValue(), "1");
      await order.getByTestId("order-base").fill("3");
      await order.getByTestId("order-months").selectOption("12");
      await order.getByTestId("order-place").click();
      // A second press is the same order.
      await order.getByTestId("order-place").click();
      const orderId = await order.getByTestId("order-id").textContent();
      assert.match(orderId, /\S+/);
      const orders = await sim("POST", `/cgi-bin/license/list_order?provider_access_token=${await providerToken()}`, { corpid: short });
      assert.equal(orders.order_list.length, 2, JSON.stringify(orders));
      await order.getByTestId("order-pay").click();
      await order.locator("[data-testid=order-paid][data-status=paid]").waitFor();
      // WeCom's license_pay_success brings the seats; the card reads again.
      await page.waitForFunction(() => document.querySelector("[data-testid=seats-purchased]")?.textContent === "15", null, { timeout: 15_000 });
    }
    await page.screenshot({ path: `${SHOTS}desk-org-${width}.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await page.context().close();
  }
});

test("an operator orders for two organisations in one order, pays once, and renews the seats ending soon", async () => {
  // Two demo copies, both short of seats (two members refused, six seats
  // free: one more each is suggested); user01's seat of the first ends in
  // 20 days (its 365-day seat aged 345 days in WeCom, then reconciled).
  const first = await seedDemo();
  const second = await seedDemo();
  const aged = await sim("POST", `/_sim/corps/${first}/age`, { userid: "user01", type: 1, days: 345 });
  assert.equal(aged.aged, 1, JSON.stringify(aged));
  await reconcile(first);
  await reconcile(second);

  const { page, problems } = await openPage(browser);
  await page.setViewportSize({ width: 1280, height: 900 });
  await operatorSignsIn(page);
  await page.waitForURL(/\/desk/);
  await page.getByTestId("desk-short").check();
  await page.getByTestId("desk-q").fill("wwe2e");
  await page.getByTestId("desk-q").press("Enter");
  for (const corp of [first, second]) {
    await page.locator(`tr[data-corp=${corp}] [data-testid=desk-pick]`).check();
  }
  const card = page.getByTestId("desk-multi");
  await card.waitFor();
  const counts = card.getByTestId("multi-count");
  assert.deepEqual(await counts.evaluateAll((inputs) => inputs.map((i) => i.value)), ["1", "1"], "pre-filled from the shortfall");
  await card.locator(`li[data-corp=${first}] input`).fill("2");
  await card.locator(`li[data-corp=${second}] input`).fill("3");
  await card.getByTestId("order-months").selectOption("12");
  await card.getByTestId("multi-place").click();
  const orderId = await card.getByTestId("order-id").textContent();
  const union = await sim("POST", `/cgi-bin/license/get_union_order?provider_access_token=${await providerToken()}`, { order_id: orderId });
  assert.deepEqual(union.buy_list.map((s) => s.corpid).sort(), [first, second].sort(), JSON.stringify(union));
  assert.deepEqual(await axeProblems(page), [], "axe on the desk with an order placed");
  await page.screenshot({ path: `${SHOTS}desk-multi-1280.png`, fullPage: true });
  await card.getByTestId("order-pay").click();
  await card.locator("[data-testid=order-paid][data-status=paid]").waitFor();

  // The seats arrive on both organisations' pages: 12 + 2, 12 + 3.
  for (const [corp, seats] of [[second, "15"], [first, "14"]]) {
    await page.goto(`${BASE}/desk?corp=${corp}`);
    await page.getByTestId("desk-org").waitFor();
    await page.waitForFunction((n) => document.querySelector("[data-testid=seats-purchased]")?.textContent === n, seats, { timeout: 15_000 });
  }

  // The first's seat ending in 20 days, renewed for a year and paid.
  const renew = page.getByTestId("desk-renew");
  await page.waitForFunction(() => document.querySelector("[data-testid=renew-total]")?.textContent === "1");
  assert.equal(await renew.locator("[data-testid=renew-seats] tr").count(), 1);
  assert.match(await renew.getByTestId("renew-seats").textContent(), /user01/);
  await renew.getByTestId("order-months").selectOption("12");
  await renew.getByTestId("renew-place").click();
  assert.equal(await renew.getByTestId("renew-renewing").textContent(), "1");
  assert.equal(await renew.getByTestId("renew-refused").count(), 0);
  assert.deepEqual(await axeProblems(page), [], "axe on an organisation with a renewal placed");
  await page.screenshot({ path: `${SHOTS}desk-renew-1280.png`, fullPage: true });
  await renew.getByTestId("order-pay").click();
  await renew.locator("[data-testid=order-paid][data-status=paid]").waitFor();
  // Renewed: nothing of the first ends within 30 days any more.
  await page.waitForFunction(() => document.querySelector("[data-testid=renew-total]")?.textContent === "0", null, { timeout: 15_000 });
  assert.deepEqual(problems, []);
  await page.context().close();
});

test("an organisation's admin and an unlisted colleague are refused at the desk", async () => {
  const corp = await seedDemo();
  const { page, problems } = await openPage(browser);
  await signIn(page, corp);
  await page.goto(`${BASE}/desk`);
  await page.getByTestId("desk-refused").waitFor();
  assert.equal(await page.getByTestId("desk-table").count(), 0);
  assert.equal(await page.getByTestId("desk-sign-in").getAttribute("href"), "/auth/desk");
  // The provider's intern is not an operator: WeCom's sign-in ends on the
  // refusal page, with no session.
  await operatorSignsIn(page, "intern");
  await page.getByTestId("signin-refused").waitFor();
  assert.equal(await page.getByTestId("signin-refused").getAttribute("data-reason"), "not_operator");
  assert.deepEqual(problems.filter((p) => !/403/.test(p)), []);
  await page.context().close();
});
