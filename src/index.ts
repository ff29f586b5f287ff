/**
 * Composition root: three thin adapters. Each builds its dependencies and calls one domain
 * function.
 */
import { app } from "./app";

export default {
  fetch: app.fetch,
  async scheduled(_controller, _env, _ctx) {
    // The sweep arrives with the alerts work (sweep/sweep.ts).
  },
  async queue(batch) {
    // No consumer yet: retry rather than pretend to deliver.
    batch.retryAll();
  },
} satisfies ExportedHandler<Env>;
