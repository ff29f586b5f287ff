/**
 * Queue message bodies. Producer and consumer can run different deployed versions, so the
 * consumer validates every body (valibot) and records what it cannot read.
 */
import * as v from "valibot";

/** Fan out these events into deliveries (one row per matching subscription). */
export const FanoutMessage = v.object({
  kind: v.literal("fanout"),
  eventIds: v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(500)),
});

/**
 * Attempt these deliveries. `dueAt` marks a delayed retry: if the row's next attempt is still
 * later (Queues delay at most 12 h), the message is sent on again for the remainder.
 */
export const DeliverMessage = v.object({
  kind: v.literal("deliver"),
  deliveryIds: v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(100)),
  dueAt: v.optional(v.number()),
});

export const QueueMessage = v.variant("kind", [FanoutMessage, DeliverMessage]);
export type QueueMessage = v.InferOutput<typeof QueueMessage>;

/** Events per fan-out message; deliveries per deliver message. */
export const FANOUT_CHUNK = 100;
export const DELIVER_CHUNK = 100;
/** Queues: at most 100 messages per sendBatch, a delay of at most 12 h. */
export const SEND_BATCH_MAX = 100;
export const MAX_DELAY_SECONDS = 12 * 60 * 60;

/** The producer side of the deliveries queue (env.DELIVERIES); a port so tests can observe it. */
export interface DeliveryQueue {
  send(body: QueueMessage, options?: { delaySeconds?: number }): Promise<unknown>;
  sendBatch(messages: Iterable<{ body: QueueMessage; delaySeconds?: number }>): Promise<unknown>;
}

/** The deliveries binding with its message type: the one place the untyped binding is cast. */
export const deliveriesQueue = (env: Env): DeliveryQueue => env.DELIVERIES as unknown as DeliveryQueue;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Sends messages in sendBatch calls of at most 100; returns the number of calls. */
export async function sendAll(queue: DeliveryQueue, messages: Array<{ body: QueueMessage; delaySeconds?: number }>): Promise<number> {
  let calls = 0;
  for (const batch of chunks(messages, SEND_BATCH_MAX)) {
    await queue.sendBatch(batch);
    calls++;
  }
  return calls;
}

/** The queue with its calls counted and timed (for the delivery profile). */
export function timedQueue(queue: DeliveryQueue): DeliveryQueue & { calls(): number; waitMs(): number } {
  let calls = 0;
  let wait = 0;
  const timed = async (call: () => Promise<unknown>) => {
    const started = Date.now();
    calls++;
    try {
      return await call();
    } finally {
      wait += Date.now() - started;
    }
  };
  return {
    send: (body, options) => timed(() => queue.send(body, options)),
    sendBatch: (messages) => timed(() => queue.sendBatch(messages)),
    calls: () => calls,
    waitMs: () => wait,
  };
}
