import { asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { commitments } from "./commitments.table";
import { agreements, type AgreementRow } from "./agreements.table";

export async function findAgreement(db: Db, id: string): Promise<AgreementRow | null> {
  const rows = await db.select().from(agreements).where(eq(agreements.id, id));
  return rows[0] ?? null;
}

export type AgreementWithCount = AgreementRow & { commitmentCount: number };

// Qualified by hand: drizzle renders ${column} unqualified in a single-table select, and an
// unqualified "id" inside this subquery would be commitments.id (every count was 0).
const countColumn = sql<number>`(SELECT count(*) FROM ${commitments} AS c WHERE c.agreement_id = ${agreements}.id)`;

/** Agreements in id order, keyset-paginated on the primary key. */
export async function listAgreementRows(db: Db, page: { limit: number; after?: string }): Promise<AgreementWithCount[]> {
  const rows = await db
    .select({ row: agreements, commitmentCount: countColumn })
    .from(agreements)
    .where(page.after ? gt(agreements.id, page.after) : undefined)
    .orderBy(asc(agreements.id))
    .limit(page.limit);
  return rows.map((r) => ({ ...r.row, commitmentCount: r.commitmentCount }));
}

export async function findAgreementWithCount(db: Db, id: string): Promise<AgreementWithCount | null> {
  const rows = await db.select({ row: agreements, commitmentCount: countColumn }).from(agreements).where(eq(agreements.id, id));
  return rows[0] ? { ...rows[0].row, commitmentCount: rows[0].commitmentCount } : null;
}

export async function allAgreements(db: Db): Promise<AgreementRow[]> {
  return db.select().from(agreements).orderBy(asc(agreements.id));
}

export async function findAgreementsByIds(db: Db, ids: string[]): Promise<Map<string, AgreementRow>> {
  const found = new Map<string, AgreementRow>();
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db.select().from(agreements).where(inArray(agreements.id, ids.slice(i, i + 90)));
    for (const r of rows) found.set(r.id, r);
  }
  return found;
}

/** True while no commitment belongs to the agreement: the condition a delete is guarded by. */
export function hasNoCommitments(id: string) {
  return sql`NOT EXISTS (SELECT 1 FROM ${commitments} AS c WHERE c.agreement_id = ${id})`;
}
