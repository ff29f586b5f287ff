import { describe, expect, it } from "vitest";
import { isNotModified } from "../../src/readside/cache";
import { createAgreement, createCommitment } from "../helpers";
import { get } from "./readside.helpers";

const FUTURE = new Date(Date.now() + 365 * 86_400_000).toUTCString();

/** RFC 9110 §13.2.1: preconditions are evaluated only where the answer would otherwise be 2xx. */
describe("conditional requests on things that do not exist", () => {
  const missing = [
    "/commitments/no-such-commitment",
    "/agreements/no-such-agreement",
    "/badges/no-such-commitment.svg",
    "/feed.xml?commitment=no-such-commitment",
    "/feed.json?agreement=no-such-agreement",
    "/calendar.ics?commitment=no-such-commitment",
  ];
  for (const path of missing) {
    it(`answers 404, not 304, to If-None-Match: * on ${path}`, async () => {
      expect((await get(path, { "If-None-Match": "*" })).status).toBe(404);
    });
    it(`answers 404, not 304, to an If-Modified-Since in the future on ${path}`, async () => {
      expect((await get(path, { "If-Modified-Since": FUTURE })).status).toBe(404);
    });
  }

  it("sends no validator with a 404, so a client has nothing to revalidate", async () => {
    const res = await get("/commitments/no-such-commitment");
    expect(res.status).toBe(404);
    expect(res.headers.get("etag")).toBeNull();
    expect(res.headers.get("last-modified")).toBeNull();
  });

  it("still answers 304 to * and to a matching tag where the thing exists", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    const ok = await get(`/badges/${c.id}.svg`);
    expect(ok.status).toBe(200);
    const etag = ok.headers.get("etag")!;
    expect((await get(`/badges/${c.id}.svg`, { "If-None-Match": etag })).status).toBe(304);
    expect((await get(`/commitments/${c.id}`, { "If-None-Match": "*" })).status).toBe(304);
    expect((await get(`/feed.xml?commitment=${c.id}`, { "If-None-Match": "*" })).status).toBe(304);
  });
});

describe("If-None-Match and If-Modified-Since matching", () => {
  const v = { etag: 'W/"page-abc"', lastModified: Date.parse("2026-01-01T00:00:00Z") };
  const h = (init: Record<string, string>) => new Headers(init);
  const now = Date.parse("2026-06-01T00:00:00Z");

  it("matches a tag anywhere in a comma-separated list, weakly", () => {
    expect(isNotModified(h({ "If-None-Match": '"x", W/"page-abc"' }), v, now)).toBe(true);
    expect(isNotModified(h({ "If-None-Match": '"x",   "page-abc"' }), v, now)).toBe(true);
    expect(isNotModified(h({ "If-None-Match": '"x,W/page-abc", W/"page-abc"' }), v, now)).toBe(true);
    expect(isNotModified(h({ "If-None-Match": '"x,W/page-abc"' }), v, now)).toBe(false);
    expect(isNotModified(h({ "If-None-Match": '"page-abcd", "page-ab"' }), v, now)).toBe(false);
    expect(isNotModified(h({ "If-None-Match": "page-abc" }), v, now)).toBe(false);
  });

  it("ignores If-Modified-Since when If-None-Match is present, and a date in the future", () => {
    expect(isNotModified(h({ "If-None-Match": '"x"', "If-Modified-Since": "Mon, 01 Jun 2026 00:00:00 GMT" }), v, now)).toBe(false);
    expect(isNotModified(h({ "If-Modified-Since": "Mon, 01 Jun 2026 00:00:00 GMT" }), v, now)).toBe(true);
    expect(isNotModified(h({ "If-Modified-Since": "Tue, 02 Jun 2026 00:00:00 GMT" }), v, now)).toBe(false);
  });
});

describe("the stylesheet", () => {
  it("answers 304 to its tag inside a list or weakly compared, 200 otherwise", async () => {
    const first = await get("/assets/pages.css");
    const etag = first.headers.get("etag")!;
    expect((await get("/assets/pages.css", { "If-None-Match": `"other", W/${etag}` })).status).toBe(304);
    expect((await get("/assets/pages.css", { "If-None-Match": '"other"' })).status).toBe(200);
  });
});
