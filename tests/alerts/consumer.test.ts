import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleQueueBatch } from "../../src/alerts/consumer";
import { deliver, MAX_CONCURRENCY } from "../../src/alerts/deliver";
import { fanOut } from "../../src/alerts/fanout";
import worker from "../../src/index";
import { db } from "../helpers";
import { deliverDeps, fakeFetch, makeAgreement, makeCommitment, makeSubscription, recordingQueue } from "./alerts.helpers";

const T0 = Date.parse("2026-05-01T00:00:00Z");

describe("the queue consumer", () => {
  it("records messages from the dead-letter queue instead of dropping them", async () => {
    const batch = createMessageBatch("pledgewatch-deliveries-dlq", [
      { id: "msg-dead-1", timestamp: new Date(T0), attempts: 11, body: { kind: "fanout", eventIds: ["evt_x"] } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["msg-dead-1"]);
    const row = await env.DB.prepare("SELECT * FROM dead_letters WHERE message_id = 'msg-dead-1'").first<any>();
    expect(row.queue).toBe("pledgewatch-deliveries-dlq");
    expect(JSON.parse(row.body)).toEqual({ kind: "fanout", eventIds: ["evt_x"] });
    expect(row.attempts).toBe(11);
  });

  it("keeps a body it cannot read for a human and acks it", async () => {
    const batch = createMessageBatch("pledgewatch-deliveries", [
      { id: "msg-odd-1", timestamp: new Date(T0), attempts: 1, body: { kind: "teleport", to: "mars" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["msg-odd-1"]);
    expect(await env.DB.prepare("SELECT 1 FROM dead_letters WHERE message_id = 'msg-odd-1'").first()).not.toBeNull();
  });

  it("acks a handled message and retries one whose handling threw", async () => {
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0);
    const event = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ?").bind(c.id).first<{ id: string }>();
    const batch = createMessageBatch("pledgewatch-deliveries", [
      { id: "msg-ok", timestamp: new Date(T0), attempts: 1, body: { kind: "fanout", eventIds: [event!.id] } },
      { id: "msg-bad", timestamp: new Date(T0), attempts: 2, body: { kind: "deliver", deliveryIds: ["dlv_x"] } },
    ]);
    const failingDb = new Proxy(db(), {
      get(target, prop, receiver) {
        if (prop === "all") {
          return (q: any) => {
            if (JSON.stringify(q).includes("dlv_x")) throw new Error("D1 is unavailable");
            return target.all(q);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const queue = recordingQueue();
    const { fetch } = fakeFetch(() => new Response("ok"));
    await handleQueueBatch(batch, { ...deliverDeps(fetch, queue, () => T0), db: failingDb });
    const ctx = createExecutionContext();
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["msg-ok"]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-bad"]);
    expect((await env.DB.prepare("SELECT state FROM outbox WHERE event_id = ?").bind(event!.id).first<any>()).state).toBe("done");
  });

  it("never has more than 6 requests in flight", async () => {
    for (let i = 0; i < 20; i++) await makeSubscription(T0 - 1000);
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0);
    const event = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ?").bind(c.id).first<{ id: string }>();
    await fanOut(db(), recordingQueue(), [event!.id], T0);
    const ids = (await env.DB.prepare("SELECT id FROM deliveries WHERE event_id = ?").bind(event!.id).all<{ id: string }>()).results.map((r) => r.id);
    expect(ids.length).toBeGreaterThanOrEqual(20);
    let inFlight = 0;
    let peak = 0;
    const { fetch } = fakeFetch(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return new Response("ok");
    });
    const result = await deliver(deliverDeps(fetch, recordingQueue(), () => T0), ids);
    expect(result.succeeded).toBe(ids.length);
    expect(peak).toBeLessThanOrEqual(MAX_CONCURRENCY);
    expect(peak).toBeGreaterThan(1);
  });
});
