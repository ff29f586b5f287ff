import { sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { urgencyRankSql } from "../../ledger/commitments.timeliness";

export interface LatestChange {
  commitmentId: string;
  type: string;
  fromValue: string | null;
  toValue: string | null;
  recordedAt: number;
  occurredAt: number;
}

/** The default list order's sort key: must match the expression index commitments_list_order. */
const LIST_KEY = sql.raw("coalesce(due_at, 9007199254740991)");

export interface CardRow {
  id: string;
  title: string;
  agreementId: string;
  status: string;
  dueAt: number | null;
  dueOn: string | null;
  overdueAt: number | null;
  statusChangedAt: number;
  tags: string[];
  parties: string[];
  /** How many commitments the agreement has in all (for "and N more"). */
  agreementTotal: number;
}

interface RawCardRow {
  id: string;
  title: string;
  agreement_id: string;
  status: string;
  due_at: number | null;
  due_on: string | null;
  overdue_at: number | null;
  status_changed_at: number;
  tags: string;
  parties: string;
  total: number;
}

const toCardRow = (r: RawCardRow): CardRow => ({
  id: r.id,
  title: r.title,
  agreementId: r.agreement_id,
  status: r.status,
  dueAt: r.due_at,
  dueOn: r.due_on,
  overdueAt: r.overdue_at,
  statusChangedAt: r.status_changed_at,
  tags: JSON.parse(r.tags) as string[],
  parties: JSON.parse(r.parties) as string[],
  agreementTotal: r.total,
});

/**
 * The `perAgreement` most urgent commitments of every agreement (or of one), ranked in SQLite
 * with a window function so only the rows a page shows leave the database, however many
 * commitments there are.
 */
export async function mostUrgentPerAgreement(
  db: Db,
  now: number,
  windowMs: number,
  perAgreement: number,
  agreementId?: string,
): Promise<CardRow[]> {
  const rows = await db.all<RawCardRow>(sql`
    SELECT id, title, agreement_id, status, due_at, due_on, overdue_at, status_changed_at, tags, parties, total FROM (
      SELECT id, title, agreement_id, status, due_at, due_on, overdue_at, status_changed_at, tags, parties,
        row_number() OVER (PARTITION BY agreement_id ORDER BY ${urgencyRankSql(now, windowMs)}, ${LIST_KEY}, title, id) AS rn,
        count(*) OVER (PARTITION BY agreement_id) AS total
      FROM commitments
      ${agreementId ? sql`WHERE agreement_id = ${agreementId}` : sql``}
    ) WHERE rn <= ${perAgreement}
    ORDER BY agreement_id, rn`);
  return rows.map(toCardRow);
}

/** Commitments per urgency rank (ledger/commitments.timeliness.ts), for one agreement's summary. */
export async function countByRank(db: Db, now: number, windowMs: number, agreementId: string): Promise<Map<number, number>> {
  const rows = await db.all<{ rank: number; n: number }>(sql`
    SELECT rank, count(*) AS n FROM (SELECT ${urgencyRankSql(now, windowMs)} AS rank FROM commitments WHERE agreement_id = ${agreementId})
    GROUP BY rank`);
  return new Map(rows.map((r) => [r.rank, r.n]));
}

/**
 * The deadlines nearest `now` on either side: `each` before and `each` after, read along the
 * commitments_list_order index (or commitments_agreement_due for one agreement).
 */
export async function deadlinesAround(db: Db, now: number, each: number, agreementId?: string): Promise<{ rows: CardRow[]; more: boolean }> {
  const columns = sql`id, title, agreement_id, status, due_at, due_on, overdue_at, status_changed_at, tags, parties, 0 AS total`;
  const [after, before] = agreementId
    ? await Promise.all([
        db.all<RawCardRow>(sql`SELECT ${columns} FROM commitments WHERE agreement_id = ${agreementId} AND due_at >= ${now} ORDER BY due_at, id LIMIT ${each}`),
        db.all<RawCardRow>(sql`SELECT ${columns} FROM commitments WHERE agreement_id = ${agreementId} AND due_at < ${now} ORDER BY due_at DESC, id DESC LIMIT ${each}`),
      ])
    : await Promise.all([
        db.all<RawCardRow>(sql`SELECT ${columns} FROM commitments WHERE ${LIST_KEY} >= ${now} AND due_at IS NOT NULL ORDER BY ${LIST_KEY}, id LIMIT ${each}`),
        db.all<RawCardRow>(sql`SELECT ${columns} FROM commitments WHERE ${LIST_KEY} < ${now} ORDER BY ${LIST_KEY} DESC, id DESC LIMIT ${each}`),
      ]);
  return { rows: [...before.reverse(), ...after].map(toCardRow), more: before.length === each || after.length === each };
}

/** The newest event of each of `ids` (one bound parameter: the ids as JSON). */
export async function latestChangesOf(db: Db, ids: string[]): Promise<Map<string, LatestChange>> {
  if (ids.length === 0) return new Map();
  const rows = await db.all<{
    commitment_id: string;
    type: string;
    from_value: string | null;
    to_value: string | null;
    recorded_at: number;
    occurred_at: number;
  }>(sql`
    SELECT e.commitment_id, e.type, e.from_value, e.to_value, e.recorded_at, e.occurred_at
    FROM (SELECT max(seq) AS seq FROM events WHERE commitment_id IN (SELECT value FROM json_each(${JSON.stringify(ids)})) GROUP BY commitment_id) m
    JOIN events e ON e.seq = m.seq`);
  return new Map(
    rows.map((r) => [
      r.commitment_id,
      { commitmentId: r.commitment_id, type: r.type, fromValue: r.from_value, toValue: r.to_value, recordedAt: r.recorded_at, occurredAt: r.occurred_at },
    ]),
  );
}
