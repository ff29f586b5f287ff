/**
 * The FTS5 side of matching: one statement per item against commitments_fts (migration 0010:
 * an external-content index of title, description, parties, tags and keywords kept in step by
 * triggers), joined back to open commitments by rowid and limited to the source's scope. All of
 * a poll's items go to D1 in one batch: one round trip however many items.
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
 * ?1 the item's terms (a JSON array of quoted words, itemTerms), ?2 the source's agreements and
 * ?3 its party keys (JSON arrays, or null for any), ?4 DF_CAP, ?5 MAX_QUERY_TERMS, ?6
 * CANDIDATES_PER_ITEM. Exported for bench/watch.mjs, which runs the same statement against 1k
 * and 100k commitments.
 */
export const CANDIDATE_SQL = `
WITH terms AS (SELECT t.value AS term, t.key AS pos FROM json_each(?1) t),
weighed AS (
  SELECT term, pos, (SELECT count(*) FROM (SELECT 1 FROM commitments_fts WHERE commitments_fts MATCH terms.term LIMIT ?4)) AS df
  FROM terms),
rare AS (SELECT term FROM weighed WHERE df > 0 AND df < ?4 ORDER BY df, pos LIMIT ?5)
SELECT c.id, c.title, c.keywords, c.parties, c.agreement_id
FROM commitments_fts f JOIN commitments c ON c.rowid = f.rowid
WHERE commitments_fts MATCH coalesce((SELECT group_concat(term, ' OR ') FROM rare), '""') AND c.closed_at IS NULL
  AND (?2 IS NULL OR c.agreement_id IN (SELECT value FROM json_each(?2)))
  AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(c.party_keys) cp, json_each(?3) sp WHERE cp.value = sp.value))
ORDER BY bm25(commitments_fts, 10.0, 2.0, 4.0, 2.0, 8.0)
LIMIT ?6`;

/** Candidates for each item's terms (no terms: none), in the order given. */
export async function findCandidates(db: Db, queries: Array<{ terms: string[]; scope: MatchScope }>): Promise<Candidate[][]> {
  const d1 = db.$client;
  const live = queries.map((q, i) => ({ ...q, i })).filter((q) => q.terms.length > 0);
  const out: Candidate[][] = queries.map(() => []);
  if (live.length === 0) return out;
  const results = await d1.batch<CandidateRow>(
    live.map((q) =>
      d1
        .prepare(CANDIDATE_SQL)
        .bind(
          JSON.stringify(q.terms),
          q.scope.agreements ? JSON.stringify(q.scope.agreements) : null,
          q.scope.partyKeys ? JSON.stringify(q.scope.partyKeys) : null,
          DF_CAP,
          MAX_QUERY_TERMS,
          CANDIDATES_PER_ITEM,
        ),
    ),
  );
  results.forEach((r, n) => {
    out[live[n]!.i] = (r.results ?? []).map((row) => ({
      id: row.id,
      title: row.title,
      keywords: JSON.parse(row.keywords) as string[],
      parties: JSON.parse(row.parties) as string[],
    }));
  });
  return out;
}
