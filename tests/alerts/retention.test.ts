import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PRUNE_BUDGET, runSweep } from "../../src/alerts/sweep/sweep";
import { getSubscription } from "../../src/alerts/subscriptions.service";
import { createDb } from "../../src/platform/db/client";
import { countQueries } from "../../src/platform/db/counting";
import { db, uid } from "../helpers";
import { DAY, LEAD_DAYS, RETENTION, makeSubscription, recordingQueue } from "./alerts.helpers";

const NOW = Date.parse("2027-06-01T00:00:00Z");

async function sweep(now = NOW) {
  const counter = countQueries(env.DB);
  return runSweep({ db: createDb(counter.d1), queue: recordingQueue(), leadDays: LEAD_DAYS, retention: RETENTION, queryCount: counter.count, clock: () => now }, now);
}

/** `count` deliveries of one subscription in `state`, last changed `ageDays` before NOW, each with `attempts` attempts. */
async function addDeliveries(subscriptionId: string, state: string, ageDays: number, count = 1, attempts = 2) {
  const at = NOW - ageDays * DAY;
  const prefix = uid("dlv");
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO deliveries (id, event_id, subscription_id, state, attempts, next_attempt_at, created_at, updated_at, delivered_at)
     SELECT ? || '-' || i, ? || '-evt-' || i, ?, ?, ?, ?, ?, ?, CASE WHEN ? = 'succeeded' THEN ? ELSE NULL END FROM n`,
  )
    .bind(count, prefix, prefix, subscriptionId, state, attempts, at, at - 60_000, at, state, at)
    .run();
  await env.DB.prepare(
    `WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < ?)
     INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, latency_ms)
     SELECT d.id, d.updated_at, 200, 5 FROM deliveries d, k WHERE d.id LIKE ? || '-%'`,
  )
    .bind(attempts, prefix)
    .run();
  return prefix;
}

const remaining = async (prefix: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM deliveries WHERE id LIKE ? || '-%'").bind(prefix).first<{ n: number }>())!.n;
const attemptsLeft = async (prefix: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM delivery_attempts WHERE delivery_id LIKE ? || '-%'").bind(prefix).first<{ n: number }>())!.n;

describe("retention of the delivery log", () => {
  it("deletes succeeded deliveries after 30 days and failed or cancelled ones after 90, with their attempts, never pending ones", async () => {
    const sub = await makeSubscription(NOW - 400 * DAY);
    const oldSucceeded = await addDeliveries(sub.id, "succeeded", 31, 3);
    const newSucceeded = await addDeliveries(sub.id, "succeeded", 29, 2);
    const midFailed = await addDeliveries(sub.id, "failed", 60, 2);
    const oldFailed = await addDeliveries(sub.id, "failed", 91, 4);
    const oldCancelled = await addDeliveries(sub.id, "cancelled", 120, 1);
    const oldPending = await addDeliveries(sub.id, "pending", 200, 1);
    const before = (await getSubscription(db(), sub.id, NOW)).deliveries;
    expect(before).toMatchObject({ succeeded: 5, failed: 6, cancelled: 1, pending: 1 });

    const result = await sweep();
    expect(result.pruned).toBeGreaterThanOrEqual(8);
    expect([await remaining(oldSucceeded), await remaining(newSucceeded), await remaining(midFailed), await remaining(oldFailed), await remaining(oldCancelled), await remaining(oldPending)]).toEqual([0, 2, 2, 0, 0, 1]);
    expect(await attemptsLeft(oldSucceeded)).toBe(0);
    expect(await attemptsLeft(oldFailed)).toBe(0);
    expect(await attemptsLeft(newSucceeded)).toBe(4);

    // The totals survive the deletion, the latest success too.
    expect((await getSubscription(db(), sub.id, NOW)).deliveries).toEqual(before);
    const run = await env.DB.prepare("SELECT pruned FROM sweep_runs WHERE id = ?").bind(result.runId).first<{ pruned: number }>();
    expect(run!.pruned).toBe(result.pruned);
  });

  it("keeps the latest success when only pruned deliveries had succeeded", async () => {
    const sub = await makeSubscription(NOW - 400 * DAY);
    await addDeliveries(sub.id, "succeeded", 45, 1);
    await addDeliveries(sub.id, "succeeded", 40, 1);
    const before = (await getSubscription(db(), sub.id, NOW)).deliveries;
    expect(before.last_success_at).toBe(new Date(NOW - 40 * DAY).toISOString());
    await sweep();
    expect((await getSubscription(db(), sub.id, NOW)).deliveries).toEqual({ ...before, succeeded: 2 });
  });

  it("works through a large backlog in bounded rounds inside the query budget, across runs, counting each delivery once", async () => {
    const sub = await makeSubscription(NOW - 400 * DAY);
    const backlog = await addDeliveries(sub.id, "succeeded", 35, 6500, 1);
    const first = await sweep();
    expect(first.queries).toBeLessThanOrEqual(PRUNE_BUDGET + 1);
    expect(first.pruned).toBe(5000);
    expect(await remaining(backlog)).toBe(1500);
    // Two overlapping runs: each round is one batch over rows still there, so nothing counts twice.
    const [a, b] = await Promise.all([sweep(NOW + 1), sweep(NOW + 2)]);
    expect(a.pruned + b.pruned).toBe(1500);
    expect(await remaining(backlog)).toBe(0);
    expect(await attemptsLeft(backlog)).toBe(0);
    expect((await getSubscription(db(), sub.id, NOW)).deliveries).toMatchObject({ succeeded: 6500, failed: 0, pending: 0 });
  });
});
