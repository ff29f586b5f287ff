import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per sweep run, for /status.json and /healthz. */
export const sweepRuns = sqliteTable("sweep_runs", {
  id: integer().primaryKey({ autoIncrement: true }),
  /** controller.scheduledTime: the sweep's `now`. */
  scheduledAt: integer().notNull(),
  startedAt: integer().notNull(),
  finishedAt: integer(),
  dueSoon: integer().notNull().default(0),
  overdue: integer().notNull().default(0),
  /** commitment.stale and commitment.still_overdue events recorded (migration 0006). */
  stale: integer().notNull().default(0),
  reminders: integer().notNull().default(0),
  outboxResent: integer().notNull().default(0),
  deliveriesResent: integer().notNull().default(0),
  /** Finished deliveries the run's retention step deleted (alerts/retention.repo.ts). */
  pruned: integer().notNull().default(0),
  /** D1 queries the run issued (D1 allows 50 per invocation on free plans, 1,000 on paid). */
  queries: integer().notNull().default(0),
  /** Queue sendBatch calls the run made (each is a subrequest). */
  sendCalls: integer().notNull().default(0),
  error: text(),
});

export type SweepRunRow = typeof sweepRuns.$inferSelect;
