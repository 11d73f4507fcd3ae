// Members of the demo organisation: the range card explains members without
// department information, and the members page finds and filters them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, launch, openPage } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signIn(page) {
  const r = await page.request.post(`${BASE}/auth/dev-login`, { data: { corp_id: "wwdemo01", userid: "admin" } });
  assert.equal(r.status(), 200);
}

test("the range card counts members without department and explains the fix", async () => {
  const { page, problems } = await openPage(browser);
  await signIn(page);
  await page.goto(`${BASE}/`);
  await page.getByTestId("members-in-range").waitFor();
  // 45 in the range, one of whom (user02) has left the company.
  assert.equal(await page.getByTestId("members-in-range").textContent(), "44");
  assert.equal(await page.getByTestId("without-department").textContent(), "3");
  const advice = page.getByTestId("no-department-advice");
  assert.match(await advice.textContent(), /部门整体加入应用可见范围/);
  await page.screenshot({ path: `${SHOTS}overview-range.png`, fullPage: true });

  await advice.getByRole("link").click();
  await page.waitForURL(/\/members/);
  await page.locator("tr[data-userid=user15]").waitFor();
  assert.equal(await page.getByTestId("total-count").textContent(), "3");
  const rows = await page.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.dataset.userid));
  assert.deepEqual(rows, ["user05", "user06", "user15"]);
  assert.match(await page.locator("tr[data-userid=user05]").textContent(), /无部门信息/);
  await page.screenshot({ path: `${SHOTS}members-without-department.png`, fullPage: true });
  assert.deepEqual(problems, []);
});

test("the members page lists the range with department names, searches and filters", async () => {
  const { page, problems } = await openPage(browser);
  await signIn(page);
  await page.goto(`${BASE}/members`);
  await page.locator("tr[data-userid=user01]").waitFor();
  assert.equal(await page.getByTestId("total-count").textContent(), "44");
  assert.match(await page.locator("tr[data-userid=user01]").textContent(), /研发部/);

  await page.getByTestId("member-search").fill("user15");
  await page.waitForFunction(() => document.querySelector("[data-testid=total-count]")?.textContent === "1");
  assert.equal(await page.locator("tbody tr").count(), 1);

  await page.getByTestId("member-search").fill("");
  await page.getByTestId("range-filter").selectOption("false");
  await page.waitForFunction(() => document.querySelector("[data-testid=total-count]")?.textContent === "1");
  await page.locator("tr[data-userid=user02]").waitFor();
  assert.match(await page.locator("tr[data-userid=user02]").textContent(), /已离职/);
  await page.getByTestId("member-search").fill("nobody-here");
  await page.getByText("没有符合条件的成员").waitFor();
  assert.deepEqual(problems, []);
});

test("signed out, the members page asks to sign in", async () => {
  const { page } = await openPage(browser);
  await page.goto(`${BASE}/members`);
  await page.getByText("请先登录管理后台").waitFor();
});
