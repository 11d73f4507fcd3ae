// Real names: third-party apps are given userids in place of names, so the
// console loads WeCom's JS-SDK (the `ww` SDK and jwxwork-1.0.0.js, page
// 99206), registers with the agent config the Worker signs
// (getAgentConfigSignature), and the SDK fills each <ww-open-data> with
// the member's name: inside WeCom's webview and, for an admin signed in
// through WeCom on this domain, in a desktop browser too (page 91958). The
// SDK's scripts load with referrerpolicy="origin" (91958: 「不能去掉」) while
// the pages keep Referrer-Policy: no-referrer.
//
// WeCom's JS-SDK is WeCom's own code and cannot be fetched offline, so the
// test plays it as WeCom documents it (page 96909): the agent config holds
// only when the signature is SHA-1 over the app's ticket (read from sim),
// the nonce, the timestamp and the page's URL, and only when the scripts
// were fetched with our origin as referrer; WWOpenData.bind then shows the
// member's name as sim holds it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, adminApi, launch, signIn, sim } from "./browser.mjs";

const WXWORK_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " +
  "Chrome/120.0.0.0 Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// WeCom's JS-SDK as a page sees it.
function playedSdk(ticket, corpId, names, departments = {}) {
  const ww = `window.ww = {
    register(o) { window.__registered = o; },
    initOpenData() {
      const o = window.__registered;
      if (!o) return Promise.reject(new Error("initOpenData before register"));
      const url = location.href.split("#")[0];
      return Promise.resolve(o.getAgentConfigSignature(url)).then((c) => {
        const signed = "jsapi_ticket=${ticket}&noncestr=" + c.nonceStr + "&timestamp=" + c.timestamp + "&url=" + url;
        return crypto.subtle.digest("SHA-1", new TextEncoder().encode(signed)).then((d) => {
          const hex = [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
          const ok = hex === c.signature && o.corpId === ${JSON.stringify(corpId)} && o.agentId > 0;
          window.__agentConfig = { ok, config: c };
          if (!ok) throw new Error("agentConfig:fail invalid signature");
        });
      });
    },
  };`;
  const openData = `window.WWOpenData = { bind(el) {
      if (!window.__agentConfig?.ok) return;
      const known = el.getAttribute("type") === "departmentName" ? ${JSON.stringify(departments)} : ${JSON.stringify(names)};
      const name = known[el.getAttribute("openid")];
      if (name) { el.textContent = name; el.dataset.rendered = name; }
    } };`;
  return { ww, openData };
}

async function pageWithSdk(userAgent, sdk) {
  const context = await browser.newContext({ locale: "zh-CN", userAgent });
  const sdkRequests = [];
  const serve = (body) => (route) => {
    const referer = route.request().headers()["referer"] ?? null;
    sdkRequests.push({ url: route.request().url(), referer });
    // WeCom serves its SDK by the page's domain: no origin, no SDK.
    if (referer !== `${BASE}/`) return route.fulfill({ status: 403, body: "" });
    return route.fulfill({ contentType: "text/javascript", body });
  };
  await context.route("https://wwcdn.weixin.qq.com/**", serve(sdk.ww));
  await context.route("https://open.work.weixin.qq.com/**", serve(sdk.openData));
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  return { page, sdkRequests, problems };
}

async function heldNames(corp) {
  // The first signed config makes the Worker fetch the app's ticket.
  const api = await adminApi(corp);
  await api("GET", `/jsapi/agent_config?url=${encodeURIComponent(`${BASE}/`)}`);
  const { ticket } = await sim("GET", `/_sim/corps/${corp}/agent_ticket`);
  const held = await sim("GET", `/_sim/corps/${corp}`);
  const names = Object.fromEntries(held.users.map((u) => [u.userid, u.name]));
  const departments = Object.fromEntries(held.departments.map((d) => [d.id, d.name]));
  return { ticket, names, departments };
}

async function assertScriptsSendOnlyTheOrigin(page, sdkRequests) {
  const policies = await page.evaluate(() =>
    [...document.querySelectorAll("script[src^='https://']")].map((s) => [s.src, s.getAttribute("referrerpolicy")]));
  assert.equal(policies.length, 2, JSON.stringify(policies));
  for (const [src, policy] of policies) assert.equal(policy, "origin", src);
  assert.equal(sdkRequests.length, 2, "both SDK files, once each");
  for (const r of sdkRequests) assert.equal(r.referer, `${BASE}/`, `${r.url} gets the origin, not the path`);
  const pagePolicy = await page.evaluate(async () => (await fetch("/")).headers.get("referrer-policy"));
  assert.equal(pagePolicy, "no-referrer", "every other request still sends none");
}

test("inside WeCom the members page shows names through WeCom's JS-SDK", async () => {
  const corp = "wwdemo01";
  const { ticket, names, departments } = await heldNames(corp);

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
  await assertScriptsSendOnlyTheOrigin(page, sdkRequests);
  await page.screenshot({ path: `${SHOTS}members-in-wecom.png`, fullPage: true });

  // Rows a later page of the list brings are named too.
  await page.getByTestId("member-search").fill("user2");
  await page.locator("tr[data-userid=user21]").waitFor();
  await page.waitForFunction(() => document.querySelector("tr[data-userid=user21] ww-open-data[type=userName]")?.dataset.rendered);
  assert.equal(await page.locator("tr[data-userid=user21] ww-open-data[type=userName]").textContent(), names.user21);
  assert.deepEqual(problems, []);
});

test("in a desktop browser an admin signed in through WeCom sees names too", async () => {
  const corp = "wwdemo01";
  const { ticket, names } = await heldNames(corp);
  const { page, sdkRequests, problems } = await pageWithSdk(undefined, playedSdk(ticket, corp, names));
  await signIn(page, corp);
  await page.goto(`${BASE}/members`);
  await page.waitForFunction(() => document.querySelector("tr[data-userid=user01] ww-open-data[type=userName]")?.dataset.rendered);
  assert.equal(await page.locator("tr[data-userid=user01] ww-open-data[type=userName]").textContent(), names.user01);
  await assertScriptsSendOnlyTheOrigin(page, sdkRequests);
  assert.deepEqual(problems, []);
});

test("when WeCom's SDK cannot be reached the userid WeCom's API gave shows", async () => {
  const { page, problems } = await pageWithSdk(undefined, playedSdk("x", "x", {}));
  await page.context().route("https://wwcdn.weixin.qq.com/**", (route) => route.abort());
  await signIn(page, "wwdemo01");
  await page.goto(`${BASE}/members`);
  const cell = page.locator("tr[data-userid=user01] ww-open-data[type=userName]");
  await cell.waitFor();
  assert.equal(await cell.getAttribute("openid"), "user01");
  assert.equal(await cell.textContent(), "user01");
  assert.equal(await cell.getAttribute("data-rendered"), null);
  assert.deepEqual(problems, []);
});
