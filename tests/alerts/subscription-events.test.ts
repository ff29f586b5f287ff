import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deliver } from "../../src/alerts/deliver";
import { fanOut } from "../../src/alerts/fanout";
import { updateSubscription } from "../../src/alerts/subscriptions.service";
import { db } from "../helpers";
import { deliverDeps, fakeFetch, makeAgreement, makeCommitment, makeSubscription, recordingQueue } from "./alerts.helpers";

const T0 = Date.parse("2026-05-01T00:00:00Z");

async function createdEvent(commitmentId: string) {
  const row = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ? AND type = 'commitment.created'").bind(commitmentId).first<{ id: string }>();
  return row!.id;
}

async function deliveryOf(eventId: string, subscriptionId: string) {
  return env.DB.prepare("SELECT * FROM deliveries WHERE event_id = ? AND subscription_id = ?").bind(eventId, subscriptionId).first<Record<string, any>>();
}

describe("subscription events", () => {
  it("never sends subscription.disabled, or the disabled subscription's URL, to another subscriber", async () => {
    const victim = await makeSubscription(T0, { url: "https://hooks.example.com/in?token=s3cret" });
    const unfiltered = await makeSubscription(T0);
    const asking = await makeSubscription(T0, { event_types: ["subscription.disabled"] });
    const agreement = await makeAgreement(T0 + 1);
    const c = await makeCommitment(agreement.id, T0 + 1);
    const eventId = await createdEvent(c.id);
    await fanOut(db(), recordingQueue(), [eventId], T0 + 2);
    const queue = recordingQueue();
    const { fetch } = fakeFetch((call) => new Response("", { status: call.url.includes("s3cret") ? 410 : 200 }));
    await deliver(deliverDeps(fetch, queue, () => T0 + 3), [(await deliveryOf(eventId, victim.id))!.id]);

    const disabled = await env.DB.prepare("SELECT id, data FROM events WHERE type = 'subscription.disabled' AND json_extract(data, '$.subscription_id') = ?")
      .bind(victim.id)
      .first<{ id: string; data: string }>();
    expect(disabled).not.toBeNull();
    expect(disabled!.data).not.toContain("s3cret");
    await fanOut(db(), recordingQueue(), [disabled!.id], T0 + 4);
    expect(await deliveryOf(disabled!.id, unfiltered.id)).toBeNull();
    expect(await deliveryOf(disabled!.id, asking.id)).toBeNull();
  });

  it("cancels a paused subscription's scheduled retries, so resuming does not send them", async () => {
    const sub = await makeSubscription(T0);
    const agreement = await makeAgreement(T0 + 1);
    const c = await makeCommitment(agreement.id, T0 + 1);
    const eventId = await createdEvent(c.id);
    await fanOut(db(), recordingQueue(), [eventId], T0 + 2);
    const deliveryId = (await deliveryOf(eventId, sub.id))!.id;
    const { fetch, calls } = fakeFetch(() => new Response("", { status: 500 }));
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0 + 3), [deliveryId]);
    expect((await deliveryOf(eventId, sub.id))!.state).toBe("pending");

    const ctx = { now: T0 + 4, actor: "t", allowPrivateTargets: false };
    await updateSubscription(db(), sub.id, { state: "paused" }, ctx);
    expect((await deliveryOf(eventId, sub.id))!.state).toBe("cancelled");
    await updateSubscription(db(), sub.id, { state: "active" }, { ...ctx, now: T0 + 5 });
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0 + 3_600_000), [deliveryId]);
    expect(calls).toHaveLength(1);
    expect((await deliveryOf(eventId, sub.id))!.state).toBe("cancelled");
  });

  it("cancels the other pending deliveries of a subscription when it is disabled", async () => {
    const sub = await makeSubscription(T0);
    const agreement = await makeAgreement(T0 + 1);
    const first = await createdEvent((await makeCommitment(agreement.id, T0 + 1)).id);
    const second = await createdEvent((await makeCommitment(agreement.id, T0 + 1)).id);
    await fanOut(db(), recordingQueue(), [first, second], T0 + 2);
    const { fetch } = fakeFetch(() => new Response("", { status: 410 }));
    await deliver(deliverDeps(fetch, recordingQueue(), () => T0 + 3), [(await deliveryOf(first, sub.id))!.id]);
    expect((await deliveryOf(first, sub.id))!.state).toBe("failed");
    expect((await deliveryOf(second, sub.id))!.state).toBe("cancelled");
  });
});
