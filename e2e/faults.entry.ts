/**
 * A test-only entry point for the fault tests (e2e/faults.test.ts), served by `wrangler dev
 * e2e/faults.entry.ts` with the project's wrangler.toml (same D1, same queue, same consumer).
 * It is the real worker plus two fault injectors that the production entry must never have:
 *
 *  - POST /__faults/enqueue {messages, copies}: puts raw bodies on the deliveries queue, each
 *    `copies` times, to play a queue that delivers one message more than once;
 *  - POST /__faults/sweep-crash?time=<ms>: the real sweep (runSweep) with a queue whose
 *    sendBatch throws, i.e. a sweep that dies after its D1 batch committed and before anything
 *    reached the queue.
 *
 * Never deployed: wrangler.toml's `main` stays src/index.ts.
 */
import worker from "../src/index";
import { createDb } from "../src/platform/db/client";
import { countQueries } from "../src/platform/db/counting";
import { deliveriesQueue, type DeliveryQueue, type QueueMessage } from "../src/alerts/messages";
import { readConfig } from "../src/platform/config";
import { runSweep, sweepSettings } from "../src/alerts/sweep/sweep";

const killedQueue: DeliveryQueue = {
  async send() {
    throw new Error("killed before enqueue");
  },
  async sendBatch() {
    throw new Error("killed before enqueue");
  },
};

export default {
  ...worker,
  async fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname === "/__faults/enqueue") {
      const { messages, copies = 2 } = (await request.json()) as { messages: QueueMessage[]; copies?: number };
      const queue = deliveriesQueue(env);
      for (let i = 0; i < copies; i++) await queue.sendBatch(messages.map((body) => ({ body })));
      return Response.json({ sent: messages.length * copies });
    }
    if (request.method === "POST" && url.pathname === "/__faults/sweep-crash") {
      const time = Number(url.searchParams.get("time") ?? Date.now());
      const counter = countQueries(env.DB);
      try {
        await runSweep(
          { db: createDb(counter.d1), queue: killedQueue, ...sweepSettings(readConfig(env)), queryCount: counter.count, clock: Date.now },
          time,
          Date.now(),
        );
        return Response.json({ crashed: false });
      } catch (error) {
        return Response.json({ crashed: true, error: String(error) });
      }
    }
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
