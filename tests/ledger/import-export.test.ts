import { env } from "cloudflare:workers";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ImportAgreement, ImportCommitment, ImportDocument } from "../../src/ledger/transfer/transfer.schemas";
import defaultDocText from "../../data/default.json?raw";
import { ADMIN, call, createAgreement, createCommitment, json, uid } from "../helpers";
import { counts, eventsOf, expectError, issuePaths, makeToken } from "./ledger.helpers";

type Doc = { format?: string; agreements?: any[]; commitments?: any[] };

const importDoc = (doc: unknown) => call("POST", "/api/v1/import", { body: doc });
const exportDoc = async () => json(call("GET", "/api/v1/export"));
const unchangedCounts = (n: { agreements: number; commitments: number }) => ({
  agreements: { created: 0, updated: 0, unchanged: n.agreements },
  commitments: { created: 0, updated: 0, unchanged: n.commitments },
});

/** A small document with fresh ids: two agreements, three commitments, one dependency. */
function sampleDoc(): Doc {
  const a1 = uid("imp-agr");
  const a2 = uid("imp-agr");
  const c1 = uid("imp-com");
  return {
    format: "pledgewatch/v1",
    agreements: [
      { id: a1, title: "Imported memorandum", kind: "memorandum", signed_on: "2025-08-08", parties: ["Azerbaijan", "United States"], source_url: "https://example.org/mou", summary: "A memorandum." },
      { id: a2, title: "Unsigned draft", kind: "agreement", signed_on: null, parties: ["Armenia"], source_url: null, summary: "" },
    ],
    commitments: [
      { id: uid("imp-com"), agreement: a1, title: "Depends on the first", depends_on: [c1], deadline: null },
      { id: c1, agreement: a1, title: "Relative deadline", deadline: { within: "P6M" }, tags: ["energy"], time_zone: "Asia/Baku" },
      { id: uid("imp-com"), agreement: a2, title: "Absolute deadline", deadline: { due_on: "2027-01-31", grace: "P7D" }, status: "in_progress", status_changed_at: "2026-01-01T00:00:00Z" },
    ],
  };
}

describe("import", () => {
  it("creates every record of a document in one write, with a created event per record", async () => {
    const doc = sampleDoc();
    const before = await counts();
    const res = await importDoc(doc);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      agreements: { created: 2, updated: 0, unchanged: 0 },
      commitments: { created: 3, updated: 0, unchanged: 0 },
    });
    const after = await counts();
    expect(after.agreements - before.agreements).toBe(2);
    expect(after.commitments - before.commitments).toBe(3);
    expect(after.commitment_dependencies - before.commitment_dependencies).toBe(1);
    expect(after.events - before.events).toBe(5);
    expect(after.outbox - before.outbox).toBe(5);
    const relative = await json(call("GET", `/api/v1/commitments/${doc.commitments![1].id}`));
    expect(relative).toMatchObject({ due_on: "2026-02-08", due_at: "2026-02-08T19:59:59.999Z", time_zone: "Asia/Baku", tags: ["energy"] });
    const dated = await json(call("GET", `/api/v1/commitments/${doc.commitments![2].id}`));
    expect(dated).toMatchObject({ status: "in_progress", status_changed_at: "2026-01-01T00:00:00.000Z", overdue_at: "2027-02-07T23:59:59.999Z" });
  });

  it("is idempotent: importing the same document again changes nothing and records nothing", async () => {
    const doc = sampleDoc();
    expect((await importDoc(doc)).status).toBe(200);
    const before = await counts();
    const res = await importDoc(doc);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual(unchangedCounts({ agreements: 2, commitments: 3 }));
    expect(await counts()).toEqual(before);
  });

  it("upserts: changed records are updated with their history, unchanged ones are left alone", async () => {
    const doc = sampleDoc();
    expect((await importDoc(doc)).status).toBe(200);
    const changed = structuredClone(doc);
    changed.agreements![1].summary = "Now with a summary.";
    changed.commitments![0].title = "Renamed by import";
    changed.commitments![2].deadline = { due_on: "2027-06-30" };
    const before = await counts();
    const res = await importDoc(changed);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      agreements: { created: 0, updated: 1, unchanged: 1 },
      commitments: { created: 0, updated: 2, unchanged: 1 },
    });
    const after = await counts();
    expect(after.events - before.events).toBe(3);
    expect(after.outbox - before.outbox).toBe(3);
    expect(after.agreements).toBe(before.agreements);
    expect(after.commitments).toBe(before.commitments);
    expect((await json(call("GET", `/api/v1/commitments/${doc.commitments![0].id}`))).title).toBe("Renamed by import");
    const moved = (await eventsOf(doc.commitments![2].id)).at(-1)!;
    expect(moved).toMatchObject({ type: "commitment.deadline_changed", note: "changed by import", to_value: "2027-06-30T23:59:59.999Z" });
  });

  it("moves relative deadlines when the document changes an agreement's signing date", async () => {
    const doc = sampleDoc();
    expect((await importDoc(doc)).status).toBe(200);
    // A commitment of the same agreement that is not in the next document moves too.
    const outside = await createCommitment(doc.agreements![0].id, { deadline: { within: "P1Y" } });
    const changed = structuredClone(doc);
    changed.agreements![0].signed_on = "2025-09-01";
    const res = await importDoc(changed);
    expect(res.status).toBe(200);
    expect((await json(res)).agreements.updated).toBe(1);
    expect((await json(call("GET", `/api/v1/commitments/${doc.commitments![1].id}`))).due_on).toBe("2026-03-01");
    expect((await json(call("GET", `/api/v1/commitments/${outside.id}`))).due_on).toBe("2026-09-01");
    expect((await eventsOf(doc.commitments![1].id)).map((e) => e.type)).toEqual(["commitment.created", "commitment.deadline_changed"]);
    expect((await eventsOf(outside.id)).map((e) => e.type)).toEqual(["commitment.created", "commitment.deadline_changed"]);
  });

  it("records a corrected status date for an unchanged status as an update", async () => {
    const doc = sampleDoc();
    expect((await importDoc(doc)).status).toBe(200);
    const changed = structuredClone(doc);
    changed.commitments![2].status_changed_at = "2026-02-01T00:00:00Z";
    const res = await importDoc(changed);
    expect(res.status).toBe(200);
    expect((await json(res)).commitments).toEqual({ created: 0, updated: 1, unchanged: 2 });
    expect((await json(call("GET", `/api/v1/commitments/${doc.commitments![2].id}`))).status_changed_at).toBe("2026-02-01T00:00:00.000Z");
    const edit = (await eventsOf(doc.commitments![2].id)).at(-1)!;
    expect(edit.type).toBe("commitment.updated");
    expect(JSON.parse(edit.data!).changed).toEqual(["status_changed_at"]);
    // And importing the corrected document again is a no-op.
    expect((await json(importDoc(changed))).commitments).toEqual({ created: 0, updated: 0, unchanged: 3 });
  });

  it("reopens a terminal commitment only when the document gives a status_note", async () => {
    const doc = sampleDoc();
    doc.commitments![2].status = "fulfilled";
    expect((await importDoc(doc)).status).toBe(200);
    const reopened = structuredClone(doc);
    reopened.commitments![2].status = "in_progress";
    delete reopened.commitments![2].status_changed_at;
    const before = await counts();
    const refused = await expectError(await importDoc(reopened), 409, "illegal_transition");
    expect(refused.error.message).toContain(`commitments.2 (id '${doc.commitments![2].id}')`);
    expect(await counts()).toEqual(before);
    reopened.commitments![2].status_note = "the ratification was annulled";
    expect((await importDoc(reopened)).status).toBe(200);
    expect((await eventsOf(doc.commitments![2].id)).at(-1)).toMatchObject({ type: "commitment.status_changed", note: "the ratification was annulled" });
  });

  it("links depends_on to commitments already in the database", async () => {
    const agreement = await createAgreement();
    const existing = await createCommitment(agreement.id);
    const id = uid("imp-com");
    const res = await importDoc({ commitments: [{ id, agreement: agreement.id, title: "Waits on an existing one", depends_on: [existing.id] }] });
    expect(res.status).toBe(200);
    expect((await json(call("GET", `/api/v1/commitments/${id}`))).depends_on).toEqual([existing.id]);
  });

  it("accepts an import larger than the 64 KiB API limit", async () => {
    const doc = sampleDoc();
    for (const c of doc.commitments!) c.description = "x".repeat(9_000);
    doc.agreements![0].summary = "y".repeat(9_000);
    const many = Array.from({ length: 10 }, (_, i) => ({ id: uid(`bulk${i}`), agreement: doc.agreements![0].id, title: `Bulk ${i}`, description: "z".repeat(9_000) }));
    doc.commitments!.push(...many);
    const body = JSON.stringify(doc);
    expect(body.length).toBeGreaterThan(64 * 1024);
    const res = await importDoc(body);
    expect(res.status).toBe(200);
    expect((await json(res)).commitments.created).toBe(13);
  });
});

describe("import is all or nothing", () => {
  async function expectRefused(doc: unknown, status: number, code: string) {
    const before = await counts();
    const body = await expectError(await importDoc(doc), status, code);
    expect(await counts()).toEqual(before);
    return body;
  }

  it("writes nothing when the last record fails validation, and names it with its id", async () => {
    const doc = sampleDoc();
    const badId = uid("bad");
    doc.commitments!.push({ id: badId, agreement: doc.agreements![0].id, title: "Impossible", deadline: { due_on: "2026-02-30" } });
    const body = await expectRefused(doc, 400, "invalid_input");
    expect(body.error.message).toContain(`commitments.3 (id '${badId}')`);
    expect(issuePaths(body)).toEqual(["commitments.3.deadline.due_on"]);
    for (const a of doc.agreements!) expect((await call("GET", `/api/v1/agreements/${a.id}`)).status).toBe(404);
  });

  it("names the first bad record and lists every bad field", async () => {
    const doc = sampleDoc();
    doc.commitments![1].title = "";
    doc.commitments![2].tags = ["Not A Tag"];
    doc.commitments![2].unknown_field = true;
    const body = await expectRefused(doc, 400, "invalid_input");
    expect(body.error.message).toContain(`commitments.1 (id '${doc.commitments![1].id}')`);
    expect(issuePaths(body)).toEqual(["commitments.1.title", "commitments.2.tags.0", "commitments.2.unknown_field"]);
  });

  it("writes nothing when the last record names an unknown agreement", async () => {
    const doc = sampleDoc();
    const badId = uid("bad");
    doc.commitments!.push({ id: badId, agreement: uid("nowhere"), title: "Orphan" });
    const body = await expectRefused(doc, 400, "invalid_input");
    expect(body.error.message).toContain(`commitments.3 (id '${badId}')`);
    expect(issuePaths(body)).toEqual(["commitments.3.agreement"]);
  });

  it("writes nothing when the last record depends on an unknown commitment", async () => {
    const doc = sampleDoc();
    const badId = uid("bad");
    doc.commitments!.push({ id: badId, agreement: doc.agreements![0].id, title: "Waits on a ghost", depends_on: [doc.commitments![0].id, uid("ghost")] });
    const body = await expectRefused(doc, 400, "invalid_input");
    expect(body.error.message).toContain(`commitments.3 (id '${badId}')`);
    expect(issuePaths(body)).toEqual(["commitments.3.depends_on.1"]);
  });

  it("writes nothing when the last record's deadline cannot be resolved", async () => {
    const doc = sampleDoc();
    const badId = uid("bad");
    // The second agreement has no signing date.
    doc.commitments!.push({ id: badId, agreement: doc.agreements![0].id, title: "Past the year 9999", deadline: { within: "P8000Y" } });
    const body = await expectRefused(doc, 400, "invalid_input");
    expect(body.error.message).toContain(`commitments.3 (id '${badId}')`);
    expect(issuePaths(body)).toEqual(["commitments.3.deadline"]);
  });

  it("writes nothing when the document repeats an id", async () => {
    const doc = sampleDoc();
    doc.commitments!.push({ ...doc.commitments![0] });
    const body = await expectRefused(doc, 400, "invalid_input");
    expect(body.error.message).toContain(`commitments.3 (id '${doc.commitments![0].id}')`);
  });

  it("writes nothing when the document's depends_on forms a cycle", async () => {
    const doc = sampleDoc();
    doc.commitments![1].depends_on = [doc.commitments![0].id];
    const body = await expectRefused(doc, 409, "dependency_cycle");
    expect(body.error.message).toMatch(/cycle/);
  });

  it("writes nothing when a later record fails after earlier records would have updated stored ones", async () => {
    const doc = sampleDoc();
    expect((await importDoc(doc)).status).toBe(200);
    const next = structuredClone(doc);
    next.agreements![0].title = "Renamed";
    next.commitments![0].title = "Renamed too";
    next.commitments![2].status = "fulfilled";
    next.commitments!.push({ id: uid("bad"), agreement: doc.agreements![0].id, title: "Bad", deadline: { within: "P8000Y" } });
    await expectRefused(next, 400, "invalid_input");
    expect((await json(call("GET", `/api/v1/agreements/${doc.agreements![0].id}`))).title).toBe("Imported memorandum");
    expect((await json(call("GET", `/api/v1/commitments/${doc.commitments![0].id}`))).title).toBe("Depends on the first");
  });

  it("writes nothing when an agreement's new signing date puts its stored relative deadlines past 9999, naming the record", async () => {
    const doc = sampleDoc();
    expect((await importDoc(doc)).status).toBe(200);
    const next = { agreements: [{ ...doc.agreements![0], signed_on: "9999-12-01" }] };
    const body = await expectRefused(next, 400, "invalid_input");
    expect(body.error.message).toContain(`agreements.0 (id '${doc.agreements![0].id}')`);
    expect(body.error.message).toContain(doc.commitments![1].id);
    expect(issuePaths(body)).toEqual(["agreements.0.signed_on"]);
  });

  it("refuses a document that is not an import document", async () => {
    await expectRefused({ format: "something/v2" }, 400, "invalid_input");
    await expectRefused([], 400, "invalid_input");
    await expectRefused({ agreements: {} }, 400, "invalid_input");
    await expectRefused("not json", 400, "invalid_json");
    const tooMany = { commitments: Array.from({ length: 1001 }, (_, i) => ({ id: `c-${i}`, agreement: "a", title: "t" })) };
    await expectRefused(tooMany, 400, "invalid_input");
  });
});

describe("the default dataset", () => {
  it("imports cleanly and shows the charter due 2026-02-08 and overdue", async () => {
    const doc = JSON.parse(defaultDocText) as Doc;
    expect(v.safeParse(ImportDocument, doc).success).toBe(true);
    const res = await call("POST", "/api/v1/import", { body: defaultDocText });
    expect(res.status).toBe(200);
    const result = await json(res);
    expect(result.agreements.created + result.agreements.unchanged).toBe(doc.agreements!.length);
    expect(result.commitments.created + result.commitments.unchanged).toBe(doc.commitments!.length);
    const charter = await json(call("GET", "/api/v1/commitments/az-us-strategic-partnership-charter"));
    expect(charter).toMatchObject({
      agreement: "az-us-strategic-working-group-mou",
      deadline: { within: "P6M" },
      due_on: "2026-02-08",
      due_at: "2026-02-08T23:59:59.999Z",
      status: "not_started",
      timeliness: "overdue",
    });
    const listed = await json(call("GET", "/api/v1/commitments?agreement=az-us-strategic-working-group-mou&timeliness=overdue"));
    expect(listed.items.map((c: { id: string }) => c.id)).toEqual(["az-us-strategic-partnership-charter"]);
    // Importing it again is a no-op.
    const before = await counts();
    expect(await json(call("POST", "/api/v1/import", { body: defaultDocText }))).toEqual(
      unchangedCounts({ agreements: doc.agreements!.length, commitments: doc.commitments!.length }),
    );
    expect(await counts()).toEqual(before);
  });

  it("exports the default dataset exactly as it was imported", async () => {
    const doc = JSON.parse(defaultDocText) as Doc;
    expect((await call("POST", "/api/v1/import", { body: defaultDocText })).status).toBe(200);
    const exported = await exportDoc();
    const byId = (list: any[]) => new Map(list.map((r) => [r.id, r]));
    const agreements = byId(exported.agreements);
    const commitments = byId(exported.commitments);
    for (const a of doc.agreements!) expect(agreements.get(a.id)).toEqual(a);
    for (const c of doc.commitments!) {
      // depends_on is a set: the export lists it sorted.
      // keywords and verify_every (migration 0006) are exported with their defaults.
      expect(commitments.get(c.id)).toEqual({
        keywords: [],
        verify_every: "P30D",
        ...c,
        depends_on: [...c.depends_on].sort(),
        status_changed_at: new Date(c.status_changed_at).toISOString(),
      });
    }
  });
});

describe("export", () => {
  it("round-trips: importing an export into the same database changes nothing", async () => {
    const doc = sampleDoc();
    expect((await importDoc(doc)).status).toBe(200);
    const agreement = await createAgreement({ signed_on: null, source_url: "https://example.org/a" });
    const dep = await createCommitment(agreement.id, { status: "fulfilled", evidence: [{ url: "https://example.org/e", title: "Proof" }] });
    await createCommitment(agreement.id, { depends_on: [dep.id], parties: ["Azerbaijan"], time_zone: "America/New_York", deadline: { due_at: "2026-12-01T12:00:00-05:00", grace: "PT12H" } });
    await createCommitment(agreement.id, { deadline: { within: "P3M", from: "2026-01-31" } });
    const exported = await exportDoc();
    const before = await counts();
    const res = await importDoc(exported);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual(unchangedCounts({ agreements: exported.agreements.length, commitments: exported.commitments.length }));
    expect(await counts()).toEqual(before);
    expect(await exportDoc()).toMatchObject({ agreements: exported.agreements, commitments: exported.commitments });
  });

  it("has the shape of an import document, field for field", async () => {
    const doc = sampleDoc();
    expect((await importDoc(doc)).status).toBe(200);
    const res = await call("GET", "/api/v1/export", { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const exported = await json(res);
    expect(v.safeParse(ImportDocument, exported).issues).toBeUndefined();
    expect(Object.keys(exported).sort()).toEqual(["agreements", "commitments", "exported_at", "format"]);
    const agreementKeys = Object.keys(ImportAgreement.entries).sort();
    const commitmentKeys = Object.keys(ImportCommitment.entries).filter((k) => k !== "status_note").sort();
    // in_force_on only when set: an agreement not in force exports as before it existed.
    for (const a of exported.agreements) expect(Object.keys(a).sort()).toEqual(agreementKeys.filter((k) => k !== "in_force_on" || a.in_force_on !== undefined));
    for (const c of exported.commitments) expect(Object.keys(c).sort()).toEqual(commitmentKeys);
  });

  it("never contains tokens, token hashes or secrets", async () => {
    const token = await makeToken("write");
    const tokenRow = await env.DB.prepare("SELECT token_hash FROM api_tokens WHERE id = ?").bind(token.id).first<{ token_hash: string }>();
    const agreement = await createAgreement();
    await call("POST", "/api/v1/commitments", { token: token.token, body: { agreement: agreement.id, title: "By a named token", id: uid("com") } });
    const text = await (await call("GET", "/api/v1/export")).text();
    expect(text).not.toContain(token.token);
    expect(text).not.toContain(tokenRow!.token_hash);
    expect(text).not.toContain(token.name);
    expect(text).not.toContain(ADMIN);
    expect(text).not.toMatch(/pw_[A-Za-z0-9_-]{20,}/);
    expect(text).not.toMatch(/whsec_|token_hash|tokenHash|"secret"/);
  });
});
