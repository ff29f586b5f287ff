import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { enqueueDuePolls, pollSources } from "../../src/watch/poll";
import { MAX_FETCHES_PER_MESSAGE, SOURCES_PER_MESSAGE } from "../../src/watch/messages";
import { createDb } from "../../src/platform/db/client";
import { countQueries } from "../../src/platform/db/counting";
import { call, db, json } from "../helpers";
import { CHARTER, createSource, importDefaultDataset, pollDeps, proposalsFor, rss, scriptedFetch } from "./watch.helpers";

const MEETING = {
  title: "Strategic Working Group holds its first meeting",
  link: "https://mfa.example/news/swg-first-meeting",
  description: "The Azerbaijan–United States Strategic Working Group held its first meeting in Baku to start work on the Charter on Strategic Partnership.",
};

describe("polling a feed", () => {
  beforeAll(importDefaultDataset);

  it("proposes the charter commitment for an item saying the working group held its first meeting, suggesting in_progress", async () => {
    const net = scriptedFetch();
    const source = await createSource({ url: "https://mfa.example/feed-1.xml", kind: "feed" });
    net.routes.set("https://mfa.example/feed-1.xml", { body: rss([MEETING]), headers: { etag: '"v1"', "content-type": "application/rss+xml" } });
    const { deps, deliveries } = pollDeps(net.fetch);
    const result = await pollSources(deps, [source.id]);
    expect(result).toMatchObject({ polled: 1, failed: 0, newItems: 1, proposals: 1 });
    const [proposal] = (await proposalsFor(CHARTER)).filter((p) => p.source === source.id);
    expect(proposal).toMatchObject({
      commitment: CHARTER,
      state: "open",
      item: { title: MEETING.title, url: MEETING.link, published_at: "2026-11-30T10:00:00.000Z" },
      suggested: { status: "in_progress", evidence: { url: MEETING.link, title: MEETING.title } },
    });
    expect(proposal.snippet).toContain("held its first meeting");
    expect(proposal.score).toBeGreaterThanOrEqual(0.5);
    // Its proposal.created event is in the history and on its way to subscribers.
    const events = await json(call("GET", `/api/v1/commitments/${CHARTER}/events`));
    const created = events.items.find((e: any) => e.type === "proposal.created" && e.data.proposal_id === proposal.id);
    expect(created).toMatchObject({ actor: "watch", to: "in_progress", evidence_url: MEETING.link });
    expect(deliveries.messages.flatMap((m) => (m.body.kind === "fanout" ? m.body.eventIds : []))).toContain(created.id);
    const health = (await json(call("GET", `/api/v1/sources/${source.id}`))).health;
    expect(health).toMatchObject({ status: "healthy", last_status: 200, consecutive_failures: 0, items_seen: 1, proposals_made: 1 });
  });

  it("never makes a second proposal from the same item, from this source or another", async () => {
    const net = scriptedFetch();
    const a = await createSource({ url: "https://mfa.example/feed-2.xml", kind: "feed" });
    const b = await createSource({ url: "https://president.example/feed.xml", kind: "feed" });
    const item = { ...MEETING, link: "https://mfa.example/news/swg-second-round" };
    net.routes.set("https://mfa.example/feed-2.xml", { body: rss([item]) });
    net.routes.set("https://president.example/feed.xml", { body: rss([item]) });
    const { deps } = pollDeps(net.fetch);
    expect((await pollSources(deps, [a.id])).proposals).toBe(1);
    expect((await pollSources(deps, [a.id])).newItems).toBe(0);
    expect((await pollSources(deps, [b.id])).proposals).toBe(0);
    expect((await proposalsFor(CHARTER)).filter((p) => p.item.url === item.link)).toHaveLength(1);
  });

  it("sends the stored ETag and Last-Modified back and records a 304 as a healthy poll with nothing new", async () => {
    const net = scriptedFetch();
    const source = await createSource({ url: "https://mfa.example/feed-3.xml", kind: "feed" });
    net.routes.set("https://mfa.example/feed-3.xml", (headers) =>
      headers["if-none-match"] === '"abc"' ? { status: 304 } : { body: rss([]), headers: { etag: '"abc"', "last-modified": "Mon, 30 Nov 2026 10:00:00 GMT" } },
    );
    const { deps } = pollDeps(net.fetch);
    await pollSources(deps, [source.id]);
    await pollSources(deps, [source.id]);
    expect(net.requests[1]!.headers).toMatchObject({ "if-none-match": '"abc"', "if-modified-since": "Mon, 30 Nov 2026 10:00:00 GMT" });
    const health = (await json(call("GET", `/api/v1/sources/${source.id}`))).health;
    expect(health).toMatchObject({ status: "healthy", last_status: 304, consecutive_failures: 0 });
  });

  it("records a failing source's status and error and backs off, doubling the wait, without throwing", async () => {
    const net = scriptedFetch();
    const source = await createSource({ url: "https://mfa.example/feed-4.xml", kind: "feed", every: "PT1H" });
    net.routes.set("https://mfa.example/feed-4.xml", { status: 503, body: "down" });
    let now = Date.parse("2026-12-01T10:00:00Z");
    const { deps } = pollDeps(net.fetch, () => now);
    expect(await pollSources(deps, [source.id])).toMatchObject({ polled: 1, failed: 1 });
    let health = (await json(call("GET", `/api/v1/sources/${source.id}`))).health;
    expect(health).toMatchObject({ status: "failing", last_status: 503, last_error: "HTTP 503", consecutive_failures: 1, next_poll_at: "2026-12-01T12:00:00.000Z" });
    now += 2 * 3600_000;
    net.routes.delete("https://mfa.example/feed-4.xml"); // now the connection fails
    await pollSources(deps, [source.id]);
    health = (await json(call("GET", `/api/v1/sources/${source.id}`))).health;
    expect(health).toMatchObject({ last_status: null, consecutive_failures: 2, next_poll_at: "2026-12-01T16:00:00.000Z" });
    expect(health.last_error).toMatch(/network error/);
    now += 4 * 3600_000;
    net.routes.set("https://mfa.example/feed-4.xml", { body: rss([]) });
    await pollSources(deps, [source.id]);
    health = (await json(call("GET", `/api/v1/sources/${source.id}`))).health;
    expect(health).toMatchObject({ status: "healthy", consecutive_failures: 0, last_error: null, next_poll_at: "2026-12-01T17:00:00.000Z" });
  });

  it("checks every redirect hop against the SSRF guard and refuses one to a private address", async () => {
    const net = scriptedFetch();
    const source = await createSource({ url: "https://mfa.example/feed-5.xml", kind: "feed" });
    net.routes.set("https://mfa.example/feed-5.xml", { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data" } });
    const { deps } = pollDeps(net.fetch);
    await pollSources(deps, [source.id]);
    expect(net.requests.map((r) => r.url)).toEqual(["https://mfa.example/feed-5.xml"]);
    const health = (await json(call("GET", `/api/v1/sources/${source.id}`))).health;
    expect(health.last_error).toMatch(/refused redirect URL/);
  });

  it("follows at most three redirects", async () => {
    const net = scriptedFetch();
    const source = await createSource({ url: "https://mfa.example/r0", kind: "feed" });
    for (let i = 0; i < 5; i++) net.routes.set(`https://mfa.example/r${i}`, { status: 301, headers: { location: `/r${i + 1}` } });
    const { deps } = pollDeps(net.fetch);
    await pollSources(deps, [source.id]);
    expect(net.requests).toHaveLength(4);
    expect((await json(call("GET", `/api/v1/sources/${source.id}`))).health.last_error).toBe("more than 3 redirects");
  });

  it("matches only the commitments of the source's agreements when it names some", async () => {
    const net = scriptedFetch();
    const source = await createSource({ url: "https://mfa.example/feed-6.xml", kind: "feed", agreements: ["az-am-washington-joint-declaration"] });
    net.routes.set("https://mfa.example/feed-6.xml", { body: rss([{ ...MEETING, link: "https://mfa.example/news/scoped" }]) });
    const { deps } = pollDeps(net.fetch);
    expect((await pollSources(deps, [source.id])).proposals).toBe(0);
  });

  it("matches only items that mention one of the source's keywords when it has some", async () => {
    const net = scriptedFetch();
    const source = await createSource({ url: "https://mfa.example/feed-7.xml", kind: "feed", keywords: ["Nakhchivan"] });
    net.routes.set("https://mfa.example/feed-7.xml", {
      body: rss([
        { ...MEETING, link: "https://mfa.example/news/kw-1" },
        { title: "Rail link to Nakhchivan", link: "https://mfa.example/news/kw-2", description: "Construction began on transport links between mainland Azerbaijan and Nakhchivan." },
      ]),
    });
    const { deps } = pollDeps(net.fetch);
    await pollSources(deps, [source.id]);
    const made = (await json(call("GET", "/api/v1/proposals?state=open&limit=200"))).items.filter((p: any) => p.source === source.id);
    expect(made.map((p: any) => p.commitment)).toEqual(["open-az-am-transport-links"]);
  });
});

describe("polling a page", () => {
  beforeAll(importDefaultDataset);

  it("matches the page's text at the first fetch, and afterwards only text that was not there before", async () => {
    const net = scriptedFetch();
    const source = await createSource({ url: "https://mfa.example/press", kind: "page" });
    const page = (paragraphs: string[]) =>
      `<!doctype html><html><head><title>Press releases</title><script>var x = "Strategic Working Group charter";</script></head><body><nav>Home | News</nav>${paragraphs.map((p) => `<p>${p}</p>`).join("")}</body></html>`;
    const old = "The OSCE decided on closing the Minsk Process and its related structures.";
    net.routes.set("https://mfa.example/press", { body: page([old]) });
    const { deps } = pollDeps(net.fetch);
    await pollSources(deps, [source.id]);
    let made = (await json(call("GET", "/api/v1/proposals?limit=200"))).items.filter((p: any) => p.source === source.id);
    expect(made.map((p: any) => p.commitment)).toEqual(["close-osce-minsk-process"]);
    net.routes.set("https://mfa.example/press", { body: page([old, "Azerbaijan's parliament ratified the peace agreement with Armenia on Tuesday."]) });
    await pollSources(deps, [source.id]);
    made = (await json(call("GET", "/api/v1/proposals?limit=200"))).items.filter((p: any) => p.source === source.id);
    expect(made.map((p: any) => p.commitment).sort()).toEqual(["close-osce-minsk-process", "sign-ratify-az-am-peace-agreement"]);
    const ratified = made.find((p: any) => p.commitment === "sign-ratify-az-am-peace-agreement");
    expect(ratified.snippet).not.toContain("Minsk");
    expect(ratified.suggested.status).toBe("fulfilled");
    // The same page again: nothing new.
    expect((await pollSources(deps, [source.id])).proposals).toBe(0);
  });
});

describe("the cron and the polls queue", () => {
  beforeAll(importDefaultDataset);

  it("claims due sources once (a lease), in messages of at most SOURCES_PER_MESSAGE, and the consumer polls them", async () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await createSource({ url: `https://cron.example/${i}.xml`, kind: "feed" })).id);
    const sent: any[] = [];
    const queue = { sendBatch: async (batch: Iterable<{ body: any }>) => void sent.push(...[...batch].map((m) => m.body)) };
    const first = await enqueueDuePolls(db(), queue, now);
    expect(first.sources).toBeGreaterThanOrEqual(12);
    expect(sent.every((m) => m.kind === "poll" && m.sourceIds.length <= SOURCES_PER_MESSAGE)).toBe(true);
    expect(sent.flatMap((m) => m.sourceIds)).toEqual(expect.arrayContaining(ids));
    // An overlapping run finds them leased.
    expect((await enqueueDuePolls(db(), queue, now)).sources).toBe(0);

    // Sources turned http:// behind the API's back: the guard refuses them before any fetch, so
    // this test never reaches the network.
    await env.DB.prepare("UPDATE sources SET url = replace(url, 'https:', 'http:') WHERE id IN (?, ?)").bind(ids[0], ids[1]).run();
    const batch = createMessageBatch("pledgewatch-polls", [{ id: "m1", timestamp: new Date(), attempts: 1, body: { kind: "poll", sourceIds: ids.slice(0, 2) } }]);
    const ctx = createExecutionContext();
    await worker.queue!(batch as any, { ...env, ALLOW_PRIVATE_WEBHOOK_TARGETS: "false" } as any, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["m1"]);
    const health = (await json(call("GET", `/api/v1/sources/${ids[0]}`))).health;
    expect(health).toMatchObject({ status: "failing", consecutive_failures: 1, last_error: "refused source URL: only https URLs are allowed" });
  });

  it("polls a full message of sources, each with new items that make proposals, within the free plan's 50 D1 queries and 50 fetches", async () => {
    const net = scriptedFetch();
    const ids: string[] = [];
    for (let k = 0; k < SOURCES_PER_MESSAGE; k++) {
      const url = `https://limits.example/${k}.xml`;
      ids.push((await createSource({ url, kind: "feed" })).id);
      const items = [1, 2, 3, 4, 5].map((n) => ({ ...MEETING, link: `https://limits.example/news/${k}/${n}` }));
      net.routes.set(url, { body: rss(items) });
    }
    const counter = countQueries(env.DB);
    const { deps } = pollDeps(net.fetch);
    const result = await pollSources({ ...deps, db: createDb(counter.d1) }, ids);
    expect(result).toMatchObject({ polled: SOURCES_PER_MESSAGE, failed: 0, newItems: SOURCES_PER_MESSAGE * 5 });
    expect(result.proposals).toBeGreaterThanOrEqual(SOURCES_PER_MESSAGE * 5);
    expect(counter.count()).toBeLessThanOrEqual(50);
    expect(net.requests.length).toBe(SOURCES_PER_MESSAGE);
    expect(MAX_FETCHES_PER_MESSAGE).toBeLessThanOrEqual(50);
  });
});
