import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Official sources the evidence watch polls: feeds (RSS, Atom, RDF, JSON Feed) and pages. Scope
 * filters are JSON arrays, NULL = all. The poll bookkeeping (validators, health, backoff, lease)
 * lives on the row: it is the record, a queue message only a nudge (watch/poll.ts).
 */
export const sources = sqliteTable(
  "sources",
  {
    id: text().primaryKey(),
    url: text().notNull(),
    /** feed | page */
    kind: text().notNull(),
    agreements: text({ mode: "json" }).$type<string[]>(),
    parties: text({ mode: "json" }).$type<string[]>(),
    /** lib/parties.ts partyKeys(parties), NULL with them: what matching compares. */
    partyKeys: text({ mode: "json" }).$type<string[]>(),
    /** An item must mention one of these (NULL = any item) to be matched at all. */
    keywords: text({ mode: "json" }).$type<string[]>(),
    /** ISO 8601 duration as given (default PT1H) and its length. */
    every: text().notNull(),
    everyMs: integer().notNull(),
    /** active | paused */
    state: text().notNull().default("active"),
    /** Validators from the last 200, sent back as If-None-Match / If-Modified-Since. */
    etag: text(),
    lastModified: text(),
    /** Pages: SHA-256 prefixes of the text blocks of the last fetch, so only new text counts. */
    pageBlocks: text({ mode: "json" }).$type<string[]>(),
    lastFetchedAt: integer(),
    /** HTTP status of the last answer (null: no answer, see lastError). */
    lastStatus: integer(),
    lastError: text(),
    lastSuccessAt: integer(),
    consecutiveFailures: integer().notNull().default(0),
    /** When the poller takes it next; a claim moves it past a lease, a result to the next poll. */
    nextPollAt: integer().notNull(),
    itemsSeen: integer().notNull().default(0),
    proposalsMade: integer().notNull().default(0),
    createdBy: text().notNull(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    // The cron's claim of due sources (watch/poll.repo.ts claimDueSources).
    index("sources_active_next_poll").on(t.nextPollAt).where(sql`state = 'active'`),
  ],
);

/**
 * Items each source has already shown (feed entry ids or links, page text hashes): only new ones
 * are matched. Written in the batch that records the poll's result.
 */
export const sourceItems = sqliteTable(
  "source_items",
  {
    sourceId: text().notNull(),
    itemKey: text().notNull(),
    seenAt: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.itemKey] })],
);

export type SourceRow = typeof sources.$inferSelect;
