import { sql } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The source documents: memoranda, declarations, executive orders, letters… */
export const agreements = sqliteTable("agreements", {
  id: text().primaryKey(),
  title: text().notNull(),
  kind: text().notNull(),
  signedOn: text(), // YYYY-MM-DD; null while unsigned (initialed drafts)
  /** YYYY-MM-DD; null until it enters into force. Deadlines `after: "entry_into_force"` count from it. */
  inForceOn: text(),
  parties: text({ mode: "json" }).$type<string[]>().notNull(),
  /** lib/parties.ts partyKeys(parties), written with them: what party filters match. */
  partyKeys: text({ mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
  sourceUrl: text(),
  summary: text().notNull().default(""),
  createdAt: integer().notNull(),
  updatedAt: integer().notNull(),
  version: integer().notNull().default(1),
});

export type AgreementRow = typeof agreements.$inferSelect;
