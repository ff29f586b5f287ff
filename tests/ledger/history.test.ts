import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findCommitment } from "../../src/ledger/commitments.repo";
import { planCommitmentWrite, stateOf } from "../../src/ledger/commitments.plan";
import { guardCondition, runBatch } from "../../src/platform/db/guard";
import { DomainError } from "../../src/lib/errors";
import { call, createAgreement, createCommitment, db, json, uid } from "../helpers";
import { agreementEventsOf, commitmentRow, counts, eventsOf, type Counts, expectError, issuePaths, outboxOf } from "./ledger.helpers";

const patch = (id: string, body: Record<string, unknown>) => call("PATCH", `/api/v1/commitments/${id}`, { body });
const status = (id: string, body: Record<string, unknown>) => call("POST", `/api/v1/commitments/${id}/status`, { body });

/** Runs `write` and returns the events it added to the commitment and the table count deltas. */
async function recording(commitmentId: string, write: () => Promise<Response>) {
  const before = await counts();
  const known = (await eventsOf(commitmentId)).length;
  const res = await write();
  const after = await counts();
  const added = (await eventsOf(commitmentId)).slice(known);
  const delta = Object.fromEntries((Object.keys(after) as Array<keyof Counts>).map((k) => [k, after[k] - before[k]]));
  return { res, added, delta };
}

async function expectOneOutboxRowPerEvent(events: Array<{ id: string }>) {
  const rows = await outboxOf(events.map((e) => e.id));
  expect(rows.map((r) => r.event_id).sort()).toEqual(events.map((e) => e.id).sort());
}

describe("history written with each change", () => {
  it("records a create as one commitment.created event with one outbox row", async () => {
    const agreement = await createAgreement();
    const id = uid("com");
    const before = await counts();
    const res = await call("POST", "/api/v1/commitments", {
      body: { id, agreement: agreement.id, title: "Open the border crossing", deadline: { due_on: "2026-12-31" } },
    });
    expect(res.status).toBe(201);
    const after = await counts();
    expect(after.commitments - before.commitments).toBe(1);
    expect(after.events - before.events).toBe(1);
    expect(after.outbox - before.outbox).toBe(1);
    expect(after.write_guards).toBe(0);
    const events = await eventsOf(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "commitment.created",
      commitment_id: id,
      agreement_id: agreement.id,
      to_value: "not_started",
      actor: "admin",
    });
    expect(JSON.parse(events[0]!.data!)).toEqual({ title: "Open the border crossing", due_on: "2026-12-31", due_at: "2026-12-31T23:59:59.999Z" });
    await expectOneOutboxRowPerEvent(events);
  });

  it("records a PATCH edit as one commitment.updated event with before and after, and bumps the version", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { title: "Old title", tags: ["a"] });
    const { res, added, delta } = await recording(c.id, () => patch(c.id, { title: "New title", tags: ["a", "b"] }));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ title: "New title", tags: ["a", "b"], version: 2 });
    expect(added.map((e) => e.type)).toEqual(["commitment.updated"]);
    expect(JSON.parse(added[0]!.data!)).toEqual({
      changed: ["title", "tags"],
      before: { title: "Old title", tags: ["a"] },
      after: { title: "New title", tags: ["a", "b"] },
    });
    expect(delta).toMatchObject({ commitments: 0, events: 1, outbox: 1, write_guards: 0 });
    await expectOneOutboxRowPerEvent(added);
  });

  it("records a deadline change with its reason and the old and new values", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { deadline: { due_on: "2026-02-08" } });
    const { res, added, delta } = await recording(c.id, () =>
      patch(c.id, { deadline: { due_on: "2026-05-08", grace: "P7D" }, reason: "extended at the May summit" }),
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ due_on: "2026-05-08", due_at: "2026-05-08T23:59:59.999Z", overdue_at: "2026-05-15T23:59:59.999Z", version: 2 });
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      type: "commitment.deadline_changed",
      from_value: "2026-02-08T23:59:59.999Z",
      to_value: "2026-05-08T23:59:59.999Z",
      note: "extended at the May summit",
    });
    expect(JSON.parse(added[0]!.data!)).toEqual({
      from: { deadline: { due_on: "2026-02-08" }, due_on: "2026-02-08", overdue_at: "2026-02-08T23:59:59.999Z" },
      to: { deadline: { due_on: "2026-05-08", grace: "P7D" }, due_on: "2026-05-08", overdue_at: "2026-05-15T23:59:59.999Z" },
    });
    expect(delta).toMatchObject({ events: 1, outbox: 1 });
    await expectOneOutboxRowPerEvent(added);
  });

  it("refuses a deadline change without a reason (400 naming reason) and changes nothing", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { deadline: { due_on: "2026-02-08" } });
    for (const body of [
      { deadline: { due_on: "2026-05-08" } },
      { deadline: { due_on: "2026-05-08" }, reason: "   " },
      { deadline: null },
      { time_zone: "Asia/Baku" },
      { title: "Also a new title", deadline: { due_on: "2026-05-08" } },
    ]) {
      const { res, added, delta } = await recording(c.id, () => patch(c.id, body));
      const error = await expectError(res, 400, "invalid_input");
      expect(issuePaths(error), JSON.stringify(body)).toEqual(["reason"]);
      expect(added).toEqual([]);
      expect(Object.values(delta).every((n) => n === 0), JSON.stringify(delta)).toBe(true);
    }
    expect(await json(call("GET", `/api/v1/commitments/${c.id}`))).toMatchObject({ due_on: "2026-02-08", title: c.title, time_zone: "UTC", version: 1 });
  });

  it("records an edit and a deadline change made together as two events in one write", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { deadline: { due_on: "2026-02-08" } });
    const { res, added, delta } = await recording(c.id, () =>
      patch(c.id, { title: "Renamed", time_zone: "Asia/Baku", reason: "moved to Baku time" }),
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ title: "Renamed", due_at: "2026-02-08T19:59:59.999Z", version: 2 });
    expect(added.map((e) => e.type)).toEqual(["commitment.updated", "commitment.deadline_changed"]);
    expect(JSON.parse(added[0]!.data!).changed).toEqual(["title", "time_zone"]);
    expect(delta).toMatchObject({ events: 2, outbox: 2 });
    await expectOneOutboxRowPerEvent(added);
  });

  it("records nothing for a PATCH that changes nothing", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { title: "Same", tags: ["x"], deadline: { due_on: "2026-02-08" } });
    const { res, added, delta } = await recording(c.id, () =>
      patch(c.id, { title: "  Same  ", tags: ["x"], deadline: { due_on: "2026-02-08" }, reason: "no-op" }),
    );
    expect(res.status).toBe(200);
    expect((await json(res)).version).toBe(1);
    expect(added).toEqual([]);
    expect(Object.values(delta).every((n) => n === 0)).toBe(true);
  });

  it("records a status change as one commitment.status_changed event with note and evidence", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id);
    const { res, added, delta } = await recording(c.id, () =>
      status(c.id, { status: "in_progress", note: "working group met" }),
    );
    expect(res.status).toBe(200);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ type: "commitment.status_changed", from_value: "not_started", to_value: "in_progress", note: "working group met", evidence_url: null, actor: "admin" });
    expect(delta).toMatchObject({ commitments: 0, events: 1, outbox: 1, write_guards: 0 });
    await expectOneOutboxRowPerEvent(added);

    const withEvidence = await recording(c.id, () =>
      status(c.id, { status: "fulfilled", evidence_url: "https://example.org/charter.pdf" }),
    );
    expect(withEvidence.res.status).toBe(200);
    const body = await json(withEvidence.res);
    expect(body.evidence).toEqual([{ url: "https://example.org/charter.pdf", title: "Evidence for 'fulfilled'" }]);
    // The evidence link travels with the status change: one event, not an extra edit.
    expect(withEvidence.added.map((e) => e.type)).toEqual(["commitment.status_changed"]);
    const statusEvents = withEvidence.added.filter((e) => e.type === "commitment.status_changed");
    expect(statusEvents).toHaveLength(1);
    expect(statusEvents[0]).toMatchObject({ from_value: "in_progress", to_value: "fulfilled", evidence_url: "https://example.org/charter.pdf" });
    expect(withEvidence.delta.events).toBe(withEvidence.added.length);
    expect(withEvidence.delta.outbox).toBe(withEvidence.added.length);
    await expectOneOutboxRowPerEvent(withEvidence.added);
  });

  it("adds no event and no outbox row for refused writes", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { status: "fulfilled" });
    const refused: Array<[() => Promise<Response>, number]> = [
      [() => status(c.id, { status: "in_progress" }), 409],
      [() => status(c.id, { status: "in_progress", occurred_at: "2999-01-01T00:00:00Z", note: "n" }), 400],
      [() => patch(c.id, { deadline: { due_on: "2026-02-08" } }), 400],
      [() => patch(c.id, { depends_on: [c.id] }), 409],
      [() => patch(c.id, { depends_on: [uid("nope")] }), 400],
      [() => patch(c.id, { title: "" }), 400],
      [() => patch(uid("missing"), { title: "x" }), 404],
      [() => call("POST", "/api/v1/commitments", { body: { id: c.id, agreement: agreement.id, title: "dup" } }), 409],
    ];
    for (const [write, code] of refused) {
      const { res, added, delta } = await recording(c.id, write);
      expect(res.status).toBe(code);
      expect(added).toEqual([]);
      expect(Object.values(delta).every((n) => n === 0), JSON.stringify(delta)).toBe(true);
    }
    expect((await json(call("GET", `/api/v1/commitments/${c.id}`))).version).toBe(1);
  });

  it("records agreement writes, and a new signing date moves each relative deadline with its own event", async () => {
    const before = await counts();
    const agreement = await createAgreement({ signed_on: "2025-08-08" });
    expect((await agreementEventsOf(agreement.id)).map((e) => e.type)).toEqual(["agreement.created"]);
    const relative = await createCommitment(agreement.id, { deadline: { within: "P6M" } });
    const fromDate = await createCommitment(agreement.id, { deadline: { within: "P6M", from: "2025-09-01" } });
    const absolute = await createCommitment(agreement.id, { deadline: { due_on: "2026-02-08" } });
    const undated = await createCommitment(agreement.id);
    const mid = await counts();
    expect(mid.events - before.events).toBe(5);
    expect(mid.outbox - before.outbox).toBe(5);

    const res = await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { signed_on: "2025-09-15", title: "Renamed" } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ signed_on: "2025-09-15", title: "Renamed", version: 2 });
    const after = await counts();
    expect(after.events - mid.events).toBe(2);
    expect(after.outbox - mid.outbox).toBe(2);
    const updated = (await agreementEventsOf(agreement.id)).at(-1)!;
    expect(updated.type).toBe("agreement.updated");
    expect(JSON.parse(updated.data!).changed).toEqual(["title", "signed_on"]);
    const moved = (await eventsOf(relative.id)).at(-1)!;
    expect(moved).toMatchObject({ type: "commitment.deadline_changed", from_value: "2026-02-08T23:59:59.999Z", to_value: "2026-03-15T23:59:59.999Z" });
    expect(moved.note).toMatch(/signing date changed from 2025-08-08 to 2025-09-15/);
    await expectOneOutboxRowPerEvent([updated, moved]);
    for (const other of [fromDate, absolute, undated]) expect(await eventsOf(other.id)).toHaveLength(1);
    expect((await json(call("GET", `/api/v1/commitments/${relative.id}`))).due_on).toBe("2026-03-15");
  });

  it("writes the actor of every event as the name of the token that made the change", async () => {
    const tokenRes = await call("POST", "/api/v1/tokens", { body: { name: uid("editor"), scope: "write" } });
    const { token, name } = await json(tokenRes);
    const agreement = await createAgreement();
    const create = await call("POST", "/api/v1/commitments", { token, body: { agreement: agreement.id, id: uid("com"), title: "By the editor" } });
    expect(create.status).toBe(201);
    const c = await json(create);
    expect((await patch(c.id, { title: "Edited by admin" })).status).toBe(200);
    expect((await call("POST", `/api/v1/commitments/${c.id}/status`, { token, body: { status: "in_progress" } })).status).toBe(200);
    expect((await eventsOf(c.id)).map((e) => e.actor)).toEqual([name, "admin", name]);
    const listed = await json(call("GET", `/api/v1/commitments/${c.id}/events`));
    expect(listed.items.map((e: { actor: string }) => e.actor)).toEqual([name, "admin", name]);
  });
});

describe("agreement writes", () => {
  it("records nothing for an agreement PATCH that changes nothing", async () => {
    const agreement = await createAgreement({ title: "Same", parties: ["A", "B"] });
    const before = await counts();
    const res = await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { title: "Same", parties: ["A", "B"] } });
    expect(res.status).toBe(200);
    expect((await json(res)).version).toBe(1);
    expect(await counts()).toEqual(before);
  });

  it("refuses a signing date that puts a relative deadline past 9999, naming the commitment, and changes nothing", async () => {
    const agreement = await createAgreement({ signed_on: "2025-08-08" });
    const relative = await createCommitment(agreement.id, { deadline: { within: "P6M" } });
    const before = await counts();
    const res = await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { signed_on: "9999-12-01" } });
    const error = await expectError(res, 400, "invalid_input");
    expect(error.error.message).toContain(relative.id);
    expect(issuePaths(error)).toEqual(["signed_on"]);
    expect(await counts()).toEqual(before);
    expect((await json(call("GET", `/api/v1/agreements/${agreement.id}`))).signed_on).toBe("2025-08-08");
  });
});

describe("concurrent writes", () => {
  it("lets concurrent edits of one commitment either commit with their event or fail with 409, never half", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id);
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        i % 2 ? patch(c.id, { title: `Title ${i}` }) : status(c.id, { status: i % 4 ? "in_progress" : "stalled" }),
      ),
    );
    const codes = responses.map((r) => r.status);
    for (const code of codes) expect([200, 409]).toContain(code);
    for (const r of responses) if (r.status === 409) expect((await r.json() as { error: { code: string } }).error.code).toBe("conflict");
    const after = await json(call("GET", `/api/v1/commitments/${c.id}`));
    const events = await eventsOf(c.id);
    expect(after.version).toBe(events.length);
    await expectOneOutboxRowPerEvent(events);
    expect(await counts().then((n) => n.write_guards)).toBe(0);
  });
});

describe("atomicity", () => {
  const ctx = () => ({ now: Date.now(), actor: "test", leadDays: [30, 7, 1] });

  it("refuses a write planned from a stale row (409 conflict) and leaves no event and no row change", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { title: "Before" });
    const stale = (await findCommitment(db(), c.id))!;
    // Another writer got there first.
    await env.DB.prepare("UPDATE commitments SET version = version + 1 WHERE id = ?").bind(c.id).run();
    const rowBefore = await commitmentRow(c.id);
    const countsBefore = await counts();
    const { statements, changed } = planCommitmentWrite(
      db(),
      stale,
      { ...stateOf(stale), title: "After", status: "in_progress", statusChangedAt: Date.now() },
      agreement.signed_on,
      {},
      ctx(),
    );
    expect(changed).toBe(true);
    const error = await runBatch(db(), statements).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("conflict");
    expect(await counts()).toEqual(countsBefore);
    expect(await commitmentRow(c.id)).toEqual(rowBefore);
    expect(await eventsOf(c.id)).toHaveLength(1);
  });

  it("rolls back rows, events and outbox rows already written when a later statement of the batch fails", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { deadline: { due_on: "2026-02-08" } });
    const row = (await findCommitment(db(), c.id))!;
    const rowBefore = await commitmentRow(c.id);
    const countsBefore = await counts();
    const { statements } = planCommitmentWrite(
      db(),
      row,
      { ...stateOf(row), title: "Renamed", deadline: { due_on: "2026-06-01" }, status: "stalled", statusChangedAt: Date.now() },
      agreement.signed_on,
      { reason: "moved", note: "stuck" },
      ctx(),
    );
    // The plan holds the guard, the row update, three events and their outbox rows; a failure
    // after all of them must undo all of them.
    expect(statements.length).toBeGreaterThanOrEqual(8);
    await expect(runBatch(db(), [...statements, guardCondition(db(), sql`1 = 0`)])).rejects.toMatchObject({ code: "conflict" });
    expect(await counts()).toEqual(countsBefore);
    expect(await commitmentRow(c.id)).toEqual(rowBefore);
    // The same plan without the failing statement commits everything together.
    await runBatch(db(), statements);
    expect((await eventsOf(c.id)).map((e) => e.type)).toEqual([
      "commitment.created",
      "commitment.updated",
      "commitment.deadline_changed",
      "commitment.status_changed",
    ]);
    const after = await counts();
    expect(after.events - countsBefore.events).toBe(3);
    expect(after.outbox - countsBefore.outbox).toBe(3);
    expect(after.write_guards).toBe(0);
  });

  it("refuses a create whose id was taken between the check and the write, writing nothing", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id);
    const row = (await findCommitment(db(), c.id))!;
    const countsBefore = await counts();
    const { statements } = planCommitmentWrite(db(), null, stateOf(row), agreement.signed_on, {}, ctx());
    await expect(runBatch(db(), statements)).rejects.toThrow();
    expect(await counts()).toEqual(countsBefore);
  });
});

describe("append-only events", () => {
  it("refuses to update or delete an event", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id);
    const [event] = await eventsOf(c.id);
    await expect(env.DB.prepare("UPDATE events SET note = 'rewritten' WHERE id = ?").bind(event!.id).run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM events WHERE id = ?").bind(event!.id).run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare("DELETE FROM events").run()).rejects.toThrow(/append-only/);
    expect(await eventsOf(c.id)).toEqual([event]);
  });
});

describe("depends_on", () => {
  it("answers 400 naming each unknown id by its path", async () => {
    const agreement = await createAgreement();
    const known = await createCommitment(agreement.id);
    const a = uid("ghost");
    const b = uid("ghost");
    const res = await call("POST", "/api/v1/commitments", { body: { agreement: agreement.id, title: "Waits", depends_on: [known.id, a, b] } });
    const body = await expectError(res, 400, "invalid_input");
    expect(issuePaths(body)).toEqual(["depends_on.1", "depends_on.2"]);
    expect(body.error.message).toContain(a);
  });

  it("answers 409 dependency_cycle for a self-dependency, on create and on PATCH", async () => {
    const agreement = await createAgreement();
    const id = uid("self");
    await expectError(await call("POST", "/api/v1/commitments", { body: { id, agreement: agreement.id, title: "Me", depends_on: [id] } }), 409, "dependency_cycle");
    const c = await createCommitment(agreement.id);
    const body = await expectError(await patch(c.id, { depends_on: [c.id] }), 409, "dependency_cycle");
    expect(issuePaths(body)).toEqual(["depends_on"]);
  });

  it("answers 409 dependency_cycle for a longer cycle and names it", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id);
    const b = await createCommitment(agreement.id, { depends_on: [a.id] });
    const c = await createCommitment(agreement.id, { depends_on: [b.id] });
    const { res, added, delta } = await recording(a.id, () => patch(a.id, { depends_on: [c.id] }));
    const body = await expectError(res, 409, "dependency_cycle");
    expect(body.error.message).toContain(`${a.id} -> ${c.id} -> ${b.id} -> ${a.id}`);
    expect(added).toEqual([]);
    expect(Object.values(delta).every((n) => n === 0)).toBe(true);
  });

  it("accepts a DAG with shared dependencies and records edge changes as edits", async () => {
    const agreement = await createAgreement();
    const root = await createCommitment(agreement.id);
    const left = await createCommitment(agreement.id, { depends_on: [root.id] });
    const right = await createCommitment(agreement.id, { depends_on: [root.id] });
    const top = await createCommitment(agreement.id, { depends_on: [right.id, left.id, root.id, left.id] });
    expect(top.depends_on).toEqual([left.id, right.id, root.id].sort());
    const { res, added } = await recording(top.id, () => patch(top.id, { depends_on: [left.id] }));
    expect(res.status).toBe(200);
    expect((await json(res)).depends_on).toEqual([left.id]);
    expect(added.map((e) => e.type)).toEqual(["commitment.updated"]);
    expect(JSON.parse(added[0]!.data!).changed).toEqual(["depends_on"]);
    const edges = await env.DB.prepare("SELECT depends_on_id FROM commitment_dependencies WHERE commitment_id = ?").bind(top.id).all();
    expect(edges.results).toEqual([{ depends_on_id: left.id }]);
    // The edge that was dropped may now point the other way.
    expect((await patch(root.id, { depends_on: [top.id] })).status).toBe(409);
    expect((await patch(right.id, { depends_on: [root.id, top.id] })).status).toBe(200);
  });

  it("accepts the maximum of 50 dependencies on create, PATCH and import", async () => {
    const agreement = await createAgreement();
    const deps: string[] = [];
    for (let i = 0; i < 50; i++) deps.push((await createCommitment(agreement.id)).id);
    const res = await call("POST", "/api/v1/commitments", { body: { id: uid("many"), agreement: agreement.id, title: "Waits on fifty", depends_on: deps } });
    expect(res.status, await res.clone().text()).toBe(201);
    const c = await json(res);
    expect(c.depends_on).toHaveLength(50);
    const other = await createCommitment(agreement.id);
    const patched = await patch(other.id, { depends_on: deps });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const imported = await call("POST", "/api/v1/import", { body: { commitments: [{ id: uid("imp-many"), agreement: agreement.id, title: "Imported, waits on fifty", depends_on: deps }] } });
    expect(imported.status, await imported.clone().text()).toBe(200);
    const tooMany = await call("POST", "/api/v1/commitments", { body: { agreement: agreement.id, title: "Waits on 51", depends_on: [...deps, c.id] } });
    expect(issuePaths(await expectError(tooMany, 400, "invalid_input"))).toEqual(["depends_on"]);
  });
});
