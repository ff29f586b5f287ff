import ICAL from "ical.js";
import { beforeAll, describe, expect, it } from "vitest";
import { foldLine, icsText } from "../../src/readside/calendar/calendar.service";
import { call, createAgreement, createCommitment } from "../helpers";
import { expectErrorEnvelope, get } from "./readside.helpers";

const DAY = 86_400_000;
const dateOffset = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const HOSTILE = `Semi; colon, comma \\ backslash "quote" <tag> & ünïcödé — ${"ž".repeat(40)} 🚀 end`;

let agrA: string;
let agrB: string;
const ids = {} as Record<"overdue" | "soon" | "baku" | "done" | "none", string>;

beforeAll(async () => {
  agrA = (await createAgreement({ title: "Calendar agreement A", parties: ["Alpha"] })).id;
  agrB = (await createAgreement({ title: "Calendar agreement B" })).id;
  ids.overdue = (await createCommitment(agrA, { title: "Overdue item", tags: ["energy"], parties: ["Alpha"], deadline: { due_on: dateOffset(-3) } })).id;
  ids.soon = (await createCommitment(agrA, { title: HOSTILE, tags: ["trade"], deadline: { due_on: dateOffset(5) } })).id;
  ids.baku = (await createCommitment(agrB, { title: "Baku deadline", tags: ["energy"], time_zone: "Asia/Baku", deadline: { due_at: "2030-03-01T22:30:00+04:00" } })).id;
  ids.done = (await createCommitment(agrB, { title: "Withdrawn one", deadline: { due_on: dateOffset(20) }, status: "withdrawn" })).id;
  ids.none = (await createCommitment(agrB, { title: "No deadline" })).id;
});

async function calendar(query = "") {
  const res = await get(`/calendar.ics${query}`);
  expect(res.status).toBe(200);
  const text = await res.text();
  const component = new ICAL.Component(ICAL.parse(text));
  return { res, text, component, events: component.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v)) };
}

describe("/calendar.ics", () => {
  it("parses with ical.js: VERSION, PRODID and one all-day event per deadline", async () => {
    const { res, component, events } = await calendar();
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(component.getFirstPropertyValue("version")).toBe("2.0");
    expect(component.getFirstPropertyValue("prodid")).toBe("-//pledgewatch//commitment deadlines//EN");
    expect(events.map((e) => e.uid).sort()).toEqual(
      [ids.overdue, ids.soon, ids.baku, ids.done].map((id) => `commitment-${id}@pledgewatch`).sort(),
    );
    for (const e of events) {
      expect(e.startDate.isDate).toBe(true);
      expect(e.component.getFirstPropertyValue("dtstamp")).toBeTruthy();
      expect(e.endDate.toJSDate().getTime() - e.startDate.toJSDate().getTime()).toBe(DAY);
    }
  });

  it("puts each event on the due date in the commitment's zone, with title, timeliness, link, status and categories", async () => {
    const { events } = await calendar();
    const byUid = new Map(events.map((e) => [e.uid.replace(/^commitment-|@.*$/g, ""), e]));
    const overdue = byUid.get(ids.overdue)!;
    expect(overdue.startDate.toString()).toBe(dateOffset(-3));
    expect(overdue.summary).toBe("Overdue item (overdue)");
    expect(overdue.component.getFirstPropertyValue("url")).toBe(`http://pledgewatch.test/commitments/${ids.overdue}`);
    expect(overdue.component.getFirstPropertyValue("status")).toBe("CONFIRMED");
    expect(overdue.component.getFirstProperty("categories")!.getValues()).toEqual(["energy", "overdue"]);
    expect(overdue.description).toContain("Agreement: Calendar agreement A");
    expect(overdue.description).toContain("Responsible: Alpha");
    // 2030-03-01T22:30+04:00 is still March 1st in Baku (it is 18:30 UTC).
    expect(byUid.get(ids.baku)!.startDate.toString()).toBe("2030-03-01");
    expect(byUid.get(ids.done)!.component.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(byUid.get(ids.done)!.summary).toBe("Withdrawn one (closed)");
  });

  it("escapes TEXT values and folds long lines at 75 octets with CRLF, keeping UTF-8 whole", async () => {
    const { text, events } = await calendar();
    const soon = events.find((e) => e.uid.startsWith(`commitment-${ids.soon}@`))!;
    expect(soon.summary).toBe(`${HOSTILE} (due soon)`);
    expect(text).toContain("Semi\\; colon\\, comma \\\\ backslash");
    const lines = text.split("\r\n");
    expect(lines.pop()).toBe("");
    const encoder = new TextEncoder();
    for (const line of lines) {
      expect(line).not.toContain("\n");
      expect(encoder.encode(line).length).toBeLessThanOrEqual(75);
    }
    expect(lines.some((l) => l.startsWith(" "))).toBe(true);
  });

  it("keeps the UID of a commitment when it is edited", async () => {
    const before = (await calendar(`?commitment=${ids.overdue}`)).events[0]!;
    await call("PATCH", `/api/v1/commitments/${ids.overdue}`, { body: { deadline: { due_on: dateOffset(-2) }, reason: "moved" } });
    const after = (await calendar(`?commitment=${ids.overdue}`)).events[0]!;
    expect(after.uid).toBe(before.uid);
    expect(after.startDate.toString()).toBe(dateOffset(-2));
    expect(Number(after.component.getFirstPropertyValue("sequence"))).toBeGreaterThan(Number(before.component.getFirstPropertyValue("sequence")));
  });

  it("takes the feeds' filters: agreement, commitment, tag, party", async () => {
    const uids = async (q: string) => (await calendar(q)).events.map((e) => e.uid.replace(/^commitment-|@.*$/g, "")).sort();
    expect(await uids(`?agreement=${agrB}`)).toEqual([ids.baku, ids.done].sort());
    expect(await uids(`?commitment=${ids.baku}`)).toEqual([ids.baku]);
    expect(await uids("?tag=energy")).toEqual([ids.overdue, ids.baku].sort());
    expect(await uids("?party=alpha")).toEqual([ids.overdue]);
    expect(await uids(`?commitment=${ids.none}`)).toEqual([]);
    expect(await uids(`?commitment=${ids.baku}&agreement=${agrA}`)).toEqual([]);
    await expectErrorEnvelope(await get("/calendar.ics?limit=0"), 400, "invalid_input");
    await expectErrorEnvelope(await get("/calendar.ics?commitment=nope-nope"), 404, "not_found");
  });

  it("answers a matching If-None-Match with 304", async () => {
    const first = await get("/calendar.ics");
    expect(first.headers.get("etag")).toMatch(/^W\/"calendar-/);
    expect(first.headers.get("last-modified")).toMatch(/GMT$/);
    expect((await get("/calendar.ics", { "If-None-Match": first.headers.get("etag")! })).status).toBe(304);
    expect((await get("/calendar.ics", { "If-Modified-Since": first.headers.get("last-modified")! })).status).toBe(304);
  });
});

describe("iCalendar text helpers", () => {
  it("escapes backslash, semicolon, comma and newlines and drops control characters", () => {
    expect(icsText("a\\b;c,d\ne\r\nf\u0007g")).toBe("a\\\\b\\;c\\,d\\ne\\nfg");
  });

  it("folds by octets, never inside a character", () => {
    const line = `SUMMARY:${"é".repeat(60)}`;
    const folded = foldLine(line).split("\r\n");
    const encoder = new TextEncoder();
    for (const part of folded) expect(encoder.encode(part).length).toBeLessThanOrEqual(75);
    expect(folded.map((p, i) => (i === 0 ? p : p.slice(1))).join("")).toBe(line);
    expect(foldLine("SHORT:x")).toBe("SHORT:x");
  });
});
