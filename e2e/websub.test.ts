/**
 * WebSub end to end: the worker under `wrangler dev` (local D1 and Queues) is the hub for its own
 * feeds, and real loopback subscribers do what the W3C Recommendation asks of a subscriber:
 * discover the hub and the topic from the feed's Link header (§4), POST a form-encoded
 * subscription request (§5.1), answer the intent check by echoing hub.challenge only for a
 * request they made (§5.3), and verify each content distribution's X-Hub-Signature (§8).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, waitFor, type WorkerHandle } from "./harness";

interface Distribution {
  path: string;
  contentType: string;
  links: Record<string, string>;
  signature: string | null;
  body: string;
  /** null: unsigned; else whether the signature matched the secret we gave. */
  signatureValid: boolean | null;
}

interface Intent {
  path: string;
  mode: string;
  topic: string;
  leaseSeconds: string | null;
  reason: string | null;
  answered: number;
}

/** Parses `Link: <a>; rel="hub", <b>; rel="self"` into { hub: a, self: b }. */
function parseLinks(header: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (header ?? "").matchAll(/<([^>]*)>\s*;\s*rel="?([^",;]+)"?/g)) out[m[2]!] = m[1]!;
  return out;
}

/**
 * A WebSub subscriber on loopback. Each subscription is a callback path with the topic and secret
 * it expects; the intent check is confirmed only for a pending request of that path, mode and topic.
 */
class Subscriber {
  server!: Server;
  base = "";
  intents: Intent[] = [];
  distributions: Distribution[] = [];
  private expected = new Map<string, { topic: string; secret: string | null; mode: string; confirm: boolean }>();

  async start() {
    this.server = createServer((req, res) => {
      const url = new URL(req.url!, this.base);
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const expected = this.expected.get(url.pathname);
        if (req.method === "GET") {
          const q = url.searchParams;
          const intent: Intent = { path: url.pathname, mode: q.get("hub.mode") ?? "", topic: q.get("hub.topic") ?? "", leaseSeconds: q.get("hub.lease_seconds"), reason: q.get("hub.reason"), answered: 404 };
          this.intents.push(intent);
          const ok = expected && expected.confirm && intent.mode === expected.mode && intent.topic === expected.topic && q.get("hub.challenge");
          if (ok) {
            intent.answered = 200;
            res.writeHead(200, { "content-type": "text/plain" }).end(q.get("hub.challenge"));
          } else res.writeHead(404).end();
          return;
        }
        const body = Buffer.concat(chunks);
        const signature = (req.headers["x-hub-signature"] as string | undefined) ?? null;
        let signatureValid: boolean | null = null;
        if (signature !== null) {
          const [method, hex] = signature.split("=");
          const mac = expected?.secret && method === "sha256" ? createHmac("sha256", expected.secret).update(body).digest() : null;
          signatureValid = mac !== null && hex !== undefined && hex.length === mac.length * 2 && timingSafeEqual(mac, Buffer.from(hex, "hex"));
        }
        this.distributions.push({
          path: url.pathname,
          contentType: String(req.headers["content-type"] ?? ""),
          links: parseLinks(req.headers.link as string | undefined),
          signature,
          body: body.toString("utf8"),
          signatureValid,
        });
        // A subscriber that no longer wants a topic would answer 410; a known one 2xx.
        res.writeHead(expected ? 204 : 410).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Discovers hub and self from the feed URL's Link header, then asks the hub. */
  async subscribe(feedUrl: string, opts: { secret?: string; leaseSeconds?: number; confirm?: boolean; mode?: "subscribe" | "unsubscribe"; path?: string } = {}) {
    const feed = await fetch(feedUrl);
    expect(feed.status).toBe(200);
    const links = parseLinks(feed.headers.get("link"));
    expect(links.hub).toBeTruthy();
    expect(links.self).toBeTruthy();
    const path = opts.path ?? `/cb/${randomBytes(6).toString("hex")}`;
    const mode = opts.mode ?? "subscribe";
    this.expected.set(path, { topic: links.self!, secret: opts.secret ?? null, mode, confirm: opts.confirm ?? true });
    const form = new URLSearchParams({ "hub.mode": mode, "hub.topic": links.self!, "hub.callback": `${this.base}${path}` });
    if (opts.secret) form.set("hub.secret", opts.secret);
    if (opts.leaseSeconds) form.set("hub.lease_seconds", String(opts.leaseSeconds));
    const res = await fetch(links.hub!, { method: "POST", body: form });
    return { status: res.status, body: await res.json(), path, topic: links.self!, hub: links.hub! };
  }

  forPath(path: string) {
    return this.distributions.filter((d) => d.path === path);
  }

  async stop() {
    this.server?.closeAllConnections?.();
    await new Promise((r) => this.server?.close(() => r(undefined)) ?? r(undefined));
  }
}

const parser = new XMLParser({ ignoreAttributes: false });
let worker: WorkerHandle;
const subscriber = new Subscriber();

beforeAll(async () => {
  await subscriber.start();
  worker = await startWorker({ vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "true", WEBHOOK_RETRY_SCHEDULE: "1,1,1", WEBHOOK_TIMEOUT_SECONDS: "5" } });
  expect((await worker.api("POST", "/api/v1/agreements", { id: "ws-peace", title: "Peace agreement", kind: "agreement", signed_on: "2026-01-01", parties: ["Armenia", "Azerbaijan"] })).status).toBe(201);
  expect((await worker.api("POST", "/api/v1/commitments", { id: "ws-ratify", agreement: "ws-peace", title: "Ratify the peace agreement", tags: ["peace"] })).status).toBe(201);
});

afterAll(async () => {
  await worker?.stop();
  await subscriber.stop();
});

const subscriptions = async () => (await worker.api("GET", "/api/v1/websub/subscriptions?limit=200")).body.items as any[];

describe("WebSub hub end to end (wrangler dev, local D1 and Queues, loopback subscribers)", () => {
  it("verifies intent, then POSTs each new entry of the topic signed with the subscriber's secret", async () => {
    const secret = randomBytes(24).toString("base64url");
    const sub = await subscriber.subscribe(`${worker.url}/feed.xml?agreement=ws-peace&utm_source=reader`, { secret });
    expect(sub.status).toBe(202);
    expect(sub.topic).toBe(`${worker.url}/feed.xml?agreement=ws-peace`);
    expect(sub.hub).toBe(`${worker.url}/websub`);
    const intent = await waitFor(() => subscriber.intents.find((i) => i.path === sub.path), 30_000, "the intent check");
    expect(intent).toMatchObject({ mode: "subscribe", topic: sub.topic, leaseSeconds: "864000", answered: 200 });
    await waitFor(async () => (await subscriptions()).find((s) => s.callback === `${subscriber.base}${sub.path}` && s.state === "active"), 30_000, "an active subscription");

    const changed = await worker.api("POST", "/api/v1/commitments/ws-ratify/status", { status: "in_progress", note: "the constitution is being amended" });
    expect(changed.status).toBe(200);
    const [event] = (await worker.api("GET", "/api/v1/commitments/ws-ratify/events?limit=1")).body.items;
    const got = await waitFor(() => subscriber.forPath(sub.path)[0], 30_000, "the content distribution");
    expect(got.signatureValid).toBe(true);
    expect(got.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(got.contentType).toBe("application/rss+xml; charset=utf-8");
    expect(got.links).toEqual({ hub: `${worker.url}/websub`, self: sub.topic });
    const items = [parser.parse(got.body).rss.channel.item].flat();
    expect(items.map((i: any) => i.guid["#text"])).toEqual([event.id]);
    expect(items[0].title).toBe("Ratify the peace agreement is now in progress");
  });

  it("sends a JSON Feed topic unsigned when no secret was given, and nothing to a callback that did not confirm", async () => {
    const open = await subscriber.subscribe(`${worker.url}/feed.json?tag=peace`);
    const refused = await subscriber.subscribe(`${worker.url}/feed.json?tag=peace`, { confirm: false });
    expect([open.status, refused.status]).toEqual([202, 202]);
    await waitFor(() => subscriber.intents.find((i) => i.path === refused.path), 30_000, "the refused intent check");
    await waitFor(async () => (await subscriptions()).find((s) => s.callback === `${subscriber.base}${open.path}`), 30_000, "the confirmed subscription");
    expect((await subscriptions()).find((s) => s.callback === `${subscriber.base}${refused.path}`)).toBeUndefined();

    await worker.api("PATCH", "/api/v1/commitments/ws-ratify", { title: "Ratify the peace agreement in both parliaments" });
    const got = await waitFor(() => subscriber.forPath(open.path)[0], 30_000, "the JSON distribution");
    expect(got.signature).toBeNull();
    expect(got.contentType).toBe("application/feed+json; charset=utf-8");
    const feed = JSON.parse(got.body);
    expect(feed.feed_url).toBe(open.topic);
    expect(feed.items.map((i: any) => i._pledgewatch.type)).toEqual(["commitment.updated"]);
    expect(subscriber.forPath(refused.path)).toEqual([]);
  });

  it("stops after a verified unsubscribe, and the sweep expires a lease that ran out", async () => {
    const stay = await subscriber.subscribe(`${worker.url}/feed.atom`, { leaseSeconds: 3600 });
    const leave = await subscriber.subscribe(`${worker.url}/feed.atom`);
    for (const s of [stay, leave]) {
      await waitFor(async () => (await subscriptions()).find((x) => x.callback === `${subscriber.base}${s.path}` && x.state === "active"), 30_000, "both subscriptions");
    }
    const bye = await subscriber.subscribe(`${worker.url}/feed.atom`, { mode: "unsubscribe", path: leave.path });
    expect(bye.status).toBe(202);
    await waitFor(async () => (await subscriptions()).find((x) => x.callback === `${subscriber.base}${leave.path}` && x.state === "unsubscribed"), 30_000, "the unsubscription");
    expect(subscriber.intents.filter((i) => i.path === leave.path).map((i) => i.mode)).toEqual(["subscribe", "unsubscribe"]);

    await worker.api("POST", "/api/v1/commitments/ws-ratify/status", { status: "stalled", note: "parliament adjourned" });
    const got = await waitFor(() => subscriber.forPath(stay.path)[0], 30_000, "the Atom distribution");
    expect(got.contentType).toBe("application/atom+xml; charset=utf-8");
    expect(parser.parse(got.body).feed.link.find((l: any) => l["@_rel"] === "hub")["@_href"]).toBe(`${worker.url}/websub`);
    // Fanned out by the same message as the one above: the unsubscribed callback got nothing.
    expect(subscriber.forPath(leave.path)).toEqual([]);

    await worker.sweep(Date.now() + 2 * 3600_000);
    const expired = (await subscriptions()).find((x) => x.callback === `${subscriber.base}${stay.path}`);
    expect(expired.state).toBe("expired");
  });

  it("refuses a topic that is not one of its feeds and a callback the SSRF guard refuses, naming the field", async () => {
    const post = (form: Record<string, string>) => fetch(`${worker.url}/websub`, { method: "POST", body: new URLSearchParams(form) });
    const foreign = await post({ "hub.mode": "subscribe", "hub.topic": "https://example.com/feed.xml", "hub.callback": `${subscriber.base}/x` });
    expect(foreign.status).toBe(400);
    expect((await foreign.json()).error.issues[0].path).toBe("hub.topic");
    const credentials = await post({ "hub.mode": "subscribe", "hub.topic": `${worker.url}/feed.xml`, "hub.callback": "http://user:pw@127.0.0.1:1/x" });
    expect(credentials.status).toBe(400);
    expect((await credentials.json()).error.issues[0].path).toBe("hub.callback");
    expect(worker.log.filter((l) => /unhandled error|queue message failed/i.test(l))).toEqual([]);
  });
});
