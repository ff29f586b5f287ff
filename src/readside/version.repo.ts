/**
 * The cheap version probe every cached read-side document starts with (readside/version.ts).
 * Index lookups only:
 *
 * - `max(seq)` / latest event: the events primary key, read from its end (O(log n)). Every
 *   ledger change appends an event in the same batch, so it is a version of the ledger.
 * - the parties table's row count and latest update: an editor's party names and aliases change
 *   party pages and the party filters without an event (the table is small: a handful of rows).
 * - next/last timeliness thresholds: min/max over the partial indexes commitments_open_overdue
 *   and commitments_open_due (O(log n)): timeliness only moves when `now` crosses one.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";

export interface DataVersion {
  /** seq of the newest event; 0 for an empty history. */
  seq: number;
  /** recorded_at of the newest event (ms); 0 for an empty history. */
  lastEventAt: number;
  /** "<rows>.<latest updated_at>" of the parties table: changes with every party write. */
  parties: string;
  /** The latest updated_at of the parties table (ms); 0 when it is empty. */
  partiesUpdatedAt: number;
  /** The smallest overdue_at an open commitment has not passed yet: it turns overdue after it. */
  nextOverdueAt: number | null;
  /** The latest overdue_at already passed by an open commitment. */
  lastOverdueAt: number | null;
  /** The smallest due_at still outside the due-soon window: it turns due_soon when the window reaches it. */
  nextDueSoonAt: number | null;
  /** The latest due_at already inside the window. */
  lastDueSoonAt: number | null;
}

export interface ProbeRow {
  seq: number | null;
  last_event_at: number | null;
  parties_count: number | null;
  parties_updated_at: number | null;
  next_overdue: number | null;
  last_overdue: number | null;
  next_due_soon: number | null;
  last_due_soon: number | null;
}

export const probeColumns = (now: number, windowMs: number) => sql`
  (SELECT seq FROM events ORDER BY seq DESC LIMIT 1) AS seq,
  (SELECT recorded_at FROM events ORDER BY seq DESC LIMIT 1) AS last_event_at,
  (SELECT count(*) FROM parties) AS parties_count,
  (SELECT max(updated_at) FROM parties) AS parties_updated_at,
  (SELECT min(overdue_at) FROM commitments WHERE closed_at IS NULL AND overdue_at >= ${now}) AS next_overdue,
  (SELECT max(overdue_at) FROM commitments WHERE closed_at IS NULL AND overdue_at < ${now}) AS last_overdue,
  (SELECT min(due_at) FROM commitments WHERE closed_at IS NULL AND due_at > ${now + windowMs}) AS next_due_soon,
  (SELECT max(due_at) FROM commitments WHERE closed_at IS NULL AND due_at <= ${now + windowMs}) AS last_due_soon`;

export function toVersion(row: ProbeRow | undefined): DataVersion {
  return {
    seq: row?.seq ?? 0,
    lastEventAt: row?.last_event_at ?? 0,
    parties: `${row?.parties_count ?? 0}.${row?.parties_updated_at ?? 0}`,
    partiesUpdatedAt: row?.parties_updated_at ?? 0,
    nextOverdueAt: row?.next_overdue ?? null,
    lastOverdueAt: row?.last_overdue ?? null,
    nextDueSoonAt: row?.next_due_soon ?? null,
    lastDueSoonAt: row?.last_due_soon ?? null,
  };
}

/** One round trip, six index lookups and two reads of the small parties table. */
export async function readDataVersion(db: Db, now: number, windowMs: number): Promise<DataVersion> {
  return toVersion(await db.get<ProbeRow>(sql`SELECT ${probeColumns(now, windowMs)}`));
}

/** Only the ledger version (feeds do not move with the clock): one primary-key lookup. */
export async function readLedgerVersion(db: Db): Promise<{ seq: number; lastEventAt: number }> {
  const row = await db.get<{ seq: number | null; recorded_at: number | null }>(
    sql`SELECT seq, recorded_at FROM events ORDER BY seq DESC LIMIT 1`,
  );
  return { seq: row?.seq ?? 0, lastEventAt: row?.recorded_at ?? 0 };
}
