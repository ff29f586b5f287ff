import { parseAtomFeed, parseJsonFeed, parseRssFeed } from "feedsmith";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCounter } from "../../src/readside/cache";
import { call, createAgreement, createCommitment, uid } from "../helpers";
import { decodeHtml, expectErrorEnvelope, expectedEventIds, get, insertEvent, parseXml, textOf } from "./readside.helpers";

const HOSTILE = `Charter <script>alert("x")</script> & 'friends' ]]> done`;

let agrA: string;
let agrB: string;
let c1: string;
let c2: string;
let c3: string;

beforeAll(async () => {
  agrA = (await createAgreement({ title: "Agreement Alpha", parties: ["Alpha", "Beta"] })).id;
  agrB = (await createAgreement({ title: "Agreement Beta", parties: ["Gamma"] })).id;
  c1 = (await createCommitment(agrA, { title: "Charter on Strategic Partnership", tags: ["energy"], parties: ["Alpha"], deadline: { due_on: "2026-02-08" } })).id;
  c2 = (await createCommitment(agrA, { title: "Open trade route", tags: ["trade"], parties: ["Beta"] })).id;
  c3 = (await createCommitment(agrB, { title: HOSTILE, tags: ["energy", "hostile"], parties: ["Gamma"] })).id;
  const status = await call("POST", `/api/v1/commitments/${c1}/status`, {
    body: { status: "in_progress", note: "Working group met <twice> & agreed", evidence_url: "https://example.org/news?a=1&b=2" },
  });
  expect(status.status).toBe(200);
  const moved = await call("PATCH", `/api/v1/commitments/${c2}`, { body: { deadline: { due_on: "2027-01-31" }, reason: "Extended by both sides" } });
  expect(moved.status).toBe(200);
  const hostileNote = await call("POST", `/api/v1/commitments/${c3}/status`, { body: { status: "stalled", note: `Quote " apostrophe ' ]]> <b>bold</b> &amp;` } });
  expect(hostileNote.status).toBe(200);
  // Characters XML 1.0 forbids cannot come in through the API (validation refuses them), but
  // history written by other paths must still never break a feed: insert one directly.
  await insertEvent({
    id: uid("evt"),
    type: "commitment.overdue",
    commitmentId: c3,
    agreementId: agrB,
    fromValue: "stalled",
    toValue: "overdue",
    note: "bell\u0007 nul\u0000 vt\u000B ffff\uFFFF fffe\uFFFE lone\uD800 ok",
    data: { due_on: "2026-02-08", status: "stalled" },
  });
  await insertEvent({ id: uid("evt"), type: "subscription.test", data: { url: "https://secret.example/hook" } });
});

async function rss(query = "") {
  const res = await get(`/feed.xml${query}`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { res, text, doc: parseXml(text) };
}

async function atom(query = "") {
  const res = await get(`/feed.atom${query}`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { res, text, doc: parseXml(text) };
}

async function jsonFeed(query = "") {
  const res = await get(`/feed.json${query}`);
  expect(res.status).toBe(200);
  return { res, doc: (await res.json()) as any };
}

/** Item ids of one query in all three formats, read by the strict parser and by the feed client. */
async function idsInAllFormats(query: string): Promise<string[]> {
  const r = await rss(query);
  const a = await atom(query);
  const j = await jsonFeed(query);
  const rssIds = (r.doc.rss.channel.item ?? []).map((i: any) => textOf(i.guid));
  const atomIds = (a.doc.feed.entry ?? []).map((e: any) => textOf(e.id).replace(/^tag:[^:]+:event:/, ""));
  const jsonIds = j.doc.items.map((i: any) => i.id);
  expect(atomIds).toEqual(rssIds);
  expect(jsonIds).toEqual(rssIds);
  expect((parseRssFeed(r.text).items ?? []).map((i) => i.guid?.value)).toEqual(rssIds);
  expect((parseAtomFeed(a.text).entries ?? []).map((e) => e.id?.replace(/^tag:[^:]+:event:/, ""))).toEqual(rssIds);
  expect((parseJsonFeed(j.doc).items ?? []).map((i) => i.id)).toEqual(rssIds);
  return rssIds;
}

describe("RSS 2.0 /feed.xml", () => {
  it("is well-formed, has the channel elements, atom:link rel=self and the WebSub hub", async () => {
    const { res, doc } = await rss();
    expect(res.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    const ch = doc.rss.channel;
    expect(doc.rss["@_version"]).toBe("2.0");
    expect(textOf(ch.title)).toBe("pledgewatch: status changes");
    expect(textOf(ch.link[0])).toBe("http://pledgewatch.test/");
    expect(textOf(ch.description).length).toBeGreaterThan(10);
    expect(ch.lastBuildDate).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    const links = [ch["atom:link"]].flat();
    expect(links.find((l: any) => l["@_rel"] === "self")["@_href"]).toBe("http://pledgewatch.test/feed.xml");
    expect(links.find((l: any) => l["@_rel"] === "hub")["@_href"]).toBe("http://pledgewatch.test/websub");
  });

  it("lists history events newest first by seq, with guid, link, RFC 822 pubDate and a category per tag", async () => {
    const { doc } = await rss();
    const items = doc.rss.channel.item;
    expect(items.map((i: any) => textOf(i.guid))).toEqual(await expectedEventIds());
    for (const item of items) {
      expect(item.guid["@_isPermaLink"]).toBe("false");
      expect(item.pubDate).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    }
    const statusItem = items.find((i: any) => textOf(i.title) === "Charter on Strategic Partnership is now in progress");
    expect(statusItem).toBeDefined();
    expect(textOf(statusItem.link[0])).toBe(`http://pledgewatch.test/commitments/${c1}`);
    const categories = statusItem.category.map((c: any) => textOf(c));
    expect(categories).toContain("energy");
    expect(categories).toContain("commitment.status_changed");
    const description = decodeHtml(textOf(statusItem.description));
    expect(description).toContain("Progress: not started → in progress");
    expect(description).toContain("Note: Working group met <twice> & agreed");
    expect(textOf(statusItem.description)).toContain('<a href="https://example.org/news?a=1&amp;b=2">');
  });

  it("names overdue events the way people say it", async () => {
    await insertEvent({ id: uid("evt"), type: "commitment.overdue", commitmentId: c1, agreementId: agrA, fromValue: "in_progress", toValue: "overdue", data: { due_on: "2026-02-08", status: "in_progress" } });
    const { doc } = await rss();
    expect(textOf(doc.rss.channel.item[0].title)).toBe("Charter on Strategic Partnership is overdue");
    const deadline = doc.rss.channel.item.find((i: any) => textOf(i.title).startsWith("Open trade route: deadline moved to 2027-01-31"));
    expect(deadline).toBeDefined();
    expect(decodeHtml(textOf(deadline.description))).toContain("Reason: Extended by both sides");
  });

  it("parses in a real feed client (feedsmith) with the same items in the same order", async () => {
    const { text } = await rss();
    const parsed = parseRssFeed(text);
    expect(parsed.title).toBe("pledgewatch: status changes");
    expect(parsed.items?.map((i) => i.guid?.value)).toEqual(await expectedEventIds());
    expect(parsed.items?.every((i) => i.guid?.isPermaLink === false)).toBe(true);
  });

  it("never shows subscription events", async () => {
    const { text } = await rss();
    expect(text).not.toContain("subscription.test");
    expect(text).not.toContain("secret.example");
  });
});

describe("Atom /feed.atom and JSON Feed /feed.json", () => {
  it("Atom has feed id/title/updated/author, entries with id/title/updated/link and rel=self", async () => {
    const { res, doc, text } = await atom();
    expect(res.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    const feed = doc.feed;
    expect(feed["@_xmlns"]).toBe("http://www.w3.org/2005/Atom");
    expect(textOf(feed.id)).toBe("tag:pledgewatch,2025:feed:/feed.atom");
    expect(textOf(feed.title)).toBe("pledgewatch: status changes");
    expect(textOf(feed.updated)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(textOf(feed.author.name)).toBe("pledgewatch");
    expect(feed.link.find((l: any) => l["@_rel"] === "self")["@_href"]).toBe("http://pledgewatch.test/feed.atom");
    for (const entry of feed.entry) {
      expect(textOf(entry.id)).toMatch(/^tag:/);
      expect(textOf(entry.title).length).toBeGreaterThan(0);
      expect(textOf(entry.updated)).toMatch(/Z$/);
      expect(entry.link[0]["@_href"]).toMatch(/^http:\/\/pledgewatch\.test\/(commitments|agreements)\//);
    }
    const parsed = parseAtomFeed(text);
    expect(parsed.entries?.length).toBe(feed.entry.length);
    expect(parsed.entries?.[0]?.title).toEqual({ type: "text", value: textOf(feed.entry[0].title) });
  });

  it("JSON Feed 1.1 is served as application/feed+json and parses in the feed client", async () => {
    const { res, doc } = await jsonFeed();
    expect(res.headers.get("content-type")).toBe("application/feed+json; charset=utf-8");
    expect(doc.version).toBe("https://jsonfeed.org/version/1.1");
    expect(doc.feed_url).toBe("http://pledgewatch.test/feed.json");
    for (const item of doc.items) {
      expect(typeof item.id).toBe("string");
      expect(typeof item.content_html).toBe("string");
      expect(typeof item.content_text).toBe("string");
    }
    const parsed = parseJsonFeed(doc);
    expect(parsed.items?.map((i) => i.id)).toEqual(await expectedEventIds());
  });
});

describe("feed filters", () => {
  it("agreement, commitment, tag, party and type select the right events in the right order in all three formats", async () => {
    const cases: Array<[string, string, unknown[]]> = [
      [`?agreement=${agrA}`, "e.agreement_id = ?", [agrA]],
      [`?commitment=${c1}`, "e.commitment_id = ?", [c1]],
      ["?tag=energy", "e.commitment_id IN (SELECT c.id FROM commitments c, json_each(c.tags) j WHERE j.value = 'energy')", []],
      [
        "?party=gamma",
        "(e.commitment_id IN (SELECT c.id FROM commitments c, json_each(c.parties) j WHERE lower(j.value) = 'gamma') OR (e.commitment_id IS NULL AND e.agreement_id IN (SELECT a.id FROM agreements a, json_each(a.parties) j WHERE lower(j.value) = 'gamma')))",
        [],
      ],
      ["?type=commitment.status_changed", "e.type = 'commitment.status_changed'", []],
      ["?type=commitment.overdue,commitment.deadline_changed", "e.type IN ('commitment.overdue', 'commitment.deadline_changed')", []],
      [`?tag=energy&agreement=${agrB}`, "e.agreement_id = ? AND e.commitment_id IN (SELECT c.id FROM commitments c, json_each(c.tags) j WHERE j.value = 'energy')", [agrB]],
    ];
    for (const [query, where, binds] of cases) {
      const expected = await expectedEventIds(where, binds);
      expect(expected.length, query).toBeGreaterThan(0);
      expect(await idsInAllFormats(query), query).toEqual(expected);
    }
  });

  it("titles a filtered feed after what it follows and links its page", async () => {
    const { doc } = await rss(`?commitment=${c1}`);
    expect(textOf(doc.rss.channel.title)).toBe("pledgewatch: changes to “Charter on Strategic Partnership”");
    expect(textOf(doc.rss.channel.link[0])).toBe(`http://pledgewatch.test/commitments/${c1}`);
    expect([doc.rss.channel["atom:link"]].flat().find((l: any) => l["@_rel"] === "self")["@_href"]).toBe(`http://pledgewatch.test/feed.xml?commitment=${c1}`);
  });

  it("shows 50 items by default and honours limit up to 200", async () => {
    const agr = (await createAgreement({ title: "Busy agreement" })).id;
    const busy = (await createCommitment(agr, { title: "Busy commitment" })).id;
    for (let i = 0; i < 54; i++) {
      const res = await call("PATCH", `/api/v1/commitments/${busy}`, { body: { description: `revision ${i}` } });
      expect(res.status).toBe(200);
    }
    expect((await rss()).doc.rss.channel.item).toHaveLength(50);
    expect((await rss("?limit=3")).doc.rss.channel.item.map((i: any) => textOf(i.guid))).toEqual(await expectedEventIds("1 = 1", [], 3));
    const all = await jsonFeed("?limit=200");
    expect(all.doc.items.map((i: any) => i.id)).toEqual(await expectedEventIds("1 = 1", [], 200));
    expect(all.doc.items.length).toBeGreaterThan(50);
  });

  it("refuses bad filters with the error envelope naming each field", async () => {
    for (const path of ["/feed.xml", "/feed.atom", "/feed.json"]) {
      const body = await expectErrorEnvelope(await get(`${path}?limit=201&type=commitment.bogus&agreement=Not%20A%20Slug`), 400, "invalid_input");
      const paths = body.error.issues.map((i: any) => i.path).sort();
      expect(paths).toEqual(["agreement", "limit", "type.0"]);
      await expectErrorEnvelope(await get(`${path}?limit=0`), 400, "invalid_input");
      await expectErrorEnvelope(await get(`${path}?type=subscription.test`), 400, "invalid_input");
    }
  });

  it("answers 404 with the envelope for a commitment or agreement that does not exist", async () => {
    await expectErrorEnvelope(await get("/feed.xml?commitment=no-such-commitment"), 404, "not_found");
    await expectErrorEnvelope(await get("/feed.json?agreement=no-such-agreement"), 404, "not_found");
  });

  it("ignores parameters it does not know (feed readers add their own)", async () => {
    const res = await get("/feed.xml?utm_source=reader&_=123");
    expect(res.status).toBe(200);
  });
});

describe("hostile text", () => {
  it("round-trips <, &, ]]>, quotes through RSS, Atom and JSON Feed", async () => {
    const r = await rss(`?commitment=${c3}`);
    const titles = r.doc.rss.channel.item.map((i: any) => textOf(i.title));
    expect(titles).toContain(`${HOSTILE} is now stalled`);
    expect(r.text).not.toContain("<script>");
    const note = r.doc.rss.channel.item.find((i: any) => textOf(i.title) === `${HOSTILE} is now stalled`);
    expect(decodeHtml(textOf(note.description))).toContain(`Note: Quote " apostrophe ' ]]> <b>bold</b> &amp;`);

    const a = await atom(`?commitment=${c3}`);
    expect(a.doc.feed.entry.map((e: any) => textOf(e.title))).toContain(`${HOSTILE} is now stalled`);
    expect(a.text).not.toContain("<script>");

    const j = await jsonFeed(`?commitment=${c3}`);
    expect(j.doc.items.map((i: any) => i.title)).toContain(`${HOSTILE} is now stalled`);
    expect(j.doc.items.find((i: any) => i.title === `${HOSTILE} is now stalled`).content_html).not.toContain("<b>");
  });

  it("removes characters XML 1.0 forbids so strict parsers accept the feed", async () => {
    for (const path of ["/feed.xml", "/feed.atom"]) {
      const res = await get(`${path}?commitment=${c3}`);
      const text = await res.text();
      expect(() => parseXml(text)).not.toThrow();
      expect(text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
      // D1 stores a lone surrogate as U+FFFD (legal in XML); the others are removed by the feed.
      expect(text).toMatch(/bell nul vt ffff fffe lone\uFFFD* ok/);
    }
  });
});

describe("conditional GET", () => {
  it("sends ETag, Last-Modified and a short Cache-Control on every feed", async () => {
    for (const path of ["/feed.xml", "/feed.atom", "/feed.json"]) {
      const res = await get(path);
      expect(res.headers.get("etag")).toMatch(/^W\/"feed-\w+-[0-9a-f]{16}"$/);
      expect(res.headers.get("last-modified")).toMatch(/GMT$/);
      expect(res.headers.get("cache-control")).toBe("public, max-age=60, must-revalidate");
    }
  });

  it("answers If-None-Match with 304 and builds nothing", async () => {
    const first = await get("/feed.xml?tag=energy");
    const etag = first.headers.get("etag")!;
    const before = buildCounter.count;
    const again = await get("/feed.xml?tag=energy", { "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect(buildCounter.count).toBe(before);
    // The counter does see builds (this module instance is the worker's).
    await get("/feed.xml?tag=energy&limit=7");
    expect(buildCounter.count).toBe(before + 1);
    // A list of tags, one of them ours; and the strong form of the same tag.
    expect((await get("/feed.xml?tag=energy", { "If-None-Match": `"other", ${etag}` })).status).toBe(304);
    expect((await get("/feed.xml?tag=energy", { "If-None-Match": etag.replace(/^W\//, "") })).status).toBe(304);
  });

  it("answers If-Modified-Since with 304 when nothing changed since, 200 otherwise", async () => {
    const first = await get("/feed.atom");
    const lastModified = first.headers.get("last-modified")!;
    expect((await get("/feed.atom", { "If-Modified-Since": lastModified })).status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
    expect((await get("/feed.atom", { "If-Modified-Since": earlier })).status).toBe(200);
    expect((await get("/feed.atom", { "If-Modified-Since": "not a date" })).status).toBe(200);
  });

  it("changes the validator when the ledger changes", async () => {
    const first = await get("/feed.json");
    const etag = first.headers.get("etag")!;
    const res = await call("POST", `/api/v1/commitments/${c2}/status`, { body: { status: "in_progress" } });
    expect(res.status).toBe(200);
    const after = await get("/feed.json", { "If-None-Match": etag });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
    const doc = (await after.json()) as any;
    expect(doc.items[0].title).toBe("Open trade route is now in progress");
  });
});
