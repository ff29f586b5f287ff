/**
 * Deadlines tied to events (commitments.anchors.ts, agreements' in_force_on): waiting until the
 * anchor happens, resolving in the batch of the change that caused it with a
 * commitment.deadline_changed event saying why, unresolving on reopening, anchor cycles refused,
 * races refused by guards inside the batch, and the import/export of the new forms.
 */
import { describe, expect, it } from "vitest";
import { planCommitmentUpdate } from "../../src/ledger/commitments.service";
import { runBatch } from "../../src/platform/db/guard";
import { DomainError } from "../../src/lib/errors";
import { call, createAgreement, createCommitment, db, json, tableCounts } from "../helpers";
import { commitmentRow, eventsOf, expectError, outboxOf } from "./ledger.helpers";

const NOW = Date.parse("2026-06-01T00:00:00Z");
const ctx = () => ({ now: NOW, windowMs: 30 * 86_400_000, actor: "test", leadDays: [30, 7, 1], emitted: [] as string[] });

const get = async (id: string) => json(call("GET", `/api/v1/commitments/${id}`));
const deadlineEvents = async (id: string) => (await eventsOf(id)).filter((e) => e.type === "commitment.deadline_changed");

describe("a deadline after entry into force", () => {
  it("waits on entry into force, then resolves with the agreement's change and says why in its history", async () => {
    const agreement = await createAgreement({ signed_on: "2025-08-08" });
    const c = await createCommitment(agreement.id, { title: "Report to parliament", deadline: { within: "P90D", after: "entry_into_force" } });
    expect(c).toMatchObject({
      due_on: null,
      timeliness: "waiting",
      waiting_on: { anchor: "entry_into_force" },
      waiting_reason: "waiting on entry into force",
      days_left: null,
    });

    const patched = await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { in_force_on: "2026-01-01" } });
    expect(patched.status).toBe(200);
    expect((await json(patched)).in_force_on).toBe("2026-01-01");
    const resolved = await get(c.id);
    expect(resolved).toMatchObject({ due_on: "2026-04-01", waiting_on: null, waiting_reason: null });
    expect(resolved.timeliness).not.toBe("waiting");

    const [event] = await deadlineEvents(c.id);
    expect(event).toMatchObject({ to_value: "2026-04-01T23:59:59.999Z", from_value: null, note: "the agreement entered into force on 2026-01-01" });
    const data = JSON.parse(event!.data!);
    expect(data.cause).toEqual({ anchor: "entry_into_force", from: null, to: "2026-01-01" });
    expect(data.from.waiting_on).toBe("entry_into_force");
    expect(data.to.waiting_on).toBeNull();
    // Same batch: the event has its outbox row, so webhooks are guaranteed like any other.
    expect(await outboxOf([event!.id])).toHaveLength(1);
  });

  it("goes back to waiting, on record, when the entry-into-force date is cleared", async () => {
    const agreement = await createAgreement({ in_force_on: "2026-01-01" });
    const c = await createCommitment(agreement.id, { deadline: { within: "P1M", after: "entry_into_force" } });
    expect(c.due_on).toBe("2026-02-01");
    expect((await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { in_force_on: null } })).status).toBe(200);
    expect(await get(c.id)).toMatchObject({ due_on: null, timeliness: "waiting" });
    const events = await deadlineEvents(c.id);
    expect(events.map((e) => e.note)).toEqual(["the agreement's entry-into-force date changed from 2026-01-01 to none"]);
  });

  it("puts deadlines counted from signing back to waiting, on record, when the signing date is removed", async () => {
    const agreement = await createAgreement({ signed_on: "2025-08-08" });
    const c = await createCommitment(agreement.id, { deadline: { within: "P6M" } });
    expect((await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { signed_on: null } })).status).toBe(200);
    expect(await get(c.id)).toMatchObject({ due_on: null, timeliness: "waiting", waiting_reason: "waiting on signing" });
    expect((await deadlineEvents(c.id)).map((e) => e.note)).toEqual(["the agreement's signing date changed from 2025-08-08 to none"]);
  });

  it("leaves deadlines counted from signing alone when only entry into force changes", async () => {
    const agreement = await createAgreement({ signed_on: "2025-08-08" });
    const signing = await createCommitment(agreement.id, { deadline: { within: "P6M" } });
    const explicit = await createCommitment(agreement.id, { deadline: { within: "P6M", after: "signing" } });
    await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { in_force_on: "2026-01-01" } });
    expect((await get(signing.id)).due_on).toBe("2026-02-08");
    expect((await get(explicit.id)).due_on).toBe("2026-02-08");
    expect(await deadlineEvents(signing.id)).toEqual([]);
  });

  it("lists waiting commitments under ?timeliness=waiting and counts them in status.json", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { deadline: { within: "P1Y", after: "entry_into_force" } });
    const list = await json(call("GET", `/api/v1/commitments?agreement=${agreement.id}&timeliness=waiting`));
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    const none = await json(call("GET", `/api/v1/commitments?agreement=${agreement.id}&timeliness=no_deadline`));
    expect(none.items).toEqual([]);
    const status = await json(call("GET", "/status.json"));
    expect(status.counts.by_timeliness.waiting).toBeGreaterThanOrEqual(1);
  });
});

describe("a deadline after another commitment is met", () => {
  it("waits on the anchor's title, resolves when the anchor is fulfilled, and waits again when it is reopened", async () => {
    const agreement = await createAgreement();
    const anchor = await createCommitment(agreement.id, { title: "Amend the constitution", status_changed_at: "2025-08-08T00:00:00Z" });
    const c = await createCommitment(agreement.id, {
      title: "Sign the peace agreement",
      deadline: { within: "P30D", after: { commitment: anchor.id, when: "met" } },
    });
    expect(c).toMatchObject({
      timeliness: "waiting",
      waiting_on: { anchor: "commitment", commitment: anchor.id, title: "Amend the constitution" },
      waiting_reason: "waiting on: Amend the constitution",
    });

    const met = await call("POST", `/api/v1/commitments/${anchor.id}/status`, {
      body: { status: "fulfilled", occurred_at: "2026-03-01T10:00:00Z" },
    });
    expect(met.status).toBe(200);
    expect(await get(c.id)).toMatchObject({ due_on: "2026-03-31", waiting_on: null });
    const [resolved] = await deadlineEvents(c.id);
    expect(resolved!.note).toBe("'Amend the constitution' was met (fulfilled) on 2026-03-01");
    expect(JSON.parse(resolved!.data!).cause).toMatchObject({ anchor: { commitment: anchor.id, when: "met" }, status_to: "fulfilled" });

    const reopened = await call("POST", `/api/v1/commitments/${anchor.id}/status`, { body: { status: "in_progress", note: "the amendment was annulled" } });
    expect(reopened.status).toBe(200);
    expect(await get(c.id)).toMatchObject({ due_on: null, timeliness: "waiting" });
    const events = await deadlineEvents(c.id);
    expect(events).toHaveLength(2);
    expect(events[1]!.note).toBe("'Amend the constitution' is no longer met (now in progress): the deadline waits on it again");
    expect(events[1]!.to_value).toBeNull();
  });

  it("counts partially fulfilled as met, and a status change between open statuses moves nothing", async () => {
    const agreement = await createAgreement();
    const anchor = await createCommitment(agreement.id, { status_changed_at: "2025-08-08T00:00:00Z" });
    const c = await createCommitment(agreement.id, { deadline: { within: "P1M", after: { commitment: anchor.id, when: "met" } } });
    await call("POST", `/api/v1/commitments/${anchor.id}/status`, { body: { status: "in_progress", occurred_at: "2026-01-02T00:00:00Z" } });
    expect(await deadlineEvents(c.id)).toEqual([]);
    await call("POST", `/api/v1/commitments/${anchor.id}/status`, { body: { status: "partially_fulfilled", occurred_at: "2026-01-31T12:00:00Z" } });
    expect((await get(c.id)).due_on).toBe("2026-02-28");
  });

  it("resolves at once when the anchor is already met", async () => {
    const agreement = await createAgreement();
    const anchor = await createCommitment(agreement.id, { status: "fulfilled", status_changed_at: "2025-10-01T00:00:00Z" });
    const c = await createCommitment(agreement.id, { deadline: { within: "P10D", after: { commitment: anchor.id, when: "met" } } });
    expect(c).toMatchObject({ due_on: "2025-10-11", timeliness: "overdue" });
  });

  it("refuses an unknown anchor with 400 naming deadline.after.commitment, and writes nothing", async () => {
    const agreement = await createAgreement();
    const before = await tableCounts();
    const res = await call("POST", "/api/v1/commitments", {
      body: { agreement: agreement.id, title: "After nothing", deadline: { within: "P1M", after: { commitment: "no-such-commitment", when: "met" } } },
    });
    const body = await expectError(res, 400, "invalid_input");
    expect(body.error.issues?.map((i) => i.path)).toEqual(["deadline.after.commitment"]);
    expect(await tableCounts()).toEqual(before);
  });

  it("refuses 'after' with 'from', 'after' without 'within', and an unknown anchor word, naming the field", async () => {
    const agreement = await createAgreement();
    for (const deadline of [
      { within: "P1M", from: "2026-01-01", after: "signing" },
      { due_on: "2026-01-01", after: "signing" },
      { within: "P1M", after: "ratification" },
      { within: "P1M", after: { commitment: "x", when: "started" } },
    ]) {
      const body = await expectError(await call("POST", "/api/v1/commitments", { body: { agreement: agreement.id, title: "Bad", deadline } }), 400, "invalid_input");
      expect(body.error.issues?.[0]?.path, JSON.stringify(deadline)).toMatch(/^deadline/);
    }
  });

  it("refuses an anchor cycle with 409 and its path, and a commitment counting from itself", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id, { title: "A" });
    const b = await createCommitment(agreement.id, { title: "B", deadline: { within: "P1M", after: { commitment: a.id, when: "met" } } });
    const c = await createCommitment(agreement.id, { title: "C", deadline: { within: "P1M", after: { commitment: b.id, when: "met" } } });
    const before = await tableCounts();
    const res = await call("PATCH", `/api/v1/commitments/${a.id}`, {
      body: { deadline: { within: "P1M", after: { commitment: c.id, when: "met" } }, reason: "loop" },
    });
    const body = await expectError(res, 409, "anchor_cycle");
    expect(body.error.message).toContain(`${a.id} -> ${c.id} -> ${b.id} -> ${a.id}`);
    expect(body.error.issues?.[0]?.path).toBe("deadline.after.commitment");
    expect(await tableCounts()).toEqual(before);

    const self = await call("PATCH", `/api/v1/commitments/${a.id}`, {
      body: { deadline: { within: "P1M", after: { commitment: a.id, when: "met" } }, reason: "self" },
    });
    await expectError(self, 409, "anchor_cycle");
  });
});

describe("races on anchors, made deterministic", () => {
  it("refuses an anchor change planned before a concurrent one closed the loop, and stores no cycle", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id);
    const b = await createCommitment(agreement.id);
    const plan = await planCommitmentUpdate(db(), a.id, { deadline: { within: "P1M", after: { commitment: b.id, when: "met" } }, reason: "r" }, ctx());
    const other = await call("PATCH", `/api/v1/commitments/${b.id}`, { body: { deadline: { within: "P1M", after: { commitment: a.id, when: "met" } }, reason: "r" } });
    expect(other.status).toBe(200);
    const error = await runBatch(db(), plan.statements).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("conflict");
    expect((await commitmentRow(a.id))!.anchor_id).toBeNull();
  });

  it("refuses a write planned while the anchor was open once the anchor is met, so no deadline stays waiting on a met anchor", async () => {
    const agreement = await createAgreement();
    const anchor = await createCommitment(agreement.id);
    const c = await createCommitment(agreement.id);
    const plan = await planCommitmentUpdate(db(), c.id, { deadline: { within: "P1M", after: { commitment: anchor.id, when: "met" } }, reason: "r" }, ctx());
    expect((await call("POST", `/api/v1/commitments/${anchor.id}/status`, { body: { status: "fulfilled" } })).status).toBe(200);
    const error = await runBatch(db(), plan.statements).then(() => null, (e: unknown) => e);
    expect((error as DomainError).code).toBe("conflict");
    // Sent again, it resolves from the met anchor.
    const again = await call("PATCH", `/api/v1/commitments/${c.id}`, { body: { deadline: { within: "P1M", after: { commitment: anchor.id, when: "met" } }, reason: "r" } });
    expect((await json(again)).timeliness).not.toBe("waiting");
  });
});

describe("import and export of anchored deadlines", () => {
  it("imports a chain anchored within the document, resolves it from the document's states, and round-trips", async () => {
    const agr = `imp-anchor-${Date.now().toString(36)}`;
    const doc = {
      format: "pledgewatch/v1",
      agreements: [{ id: agr, title: "Treaty", kind: "treaty", signed_on: "2025-08-08", in_force_on: "2026-01-01", parties: ["A"] }],
      commitments: [
        { id: `${agr}-b`, agreement: agr, title: "B", deadline: { within: "P1M", after: { commitment: `${agr}-a`, when: "met" } } },
        { id: `${agr}-a`, agreement: agr, title: "A", status: "fulfilled", status_changed_at: "2026-02-01T00:00:00Z" },
        { id: `${agr}-c`, agreement: agr, title: "C", deadline: { within: "P90D", after: "entry_into_force" } },
      ],
    };
    const res = await call("POST", "/api/v1/import", { body: doc });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await get(`${agr}-b`)).due_on).toBe("2026-03-01");
    expect((await get(`${agr}-c`)).due_on).toBe("2026-04-01");
    const exported = await json(call("GET", "/api/v1/export"));
    const a = exported.agreements.find((x: { id: string }) => x.id === agr);
    expect(a.in_force_on).toBe("2026-01-01");
    const b = exported.commitments.find((x: { id: string }) => x.id === `${agr}-b`);
    expect(b.deadline).toEqual({ within: "P1M", after: { commitment: `${agr}-a`, when: "met" } });
    const again = await json(call("POST", "/api/v1/import", { body: { agreements: [a], commitments: exported.commitments.filter((x: { agreement: string }) => x.agreement === agr) } }));
    expect(again.commitments).toEqual({ created: 0, updated: 0, unchanged: 3 });
  });

  it("exports an agreement without entry into force exactly as before (no in_force_on key)", async () => {
    const agreement = await createAgreement();
    const exported = await json(call("GET", "/api/v1/export"));
    expect(Object.keys(exported.agreements.find((x: { id: string }) => x.id === agreement.id))).toEqual([
      "id", "title", "kind", "signed_on", "parties", "source_url", "summary",
    ]);
  });

  it("refuses an anchor cycle inside a document with 409 naming the record, and writes nothing", async () => {
    const agr = `imp-loop-${Date.now().toString(36)}`;
    const before = await tableCounts();
    const res = await call("POST", "/api/v1/import", {
      body: {
        agreements: [{ id: agr, title: "Loop", kind: "treaty", signed_on: "2025-08-08" }],
        commitments: [
          { id: `${agr}-x`, agreement: agr, title: "X", deadline: { within: "P1M", after: { commitment: `${agr}-y`, when: "met" } } },
          { id: `${agr}-y`, agreement: agr, title: "Y", deadline: { within: "P1M", after: { commitment: `${agr}-x`, when: "met" } } },
        ],
      },
    });
    const body = await expectError(res, 409, "anchor_cycle");
    expect(body.error.issues?.[0]?.path).toBe("commitments.0.deadline.after.commitment");
    expect(await tableCounts()).toEqual(before);
  });

  it("moves a stored deadline when an import meets its anchor, in the import's batch", async () => {
    const agreement = await createAgreement();
    const anchor = await createCommitment(agreement.id, { title: "Anchor" });
    const c = await createCommitment(agreement.id, { deadline: { within: "P7D", after: { commitment: anchor.id, when: "met" } } });
    const exported = await json(call("GET", "/api/v1/export"));
    const a = exported.commitments.find((x: { id: string }) => x.id === anchor.id);
    const res = await call("POST", "/api/v1/import", { body: { commitments: [{ ...a, status: "fulfilled", status_changed_at: "2026-05-01T00:00:00Z" }] } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await get(c.id)).due_on).toBe("2026-05-08");
  });
});
