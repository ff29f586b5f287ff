/**
 * The read side of parties and of deadlines tied to events: /parties/{slug} (grouped by
 * timeliness, the record, a timeline, follow links, a badge), the home page's party links, and
 * `waiting` with its reason on pages, badges, feeds and the calendar.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, createAgreement, createCommitment, expectPageOutline, uid } from "../helpers";
import { get } from "./readside.helpers";

const HOSTILE = `<script>alert(1)</script> & "Co"`;
let slug: string;
let name: string;
let waitingId: string;
let anchorTitle: string;

beforeAll(async () => {
  slug = uid("republic");
  name = `Republic ${slug}`;
  anchorTitle = `Amend the law <b>${slug}</b>`;
  const agreement = await createAgreement({ parties: [name], signed_on: "2025-08-08" });
  const anchor = await createCommitment(agreement.id, { title: anchorTitle, parties: [name], deadline: { due_on: "2020-01-01" } });
  await createCommitment(agreement.id, { title: "Met on time", parties: [name.toUpperCase()], deadline: { due_on: "2099-01-01" }, status: "fulfilled" });
  await createCommitment(agreement.id, { title: "Broken one", parties: [name], status: "broken" });
  await createCommitment(agreement.id, { title: "Far ahead", parties: [name], deadline: { due_on: "2098-06-01" } });
  waitingId = (
    await createCommitment(agreement.id, {
      title: "Ratify once amended",
      parties: [name],
      deadline: { within: "P30D", after: { commitment: anchor.id, when: "met" } },
    })
  ).id;
  expect((await call("PUT", `/api/v1/parties/${slug}`, { body: { name, aliases: [`RP ${slug}`, HOSTILE] } })).status).toBe(201);
});

describe("GET /parties/{slug}", () => {
  it("groups the party's commitments by timeliness, with its record, a timeline, follow links and a badge", async () => {
    const res = await get(`/parties/${slug}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBeTruthy();
    const html = await res.text();
    expectPageOutline(html, `/parties/${slug}`);
    expect(html).toContain(`<h1>${name}</h1>`);
    for (const group of ["overdue (1)", "on track (1)", "waiting (1)", "met on time (1)", "closed (1)"]) expect(html).toContain(group);
    expect(html.indexOf("overdue (1)")).toBeLessThan(html.indexOf("waiting (1)"));
    expect(html).toMatch(/<dt>Met on time<\/dt>\s*<dd>1<\/dd>/);
    expect(html).toMatch(/<dt>Broken<\/dt>\s*<dd>1<\/dd>/);
    expect(html).toMatch(/<dt>Overdue<\/dt>\s*<dd>1<\/dd>/);
    expect(html).toContain("Deadline: waiting on: Amend the law &lt;b&gt;");
    expect(html).toContain(`/feed.xml?party=${encodeURIComponent(name)}`);
    expect(html).toContain(`/calendar.ics?party=${encodeURIComponent(name)}`);
    expect(html).toContain(`/badges/parties/${slug}.svg`);
    expect(html).toContain('<figure class="timeline">');
    // User text is escaped: the alias with markup is shown as text.
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("finds the party by an alias, and answers an HTML 404 for a party nobody names", async () => {
    expect((await get(`/parties/${encodeURIComponent(`rp ${slug}`)}`)).status).toBe(200);
    const missing = await get(`/parties/${uid("nobody")}`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("There is no party");
  });

  it("changes its validator when an alias changes, though no event was recorded", async () => {
    const first = await get(`/parties/${slug}`);
    const etag = first.headers.get("etag")!;
    expect((await get(`/parties/${slug}`, { "If-None-Match": etag })).status).toBe(304);
    expect((await call("PUT", `/api/v1/parties/${slug}`, { body: { name, aliases: [`RP ${slug}`, HOSTILE, `Rep ${slug}`] } })).status).toBe(200);
    const after = await get(`/parties/${slug}`, { "If-None-Match": etag });
    expect(after.status).toBe(200);
    expect(await after.text()).toContain(`Rep ${slug}`);
  });

  it("is linked from the status page, as are parties nobody named, by their names as slugs", async () => {
    const other = `Kingdom ${uid("k").replace(/-/g, "")}`;
    const agreement = await createAgreement({ parties: [] });
    await createCommitment(agreement.id, { parties: [other] });
    const html = await (await get("/")).text();
    expect(html).toContain(`<a href="/parties/${slug}">${name}</a>`);
    const otherSlug = other.toLowerCase().replace(/ /g, "-");
    expect(html).toContain(`<a href="/parties/${otherSlug}">${other}</a>`);
    expect((await get(`/parties/${otherSlug}`)).status).toBe(200);
    // A name whose slug would not lead back to it is linked by its key.
    const hyphened = `Guinea-Bissau ${uid("g")}`;
    await createCommitment(agreement.id, { parties: [hyphened] });
    expect(await (await get("/")).text()).toContain(`<a href="/parties/${encodeURIComponent(hyphened.toLowerCase())}">`);
    expect((await get(`/parties/${encodeURIComponent(hyphened.toLowerCase())}`)).status).toBe(200);
  });
});

describe("the party badge", () => {
  it("says the record and turns red while a commitment is overdue", async () => {
    const res = await get(`/badges/parties/${slug}.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/image\/svg\+xml/);
    const svg = await res.text();
    expect(svg).toContain("1/2 met on time · 1 overdue");
    expect(svg).toContain("#b42318");
    expect((await get(`/badges/parties/${uid("nobody")}.svg`)).status).toBe(404);
  });
});

describe("waiting on the read side", () => {
  it("shows the reason on the commitment page and its badge", async () => {
    const html = await (await get(`/commitments/${waitingId}`)).text();
    expect(html).toContain("waiting on: Amend the law &lt;b&gt;");
    const svg = await (await get(`/badges/${waitingId}.svg`)).text();
    expect(svg).toContain("waiting on: Amend the law &lt;b&gt;");
  });

  it("puts a waiting commitment in its own calendar as a to-do without a date, and keeps it out of the dated calendar", async () => {
    const one = await (await get(`/calendar.ics?commitment=${waitingId}`)).text();
    expect(one).toContain("BEGIN:VTODO");
    expect(one).toContain(`UID:commitment-${waitingId}@pledgewatch`);
    expect(one.replace(/\r\n /g, "")).toContain("SUMMARY:Ratify once amended (waiting on: Amend the law <b>");
    // The one-commitment calendar applies the party filter with the party's aliases too.
    expect(await (await get(`/calendar.ics?commitment=${waitingId}&party=${encodeURIComponent(`rp ${slug}`)}`)).text()).toContain("BEGIN:VTODO");
    expect(await (await get(`/calendar.ics?commitment=${waitingId}&party=Nobody`)).text()).not.toContain("BEGIN:VTODO");
    const all = await (await get(`/calendar.ics?party=${encodeURIComponent(name)}`)).text();
    expect(all).not.toContain(`UID:commitment-${waitingId}@`);
  });

  it("titles the feed item of a deadline that resolved from waiting as set, then one that waits again", async () => {
    const agreement = await createAgreement({ signed_on: "2025-08-08" });
    const c = await createCommitment(agreement.id, { title: "Counted from entry into force", deadline: { within: "P90D", after: "entry_into_force" } });
    await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { in_force_on: "2026-01-01" } });
    await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { in_force_on: null } });
    const feed = await (await get(`/feed.json?commitment=${c.id}`)).json<{ items: Array<{ title: string; content_text: string }> }>();
    const titles = feed.items.map((i) => i.title);
    expect(titles).toContain("Counted from entry into force: deadline set to 2026-04-01");
    expect(titles).toContain("Counted from entry into force: deadline waiting on entry into force");
    expect(feed.items.map((i) => i.content_text).join("\n")).toContain("the agreement entered into force on 2026-01-01");
  });
});
