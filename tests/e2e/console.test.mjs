// The console shell: renders, shows live health, switches language, signs in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, launch, openPage } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the console renders the health card in Chinese, then in English", async () => {
  const { page, problems } = await openPage(browser);
  await page.goto(`${BASE}/`);
  const status = page.getByTestId("health-status");
  await status.waitFor();
  assert.equal(await status.textContent(), "运行正常");
  assert.match(await page.getByTestId("health-card").textContent(), /数据库 \(D1\)可用/);

  await page.getByTestId("lang-switch").click();
  assert.equal(await status.textContent(), "All systems working");
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.screenshot({ path: `${SHOTS}console-health-en.png`, fullPage: true });

  // The choice survives a reload.
  await page.reload();
  await page.getByTestId("health-status").waitFor();
  assert.equal(await page.getByTestId("health-status").textContent(), "All systems working");
  assert.deepEqual(problems, []);
});

test("an admin signs in with the development login and sees who they are", async () => {
  const { page, problems } = await openPage(browser);
  await page.goto(`${BASE}/login`);
  await page.locator("input[name=corp_id]").fill("wwdemo01");
  await page.locator("input[name=userid]").fill("admin");
  await page.locator("button[type=submit]").click();
  const who = page.getByTestId("signed-in");
  await who.waitFor();
  assert.match(await who.textContent(), /admin @ wwdemo01/);
  await page.screenshot({ path: `${SHOTS}console-signed-in.png`, fullPage: true });
  assert.deepEqual(problems, []);
});

test("a non-admin is told why sign-in failed", async () => {
  const { page } = await openPage(browser);
  await page.goto(`${BASE}/login`);
  await page.locator("input[name=userid]").fill("nobody");
  await page.locator("button[type=submit]").click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.textContent(), /not an admin/);
});

test("an unknown page shows the not-found card with a way back", async () => {
  const { page } = await openPage(browser);
  await page.goto(`${BASE}/no/such/page`);
  await page.getByText("页面不存在").waitFor();
  await page.getByText("返回概览").click();
  await page.getByTestId("health-card").waitFor();
});
