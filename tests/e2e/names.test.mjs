// Real names inside WeCom: third-party apps are given userids in place of
// names, so inside WeCom's webview the console loads WeCom's JS-SDK, calls
// wx.agentConfig with the config the Worker signed, and the SDK fills each
// <ww-open-data> with the member's name. Outside WeCom nothing is loaded.
//
// WeCom's JS-SDK is WeCom's own code and cannot be fetched offline, so the
// test plays it as WeCom documents it (page 96909): agentConfig succeeds
// only when the signature is SHA-1 over the app's ticket (read from sim),
// the nonce, the timestamp and the page's URL; WWOpenData.bind then shows
// the member's name as sim holds it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, adminApi, launch, signIn, sim } from "./browser.mjs";

const WXWORK_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " +
  "Chrome/120.0.0.0 Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// WeCom's JS-SDK as a page inside WeCom sees it.
function playedSdk(ticket, corpId, names, departments = {}) {
  const wx = `window.wx = { agentConfig(c) {
      const signed = "jsapi_ticket=${ticket}&noncestr=" + c.nonceStr + "&timestamp=" + c.timestamp
        + "&url=" + location.href.split("#")[0];
      crypto.subtle.digest("SHA-1", new TextEncoder().encode(signed)).then((d) => {
        const hex = [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
        const ok = hex === c.signature && c.corpid === ${JSON.stringify(corpId)} && c.agentid > 0;
        window.__agentConfig = { ok, config: c };
        ok ? c.success({ errMsg: "agentConfig:ok" }) : c.fail({ errMsg: "agentConfig:fail invalid signature" });
      });
    } };`;
  const openData = `window.WWOpenData = { bind(el) {
      if (!window.__agentConfig?.ok) return;
      const known = el.getAttribute("type") === "departmentName" ? ${JSON.stringify(departments)} : ${JSON.stringify(names)};
      const name = known[el.getAttribute("openid")];
      if (name) { el.textContent = name; el.dataset.rendered = name; }
    } };`;
  return { wx, openData };
}

async function pageWithSdk(userAgent, sdk) {
  const context = await browser.newContext({ locale: "zh-CN", userAgent });
  const sdkRequests = [];
  const serve = (body) => (route) => {
    sdkRequests.push(route.request().url());
    return route.fulfill({ contentType: "text/javascript", body });
  };
  await context.route("https://res.wx.qq.com/**", serve(sdk.wx));
  await context.route("https://open.work.weixin.qq.com/**", serve(sdk.openData));
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  return { page, sdkRequests, problems };
}

test("inside WeCom the members page shows names through WeCom's JS-SDK", async () => {
  const corp = "wwdemo01";
  // The first signed config makes the Worker fetch the app's ticket.
  const api = await adminApi(corp);
  await api("GET", `/jsapi/agent_config?url=${encodeURIComponent(`${BASE}/`)}`);
  const { ticket } = await sim("GET", `/_sim/corps/${corp}/agent_ticket`);
  const held = await sim("GET", `/_sim/corps/${corp}`);
  const names = Object.fromEntries(held.users.map((u) => [u.userid, u.name]));
  const departments = Object.fromEntries(held.departments.map((d) => [d.id, d.name]));

  const { page, sdkRequests, problems } = await pageWithSdk(WXWORK_UA, playedSdk(ticket, corp, names, departments));
  await signIn(page, corp);
  await page.goto(`${BASE}/members`);
  const cell = page.locator("tr[data-userid=user01] ww-open-data[type=userName]");
  await cell.waitFor();
  await page.waitForFunction(() => document.querySelector("tr[data-userid=user01] ww-open-data[type=userName]")?.dataset.rendered);
  assert.equal(await cell.textContent(), names.user01);
  assert.notEqual(names.user01, "user01", "WeCom's API gave the userid; the SDK the name");
  assert.equal(await cell.getAttribute("openid"), "user01");
  const department = page.locator("tr[data-userid=user01] ww-open-data[type=departmentName]").first();
  await page.waitForFunction(() => document.querySelector("tr[data-userid=user01] ww-open-data[type=departmentName]")?.dataset.rendered);
  assert.equal(await department.textContent(), departments[await department.getAttribute("openid")]);
  assert.equal(await page.evaluate(() => window.__agentConfig.ok), true, "WeCom accepted the signature");
  assert.equal(sdkRequests.length, 2, "both SDK files, once each");
  await page.screenshot({ path: `${SHOTS}members-in-wecom.png`, fullPage: true });

  // Rows a later page of the list brings are named too.
  await page.getByTestId("member-search").fill("user2");
  await page.locator("tr[data-userid=user21]").waitFor();
  await page.waitForFunction(() => document.querySelector("tr[data-userid=user21] ww-open-data[type=userName]")?.dataset.rendered);
  assert.equal(await page.locator("tr[data-userid=user21] ww-open-data[type=userName]").textContent(), names.user21);
  assert.deepEqual(problems, []);
});

test("outside WeCom no SDK is loaded and the userid WeCom's API gave shows", async () => {
  const { page, sdkRequests, problems } = await pageWithSdk(undefined, playedSdk("x", "x", {}));
  await signIn(page, "wwdemo01");
  await page.goto(`${BASE}/members`);
  const cell = page.locator("tr[data-userid=user01] ww-open-data[type=userName]");
  await cell.waitFor();
  assert.equal(await cell.getAttribute("openid"), "user01");
  assert.equal(await cell.textContent(), "user01");
  assert.equal(await cell.getAttribute("data-rendered"), null);
  assert.deepEqual(sdkRequests, []);
  assert.deepEqual(problems, []);
});
