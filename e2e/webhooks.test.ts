import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, startWorker, waitFor, type Receiver, type WorkerHandle } from "./harness";

let worker: WorkerHandle;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  worker = await startWorker({
    vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "true", WEBHOOK_RETRY_SCHEDULE: "1,1,1,1,1", WEBHOOK_TIMEOUT_SECONDS: "5" },
  });
});

afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
});

function verify(secret: string, hook: { id: string; timestamp: string; signature: string; body: string }) {
  return new Webhook(secret).verify(hook.body, {
    "webhook-id": hook.id,
    "webhook-timestamp": hook.timestamp,
    "webhook-signature": hook.signature,
  }) as { type: string; data: any };
}

describe("webhooks end to end (wrangler dev, local D1 and Queues, loopback receiver)", () => {
  it("delivers exactly one verified commitment.overdue when a deadline passes and the sweep runs", async () => {
    const sub = await worker.api("POST", "/api/v1/subscriptions", { url: receiver.url, event_types: ["commitment.overdue"] });
    expect(sub.status).toBe(201);
    const agreement = await worker.api("POST", "/api/v1/agreements", { id: "e2e-mou", title: "E2E memorandum", kind: "memorandum", signed_on: "2026-01-01" });
    expect(agreement.status).toBe(201);
    const dueAt = new Date(Date.now() + 1500).toISOString();
    const commitment = await worker.api("POST", "/api/v1/commitments", {
      id: "e2e-charter",
      agreement: "e2e-mou",
      title: "Prepare the charter",
      deadline: { due_at: dueAt },
    });
    expect(commitment.status).toBe(201);
    await new Promise((r) => setTimeout(r, 2000));
    await worker.sweep();
    await worker.sweep(); // a second run adds nothing
    const hook = await waitFor(() => receiver.received.find((h) => JSON.parse(h.body).type === "commitment.overdue"), 30_000, "the overdue webhook");
    const payload = verify(sub.body.secret, hook);
    expect(payload.type).toBe("commitment.overdue");
    expect(payload.data.commitment.id).toBe("e2e-charter");
    expect(payload.data.commitment.timeliness).toBe("overdue");
    await new Promise((r) => setTimeout(r, 3000));
    expect(receiver.received.filter((h) => JSON.parse(h.body).type === "commitment.overdue")).toHaveLength(1);
    await worker.api("PATCH", `/api/v1/subscriptions/${sub.body.id}`, { state: "paused" });
  });

  it("retries while the receiver is down and delivers once, with the same webhook-id, when it is back", async () => {
    const sub = await worker.api("POST", "/api/v1/subscriptions", { url: receiver.url, event_types: ["commitment.status_changed"] });
    await receiver.close();
    const before = receiver.received.length;
    const changed = await worker.api("POST", "/api/v1/commitments/e2e-charter/status", { status: "in_progress", note: "drafting started" });
    expect(changed.status).toBe(200);
    // The first attempt fails (connection refused) and is logged.
    const failed = await waitFor(async () => {
      const log = await worker.api("GET", `/api/v1/subscriptions/${sub.body.id}/deliveries`);
      const d = log.body.items[0];
      return d && d.attempt_log.length >= 1 && d.state === "pending" ? d : null;
    }, 30_000, "a failed attempt");
    expect(failed.attempt_log[0].error).toMatch(/network error|refused|connect/i);
    await receiver.listen();
    const hook = await waitFor(() => receiver.received.slice(before).find((h) => JSON.parse(h.body).type === "commitment.status_changed"), 30_000, "the retried webhook");
    expect(hook.id).toBe(failed.event_id);
    const payload = verify(sub.body.secret, hook);
    expect(payload.data.event.to).toBe("in_progress");
    await new Promise((r) => setTimeout(r, 3000));
    expect(receiver.received.slice(before).filter((h) => h.id === failed.event_id)).toHaveLength(1);
    const log = await worker.api("GET", `/api/v1/subscriptions/${sub.body.id}/deliveries`);
    expect(log.body.items[0].state).toBe("succeeded");
    expect(log.body.items[0].attempt_log.length).toBeGreaterThanOrEqual(2);
  });
});
