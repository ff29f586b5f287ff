/**
 * The queue consumer: each message on its own. Fan-out and deliver messages are acked once
 * handled (a failed delivery attempt is handled: it is recorded and rescheduled by deliver.ts);
 * an unexpected error retries the message with backoff, and after the queue's max_retries it lands
 * in the dead-letter queue, whose consumer records it in dead_letters. Nothing is dropped silently:
 * the outbox and deliveries rows stay pending and the sweep re-sends them.
 */
import * as v from "valibot";
import type { Db } from "../platform/db/client";
import { deadLetters } from "./delivery.table";
import { deliver, type DeliverDeps, type DeliverResult } from "./deliver";
import { dispatchDeliveries } from "./dispatch";
import { fanOut } from "./fanout";
import { QueueMessage } from "./messages";

async function recordDeadLetter(db: Db, message: Message<unknown>, queue: string, now: number): Promise<void> {
  let body: string;
  try {
    body = JSON.stringify(message.body) ?? "null";
  } catch {
    body = String(message.body);
  }
  await db.insert(deadLetters).values({
    messageId: message.id,
    queue,
    body: body.slice(0, 100_000),
    attempts: message.attempts,
    receivedAt: now,
  });
}

/** What one invocation did, for the delivery profile. */
export interface BatchSummary {
  attempted: number;
  receiverMs: number;
}

export async function handleQueueBatch(batch: MessageBatch<unknown>, deps: DeliverDeps): Promise<BatchSummary> {
  const summary: BatchSummary = { attempted: 0, receiverMs: 0 };
  const count = (r: DeliverResult) => {
    summary.attempted += r.attempted;
    summary.receiverMs += r.receiverMs;
  };
  const isDeadLetterQueue = batch.queue.endsWith("-dlq");
  // Fresh deliver messages of one batch, and the first deliveries of its fan-outs, are attempted
  // together: one claim, one load, one pool of 6 connections, outcomes recorded a few batches at a
  // time — instead of a round of each per message. At most `deliveriesPerInvocation` are
  // attempted here; the rest go back on the queue.
  const fresh: Array<{ message: Message<unknown>; ids: string[] }> = [];
  let budget = deps.config.deliveriesPerInvocation;
  const passOn: string[] = [];
  for (const message of batch.messages) {
    const now = deps.clock();
    try {
      if (isDeadLetterQueue) {
        await recordDeadLetter(deps.db, message, batch.queue, now);
        message.ack();
        continue;
      }
      const parsed = v.safeParse(QueueMessage, message.body);
      if (!parsed.success) {
        // A body this version cannot read: keep it for a human, do not retry forever.
        console.error("unreadable queue message", message.id, parsed.issues[0]?.message);
        await recordDeadLetter(deps.db, message, batch.queue, now);
        message.ack();
        continue;
      }
      const body = parsed.output;
      if (body.kind === "deliver" && body.dueAt === undefined) {
        fresh.push({ message, ids: body.deliveryIds });
        continue;
      }
      if (body.kind === "fanout") {
        // The first deliveries go out from this invocation, without a queue hop; the message is
        // acknowledged with the fresh ones, once they are recorded.
        const { kept } = await fanOut(deps.db, deps.queue, body.eventIds, now, deps.config.deliveriesPerInvocation, Math.max(0, budget));
        if (kept.length > 0) {
          fresh.push({ message, ids: kept });
          continue;
        }
      } else {
        count(await deliver(deps, body.deliveryIds, body.dueAt));
        budget -= body.deliveryIds.length;
      }
      message.ack();
    } catch (error) {
      retry(message, error);
    }
  }
  if (fresh.length === 0) return summary;
  try {
    const ids = [...new Set(fresh.flatMap((f) => f.ids))];
    const here = ids.slice(0, Math.max(0, budget));
    passOn.push(...ids.slice(here.length));
    // Sent on first: another invocation can start on them while this one sends.
    await dispatchDeliveries(deps.queue, passOn, deps.config.deliveriesPerInvocation);
    if (here.length > 0) count(await deliver(deps, here));
    for (const f of fresh) f.message.ack();
  } catch (error) {
    for (const f of fresh) retry(f.message, error);
  }
  return summary;
}

function retry(message: Message<unknown>, error: unknown): void {
  console.error("queue message failed; retrying", message.id, error);
  message.retry({ delaySeconds: Math.min(300, 5 * 2 ** Math.max(0, message.attempts - 1)) });
}
