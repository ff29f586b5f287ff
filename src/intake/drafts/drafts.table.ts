import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { DeadlineSpec } from "../../lib/deadline";

/**
 * One pasted statement: the text as given (the drafts' spans point into it), the agreement it
 * was read against (null until a draft is accepted with one) and the signing date and parties it
 * was read with. Written with its drafts in one batch by drafts.service.ts.
 */
export const draftBatches = sqliteTable(
  "draft_batches",
  {
    id: text().primaryKey(),
    agreementId: text(),
    text: text().notNull(),
    signedOn: text(),
    parties: text({ mode: "json" }).$type<string[]>().notNull(),
    sourceUrl: text(),
    actor: text().notNull(),
    createdAt: integer().notNull(),
  },
  // The editor's paste page lists an agreement's latest batches (drafts.repo.ts batchesOfAgreement).
  (t) => [index("draft_batches_agreement").on(t.agreementId, t.id)],
);

/** What the extractor read as a deadline (drafts.deadlines.ts), as stored and answered. */
export interface StoredDeadline {
  phrase: string;
  spec: DeadlineSpec | null;
  due_on: string | null;
  explanation: string;
}

/**
 * A proposed commitment and the decision on it. `status` goes pending → accepted | rejected once:
 * the accept and reject updates are compare-and-set on `status = 'pending'` (drafts.service.ts).
 * The decision (who, when, the reason, the commitment made) stays on the row.
 */
export const drafts = sqliteTable(
  "drafts",
  {
    id: text().primaryKey(),
    batchId: text().notNull(),
    /** Position in the batch (text order). */
    seq: integer().notNull(),
    status: text().notNull().default("pending"),
    title: text().notNull(),
    quote: text().notNull(),
    spanStart: integer().notNull(),
    spanEnd: integer().notNull(),
    parties: text({ mode: "json" }).$type<string[]>().notNull(),
    deadline: text({ mode: "json" }).$type<StoredDeadline | null>(),
    cues: text({ mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    confidence: real().notNull(),
    commitmentId: text(),
    decidedAt: integer(),
    decidedBy: text(),
    reason: text(),
  },
  // GET /api/v1/drafts?batch=…&status=… and the editor's review list: a batch's drafts in order.
  (t) => [index("drafts_batch").on(t.batchId, t.seq), index("drafts_status").on(t.status, t.batchId, t.seq)],
);

export type DraftRow = typeof drafts.$inferSelect;
export type DraftBatchRow = typeof draftBatches.$inferSelect;
