/**
 * Composition root: three thin adapters. Each builds its dependencies and calls domain
 * functions: the HTTP app; the cron (the WebSub hub's leases and re-sends, the sweep, then the
 * evidence watch's claim of due sources); the queues (deliveries and their dead letters, the hub's
 * messages and fan-out through websub/ first, and the polls queue, switched on batch.queue).
 */
import { app } from "./app";
import { createDb } from "./platform/db/client";
import { countQueries } from "./platform/db/counting";
import { handleQueueBatch, type BatchSummary } from "./alerts/consumer";
import { deliveriesQueue, timedQueue } from "./alerts/messages";
import { readConfig } from "./platform/config";
import { runSweep, sweepSettings } from "./alerts/sweep/sweep";
import { handleQueueBatchWithHub } from "./websub/websub.consumer";
import { readWebsubConfig } from "./websub/websub.config";
import { websubQueue } from "./websub/websub.messages";
import { runWebsubSweep } from "./websub/websub.sweep";
import { enqueueDuePolls, handlePollBatch } from "./watch/poll";
import { pollsQueue } from "./watch/messages";

const POLLS_QUEUE = "pledgewatch-polls";

export default {
  fetch: app.fetch,

  async scheduled(controller, env, _ctx) {
    const counter = countQueries(env.DB);
    const db = createDb(counter.d1);
    // The hub's few queries first, on the same count: the sweep's budget then sees them.
    const config = readConfig(env);
    await runWebsubSweep(db, websubQueue(env), controller.scheduledTime, {
      succeededMs: config.deliveryRetentionMs,
      failedMs: config.failedDeliveryRetentionMs,
    });
    try {
      await runSweep(
        {
          db,
          queue: deliveriesQueue(env),
          ...sweepSettings(config),
          queryCount: counter.count,
          clock: Date.now,
        },
        controller.scheduledTime,
        Date.now(),
      );
    } finally {
      // Beside the sweep, even when it failed: claim the sources due for a poll and queue them.
      await enqueueDuePolls(db, pollsQueue(env), controller.scheduledTime).catch((error) =>
        console.error("claiming due sources failed; the next cron claims them", error),
      );
    }
  },

  async queue(batch, env, _ctx) {
    const config = readConfig(env);
    const counter = countQueries(env.DB);
    const db = createDb(counter.d1);
    const fetcher: typeof fetch = (input, init) => fetch(input, init);
    if (batch.queue === POLLS_QUEUE) {
      await handlePollBatch(batch, {
        db,
        fetch: fetcher,
        deliveries: deliveriesQueue(env),
        allowPrivate: config.allowPrivateWebhookTargets,
        clock: Date.now,
        queryCount: counter.count,
      });
      return;
    }
    const started = Date.now();
    const queue = timedQueue(deliveriesQueue(env));
    let summary: BatchSummary | null = null;
    await handleQueueBatchWithHub(
      batch,
      { db, queue: websubQueue(env), fetch: fetcher, config, websub: readWebsubConfig(env), clock: Date.now, random: Math.random },
      async (rest) => {
        summary = await handleQueueBatch(rest, { db, queue, fetch: fetcher, config, clock: Date.now, random: Math.random });
      },
    );
    // One line per invocation where its time went (bench/README.md: "Where a delivery's time goes").
    if (config.deliveryProfile && summary) {
      const s: BatchSummary = summary;
      console.info(
        `delivery-profile ${JSON.stringify({
          messages: batch.messages.length,
          attempted: s.attempted,
          wallMs: Date.now() - started,
          d1Queries: counter.count(),
          d1RowsWritten: counter.rowsWritten(),
          d1WaitMs: counter.waitMs(),
          queueCalls: queue.calls(),
          queueWaitMs: queue.waitMs(),
          receiverMs: s.receiverMs,
        })}`,
      );
    }
  },
} satisfies ExportedHandler<Env>;
