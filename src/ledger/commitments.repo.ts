import { and, asc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { staleSql } from "./commitments.verification";
import type { Db } from "../platform/db/client";
import { DomainError } from "../lib/errors";
import { partyFilterKeys } from "./parties.repo";
import { TIMELINESS, type Timeliness } from "./commitments.rules";
import { timelinessCountsSql, timelinessWhere } from "./commitments.timeliness";
import { commitmentDependencies, commitments, type CommitmentRow } from "./commitments.table";

export type CommitmentWithDeps = CommitmentRow & { dependsOn: string[]; anchorTitle: string | null };

/** Sort key of the default list order; must match the expression index commitments_list_order. */
const LIST_ORDER = sql`coalesce(${commitments.dueAt}, 9007199254740991)`;
const OPEN_ENDED_KEY = 9007199254740991;

const dependsOnColumn = sql<string>`(SELECT json_group_array(d.depends_on_id) FROM (SELECT depends_on_id FROM commitment_dependencies WHERE commitment_dependencies.commitment_id = ${commitments.id} ORDER BY depends_on_id) AS d)`;

/**
 * The title of the commitment a deadline counts from (for "waiting on: <title>"). Qualified by
 * hand: drizzle renders a column unqualified, and inside this subquery that would be anchor's own.
 */
const anchorTitleColumn = sql<string | null>`(SELECT anchor.title FROM commitments AS anchor WHERE anchor.id = "commitments"."anchor_id")`;

/** The columns every commitment read selects: the row, its depends-on ids, its anchor's title. */
const withDepsColumns = { row: commitments, dependsOnJson: dependsOnColumn, anchorTitle: anchorTitleColumn };

function withDeps(r: { row: CommitmentRow; dependsOnJson: string; anchorTitle: string | null }): CommitmentWithDeps {
  return { ...r.row, dependsOn: JSON.parse(r.dependsOnJson) as string[], anchorTitle: r.anchorTitle };
}

export async function findCommitment(db: Db, id: string): Promise<CommitmentWithDeps | null> {
  const rows = await db
    .select(withDepsColumns)
    .from(commitments)
    .where(eq(commitments.id, id));
  const first = rows[0];
  return first ? withDeps(first) : null;
}

/** Commitments by id, in chunks under D1's 100-parameter limit. */
export async function findCommitmentsByIds(db: Db, ids: string[]): Promise<Map<string, CommitmentWithDeps>> {
  const found = new Map<string, CommitmentWithDeps>();
  for (let i = 0; i < ids.length; i += 90) {
    const rows = await db
      .select(withDepsColumns)
      .from(commitments)
      .where(inArray(commitments.id, ids.slice(i, i + 90)));
    for (const r of rows) found.set(r.row.id, withDeps(r));
  }
  return found;
}

export async function allCommitments(db: Db): Promise<CommitmentWithDeps[]> {
  const rows = await db
    .select(withDepsColumns)
    .from(commitments)
    .orderBy(asc(commitments.agreementId), asc(commitments.id));
  return rows.map((r) => withDeps(r));
}

/** Which of `ids` exist (ids in chunks under D1's 100-parameter limit). */
export async function existingCommitmentIds(db: Db, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 90) {
    const chunk = ids.slice(i, i + 90);
    const rows = await db.select({ id: commitments.id }).from(commitments).where(inArray(commitments.id, chunk));
    for (const r of rows) found.add(r.id);
  }
  return found;
}

/** A stored commitment of a dependency subgraph: its version and its depends-on edges. */
export interface GraphNode {
  id: string;
  version: number;
  dependsOn: string[];
}

/**
 * The stored commitments reachable from `seeds` through depends-on edges, not following the
 * stored edges of `replaced` (commitments whose edges the caller is about to rewrite; they are
 * left out of the answer). One recursive query; the cycle checks (commitments.service.ts
 * checkDependencies, transfer.service.ts) read only this subgraph, so a check costs the edges it
 * can touch, not the whole graph.
 */
export async function dependencySubgraphFrom(db: Db, seeds: string[], replaced: string[]): Promise<GraphNode[]> {
  if (seeds.length === 0) return [];
  const skip = JSON.stringify(replaced);
  const rows = await db.all<{ id: string; version: number; deps: string }>(sql`
    WITH RECURSIVE reach(id) AS (
      SELECT value FROM json_each(${JSON.stringify(seeds)})
      UNION
      SELECT d.depends_on_id FROM commitment_dependencies d JOIN reach r ON d.commitment_id = r.id
      WHERE d.commitment_id NOT IN (SELECT value FROM json_each(${skip}))
    )
    SELECT c.id AS id, c.version AS version,
      (SELECT json_group_array(depends_on_id) FROM commitment_dependencies WHERE commitment_id = c.id) AS deps
    FROM reach r JOIN commitments c ON c.id = r.id
    WHERE r.id NOT IN (SELECT value FROM json_each(${skip}))`);
  return rows.map((r) => ({ id: r.id, version: r.version, dependsOn: JSON.parse(r.deps) as string[] }));
}

/**
 * SQL condition for a write-batch guard: every commitment in `nodes` still has the version read.
 * Edges change only with their commitment's version, so this proves a whole subgraph unchanged in
 * one statement (the import's graph guard, transfer.service.ts).
 */
export function versionsUnchanged(nodes: Array<{ id: string; version: number }>): SQL {
  const pairs = JSON.stringify(nodes.map((n) => [n.id, n.version]));
  return sql`(SELECT count(*) FROM json_each(${pairs}) j JOIN commitments c
    ON c.id = json_extract(j.value, '$[0]') AND c.version = json_extract(j.value, '$[1]')) = ${nodes.length}`;
}

/**
 * SQL condition for a write-batch guard (db/guard.ts guardCondition): `id` does not reach itself
 * through the stored edges. Placed after a write's edge statements, it proves inside the atomic
 * batch that the new edges close no cycle, whatever other batches committed since the read.
 */
export function noCycleThrough(id: string): SQL {
  return sql`NOT EXISTS (
    WITH RECURSIVE reach(id) AS (
      SELECT depends_on_id FROM commitment_dependencies WHERE commitment_id = ${id}
      UNION
      SELECT d.depends_on_id FROM commitment_dependencies d JOIN reach r ON d.commitment_id = r.id
    )
    SELECT 1 FROM reach WHERE id = ${id})`;
}

/**
 * SQL condition for a write-batch guard: the agreement still has exactly `count` commitments whose
 * deadline counts from its signing (or entry-into-force) date (the SQL twin of commitments.plan.ts
 * countsFromAgreement; `after` absent means signing). A new date moves the ones it read; one
 * created since would keep a deadline from the old date.
 */
export function countsFromAnchorCount(agreementId: string, date: "signing" | "entry_into_force", count: number): SQL {
  const after = date === "signing" ? sql`coalesce(json_extract(deadline, '$.after'), 'signing') = 'signing'` : sql`json_extract(deadline, '$.after') = 'entry_into_force'`;
  return sql`(SELECT count(*) FROM commitments WHERE agreement_id = ${agreementId}
    AND json_extract(deadline, '$.within') IS NOT NULL AND json_extract(deadline, '$.from') IS NULL AND ${after}) = ${count}`;
}

export async function dependentsOf(db: Db, id: string): Promise<string[]> {
  const rows = await db
    .select({ id: commitmentDependencies.commitmentId })
    .from(commitmentDependencies)
    .where(eq(commitmentDependencies.dependsOnId, id))
    .orderBy(asc(commitmentDependencies.commitmentId));
  return rows.map((r) => r.id);
}

export interface CommitmentFilter {
  status?: string[];
  timeliness?: Timeliness[];
  agreement?: string;
  tag?: string;
  party?: string;
  q?: string;
}

function encodeCursor(row: CommitmentRow): string {
  const key = row.dueAt ?? OPEN_ENDED_KEY;
  return btoa(JSON.stringify([key, row.id])).replace(/=+$/, "");
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(atob(cursor)) as unknown;
    if (Array.isArray(value) && typeof value[0] === "number" && typeof value[1] === "string") {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the 400 below
  }
  throw new DomainError("invalid_input", "cursor: not a cursor from a previous page", [
    { path: "cursor", message: "not a cursor from a previous page" },
  ]);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** Keyset-paginated list in (deadline, id) order; open-ended commitments last. */
export async function listCommitmentRows(
  db: Db,
  filter: CommitmentFilter,
  page: { limit: number; cursor?: string },
  now: number,
  windowMs: number,
): Promise<{ rows: CommitmentWithDeps[]; nextCursor: string | null }> {
  const conditions = filterConditions(filter, now, windowMs);
  if (page.cursor) {
    const [key, id] = decodeCursor(page.cursor);
    conditions.push(sql`(${LIST_ORDER} > ${key} OR (${LIST_ORDER} = ${key} AND ${commitments.id} > ${id}))`);
  }
  const rows = await db
    .select(withDepsColumns)
    .from(commitments)
    .where(and(...conditions))
    .orderBy(LIST_ORDER, asc(commitments.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit).map((r) => withDeps(r));
  const last = items[items.length - 1];
  return { rows: items, nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null };
}

/**
 * The `limit` dated commitments nearest `now`, upcoming first: every deadline from `now` on
 * (earliest first) up to the limit, then the most recent past ones fill what is left. Returned
 * in deadline order. Both scans walk the commitments_list_order index, from `now` outwards.
 * Used by calendar.service.ts, whose subscribers need what is coming, however much is overdue.
 */
export async function listDatedAround(
  db: Db,
  filter: CommitmentFilter,
  limit: number,
  now: number,
  windowMs: number,
): Promise<CommitmentWithDeps[]> {
  const select = (where: SQL, order: SQL[], n: number) =>
    db
      .select(withDepsColumns)
      .from(commitments)
      .where(and(...filterConditions(filter, now, windowMs), where))
      .orderBy(...order)
      .limit(n);
  const ahead = await select(
    sql`${LIST_ORDER} >= ${now} AND ${commitments.dueAt} IS NOT NULL`,
    [LIST_ORDER, asc(commitments.id)],
    limit,
  );
  const behind =
    ahead.length < limit
      ? await select(sql`${LIST_ORDER} < ${now}`, [sql`${LIST_ORDER} DESC`, sql`${commitments.id} DESC`], limit - ahead.length)
      : [];
  return [...behind.reverse(), ...ahead].map((r) => withDeps(r));
}

/** The WHERE conditions of a list filter (shared by the list and the calendar). */
function filterConditions(filter: CommitmentFilter, now: number, windowMs: number): (SQL | undefined)[] {
  const conditions: (SQL | undefined)[] = [];
  if (filter.status?.length) conditions.push(inArray(commitments.status, filter.status));
  if (filter.timeliness?.length) conditions.push(or(...filter.timeliness.map((t) => timelinessWhere(t, now, windowMs))));
  if (filter.agreement) conditions.push(eq(commitments.agreementId, filter.agreement));
  if (filter.tag) conditions.push(sql`EXISTS (SELECT 1 FROM json_each(${commitments.tags}) WHERE value = ${filter.tag})`);
  if (filter.party) {
    // The name's key, and every alias of the party an editor named with it (parties.repo.ts).
    conditions.push(sql`EXISTS (SELECT 1 FROM json_each(${commitments.partyKeys}) WHERE value IN ${partyFilterKeys(filter.party)})`);
  }
  if (filter.q) {
    const like = `%${escapeLike(filter.q)}%`;
    conditions.push(sql`(${commitments.title} LIKE ${like} ESCAPE '\\' OR ${commitments.description} LIKE ${like} ESCAPE '\\')`);
  }
  return conditions;
}

export async function listCommitmentsOfAgreement(db: Db, agreementId: string): Promise<CommitmentWithDeps[]> {
  const rows = await db
    .select(withDepsColumns)
    .from(commitments)
    .where(eq(commitments.agreementId, agreementId))
    .orderBy(LIST_ORDER, asc(commitments.id));
  return rows.map((r) => withDeps(r));
}

/** Commitments per progress status (the commitments_status index) and per timeliness at `now`. */
export async function countCommitments(
  db: Db,
  now: number,
  windowMs: number,
): Promise<{ byStatus: Record<string, number>; byTimeliness: Record<Timeliness, number>; stale: number }> {
  const [statusRows, t, stale] = await Promise.all([
    db.all<{ status: string; n: number }>(sql`SELECT status, count(*) AS n FROM commitments GROUP BY status`),
    db.get<Record<Timeliness, number>>(timelinessCountsSql(now, windowMs)),
    // Index commitments_open_stale.
    db.get<{ n: number }>(sql`SELECT count(*) AS n FROM commitments WHERE ${staleSql(now)}`),
  ]);
  return {
    byStatus: Object.fromEntries(statusRows.map((r) => [r.status, r.n])),
    byTimeliness: Object.fromEntries(TIMELINESS.map((k) => [k, t?.[k] ?? 0])) as Record<Timeliness, number>,
    stale: stale?.n ?? 0,
  };
}
