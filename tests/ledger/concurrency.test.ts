/**
 * Races made deterministic: a write is planned (its reads done, its batch built), another write
 * commits, then the first batch runs. The guards inside the batch must refuse it. The same races
 * with real simultaneous requests are in e2e/faults.concurrency.test.ts.
 */
import { describe, expect, it } from "vitest";
import { findAgreement } from "../../src/ledger/agreements.repo";
import { agreementStateFromInput, planAgreementWrite } from "../../src/ledger/agreements.service";
import { findCycleFrom } from "../../src/ledger/commitments.graph";
import { findCommitment } from "../../src/ledger/commitments.repo";
import { planCommitmentUpdate, planCreateCommitment, runCreate } from "../../src/ledger/commitments.service";
import { runBatch } from "../../src/platform/db/guard";
import { DomainError } from "../../src/lib/errors";
import { planImport, runImport } from "../../src/ledger/transfer/transfer.service";
import type { ImportDocumentInput } from "../../src/ledger/transfer/transfer.schemas";
import { call, createAgreement, createCommitment, db, json, tableCounts, uid } from "../helpers";
import { expectError } from "./ledger.helpers";

const NOW = Date.parse("2026-06-01T00:00:00Z");
const ctx = () => ({ now: NOW, windowMs: 14 * 86_400_000, actor: "test", leadDays: [14], emitted: [] as string[] });

async function refusedAs(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return (error as DomainError).code;
}

describe("a batch planned against stale state", () => {
  it("refuses a depends-on change when a concurrent edge now closes a cycle, and stores no cycle", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id);
    const b = await createCommitment(agreement.id);
    const plan = await planCommitmentUpdate(db(), a.id, { depends_on: [b.id] }, ctx());
    expect((await call("PATCH", `/api/v1/commitments/${b.id}`, { body: { depends_on: [a.id] } })).status).toBe(200);
    const before = await tableCounts();
    expect(await refusedAs(runBatch(db(), plan.statements))).toBe("conflict");
    expect(await tableCounts()).toEqual(before);
    expect((await json(call("GET", `/api/v1/commitments/${a.id}`))).depends_on).toEqual([]);
  });



  it("refuses a create planned before the agreement's signing date changed, and a new attempt uses the new date", async () => {
    const agreement = await createAgreement({ signed_on: "2026-01-15" });
    const id = uid("race-create");
    const input = { id, agreement: agreement.id, title: "Counts from signing", deadline: { within: "P1M" } };
    const plan = await planCreateCommitment(db(), input, ctx());
    expect((await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { signed_on: "2026-03-10" } })).status).toBe(200);
    expect(await refusedAs(runCreate(db(), plan))).toBe("conflict");
    expect(await findCommitment(db(), id)).toBeNull();
    const created = await call("POST", "/api/v1/commitments", { body: input });
    expect(created.status).toBe(201);
    expect((await json(created)).due_on).toBe("2026-04-10");
  });

  it("refuses a signing-date change planned before a commitment counting from it was created", async () => {
    const agreement = await createAgreement({ signed_on: "2026-01-15" });
    const existing = (await findAgreement(db(), agreement.id))!;
    const next = { ...agreementStateFromInput({ ...agreement, kind: agreement.kind }, agreement.id), signedOn: "2026-03-10" };
    const plan = await planAgreementWrite(db(), existing, next, ctx());
    const c = await createCommitment(agreement.id, { deadline: { within: "P1M" } });
    expect(await refusedAs(runBatch(db(), plan.statements))).toBe("conflict");
    expect((await findAgreement(db(), agreement.id))!.signedOn).toBe("2026-01-15");
    expect((await json(call("GET", `/api/v1/commitments/${c.id}`))).due_on).toBe("2026-02-15");
  });

  it("refuses an import planned before the signing date of a stored agreement its deadlines count from changed", async () => {
    const agreement = await createAgreement({ signed_on: "2026-01-15" });
    const id = uid("race-import");
    const doc = { commitments: [{ id, agreement: agreement.id, title: "Imported", deadline: { within: "P1M" } }] } as ImportDocumentInput;
    const plan = await planImport(db(), doc, ctx());
    expect((await call("PATCH", `/api/v1/agreements/${agreement.id}`, { body: { signed_on: "2026-03-10" } })).status).toBe(200);
    expect(await refusedAs(runImport(db(), plan.statements))).toBe("conflict");
    expect(await findCommitment(db(), id)).toBeNull();
  });

  it("refuses an import rewriting stored edges when a commitment its cycle check read changed meanwhile", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id);
    const b = await createCommitment(agreement.id);
    const doc = { commitments: [{ id: a.id, agreement: agreement.id, title: a.title, depends_on: [b.id] }] } as ImportDocumentInput;
    const plan = await planImport(db(), doc, ctx());
    expect((await call("PATCH", `/api/v1/commitments/${b.id}`, { body: { depends_on: [a.id] } })).status).toBe(200);
    expect(await refusedAs(runImport(db(), plan.statements))).toBe("conflict");
    expect((await json(call("GET", `/api/v1/commitments/${a.id}`))).depends_on).toEqual([]);
    await expectError(await call("POST", "/api/v1/import", { body: doc }), 409, "dependency_cycle");
  });

  it("answers a conflict, not an internal error, when another request created an import's new id first", async () => {
    const agreementId = uid("race-new");
    const doc = { agreements: [{ id: agreementId, title: "New", kind: "agreement" }] } as ImportDocumentInput;
    const plan = await planImport(db(), doc, ctx());
    await createAgreement({ id: agreementId });
    const before = await tableCounts();
    expect(await refusedAs(runImport(db(), plan.statements))).toBe("conflict");
    expect(await tableCounts()).toEqual(before);
    // Planned again, the same document finds the record and changes only what differs.
    const again = await call("POST", "/api/v1/import", { body: doc });
    expect(again.status).toBe(200);
  });
});

describe("the import's cycle check", () => {
  it("imports a chain of 1,000 commitments each depending on the 50 before it, and then rewrites every edge", async () => {
    const agreement = await createAgreement();
    const ids = Array.from({ length: 1000 }, (_, k) => `${agreement.id}-c${k}`);
    const doc = {
      commitments: ids.map((id, k) => ({ id, agreement: agreement.id, title: `Step ${k}`, depends_on: ids.slice(Math.max(0, k - 50), k) })),
    };
    const res = await call("POST", "/api/v1/import", { body: doc });
    expect(res.status).toBe(200);
    expect((await json(res)).commitments.created).toBe(1000);
    expect((await json(call("GET", `/api/v1/commitments/${ids[999]}`))).depends_on).toHaveLength(50);
    // Rewriting every stored edge takes the graph guard (one statement), not a check per record.
    const rewritten = { commitments: doc.commitments.map((c) => ({ ...c, depends_on: c.depends_on.slice(1) })) };
    const again = await call("POST", "/api/v1/import", { body: rewritten });
    expect(again.status).toBe(200);
    expect((await json(again)).commitments.updated).toBe(999);
    expect((await json(call("GET", `/api/v1/commitments/${ids[999]}`))).depends_on).toHaveLength(49);
  }, 60_000);

  it("refuses a cycle closed through stored edges, named from the document's record on it", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id);
    const b = await createCommitment(agreement.id, { depends_on: [a.id] });
    const c = await createCommitment(agreement.id, { depends_on: [b.id] });
    const doc = { commitments: [{ id: a.id, agreement: agreement.id, title: a.title, depends_on: [c.id] }] };
    const body = await expectError(await call("POST", "/api/v1/import", { body: doc }), 409, "dependency_cycle");
    expect(body.error.message).toContain(`commitments.0 (id '${a.id}')`);
    expect(body.error.message).toContain(`${a.id} -> ${c.id} -> ${b.id} -> ${a.id}`);
    expect(body.error.issues).toEqual([{ path: "commitments.0.depends_on", message: `cycle: ${a.id} -> ${c.id} -> ${b.id} -> ${a.id}` }]);
  });

  it("finds a cycle reachable from the roots and none in a DAG with shared dependencies", () => {
    const dag = new Map([
      ["a", ["b", "c"]],
      ["b", ["d"]],
      ["c", ["d"]],
    ]);
    expect(findCycleFrom(dag, ["a"])).toBeNull();
    const cyclic = new Map([...dag, ["d", ["e"]], ["e", ["b"]]]);
    expect(findCycleFrom(cyclic, ["a"])).toEqual(["b", "d", "e", "b"]);
    expect(findCycleFrom(new Map([["x", ["x"]]]), ["x"])).toEqual(["x", "x"]);
  });
});
