import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Webhook subscriptions. Filters are JSON arrays, NULL = all; ANDed across kinds, ORed within
 * one (matched in SQL by fanout.ts). The secret must be stored as is: it keys the HMAC.
 */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    id: text().primaryKey(),
    url: text().notNull(),
    description: text().notNull().default(""),
    eventTypes: text({ mode: "json" }).$type<string[]>(),
    agreements: text({ mode: "json" }).$type<string[]>(),
    commitments: text({ mode: "json" }).$type<string[]>(),
    tags: text({ mode: "json" }).$type<string[]>(),
    parties: text({ mode: "json" }).$type<string[]>(),
    /** lib/parties.ts partyKeys(parties), NULL with them: what fan-out matches. */
    partyKeys: text({ mode: "json" }).$type<string[]>(),
    /**
     * Repeat reminders: commitment.still_overdue every remind_every (ISO duration, kept as given)
     * while a matching commitment stays overdue; remindEveryMs is its length for the sweep's SQL.
     */
    remindEvery: text(),
    remindEveryMs: integer(),
    secret: text().notNull(),
    /** After a rotation the old secret keeps signing for 24 h (both signatures are sent). */
    previousSecret: text(),
    previousSecretExpiresAt: integer(),
    /** active | paused | disabled */
    state: text().notNull().default("active"),
    disabledReason: text(),
    /** Start of the current run of failed deliveries; 5 days of it disables the subscription. */
    failingSince: integer(),
    /**
     * Deliveries the sweep's retention deleted, by final state, and the latest success among
     * them: the subscription's totals are these plus its rows still in the log (retention.repo.ts).
     */
    prunedSucceeded: integer().notNull().default(0),
    prunedFailed: integer().notNull().default(0),
    prunedCancelled: integer().notNull().default(0),
    prunedLastSuccessAt: integer(),
    createdBy: text().notNull(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    // Fan-out joins events to active subscriptions only.
    index("subscriptions_state").on(t.state),
  ],
);

export type SubscriptionRow = typeof subscriptions.$inferSelect;
