/**
 * The delivery pipeline's speed mechanics, each shown to keep the guarantees: outcomes recorded
 * set-based while requests are in flight, the per-invocation budget, the send window, and a
 * failed write that stops sending and acknowledges nothing.
 */
import { env } from "cloudflare:workers";
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleQueueBatch } from "../../src/alerts/consumer";
import { deliver, SEND_WINDOW_MS } from "../../src/alerts/deliver";
import { fanOut } from "../../src/alerts/fanout";
import { FLUSH_AT } from "../../src/alerts/outcomes";
import { createDb } from "../../src/platform/db/client";
import { countQueries } from "../../src/platform/db/counting";
import { db } from "../helpers";
import { deliverDeps, fakeFetch, makeAgreement, makeCommitment, makeSubscription, recordingQueue } from "./alerts.helpers";

const T0 = Date.parse("2026-06-01T00:00:00Z");

/** `n` subscriptions that each have one pending delivery of one new event; returns the delivery ids. */
async function deliveriesFor(n: number, now = T0): Promise<string[]> {
  const subs = [];
  for (let i = 0; i < n; i++) subs.push(await makeSubscription(now - 1000, { url: `https://hooks.example.com/r${i}` }));
  const agreement = await makeAgreement(now);
  const c = await makeCommitment(agreement.id, now);
  const event = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ?").bind(c.id).first<{ id: string }>();
  await fanOut(db(), recordingQueue(), [event!.id], now);
  const rows = await env.DB.prepare(
    `SELECT id FROM deliveries WHERE event_id = ? AND subscription_id IN (SELECT value FROM json_each(?)) ORDER BY subscription_id`,
  )
    .bind(event!.id, JSON.stringify(subs.map((s) => s.id)))
    .all<{ id: string }>();
  return rows.results.map((r) => r.id);
}

const attemptCount = async (ids: string[]) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(ids))
    .first<{ n: number }>())!.n;

describe("the delivery pipeline", () => {
  it("records 120 mixed outcomes in a few statements, each row as the per-delivery path would have written it", async () => {
    const ids = await deliveriesFor(120);
    const counter = countQueries(env.DB);
    // Every third receiver fails with 500, every seventh answers 204, the rest 200.
    const { fetch } = fakeFetch((call) => {
      const i = Number(/r(\d+)$/.exec(call.url)![1]);
      if (i % 3 !== 0 && i % 7 === 0) return new Response(null, { status: 204 });
      return new Response("answer " + i, { status: i % 3 === 0 ? 500 : 200 });
    });
    const queue = recordingQueue();
    const result = await deliver({ ...deliverDeps(fetch, queue, () => T0 + 100), db: createDb(counter.d1) }, ids);
    expect(result).toMatchObject({ attempted: 120, succeeded: 80, retried: 40, failed: 0 });
    // A claim, four loads, and at most three statements per flush of FLUSH_AT outcomes.
    expect(counter.count()).toBeLessThanOrEqual(5 + 3 * Math.ceil(120 / FLUSH_AT));
    const rows = (
      await env.DB.prepare(
        `SELECT d.state, d.attempts, d.last_status_code, d.last_error, d.next_attempt_at, d.delivered_at, s.url, s.failing_since,
           (SELECT count(*) FROM delivery_attempts a WHERE a.delivery_id = d.id) AS tries,
           (SELECT response_excerpt FROM delivery_attempts a WHERE a.delivery_id = d.id) AS excerpt
         FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.id IN (SELECT value FROM json_each(?))`,
      )
        .bind(JSON.stringify(ids))
        .all<any>()
    ).results;
    expect(rows).toHaveLength(120);
    for (const row of rows) {
      const i = Number(/r(\d+)$/.exec(row.url)![1]);
      expect(row.tries).toBe(1);
      expect(row.attempts).toBe(1);
      expect(row.excerpt).toBe(i % 3 !== 0 && i % 7 === 0 ? null : "answer " + i);
      if (i % 3 === 0) {
        expect(row).toMatchObject({ state: "pending", last_status_code: 500, last_error: "HTTP 500", next_attempt_at: T0 + 100 + 5000, delivered_at: null, failing_since: T0 + 100 });
      } else {
        expect(row).toMatchObject({ state: "succeeded", last_status_code: i % 7 === 0 ? 204 : 200, last_error: null, delivered_at: T0 + 100, failing_since: null });
      }
    }
    // The 40 retries are on the queue, each for its own due time.
    expect(queue.messages.filter((m) => m.body.kind === "deliver" && m.body.dueAt === T0 + 5100)).toHaveLength(40);
  });

  it("keeps sending while the outcomes of earlier requests are written", async () => {
    const ids = await deliveriesFor(FLUSH_AT * 2 + 10);
    // From the 70th request on, the receiver answers only once D1 shows the first outcomes:
    // a pipeline that wrote only after its last request would never get there.
    const { fetch } = fakeFetch(async (_call, n) => {
      if (n >= FLUSH_AT + 20) {
        for (let tries = 0; (await attemptCount(ids)) === 0; tries++) {
          if (tries > 200) return new Response("outcomes were not written while sending", { status: 500 });
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      return new Response("ok");
    });
    const result = await deliver(deliverDeps(fetch, recordingQueue(), () => T0), ids);
    expect(result).toMatchObject({ attempted: ids.length, succeeded: ids.length, retried: 0 });
  });

  it("attempts at most DELIVERIES_PER_INVOCATION in one invocation and puts the rest back on the queue", async () => {
    const ids = await deliveriesFor(12);
    const batch = createMessageBatch("pledgewatch-deliveries", [
      { id: "msg-a", timestamp: new Date(T0), attempts: 1, body: { kind: "deliver", deliveryIds: ids.slice(0, 8) } },
      { id: "msg-b", timestamp: new Date(T0), attempts: 1, body: { kind: "deliver", deliveryIds: ids.slice(8) } },
    ]);
    const queue = recordingQueue();
    const { fetch, calls } = fakeFetch(() => new Response("ok"));
    const summary = await handleQueueBatch(batch, deliverDeps(fetch, queue, () => T0, { deliveriesPerInvocation: 5 }));
    expect(summary.attempted).toBe(5);
    expect(calls).toHaveLength(5);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks.sort()).toEqual(["msg-a", "msg-b"]);
    const passedOn = queue.messages.flatMap((m) => (m.body.kind === "deliver" ? m.body.deliveryIds : []));
    expect(passedOn.sort()).toEqual(ids.slice(5).sort());
    // The next invocation takes them: every delivery sent exactly once.
    const next = createMessageBatch("pledgewatch-deliveries", [{ id: "msg-c", timestamp: new Date(T0), attempts: 1, body: { kind: "deliver", deliveryIds: passedOn } }]);
    await handleQueueBatch(next, deliverDeps(fetch, recordingQueue(), () => T0 + 1000, { deliveriesPerInvocation: 10 }));
    expect(calls).toHaveLength(12);
    expect(new Set(calls.map((c) => c.url)).size).toBe(12);
  });

  it("with the free plan's setting, one invocation of a 100-delivery message stays inside 50 subrequests", async () => {
    const ids = await deliveriesFor(100);
    const counter = countQueries(env.DB);
    const queue = recordingQueue();
    let queueCalls = 0;
    const counted = { send: (...a: Parameters<typeof queue.send>) => (queueCalls++, queue.send(...a)), sendBatch: (...a: Parameters<typeof queue.sendBatch>) => (queueCalls++, queue.sendBatch(...a)) };
    // A third of the receivers fail, so retries are queued too.
    const { fetch, calls } = fakeFetch((_call, n) => new Response("x", { status: n % 3 === 0 ? 503 : 200 }));
    const batch = createMessageBatch("pledgewatch-deliveries", [{ id: "msg-free", timestamp: new Date(T0), attempts: 1, body: { kind: "deliver", deliveryIds: ids } }]);
    await handleQueueBatch(batch, { ...deliverDeps(fetch, counted, () => T0, { deliveriesPerInvocation: 35 }), db: createDb(counter.d1) });
    expect(calls).toHaveLength(35);
    const subrequests = calls.length + counter.count() + queueCalls;
    expect(subrequests, `${calls.length} fetches, ${counter.count()} D1 queries, ${queueCalls} queue calls`).toBeLessThanOrEqual(50);
  });

  it("sends a fan-out's first deliveries from the invocation that fanned it out, and acknowledges it once they are recorded", async () => {
    const subs = [];
    for (let i = 0; i < 8; i++) subs.push(await makeSubscription(T0 - 1000, { url: `https://hooks.example.com/f${i}` }));
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0);
    const event = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ?").bind(c.id).first<{ id: string }>();
    const mine = (url: string) => /\/f\d$/.test(url);
    const { fetch, calls } = fakeFetch(() => new Response("ok"));
    const queue = recordingQueue();
    const batch = createMessageBatch("pledgewatch-deliveries", [{ id: "msg-fan", timestamp: new Date(T0), attempts: 1, body: { kind: "fanout", eventIds: [event!.id] } }]);
    // A budget of 5: five go out from here, the rest (of this event's subscribers) on the queue.
    await handleQueueBatch(batch, deliverDeps(fetch, queue, () => T0, { deliveriesPerInvocation: 5 }));
    expect(calls).toHaveLength(5);
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks).toEqual(["msg-fan"]);
    const queued = queue.messages.flatMap((m) => (m.body.kind === "deliver" ? m.body.deliveryIds : []));
    const rows = (
      await env.DB.prepare("SELECT d.id, d.state, s.url FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id WHERE d.event_id = ?").bind(event!.id).all<any>()
    ).results;
    expect(rows.filter((r) => r.state === "succeeded")).toHaveLength(5);
    // Every other delivery of the event is on the queue, none twice, none also sent here.
    expect(queued.sort()).toEqual(rows.filter((r) => r.state === "pending").map((r) => r.id).sort());
    expect(rows.filter((r) => mine(r.url))).toHaveLength(8);

    // The same with a database that cannot record: the fan-out message is retried, not acknowledged.
    const c2 = await makeCommitment(agreement.id, T0);
    const event2 = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ?").bind(c2.id).first<{ id: string }>();
    const failing = new Proxy(env.DB, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === "batch") {
          let n = 0;
          // The fan-out's own batch commits; the outcomes' batch fails.
          return async (statements: D1PreparedStatement[]) => (n++ === 0 && statements.length === 2 ? target.batch(statements) : Promise.reject(new Error("D1 is overloaded")));
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const batch2 = createMessageBatch("pledgewatch-deliveries", [{ id: "msg-fan-2", timestamp: new Date(T0), attempts: 1, body: { kind: "fanout", eventIds: [event2!.id] } }]);
    await handleQueueBatch(batch2, { ...deliverDeps(fetch, recordingQueue(), () => T0, { deliveriesPerInvocation: 5 }), db: createDb(failing) });
    const result2 = await getQueueResult(batch2, createExecutionContext());
    expect(result2.explicitAcks).toEqual([]);
    expect(result2.retryMessages.map((m) => m.msgId)).toEqual(["msg-fan-2"]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM deliveries WHERE event_id = ? AND state = 'pending'").bind(event2!.id).first<any>()).toMatchObject({ n: rows.length });
  });

  it("starts no request after the send window and gives the rest back, due at once, to a new message", async () => {
    const ids = await deliveriesFor(10);
    let time = T0;
    // The third request is slow enough to close the window behind it.
    const { fetch, calls } = fakeFetch((_call, n) => {
      if (n === 3) time += SEND_WINDOW_MS + 1;
      return new Response("ok");
    });
    const queue = recordingQueue();
    const result = await deliver(deliverDeps(fetch, queue, () => time), ids);
    expect(calls.length).toBeLessThan(10);
    expect(result.succeeded).toBe(calls.length);
    expect(result.released).toBe(10 - calls.length);
    const released = (
      await env.DB.prepare("SELECT id, state, attempts, next_attempt_at FROM deliveries WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending'")
        .bind(JSON.stringify(ids))
        .all<any>()
    ).results;
    expect(released).toHaveLength(10 - calls.length);
    for (const row of released) expect(row).toMatchObject({ attempts: 0, next_attempt_at: time });
    expect(await attemptCount(released.map((r) => r.id))).toBe(0);
    const sentOn = queue.messages.flatMap((m) => (m.body.kind === "deliver" && m.body.dueAt === undefined ? m.body.deliveryIds : []));
    expect(sentOn.sort()).toEqual(released.map((r) => r.id).sort());
    // The message that takes them sends each once.
    const again = await deliver(deliverDeps(fetch, recordingQueue(), () => time), sentOn);
    expect(again.succeeded).toBe(sentOn.length);
  });

  it("stops sending when a write fails, and acknowledges nothing: the deliveries stay pending for a resend", async () => {
    const ids = await deliveriesFor(FLUSH_AT + 30);
    const failing = new Proxy(env.DB, {
      get(target, prop, receiver) {
        if (prop === "batch") return async () => Promise.reject(new Error("D1 is overloaded"));
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const { fetch, calls } = fakeFetch(async () => {
      await new Promise((r) => setTimeout(r, 2));
      return new Response("ok");
    });
    const batch = createMessageBatch("pledgewatch-deliveries", [{ id: "msg-w", timestamp: new Date(T0), attempts: 1, body: { kind: "deliver", deliveryIds: ids } }]);
    await handleQueueBatch(batch, { ...deliverDeps(fetch, recordingQueue(), () => T0), db: createDb(failing) });
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["msg-w"]);
    expect(calls.length).toBeLessThan(ids.length);
    const states = await env.DB.prepare("SELECT state, count(*) AS n FROM deliveries WHERE id IN (SELECT value FROM json_each(?)) GROUP BY state")
      .bind(JSON.stringify(ids))
      .all<any>();
    expect(states.results).toEqual([{ state: "pending", n: ids.length }]);
    expect(await attemptCount(ids)).toBe(0);
  });
});
