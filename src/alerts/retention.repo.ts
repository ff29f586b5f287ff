/**
 * Retention of the delivery log, the table that fills a database first (README "Performance"):
 * finished deliveries older than the configured age are deleted with their attempts, oldest
 * first, in rounds of PRUNE_CHUNK. Each round is one D1 batch of three statements over the same
 * rows (picked by the index deliveries_settled_updated, in (updated_at, id) order, so every
 * statement of the batch sees the same set):
 *   1. add them to their subscription's pruned counters (and the latest success among them),
 *   2. delete their attempts,
 *   3. delete them.
 * A crash between rounds loses nothing: each round commits whole. Pending deliveries are never
 * touched.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import type { BatchItem } from "../platform/db/guard";

/** Deliveries per round: with up to 10 attempts each, about 11,000 rows deleted per batch. */
export const PRUNE_CHUNK = 1000;

export type SettledState = "succeeded" | "failed" | "cancelled";

/** The oldest `limit` deliveries in `state` last changed before `cutoff`. */
const doomed = (state: SettledState, cutoff: number, limit: number): SQL =>
  sql`SELECT id FROM deliveries WHERE state = ${state} AND updated_at < ${cutoff} ORDER BY updated_at, id LIMIT ${sql.raw(String(limit))}`;

const COUNTER: Record<SettledState, string> = { succeeded: "pruned_succeeded", failed: "pruned_failed", cancelled: "pruned_cancelled" };

export function pruneStatements(db: Db, state: SettledState, cutoff: number, limit = PRUNE_CHUNK): BatchItem[] {
  const set = doomed(state, cutoff, limit);
  const counter = sql.raw(COUNTER[state]);
  const lastSuccess =
    state === "succeeded"
      ? sql`, pruned_last_success_at = max(coalesce(pruned_last_success_at, 0), coalesce((SELECT max(d.delivered_at) FROM deliveries d WHERE d.id IN (${set}) AND d.subscription_id = subscriptions.id), 0))`
      : sql``;
  return [
    db.run(sql`UPDATE subscriptions SET ${counter} = ${counter} + (SELECT count(*) FROM deliveries d WHERE d.id IN (${set}) AND d.subscription_id = subscriptions.id)${lastSuccess}
      WHERE id IN (SELECT subscription_id FROM deliveries WHERE id IN (${set}))`),
    db.run(sql`DELETE FROM delivery_attempts WHERE delivery_id IN (${set})`),
    db.run(sql`DELETE FROM deliveries WHERE id IN (${set})`),
  ];
}

export interface DeliveryTotals {
  succeeded: number;
  failed: number;
  cancelled: number;
  pending: number;
  lastSuccessAt: number | null;
}

/** A subscription's totals since it was created: its rows in the log plus what retention pruned. */
export async function deliveryTotals(db: Db, subscriptionId: string): Promise<DeliveryTotals> {
  const row = await db.get<{ succeeded: number; failed: number; cancelled: number; pending: number; last_success_at: number | null }>(sql`
    SELECT s.pruned_succeeded + (SELECT count(*) FROM deliveries WHERE subscription_id = s.id AND state = 'succeeded') AS succeeded,
           s.pruned_failed + (SELECT count(*) FROM deliveries WHERE subscription_id = s.id AND state = 'failed') AS failed,
           s.pruned_cancelled + (SELECT count(*) FROM deliveries WHERE subscription_id = s.id AND state = 'cancelled') AS cancelled,
           (SELECT count(*) FROM deliveries WHERE subscription_id = s.id AND state = 'pending') AS pending,
           nullif(max(coalesce(s.pruned_last_success_at, 0),
                      coalesce((SELECT max(delivered_at) FROM deliveries WHERE subscription_id = s.id AND state = 'succeeded'), 0)), 0) AS last_success_at
    FROM subscriptions s WHERE s.id = ${subscriptionId}`);
  return {
    succeeded: row?.succeeded ?? 0,
    failed: row?.failed ?? 0,
    cancelled: row?.cancelled ?? 0,
    pending: row?.pending ?? 0,
    lastSuccessAt: row?.last_success_at ?? null,
  };
}
