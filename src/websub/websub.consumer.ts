/**
 * The deliveries queue's consumer with the hub beside the webhooks: the composition root hands
 * every batch here. The hub's own messages (websub.verify, websub.deliver) are handled here, each
 * on its own (ack when handled, retry with backoff on an unexpected error); a webhooks fan-out
 * message first fans the same events out to WebSub subscribers (idempotent), then goes on, with
 * every other message, to the webhooks' consumer (alerts/consumer.ts) unchanged. A fan-out whose
 * WebSub part failed is retried whole and not passed on, so neither part is lost. Dead letters
 * all go to the webhooks' consumer, which records them.
 */
import * as v from "valibot";
import { FanoutMessage } from "../alerts/messages";
import { distribute } from "./websub.deliver";
import { fanOutWebsub } from "./websub.fanout";
import { isWebsubKind, WebsubMessage } from "./websub.messages";
import { verifyRequests, type HubDeps } from "./websub.verify";

export async function handleQueueBatchWithHub(
  batch: MessageBatch<unknown>,
  deps: HubDeps,
  webhooks: (batch: MessageBatch<unknown>) => Promise<void>,
): Promise<void> {
  if (batch.queue.endsWith("-dlq")) return webhooks(batch);
  const passOn: Message<unknown>[] = [];
  for (const message of batch.messages) {
    try {
      if (isWebsubKind(message.body)) {
        const parsed = v.safeParse(WebsubMessage, message.body);
        // Unreadable: the webhooks' consumer records it as a dead letter.
        if (!parsed.success) {
          passOn.push(message);
          continue;
        }
        const body = parsed.output;
        if (body.kind === "websub.verify") await verifyRequests(deps, body.requestIds);
        else await distribute(deps, body.deliveryIds, body.dueAt);
        message.ack();
        continue;
      }
      const fanout = v.safeParse(FanoutMessage, message.body);
      if (fanout.success) await fanOutWebsub(deps.db, deps.queue, fanout.output.eventIds, deps.clock());
      passOn.push(message);
    } catch (error) {
      console.error("websub queue message failed; retrying", message.id, error);
      message.retry({ delaySeconds: Math.min(300, 5 * 2 ** Math.max(0, message.attempts - 1)) });
    }
  }
  if (passOn.length === 0) return;
  await webhooks({
    queue: batch.queue,
    messages: passOn,
    ackAll: () => passOn.forEach((m) => m.ack()),
    retryAll: (options?: QueueRetryOptions) => passOn.forEach((m) => m.retry(options)),
  } as unknown as MessageBatch<unknown>);
}
