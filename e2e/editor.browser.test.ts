/**
 * The browser editor in Debian's Chromium (playwright-core, executablePath, --no-sandbox) against
 * the real worker under `wrangler dev` (harness.ts): sign-in, forms, validation, status change
 * seen in the history and the RSS feed, a keyboard-only path, sign-out, a cross-origin form
 * refused, an expired session. Needs `chromium` on PATH (.ci/run installs it).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { freePort, quietEnv, ROOT, startReceiver, startWorker, waitFor, type Receiver, type WorkerHandle } from "./harness";

const CHROMIUM = process.env.CHROMIUM_PATH ?? execFileSync("sh", ["-c", "command -v chromium || true"], { encoding: "utf8" }).trim();

let worker: WorkerHandle;
let receiver: Receiver;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let writer: { id: string; name: string; token: string };
const agreementId = `browser-agr-${Date.now().toString(36)}`;
const commitmentId = `browser-com-${Date.now().toString(36)}`;

async function signIn(p: Page, token: string) {
  await p.goto(`${worker.url}/login`);
  await p.getByLabel("API token").fill(token);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.waitForURL(`${worker.url}/editor`);
}

beforeAll(async () => {
  if (!CHROMIUM) throw new Error("chromium is not installed: apt-get update && apt-get install -y chromium");
  // A loopback webhook receiver needs private targets allowed (development and tests only).
  worker = await startWorker({ vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "true" } });
  receiver = await startReceiver();
  const made = await worker.api("POST", "/api/v1/tokens", { name: "newsroom-editor", scope: "write" });
  expect(made.status).toBe(201);
  writer = made.body;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
  context = await browser.newContext();
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await receiver?.close();
});

describe("the browser editor", () => {
  it("signs in with the 'API token' field and the 'Sign in' button; the session cookie is HttpOnly and SameSite=Lax", async () => {
    await signIn(page, writer.token);
    await expect(page.getByText("Signed in as newsroom-editor").count()).resolves.toBe(1);
    const cookies = await context.cookies(worker.url);
    const session = cookies.find((c) => c.name === "pw_session")!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    expect(cookies.some((c) => c.name === "__Host-pw_session")).toBe(false);
  });

  it("creates an agreement, then a commitment 'within 3 months' showing the deadline the server computes", async () => {
    await page.goto(`${worker.url}/editor/agreements/new`);
    await page.getByLabel("ID (optional)").fill(agreementId);
    await page.getByLabel("Title").fill("Memorandum typed in a browser");
    await page.getByLabel("Signing date").fill("2025-08-08");
    await page.getByLabel("Parties").fill("Azerbaijan\nUnited States");
    await page.getByRole("button", { name: "Add agreement" }).click();
    await page.getByText("Agreement added.").waitFor();

    await page.goto(`${worker.url}/editor/commitments/new?agreement=${agreementId}`);
    await page.getByLabel("ID (optional)").fill(commitmentId);
    await page.getByLabel("Title").fill("Prepare the charter within three months");
    await page.getByLabel("Within a duration of the signing date").check();
    await page.getByLabel("Within", { exact: true }).fill("P3M");
    await page.getByRole("button", { name: "Show the resolved deadline" }).click();
    const preview = await page.locator("#deadline-preview").textContent();
    expect(preview).toContain("P3M after signing on 2025-08-08 → 2025-11-08");
    // The preview kept what was typed; now save it.
    expect(await page.getByLabel("Title").inputValue()).toBe("Prepare the charter within three months");
    await page.getByRole("button", { name: "Add commitment" }).click();
    await page.getByText("Commitment added.").waitFor();
    const api = await worker.api("GET", `/api/v1/commitments/${commitmentId}`);
    expect(api.body).toMatchObject({ agreement: agreementId, deadline: { within: "P3M" }, due_on: "2025-11-08" });
  });

  it("shows a validation error next to its field and in the summary, keeps the typed values and writes nothing", async () => {
    const before = (await worker.api("GET", "/api/v1/agreements?limit=200")).body.items.length;
    await page.goto(`${worker.url}/editor/agreements/new`);
    await page.getByLabel("Title").fill("Typed and kept");
    await page.getByLabel("Signing date").fill("2025-02-30");
    await page.getByRole("button", { name: "Add agreement" }).click();
    await expect(page.locator("#signed_on-error").textContent()).resolves.toContain("must be a real calendar date YYYY-MM-DD");
    await expect(page.locator(".error-summary a[href='#signed_on']").count()).resolves.toBe(1);
    expect(await page.getByLabel("Title").inputValue()).toBe("Typed and kept");
    expect(await page.getByLabel("Signing date").inputValue()).toBe("2025-02-30");
    expect(await page.getByLabel("Signing date").getAttribute("aria-invalid")).toBe("true");
    expect((await worker.api("GET", "/api/v1/agreements?limit=200")).body.items.length).toBe(before);
  });

  it("records a status change with evidence, seen in the commitment's history and in the RSS feed", async () => {
    await page.goto(`${worker.url}/editor/commitments/${commitmentId}`);
    await page.getByLabel("Status").selectOption("in_progress");
    await page.getByLabel("Note").fill("The working group met in Baku");
    await page.getByLabel("Evidence URL").fill("https://example.org/met");
    await page.getByLabel("Evidence title").fill("Press release");
    await page.getByRole("button", { name: "Record status change" }).click();
    await page.getByText("Status change recorded.").waitFor();
    const history = await page.locator(".editor-history").textContent();
    expect(history).toContain("commitment.status_changed (not_started → in_progress) by newsroom-editor: The working group met in Baku");
    await page.goto(`${worker.url}/commitments/${commitmentId}`);
    expect(await page.locator("main").textContent()).toContain("The working group met in Baku");
    const rss = await (await fetch(`${worker.url}/feed.xml?commitment=${commitmentId}`)).text();
    expect(rss).toContain("The working group met in Baku");
    expect(rss).toContain("https://example.org/met");
  });

  it("creates a subscription whose secret is shown once and signs a test event it then lists in the delivery log", async () => {
    await page.goto(`${worker.url}/editor/subscriptions`);
    await page.getByLabel("Receiver URL").fill(receiver.url);
    await page.getByLabel("Description").fill("Desk receiver");
    await page.getByRole("button", { name: "Add subscription" }).click();
    const secret = await page.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    // The copy button (editor.script.ts) puts the secret on the clipboard.
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: worker.url });
    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    expect(await page.getByText("it is shown this once").count()).toBe(1);
    await page.getByRole("link", { name: "Desk receiver" }).click();
    expect(await page.content()).not.toContain(secret);
    await page.getByRole("button", { name: "Send a test event" }).click();
    await page.getByText("Test event recorded").waitFor();
    const hook = await waitFor(() => receiver.received.find((h) => h.body.includes("subscription.test")), 30_000, "the test webhook");
    const verified = new Webhook(secret).verify(hook.body, { "webhook-id": hook.id, "webhook-timestamp": hook.timestamp, "webhook-signature": hook.signature }) as { type: string };
    expect(verified.type).toBe("subscription.test");
    await waitFor(async () => {
      await page.reload();
      return (await page.locator("table.ops tbody").textContent())?.includes("succeeded");
    }, 30_000, "a succeeded delivery in the log");
    await page.getByRole("button", { name: /^Redeliver / }).first().click();
    await page.getByText("Delivery queued again").waitFor();
  });

  it("changes a status with the keyboard alone", async () => {
    await page.goto(`${worker.url}/editor/commitments/${commitmentId}`);
    const focused = () => page.evaluate(() => document.activeElement?.id ?? document.activeElement?.tagName ?? "");
    let steps = 0;
    while ((await focused()) !== "status" && steps++ < 40) await page.keyboard.press("Tab");
    expect(await focused()).toBe("status");
    // In a focused closed <select>, ArrowDown moves to the next option: in_progress -> stalled.
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("note");
    await page.keyboard.type("Talks paused");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Record status change");
    await page.keyboard.press("Enter");
    await page.getByText("Status change recorded.").waitFor();
    const api = await worker.api("GET", `/api/v1/commitments/${commitmentId}`);
    expect(api.body.status).toBe("stalled");
  });

  it("changes a status from the commitment's public page once signed in, and comes back to it", async () => {
    await page.goto(`${worker.url}/commitments/${commitmentId}`);
    await page.getByLabel("Status").selectOption("in_progress");
    await page.getByLabel("Note").fill("Talks resumed in Washington");
    await page.getByRole("button", { name: "Record status change" }).click();
    await page.getByText("Status change recorded.").waitFor();
    expect(new URL(page.url()).pathname).toBe(`/commitments/${commitmentId}`);
    expect(await page.locator("main").textContent()).toContain("Talks resumed in Washington");
    expect((await worker.api("GET", `/api/v1/commitments/${commitmentId}`)).body.status).toBe("in_progress");
    // The same URL without the cookie is the public page: no controls.
    const anonymous = await (await fetch(`${worker.url}/commitments/${commitmentId}`)).text();
    expect(anonymous).not.toContain("Record status change");
  });

  it("deletes an agreement without commitments after the confirmation is ticked", async () => {
    const id = `browser-empty-${Date.now().toString(36)}`;
    expect((await worker.api("POST", "/api/v1/agreements", { id, title: "Entered by mistake", kind: "memorandum" })).status).toBe(201);
    await page.goto(`${worker.url}/editor/agreements/${id}/edit`);
    await page.getByRole("button", { name: "Delete agreement" }).click();
    await page.getByText("tick “Yes, delete this agreement” to confirm").first().waitFor();
    expect((await worker.api("GET", `/api/v1/agreements/${id}`)).status).toBe(200);
    await page.getByLabel("Yes, delete this agreement").check();
    await page.getByRole("button", { name: "Delete agreement" }).click();
    await page.getByText("Agreement deleted.").waitFor();
    expect((await worker.api("GET", `/api/v1/agreements/${id}`)).status).toBe(404);
  });

  it("pauses, resumes, edits and deletes an evidence-watch source from its page", async () => {
    const made = await worker.api("POST", "/api/v1/sources", { url: `http://127.0.0.1:9/${Date.now().toString(36)}.xml`, kind: "feed" });
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    await page.goto(`${worker.url}/editor/watch`);
    await page.getByRole("link", { name: made.body.url }).click();
    await page.waitForURL(`${worker.url}/editor/watch/sources/${id}`);
    await page.getByRole("button", { name: "Pause polling" }).click();
    await page.getByText("Source paused").waitFor();
    expect((await worker.api("GET", `/api/v1/sources/${id}`)).body.state).toBe("paused");
    await page.getByRole("button", { name: "Resume polling" }).click();
    await page.getByText("Source resumed").waitFor();
    await page.getByLabel("Poll every").fill("PT2M");
    await page.getByRole("button", { name: "Save source" }).click();
    await page.locator("#every-error").waitFor();
    expect(await page.getByLabel("Poll every").inputValue()).toBe("PT2M");
    await page.getByLabel("Poll every").fill("PT2H");
    await page.getByRole("button", { name: "Save source" }).click();
    await page.getByText("Source saved.").waitFor();
    expect((await worker.api("GET", `/api/v1/sources/${id}`)).body).toMatchObject({ every: "PT2H", state: "active" });
    await page.getByLabel("Yes, delete this source").check();
    await page.getByRole("button", { name: "Delete source" }).click();
    await page.getByText("Source deleted.").waitFor();
    expect((await worker.api("GET", `/api/v1/sources/${id}`)).status).toBe(404);
  });

  it("refuses a form posted from another origin with 403 and changes nothing", async () => {
    const port = await freePort();
    const evil: Server = createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(
        `<!DOCTYPE html><form method="post" action="${worker.url}/editor/agreements"><input name="title" value="Forged"><input name="kind" value="memorandum"><button>Win a prize</button></form>`,
      );
    });
    await new Promise<void>((r) => evil.listen(port, "127.0.0.1", () => r()));
    try {
      const before = (await worker.api("GET", "/api/v1/agreements?limit=200")).body.items.length;
      const other = await context.newPage();
      await other.goto(`http://localhost:${port}/`);
      const [response] = await Promise.all([other.waitForResponse(`${worker.url}/editor/agreements`), other.getByRole("button", { name: "Win a prize" }).click()]);
      expect(response.status()).toBe(403);
      expect(await other.locator("body").textContent()).toContain("Nothing was changed.");
      expect((await worker.api("GET", "/api/v1/agreements?limit=200")).body.items.length).toBe(before);
      await other.close();
    } finally {
      await new Promise((r) => evil.close(r));
    }
  });

  it("signs out: the editor then asks to sign in again", async () => {
    await page.goto(`${worker.url}/editor`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await page.goto(`${worker.url}/editor`);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect((await context.cookies(worker.url)).some((c) => c.name === "pw_session")).toBe(false);
  });

  it("ends a session idle for more than 12 hours, saying so", async () => {
    await signIn(page, writer.token);
    const r = spawnSync(
      `${ROOT}/node_modules/.bin/wrangler`,
      ["d1", "execute", "DB", "--local", "--persist-to", worker.persistDir, "--command", "UPDATE sessions SET last_seen_at = last_seen_at - 13 * 3600000"],
      { cwd: ROOT, env: quietEnv, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    await page.goto(`${worker.url}/editor/agreements/new`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.getByText("Your session has ended. Sign in again to go on editing.").waitFor();
    // Signing in again goes back to the page that was asked for.
    await page.getByLabel("API token").fill(writer.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${worker.url}/editor/agreements/new`);
  });
});
