import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { agreements } from "./agreements.table";
import type { DeadlineSpec } from "../lib/deadline";

export interface EvidenceLink {
  url: string;
  title?: string;
}

/** Who promised what, by when. One row per commitment; its history lives in `events`. */
export const commitments = sqliteTable(
  "commitments",
  {
    id: text().primaryKey(),
    agreementId: text()
      .notNull()
      .references(() => agreements.id),
    title: text().notNull(),
    description: text().notNull().default(""),
    parties: text({ mode: "json" }).$type<string[]>().notNull(),
    /** lib/parties.ts partyKeys(parties), written with them: what party filters match. */
    partyKeys: text({ mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    tags: text({ mode: "json" }).$type<string[]>().notNull(),
    /** Extra words the evidence watch matches items on (watch/, the commitments_fts index). */
    keywords: text({ mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    evidence: text({ mode: "json" }).$type<EvidenceLink[]>().notNull(),
    timeZone: text().notNull().default("UTC"),
    /** The deadline as given (due_on / due_at / within + grace); null = open-ended. */
    deadline: text({ mode: "json" }).$type<DeadlineSpec>(),
    /** Resolved deadline instant (ms): end of the due day in timeZone, or the given instant. */
    dueAt: integer(),
    /** The due date in timeZone (YYYY-MM-DD), kept for pages and calendars. */
    dueOn: text(),
    /** dueAt + grace: past this an open commitment is overdue. */
    overdueAt: integer(),
    /**
     * The anchor an unresolved deadline waits on ("signing", "entry_into_force", "commitment");
     * NULL once it resolves (or for a deadline with no anchor). Timeliness `waiting` reads it.
     */
    waitingOn: text(),
    /** The commitment a deadline `after: { commitment, when: "met" }` counts from, waiting or not. */
    anchorId: text(),
    status: text().notNull(),
    /** When the current progress status was reached (judges met_on_time / met_late). */
    statusChangedAt: integer().notNull(),
    /** Set while the status is terminal; NULL = open. */
    closedAt: integer(),
    /**
     * Sweep bookkeeping (alerts/sweep/sweep.ts): the smallest due-soon lead time (days) already
     * announced for the current deadline, whether the overdue event was recorded, and the next
     * instant at which the sweep has something to say. A deadline change re-arms all three.
     */
    dueSoonNotifiedDays: integer(),
    overdueNotified: integer({ mode: "boolean" }).notNull().default(false),
    nextAlertAt: integer(),
    /**
     * Verification (ledger/commitments.verification.ts): when someone last checked it (a status
     * change, new evidence, POST /verify), how often it should be checked (a fixed-length ISO
     * duration; NULL = never stale), the instant it goes stale (NULL = never), and the next
     * instant the sweep records commitment.stale (moved one period on by each flag).
     */
    lastVerifiedAt: integer(),
    verifyEvery: text(),
    staleAt: integer(),
    nextStaleAlertAt: integer(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
    /** Optimistic concurrency: every write checks and bumps it (see platform/db/guard.ts). */
    version: integer().notNull().default(1),
  },
  (t) => [
    // Listing by agreement in deadline order: GET /commitments?agreement=, agreement pages.
    index("commitments_agreement_due").on(t.agreementId, t.dueAt),
    // The sweep's range scan: open commitments whose next alert is due. Used by alerts/sweep/sweep.repo.ts.
    index("commitments_open_next_alert").on(t.nextAlertAt).where(sql`closed_at IS NULL`),
    // Timeliness filters and status.json counts over open commitments by deadline.
    index("commitments_open_due").on(t.dueAt).where(sql`closed_at IS NULL`),
    index("commitments_open_overdue").on(t.overdueAt).where(sql`closed_at IS NULL`),
    // The default list order (deadline, open-ended last, then id) is served by the expression
    // index commitments_list_order in migrations/0001_history_rules.sql: drizzle-kit cannot
    // express it.
    index("commitments_status").on(t.status),
    // Timeliness `waiting` over open commitments (filters, status.json counts).
    index("commitments_open_waiting").on(t.waitingOn).where(sql`closed_at IS NULL`),
    // "Which deadlines count from this commitment?": resolved or unresolved when its status
    // moves (commitments.anchors.ts), and the anchor-cycle guard.
    index("commitments_anchor").on(t.anchorId).where(sql`anchor_id IS NOT NULL`),
    // The sweep's staleness scan (alerts/sweep/sweep.repo.ts staleStatements).
    index("commitments_open_stale_alert").on(t.nextStaleAlertAt).where(sql`closed_at IS NULL`),
    // status.json's count of stale commitments.
    index("commitments_open_stale").on(t.staleAt).where(sql`closed_at IS NULL`),
  ],
);

/**
 * The party names of each commitment, one row a name, by matching key (lib/parties.ts partyKey):
 * written in the same batch as the commitment. Party pages and counts read a party's rows
 * through the key index instead of scanning every commitment's JSON.
 */
export const commitmentParties = sqliteTable(
  "commitment_parties",
  {
    commitmentId: text()
      .notNull()
      .references(() => commitments.id),
    partyKey: text().notNull(),
    /** The name as given on this commitment (party pages name an alias-less party by it). */
    name: text().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.partyKey, t.commitmentId] }),
    // Deleting a commitment's names when its parties change.
    index("commitment_parties_commitment").on(t.commitmentId),
  ],
);

/** depends-on edges between commitments; the service keeps the graph acyclic. */
export const commitmentDependencies = sqliteTable(
  "commitment_dependencies",
  {
    commitmentId: text()
      .notNull()
      .references(() => commitments.id),
    dependsOnId: text()
      .notNull()
      .references(() => commitments.id),
  },
  (t) => [
    primaryKey({ columns: [t.commitmentId, t.dependsOnId] }),
    // "What depends on this?" for commitment pages.
    index("commitment_dependencies_reverse").on(t.dependsOnId),
  ],
);

export type CommitmentRow = typeof commitments.$inferSelect;
