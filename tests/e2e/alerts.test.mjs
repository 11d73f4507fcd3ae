// The overview's alerts card: each kind of alert inside WeCom with its
// switch, saved as it is flipped and still off after a reload (and audited);
// the admins who manage the app and whether WeCom can reach them; a
// read-only admin sees the switches but cannot flip them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, axeProblems, launch, openPage, readOnlyAdminPage, seedDemo, sideways, signIn } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("an admin turns a kind of alert off, it stays off, and the unreachable admin is named", async () => {
  const corp = await seedDemo();
  const { page, problems } = await openPage(browser);
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, corp);
  await page.goto(`${BASE}/`);
  const seatsOut = page.getByTestId("alert-seats_out");
  await seatsOut.waitFor();
  assert.equal(await seatsOut.isChecked(), true, "every kind starts on");
  // The demo's admin is not in the app's visible range: WeCom cannot
  // deliver to them, and the card says so.
  const admin = page.locator("[data-testid=alert-recipients] li[data-userid=admin]");
  assert.equal(await admin.getAttribute("data-reachable"), "false");
  assert.match(await admin.textContent(), /不在应用可见范围/);

  await seatsOut.uncheck();
  await page.waitForResponse((r) => r.url().endsWith(`/api/v1/corps/${corp}/alerts`) && r.request().method() === "GET");
  await page.reload();
  await page.getByTestId("alert-seats_out").waitFor();
  assert.equal(await page.getByTestId("alert-seats_out").isChecked(), false, "still off after a reload");
  assert.equal(await page.getByTestId("alert-trial_ending").isChecked(), true, "the others stay on");
  await page.getByTestId("alerts-card").screenshot({ path: `${SHOTS}/alerts-390.png` });
  assert.ok((await sideways(page)) <= 0, "no sideways scroll at 390 px");
  assert.deepEqual(await axeProblems(page), []);

  // The switch is in the audit log, which the card links to.
  await page.getByRole("link", { name: "查看已发送的提醒" }).click();
  await page.waitForURL(/\/audit\?action=alert_sent/);
  await page.goto(`${BASE}/audit?action=alert_settings`);
  await page.locator("tr[data-action=alert_settings]").first().waitFor();
  assert.deepEqual(problems, []);

  // An admin WeCom lets only look sees the switches, disabled.
  const viewer = await readOnlyAdminPage(browser, corp);
  await viewer.page.goto(`${BASE}/`);
  await viewer.page.getByTestId("alert-seats_out").waitFor();
  assert.equal(await viewer.page.getByTestId("alert-seats_out").isDisabled(), true);
  assert.deepEqual(viewer.problems, []);
});
