/**
 * Composition root: three thin adapters. Each builds its dependencies and calls one domain
 * function: the HTTP app, the sweep (cron), the delivery consumer (queue and its dead letters).
 */
import { app } from "./app";
import { createDb } from "./platform/db/client";
import { countQueries } from "./platform/db/counting";
import { handleQueueBatch } from "./alerts/consumer";
import { deliveriesQueue } from "./alerts/messages";
import { readConfig } from "./platform/config";
import { runSweep, sweepSettings } from "./alerts/sweep/sweep";

export default {
  fetch: app.fetch,

  async scheduled(controller, env, _ctx) {
    const counter = countQueries(env.DB);
    await runSweep(
      {
        db: createDb(counter.d1),
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
    await handleQueueBatch(batch, {
      db: createDb(env.DB),
      queue: deliveriesQueue(env),
      fetch: (input, init) => fetch(input, init),
      config: readConfig(env),
      clock: Date.now,
      random: Math.random,
    });
  },
} satisfies ExportedHandler<Env>;
