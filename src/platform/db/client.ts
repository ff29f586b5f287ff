import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";

// No schema object: nothing uses drizzle's relational `db.query`, and tables are imported where
// they are queried. drizzle-kit finds the tables through the glob in drizzle.config.ts.
export type Db = DrizzleD1Database & { $client: D1Database };

export function createDb(d1: D1Database): Db {
  return drizzle(d1, { casing: "snake_case" });
}
