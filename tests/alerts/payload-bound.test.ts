import { env } from "cloudflare:workers";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { findAgreement } from "../../src/ledger/agreements.repo";
import { findCommitment } from "../../src/ledger/commitments.repo";
import { changeStatus, updateCommitment } from "../../src/ledger/commitments.service";
import { buildPayload, MAX_PAYLOAD_BYTES } from "../../src/alerts/payload";
import type { EventRow } from "../../src/ledger/history/events.table";
import { WebhookPayload } from "../../src/readside/openapi/openapi.views";
import { db } from "../helpers";
import { makeAgreement, makeCommitment, writeCtx } from "./alerts.helpers";

const T0 = Date.parse("2026-06-01T00:00:00Z");
const bytes = (s: string) => new TextEncoder().encode(s).length;
/** Three UTF-8 bytes per UTF-16 unit: the most bytes a field of n characters can hold. */
const wide = (n: number, i: number | string = "") => `${i}`.padEnd(n, "€");
const longSlug = (prefix: string, i: number) => `${prefix}-${i}-${"x".repeat(60)}`.slice(0, 80).replace(/-$/, "x");

function toRow(r: Record<string, any>): EventRow {
  return {
    seq: r.seq, id: r.id, type: r.type, commitmentId: r.commitment_id, agreementId: r.agreement_id,
    fromValue: r.from_value, toValue: r.to_value, note: r.note, evidenceUrl: r.evidence_url, actor: r.actor,
    occurredAt: r.occurred_at, recordedAt: r.recorded_at, data: r.data ? JSON.parse(r.data) : null, dedupeKey: r.dedupe_key,
  };
}

describe("webhook payload size", () => {
  it("stays within 20 KB and the published schema for the largest commitment the API accepts", async () => {
    const agreement = await makeAgreement(T0, {
      id: longSlug("agr", 0),
      title: wide(300),
      summary: wide(10_000),
      parties: Array.from({ length: 50 }, (_, i) => wide(200, i)),
    });
    const deps: string[] = [];
    for (let i = 0; i < 50; i++) deps.push((await makeCommitment(agreement.id, T0, { id: longSlug("dep", i) })).id);
    const evidence = Array.from({ length: 50 }, (_, i) => ({ url: `https://example.org/${i}/${"e".repeat(2000)}`, title: wide(300, i) }));
    const c = await makeCommitment(agreement.id, T0, {
      id: longSlug("big", 0),
      title: wide(300),
      description: wide(10_000),
      parties: Array.from({ length: 50 }, (_, i) => wide(200, i)),
      tags: Array.from({ length: 30 }, (_, i) => `t${i}-${"g".repeat(30)}`),
      evidence,
      depends_on: deps,
      deadline: { due_on: "2026-07-01" },
    });
    await updateCommitment(
      db(),
      c.id,
      { parties: Array.from({ length: 50 }, (_, i) => wide(200, `p${i}`)), evidence: evidence.slice().reverse(), title: wide(300, "new") },
      writeCtx(T0 + 1),
    );
    await changeStatus(db(), c.id, { status: "in_progress", note: wide(2000), evidence_url: `https://example.org/${"n".repeat(2000)}` }, writeCtx(T0 + 2));

    const row = (await findCommitment(db(), c.id))!;
    const agr = (await findAgreement(db(), agreement.id))!;
    const events = (await env.DB.prepare("SELECT * FROM events WHERE commitment_id = ? ORDER BY seq").bind(c.id).all()).results;
    expect(events.map((e) => e.type)).toEqual(["commitment.created", "commitment.updated", "commitment.status_changed"]);
    for (const e of events) {
      const body = buildPayload({ event: toRow(e), commitment: row, agreement: agr, base: "https://pledgewatch.example.org" }, { now: T0 + 3, windowMs: 30 * 86_400_000 });
      expect(bytes(body), `${e.type}: ${bytes(body)} bytes`).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      const parsed = v.safeParse(WebhookPayload, JSON.parse(body));
      expect(parsed.success, JSON.stringify(parsed.issues?.[0])).toBe(true);
      const payload = JSON.parse(body);
      // What was left out is named, and the links lead to the whole record.
      expect(payload.data.truncated.length).toBeGreaterThan(0);
      expect(payload.data.links.commitment).toBe(`https://pledgewatch.example.org/api/v1/commitments/${c.id}`);
      expect(payload.data.commitment.id).toBe(c.id);
      expect([...payload.data.commitment.depends_on].sort()).toEqual([...deps].sort());
    }
  });
});
