import { sql } from "drizzle-orm";
import type { Db } from "../db/client";

export interface LatestChange {
  commitmentId: string;
  type: string;
  fromValue: string | null;
  toValue: string | null;
  recordedAt: number;
  occurredAt: number;
}

/**
 * The newest event of each commitment: max(seq) per commitment_id read from the
 * events_commitment_seq index, then those rows by primary key.
 */
export async function latestChanges(db: Db): Promise<Map<string, LatestChange>> {
  const rows = await db.all<{
    commitment_id: string;
    type: string;
    from_value: string | null;
    to_value: string | null;
    recorded_at: number;
    occurred_at: number;
  }>(sql`
    SELECT e.commitment_id, e.type, e.from_value, e.to_value, e.recorded_at, e.occurred_at
    FROM (SELECT max(seq) AS seq FROM events WHERE commitment_id IS NOT NULL GROUP BY commitment_id) m
    JOIN events e ON e.seq = m.seq`);
  return new Map(
    rows.map((r) => [
      r.commitment_id,
      {
        commitmentId: r.commitment_id,
        type: r.type,
        fromValue: r.from_value,
        toValue: r.to_value,
        recordedAt: r.recorded_at,
        occurredAt: r.occurred_at,
      },
    ]),
  );
}
