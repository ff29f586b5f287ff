import { beforeAll, describe, expect, it } from "vitest";
import * as v from "valibot";
import * as views from "../../src/readside/openapi/openapi.views";
import { pollSources } from "../../src/watch/poll";
import { call, json, tableCounts } from "../helpers";
import { expectError, issuePaths, makeToken } from "../ledger/ledger.helpers";
import { createSource, importDefaultDataset, pollDeps, rss, scriptedFetch } from "./watch.helpers";

const parses = (schema: v.GenericSchema, body: unknown) => {
  const r = v.safeParse(schema, body);
  expect(r.success, JSON.stringify(r.issues?.map((i) => `${i.path?.map((p) => p.key).join(".")}: ${i.message}`))).toBe(true);
};

describe("sources API", () => {
  it("creates a source with the defaults, health pending, and lists, reads, changes and deletes it", async () => {
    const res = await call("POST", "/api/v1/sources", { body: { url: "https://MFA.gov.az./en/rss", kind: "feed", parties: ["Azerbaijan"] } });
    expect(res.status).toBe(201);
    const source = await res.json<any>();
    parses(views.SourceView, source);
    expect(source).toMatchObject({ url: "https://mfa.gov.az/en/rss", kind: "feed", every: "PT1H", state: "active", agreements: null, keywords: null, created_by: "admin" });
    expect(source.health).toMatchObject({ status: "pending", last_fetched_at: null, consecutive_failures: 0 });
    const list = await json(call("GET", "/api/v1/sources"));
    parses(views.SourceList, list);
    expect(list.items.map((s: any) => s.id)).toContain(source.id);
    parses(views.SourceView, await json(call("GET", `/api/v1/sources/${source.id}`)));
    const paused = await json(call("PATCH", `/api/v1/sources/${source.id}`, { body: { state: "paused", keywords: ["Strategic Working Group"], every: "P1D" } }));
    expect(paused).toMatchObject({ state: "paused", keywords: ["Strategic Working Group"], every: "P1D", health: { status: "paused", next_poll_at: null } });
    expect((await call("DELETE", `/api/v1/sources/${source.id}`)).status).toBe(204);
    await expectError(await call("GET", `/api/v1/sources/${source.id}`), 404, "not_found");
  });

  it("answers bad input with 400 naming every bad field, and creates nothing", async () => {
    const before = await json(call("GET", "/api/v1/sources?limit=200"));
    const res = await call("POST", "/api/v1/sources", {
      body: { url: "not a url", kind: "rss", every: "P1M", agreements: [], keywords: ["x", "X"], extra: true },
    });
    const body = await expectError(res, 400, "invalid_input");
    expect(issuePaths(body)).toEqual(["agreements", "every", "extra", "keywords.1", "kind", "url"]);
    const tooOften = await expectError(await call("POST", "/api/v1/sources", { body: { url: "https://a.example/f", kind: "feed", every: "PT1M" } }), 400, "invalid_input");
    expect(tooOften.error.issues).toEqual([{ path: "every", message: "must be at least five minutes (PT5M)" }]);
    expect((await json(call("GET", "/api/v1/sources?limit=200"))).items).toHaveLength(before.items.length);
  });

  it("refuses every URL the SSRF guard refuses for webhooks (the same guard)", async () => {
    const refused = [
      "http://mfa.gov.az/rss",
      "https://localhost/feed",
      "https://LOCALHOST./feed",
      "https://127.0.0.1/feed",
      "https://2130706433/feed",
      "https://169.254.169.254/latest/meta-data",
      "https://10.0.0.8/feed",
      "https://[::1]/feed",
      "https://[::ffff:127.0.0.1]/feed",
      "https://metadata.google.internal/feed",
      "https://printer.local/feed",
      "https://intranet/feed",
      "https://user:pass@mfa.gov.az/rss",
      "https://mfa.gov.az:8443/rss",
    ];
    for (const url of refused) {
      const body = await expectError(await call("POST", "/api/v1/sources", { body: { url, kind: "feed" } }), 400, "invalid_input");
      expect(body.error.issues?.[0]?.path, url).toBe("url");
      expect(body.error.issues?.[0]?.message, url).toMatch(/^refused source URL: /);
    }
    expect((await call("POST", "/api/v1/sources", { body: { url: "https://[2606:4700::1111]/feed", kind: "feed" } })).status).toBe(201);
  });

  it("needs a write token: 401 without one, 403 with a read token", async () => {
    await expectError(await call("GET", "/api/v1/sources", { token: null }), 401, "unauthorized");
    const read = (await makeToken("read")).token;
    await expectError(await call("GET", "/api/v1/proposals", { token: read }), 403, "forbidden");
  });
});

describe("proposals API", () => {
  beforeAll(importDefaultDataset);

  async function propose(link: string, text: string, title = "News") {
    const net = scriptedFetch();
    const url = `https://news.example/${encodeURIComponent(link)}.xml`;
    const source = await createSource({ url, kind: "feed" });
    net.routes.set(url, { body: rss([{ title, link, description: text }]) });
    await pollSources(pollDeps(net.fetch).deps, [source.id]);
    const made = (await json(call("GET", "/api/v1/proposals?state=open&limit=200"))).items.filter((p: any) => p.source === source.id);
    expect(made.length).toBeGreaterThan(0);
    return made;
  }

  it("accepting with a status moves it through the ledger: in_progress, the item as evidence, the token's name as actor", async () => {
    const [proposal] = await propose("https://mfa.example/n/meeting", "The Strategic Working Group held its first meeting in Baku.", "Strategic Working Group meets");
    const writer = (await makeToken("write", "desk-editor")).token;
    const res = await call("POST", `/api/v1/proposals/${proposal.id}/accept`, { token: writer, body: { status: proposal.suggested.status } });
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    parses(views.AcceptedProposal, body);
    expect(body.proposal).toMatchObject({ state: "accepted", decided_by: "desk-editor" });
    expect(body.commitment).toMatchObject({ id: "az-us-strategic-partnership-charter", status: "in_progress", stale: false });
    expect(body.commitment.evidence).toContainEqual({ url: "https://mfa.example/n/meeting", title: "Strategic Working Group meets" });
    expect(body.commitment.last_verified_at).not.toBeNull();
    const events = await json(call("GET", "/api/v1/commitments/az-us-strategic-partnership-charter/events?limit=5"));
    expect(events.items[0]).toMatchObject({ type: "commitment.status_changed", to: "in_progress", actor: "desk-editor", evidence_url: "https://mfa.example/n/meeting" });
    // A second accept changes nothing and says why.
    const counts = await tableCounts();
    const again = await expectError(await call("POST", `/api/v1/proposals/${proposal.id}/accept`, { body: { status: "fulfilled" } }), 409, "illegal_transition");
    expect(again.error.message).toMatch(/already accepted/);
    expect(await tableCounts()).toEqual(counts);
  });

  it("accepting without a status records the evidence as a verification", async () => {
    const [proposal] = await propose("https://mfa.example/n/minsk", "The OSCE decided on closing the Minsk Process and its related structures.", "OSCE and the Minsk Process");
    const body = await json(call("POST", `/api/v1/proposals/${proposal.id}/accept`, { body: { note: "Decision taken, structures not yet closed." } }));
    expect(body.commitment).toMatchObject({ id: "close-osce-minsk-process", status: "not_started" });
    expect(body.commitment.evidence.map((e: any) => e.url)).toContain("https://mfa.example/n/minsk");
    const [event] = (await json(call("GET", "/api/v1/commitments/close-osce-minsk-process/events?limit=1"))).items;
    expect(event).toMatchObject({ type: "commitment.verified", note: "Decision taken, structures not yet closed.", evidence_url: "https://mfa.example/n/minsk", actor: "admin" });
  });

  it("dismisses with a reason, lists by state and commitment, and refuses to accept what was dismissed", async () => {
    const [proposal] = await propose("https://mfa.example/n/nakhchivan", "Construction began on transport links between mainland Azerbaijan and Nakhchivan.", "Nakhchivan link");
    const dismissed = await json(call("POST", `/api/v1/proposals/${proposal.id}/dismiss`, { body: { reason: "An old project." } }));
    parses(views.ProposalView, dismissed);
    expect(dismissed).toMatchObject({ state: "dismissed", decision_note: "An old project.", decided_by: "admin" });
    const list = await json(call("GET", `/api/v1/proposals?state=dismissed&commitment=${proposal.commitment}`));
    parses(views.ProposalList, list);
    expect(list.items.map((p: any) => p.id)).toEqual([proposal.id]);
    await expectError(await call("POST", `/api/v1/proposals/${proposal.id}/accept`, { body: {} }), 409, "illegal_transition");
    await expectError(await call("POST", "/api/v1/proposals/prp_nope/dismiss", { body: {} }), 404, "not_found");
    const bad = await expectError(await call("GET", "/api/v1/proposals?state=maybe&limit=0"), 400, "invalid_input");
    expect(issuePaths(bad)).toEqual(["limit", "state"]);
    const badBody = await expectError(await call("POST", `/api/v1/proposals/${proposal.id}/accept`, { body: { status: "done", evidence: { url: "ftp://x" } } }), 400, "invalid_input");
    expect(issuePaths(badBody)).toEqual(["evidence.url", "status"]);
  });
});
