/**
 * The FTS5 side of matching: a query per item (never per commitment) against commitments_fts (migration 0010:
 * an external-content index of title, description, parties, tags and keywords kept in step by
 * triggers), joined back to open commitments by rowid and limited to the source's scope. All of
 * a poll message's items go to D1 in one statement: one query however many items.
 *
 * Flat in the size of the ledger: the statement first counts, for each of the item's words, the
 * commitments that contain it, stopping at DF_CAP (a LIMIT inside the count, so a common word
 * costs DF_CAP postings, not one per commitment); words at the cap are dropped, and only the
 * MAX_QUERY_TERMS rarest are ORed into the query that bm25 ranks (none left: the empty phrase
 * `""`, which matches nothing). So an item reads at most
 * MAX_ITEM_TERMS × DF_CAP postings to weigh its words and ranks at most MAX_QUERY_TERMS × DF_CAP
 * commitments. (fts5vocab would give the same counts, but it counts by reading each word's whole
 * list of postings: linear in the ledger for a common word; bench/README.md.)
 */
import type { Db } from "../platform/db/client";
import { CANDIDATES_PER_ITEM, DF_CAP, MAX_QUERY_TERMS, type Candidate } from "./match";

export interface MatchScope {
  agreements: string[] | null;
  partyKeys: string[] | null;
}

interface CandidateRow {
  id: string;
  title: string;
  keywords: string;
  parties: string;
  agreement_id: string;
}

/**
 * ?1 the items: a JSON array of [terms, agreements, partyKeys] per item (terms a JSON array of
 * quoted words, itemTerms; agreements and party keys the source's scope, JSON arrays or null for
 * any), ?2 DF_CAP, ?3 MAX_QUERY_TERMS, ?4 CANDIDATES_PER_ITEM. One statement for a whole poll
 * message, so its D1 query count does not grow with the number of new items. Rows: `n` (the item's
 * index), then its candidates best first. Exported for bench/watch.mjs, which runs the same
 * statement against 1k and 100k commitments.
 */
export const CANDIDATE_SQL = `
WITH items AS (
  SELECT CAST(i.key AS INTEGER) AS n, json_extract(i.value, '$[0]') AS terms,
    json_extract(i.value, '$[1]') AS agreements, json_extract(i.value, '$[2]') AS party_keys
  FROM json_each(?1) i),
terms AS (SELECT items.n, t.value AS term, t.key AS pos FROM items, json_each(items.terms) t),
weighed AS (
  SELECT n, term, pos, (SELECT count(*) FROM (SELECT 1 FROM commitments_fts WHERE commitments_fts MATCH terms.term LIMIT ?2)) AS df
  FROM terms),
rare AS (SELECT n, term, row_number() OVER (PARTITION BY n ORDER BY df, pos) AS r FROM weighed WHERE df > 0 AND df < ?2),
queries AS (SELECT n, group_concat(term, ' OR ') AS q FROM rare WHERE r <= ?3 GROUP BY n),
hits AS (
  SELECT queries.n, f.rowid AS rid, bm25(commitments_fts, 10.0, 2.0, 4.0, 2.0, 8.0) AS rank
  FROM queries, commitments_fts f WHERE commitments_fts MATCH queries.q),
ranked AS (
  SELECT hits.n, c.id, c.title, c.keywords, c.parties, c.agreement_id,
    row_number() OVER (PARTITION BY hits.n ORDER BY hits.rank) AS r
  FROM hits JOIN items ON items.n = hits.n JOIN commitments c ON c.rowid = hits.rid
  WHERE c.closed_at IS NULL
    AND (items.agreements IS NULL OR c.agreement_id IN (SELECT value FROM json_each(items.agreements)))
    AND (items.party_keys IS NULL OR EXISTS (SELECT 1 FROM json_each(c.party_keys) cp, json_each(items.party_keys) sp WHERE cp.value = sp.value)))
SELECT n, id, title, keywords, parties, agreement_id FROM ranked WHERE r <= ?4 ORDER BY n, r`;

/** Candidates for each item's terms (no terms: none), in the order given: one D1 query for all. */
export async function findCandidates(db: Db, queries: Array<{ terms: string[]; scope: MatchScope }>): Promise<Candidate[][]> {
  const out: Candidate[][] = queries.map(() => []);
  const live = queries.map((q, i) => ({ ...q, i })).filter((q) => q.terms.length > 0);
  if (live.length === 0) return out;
  const items = live.map((q) => [q.terms, q.scope.agreements, q.scope.partyKeys]);
  const result = await db.$client
    .prepare(CANDIDATE_SQL)
    .bind(JSON.stringify(items), DF_CAP, MAX_QUERY_TERMS, CANDIDATES_PER_ITEM)
    .all<CandidateRow & { n: number }>();
  for (const row of result.results ?? []) {
    out[live[row.n]!.i]!.push({
      id: row.id,
      title: row.title,
      keywords: JSON.parse(row.keywords) as string[],
      parties: JSON.parse(row.parties) as string[],
    });
  }
  return out;
}
