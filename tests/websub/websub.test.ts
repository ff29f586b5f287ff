import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { XMLParser } from "fast-xml-parser";
import { beforeEach, describe, expect, it } from "vitest";
import { listFeedEvents } from "../../src/readside/feeds/feeds.repo";
import { partyKey } from "../../src/lib/parties";
import { handleQueueBatchWithHub } from "../../src/websub/websub.consumer";
import { distribute, hubSignature } from "../../src/websub/websub.deliver";
import { fanOutWebsub } from "../../src/websub/websub.fanout";
import { PRUNE_CHUNK, runWebsubSweep } from "../../src/websub/websub.sweep";
import { RETENTION } from "../alerts/alerts.helpers";
import { verifyRequests } from "../../src/websub/websub.verify";
import { BASE, call, createAgreement, createCommitment, db, json, uid } from "../helpers";
import { eventIdsOf, hub, hubDeps, recordingWebsubQueue, scriptedCallback, websubCounts } from "./websub.helpers";

const DAY = 86_400_000;
const CALLBACK = "https://subscriber.example.org/websub/cb";
const parser = new XMLParser({ ignoreAttributes: false });

async function subscription(topic: string, callback: string) {
  return env.DB.prepare("SELECT * FROM websub_subscriptions WHERE topic = ? AND callback = ?").bind(topic, callback).first<any>();
}

/** Subscribes through POST /websub and verifies with a confirming callback at `now`. */
async function subscribed(topic: string, callback: string, now: number, extra: Record<string, string> = {}) {
  const res = await hub({ "hub.mode": "subscribe", "hub.topic": topic, "hub.callback": callback, ...extra });
  expect(res.status).toBe(202);
  const accepted = await json(res);
  const cb = scriptedCallback();
  await verifyRequests(hubDeps(cb.fetch, () => now), [accepted.id]);
  const row = await subscription(accepted.topic, callback);
  expect(row?.state).toBe("active");
  return row;
}

describe("feeds advertise the hub (WebSub discovery)", () => {
  it("puts rel=hub and rel=self in the Link header and in each format's document", async () => {
    const rss = await call("GET", "/feed.xml?tag=energy&utm_source=x", { token: null });
    expect(rss.headers.get("link")).toBe(`<${BASE}/websub>; rel="hub", <${BASE}/feed.xml?tag=energy>; rel="self"`);
    const links = [parser.parse(await rss.text()).rss.channel["atom:link"]].flat();
    expect(links.map((l: any) => [l["@_rel"], l["@_href"]])).toEqual([
      ["self", `${BASE}/feed.xml?tag=energy`],
      ["hub", `${BASE}/websub`],
    ]);
    const atom = parser.parse(await (await call("GET", "/feed.atom", { token: null })).text());
    expect(atom.feed.link.find((l: any) => l["@_rel"] === "hub")["@_href"]).toBe(`${BASE}/websub`);
    const feed = await json(call("GET", "/feed.json?type=commitment.overdue", { token: null }));
    expect(feed.hubs).toEqual([{ type: "WebSub", url: `${BASE}/websub` }]);
    expect(feed.feed_url).toBe(`${BASE}/feed.json?type=commitment.overdue`);
  });

  it("keeps the Link header on a 304 and still answers conditional GETs", async () => {
    const first = await call("GET", "/feed.atom", { token: null });
    const etag = first.headers.get("etag")!;
    const again = await call("GET", "/feed.atom", { token: null, headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("link")).toContain('rel="hub"');
    expect(again.headers.get("access-control-expose-headers")).toContain("Link");
  });
});

describe("POST /websub validation", () => {
  it("refuses a request missing its fields with one 400 naming each, and records nothing", async () => {
    const before = await websubCounts();
    const res = await hub({});
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("invalid_input");
    expect(body.error.issues.map((i: any) => i.path).sort()).toEqual(["hub.callback", "hub.mode", "hub.topic"]);
    expect(await websubCounts()).toEqual(before);
  });

  it("refuses a bad mode, a lease that is not a number and a secret of 200 bytes or more", async () => {
    const res = await hub({
      "hub.mode": "publish",
      "hub.topic": `${BASE}/feed.xml`,
      "hub.callback": CALLBACK,
      "hub.lease_seconds": "ten days",
      "hub.secret": "é".repeat(100),
    });
    expect(res.status).toBe(400);
    const issues = (await json(res)).error.issues;
    expect(issues.map((i: any) => i.path).sort()).toEqual(["hub.lease_seconds", "hub.mode", "hub.secret"]);
    expect(issues.find((i: any) => i.path === "hub.secret").message).toMatch(/200 bytes/);
    const ok = await hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": CALLBACK, "hub.secret": "s".repeat(199) });
    expect(ok.status).toBe(202);
  });

  it("answers 415 to a body that is not form-encoded", async () => {
    const res = await call("POST", "/websub", { token: null, body: { "hub.mode": "subscribe" } });
    expect(res.status).toBe(415);
    expect((await json(res)).error.code).toBe("unsupported_media_type");
  });

  it("ignores parameters it does not know, hub.* ones included (websub.rocks 102)", async () => {
    const res = await hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.json`, "hub.callback": CALLBACK, foo: "bar", "hub.foo": "hub.bar" });
    expect(res.status).toBe(202);
  });

  it("clamps the lease into 300 s – 30 days and defaults to 10 days", async () => {
    const lease = async (value?: string) => {
      const form: Record<string, string> = { "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": `${CALLBACK}/${uid()}` };
      if (value !== undefined) form["hub.lease_seconds"] = value;
      return (await json(hub(form))).lease_seconds;
    };
    expect(await lease()).toBe(864_000);
    expect(await lease("1")).toBe(300);
    expect(await lease("99999999")).toBe(2_592_000);
    expect(await lease("3600")).toBe(3600);
  });
});

describe("topics are this service's feeds", () => {
  it("canonicalises a topic the way the feed names itself (rel=self)", async () => {
    const agreement = await createAgreement();
    const res = await hub({
      "hub.mode": "subscribe",
      "hub.topic": `${BASE}/feed.atom?utm_campaign=x&tag=energy&agreement=${agreement.id}`,
      "hub.callback": CALLBACK,
    });
    expect(res.status).toBe(202);
    const topic = (await json(res)).topic;
    const self = (await call("GET", `/feed.atom?tag=energy&agreement=${agreement.id}`, { token: null })).headers.get("link")!;
    expect(self).toContain(`<${topic}>; rel="self"`);
    expect(topic).toBe(`${BASE}/feed.atom?agreement=${agreement.id}&tag=energy`);
  });

  it("refuses another origin, a path that is not a feed, a bad filter and a missing commitment, naming hub.topic", async () => {
    for (const [topic, words] of [
      ["https://elsewhere.example.com/feed.xml", /this hub's service/],
      [`${BASE}/status.json`, /one of this service's feeds/],
      [`${BASE}/feed.xml?limit=0`, /limit/],
      [`${BASE}/feed.xml?type=subscription.test`, /type/],
      [`${BASE}/feed.xml?commitment=no-such-commitment`, /does not exist/],
      ["not a url", /absolute URL/],
    ] as const) {
      const res = await hub({ "hub.mode": "subscribe", "hub.topic": topic, "hub.callback": CALLBACK });
      expect(res.status, topic).toBe(400);
      const issue = (await json(res)).error.issues[0];
      expect(issue.path).toBe("hub.topic");
      expect(issue.message, topic).toMatch(words);
    }
  });
});

describe("callbacks pass the SSRF guard", () => {
  it("refuses loopback, private, metadata, internal-name and plain-http callbacks", async () => {
    const before = await websubCounts();
    for (const callback of [
      "https://127.0.0.1/cb",
      "https://[::ffff:127.0.0.1]/cb",
      "https://169.254.169.254/latest/meta-data",
      "https://10.0.0.8/cb",
      "https://localhost/cb",
      "https://hooks.internal/cb",
      "http://subscriber.example.org/cb",
      "https://user:pw@subscriber.example.org/cb",
    ]) {
      const res = await hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": callback });
      expect(res.status, callback).toBe(400);
      const issue = (await json(res)).error.issues[0];
      expect(issue.path, callback).toBe("hub.callback");
      expect(issue.message, callback).toMatch(/^refused: /);
    }
    expect(await websubCounts()).toEqual(before);
  });

  it("checks the callback again before the intent check", async () => {
    const res = await hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": "https://later-private.example.org/cb" });
    const { id } = await json(res);
    await env.DB.prepare("UPDATE websub_requests SET callback = 'https://127.0.0.1/cb' WHERE id = ?").bind(id).run();
    const cb = scriptedCallback();
    const result = await verifyRequests(hubDeps(cb.fetch, Date.now), [id]);
    expect(result.failed).toBe(1);
    expect(cb.calls).toHaveLength(0);
  });
});

describe("verification of intent", () => {
  it("GETs the callback with mode, topic, challenge and lease, keeping its own query, and activates on the echo", async () => {
    const callback = `${CALLBACK}?token=abc`;
    const res = await hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": callback, "hub.lease_seconds": "3600" });
    const { id } = await json(res);
    const cb = scriptedCallback();
    const now = Date.now();
    const result = await verifyRequests(hubDeps(cb.fetch, () => now), [id]);
    expect(result.verified).toBe(1);
    expect(cb.calls).toHaveLength(1);
    const q = cb.calls[0]!.url.searchParams;
    expect(cb.calls[0]!.method).toBe("GET");
    expect(q.get("token")).toBe("abc");
    expect(q.get("hub.mode")).toBe("subscribe");
    expect(q.get("hub.topic")).toBe(`${BASE}/feed.xml`);
    expect(q.get("hub.lease_seconds")).toBe("3600");
    expect(q.get("hub.challenge")!.length).toBeGreaterThanOrEqual(32);
    const row = await subscription(`${BASE}/feed.xml`, callback);
    expect(row.state).toBe("active");
    expect(row.expires_at).toBe(now + 3600_000);
    // A second message for the same request does nothing.
    expect((await verifyRequests(hubDeps(cb.fetch, () => now), [id])).skipped).toBe(1);
    expect(cb.calls).toHaveLength(1);
  });

  it("fails the request, and creates no subscription, when the callback answers 404 or does not echo the challenge", async () => {
    for (const [answer, error] of [
      [() => new Response("nope", { status: 404 }), "the callback answered HTTP 404"],
      [() => new Response("something else", { status: 200 }), "the callback did not echo hub.challenge"],
      [() => new Response(null, { status: 302, headers: { location: "https://elsewhere.example/" } }), "the callback answered HTTP 302"],
    ] as const) {
      const callback = `${CALLBACK}/${uid()}`;
      const { id } = await json(hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": callback }));
      const cb = scriptedCallback(answer);
      expect((await verifyRequests(hubDeps(cb.fetch, Date.now), [id])).failed).toBe(1);
      const req = await env.DB.prepare("SELECT state, last_error FROM websub_requests WHERE id = ?").bind(id).first<any>();
      expect(req).toEqual({ state: "failed", last_error: error });
      expect(await subscription(`${BASE}/feed.xml`, callback)).toBeNull();
    }
  });

  it("retries a network error twice, then fails it", async () => {
    const callback = `${CALLBACK}/${uid()}`;
    const { id } = await json(hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": callback }));
    const cb = scriptedCallback(() => {
      throw new TypeError("connection refused");
    });
    let now = Date.now();
    const deps = hubDeps(cb.fetch, () => now);
    expect((await verifyRequests(deps, [id])).retried).toBe(1);
    expect(deps.queue.messages).toEqual([{ body: { kind: "websub.verify", requestIds: [id] }, delaySeconds: 5 }]);
    now += 5_000;
    expect((await verifyRequests(deps, [id])).retried).toBe(1);
    now += 60_000;
    expect((await verifyRequests(deps, [id])).failed).toBe(1);
    const req = await env.DB.prepare("SELECT state, attempts, last_error FROM websub_requests WHERE id = ?").bind(id).first<any>();
    expect(req.state).toBe("failed");
    expect(req.attempts).toBe(3);
    expect(req.last_error).toMatch(/network error: connection refused; gave up after 3 attempts/);
  });

  it("renews a subscription in place on a second subscribe of the same topic and callback (websub.rocks 103)", async () => {
    const callback = `${CALLBACK}/${uid()}`;
    const t0 = Date.now();
    const first = await subscribed(`${BASE}/feed.xml`, callback, t0, { "hub.lease_seconds": "3600", "hub.secret": "first-secret" });
    const second = await subscribed(`${BASE}/feed.xml`, callback, t0 + 1800_000, { "hub.lease_seconds": "7200", "hub.secret": "second-secret" });
    expect(second.id).toBe(first.id);
    expect(second.secret).toBe("second-secret");
    expect(second.expires_at).toBe(t0 + 1800_000 + 7200_000);
    expect(second.subscribed_at).toBe(first.subscribed_at);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM websub_subscriptions WHERE callback = ?").bind(callback).first<any>();
    expect(n.n).toBe(1);
  });

  it("supersedes an older pending request of the same pair with the newer one", async () => {
    const callback = `${CALLBACK}/${uid()}`;
    const older = await json(hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": callback }));
    const newer = await json(hub({ "hub.mode": "unsubscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": callback }));
    const cb = scriptedCallback();
    const result = await verifyRequests(hubDeps(cb.fetch, Date.now), [older.id, newer.id]);
    expect(result).toMatchObject({ verified: 1, skipped: 1 });
    expect(cb.calls.map((c) => c.url.searchParams.get("hub.mode"))).toEqual(["unsubscribe"]);
    expect(cb.calls[0]!.url.searchParams.has("hub.lease_seconds")).toBe(false);
  });
});

describe("limits per topic and per callback host", () => {
  it("denies a subscription over the per-topic limit and tells the callback (hub.mode=denied)", async () => {
    const agreement = await createAgreement();
    const topic = `${BASE}/feed.xml?agreement=${agreement.id}`;
    const now = Date.now();
    const ids = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await json(hub({ "hub.mode": "subscribe", "hub.topic": topic, "hub.callback": `https://s${i}.example.net/cb` }))).id);
    }
    const cb = scriptedCallback();
    const result = await verifyRequests(hubDeps(cb.fetch, () => now, { maxPerTopic: 2 }), ids);
    expect(result).toMatchObject({ verified: 2, denied: 1 });
    const denial = cb.calls.find((c) => c.url.searchParams.get("hub.mode") === "denied")!;
    expect(denial.url.host).toBe("s2.example.net");
    expect(denial.url.searchParams.get("hub.topic")).toBe(topic);
    expect(denial.url.searchParams.get("hub.reason")).toMatch(/most subscribers/);
    expect(denial.url.searchParams.has("hub.challenge")).toBe(false);
    // A renewal of a subscription already counted is never denied.
    const renew = (await json(hub({ "hub.mode": "subscribe", "hub.topic": topic, "hub.callback": "https://s0.example.net/cb" }))).id;
    expect((await verifyRequests(hubDeps(cb.fetch, () => now + 1000, { maxPerTopic: 2 }), [renew])).verified).toBe(1);
  });

  it("denies a subscription over the per-callback-host limit", async () => {
    const host = `${uid("h")}.example.net`;
    const now = Date.now();
    const a = await json(hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": `https://${host}/a` }));
    const b = await json(hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.json`, "hub.callback": `https://${host}/b` }));
    const cb = scriptedCallback();
    const result = await verifyRequests(hubDeps(cb.fetch, () => now, { maxPerCallbackHost: 1 }), [a.id, b.id]);
    expect(result).toMatchObject({ verified: 1, denied: 1 });
    const req = await env.DB.prepare("SELECT state, last_error FROM websub_requests WHERE id = ?").bind(b.id).first<any>();
    expect(req.state).toBe("denied");
    expect(req.last_error).toMatch(new RegExp(`callbacks on ${host}`));
  });

  it("denies on record, by the guards in the activating batch, a subscription that raced past the per-topic limit", async () => {
    const agreement = await createAgreement();
    const topic = `${BASE}/feed.xml?agreement=${agreement.id}`;
    const { id } = await json(hub({ "hub.mode": "subscribe", "hub.topic": topic, "hub.callback": "https://late.example.net/cb" }));
    // While the hub waits for this callback's echo, another subscription to the topic is verified.
    const cb = scriptedCallback();
    const racingFetch: typeof fetch = async (input, init) => {
      const url = new URL(new Request(input, init).url);
      if (url.searchParams.get("hub.mode") === "subscribe") {
        const at = Date.now();
        await env.DB.prepare(
          `INSERT INTO websub_subscriptions (id, topic, format, query, callback, callback_host, lease_seconds, state, subscribed_at, verified_at, expires_at, created_at, updated_at)
           VALUES ('wss_racer', ?, 'rss', '{}', 'https://early.example.net/cb', 'early.example.net', 3600, 'active', ?, ?, ?, ?, ?)`,
        ).bind(topic, at, at, at + 3600_000, at, at).run();
      }
      return cb.fetch(input, init);
    };
    const result = await verifyRequests(hubDeps(racingFetch, Date.now, { maxPerTopic: 1 }), [id]);
    expect(result).toMatchObject({ verified: 0, denied: 1 });
    expect(await subscription(topic, "https://late.example.net/cb")).toBeNull();
    expect(cb.calls.map((c) => c.url.searchParams.get("hub.mode"))).toEqual(["subscribe", "denied"]);
    const req = await env.DB.prepare("SELECT state FROM websub_requests WHERE id = ?").bind(id).first<any>();
    expect(req.state).toBe("denied");
  });

  it("answers 429 once a callback host has made too many requests in 10 minutes", async () => {
    const host = `${uid("flood")}.example.net`;
    let last: Response | null = null;
    for (let i = 0; i <= 100; i++) last = await hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": `https://${host}/${i}` });
    expect(last!.status).toBe(429);
    expect((await json(last!)).error.code).toBe("rate_limited");
  });
});

/** Storage is shared by the tests of a file: end the earlier tests' subscriptions, so each test sees only its own. */
const endEarlierSubscriptions = () => env.DB.prepare("UPDATE websub_subscriptions SET state = 'unsubscribed'").run();

describe("content distribution", () => {
  beforeEach(endEarlierSubscriptions);

  it("POSTs the topic's feed with only the new entries, its content type, Link headers and a verifiable X-Hub-Signature", async () => {
    const agreement = await createAgreement();
    const topic = `${BASE}/feed.xml?agreement=${agreement.id}`;
    const secret = "a subscriber's secret ✓";
    const sub = await subscribed(topic, `${CALLBACK}/${uid()}`, Date.now() - 1000, { "hub.secret": secret });
    const commitment = await createCommitment(agreement.id, { title: "Open the Zangezur corridor <&>" });
    const events = await eventIdsOf(commitment.id);
    const cb = scriptedCallback();
    const deps = hubDeps(cb.fetch, Date.now);
    const fanned = await fanOutWebsub(db(), deps.queue, events, Date.now());
    expect(fanned.deliveries).toBe(1);
    const message = deps.queue.messages[0]!.body;
    expect(message.kind).toBe("websub.deliver");
    const result = await distribute(deps, (message as any).deliveryIds);
    expect(result).toMatchObject({ posts: 1, succeeded: 1 });
    const post = cb.calls[0]!;
    expect(post.method).toBe("POST");
    expect(post.url.href).toBe(sub.callback);
    expect(post.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    expect(post.headers.get("link")).toBe(`<${BASE}/websub>; rel="hub", <${topic}>; rel="self"`);
    expect(post.headers.get("x-hub-signature")).toBe(await hubSignature(secret, post.body));
    expect(post.headers.get("x-hub-signature")).toMatch(/^sha256=[0-9a-f]{64}$/);
    const items = [parser.parse(post.body).rss.channel.item].flat();
    expect(items.map((i: any) => i.guid["#text"])).toEqual(events);
    expect(items[0].title).toBe("New commitment: Open the Zangezur corridor <&>");
    // The attempt is in the webhooks' delivery log.
    const attempts = await env.DB.prepare(
      "SELECT a.status_code FROM delivery_attempts a JOIN websub_deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = ?",
    ).bind(sub.id).all<any>();
    expect(attempts.results).toEqual([{ status_code: 204 }]);
    // A fan-out of the same events again sends nothing twice.
    const again = await fanOutWebsub(db(), recordingWebsubQueue(), events, Date.now());
    expect(again).toEqual({ deliveries: 0, sendCalls: 0 });
  });

  it("sends no signature without a secret, and JSON Feed topics as application/feed+json", async () => {
    const agreement = await createAgreement();
    const topic = `${BASE}/feed.json?agreement=${agreement.id}`;
    await subscribed(topic, `${CALLBACK}/${uid()}`, Date.now() - 1000);
    const commitment = await createCommitment(agreement.id);
    const cb = scriptedCallback();
    const deps = hubDeps(cb.fetch, Date.now);
    await fanOutWebsub(db(), deps.queue, await eventIdsOf(commitment.id), Date.now());
    await distribute(deps, (deps.queue.messages[0]!.body as any).deliveryIds);
    expect(cb.calls[0]!.headers.get("x-hub-signature")).toBeNull();
    expect(cb.calls[0]!.headers.get("content-type")).toBe("application/feed+json; charset=utf-8");
    const feed = JSON.parse(cb.calls[0]!.body);
    expect(feed.hubs[0].url).toBe(`${BASE}/websub`);
    expect(feed.feed_url).toBe(topic);
    expect(feed.items).toHaveLength(1);
  });

  it("gives each subscriber exactly the events its topic's feed shows (the topic match agrees with the feed's filter)", async () => {
    const agreement = await createAgreement({ parties: ["Armenia", "Azerbaijan"] });
    const other = await createAgreement({ parties: ["Georgia"] });
    const topics = {
      all: `${BASE}/feed.xml`,
      agreement: `${BASE}/feed.xml?agreement=${agreement.id}`,
      tag: `${BASE}/feed.atom?tag=transit`,
      party: `${BASE}/feed.json?party=%C3%A9tat`,
      type: `${BASE}/feed.xml?type=commitment.status_changed`,
      both: `${BASE}/feed.xml?agreement=${other.id}&tag=transit`,
    };
    const now = Date.now() - 1000;
    const subs: Record<string, any> = {};
    for (const [name, topic] of Object.entries(topics)) subs[name] = await subscribed(topic, `${CALLBACK}/${uid(name)}`, now);
    const c1 = await createCommitment(agreement.id, { tags: ["transit"], parties: ["ÉTAT"] });
    const c2 = await createCommitment(other.id, { tags: ["energy"] });
    await call("POST", `/api/v1/commitments/${c1.id}/status`, { body: { status: "in_progress" } });
    const events = [...(await eventIdsOf(c1.id)), ...(await eventIdsOf(c2.id))];
    await fanOutWebsub(db(), recordingWebsubQueue(), events, Date.now());
    for (const [name, sub] of Object.entries(subs)) {
      const got = await env.DB.prepare("SELECT event_id FROM websub_deliveries WHERE subscription_id = ? ORDER BY event_id").bind(sub.id).all<any>();
      const feed = await listFeedEvents(
        db(),
        { agreement: sub.agreement ?? undefined, commitment: sub.commitment ?? undefined, tag: sub.tag ?? undefined, party: JSON.parse(sub.query).party, types: sub.types ? JSON.parse(sub.types) : undefined, eventIds: events },
        200,
      );
      expect(got.results.map((r: any) => r.event_id), name).toEqual(feed.map((f) => f.event.id).sort());
    }
    expect(subs.party.party_key).toBe(partyKey("état"));
    const counts = Object.fromEntries(
      await Promise.all(
        Object.entries(subs).map(async ([name, sub]) => [name, (await env.DB.prepare("SELECT count(*) AS n FROM websub_deliveries WHERE subscription_id = ?").bind(sub.id).first<any>()).n]),
      ),
    );
    expect(counts).toMatchObject({ agreement: 2, tag: 2, party: 2, type: 1, both: 0 });
  });

  it("retries a failed distribution on the webhooks' schedule, logging each attempt, and ends the subscription on 410", async () => {
    const agreement = await createAgreement();
    const sub = await subscribed(`${BASE}/feed.xml?agreement=${agreement.id}`, `${CALLBACK}/${uid()}`, Date.now() - 1000);
    const commitment = await createCommitment(agreement.id);
    let status = 503;
    const cb = scriptedCallback((c) => (c.method === "POST" ? new Response("busy", { status }) : undefined));
    let now = Date.now();
    const deps = hubDeps(cb.fetch, () => now);
    await fanOutWebsub(db(), deps.queue, await eventIdsOf(commitment.id), now);
    const ids = (deps.queue.messages[0]!.body as any).deliveryIds;
    expect((await distribute(deps, ids)).retried).toBe(1);
    const retry = deps.queue.messages[1]!;
    expect(retry.body).toMatchObject({ kind: "websub.deliver", deliveryIds: ids });
    expect(retry.delaySeconds).toBe(5);
    now += 5_000;
    status = 410;
    expect((await distribute(deps, ids, (retry.body as any).dueAt)).failed).toBe(1);
    expect((await subscription(sub.topic, sub.callback)).state).toBe("gone");
    const log = await env.DB.prepare("SELECT status_code, error FROM delivery_attempts WHERE delivery_id = ? ORDER BY id").bind(ids[0]).all<any>();
    expect(log.results).toEqual([
      { status_code: 503, error: "HTTP 503" },
      { status_code: 410, error: "410 Gone: subscription ended" },
    ]);
  });

  it("stops distributing after a verified unsubscribe", async () => {
    const agreement = await createAgreement();
    const topic = `${BASE}/feed.xml?agreement=${agreement.id}`;
    const callback = `${CALLBACK}/${uid()}`;
    await subscribed(topic, callback, Date.now() - 1000);
    const { id } = await json(hub({ "hub.mode": "unsubscribe", "hub.topic": topic, "hub.callback": callback }));
    await verifyRequests(hubDeps(scriptedCallback().fetch, Date.now), [id]);
    expect((await subscription(topic, callback)).state).toBe("unsubscribed");
    const commitment = await createCommitment(agreement.id);
    expect((await fanOutWebsub(db(), recordingWebsubQueue(), await eventIdsOf(commitment.id), Date.now())).deliveries).toBe(0);
  });
});

describe("leases", () => {
  it("the sweep expires leases that ran out, set-based, cancelling their pending distributions", async () => {
    const agreement = await createAgreement();
    const topic = `${BASE}/feed.xml?agreement=${agreement.id}`;
    const t0 = Date.now() - 1000;
    const short = await subscribed(topic, `${CALLBACK}/${uid()}`, t0, { "hub.lease_seconds": "300" });
    const long = await subscribed(topic, `${CALLBACK}/${uid()}`, t0, { "hub.lease_seconds": "86400" });
    const commitment = await createCommitment(agreement.id);
    await fanOutWebsub(db(), recordingWebsubQueue(), await eventIdsOf(commitment.id), Date.now());
    const later = t0 + 301_000;
    const result = await runWebsubSweep(db(), recordingWebsubQueue(), later, RETENTION);
    expect(result.expired).toBeGreaterThanOrEqual(1);
    expect((await subscription(topic, short.callback)).state).toBe("expired");
    expect((await subscription(topic, long.callback)).state).toBe("active");
    const pending = await env.DB.prepare("SELECT state, last_error FROM websub_deliveries WHERE subscription_id = ?").bind(short.id).first<any>();
    expect(pending).toEqual({ state: "cancelled", last_error: "the lease expired" });
    expect((await runWebsubSweep(db(), recordingWebsubQueue(), later, RETENTION)).expired).toBe(0);
    // Renewing an expired subscription starts it again.
    const again = await subscribed(topic, short.callback, later + 1000);
    expect(again.subscribed_at).toBe(later + 1000);
  });

  it("re-sends verifications and distributions whose message was lost", async () => {
    const { id } = await json(hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.xml`, "hub.callback": `${CALLBACK}/${uid()}` }));
    const queue = recordingWebsubQueue();
    const result = await runWebsubSweep(db(), queue, Date.now() + 11 * 60_000, RETENTION);
    expect(result.requests).toBeGreaterThanOrEqual(1);
    expect(queue.messages.some((m) => m.body.kind === "websub.verify" && m.body.requestIds.includes(id))).toBe(true);
  });
});

describe("retention", () => {
  it("deletes finished distributions past the log's ages with their attempts, never pending ones, in bounded rounds", async () => {
    const now = Date.now();
    const old = now - RETENTION.failedMs - 1000;
    const rows: Array<[string, string, number]> = [];
    // A full chunk and more of old successes, old failures, recent successes, old pending ones.
    for (let i = 0; i < PRUNE_CHUNK + 5; i++) rows.push([`wsd_oldok_${i}_${uid()}`, "succeeded", old]);
    for (let i = 0; i < 3; i++) rows.push([`wsd_oldfail_${i}_${uid()}`, "failed", old]);
    for (let i = 0; i < 4; i++) rows.push([`wsd_newok_${i}_${uid()}`, "succeeded", now - 1000]);
    for (let i = 0; i < 2; i++) rows.push([`wsd_pending_${i}_${uid()}`, "pending", old]);
    const insert = env.DB.prepare(
      "INSERT INTO websub_deliveries (id, event_id, subscription_id, state, attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, 'wss_ret', ?, 1, ?, ?, ?)",
    );
    const attempt = env.DB.prepare("INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, latency_ms) VALUES (?, ?, 200, 1)");
    for (let i = 0; i < rows.length; i += 50) {
      await env.DB.batch(rows.slice(i, i + 50).flatMap(([id, state, at]) => [insert.bind(id, `evt_${id}`, state, at, at, at), attempt.bind(id, at)]));
    }
    const count = async (like: string) =>
      (await env.DB.prepare("SELECT (SELECT count(*) FROM websub_deliveries WHERE id LIKE ?1) AS d, (SELECT count(*) FROM delivery_attempts WHERE delivery_id LIKE ?1) AS a").bind(like).first<any>());
    const first = await runWebsubSweep(db(), recordingWebsubQueue(), now, RETENTION);
    expect(first.pruned).toBe(PRUNE_CHUNK + 5 + 3);
    expect(await count("wsd_oldok_%")).toEqual({ d: 0, a: 0 });
    expect(await count("wsd_oldfail_%")).toEqual({ d: 0, a: 0 });
    expect(await count("wsd_newok_%")).toEqual({ d: 4, a: 4 });
    expect(await count("wsd_pending_%")).toEqual({ d: 2, a: 2 });
    expect((await runWebsubSweep(db(), recordingWebsubQueue(), now, RETENTION)).pruned).toBe(0);
  });
});

describe("the queue consumer routes the hub's messages", () => {
  beforeEach(endEarlierSubscriptions);

  it("handles websub messages itself and passes a fan-out on to the webhooks after fanning it out to subscribers", async () => {
    const agreement = await createAgreement();
    const sub = await subscribed(`${BASE}/feed.xml?agreement=${agreement.id}`, `${CALLBACK}/${uid()}`, Date.now() - 1000);
    const commitment = await createCommitment(agreement.id);
    const events = await eventIdsOf(commitment.id);
    const { id } = await json(hub({ "hub.mode": "subscribe", "hub.topic": `${BASE}/feed.atom`, "hub.callback": `${CALLBACK}/${uid()}` }));
    const batch = createMessageBatch("pledgewatch-deliveries", [
      { id: "m1", timestamp: new Date(), attempts: 1, body: { kind: "websub.verify", requestIds: [id] } },
      { id: "m2", timestamp: new Date(), attempts: 1, body: { kind: "fanout", eventIds: events } },
    ]);
    const passed: string[] = [];
    const ctx = createExecutionContext();
    await handleQueueBatchWithHub(batch, hubDeps(scriptedCallback().fetch, Date.now), async (rest) => {
      for (const m of rest.messages) {
        passed.push(m.id);
        m.ack();
      }
    });
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["m1", "m2"]);
    expect(passed).toEqual(["m2"]);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM websub_deliveries WHERE subscription_id = ?").bind(sub.id).first<any>();
    expect(rows.n).toBe(1);
    const req = await env.DB.prepare("SELECT state FROM websub_requests WHERE id = ?").bind(id).first<any>();
    expect(req.state).toBe("verified");
  });
});

describe("operators' list", () => {
  it("lists subscribers with their distribution counts and never a secret (write scope)", async () => {
    await subscribed(`${BASE}/feed.xml`, `${CALLBACK}/${uid()}`, Date.now(), { "hub.secret": "never-shown" });
    expect((await call("GET", "/api/v1/websub/subscriptions", { token: null })).status).toBe(401);
    const res = await call("GET", "/api/v1/websub/subscriptions?limit=5");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("never-shown");
    const body = JSON.parse(text);
    expect(body.items[0]).toMatchObject({ state: "active", signed: true, deliveries: { pending: 0, succeeded: 0, failed: 0 } });
  });
});
