// Another site cannot act with a signed-in admin's browser: a page on a
// foreign origin that posts a form to the console's API is refused (403
// `cross_site`) and nothing changes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, d1, launch, signIn } from "./browser.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const EVIL = "http://evil.example";

const audited = async () =>
  (await d1("SELECT count(*) AS n FROM audit WHERE corp_id = 'wwdemo01'"))[0].n;

test("a cross-site form post is refused and changes nothing", async () => {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await signIn(page, "wwdemo01");
  const target = `${BASE}/api/v1/corps/wwdemo01/auto_activate`;
  // The foreign page: a form that submits itself to our API.
  await context.route(`${EVIL}/**`, (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><form id="f" method="post" action="${target}">
             <input name="enabled" value="true"></form>
           <script>document.getElementById("f").submit()</script>`,
  }));
  const before = await audited();
  const answered = page.waitForResponse((r) => r.url() === target);
  await page.goto(`${EVIL}/prize`);
  const response = await answered;
  assert.equal(response.status(), 403);
  assert.equal((await response.json()).error.code, "cross_site");
  assert.equal(await audited(), before, "nothing was recorded");
  // The admin's own console still works.
  const session = await page.request.get(`${BASE}/api/v1/session`);
  assert.equal(session.status(), 200);
  await context.close();
});
