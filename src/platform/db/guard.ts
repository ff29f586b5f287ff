import { sql, type SQL } from "drizzle-orm";
import { DomainError } from "../../lib/errors";
import type { Db } from "./client";
import { writeGuards } from "./guard.table";

/**
 * Compare-and-set guards (see guard.table.ts). `guardVersion` aborts the whole batch unless the
 * row still has the version the caller read; `guardAbsent` aborts it if the row exists (a
 * concurrent create won). Every guarded batch must end with `clearGuards`.
 *
 * Built with insert().select() rather than db.run(sql): drizzle's D1 batch cannot bind the
 * parameters of a raw `db.run` statement (it has no prepared statement), so a parameterised raw
 * statement inside db.batch throws before anything runs.
 */
export function guardVersion(db: Db, table: "agreements" | "commitments", id: string, version: number) {
  return db
    .insert(writeGuards)
    .select(sql`SELECT count(*) FROM ${sql.identifier(table)} WHERE id = ${id} AND version = ${version}`);
}

export function guardCondition(db: Db, condition: SQL) {
  return db.insert(writeGuards).select(sql`SELECT CASE WHEN ${condition} THEN 1 ELSE 0 END`);
}

export function clearGuards(db: Db) {
  return db.run(sql`DELETE FROM write_guards`);
}

export function isGuardFailure(error: unknown): boolean {
  const text = String(error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : error);
  return text.includes("write_guards_ok") || text.includes("CHECK constraint failed");
}

export function isUniqueFailure(error: unknown): boolean {
  const text = String(error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : error);
  return text.includes("UNIQUE constraint failed") || text.includes("PRIMARY KEY");
}

/** A row the batch points at is gone (a concurrent delete): as stale as a failed guard. */
export function isForeignKeyFailure(error: unknown): boolean {
  const text = String(error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : error);
  return text.includes("FOREIGN KEY constraint failed");
}

export type BatchItem = Parameters<Db["batch"]>[0][number];

interface PreparableQuery {
  _prepare(): { getQuery(): { sql: string; params: unknown[] } };
}

/**
 * Executes drizzle queries as one D1 batch and returns D1's raw results (meta.changes…).
 * drizzle's own db.batch cannot bind parameters of raw `db.run(sql\`…\`)` queries, which the
 * guards and the sweep rely on, so every query is rendered to SQL + params and bound here.
 */
export async function execBatch(db: Db, statements: BatchItem[]): Promise<D1Result[]> {
  if (statements.length === 0) return [];
  const d1 = db.$client;
  const prepared = statements.map((item) => {
    const { sql: text, params } = (item as unknown as PreparableQuery)._prepare().getQuery();
    return d1.prepare(text).bind(...params);
  });
  return d1.batch(prepared);
}

/**
 * Runs statements as one D1 batch (D1's only atomic unit) and turns a failed guard, or a foreign
 * key whose row was deleted meanwhile, into 409 conflict (callers that re-plan then say why).
 */
export async function runBatch(db: Db, statements: BatchItem[]): Promise<void> {
  if (statements.length === 0) return;
  try {
    await execBatch(db, statements);
  } catch (error) {
    if (isGuardFailure(error) || isForeignKeyFailure(error)) {
      throw new DomainError("conflict", "the record changed while this request ran; read it again and retry");
    }
    throw error;
  }
}
