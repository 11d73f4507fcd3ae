// Members of the demo organisation: the range card explains members without
// department information, and the members page finds and filters them,
// page by page; "sync now" brings in what a lost callback did not. The
// read-only tests use the shared demo wwdemo01 (whose contacts no test
// changes); the others seed their own copy (browser.mjs `seedDemo`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, adminApi, extraMember, launch, openPage, seedDemo, signIn as signInTo, sim } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const signIn = (page) => signInTo(page, "wwdemo01");

// Waits until a test id shows exactly this text.
async function shows(page, id, text) {
  await page.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid=${id}]`)?.textContent === text,
    [id, String(text)],
  );
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

test("the members page lists the range with departments for WeCom to name, searches and filters", async () => {
  const { page, problems } = await openPage(browser);
  await signIn(page);
  await page.goto(`${BASE}/members`);
  await page.locator("tr[data-userid=user01]").waitFor();
  assert.equal(await page.getByTestId("total-count").textContent(), "44");
  // WeCom names departments only through its JS-SDK: 研发部 is department 2.
  await page.locator("tr[data-userid=user01] ww-open-data[type=departmentName][openid='2']").waitFor();

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

test("sync now brings in a member whose callback was lost", async () => {
  const corp = await seedDemo();
  // user61 joins 研发部 (in range) in WeCom, but no callback arrives: the
  // organisation's contacts are replaced as they are plus one member.
  const org = await sim("GET", `/_sim/corps/${corp}`);
  org.users.push(extraMember("user61"));
  assert.equal((await sim("POST", "/_sim/corps", org)).users, 61);

  const { page, problems } = await openPage(browser);
  await signInTo(page, corp);
  await page.goto(`${BASE}/members`);
  await page.locator("tr[data-userid=user01]").waitFor();
  assert.equal(await page.getByTestId("total-count").textContent(), "44");
  assert.equal(await page.locator("tr[data-userid=user61]").count(), 0);

  await page.goto(`${BASE}/`);
  await shows(page, "members-in-range", 44);
  await page.getByTestId("sync-now").click();
  // The numbers load again once the sync ended.
  await shows(page, "members-in-range", 45);
  assert.equal(await page.getByTestId("sync-now").textContent(), "立即同步");

  await page.goto(`${BASE}/members`);
  // The list draws only the rows on screen: find user61 by search.
  await page.getByTestId("member-search").fill("user61");
  const row = page.locator("tr[data-userid=user61]");
  await row.waitFor();
  assert.equal(await page.getByTestId("total-count").textContent(), "1");
  assert.equal(await row.locator("ww-open-data[type=userName]").getAttribute("openid"), "user61");
  await row.locator("ww-open-data[type=departmentName][openid='2']").waitFor();
  assert.deepEqual(problems, []);
});

test("the members list scrolls through every member with only the rows on screen in the page", async () => {
  // 80 more members in 研发部: 44 + 80 = 124 in range.
  const extra = Array.from({ length: 80 }, (_, i) => extraMember(`user${String(101 + i)}`));
  const corp = await seedDemo({ extraMembers: extra });
  const { page, problems } = await openPage(browser);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInTo(page, corp);
  await page.goto(`${BASE}/members`);
  await page.locator("tr[data-userid=user01]").waitFor();
  await shows(page, "total-count", 124);
  const rows = page.locator("[data-testid=members-table] tbody tr");
  const drawn = await rows.count();
  assert.ok(drawn > 5 && drawn < 60, `${drawn} rows in the page`);
  // To the end: the last member is drawn, the first no longer is.
  const api = await adminApi(corp);
  const all = await api("GET", "/members?in_range=true&limit=500");
  const last = all.items[all.items.length - 1].userid;
  await page.getByTestId("members-scroller").evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.locator(`tr[data-userid=${last}]`).waitFor();
  assert.equal(await page.locator("tr[data-userid=user01]").count(), 0);
  assert.ok((await rows.count()) < 60);
  const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.userid));
  assert.deepEqual(ids, [...ids].sort(), "userid order");
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(problems, []);
});

test("a department's subtree, a seat filter and the search are one link, and every match gets a seat at once", async () => {
  const corp = await seedDemo();
  const { page, problems } = await openPage(browser);
  await signInTo(page, corp);
  await page.goto(`${BASE}/members`);
  await page.locator("tr[data-userid=user01]").waitFor();
  // 研发部 (2) in the tree, members without a seat.
  await page.getByTestId("department-tree").locator("button[data-department='2']").click();
  await page.getByTestId("licensed-filter").selectOption("false");
  await page.waitForURL(/licensed=false/);
  assert.match(page.url(), /department_id=2/);
  const api = await adminApi(corp);
  const expected = await api("GET", "/members?department_id=2&sub_departments=true&licensed=false&in_range=true&limit=500");
  await shows(page, "total-count", expected.total);
  assert.ok(expected.total >= 2, JSON.stringify(expected.total));

  // The link alone shows the same view.
  const link = page.url();
  const second = await openPage(browser);
  await signInTo(second.page, corp);
  await second.page.goto(link);
  await shows(second.page, "total-count", expected.total);
  assert.equal(await second.page.getByTestId("licensed-filter").inputValue(), "false");

  // Every matching member, at once: each gets a seat or WeCom's reason.
  await page.getByTestId("select-all-matching").check();
  await shows(page, "selected-count", expected.total);
  await page.getByTestId("bulk-activate-run").click();
  await page.getByTestId("bulk-outcome").waitFor();
  const ok = Number(await page.getByTestId("bulk-ok").textContent());
  const refused = Number(await page.getByTestId("bulk-refused").textContent());
  assert.equal(ok + refused, expected.total);
  const summary = await api("GET", "/summary");
  assert.ok(ok <= 12, "no more seats than bought");
  const after = await api("GET", "/members?department_id=2&sub_departments=true&licensed=true&in_range=true&limit=500");
  assert.ok(after.items.length >= ok, JSON.stringify({ ok, after: after.total, summary: summary.seats }));
  await page.screenshot({ path: `${SHOTS}members-bulk-activated.png`, fullPage: true });
  assert.deepEqual(problems, []);
  assert.deepEqual(second.problems, []);
});
