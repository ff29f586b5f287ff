/**
 * Deadlines tied to another commitment: `{ within, after: { commitment, when: "met" } }`.
 *
 * - Before a write: the anchor must exist and the anchor chain must not loop back
 *   (`anchorFacts`); the write's batch is guarded by the anchor's version, so a concurrent status
 *   change of the anchor refuses it instead of leaving a deadline computed from a stale state.
 * - When a commitment's "met" instant changes (it reaches fulfilled / partially fulfilled, is
 *   reopened, or the date it was met is corrected), every commitment counting from it is planned
 *   again in the same batch (`planDependentsOfAnchor`): its deadline resolves, moves or goes back
 *   to waiting, each with a `commitment.deadline_changed` event saying why. A guard refuses the
 *   batch if a commitment started counting from it since the read.
 * - Cycles (a waits on b, b on a) are refused before the write and again inside its batch
 *   (`noAnchorCycleThrough`), like depends-on cycles.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { guardCondition, guardVersion, type BatchItem } from "../platform/db/guard";
import { anchorOf, dateAt, type AnchorDates } from "../lib/deadline";
import { DomainError, invalid } from "../lib/errors";
import { findAgreementsByIds } from "./agreements.repo";
import { agreementDates, planCommitmentWrite, stateOf, type CommitmentState } from "./commitments.plan";
import { findCommitment, type CommitmentWithDeps } from "./commitments.repo";
import { MET, type Progress } from "./commitments.rules";
import type { WriteContext } from "./ledger.context";

/** When a commitment was met (reached fulfilled / partially fulfilled), or null while it is not. */
export const metAt = (s: { status: string; statusChangedAt: number }): number | null =>
  MET.has(s.status as Progress) ? s.statusChangedAt : null;

/** The anchor chain from `start`: start's anchor, its anchor, … (one recursive query). */
async function anchorChain(db: Db, start: string): Promise<string[]> {
  const rows = await db.all<{ id: string }>(sql`
    WITH RECURSIVE chain(id, depth) AS (
      SELECT ${start}, 0
      UNION ALL
      SELECT c.anchor_id, chain.depth + 1 FROM commitments c JOIN chain ON c.id = chain.id
      WHERE c.anchor_id IS NOT NULL AND chain.depth < 1000
    )
    SELECT id FROM chain ORDER BY depth`);
  return rows.map((r) => r.id);
}

/**
 * The anchor facts a write of `next` resolves its deadline with, and the guards its batch needs:
 * the agreement's dates, and for a commitment anchor when it was met (checked to exist and not
 * to close a loop; 409 `anchor_cycle` with the path).
 */
export async function anchorFacts(
  db: Db,
  next: CommitmentState,
  agreement: { signedOn: string | null; inForceOn: string | null },
  path = "deadline.after.commitment",
): Promise<{ dates: AnchorDates; guards: BatchItem[]; anchor: CommitmentWithDeps | null }> {
  const dates = agreementDates(agreement);
  const anchor = anchorOf(next.deadline);
  if (anchor?.kind !== "commitment") return { dates, guards: [], anchor: null };
  if (anchor.id === next.id) throw anchorCycle(path, [next.id, next.id]);
  const row = await findCommitment(db, anchor.id);
  if (!row) throw invalid(path, `no commitment '${anchor.id}'`);
  const chain = await anchorChain(db, anchor.id);
  const loop = chain.indexOf(next.id);
  if (loop >= 0) throw anchorCycle(path, [next.id, ...chain.slice(0, loop + 1)]);
  return {
    dates: { ...dates, anchorMetAt: metAt(row) },
    guards: [guardVersion(db, "commitments", row.id, row.version)],
    anchor: row,
  };
}

export function anchorCycle(path: string, cycle: string[]): DomainError {
  return new DomainError("anchor_cycle", `deadline.after would create a cycle: ${cycle.join(" -> ")}`, [
    { path, message: `cycle: ${cycle.join(" -> ")} (each deadline counts from the next being met)` },
  ]);
}

/**
 * SQL condition for a write-batch guard: `id`'s anchor chain does not come back to `id`. Placed
 * after the write's row update, it proves inside the batch that no concurrent write closed a loop.
 */
export function noAnchorCycleThrough(id: string): SQL {
  return sql`NOT EXISTS (
    WITH RECURSIVE chain(id, depth) AS (
      SELECT anchor_id, 1 FROM commitments WHERE id = ${id} AND anchor_id IS NOT NULL
      UNION ALL
      SELECT c.anchor_id, chain.depth + 1 FROM commitments c JOIN chain ON c.id = chain.id
      WHERE c.anchor_id IS NOT NULL AND chain.depth < 1000
    )
    SELECT 1 FROM chain WHERE id = ${id})`;
}

/** SQL condition for a write-batch guard: exactly `count` commitments count from `id`. */
function anchoredCount(id: string, count: number): SQL {
  return sql`(SELECT count(*) FROM commitments WHERE anchor_id = ${id}) = ${count}`;
}

async function commitmentsAnchoredOn(db: Db, id: string): Promise<string[]> {
  const rows = await db.all<{ id: string }>(sql`SELECT id FROM commitments WHERE anchor_id = ${id} ORDER BY id`);
  return rows.map((r) => r.id);
}

/**
 * The statements that move the deadlines counting from `existing` when its met instant changes
 * from `before` to `after` (none when it does not). `skip`: commitments the caller rewrites
 * itself in the same batch (the import).
 */
export async function planDependentsOfAnchor(
  db: Db,
  existing: CommitmentWithDeps,
  next: CommitmentState,
  ctx: WriteContext,
  skip: ReadonlySet<string> = new Set(),
): Promise<BatchItem[]> {
  const before = metAt(existing);
  const after = metAt(next);
  if (before === after) return [];
  const ids = await commitmentsAnchoredOn(db, existing.id);
  if (ids.length === 0) return [guardCondition(db, anchoredCount(existing.id, 0))];
  const statements: BatchItem[] = [guardCondition(db, anchoredCount(existing.id, ids.length))];
  const rows = (await Promise.all(ids.filter((id) => !skip.has(id)).map((id) => findCommitment(db, id)))).filter(
    (r): r is CommitmentWithDeps => r !== null,
  );
  const agreements = await findAgreementsByIds(db, [...new Set(rows.map((r) => r.agreementId))]);
  for (const row of rows) {
    const agreement = agreements.get(row.agreementId);
    if (!agreement) continue;
    const reason =
      after !== null
        ? `'${next.title}' was met (${next.status.replace(/_/g, " ")}) on ${dateAt(after, row.timeZone)}`
        : before !== null && next.status !== existing.status
          ? `'${next.title}' is no longer met (now ${next.status.replace(/_/g, " ")}): the deadline waits on it again`
          : `the date '${next.title}' was met changed`;
    const plan = planCommitmentWrite(
      db,
      row,
      stateOf(row),
      { ...agreementDates(agreement), anchorMetAt: after },
      {
        reason,
        cause: {
          anchor: { commitment: existing.id, when: "met" },
          status_from: existing.status,
          status_to: next.status,
          met_at: after === null ? null : new Date(after).toISOString(),
        },
      },
      ctx,
    );
    statements.push(...plan.statements);
  }
  return statements;
}
