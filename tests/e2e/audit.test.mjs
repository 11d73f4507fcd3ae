// The audit log page: an activation made in the test shows with who and
// when, the kind filter narrows it and stays in the URL, its CSV export
// carries the same filter, and the page passes axe at a desktop's and a
// phone's width without scrolling sideways.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, adminApi, axeProblems, launch, openPage, seedDemo, sideways, signIn } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the audit log shows an activation made now, filters it, exports it, at 1280 and 390 px", async () => {
  const corp = await seedDemo();
  const api = await adminApi(corp);
  const done = await api("POST", "/seats/activate", { userids: ["user05"], type: 1 });
  assert.equal(done.results[0].ok, true, JSON.stringify(done));

  for (const [width, height] of [[1280, 900], [390, 844]]) {
    const { page, problems } = await openPage(browser);
    await page.setViewportSize({ width, height });
    await signIn(page, corp);
    await page.goto(`${BASE}/audit`);
    await page.locator("tr[data-action=seats_activated]").first().waitFor();
    await page.getByTestId("audit-action").selectOption("seats_activated");
    await page.waitForURL(/action=seats_activated/);
    // The seeding's activation and this test's: newest first.
    await page.waitForFunction(() => document.querySelector("[data-testid=total-count]")?.textContent === "2");
    const newest = page.locator("tbody tr").first();
    assert.match(await newest.textContent(), /user05/);
    assert.match(await newest.textContent(), /激活席位/);
    assert.match(await newest.textContent(), /admin/);

    // A link to this view shows the same view.
    await page.goto(page.url());
    await page.waitForFunction(() => document.querySelector("[data-testid=total-count]")?.textContent === "2");
    assert.equal(await page.getByTestId("audit-action").inputValue(), "seats_activated");

    const href = await page.getByTestId("audit-export").getAttribute("href");
    assert.match(href, /export\/audit\.csv\?action=seats_activated/);
    const csv = await page.request.get(`${BASE}${href}`);
    assert.equal(csv.status(), 200);
    const text = await csv.text();
    assert.ok(text.startsWith("\ufeffid,at,actor,action,detail\r\n"), text.slice(0, 80));
    assert.equal(text.trim().split("\r\n").length, 3, text);

    const across = await sideways(page);
    assert.ok(across <= 0, `scrolls ${across} px sideways at ${width} px`);
    assert.deepEqual(await axeProblems(page), [], `axe at ${width} px`);
    await page.screenshot({ path: `${SHOTS}audit-${width}.png`, fullPage: true });
    assert.deepEqual(problems, []);
  }
});
