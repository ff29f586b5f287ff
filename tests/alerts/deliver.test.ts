import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { deliver, parseRetryAfter, retryDelayMs } from "../../src/alerts/deliver";
import { fanOut } from "../../src/alerts/fanout";
import { sign, signatureHeader } from "../../src/alerts/signing";
import { redeliver, rotateSecret, sendTest, updateSubscription } from "../../src/alerts/subscriptions.service";
import { db } from "../helpers";
import { deliverDeps, fakeFetch, makeAgreement, makeCommitment, makeSubscription, recordingQueue, DAY } from "./alerts.helpers";

const T0 = Date.parse("2026-03-01T00:00:00Z");

/** One subscription with one pending delivery of a commitment.created event; returns its ids. */
async function pendingDelivery(now = T0, subInput: Record<string, unknown> = {}) {
  const sub = await makeSubscription(now - 1000, subInput);
  const agreement = await makeAgreement(now);
  const c = await makeCommitment(agreement.id, now, { title: "Charter <b>&</b>", tags: ["charter"] });
  const event = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ? AND type = 'commitment.created'")
    .bind(c.id)
    .first<{ id: string }>();
  const queue = recordingQueue();
  await fanOut(db(), queue, [event!.id], now);
  const delivery = await env.DB.prepare("SELECT id FROM deliveries WHERE event_id = ? AND subscription_id = ?")
    .bind(event!.id, sub.id)
    .first<{ id: string }>();
  return { sub, commitment: c, eventId: event!.id, deliveryId: delivery!.id, queue };
}

async function deliveryRow(id: string) {
  return env.DB.prepare("SELECT * FROM deliveries WHERE id = ?").bind(id).first<Record<string, any>>();
}

async function subscriptionRow(id: string) {
  return env.DB.prepare("SELECT * FROM subscriptions WHERE id = ?").bind(id).first<Record<string, any>>();
}

describe("webhook signatures", () => {
  it("match the Standard Webhooks test vector", async () => {
    // From the specification's reference libraries' tests.
    const signature = await sign(
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("verify with the standardwebhooks library, one secret or two", async () => {
    const a = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const b = "whsec_dGhpcyBpcyBhIHNlY29uZCBzZWNyZXQgMzIgYnl0ZXMh";
    const ts = Math.floor(Date.now() / 1000);
    const body = '{"type":"subscription.test"}';
    const header = await signatureHeader([b, a], "evt_1", ts, body);
    expect(header.split(" ")).toHaveLength(2);
    for (const secret of [a, b]) {
      const payload = new Webhook(secret).verify(body, { "webhook-id": "evt_1", "webhook-timestamp": String(ts), "webhook-signature": header });
      expect(payload).toEqual({ type: "subscription.test" });
    }
    expect(() =>
      new Webhook("whsec_" + btoa("x".repeat(32))).verify(body, { "webhook-id": "evt_1", "webhook-timestamp": String(ts), "webhook-signature": header }),
    ).toThrow();
  });
});

describe("delivery", () => {
  it("posts a signed Standard Webhooks request once and logs the success", async () => {
    const { sub, deliveryId, eventId, commitment } = await pendingDelivery();
    const { fetch, calls } = fakeFetch(() => new Response(null, { status: 204 }));
    const result = await deliver(deliverDeps(fetch, recordingQueue(), () => T0 + 10), [deliveryId]);
    expect(result, JSON.stringify(await deliveryRow(deliveryId))).toMatchObject({ succeeded: 1 });
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.redirect).toBe("manual");
    expect(call.headers["webhook-id"]).toBe(eventId);
    const verified = new Webhook(sub.secret).verify(call.body, {
      "webhook-id": call.headers["webhook-id"]!,
      "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
      "webhook-signature": await signatureHeader([sub.secret], eventId, Math.floor(Date.now() / 1000), call.body),
    }) as any;
    expect(verified.type).toBe("commitment.created");
    const body = JSON.parse(call.body);
    expect(body.data.commitment.id).toBe(commitment.id);
    expect(body.data.commitment.title).toBe("Charter <b>&</b>");
    expect(body.data.links.commitment_page).toContain(`/commitments/${commitment.id}`);
    expect(new TextEncoder().encode(call.body).length).toBeLessThan(20 * 1024);
    expect((await deliveryRow(deliveryId))!.state).toBe("succeeded");
    // A duplicate queue message for the same delivery sends nothing.
    const again = await deliver(deliverDeps(fetch, recordingQueue(), () => T0 + 20), [deliveryId]);
    expect(again.skipped).toBe(1);
    expect(calls).toHaveLength(1);
  });

  it("treats a redirect as a failure, does not follow it, and schedules a retry", async () => {
    const { deliveryId } = await pendingDelivery();
    const queue = recordingQueue();
    const { fetch } = fakeFetch(() => new Response(null, { status: 302, headers: { location: "https://elsewhere.example/" } }));
    const result = await deliver(deliverDeps(fetch, queue, () => T0), [deliveryId]);
    expect(result.retried).toBe(1);
    const row = await deliveryRow(deliveryId);
    expect(row!.state).toBe("pending");
    expect(row!.last_status_code).toBe(302);
    expect(row!.last_error).toContain("not followed");
    // First retry after 5 s (±10% jitter; random() = 0.5 gives exactly 5 s).
    expect(row!.next_attempt_at).toBe(T0 + 5000);
    expect(queue.messages).toEqual([{ body: { kind: "deliver", deliveryIds: [deliveryId], dueAt: T0 + 5000 }, delaySeconds: 5 }]);
  });

  it("retries 5xx and succeeds later with the same webhook-id", async () => {
    const { deliveryId } = await pendingDelivery();
    const { fetch, calls } = fakeFetch((_c, n) => new Response("", { status: n === 1 ? 503 : 200 }));
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0), [deliveryId]);
    // Not yet due: a message arriving early claims nothing.
    const early = await deliver(deliverDeps(fetch, recordingQueue(), () => T0 + 1000), [deliveryId]);
    expect(early.skipped).toBe(1);
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0 + 5000), [deliveryId]);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.headers["webhook-id"]).toBe(calls[1]!.headers["webhook-id"]);
    const row = await deliveryRow(deliveryId);
    expect(row!.state).toBe("succeeded");
    expect(row!.attempts).toBe(2);
  });

  it("honours Retry-After on 429", async () => {
    const { deliveryId } = await pendingDelivery();
    const { fetch } = fakeFetch(() => new Response("slow down", { status: 429, headers: { "retry-after": "120" } }));
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0), [deliveryId]);
    const row = await deliveryRow(deliveryId);
    expect(row!.next_attempt_at).toBe(T0 + 120_000);
    expect(parseRetryAfter("Wed, 01 Jan 2031 00:00:10 GMT", Date.parse("2031-01-01T00:00:00Z"))).toBe(10_000);
  });

  it("times out a hanging receiver and logs the attempt", async () => {
    const { deliveryId } = await pendingDelivery();
    const { fetch } = fakeFetch(
      (_c, _n, signal) =>
        new Promise<Response>((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason))),
    );
    await deliver(deliverDeps(fetch, recordingQueue(), Date.now, { webhookTimeoutMs: 50 }), [deliveryId]);
    const row = await deliveryRow(deliveryId);
    expect(row!.state).toBe("pending");
    expect(row!.last_error).toContain("timed out");
    const attempt = await env.DB.prepare("SELECT * FROM delivery_attempts WHERE delivery_id = ?").bind(deliveryId).first<any>();
    expect(attempt.error).toContain("timed out");
  });

  it("retries network errors and marks the delivery failed when the schedule is exhausted", async () => {
    const { deliveryId } = await pendingDelivery();
    const { fetch, calls } = fakeFetch(() => {
      throw new TypeError("connection reset");
    });
    let now = T0;
    const schedule = { retryScheduleSeconds: [1, 2] };
    for (let i = 0; i < 3; i++) {
      await deliver(deliverDeps(fetch, recordingQueue(), () => now, schedule), [deliveryId]);
      now += 10_000;
    }
    expect(calls).toHaveLength(3);
    const row = await deliveryRow(deliveryId);
    expect(row!.state).toBe("failed");
    expect(row!.last_error).toContain("retry schedule exhausted");
    const attempts = await env.DB.prepare("SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id = ?").bind(deliveryId).first<{ n: number }>();
    expect(attempts!.n).toBe(3);
  });

  it("disables the subscription on 410 Gone and records subscription.disabled", async () => {
    const { sub, deliveryId } = await pendingDelivery();
    const queue = recordingQueue();
    const { fetch } = fakeFetch(() => new Response("gone", { status: 410 }));
    await deliver(deliverDeps(fetch, queue, () => T0), [deliveryId]);
    expect((await deliveryRow(deliveryId))!.state).toBe("failed");
    const s = await subscriptionRow(sub.id);
    expect(s!.state).toBe("disabled");
    const event = await env.DB.prepare("SELECT id FROM events WHERE type = 'subscription.disabled' AND json_extract(data, '$.subscription_id') = ?")
      .bind(sub.id)
      .first<{ id: string }>();
    expect(event).not.toBeNull();
    expect(queue.messages.some((m) => m.body.kind === "fanout" && m.body.eventIds.includes(event!.id))).toBe(true);
  });

  it("disables a subscription that has failed for five days in a row", async () => {
    const { sub, deliveryId } = await pendingDelivery();
    await env.DB.prepare("UPDATE subscriptions SET failing_since = ? WHERE id = ?").bind(T0 - 5 * DAY, sub.id).run();
    const { fetch } = fakeFetch(() => new Response("", { status: 500 }));
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0), [deliveryId]);
    const s = await subscriptionRow(sub.id);
    expect(s!.state).toBe("disabled");
    expect(s!.disabled_reason).toContain("5 days");
  });

  it("clears the failure streak on success", async () => {
    const { sub, deliveryId } = await pendingDelivery();
    await env.DB.prepare("UPDATE subscriptions SET failing_since = ? WHERE id = ?").bind(T0 - DAY, sub.id).run();
    const { fetch } = fakeFetch(() => new Response("ok"));
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0), [deliveryId]);
    expect((await subscriptionRow(sub.id))!.failing_since).toBeNull();
  });

  it("signs with both secrets for 24 hours after a rotation, then with the new one only", async () => {
    const { sub, deliveryId, eventId } = await pendingDelivery();
    const rotated = await rotateSecret(db(), sub.id, T0);
    expect(rotated.secret).not.toBe(sub.secret);
    const { fetch, calls } = fakeFetch((_c, n) => new Response("", { status: n === 1 ? 500 : 200 }));
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0 + 1000), [deliveryId]);
    const ts1 = Number(calls[0]!.headers["webhook-timestamp"]);
    expect(calls[0]!.headers["webhook-signature"]).toBe(
      await signatureHeader([rotated.secret, sub.secret], eventId, ts1, calls[0]!.body),
    );
    const later = T0 + 25 * 3600_000;
    await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?").bind(later, deliveryId).run();
    await deliver(deliverDeps(fetch, recordingQueue(), () => later), [deliveryId]);
    const ts2 = Number(calls[1]!.headers["webhook-timestamp"]);
    expect(calls[1]!.headers["webhook-signature"]).toBe(await signatureHeader([rotated.secret], eventId, ts2, calls[1]!.body));
  });

  it("redelivers a finished delivery with the same webhook-id", async () => {
    const { deliveryId } = await pendingDelivery();
    const { fetch, calls } = fakeFetch(() => new Response("ok"));
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0), [deliveryId]);
    const { delivery } = await redeliver(db(), deliveryId, T0 + 1000);
    expect(delivery.state).toBe("pending");
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0 + 1000), [deliveryId]);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers["webhook-id"]).toBe(calls[0]!.headers["webhook-id"]);
  });

  it("refuses, at send time, a target that became private, and cancels deliveries of paused subscriptions", async () => {
    const first = await pendingDelivery();
    await env.DB.prepare("UPDATE subscriptions SET url = 'https://169.254.169.254/latest' WHERE id = ?").bind(first.sub.id).run();
    const { fetch, calls } = fakeFetch(() => new Response("ok"));
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0), [first.deliveryId]);
    expect(calls).toHaveLength(0);
    const row = await deliveryRow(first.deliveryId);
    expect(row!.state).toBe("failed");
    expect(row!.last_error).toContain("refused target");

    const second = await pendingDelivery();
    await updateSubscription(db(), second.sub.id, { state: "paused" }, { now: T0, actor: "t", allowPrivateTargets: false });
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0), [second.deliveryId]);
    expect((await deliveryRow(second.deliveryId))!.state).toBe("cancelled");
  });

  it("sends a long wait on in hops of at most 12 hours", async () => {
    const { deliveryId } = await pendingDelivery();
    const due = T0 + 20 * 3600_000;
    await env.DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?").bind(due, deliveryId).run();
    const queue = recordingQueue();
    const { fetch, calls } = fakeFetch(() => new Response("ok"));
    await deliver(deliverDeps(fetch, queue, () => T0 + 12 * 3600_000), [deliveryId], due);
    expect(calls).toHaveLength(0);
    expect(queue.messages).toEqual([{ body: { kind: "deliver", deliveryIds: [deliveryId], dueAt: due }, delaySeconds: 8 * 3600 }]);
  });

  it("computes the retry schedule with jitter", () => {
    const schedule = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];
    expect(retryDelayMs(schedule, 1, () => 0, null)).toBe(4500);
    expect(retryDelayMs(schedule, 1, () => 0.999999, null)).toBe(5500);
    expect(retryDelayMs(schedule, 9, () => 0.5, null)).toBe(86_400_000);
    expect(retryDelayMs(schedule, 10, () => 0.5, null)).toBeNull();
    expect(retryDelayMs(schedule, 1, () => 0.5, 60_000)).toBe(60_000);
  });

  it("sends subscription.test only to its own subscription", async () => {
    const target = await makeSubscription(T0);
    const other = await makeSubscription(T0);
    const emitted: string[] = [];
    const { event_id } = await sendTest(db(), target.id, { now: T0 + 5, actor: "t", allowPrivateTargets: false, emitted });
    expect(emitted).toEqual([event_id]);
    await fanOut(db(), recordingQueue(), [event_id], T0 + 5);
    const rows = await env.DB.prepare("SELECT subscription_id FROM deliveries WHERE event_id = ?").bind(event_id).all<{ subscription_id: string }>();
    expect(rows.results.map((r) => r.subscription_id)).toEqual([target.id]);
    expect(rows.results.map((r) => r.subscription_id)).not.toContain(other.id);
  });
});
