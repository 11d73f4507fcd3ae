// Signing in through WeCom, played by sim: an admin scans sim's QR page
// and lands on the Seats page; a member who is no admin is told who can
// grant access; a message-only admin gets a read-only console; a member
// opening the app inside WeCom (390 px, a `wxwork` user agent) lands on
// /me and asks for a seat, which the admin then sees; an admin removed in
// WeCom loses access at the next click; after logout the old cookie is
// refused. One seeded copy of the demo organisation (browser.mjs
// `seedDemo`: admin `admin`; user05, user06 and user12 in range without
// a seat, user07 outside the range).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, launch, openPage, playWeComSdkWithoutLogin, seedDemo, sim } from "./browser.mjs";

const IN_WECOM =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " +
  "Chrome/140.0 Mobile Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh";

let browser;
let corp;
before(async () => {
  browser = await launch();
  corp = await seedDemo();
});
after(async () => { await browser?.close(); });

// From the console's sign-in page through sim's QR page, as `userid`.
async function qrSignIn(page, userid) {
  await page.goto(`${BASE}/login`);
  await page.getByTestId("qr-login").click();
  await page.getByTestId(`as-${corp}-${userid}`).click();
}

test("an admin scans the QR code and lands on the Seats page", async () => {
  const { page, problems } = await openPage(browser);
  await qrSignIn(page, "admin");
  await page.getByTestId("seats-purchased").waitFor();
  assert.equal(new URL(page.url()).pathname, "/seats");
  assert.match(await page.getByTestId("signed-in").textContent(), new RegExp(`admin @ ${corp}`));
  assert.equal(await page.getByTestId("read-only").count(), 0);
  await page.screenshot({ path: `${SHOTS}signin-qr-seats.png`, fullPage: true });
  assert.deepEqual(problems, []);
});

test("a member who is no admin is told who can grant access", async () => {
  const { page } = await openPage(browser);
  await qrSignIn(page, "user05");
  const refused = page.getByTestId("signin-refused");
  await refused.waitFor();
  assert.equal(await refused.getAttribute("data-reason"), "not_admin");
  const words = await refused.textContent();
  assert.match(words, /user05/);
  assert.match(words, /企业微信管理员/);
  assert.match(words, /Ask them to add you as an admin of the app/);
  await page.screenshot({ path: `${SHOTS}signin-refused.png`, fullPage: true });
  const cookies = await page.context().cookies();
  assert.equal(cookies.filter((c) => c.name === "ws_session").length, 0);
});

test("an admin WeCom lets only look gets a read-only console", async () => {
  await sim("PUT", `/_sim/corps/${corp}/admins`, {
    admins: [{ userid: "admin", auth_type: 1 }, { userid: "user06", auth_type: 0 }],
  });
  const { page, problems } = await openPage(browser);
  await qrSignIn(page, "user06");
  await page.getByTestId("read-only").waitFor();
  assert.equal(await page.getByTestId("activate-card").count(), 0);
  await page.screenshot({ path: `${SHOTS}signin-read-only.png`, fullPage: true });

  // WeCom removes user06 from the app's admins: the next click is refused.
  await sim("PUT", `/_sim/corps/${corp}/admins`, { admins: [{ userid: "admin", auth_type: 1 }] });
  await page.getByRole("link", { name: "成员" }).first().click();
  await page.getByText("请先登录管理后台。").waitFor();
  const session = await page.evaluate(async () => {
    const r = await fetch("/api/v1/session");
    return { status: r.status, code: (await r.json()).error.code };
  });
  assert.deepEqual(session, { status: 401, code: "not_admin" });
  assert.deepEqual(problems, []);
});

// A phone in WeCom's app: its own browser context (no session yet).
async function inWeCom() {
  const context = await browser.newContext({
    locale: "zh-CN",
    userAgent: IN_WECOM,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await playWeComSdkWithoutLogin(context);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page, problems };
}

// Opening the app: the worker sends the webview through WeCom's OAuth
// (sim's page stands in for WeCom knowing who it is).
async function openApp(page, userid) {
  await page.goto(`${BASE}/`);
  assert.match(page.url(), /\/connect\/oauth2\/authorize\?/);
  await page.getByTestId(`as-${corp}-${userid}`).click();
}

test("a member opening the app in WeCom lands on /me, asks for a seat, and the admin sees it", async () => {
  const { context, page, problems } = await inWeCom();
  await openApp(page, "user12");
  await page.getByTestId("me-card").waitFor();
  assert.equal(new URL(page.url()).pathname, "/me");
  assert.equal(await page.getByTestId("me-allowed").getAttribute("data-allowed"), "true");
  assert.match(await page.getByTestId("me-reason").textContent(), /试用/);
  await page.getByTestId("me-no-seat").waitFor();
  // A member has no console: no way there, and nothing to sign in to.
  assert.equal(await page.getByRole("link", { name: "登录" }).count(), 0);
  assert.equal(await page.getByRole("link", { name: "席位" }).count(), 0);
  // Phone-first: nothing wider than the screen.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width} px wide`);
  await page.getByTestId("request-seat").click();
  await page.getByTestId("seat-requested").waitFor();
  await page.screenshot({ path: `${SHOTS}signin-member-me.png`, fullPage: true });
  // Opening the app again finds the request, not a second button.
  await page.reload();
  await page.getByTestId("seat-requested").waitFor();
  assert.equal(await page.getByTestId("request-seat").count(), 0);
  assert.deepEqual(problems, []);
  await context.close();

  const admin = await openPage(browser);
  await qrSignIn(admin.page, "admin");
  await admin.page.getByTestId("requests-table").locator("tr[data-userid=user12]").waitFor();
  assert.equal(
    await admin.page.getByTestId("requests-table").locator("tr[data-userid=user12]").count(),
    1,
  );
});

test("a member outside the visible range is told how to get added", async () => {
  const { context, page, problems } = await inWeCom();
  await openApp(page, "user07");
  await page.getByTestId("me-card").waitFor();
  assert.equal(await page.getByTestId("me-allowed").getAttribute("data-allowed"), "false");
  const help = await page.getByTestId("range-help").textContent();
  assert.match(help, /可见范围/);
  assert.match(help, /管理员：企业微信管理后台/);
  assert.match(help, /成员：/);
  assert.equal(await page.getByTestId("request-seat").count(), 0);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width} px wide`);
  await page.screenshot({ path: `${SHOTS}signin-member-out-of-range.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test("after signing out the old cookie is refused", async () => {
  const { page } = await openPage(browser);
  await qrSignIn(page, "admin");
  await page.getByTestId("seats-purchased").waitFor();
  const [old] = (await page.context().cookies()).filter((c) => c.name === "ws_session");
  assert.ok(old, "signed in with a session cookie");
  await page.getByRole("button", { name: "退出" }).click();
  // The bar offers sign-in again, and so does the page (one session, shared).
  await page.getByRole("banner").getByRole("link", { name: "登录" }).waitFor();
  await page.getByText("请先登录管理后台。").waitFor();
  const r = await fetch(`${BASE}/api/v1/corps/${corp}`, {
    headers: { cookie: `ws_session=${old.value}` },
  });
  assert.equal(r.status, 401);
  assert.equal((await r.json()).error.code, "unauthenticated");
});

test("one switch ends every session of the organisation", async () => {
  const other = await openPage(browser);
  await qrSignIn(other.page, "admin");
  await other.page.getByTestId("seats-purchased").waitFor();
  const { page, problems } = await openPage(browser);
  await qrSignIn(page, "admin");
  await page.getByTestId("seats-purchased").waitFor();
  await page.goto(`${BASE}/`);
  await page.getByTestId("revoke-sessions").click();
  // The page reloads signed out, and so is the other browser at its next click.
  await page.getByRole("link", { name: "登录" }).waitFor();
  await other.page.getByRole("link", { name: "成员" }).first().click();
  await other.page.getByText("请先登录管理后台。").waitFor();
  assert.deepEqual(problems, []);
});
