/**
 * The evidence watch end to end: the worker under `wrangler dev` (local D1, the real cron handler,
 * the real polls queue) polls a real loopback server that serves an RSS feed and a page.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, ROOT, startWorker, waitFor, type WorkerHandle } from "./harness";

const CHARTER = "az-us-strategic-partnership-charter";
const HOUR = 3600_000;

interface Served {
  status: number;
  body: string;
  etag?: string;
  type: string;
}

let worker: WorkerHandle;
let server: Server;
let origin: string;
/** What each path answers now; the tests change it between polls. */
const routes = new Map<string, Served>();
/** Every request the server saw, with its conditional header and the status it answered. */
const log: Array<{ path: string; ifNoneMatch: string | null; status: number }> = [];

const item = (title: string, link: string, description: string) =>
  `<item><title>${title}</title><link>${link}</link><description>${description}</description><pubDate>Mon, 30 Nov 2026 09:00:00 GMT</pubDate></item>`;
const feed = (...items: string[]) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>MFA news</title><link>${origin}/</link><description>News</description>${items.join("")}</channel></rss>`;

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    const route = routes.get(path);
    const ifNoneMatch = (req.headers["if-none-match"] as string | undefined) ?? null;
    let status = route?.status ?? 404;
    if (route && status === 200 && route.etag && ifNoneMatch === route.etag) status = 304;
    log.push({ path, ifNoneMatch, status });
    const headers: Record<string, string> = { "content-type": route?.type ?? "text/plain" };
    if (route?.etag) headers.etag = route.etag;
    res.writeHead(status, headers);
    res.end(status === 200 || status >= 400 ? (route?.body ?? "not found") : undefined);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  worker = await startWorker({ vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "true" } });
  const imported = await worker.api("POST", "/api/v1/import", JSON.parse(readFileSync(join(ROOT, "data/default.json"), "utf8")));
  expect(imported.status).toBe(200);
});

afterAll(async () => {
  await worker?.stop();
  await new Promise((r) => server?.close(r));
});

const meeting = () =>
  item(
    "Strategic Working Group holds its first meeting",
    `${origin}/news/swg-first-meeting`,
    "The Azerbaijan–United States Strategic Working Group held its first meeting in Baku to begin drafting the Charter on Strategic Partnership.",
  );

describe("evidence watch end to end (wrangler dev, polls queue, loopback feed and page)", () => {
  it("proposes the charter from a feed item, accepts it into the ledger, never proposes the item twice, polls with 304s and survives a failing server", async () => {
    routes.set("/feed.xml", { status: 200, body: feed(meeting()), etag: '"v1"', type: "application/rss+xml" });
    routes.set("/press.html", {
      status: 200,
      type: "text/html",
      body: "<html><head><title>Press</title><script>alert('x')</script></head><body><p>The ministry welcomed the OSCE decision on closing the Minsk Process and its related structures.</p></body></html>",
    });
    const feedSource = await worker.api("POST", "/api/v1/sources", { url: `${origin}/feed.xml`, kind: "feed" });
    expect(feedSource.status).toBe(201);
    const pageSource = await worker.api("POST", "/api/v1/sources", { url: `${origin}/press.html`, kind: "page" });
    expect(pageSource.status).toBe(201);

    // The cron claims both, the polls queue's consumer fetches them.
    const t0 = Date.now();
    await worker.sweep(t0);
    const proposal = await waitFor(async () => {
      const r = await worker.api("GET", `/api/v1/proposals?commitment=${CHARTER}`);
      return r.body.items.find((p: any) => p.item.url === `${origin}/news/swg-first-meeting`);
    }, 60_000, "the charter proposal");
    expect(proposal).toMatchObject({ source: feedSource.body.id, state: "open", suggested: { status: "in_progress", evidence: { url: `${origin}/news/swg-first-meeting` } } });
    const pageProposal = await waitFor(async () => {
      const r = await worker.api("GET", "/api/v1/proposals?commitment=close-osce-minsk-process");
      return r.body.items.find((p: any) => p.source === pageSource.body.id);
    }, 60_000, "the page's proposal");
    expect(pageProposal.snippet).not.toContain("alert");

    // Accept: the status moves through the ledger with the evidence and the actor.
    const token = await worker.api("POST", "/api/v1/tokens", { name: "watch-desk", scope: "write" });
    const accepted = await worker.api("POST", `/api/v1/proposals/${proposal.id}/accept`, { status: "in_progress" }, token.body.token);
    expect(accepted.status).toBe(200);
    const commitment = await worker.api("GET", `/api/v1/commitments/${CHARTER}`);
    expect(commitment.body.status).toBe("in_progress");
    expect(commitment.body.evidence.map((e: any) => e.url)).toContain(`${origin}/news/swg-first-meeting`);
    const events = await worker.api("GET", `/api/v1/commitments/${CHARTER}/events?limit=3`);
    expect(events.body.items[0]).toMatchObject({ type: "commitment.status_changed", to: "in_progress", actor: "watch-desk", evidence_url: `${origin}/news/swg-first-meeting` });

    // A new version of the feed with the same item (and one about nothing we follow): no second proposal.
    routes.set("/feed.xml", {
      status: 200,
      etag: '"v2"',
      type: "application/rss+xml",
      body: feed(meeting(), item("Chess olympiad opens in Baku", `${origin}/news/chess`, "Players from 180 countries arrived.")),
    });
    const polls = () => log.filter((l) => l.path === "/feed.xml").length;
    let before = polls();
    await worker.sweep(t0 + 2 * HOUR);
    await waitFor(async () => (await worker.api("GET", `/api/v1/sources/${feedSource.body.id}`)).body.health.items_seen === 2, 60_000, "the second poll");
    expect(log.filter((l) => l.path === "/feed.xml").slice(before)[0]).toMatchObject({ ifNoneMatch: '"v1"', status: 200 });
    const charterProposals = await worker.api("GET", `/api/v1/proposals?commitment=${CHARTER}`);
    expect(charterProposals.body.items.filter((p: any) => p.item.url === `${origin}/news/swg-first-meeting`)).toHaveLength(1);

    // Nothing changed since: the next poll is a conditional GET answered 304.
    before = polls();
    await worker.sweep(t0 + 4 * HOUR);
    await waitFor(() => polls() > before, 60_000, "the third poll");
    expect(log.filter((l) => l.path === "/feed.xml").slice(before)[0]).toEqual({ path: "/feed.xml", ifNoneMatch: '"v2"', status: 304 });
    const afterNotModified = await waitFor(async () => {
      const s = (await worker.api("GET", `/api/v1/sources/${feedSource.body.id}`)).body;
      return s.health.last_status === 304 ? s : null;
    }, 60_000, "the 304 recorded");
    expect(afterNotModified.health).toMatchObject({ status: "healthy", consecutive_failures: 0 });

    // The server fails: health shows it, the next poll backs off, the worker keeps answering.
    routes.set("/feed.xml", { status: 500, body: "internal error", type: "text/plain" });
    before = polls();
    await worker.sweep(t0 + 6 * HOUR);
    const failing = await waitFor(async () => {
      const s = (await worker.api("GET", `/api/v1/sources/${feedSource.body.id}`)).body;
      return s.health.consecutive_failures === 1 ? s : null;
    }, 60_000, "the failure recorded");
    expect(failing.health).toMatchObject({ status: "failing", last_status: 500, last_error: "HTTP 500" });
    // Backoff: twice the hour, counted from the failed poll.
    expect(Date.parse(failing.health.next_poll_at) - Date.parse(failing.health.last_fetched_at)).toBe(2 * HOUR);
    // Not yet due at the next cron: no request.
    const count = polls();
    await worker.sweep(Date.parse(failing.health.last_fetched_at) + HOUR);
    expect(polls()).toBe(count);
    expect((await worker.api("GET", "/healthz", undefined, null)).status).toBeLessThan(500);
    expect(worker.log.join("\n")).not.toMatch(/Uncaught|unhandled/i);
  });
});
