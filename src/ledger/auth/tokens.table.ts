import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Named API tokens. Only the SHA-256 of a token is stored; the token is shown once. */
export const apiTokens = sqliteTable("api_tokens", {
  id: text().primaryKey(),
  name: text().notNull().unique(),
  scope: text().notNull(),
  tokenHash: text().notNull().unique(),
  createdBy: text().notNull(),
  createdAt: integer().notNull(),
  revokedAt: integer(),
});

export type ApiTokenRow = typeof apiTokens.$inferSelect;
