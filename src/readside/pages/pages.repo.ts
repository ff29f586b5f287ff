import { sql, type SQL } from "drizzle-orm";
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

/** The anchor commitment's title, for "waiting on: <title>" (commitments read unaliased). */
const ANCHOR_TITLE = sql.raw(`(SELECT anchor.title FROM commitments AS anchor WHERE anchor.id = "commitments"."anchor_id") AS anchor_title`);

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
  /** What an unresolved deadline waits on, and the anchor commitment's title (for the reason). */
  waitingOn: string | null;
  anchorTitle: string | null;
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
  waiting_on: string | null;
  anchor_title: string | null;
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
  waitingOn: r.waiting_on,
  anchorTitle: r.anchor_title,
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
    SELECT id, title, agreement_id, status, due_at, due_on, overdue_at, status_changed_at, waiting_on, anchor_title, tags, parties, total FROM (
      SELECT id, title, agreement_id, status, due_at, due_on, overdue_at, status_changed_at, waiting_on, ${ANCHOR_TITLE}, tags, parties,
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
  const columns = sql`id, title, agreement_id, status, due_at, due_on, overdue_at, status_changed_at, waiting_on, ${ANCHOR_TITLE}, tags, parties, 0 AS total`;
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

/**
 * A party's commitments (ids from ledger/parties.repo.ts partyCommitmentIds) as cards: the
 * `perGroup` most urgent of each timeliness, ranked in SQLite. CROSS JOIN keeps the party's ids
 * as the outer loop, so SQLite reads its rows by primary key and never walks a ledger-wide index.
 */
export async function partyCardsByTimeliness(db: Db, ids: SQL, now: number, windowMs: number, perGroup: number): Promise<Array<CardRow & { rank: number }>> {
  const rows = await db.all<RawCardRow & { rank: number }>(sql`
    SELECT * FROM (
      SELECT c.id AS id, c.title AS title, c.agreement_id AS agreement_id, c.status AS status, c.due_at AS due_at, c.due_on AS due_on,
        c.overdue_at AS overdue_at, c.status_changed_at AS status_changed_at, c.waiting_on AS waiting_on,
        (SELECT anchor.title FROM commitments AS anchor WHERE anchor.id = c.anchor_id) AS anchor_title, c.tags AS tags, c.parties AS parties,
        c.rank AS rank, row_number() OVER (PARTITION BY c.rank ORDER BY coalesce(c.due_at, 9007199254740991), c.title, c.id) AS rn,
        count(*) OVER (PARTITION BY c.rank) AS total
      FROM ${ids} AS p CROSS JOIN (SELECT *, ${urgencyRankSql(now, windowMs)} AS rank FROM commitments) AS c ON c.id = p.commitment_id
    ) WHERE rn <= ${perGroup}
    ORDER BY rank, rn`);
  return rows.map((r) => ({ ...toCardRow(r), rank: r.rank }));
}

/** A party's deadlines nearest `now`, `each` either side (by the party's ids, then sorted). */
export async function partyDeadlinesAround(db: Db, ids: SQL, now: number, each: number): Promise<{ rows: CardRow[]; more: boolean }> {
  const select = (where: SQL, order: SQL) => db.all<RawCardRow>(sql`
    SELECT c.id AS id, c.title AS title, c.agreement_id AS agreement_id, c.status AS status, c.due_at AS due_at, c.due_on AS due_on,
      c.overdue_at AS overdue_at, c.status_changed_at AS status_changed_at, c.waiting_on AS waiting_on, NULL AS anchor_title,
      c.tags AS tags, c.parties AS parties, 0 AS total
    FROM ${ids} AS p CROSS JOIN commitments AS c ON c.id = p.commitment_id
    WHERE ${where} ORDER BY ${order} LIMIT ${each}`);
  const [after, before] = await Promise.all([
    select(sql`c.due_at >= ${now}`, sql`c.due_at, c.id`),
    select(sql`c.due_at < ${now}`, sql`c.due_at DESC, c.id DESC`),
  ]);
  return { rows: [...before.reverse(), ...after].map(toCardRow), more: before.length === each || after.length === each };
}

/** Every party's name and how many commitments it has (the home page's list of parties). */
export async function partyNames(db: Db): Promise<Array<{ group: string; name: string; n: number }>> {
  return db.all<{ group: string; name: string; n: number }>(sql`
    SELECT coalesce(pa.party_slug, 'key:' || cp.party_key) AS "group", min(cp.name) AS name, count(DISTINCT cp.commitment_id) AS n
    FROM commitment_parties cp LEFT JOIN party_aliases pa ON pa.key = cp.party_key
    GROUP BY 1 ORDER BY n DESC, name`);
}
