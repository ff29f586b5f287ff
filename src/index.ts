/**
 * Composition root: three thin adapters. Each builds its dependencies and calls one domain
 * function: the HTTP app, the sweep (cron; the WebSub hub's leases and re-sends first), the delivery
 * consumer (queue and its dead letters; the hub's messages and fan-out go through websub/ first).
 */
import { app } from "./app";
import { createDb } from "./platform/db/client";
import { countQueries } from "./platform/db/counting";
import { handleQueueBatch } from "./alerts/consumer";
import { deliveriesQueue } from "./alerts/messages";
import { readConfig } from "./platform/config";
import { runSweep, sweepSettings } from "./alerts/sweep/sweep";
import { handleQueueBatchWithHub } from "./websub/websub.consumer";
import { readWebsubConfig } from "./websub/websub.config";
import { websubQueue } from "./websub/websub.messages";
import { runWebsubSweep } from "./websub/websub.sweep";

export default {
  fetch: app.fetch,

  async scheduled(controller, env, _ctx) {
    const counter = countQueries(env.DB);
    const db = createDb(counter.d1);
    // The hub's few queries first, on the same count: the sweep's budget then sees them.
    await runWebsubSweep(db, websubQueue(env), controller.scheduledTime);
    await runSweep(
      {
        db,
        queue: deliveriesQueue(env),
        ...sweepSettings(readConfig(env)),
        queryCount: counter.count,
        clock: Date.now,
      },
      controller.scheduledTime,
      Date.now(),
    );
  },

  async queue(batch, env, _ctx) {
    const db = createDb(env.DB);
    const config = readConfig(env);
    const fetcher: typeof fetch = (input, init) => fetch(input, init);
    await handleQueueBatchWithHub(
      batch,
      { db, queue: websubQueue(env), fetch: fetcher, config, websub: readWebsubConfig(env), clock: Date.now, random: Math.random },
      (rest) => handleQueueBatch(rest, { db, queue: deliveriesQueue(env), fetch: fetcher, config, clock: Date.now, random: Math.random }),
    );
  },
} satisfies ExportedHandler<Env>;
