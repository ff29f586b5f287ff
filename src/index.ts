/**
 * Composition root: three thin adapters. Each builds its dependencies and calls domain
 * functions: the HTTP app; the cron (the sweep, then the evidence watch's claim of due sources);
 * the queues (deliveries and their dead letters, and the polls queue, switched on batch.queue).
 */
import { app } from "./app";
import { createDb } from "./platform/db/client";
import { countQueries } from "./platform/db/counting";
import { handleQueueBatch } from "./alerts/consumer";
import { deliveriesQueue } from "./alerts/messages";
import { readConfig } from "./platform/config";
import { runSweep } from "./alerts/sweep/sweep";
import { enqueueDuePolls, handlePollBatch } from "./watch/poll";
import { pollsQueue } from "./watch/messages";

const POLLS_QUEUE = "pledgewatch-polls";

export default {
  fetch: app.fetch,

  async scheduled(controller, env, _ctx) {
    const counter = countQueries(env.DB);
    try {
      await runSweep(
        {
          db: createDb(counter.d1),
          queue: deliveriesQueue(env),
          leadDays: readConfig(env).dueSoonDays,
          queryCount: counter.count,
          clock: Date.now,
        },
        controller.scheduledTime,
        Date.now(),
      );
    } finally {
      // Beside the sweep, even when it failed: claim the sources due for a poll and queue them.
      await enqueueDuePolls(createDb(counter.d1), pollsQueue(env), controller.scheduledTime).catch((error) =>
        console.error("claiming due sources failed; the next cron claims them", error),
      );
    }
  },

  async queue(batch, env, _ctx) {
    const config = readConfig(env);
    if (batch.queue === POLLS_QUEUE) {
      await handlePollBatch(batch, {
        db: createDb(env.DB),
        fetch: (input, init) => fetch(input, init),
        deliveries: deliveriesQueue(env),
        allowPrivate: config.allowPrivateWebhookTargets,
        clock: Date.now,
      });
      return;
    }
    await handleQueueBatch(batch, {
      db: createDb(env.DB),
      queue: deliveriesQueue(env),
      fetch: (input, init) => fetch(input, init),
      config,
      clock: Date.now,
      random: Math.random,
    });
  },
} satisfies ExportedHandler<Env>;
