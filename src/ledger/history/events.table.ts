import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The append-only history: one row per create, edit, status change, deadline change, and sweep
 * finding. Never updated or deleted (triggers in migrations/ enforce it). Feeds, alerts and the
 * status page all read from here; `seq` orders it.
 */
export const events = sqliteTable(
  "events",
  {
    seq: integer().primaryKey({ autoIncrement: true }),
    id: text().notNull().unique(),
    type: text().notNull(),
    commitmentId: text(),
    agreementId: text(),
    fromValue: text(),
    toValue: text(),
    note: text(),
    evidenceUrl: text(),
    actor: text().notNull(),
    occurredAt: integer().notNull(),
    recordedAt: integer().notNull(),
    data: text({ mode: "json" }).$type<Record<string, unknown>>(),
    /** Makes sweep findings idempotent: "overdue:<commitment>:<overdueAt>". */
    dedupeKey: text().unique(),
  },
  (t) => [
    // Per-commitment history and feeds, newest first.
    index("events_commitment_seq").on(t.commitmentId, t.seq),
    // Per-agreement feeds.
    index("events_agreement_seq").on(t.agreementId, t.seq),
    // Feeds filtered by event type.
    index("events_type_seq").on(t.type, t.seq),
  ],
);

export type EventRow = typeof events.$inferSelect;
export type NewEventRow = typeof events.$inferInsert;
