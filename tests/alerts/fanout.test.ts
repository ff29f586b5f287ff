import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fanOut } from "../../src/alerts/fanout";
import { db } from "../helpers";
import { makeAgreement, makeCommitment, makeSubscription, recordingQueue } from "./alerts.helpers";

const T0 = Date.parse("2026-04-01T00:00:00Z");

async function createdEvent(commitmentId: string) {
  const row = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ? AND type = 'commitment.created'").bind(commitmentId).first<{ id: string }>();
  return row!.id;
}

async function receivers(eventId: string) {
  const rows = await env.DB.prepare("SELECT subscription_id FROM deliveries WHERE event_id = ?").bind(eventId).all<{ subscription_id: string }>();
  return new Set(rows.results.map((r) => r.subscription_id));
}

describe("fan-out", () => {
  it("matches filters ANDed across kinds and ORed within a kind", async () => {
    const agreement = await makeAgreement(T0, { parties: ["Azerbaijan", "Armenia"] });
    const otherAgreement = await makeAgreement(T0);
    const subs = {
      all: await makeSubscription(T0),
      created: await makeSubscription(T0, { event_types: ["commitment.created", "commitment.overdue"] }),
      statusOnly: await makeSubscription(T0, { event_types: ["commitment.status_changed"] }),
      byAgreement: await makeSubscription(T0, { agreements: [agreement.id] }),
      otherAgreement: await makeSubscription(T0, { agreements: [otherAgreement.id] }),
      byTag: await makeSubscription(T0, { tags: ["transit", "energy"] }),
      wrongTag: await makeSubscription(T0, { tags: ["defense"] }),
      byParty: await makeSubscription(T0, { parties: ["armenia"] }),
      andMiss: await makeSubscription(T0, { tags: ["energy"], agreements: [otherAgreement.id] }),
      andHit: await makeSubscription(T0, { tags: ["energy"], agreements: [agreement.id], event_types: ["commitment.created"] }),
    };
    const c = await makeCommitment(agreement.id, T0 + 1000, { tags: ["energy"], parties: ["Armenia"] });
    const eventId = await createdEvent(c.id);
    const byCommitment = await makeSubscription(T0 + 500, { commitments: [c.id] });
    await fanOut(db(), recordingQueue(), [eventId], T0 + 2000);
    const got = await receivers(eventId);
    const expected = [subs.all, subs.created, subs.byAgreement, subs.byTag, subs.byParty, subs.andHit, byCommitment].map((s) => s.id);
    const refused = [subs.statusOnly, subs.otherAgreement, subs.wrongTag, subs.andMiss].map((s) => s.id);
    for (const id of expected) expect(got.has(id), id).toBe(true);
    for (const id of refused) expect(got.has(id), id).toBe(false);
  });

  it("creates exactly one delivery per event and subscription however often it runs", async () => {
    const sub = await makeSubscription(T0);
    const agreement = await makeAgreement(T0 + 1);
    const c = await makeCommitment(agreement.id, T0 + 1);
    const eventId = await createdEvent(c.id);
    const queue = recordingQueue();
    await fanOut(db(), queue, [eventId], T0 + 2);
    await fanOut(db(), queue, [eventId], T0 + 3);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM deliveries WHERE event_id = ? AND subscription_id = ?").bind(eventId, sub.id).first<{ n: number }>();
    expect(n!.n).toBe(1);
    const outbox = await env.DB.prepare("SELECT state FROM outbox WHERE event_id = ?").bind(eventId).first<{ state: string }>();
    expect(outbox!.state).toBe("done");
    expect(queue.messages.every((m) => m.body.kind === "deliver")).toBe(true);
  });

  it("skips subscriptions created after the event and paused ones", async () => {
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0);
    const eventId = await createdEvent(c.id);
    const late = await makeSubscription(T0 + 60_000);
    const paused = await makeSubscription(T0 - 1);
    await env.DB.prepare("UPDATE subscriptions SET state = 'paused' WHERE id = ?").bind(paused.id).run();
    await fanOut(db(), recordingQueue(), [eventId], T0 + 70_000);
    const got = await receivers(eventId);
    expect(got.has(late.id)).toBe(false);
    expect(got.has(paused.id)).toBe(false);
  });
});
