import { integer, sqliteTable, text, index } from "drizzle-orm/sqlite-core";

/**
 * Parties an editor has named: a slug, the name to show, and aliases ("US", "USA" for "United
 * States"). A party without a row still has a page, under the name the commitments give it.
 */
export const parties = sqliteTable("parties", {
  slug: text().primaryKey(),
  name: text().notNull(),
  aliases: text({ mode: "json" }).$type<string[]>().notNull(),
  createdAt: integer().notNull(),
  updatedAt: integer().notNull(),
  version: integer().notNull().default(1),
});

/**
 * Every matching key of a party (its name's and each alias's, lib/parties.ts partyKey), unique:
 * a name belongs to one party. Written with the party in one batch.
 */
export const partyAliases = sqliteTable(
  "party_aliases",
  {
    key: text().primaryKey(),
    partySlug: text()
      .notNull()
      .references(() => parties.slug),
  },
  // A party's keys, rewritten when its aliases change (parties.service.ts).
  (t) => [index("party_aliases_party").on(t.partySlug)],
);

export type PartyRow = typeof parties.$inferSelect;
