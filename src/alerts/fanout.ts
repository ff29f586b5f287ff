/**
 * Fan-out: turns events into deliveries, one row per (event, matching subscription), then sends
 * deliver messages for them. Set-based: one INSERT … SELECT joins the events to the active
 * subscriptions and matches every filter in SQL, however many subscriptions there are.
 * Idempotent: the unique (event, subscription) index ignores a second fan-out of the same event.
 *
 * Matching: filters are ANDed across kinds and ORed within one; NULL = all. Parties match by
 * their stored keys (lib/parties.ts), never by SQL lower(), which folds ASCII only. A
 * subscription only receives events recorded after it was created. Operational events
 * (subscription.test, subscription.disabled, any subscription.*) and reminders
 * (commitment.still_overdue) go to their own subscription only, never to other subscribers (a disabled one gets nothing: its record is the delivery log
 * and /status.json).
 */
import { sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { execBatch } from "../platform/db/guard";
import { newId } from "../lib/ids";
import { markOutboxDone } from "../ledger/history/outbox.repo";
import { dispatchDeliveries } from "./dispatch";
import type { DeliveryQueue } from "./messages";

/**
 * A subscription's filters (`s`) against an event-like row: its type, agreement, commitment and
 * recording time as SQL expressions, with the commitment `c` and agreement `a` joined. One
 * definition for fan-out and for the sweep's reminders (which have no event row yet).
 */
export function subscriptionFilters(e: { type: string | null; agreementId: string; commitmentId: string; recordedAt: string }): string {
  return `s.created_at <= ${e.recordedAt}
    ${e.type === null ? "" : `AND (s.event_types IS NULL OR EXISTS (SELECT 1 FROM json_each(s.event_types) WHERE value = ${e.type}))`}
    AND (s.agreements IS NULL OR EXISTS (SELECT 1 FROM json_each(s.agreements) WHERE value = ${e.agreementId}))
    AND (s.commitments IS NULL OR EXISTS (SELECT 1 FROM json_each(s.commitments) WHERE value = ${e.commitmentId}))
    AND (s.tags IS NULL OR EXISTS (
      SELECT 1 FROM json_each(s.tags) st, json_each(coalesce(c.tags, '[]')) ct WHERE st.value = ct.value))
    AND (s.parties IS NULL OR EXISTS (
      SELECT 1 FROM json_each(s.party_keys) sp, json_each(coalesce(c.party_keys, a.party_keys, '[]')) ep
      WHERE sp.value = ep.value))`;
}

/**
 * The filter match of subscription `s` against event `e` (with its commitment `c`, agreement `a`).
 * Reminders (commitment.still_overdue) were recorded for one subscription, named in their data.
 */
export const MATCHES = sql.raw(`(
  CASE WHEN e.type LIKE 'subscription.%' OR e.type = 'commitment.still_overdue' THEN json_extract(e.data, '$.subscription_id') = s.id
  ELSE ${subscriptionFilters({ type: "e.type", agreementId: "e.agreement_id", commitmentId: "e.commitment_id", recordedAt: "e.recorded_at" })}
  END)`);

export interface FanoutResult {
  deliveries: number;
  sendCalls: number;
  /** The first `keep` deliveries, not put on the queue: the caller attempts them itself. */
  kept: string[];
}

/**
 * `perMessage`: deliveries per deliver message (the consumer passes what one invocation
 * attempts). `keep`: how many the caller will attempt in this invocation instead of a queue hop
 * (the consumer; it must then not acknowledge the fan-out message before they are recorded, so a
 * crash makes the fan-out run again and send them).
 */
export async function fanOut(db: Db, queue: DeliveryQueue, eventIds: string[], now: number, perMessage?: number, keep = 0): Promise<FanoutResult> {
  const ids = JSON.stringify(eventIds);
  const idPrefix = newId("dlv", now).slice(0, 14);
  await execBatch(db, [
    db.run(sql`
      INSERT OR IGNORE INTO deliveries (id, event_id, subscription_id, state, attempts, next_attempt_at, created_at, updated_at)
      SELECT ${idPrefix} || upper(hex(randomblob(8))), e.id, s.id, 'pending', 0, ${now}, ${now}, ${now}
      FROM events e
      LEFT JOIN commitments c ON c.id = e.commitment_id
      LEFT JOIN agreements a ON a.id = e.agreement_id
      JOIN subscriptions s ON s.state = 'active' AND ${MATCHES}
      WHERE e.id IN (SELECT value FROM json_each(${ids}))`),
    markOutboxDone(db, ids),
  ]);
  // Everything of these events not yet attempted; a repeated fan-out re-sends them, and the
  // consumer's claim makes the duplicate harmless.
  const pending = await db.all<{ id: string }>(sql`
    SELECT id FROM deliveries
    WHERE event_id IN (SELECT value FROM json_each(${ids})) AND state = 'pending' AND attempts = 0`);
  const pendingIds = pending.map((r) => r.id);
  const kept = pendingIds.slice(0, Math.max(0, keep));
  const sendCalls = await dispatchDeliveries(queue, pendingIds.slice(kept.length), perMessage);
  return { deliveries: pending.length, sendCalls, kept };
}
