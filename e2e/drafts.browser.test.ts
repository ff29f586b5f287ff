/**
 * "Paste a statement" in Debian's Chromium (playwright-core, executablePath, --no-sandbox) against
 * the real worker under `wrangler dev` (harness.ts): paste the seed statement on an agreement's
 * editor page, review the highlighted quotes and deadline explanations, accept, edit then accept,
 * reject, accept all; the accepted draft then reaches a loopback webhook receiver (real queue),
 * the public page and the feed, and the sweep flags it overdue. Needs `chromium` on PATH.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT, startReceiver, startWorker, waitFor, type Receiver, type WorkerHandle } from "./harness";

const CHROMIUM = process.env.CHROMIUM_PATH ?? execFileSync("sh", ["-c", "command -v chromium || true"], { encoding: "utf8" }).trim();
const SEED = readFileSync(join(ROOT, "eval/extract/seed.txt"), "utf8");

let worker: WorkerHandle;
let receiver: Receiver;
let browser: Browser;
let page: Page;
const agreementId = `drafts-agr-${Date.now().toString(36)}`;
let reviewUrl = "";

beforeAll(async () => {
  if (!CHROMIUM) throw new Error("chromium is not installed: apt-get update && apt-get install -y chromium");
  worker = await startWorker({ vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "true" } });
  receiver = await startReceiver();
  const made = await worker.api("POST", "/api/v1/tokens", { name: "drafts-editor", scope: "write" });
  expect(made.status).toBe(201);
  const agreement = await worker.api("POST", "/api/v1/agreements", {
    id: agreementId,
    title: "Washington statement, August 2025",
    kind: "statement",
    signed_on: "2025-08-08",
    parties: ["Azerbaijan", "United States", "Armenia"],
    source_url: "https://mfa.example.org/press/washington",
  });
  expect(agreement.status).toBe(201);
  const sub = await worker.api("POST", "/api/v1/subscriptions", { url: receiver.url, agreements: [agreementId], event_types: ["commitment.created", "commitment.overdue"] });
  expect(sub.status).toBe(201);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  page = await (await browser.newContext()).newPage();
  await page.goto(`${worker.url}/login`);
  await page.getByLabel("API token").fill(made.body.token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${worker.url}/editor`);
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await receiver?.close();
});

const card = (p: Page, words: string) => p.locator("li.draft", { hasText: words });

describe("drafts from a statement in the browser", () => {
  it("pastes the seed statement from the agreement's page and shows the drafts beside the highlighted text", async () => {
    await page.goto(`${worker.url}/editor/agreements/${agreementId}/edit`);
    await page.getByRole("link", { name: "Paste a statement" }).click();
    await page.getByLabel("Statement text").fill(SEED);
    await page.getByRole("button", { name: "Propose commitments" }).click();
    await page.getByRole("heading", { name: "Review drafts" }).waitFor();
    reviewUrl = page.url();
    expect(reviewUrl).toMatch(/\/editor\/drafts\/batches\/drb_[0-9A-Z]{26}$/);
    const marks = await page.locator(".statement mark").count();
    expect(marks).toBeGreaterThanOrEqual(7);
    expect(await page.locator("li.draft").count()).toBe(marks);
    await expect(card(page, "over the next 6 months").textContent()).resolves.toContain("6 months after the signing date 2025-08-08 → 2026-02-08");
    expect(await page.locator(".statement mark", { hasText: "symbolic significance" }).count()).toBe(0);
  });

  it("accepts the Working Group draft, which a webhook subscriber, the public page, the feed and the sweep then treat like any commitment", async () => {
    await card(page, "over the next 6 months").getByRole("button", { name: "Accept" }).click();
    await page.getByText("Draft accepted").waitFor();
    const link = card(page, "over the next 6 months").getByRole("link", { name: /establish-a-strategic-working-group/ });
    const commitmentId = (await link.textContent())!.trim();
    const created = await waitFor(() => receiver.received.find((h) => h.body.includes("commitment.created") && h.body.includes(commitmentId)), 30_000, "the created webhook");
    expect(JSON.parse(created.body).data.commitment.due_on).toBe("2026-02-08");

    await page.goto(`${worker.url}/commitments/${commitmentId}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(await page.locator("body").textContent()).toContain("2026-02-08");
    const feed = await (await fetch(`${worker.url}/feed.json?agreement=${agreementId}`)).text();
    expect(feed).toContain(commitmentId);

    await worker.sweep(Date.now());
    const overdue = await waitFor(() => receiver.received.find((h) => h.body.includes("commitment.overdue") && h.body.includes(commitmentId)), 30_000, "the overdue webhook");
    expect(JSON.parse(overdue.body).data.commitment.timeliness).toBe("overdue");
  });

  it("edits then accepts a draft, with a mistake shown beside its field first", async () => {
    await page.goto(reviewUrl);
    await card(page, "special communications project").getByRole("link", { name: "Edit then accept" }).click();
    await page.getByLabel("Title").fill("Build the Trump Route through Armenia");
    await page.getByLabel("On a date").check();
    await page.getByLabel("Due date").fill("2028-02-30");
    await page.getByRole("button", { name: "Accept as a commitment" }).click();
    await page.getByText("There is a problem").waitFor();
    expect(await page.locator("#due_on-error").textContent()).toContain("must be a real calendar date YYYY-MM-DD");
    expect(await page.getByLabel("Title").inputValue()).toBe("Build the Trump Route through Armenia");
    await page.getByLabel("Due date").fill("2028-12-31");
    await page.getByRole("button", { name: "Accept as a commitment" }).click();
    await page.getByText("Commitment added.").waitFor();
    expect(await page.locator("h1").textContent()).toContain("Build the Trump Route through Armenia");
  });

  it("rejects one draft with a reason and accepts all the others", async () => {
    const batch = reviewUrl.split("/").pop()!;
    await page.goto(reviewUrl);
    const vague = card(page, "give priority attention");
    await vague.getByLabel("Reason for rejecting (optional)").fill("Scope of the group, not a promise");
    await vague.getByRole("button", { name: "Reject" }).click();
    await page.getByText("Draft rejected").waitFor();
    await page.getByRole("button", { name: /^Accept all \d+ pending drafts$/ }).click();
    await page.getByText(/Accepted \d+ drafts as commitments\./).waitFor();
    const list = await worker.api("GET", `/api/v1/drafts?batch=${batch}&status=pending`, undefined, worker.adminToken);
    expect(list.body.items).toEqual([]);
    expect(await card(page, "give priority attention").textContent()).toContain("Rejected: Scope of the group, not a promise");
  });
});
