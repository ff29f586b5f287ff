import { env } from "cloudflare:workers";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { findAgreement } from "../../src/ledger/agreements.repo";
import { findCommitment } from "../../src/ledger/commitments.repo";
import { changeStatus } from "../../src/ledger/commitments.service";
import { buildPayload, MAX_PAYLOAD_BYTES } from "../../src/alerts/payload";
import type { EventRow } from "../../src/ledger/history/events.table";
import { WebhookPayload } from "../../src/readside/openapi/openapi.views";
import { call, db, json } from "../helpers";
import { makeAgreement, makeCommitment, writeCtx } from "./alerts.helpers";

const T0 = Date.parse("2026-06-01T00:00:00Z");

async function eventsOf(commitmentId: string) {
  return (await env.DB.prepare("SELECT * FROM events WHERE commitment_id = ? ORDER BY seq").bind(commitmentId).all()).results;
}

function toRow(r: Record<string, any>): EventRow {
  return {
    seq: r.seq,
    id: r.id,
    type: r.type,
    commitmentId: r.commitment_id,
    agreementId: r.agreement_id,
    fromValue: r.from_value,
    toValue: r.to_value,
    note: r.note,
    evidenceUrl: r.evidence_url,
    actor: r.actor,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    data: r.data ? JSON.parse(r.data) : null,
    dedupeKey: r.dedupe_key,
  };
}

describe("webhook payloads", () => {
  it("match the WebhookPayload schema published in /openapi.json and stay under 20 KB", async () => {
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0, {
      description: "x".repeat(10_000),
      evidence: Array.from({ length: 50 }, (_, i) => ({ url: `https://example.org/${"e".repeat(1500)}/${i}`, title: "t".repeat(300) })),
      deadline: { due_on: "2026-07-01" },
    });
    await changeStatus(db(), c.id, { status: "in_progress", note: "n".repeat(2000) }, writeCtx(T0 + 1));
    const row = (await findCommitment(db(), c.id))!;
    const agr = (await findAgreement(db(), agreement.id))!;
    for (const e of await eventsOf(c.id)) {
      const body = buildPayload({ event: toRow(e), commitment: row, agreement: agr, base: "https://pw.example" }, { now: T0 + 2, windowMs: 30 * 86_400_000 });
      expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      const parsed = v.safeParse(WebhookPayload, JSON.parse(body));
      expect(parsed.success, JSON.stringify(parsed.issues?.[0])).toBe(true);
    }
  });

  it("are described under webhooks in the OpenAPI document, one per event type", async () => {
    const doc = await json(call("GET", "/openapi.json", { token: null }));
    expect(Object.keys(doc.webhooks)).toContain("commitment.overdue");
    expect(doc.webhooks["commitment.overdue"].post.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/WebhookPayload");
    expect(doc.components.schemas.WebhookPayload).toBeDefined();
  });
});
