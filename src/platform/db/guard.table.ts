import { sql } from "drizzle-orm";
import { check, integer, sqliteTable } from "drizzle-orm/sqlite-core";

/**
 * Compare-and-set for D1, which has batches but no interactive transactions: a write batch
 * starts with `INSERT INTO write_guards SELECT count(*) … WHERE id = ? AND version = ?`. If the
 * row changed since it was read, 0 is inserted, the CHECK fails and the whole batch rolls back.
 * The batch ends by deleting its guard rows, so the table stays empty. See db/guard.ts.
 */
export const writeGuards = sqliteTable("write_guards", { ok: integer().notNull() }, (t) => [
  check("write_guards_ok", sql`${t.ok} = 1`),
]);
