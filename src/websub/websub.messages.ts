/**
 * The hub's queue messages. They travel on the same deliveries queue as the webhooks' (the
 * composition root routes them: websub.consumer.ts); the consumer validates every body.
 */
import * as v from "valibot";
import { chunks, SEND_BATCH_MAX } from "../alerts/messages";

/** Verify the intent of these subscription requests (GET to each callback with a challenge). */
export const WebsubVerifyMessage = v.object({
  kind: v.literal("websub.verify"),
  requestIds: v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(100)),
});

/** Send these content distributions; `dueAt` marks a delayed retry, as for webhook deliveries. */
export const WebsubDeliverMessage = v.object({
  kind: v.literal("websub.deliver"),
  deliveryIds: v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(100)),
  dueAt: v.optional(v.number()),
});

export const WebsubMessage = v.variant("kind", [WebsubVerifyMessage, WebsubDeliverMessage]);
export type WebsubMessage = v.InferOutput<typeof WebsubMessage>;

export const isWebsubKind = (body: unknown): boolean =>
  typeof body === "object" && body !== null && typeof (body as { kind?: unknown }).kind === "string" && (body as { kind: string }).kind.startsWith("websub.");

/** Distributions per deliver message: one message's rows of a subscription go out as one POST. */
export const WEBSUB_DELIVER_CHUNK = 50;

/** The producer side for the hub's messages (env.DELIVERIES); a port so tests can observe it. */
export interface WebsubQueue {
  send(body: WebsubMessage, options?: { delaySeconds?: number }): Promise<unknown>;
  sendBatch(messages: Iterable<{ body: WebsubMessage; delaySeconds?: number }>): Promise<unknown>;
}

/** The deliveries binding typed for the hub's messages: the one place it is cast for them. */
export const websubQueue = (env: Env): WebsubQueue => env.DELIVERIES as unknown as WebsubQueue;

/** Sends messages in sendBatch calls of at most 100; returns the number of calls. */
export async function sendAllWebsub(queue: WebsubQueue, messages: Array<{ body: WebsubMessage; delaySeconds?: number }>): Promise<number> {
  let calls = 0;
  for (const batch of chunks(messages, SEND_BATCH_MAX)) {
    await queue.sendBatch(batch);
    calls++;
  }
  return calls;
}
