/**
 * Fan-out to WebSub subscribers: for the events of one fan-out message (the same outbox-driven
 * message that fans out webhooks), one distribution row per (event, subscription whose topic's
 * feed shows that event). Set-based: one INSERT … SELECT joins the events to the active,
 * unexpired subscriptions and matches each topic's filter in SQL (FEED_TOPIC_MATCH, the feed's
 * own filter), however many subscribers there are; then deliver messages, a subscription's rows
 * kept together so each message sends it one POST. Idempotent: the unique (event, subscription)
 * index ignores a second fan-out of the same events, and only never-attempted rows are sent.
 * A subscription receives the events recorded after it was first verified.
 */
import { sql } from "drizzle-orm";
import { chunks } from "../alerts/messages";
import type { Db } from "../platform/db/client";
import { execBatch } from "../platform/db/guard";
import { newId } from "../lib/ids";
import { FEED_TOPIC_MATCH } from "../readside/feeds/feeds.repo";
import { sendAllWebsub, WEBSUB_DELIVER_CHUNK, type WebsubQueue } from "./websub.messages";

export interface WebsubFanoutResult {
  deliveries: number;
  sendCalls: number;
}

export async function fanOutWebsub(db: Db, queue: WebsubQueue, eventIds: string[], now: number): Promise<WebsubFanoutResult> {
  const ids = JSON.stringify(eventIds);
  const idPrefix = newId("wsd", now).slice(0, 14);
  await execBatch(db, [
    db.run(sql`
      INSERT OR IGNORE INTO websub_deliveries (id, event_id, subscription_id, state, attempts, next_attempt_at, created_at, updated_at)
      SELECT ${idPrefix} || upper(hex(randomblob(8))), e.id, s.id, 'pending', 0, ${now}, ${now}, ${now}
      FROM events e
      LEFT JOIN commitments c ON c.id = e.commitment_id
      LEFT JOIN agreements a ON a.id = e.agreement_id
      JOIN websub_subscriptions s ON s.state = 'active' AND s.expires_at > ${now} AND s.subscribed_at <= e.recorded_at AND ${FEED_TOPIC_MATCH}
      WHERE e.id IN (SELECT value FROM json_each(${ids}))`),
  ]);
  const pending = await db.all<{ id: string; subscription_id: string }>(sql`
    SELECT id, subscription_id FROM websub_deliveries
    WHERE event_id IN (SELECT value FROM json_each(${ids})) AND state = 'pending' AND attempts = 0
    ORDER BY subscription_id, id`);
  if (pending.length === 0) return { deliveries: 0, sendCalls: 0 };
  // Whole subscriptions per message where they fit, so a subscriber gets one POST per fan-out.
  const messages: string[][] = [];
  let current: string[] = [];
  let i = 0;
  while (i < pending.length) {
    let j = i;
    while (j < pending.length && pending[j]!.subscription_id === pending[i]!.subscription_id) j++;
    const group = pending.slice(i, j).map((r) => r.id);
    if (current.length + group.length > WEBSUB_DELIVER_CHUNK && current.length > 0) {
      messages.push(current);
      current = [];
    }
    for (const part of chunks(group, WEBSUB_DELIVER_CHUNK)) {
      if (current.length + part.length > WEBSUB_DELIVER_CHUNK) {
        messages.push(current);
        current = [];
      }
      current.push(...part);
    }
    i = j;
  }
  if (current.length > 0) messages.push(current);
  const sendCalls = await sendAllWebsub(
    queue,
    messages.map((deliveryIds) => ({ body: { kind: "websub.deliver" as const, deliveryIds } })),
  );
  return { deliveries: pending.length, sendCalls };
}
