/** /api/v1/drafts through the app with real D1: read a statement, accept, edit then accept, reject. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import seed from "../../eval/extract/seed.txt?raw";
import { runSweep } from "../../src/alerts/sweep/sweep";
import { fanOut } from "../../src/alerts/fanout";
import { deliver } from "../../src/alerts/deliver";
import { createDb } from "../../src/platform/db/client";
import { call, createAgreement, json, tableCounts, uid } from "../helpers";
import { expectError, issuePaths, makeToken } from "../ledger/ledger.helpers";
import * as v from "valibot";
import * as views from "../../src/readside/openapi/openapi.views";
import { deliverDeps, fakeFetch, LEAD_DAYS, makeSubscription, RETENTION, recordingQueue } from "../alerts/alerts.helpers";

const SOURCE = "https://mfa.example.org/press/2025-08-09-washington";

async function seedAgreement() {
  return createAgreement({ id: uid("agr"), signed_on: "2025-08-08", parties: ["Azerbaijan", "United States", "Armenia"], source_url: SOURCE });
}

async function readStatement(body: Record<string, unknown>) {
  const res = await call("POST", "/api/v1/drafts", { body });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<{ batch: { id: string; agreement: string | null }; items: any[] }>(res);
}

async function counts() {
  const base = await tableCounts();
  for (const t of ["draft_batches", "drafts"]) base[t] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  return base;
}

const charterOf = (items: any[]) => items.find((d) => d.quote.includes("Strategic Working Group between the two countries"));

describe("POST /api/v1/drafts", () => {
  it("reads the seed statement against its agreement into pending drafts with spans, parties and the P6M deadline", async () => {
    const agreement = await seedAgreement();
    const { batch, items } = await readStatement({ text: seed, agreement: agreement.id });
    expect(batch.agreement).toBe(agreement.id);
    expect(items.length).toBeGreaterThanOrEqual(7);
    for (const d of items) {
      expect(d.status).toBe("pending");
      expect(d.batch).toBe(batch.id);
      expect(seed.slice(d.span[0], d.span[1])).toBe(d.quote);
    }
    const charter = charterOf(items);
    expect(charter.deadline).toMatchObject({ phrase: "over the next 6 months", spec: { within: "P6M" }, due_on: "2026-02-08" });
    expect(charter.parties).toEqual(["Azerbaijan", "United States", "Armenia"]);
    expect(items.some((d: any) => d.quote.includes("symbolic significance"))).toBe(false);
    // The OpenAPI document's schemas describe these answers exactly (strict objects).
    v.parse(views.DraftsCreated, { batch, items });
    v.parse(views.DraftList, await json(call("GET", `/api/v1/drafts?batch=${batch.id}`)));
    v.parse(views.DraftBatchDetail, await json(call("GET", `/api/v1/drafts/batches/${batch.id}`)));
  });

  it("uses signed_on and parties when given instead of the agreement's", async () => {
    const { items } = await readStatement({ text: "The parties will open a ferry line within 18 months.", signed_on: "2026-03-12", parties: ["Portugal", "Morocco"] });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ title: "Open a ferry line", parties: ["Portugal", "Morocco"], deadline: { due_on: "2027-09-12" } });
  });

  it("answers 201 with no items for a text that promises nothing", async () => {
    const { items } = await readStatement({ text: "The treaty was ratified in 1985. It remains a model for the world." });
    expect(items).toEqual([]);
  });

  it("refuses empty text, over 100 KB, control characters, an unknown agreement and a bad signed_on, naming each field and writing nothing", async () => {
    const before = await counts();
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ text: "   " }, ["text"]],
      [{ text: "x".repeat(100 * 1024 + 1) }, ["text"]],
      [{ text: "They will act.\u0007" }, ["text"]],
      [{ text: "They will act.", signed_on: "2025-02-30" }, ["signed_on"]],
      [{ text: "", signed_on: "soon", colour: "red" }, ["colour", "signed_on", "text"]],
    ];
    for (const [body, paths] of cases) {
      const err = await expectError(await call("POST", "/api/v1/drafts", { body }), 400, "invalid_input");
      expect(issuePaths(err), JSON.stringify(body).slice(0, 80)).toEqual(paths);
    }
    const unknown = await expectError(await call("POST", "/api/v1/drafts", { body: { text: "They will act.", agreement: "no-such-agreement" } }), 400, "invalid_input");
    expect(issuePaths(unknown)).toEqual(["agreement"]);
    expect(await counts()).toEqual(before);
  });

  it("needs a write token", async () => {
    await expectError(await call("POST", "/api/v1/drafts", { token: null, body: { text: "They will act." } }), 401, "unauthorized");
    const read = await makeToken("read");
    await expectError(await call("GET", "/api/v1/drafts", { token: read.token }), 403, "forbidden");
  });
});

describe("accepting and rejecting drafts", () => {
  it("accepts a draft as a commitment through the ledger, with the quote and source as its first evidence, once", async () => {
    const agreement = await seedAgreement();
    const { items } = await readStatement({ text: seed, agreement: agreement.id });
    const charter = charterOf(items);
    const res = await call("POST", `/api/v1/drafts/${charter.id}/accept`, { body: { id: uid("charter") } });
    expect(res.status, await res.clone().text()).toBe(201);
    const commitment = await json(res);
    expect(commitment).toMatchObject({ agreement: agreement.id, title: charter.title, deadline: { within: "P6M" }, due_on: "2026-02-08", status: "not_started" });
    expect(commitment.description).toBe(`“${charter.quote}”`);
    expect(commitment.evidence[0].url).toBe(SOURCE);
    expect(commitment.evidence[0].title).toContain("Quote: “According to the Memorandum");
    const created = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE commitment_id = ? AND type = 'commitment.created'").bind(commitment.id).first<{ n: number }>();
    expect(created!.n).toBe(1);

    const draft = await json(call("GET", `/api/v1/drafts/${charter.id}`));
    expect(draft).toMatchObject({ status: "accepted", commitment: commitment.id, decided_by: "admin" });

    const before = await counts();
    const again = await expectError(await call("POST", `/api/v1/drafts/${charter.id}/accept`, { body: { id: uid("charter-again") } }), 409, "illegal_transition");
    expect(again.error.message).toContain(commitment.id);
    expect(await counts()).toEqual(before);
  });

  it("refuses an accept without an agreement when the statement was read without one, then accepts with it", async () => {
    const agreement = await seedAgreement();
    const { batch, items } = await readStatement({ text: "The parties shall sign a protocol by 30 June 2026.", parties: ["Portugal"] });
    const err = await expectError(await call("POST", `/api/v1/drafts/${items[0].id}/accept`, { body: {} }), 400, "invalid_input");
    expect(issuePaths(err)).toEqual(["agreement"]);
    const ok = await json(call("POST", `/api/v1/drafts/${items[0].id}/accept`, { body: { agreement: agreement.id } }));
    expect(ok).toMatchObject({ agreement: agreement.id, due_on: "2026-06-30", parties: ["Portugal"] });
    // The draft itself is the evidence link when there is no source URL.
    expect(ok.evidence[0].url).toBe(`http://pledgewatch.test/api/v1/drafts/${items[0].id}`);
    const list = await json(call("GET", `/api/v1/drafts?batch=${batch.id}`));
    expect(list.items.map((d: any) => [d.status, d.agreement])).toEqual([["accepted", agreement.id]]);
  });

  it("edits then accepts: the overrides replace the draft's title, deadline and parties", async () => {
    const agreement = await seedAgreement();
    const { items } = await readStatement({ text: seed, agreement: agreement.id });
    const route = items.find((d: any) => d.quote.includes("special communications project"));
    const res = await call("POST", `/api/v1/drafts/${route.id}/accept`, {
      body: { title: "Build the Trump Route through Armenia", deadline: { due_on: "2028-12-31" }, parties: ["United States", "Armenia"], tags: ["transit"] },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(await json(res)).toMatchObject({ title: "Build the Trump Route through Armenia", due_on: "2028-12-31", parties: ["United States", "Armenia"], tags: ["transit"] });
  });

  it("refuses a bad override naming its field, and leaves the draft pending", async () => {
    const agreement = await seedAgreement();
    const { items } = await readStatement({ text: "The parties will act within 3 months.", agreement: agreement.id });
    const before = await counts();
    const err = await expectError(await call("POST", `/api/v1/drafts/${items[0].id}/accept`, { body: { deadline: { due_on: "2026-13-01" }, colour: 1 } }), 400, "invalid_input");
    expect(issuePaths(err)).toEqual(["colour", "deadline.due_on"]);
    expect(await counts()).toEqual(before);
    expect((await json(call("GET", `/api/v1/drafts/${items[0].id}`))).status).toBe("pending");
  });

  it("rejects a draft with its reason, kept with the decision; a rejected draft cannot be accepted", async () => {
    const agreement = await seedAgreement();
    const { batch, items } = await readStatement({ text: seed, agreement: agreement.id });
    const vague = items.find((d: any) => d.quote.includes("give priority attention"));
    const rejected = await json(call("POST", `/api/v1/drafts/${vague.id}/reject`, { body: { reason: "Describes the group's scope, not a promise" } }));
    v.parse(views.DraftView, rejected);
    expect(rejected).toMatchObject({ status: "rejected", reason: "Describes the group's scope, not a promise", decided_by: "admin", commitment: null });
    await expectError(await call("POST", `/api/v1/drafts/${vague.id}/accept`, { body: {} }), 409, "illegal_transition");
    await expectError(await call("POST", `/api/v1/drafts/${vague.id}/reject`, { body: {} }), 409, "illegal_transition");
    const pending = await json(call("GET", `/api/v1/drafts?batch=${batch.id}&status=pending`));
    expect(pending.items).toHaveLength(items.length - 1);
    const onlyRejected = await json(call("GET", `/api/v1/drafts?batch=${batch.id}&status=rejected`));
    expect(onlyRejected.items.map((d: any) => d.id)).toEqual([vague.id]);
  });

  it("pages the list with a cursor, in text order", async () => {
    const { batch, items } = await readStatement({ text: seed, parties: ["Azerbaijan"] });
    const first = await json(call("GET", `/api/v1/drafts?batch=${batch.id}&limit=3`));
    const second = await json(call("GET", `/api/v1/drafts?batch=${batch.id}&limit=50&cursor=${first.next_cursor}`));
    expect([...first.items, ...second.items].map((d: any) => d.id)).toEqual(items.map((d: any) => d.id));
    expect(second.next_cursor).toBeNull();
  });

  it("refuses unknown drafts and bad list queries", async () => {
    await expectError(await call("POST", "/api/v1/drafts/dft_nope/accept", { body: {} }), 404, "not_found");
    const err = await expectError(await call("GET", "/api/v1/drafts?status=maybe&batch=x"), 400, "invalid_input");
    expect(issuePaths(err)).toEqual(["batch", "status"]);
  });
});

describe("an accepted draft is a commitment like any other", () => {
  it("is flagged overdue by the sweep, appears in the feed, and its events reach a webhook subscriber", async () => {
    const t0 = Date.now();
    const sub = await makeSubscription(t0 - 1000, { event_types: ["commitment.created", "commitment.overdue"] });
    const agreement = await seedAgreement();
    const { items } = await readStatement({ text: seed, agreement: agreement.id });
    const commitment = await json(call("POST", `/api/v1/drafts/${charterOf(items).id}/accept`, { body: { id: uid("charter-e2e") } }));
    expect(commitment.timeliness).toBe("overdue"); // due 2026-02-08, and today is later

    const queue = recordingQueue();
    const sweepAt = t0 + 60_000;
    await runSweep({ db: createDb(env.DB), queue, leadDays: LEAD_DAYS, retention: RETENTION, queryCount: () => 0, clock: () => sweepAt }, sweepAt);
    const overdue = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ? AND type = 'commitment.overdue'").bind(commitment.id).all<{ id: string }>();
    expect(overdue.results).toHaveLength(1);

    const feed = await json(call("GET", `/feed.json?agreement=${agreement.id}`, { token: null }));
    expect(feed.items.some((i: any) => JSON.stringify(i).includes(commitment.id))).toBe(true);

    const events = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ? ORDER BY seq").bind(commitment.id).all<{ id: string }>();
    await fanOut(createDb(env.DB), queue, events.results.map((e) => e.id), sweepAt);
    const deliveries = await env.DB.prepare("SELECT id FROM deliveries WHERE subscription_id = ?").bind(sub.id).all<{ id: string }>();
    expect(deliveries.results).toHaveLength(2);
    const receiver = fakeFetch(() => new Response(null, { status: 204 }));
    await deliver(deliverDeps(receiver.fetch, queue, () => sweepAt), deliveries.results.map((d) => d.id));
    const types = receiver.calls.map((c) => JSON.parse(c.body).type).sort();
    expect(types).toEqual(["commitment.created", "commitment.overdue"]);
    expect(receiver.calls.every((c) => JSON.parse(c.body).data.commitment.id === commitment.id)).toBe(true);
  });
});
