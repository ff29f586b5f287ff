/**
 * Poll messages on their own queue (pledgewatch-polls, binding POLLS). A queue of their own
 * because a poll's cost is outgoing fetches, not deliveries: its consumer takes one message per
 * invocation (max_batch_size = 1 in wrangler.toml), so the subrequests of one invocation are
 * bounded by SOURCES_PER_MESSAGE × (1 + MAX_REDIRECTS) = 28, inside the free plan's 50, and a
 * slow source never delays a webhook. D1 queries too (each statement of a batch counted): 3 for
 * the message (its sources, the items seen before, one matching statement for all its items) and
 * at most 6 per source (seen items, proposals, their events and outbox rows, health, the events'
 * ids): 3 + 7 × 6 = 45, inside the free plan's 50 however many items the feeds bring
 * (tests/watch/poll.test.ts counts them; bench/watch.mjs BENCH_ONLY=polls measures them). The source rows are the record (next_poll_at is a lease);
 * a lost message costs one lease period, never a poll.
 */
import * as v from "valibot";
import { chunks, SEND_BATCH_MAX } from "../alerts/messages";
import { MAX_REDIRECTS } from "./fetch";

export const SOURCES_PER_MESSAGE = 7;
/** Fetches one poll message may cause at most (each redirect hop is a subrequest). */
export const MAX_FETCHES_PER_MESSAGE = SOURCES_PER_MESSAGE * (1 + MAX_REDIRECTS);

export const PollMessage = v.object({
  kind: v.literal("poll"),
  sourceIds: v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(SOURCES_PER_MESSAGE)),
});
export type PollMessage = v.InferOutput<typeof PollMessage>;

/** The producer side of the polls queue (env.POLLS); a port so tests can observe it. */
export interface PollQueue {
  sendBatch(messages: Iterable<{ body: PollMessage; delaySeconds?: number }>): Promise<unknown>;
}

/** The polls binding with its message type: the one place the untyped binding is cast. */
export const pollsQueue = (env: Env): PollQueue => env.POLLS as unknown as PollQueue;

/** Sends poll messages for these sources; returns the number of sendBatch calls. */
export async function sendPolls(queue: PollQueue, sourceIds: string[]): Promise<number> {
  const messages = chunks(sourceIds, SOURCES_PER_MESSAGE).map((ids) => ({ body: { kind: "poll" as const, sourceIds: ids } }));
  let calls = 0;
  for (const batch of chunks(messages, SEND_BATCH_MAX)) {
    await queue.sendBatch(batch);
    calls++;
  }
  return calls;
}
