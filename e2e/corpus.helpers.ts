/** Shared by the bad-input corpora (corpus*.test.ts): the fixtures they write against and the "nothing changed" snapshot. */
import { expect } from "vitest";
import type { WorkerHandle } from "./harness";

/** One agreement, one dated commitment and one subscription for refused writes to aim at; returns the subscription id. */
export async function seedTargets(worker: WorkerHandle, ids: { agreement: string; commitment: string }, label: string): Promise<string> {
  const agreement = { id: ids.agreement, title: `${label} agreement`, kind: "memorandum", signed_on: "2026-01-01" };
  expect((await worker.api("POST", "/api/v1/agreements", agreement)).status).toBe(201);
  const commitment = { id: ids.commitment, agreement: ids.agreement, title: `${label} commitment`, deadline: { due_on: "2027-01-01" } };
  expect((await worker.api("POST", "/api/v1/commitments", commitment)).status).toBe(201);
  const sub = await worker.api("POST", "/api/v1/subscriptions", { url: "https://example.com/hook", event_types: ["subscription.test"] });
  expect(sub.status).toBe(201);
  return sub.body.id as string;
}

/** Everything a refused write could have touched, as the API shows it. */
export async function ledgerSnapshot(worker: WorkerHandle, commitment: string, subscription?: string) {
  const exported = await worker.api("GET", "/api/v1/export");
  expect(exported.status).toBe(200);
  const { exported_at: _ignored, ...document } = exported.body;
  const events = await worker.api("GET", `/api/v1/commitments/${commitment}/events?limit=200`);
  const subscriptions = await worker.api("GET", "/api/v1/subscriptions?limit=200");
  const tokens = await worker.api("GET", "/api/v1/tokens");
  const deliveries = subscription ? (await worker.api("GET", `/api/v1/subscriptions/${subscription}/deliveries?limit=200`)).body : null;
  const feed = await fetch(`${worker.url}/feed.json?limit=200`).then((r) => r.json() as Promise<{ items: Array<{ id: string }> }>);
  return { document, events: events.body, subscriptions: subscriptions.body, tokens: tokens.body, deliveries, feedIds: feed.items.map((i) => i.id) };
}
