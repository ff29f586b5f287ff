import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * What the watch found: an item from a source that matched an open commitment, waiting for a
 * person to accept (applied through the ledger's write path) or dismiss it.
 */
export const proposals = sqliteTable(
  "proposals",
  {
    id: text().primaryKey(),
    commitmentId: text().notNull(),
    sourceId: text().notNull(),
    /** The item's identity across sources: its normalised link, else source + entry id. */
    itemKey: text().notNull(),
    itemTitle: text().notNull(),
    itemUrl: text(),
    itemPublishedAt: integer(),
    snippet: text().notNull(),
    score: real().notNull(),
    suggestedStatus: text(),
    evidenceUrl: text(),
    evidenceTitle: text(),
    /** open | accepted | dismissed */
    state: text().notNull().default("open"),
    decidedBy: text(),
    decidedAt: integer(),
    /** The dismissal's reason or the acceptance's note. */
    decisionNote: text(),
    createdAt: integer().notNull(),
  },
  (t) => [
    // One item never makes two proposals for one commitment (INSERT OR IGNORE in watch/poll.repo.ts).
    uniqueIndex("proposals_commitment_item").on(t.commitmentId, t.itemKey),
    // GET /proposals?state= and the editor inbox, newest first.
    index("proposals_state_id").on(t.state, t.id),
  ],
);

export type ProposalRow = typeof proposals.$inferSelect;
