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
    assert.equal(await page.locator(`tr[data-corp=${short}] [data-testid=seats-free]`).textContent(), "6");
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
      assert.equal(await page.getByTestId("order-base").inputValue(), "1");
      await page.getByTestId("order-base").fill("3");
      await page.getByTestId("order-months").selectOption("12");
      await page.getByTestId("order-place").click();
      // A second press is the same order.
      await page.getByTestId("order-place").click();
      const orderId = await page.getByTestId("order-id").textContent();
      assert.match(orderId, /\S+/);
      const orders = await sim("POST", `/cgi-bin/license/list_order?provider_access_token=${await providerToken()}`, { corpid: short });
      assert.equal(orders.order_list.length, 2, JSON.stringify(orders));
      await page.getByTestId("order-pay").click();
      await page.locator("[data-testid=order-paid][data-status=paid]").waitFor();
      // WeCom's license_pay_success brings the seats; the card reads again.
      await page.waitForFunction(() => document.querySelector("[data-testid=seats-purchased]")?.textContent === "15", null, { timeout: 15_000 });
    }
    await page.screenshot({ path: `${SHOTS}desk-org-${width}.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await page.context().close();
  }
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
