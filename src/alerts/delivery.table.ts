import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** One row per (event, subscription): the delivery log. */
export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text().primaryKey(),
    eventId: text().notNull(),
    subscriptionId: text().notNull(),
    /** pending | succeeded | failed | cancelled */
    state: text().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: integer().notNull(),
    lastStatusCode: integer(),
    lastError: text(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
    deliveredAt: integer(),
  },
  (t) => [
    // Exactly one delivery per event and subscription, however often fan-out runs.
    uniqueIndex("deliveries_event_subscription").on(t.eventId, t.subscriptionId),
    // The delivery log of a subscription, newest first.
    index("deliveries_subscription_created").on(t.subscriptionId, t.createdAt),
    // The sweep's re-send scan for deliveries whose message was lost. Used by dispatch.ts.
    index("deliveries_pending_due").on(t.nextAttemptAt).where(sql`state = 'pending'`),
    // Retention (retention.repo.ts): the oldest finished deliveries of one final state, in order.
    index("deliveries_settled_updated").on(t.state, t.updatedAt, t.id).where(sql`state <> 'pending'`),
  ],
);

/** Every attempt, for the delivery log: when, status, latency, error, a short excerpt. */
export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    deliveryId: text().notNull(),
    attemptedAt: integer().notNull(),
    statusCode: integer(),
    latencyMs: integer().notNull(),
    error: text(),
    responseExcerpt: text(),
  },
  (t) => [index("delivery_attempts_delivery").on(t.deliveryId, t.id)],
);

/** Queue messages that exhausted the queue's own retries: recorded, never dropped. */
export const deadLetters = sqliteTable("dead_letters", {
  id: integer().primaryKey({ autoIncrement: true }),
  messageId: text().notNull(),
  queue: text().notNull(),
  body: text().notNull(),
  attempts: integer().notNull(),
  receivedAt: integer().notNull(),
});

export type DeliveryRow = typeof deliveries.$inferSelect;
