// The callbacks card on the overview: a callback that failed every retry
// (WeCom busy throughout) shows as failed with its kind and reason; the
// admin sends it again once WeCom recovers, and the member it carried
// arrives. A read-only admin sees the failure but no retry button.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, extraMember, launch, openPage, readOnlyAdminPage, seedDemo, signIn, sim } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function shows(page, id, text) {
  await page.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid=${id}]`)?.textContent === text,
    [id, String(text)],
    { timeout: 20000 },
  );
}

// The failed count the callbacks card shows once it has its answer. An
// answer that is an error (the card's red line) is returned as such, so a
// caller that reloads can tell "not yet" from "refused", and a timeout
// names what the page showed instead.
async function failedCount(page) {
  const card = page.getByTestId("events-card");
  const settled = page.locator("[data-testid=events-failed], [data-testid=events-card] .status.bad");
  try {
    await settled.first().waitFor({ timeout: 20000 });
  } catch (e) {
    const shown = (await page.locator("main").textContent().catch(() => "")) ?? "";
    throw new Error(`the callbacks card did not answer; the page showed: ${shown.slice(0, 400)}`, { cause: e });
  }
  if (await card.locator(".status.bad").count()) {
    return `error: ${await card.locator(".status.bad").first().textContent()}`;
  }
  return page.getByTestId("events-failed").textContent();
}

test("a callback that failed every retry is shown and can be sent again", async (t) => {
  const corp = await seedDemo();
  // WeCom is busy for every user/get: newcomer1's create_user fails through
  // the queue's retries into the dead-letter queue.
  await sim("POST", `/_sim/corps/${corp}/busy`, { call: "user/get", times: 1000 });
  await sim("POST", `/_sim/corps/${corp}/users`, extraMember("newcomer1"));

  const { page, problems } = await openPage(browser);
  await signIn(page, corp);
  await page.goto(`${BASE}/`);
  // The queue gives up on the event after its retries; until then the card
  // counts it as waiting.
  const seen = [];
  for (let i = 0; i < 40; i++) {
    const shown = await failedCount(page);
    if (shown === "1") break;
    seen.push(shown);
    await new Promise((r) => setTimeout(r, 250));
    await page.reload();
  }
  // An error on the way (a busy machine) is reported, and the reload asks again.
  for (const s of seen.filter((s) => s.startsWith("error"))) t.diagnostic(`callbacks card: ${s}`);
  await shows(page, "events-failed", "1");
  const failure = page.locator("[data-testid=event-failures] li");
  assert.equal(await failure.getAttribute("data-kind"), "change_contact.create_user");
  assert.match(await failure.textContent(), /errcode -1/);
  await page.screenshot({ path: `${SHOTS}/events-failed.png`, fullPage: true });
  assert.equal(await page.getByTestId("events-backlog").textContent(), "0",
    "a callback that failed is counted as failed, not as waiting");

  // An admin WeCom lets only look (auth_type 0) sees the failure but has
  // no retry button.
  const viewer = await readOnlyAdminPage(browser, corp);
  await viewer.page.goto(`${BASE}/`);
  await shows(viewer.page, "events-failed", "1");
  assert.equal(await viewer.page.getByTestId("events-retry").count(), 0, "read-only: no retry button");
  assert.deepEqual(viewer.problems, []);

  // WeCom recovers; the admin retries from the card.
  await sim("POST", `/_sim/corps/${corp}/busy`, { call: "user/get", times: 0 });
  await page.getByTestId("events-retry").click();
  await shows(page, "events-requeued", "已重新排队: 1");
  for (let i = 0; i < 40; i++) {
    await page.reload();
    if ((await failedCount(page)) === "0") break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await shows(page, "events-failed", "0");
  assert.equal(await page.getByTestId("events-retry").count(), 0, "nothing left to retry");
  await page.goto(`${BASE}/members`);
  await page.locator("tr", { hasText: "newcomer1" }).first().waitFor();
  assert.deepEqual(problems, []);
});
