import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per history event until it is fanned out (outbox.repo.ts says who writes and claims it). */
export const outbox = sqliteTable(
  "outbox",
  {
    eventId: text().primaryKey(),
    state: text().notNull().default("pending"), // pending | done
    /** When the sweep may re-send it if it is still pending (a lease against double sends). */
    nextAttemptAt: integer().notNull(),
    attempts: integer().notNull().default(0),
    createdAt: integer().notNull(),
  },
  (t) => [
    // The sweep's re-send scan (claimPendingOutbox).
    index("outbox_pending").on(t.nextAttemptAt).where(sql`state = 'pending'`),
  ],
);
