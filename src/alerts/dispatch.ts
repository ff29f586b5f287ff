/**
 * Getting committed work onto the queue. The outbox and deliveries rows are the record; a queue
 * message is only a nudge, so every function here is safe to run twice.
 *
 * - `dispatchEvents`: right after a write commits, the writer sends fan-out messages for the
 *   events it recorded.
 * - `resendPending` (run by the sweep): outbox rows still pending past their lease, and pending
 *   deliveries whose message must have been lost, are claimed and sent again.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { claimPendingOutbox } from "../ledger/history/outbox.repo";
import { chunks, DELIVER_CHUNK, FANOUT_CHUNK, sendAll, type DeliveryQueue } from "./messages";

/** A pending delivery this long past its due time has lost its message: the sweep re-sends it. */
export const DELIVERY_RESEND_GRACE_MS = 10 * 60_000;
/** Rows claimed per statement; the sweep repeats up to MAX_ROUNDS times per run. */
const CLAIM_SIZE = 5000;
const MAX_ROUNDS = 4;

export async function dispatchEvents(queue: DeliveryQueue, eventIds: string[]): Promise<number> {
  if (eventIds.length === 0) return 0;
  return sendAll(
    queue,
    chunks(eventIds, FANOUT_CHUNK).map((ids) => ({ body: { kind: "fanout", eventIds: ids } })),
  );
}

/** Deliver messages of `perMessage` deliveries (at most DELIVER_CHUNK). */
export async function dispatchDeliveries(queue: DeliveryQueue, deliveryIds: string[], perMessage = DELIVER_CHUNK): Promise<number> {
  if (deliveryIds.length === 0) return 0;
  return sendAll(
    queue,
    chunks(deliveryIds, Math.max(1, Math.min(DELIVER_CHUNK, perMessage))).map((ids) => ({ body: { kind: "deliver", deliveryIds: ids } })),
  );
}

export interface ResendResult {
  outbox: number;
  deliveries: number;
  sendCalls: number;
}

/**
 * Claims (moves the lease forward, so an overlapping run does not take the same rows) and
 * re-sends pending outbox rows and stale pending deliveries. Bounded per run.
 */
export async function resendPending(db: Db, queue: DeliveryQueue, now: number): Promise<ResendResult> {
  const result: ResendResult = { outbox: 0, deliveries: 0, sendCalls: 0 };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const claimed = await claimPendingOutbox(db, now, CLAIM_SIZE);
    if (claimed.length === 0) break;
    result.outbox += claimed.length;
    result.sendCalls += await dispatchEvents(queue, claimed);
    if (claimed.length < CLAIM_SIZE) break;
  }
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Due again now (not later): the consumer claims a delivery only once it is due.
    const claimed = await db.all<{ id: string }>(sql`
      UPDATE deliveries SET next_attempt_at = ${now}
      WHERE id IN (
        SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ${now - DELIVERY_RESEND_GRACE_MS}
        ORDER BY next_attempt_at LIMIT ${CLAIM_SIZE})
      RETURNING id`);
    if (claimed.length === 0) break;
    result.deliveries += claimed.length;
    result.sendCalls += await dispatchDeliveries(queue, claimed.map((r) => r.id));
    if (claimed.length < CLAIM_SIZE) break;
  }
  return result;
}
