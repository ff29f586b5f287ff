#!/usr/bin/env node
// npm run test:e2e — the browser check of the read side.
//  1. starts a seeded throwaway service (scripts/dev-server.mjs: wrangler dev, temp state, free port)
//     and runs the sweep once so the pages show its findings;
//  2. opens the status page and a commitment page in Debian's headless Chromium (playwright-core,
//     executablePath /usr/bin/chromium, fresh profile, no network features) at phone and desktop
//     widths, checks each page rendered (heading, timeline, no console errors or CSP violations,
//     no horizontal overflow on the phone);
//  3. writes docs/screenshots/{status,commitment}-{phone,desktop}.png;
//  4. signs in to the editor with the admin token and writes
//     docs/screenshots/editor-{commitment,status}-{phone,desktop}.png: the commitment form with the
//     resolved deadline shown, and the status change form.
// Needs `apt-get install -y chromium` (Debian) when /usr/bin/chromium is missing.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { root, startDevServer } from "./dev-server.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const OUT = join(root, "docs", "screenshots");
const COMMITMENT = "az-us-strategic-partnership-charter";
const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1366, height: 900 },
};
const PAGES = {
  status: { path: "/", heading: "Commitment status" },
  commitment: { path: `/commitments/${COMMITMENT}`, heading: "Set up the Strategic Working Group" },
};

if (!existsSync(CHROMIUM)) {
  console.error(`[screenshots] ${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  process.exit(1);
}

mkdirSync(OUT, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "pledgewatch-chromium-"));
const server = await startDevServer({ seed: true, sweep: true });
let context;
const failures = [];
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: VIEWPORTS.desktop,
  });
  for (const [name, { path, heading }] of Object.entries(PAGES)) {
    for (const [device, viewport] of Object.entries(VIEWPORTS)) {
      const page = await context.newPage();
      const problems = [];
      page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
      });
      page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
      await page.setViewportSize(viewport);
      const res = await page.goto(`${server.base}${path}`, { waitUntil: "load" });
      if (!res || res.status() !== 200) problems.push(`HTTP ${res?.status()}`);
      const h1 = (await page.locator("h1").first().textContent()) ?? "";
      if (!h1.includes(heading)) problems.push(`heading is '${h1}'`);
      const timeline = device === "phone" ? "svg.tl-narrow" : "svg.tl-wide";
      if (name === "status" && !(await page.locator(timeline).isVisible())) problems.push(`${timeline} is not visible`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 1) problems.push(`page scrolls sideways by ${overflow}px`);
      const file = join(OUT, `${name}-${device}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`[screenshots] ${file}${problems.length ? ` — PROBLEMS: ${problems.join("; ")}` : ""}`);
      failures.push(...problems.map((p) => `${name}-${device}: ${p}`));
      await page.close();
    }
  }
  const signIn = await context.newPage();
  await signIn.goto(`${server.base}/login`);
  await signIn.getByLabel("API token").fill(server.token);
  await signIn.getByRole("button", { name: "Sign in" }).click();
  await signIn.waitForURL(`${server.base}/editor`);
  await signIn.close();
  const EDITOR = {
    "editor-commitment": {
      path: "/editor/commitments/new?agreement=az-us-strategic-working-group-mou",
      heading: "Add a commitment",
      fill: async (page) => {
        await page.getByLabel("Title").fill("Hold the first Strategic Working Group meeting");
        await page.getByLabel("Within a duration of the signing date").check();
        await page.getByLabel("Within", { exact: true }).fill("P3M");
        await page.getByRole("button", { name: "Show the resolved deadline" }).click();
        await page.locator("#deadline-preview").waitFor();
      },
    },
    "editor-status": { path: `/editor/commitments/${COMMITMENT}`, heading: "Set up the Strategic Working Group", fill: async () => {} },
  };
  for (const [name, { path, heading, fill }] of Object.entries(EDITOR)) {
    for (const [device, viewport] of Object.entries(VIEWPORTS)) {
      const page = await context.newPage();
      const problems = [];
      page.on("console", (msg) => {
        if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
      });
      await page.setViewportSize(viewport);
      const res = await page.goto(`${server.base}${path}`, { waitUntil: "load" });
      if (!res || res.status() !== 200) problems.push(`HTTP ${res?.status()}`);
      await fill(page);
      const h1 = (await page.locator("h1").first().textContent()) ?? "";
      if (!h1.includes(heading)) problems.push(`heading is '${h1}'`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 1) problems.push(`page scrolls sideways by ${overflow}px`);
      const file = join(OUT, `${name}-${device}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`[screenshots] ${file}${problems.length ? ` — PROBLEMS: ${problems.join("; ")}` : ""}`);
      failures.push(...problems.map((p) => `${name}-${device}: ${p}`));
      await page.close();
    }
  }
} finally {
  await context?.close().catch(() => {});
  await server.stop();
  rmSync(profile, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`[screenshots] ${failures.length} problem(s):\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log("[screenshots] 8 screenshots written, no problems found");
