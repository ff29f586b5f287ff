/**
 * Concurrent writes against the real worker under `wrangler dev`: requests sent at the same
 * moment from Node, so their reads and their D1 batches interleave inside workerd. Each case is
 * a bounded loop of rounds; the promise under test is what the ledger holds afterwards (no
 * stored cycle, deadlines from the final signing date, never a 5xx), not how often a race is won.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerHandle } from "./harness";

let worker: WorkerHandle;

beforeAll(async () => {
  worker = await startWorker();
});

afterAll(async () => {
  await worker?.stop();
});

let counter = 0;
const uid = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

async function agreement(signedOn: string | null = "2026-01-15") {
  const id = uid("conc-agr");
  const res = await worker.api("POST", "/api/v1/agreements", { id, title: `Agreement ${id}`, kind: "agreement", signed_on: signedOn });
  expect(res.status).toBe(201);
  return id;
}

async function commitment(agreementId: string, extra: Record<string, unknown> = {}) {
  const id = uid("conc-com");
  const res = await worker.api("POST", "/api/v1/commitments", { id, agreement: agreementId, title: `Commitment ${id}`, ...extra });
  expect(res.status).toBe(201);
  return id;
}

/** Every stored depends-on edge, from the export. */
async function storedEdges(): Promise<Map<string, string[]>> {
  const res = await worker.api("GET", "/api/v1/export");
  expect(res.status).toBe(200);
  return new Map((res.body.commitments as Array<{ id: string; depends_on: string[] }>).map((c) => [c.id, c.depends_on]));
}

describe("concurrent writes", () => {
  it("never stores a dependency cycle from two simultaneous PATCHes, and the export still imports", async () => {
    const agr = await agreement();
    const outcomes: number[][] = [];
    for (let round = 0; round < 20; round++) {
      const a = await commitment(agr);
      const b = await commitment(agr);
      const [ra, rb] = await Promise.all([
        worker.api("PATCH", `/api/v1/commitments/${a}`, { depends_on: [b] }),
        worker.api("PATCH", `/api/v1/commitments/${b}`, { depends_on: [a] }),
      ]);
      outcomes.push([ra.status, rb.status]);
      // One wins; the other is refused as a cycle (or as a conflict, never a 5xx).
      expect([ra.status, rb.status].filter((s) => s === 200)).toHaveLength(1);
      const refused = ra.status === 200 ? rb : ra;
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe("dependency_cycle");
      const edges = await storedEdges();
      expect(edges.get(a)!.includes(b) && edges.get(b)!.includes(a)).toBe(false);
    }
    const exported = await worker.api("GET", "/api/v1/export");
    const imported = await worker.api("POST", "/api/v1/import", exported.body);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.commitments.created + imported.body.commitments.updated).toBe(0);
  });

  it("gives a commitment created while its agreement's signing date changes the deadline from the final date", async () => {
    for (let round = 0; round < 10; round++) {
      const agr = await agreement("2026-01-15");
      const id = uid("conc-rel");
      const [created, moved] = await Promise.all([
        worker.api("POST", "/api/v1/commitments", { id, agreement: agr, title: "Relative to signing", deadline: { within: "P1M" } }),
        worker.api("PATCH", `/api/v1/agreements/${agr}`, { signed_on: "2026-03-10" }),
      ]);
      // Either may be refused as a conflict (409, to retry); whatever both left stored must agree.
      expect([200, 409]).toContain(moved.status);
      expect([201, 409]).toContain(created.status);
      expect(moved.status === 200 || created.status === 201).toBe(true);
      const signedOn = (await worker.api("GET", `/api/v1/agreements/${agr}`)).body.signed_on;
      expect(signedOn).toBe(moved.status === 200 ? "2026-03-10" : "2026-01-15");
      const stored = await worker.api("GET", `/api/v1/commitments/${id}`);
      if (created.status === 409) {
        expect(stored.status).toBe(404);
        continue;
      }
      expect(stored.body.due_on).toBe(signedOn === "2026-03-10" ? "2026-04-10" : "2026-02-15");
    }
  });

  it("answers 16 simultaneous imports of the same new ids without a 5xx, and stores each record once", async () => {
    for (let round = 0; round < 5; round++) {
      const agr = uid("conc-imp-agr");
      const doc = {
        format: "pledgewatch/v1",
        agreements: [{ id: agr, title: "Imported at once", kind: "agreement", signed_on: "2026-02-01" }],
        commitments: Array.from({ length: 20 }, (_, k) => ({
          id: `${agr}-${k}`,
          agreement: agr,
          title: `Record ${k}`,
          deadline: { within: `P${k + 1}M` },
          depends_on: k > 0 ? [`${agr}-${k - 1}`] : [],
        })),
      };
      const answers = await Promise.all(Array.from({ length: 16 }, () => worker.api("POST", "/api/v1/import", doc)));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500), JSON.stringify(answers.find((r) => r.status >= 500)?.body)).toEqual([]);
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
      expect(answers.filter((r) => r.status === 200 && r.body.agreements.created === 1)).toHaveLength(1);
      for (const r of answers.filter((r) => r.status === 409)) expect(r.body.error.code).toMatch(/^(conflict|duplicate_id)$/);
      const stored = await worker.api("GET", `/api/v1/agreements/${agr}`);
      expect(stored.body.commitments).toHaveLength(20);
    }
  });

  it("answers simultaneous creates of the same agreement and commitment id with one 201 and 409s", async () => {
    const agr = uid("conc-dup-agr");
    const agreements = await Promise.all(
      Array.from({ length: 8 }, () => worker.api("POST", "/api/v1/agreements", { id: agr, title: "Twice", kind: "agreement" })),
    );
    expect(agreements.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(409)]);
    const id = uid("conc-dup-com");
    const commitments = await Promise.all(
      Array.from({ length: 8 }, () => worker.api("POST", "/api/v1/commitments", { id, agreement: agr, title: "Twice" })),
    );
    expect(commitments.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(409)]);
    expect(worker.log.filter((line) => /UNIQUE constraint failed/.test(line))).toEqual([]);
  });
});
