/**
 * The outbox (outbox.table.ts): one row per history event, written in the same batch as the
 * event, pending until the event has been fanned out into deliveries. It belongs to the history
 * because every writer of events (the ledger's services, the import, the sweep) must write it in
 * its own batch; the alerts layer claims and closes it (alerts/dispatch.ts, alerts/fanout.ts).
 * A crash between commit and enqueue costs a delay (the sweep re-sends), never an alert.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../platform/db/client";

/**
 * How long a pending outbox row is left to whoever holds it (its writer's own enqueue right after
 * commit, or the sweep run that claimed it) before a sweep re-sends it.
 */
export const OUTBOX_LEASE_MS = 60_000;

/**
 * Outbox rows for the events matching `where` (a condition on `events`), claimable from
 * `claimableAt`. OR IGNORE: a re-run that recorded no new event adds no row.
 */
export function insertOutboxRows(db: Db, where: SQL, claimableAt: SQL | number, at: SQL | number) {
  return db.run(sql`
    INSERT OR IGNORE INTO outbox (event_id, state, next_attempt_at, attempts, created_at)
    SELECT id, 'pending', ${claimableAt}, 0, ${at} FROM events WHERE ${where}`);
}

/** Moves the lease of up to `limit` pending rows past their time forward and returns their event ids. */
export async function claimPendingOutbox(db: Db, now: number, limit: number): Promise<string[]> {
  const claimed = await db.all<{ event_id: string }>(sql`
    UPDATE outbox SET next_attempt_at = ${now + OUTBOX_LEASE_MS}, attempts = attempts + 1
    WHERE event_id IN (
      SELECT event_id FROM outbox WHERE state = 'pending' AND next_attempt_at <= ${now}
      ORDER BY next_attempt_at LIMIT ${limit})
    RETURNING event_id`);
  return claimed.map((r) => r.event_id);
}

/** Marks these events fanned out (a statement for fan-out's batch); `ids` is a JSON array. */
export function markOutboxDone(db: Db, idsJson: string) {
  return db.run(sql`UPDATE outbox SET state = 'done' WHERE event_id IN (SELECT value FROM json_each(${idsJson})) AND state = 'pending'`);
}
