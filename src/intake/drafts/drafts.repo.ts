import { and, asc, desc, eq, gt, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { commitments } from "../../ledger/commitments.table";
import type { Db } from "../../platform/db/client";
import type { BatchItem } from "../../platform/db/guard";
import { draftBatches, drafts, type DraftBatchRow, type DraftRow } from "./drafts.table";

export async function findDraft(db: Db, id: string): Promise<DraftRow | null> {
  return (await db.select().from(drafts).where(eq(drafts.id, id)).get()) ?? null;
}

export async function findBatch(db: Db, id: string): Promise<DraftBatchRow | null> {
  return (await db.select().from(draftBatches).where(eq(draftBatches.id, id)).get()) ?? null;
}

export async function draftsOfBatch(db: Db, batchId: string): Promise<DraftRow[]> {
  return db.select().from(drafts).where(eq(drafts.batchId, batchId)).orderBy(asc(drafts.seq)).all();
}

/**
 * A page of drafts: newest batch first, text order within a batch, after the cursor
 * (`batchId.seq`). Uses drafts_batch (batch_id, seq), or drafts_status with a status filter.
 */
export async function listDraftRows(
  db: Db,
  filter: { batch?: string; status?: string },
  page: { limit: number; after?: { batchId: string; seq: number } },
): Promise<DraftRow[]> {
  const where: SQL[] = [];
  if (filter.batch) where.push(eq(drafts.batchId, filter.batch));
  if (filter.status) where.push(eq(drafts.status, filter.status));
  if (page.after) {
    const { batchId, seq } = page.after;
    where.push(or(lt(drafts.batchId, batchId), and(eq(drafts.batchId, batchId), gt(drafts.seq, seq)))!);
  }
  return db
    .select()
    .from(drafts)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(drafts.batchId), asc(drafts.seq))
    .limit(page.limit)
    .all();
}

/** Insert statements for a batch and its drafts: 6 drafts a statement keeps under 100 parameters. */
export function insertBatchStatements(db: Db, batch: DraftBatchRow, rows: DraftRow[]) {
  const statements: BatchItem[] = [db.insert(draftBatches).values(batch)];
  for (let i = 0; i < rows.length; i += 6) statements.push(db.insert(drafts).values(rows.slice(i, i + 6)));
  return statements;
}

/** The compare-and-set of a decision: only a pending draft moves (0 rows otherwise). */
export function decideStatement(db: Db, id: string, decision: Pick<DraftRow, "status" | "commitmentId" | "decidedAt" | "decidedBy" | "reason">) {
  return db
    .update(drafts)
    .set(decision)
    .where(and(eq(drafts.id, id), eq(drafts.status, "pending")));
}

/** SQL that holds while the draft is still pending: the accept batch's guard. */
export const stillPending = (id: string) => sql`EXISTS (SELECT 1 FROM ${drafts} WHERE ${drafts.id} = ${id} AND ${drafts.status} = 'pending')`;

/** Records the batch's agreement when an accept names one for a batch that had none. */
export function setBatchAgreementStatement(db: Db, batchId: string, agreementId: string) {
  return db
    .update(draftBatches)
    .set({ agreementId })
    .where(and(eq(draftBatches.id, batchId), sql`${draftBatches.agreementId} IS NULL`));
}

/** An agreement's latest batches with their pending counts (draft_batches_agreement, drafts_status). */
export async function batchesOfAgreement(db: Db, agreementId: string, limit: number) {
  return db
    .select({
      id: draftBatches.id,
      createdAt: draftBatches.createdAt,
      pending: sql<number>`(SELECT count(*) FROM ${drafts} WHERE ${drafts.batchId} = ${draftBatches.id} AND ${drafts.status} = 'pending')`,
    })
    .from(draftBatches)
    .where(eq(draftBatches.agreementId, agreementId))
    .orderBy(desc(draftBatches.id))
    .limit(limit)
    .all();
}

/** Ids taken among `candidates` (one query: the accept's free-id search). */
export async function takenCommitmentIds(db: Db, candidates: string[]): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const rows = await db.select({ id: commitments.id }).from(commitments).where(inArray(commitments.id, candidates)).all();
  return new Set(rows.map((r) => r.id));
}
