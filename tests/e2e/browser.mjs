// Shared launch settings for the browser tests: Debian's Chromium, offline.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

export const BASE = process.env.EDGE_URL ?? "http://127.0.0.1:8787";
export const SHOTS = new URL("../../target/e2e/", import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

// A page that fails the test on any uncaught error or panic in the console.
export async function openPage(browser) {
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/401|Unauthorized/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { page, problems };
}
