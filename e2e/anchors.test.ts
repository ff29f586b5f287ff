/**
 * Deadlines tied to events and party pages end to end: the worker under `wrangler dev` (local D1
 * and Queues), a real loopback webhook receiver verifying every signature, real HTTP.
 */
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, startWorker, waitFor, type Receiver, type WorkerHandle } from "./harness";

let worker: WorkerHandle;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  worker = await startWorker({ vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "true", WEBHOOK_RETRY_SCHEDULE: "1,1,1,1,1", WEBHOOK_TIMEOUT_SECONDS: "5" } });
});

afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
});

const verified = (secret: string, hook: { id: string; timestamp: string; signature: string; body: string }) =>
  new Webhook(secret).verify(hook.body, { "webhook-id": hook.id, "webhook-timestamp": hook.timestamp, "webhook-signature": hook.signature }) as {
    type: string;
    data: any;
  };

describe("deadlines tied to events, end to end", () => {
  it("delivers a signed commitment.deadline_changed saying why when the anchor is met, and another when it is reopened", async () => {
    const sub = await worker.api("POST", "/api/v1/subscriptions", { url: receiver.url, event_types: ["commitment.deadline_changed"] });
    expect(sub.status).toBe(201);
    expect((await worker.api("POST", "/api/v1/agreements", { id: "e2e-peace", title: "Peace declaration", kind: "joint_declaration", signed_on: "2025-08-08", parties: ["Armenia", "Azerbaijan"] })).status).toBe(201);
    expect((await worker.api("POST", "/api/v1/commitments", { id: "e2e-amend", agreement: "e2e-peace", title: "Amend the constitution", parties: ["Armenia"], status_changed_at: "2025-08-08T00:00:00Z" })).status).toBe(201);
    const sign = await worker.api("POST", "/api/v1/commitments", {
      id: "e2e-sign",
      agreement: "e2e-peace",
      title: "Sign the peace agreement",
      parties: ["Armenia", "Azerbaijan"],
      deadline: { within: "P30D", after: { commitment: "e2e-amend", when: "met" } },
    });
    expect(sign.body).toMatchObject({ timeliness: "waiting", waiting_reason: "waiting on: Amend the constitution" });

    const met = await worker.api("POST", "/api/v1/commitments/e2e-amend/status", { status: "fulfilled", occurred_at: "2026-03-01T09:00:00Z" });
    expect(met.status).toBe(200);
    const first = await waitFor(() => receiver.received.find((h) => JSON.parse(h.body).data?.event?.commitment === "e2e-sign"), 30_000, "the deadline_changed webhook");
    const payload = verified(sub.body.secret, first);
    expect(payload.type).toBe("commitment.deadline_changed");
    expect(payload.data.event.note).toBe("'Amend the constitution' was met (fulfilled) on 2026-03-01");
    expect(payload.data.event.data.cause).toMatchObject({ anchor: { commitment: "e2e-amend", when: "met" } });
    expect(payload.data.commitment).toMatchObject({ due_on: "2026-03-31", waiting_on: null });

    expect((await worker.api("POST", "/api/v1/commitments/e2e-amend/status", { status: "in_progress", note: "annulled by the court" })).status).toBe(200);
    const second = await waitFor(
      () => receiver.received.filter((h) => JSON.parse(h.body).data?.event?.commitment === "e2e-sign")[1],
      30_000,
      "the second deadline_changed webhook",
    );
    expect(verified(sub.body.secret, second).data.commitment).toMatchObject({ timeliness: "waiting", due_on: null });
  });

  it("serves the party page and its badge over real HTTP, with the waiting commitment and the record", async () => {
    const page = await fetch(`${worker.url}/parties/armenia`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>Armenia</h1>");
    expect(html).toContain("waiting (1)");
    expect(html).toContain("Deadline: waiting on: Amend the constitution");
    const etag = page.headers.get("etag")!;
    expect((await fetch(`${worker.url}/parties/armenia`, { headers: { "if-none-match": etag } })).status).toBe(304);
    const badge = await fetch(`${worker.url}/badges/parties/armenia.svg`);
    expect(badge.status).toBe(200);
    expect(await badge.text()).toContain("none decided yet");
    const home = await (await fetch(`${worker.url}/`)).text();
    expect(home).toContain('<a href="/parties/armenia">Armenia</a>');
  });
});
