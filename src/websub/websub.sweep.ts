/**
 * The hub's part of each cron run (called by the composition root after the ledger's sweep):
 *  1. leases that ran out end, set-based: one range scan on the active subscriptions' expiry,
 *     their pending distributions cancelled and their state set to expired in one batch;
 *  2. subscription requests and distributions still pending well past their time (their queue
 *     message was lost) are claimed and sent again;
 *  3. retention: finished distributions past the delivery log's ages (the webhooks' settings)
 *     are deleted with their attempts, oldest first, at most PRUNE_ROUNDS rounds of PRUNE_CHUNK
 *     per final state.
 * Bounded per run; safe to run twice.
 */
import { sql } from "drizzle-orm";
import { chunks } from "../alerts/messages";
import type { Db } from "../platform/db/client";
import { execBatch } from "../platform/db/guard";
import { sendAllWebsub, WEBSUB_DELIVER_CHUNK, type WebsubQueue } from "./websub.messages";

/** A pending request or distribution this long past due has lost its message. */
export const WEBSUB_RESEND_GRACE_MS = 10 * 60_000;
const CLAIM_SIZE = 5000;

/** Distributions deleted per state and round, and rounds per run. */
export const PRUNE_CHUNK = 1000;
const PRUNE_ROUNDS = 2;

export interface WebsubSweepResult {
  expired: number;
  requests: number;
  deliveries: number;
  sendCalls: number;
  pruned: number;
}

/** How long finished distributions are kept, by final state (the webhooks' retention). */
export interface WebsubRetention {
  succeededMs: number;
  failedMs: number;
}

/**
 * Up to PRUNE_CHUNK finished distributions of each final state past its age, oldest first, each
 * state through the index websub_deliveries_settled_updated: their attempts, then them.
 */
function pruneStatements(db: Db, retention: WebsubRetention, now: number) {
  const oldest = (state: string, cutoff: number) =>
    sql`SELECT id FROM (SELECT id FROM websub_deliveries WHERE state = ${state} AND updated_at < ${cutoff} ORDER BY updated_at, id LIMIT ${sql.raw(String(PRUNE_CHUNK))})`;
  const doomed = sql`${oldest("succeeded", now - retention.succeededMs)} UNION ALL ${oldest("failed", now - retention.failedMs)} UNION ALL ${oldest("cancelled", now - retention.failedMs)}`;
  return [
    db.run(sql`DELETE FROM delivery_attempts WHERE delivery_id IN (${doomed})`),
    db.run(sql`DELETE FROM websub_deliveries WHERE id IN (${doomed})`),
  ];
}

export async function runWebsubSweep(db: Db, queue: WebsubQueue, now: number, retention: WebsubRetention): Promise<WebsubSweepResult> {
  const [, expired] = await execBatch(db, [
    db.run(sql`
      UPDATE websub_deliveries SET state = 'cancelled', last_error = 'the lease expired', updated_at = ${now}
      WHERE state = 'pending' AND subscription_id IN (
        SELECT id FROM websub_subscriptions WHERE state = 'active' AND expires_at <= ${now})`),
    db.run(sql`UPDATE websub_subscriptions SET state = 'expired', updated_at = ${now} WHERE state = 'active' AND expires_at <= ${now}`),
  ]);
  const requests = await db.all<{ id: string }>(sql`
    UPDATE websub_requests SET next_attempt_at = ${now}
    WHERE id IN (SELECT id FROM websub_requests WHERE state = 'pending' AND next_attempt_at <= ${now - WEBSUB_RESEND_GRACE_MS}
      ORDER BY next_attempt_at LIMIT ${CLAIM_SIZE})
    RETURNING id`);
  const deliveries = await db.all<{ id: string }>(sql`
    UPDATE websub_deliveries SET next_attempt_at = ${now}
    WHERE id IN (SELECT id FROM websub_deliveries WHERE state = 'pending' AND next_attempt_at <= ${now - WEBSUB_RESEND_GRACE_MS}
      ORDER BY next_attempt_at LIMIT ${CLAIM_SIZE})
    RETURNING id`);
  const sendCalls = await sendAllWebsub(queue, [
    ...chunks(requests.map((r) => r.id), 100).map((requestIds) => ({ body: { kind: "websub.verify" as const, requestIds } })),
    ...chunks(deliveries.map((r) => r.id), WEBSUB_DELIVER_CHUNK).map((deliveryIds) => ({ body: { kind: "websub.deliver" as const, deliveryIds } })),
  ]);
  // One batch of two statements for the three final states; a second round only while some state
  // still had a full chunk (an idle run costs two queries).
  let pruned = 0;
  for (let round = 0; round < PRUNE_ROUNDS; round++) {
    const [, deleted] = await execBatch(db, pruneStatements(db, retention, now));
    const n = deleted?.meta.changes ?? 0;
    pruned += n;
    if (n < PRUNE_CHUNK) break;
  }
  return { expired: expired?.meta.changes ?? 0, requests: requests.length, deliveries: deliveries.length, sendCalls, pruned };
}
