/**
 * The FTS5 side of matching: one statement per item against commitments_fts (migration 0006:
 * an external-content index of title, description, parties, tags and keywords kept in step by
 * triggers), joined back to open commitments by rowid and limited to the source's scope. All of
 * a poll's items go to D1 in one batch: one round trip however many items.
 */
import type { Db } from "../platform/db/client";
import { CANDIDATES_PER_ITEM, type Candidate } from "./match";

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

/** Exported for bench/watch.mjs, which runs the same statement against 1k and 100k commitments. */
export const CANDIDATE_SQL = `
SELECT c.id, c.title, c.keywords, c.parties, c.agreement_id
FROM commitments_fts f JOIN commitments c ON c.rowid = f.rowid
WHERE commitments_fts MATCH ?1 AND c.closed_at IS NULL
  AND (?2 IS NULL OR c.agreement_id IN (SELECT value FROM json_each(?2)))
  AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(c.party_keys) cp, json_each(?3) sp WHERE cp.value = sp.value))
ORDER BY bm25(commitments_fts, 10.0, 2.0, 4.0, 2.0, 8.0)
LIMIT ${CANDIDATES_PER_ITEM}`;

/** Candidates for each query (null query: none), in the order given. */
export async function findCandidates(db: Db, queries: Array<{ match: string | null; scope: MatchScope }>): Promise<Candidate[][]> {
  const d1 = db.$client;
  const live = queries.map((q, i) => ({ ...q, i })).filter((q) => q.match !== null);
  const out: Candidate[][] = queries.map(() => []);
  if (live.length === 0) return out;
  const results = await d1.batch<CandidateRow>(
    live.map((q) =>
      d1
        .prepare(CANDIDATE_SQL)
        .bind(q.match, q.scope.agreements ? JSON.stringify(q.scope.agreements) : null, q.scope.partyKeys ? JSON.stringify(q.scope.partyKeys) : null),
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
