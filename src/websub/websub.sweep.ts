/**
 * The hub's part of each cron run (called by the composition root after the ledger's sweep):
 *  1. leases that ran out end, set-based: one range scan on the active subscriptions' expiry,
 *     their pending distributions cancelled and their state set to expired in one batch;
 *  2. subscription requests and distributions still pending well past their time (their queue
 *     message was lost) are claimed and sent again. Bounded per run; safe to run twice.
 */
import { sql } from "drizzle-orm";
import { chunks } from "../alerts/messages";
import type { Db } from "../platform/db/client";
import { execBatch } from "../platform/db/guard";
import { sendAllWebsub, WEBSUB_DELIVER_CHUNK, type WebsubQueue } from "./websub.messages";

/** A pending request or distribution this long past due has lost its message. */
export const WEBSUB_RESEND_GRACE_MS = 10 * 60_000;
const CLAIM_SIZE = 5000;

export interface WebsubSweepResult {
  expired: number;
  requests: number;
  deliveries: number;
  sendCalls: number;
}

export async function runWebsubSweep(db: Db, queue: WebsubQueue, now: number): Promise<WebsubSweepResult> {
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
  return { expired: expired?.meta.changes ?? 0, requests: requests.length, deliveries: deliveries.length, sendCalls };
}
