/**
 * "Last verified" and staleness: one definition. A commitment is stale when it is open and has
 * not been checked (a status change, new evidence, POST /verify) within its `verify_every`
 * period. The ledger stores `stale_at` (last check, or creation, + the period) and
 * `next_stale_alert_at` (when the sweep records the next commitment.stale); the SQL below is
 * what the sweep and status.json filter and count by.
 */
import { sql, type SQL } from "drizzle-orm";
import { fixedDurationMs } from "../lib/deadline";

/** The period when neither the request nor the configuration (VERIFY_EVERY) gives one. */
export const DEFAULT_VERIFY_EVERY = "P30D";

export interface VerificationColumns {
  lastVerifiedAt: number | null;
  verifyEvery: string | null;
  staleAt: number | null;
  nextStaleAlertAt: number | null;
}

/** The stored columns for a commitment checked at `lastVerifiedAt` (null: never, count from `createdAt`). */
export function verificationColumns(verifyEvery: string | null, lastVerifiedAt: number | null, createdAt: number): VerificationColumns {
  const period = verifyEvery === null ? null : fixedDurationMs(verifyEvery);
  const staleAt = period === null ? null : (lastVerifiedAt ?? createdAt) + period;
  return { lastVerifiedAt, verifyEvery, staleAt, nextStaleAlertAt: staleAt };
}

/** Whether a commitment is stale at `now` (the TypeScript rule). */
export const isStale = (row: { closedAt: number | null; staleAt: number | null }, now: number): boolean =>
  row.closedAt === null && row.staleAt !== null && row.staleAt <= now;

/** The same rule as SQL over `commitments` (index commitments_open_stale). */
export const staleSql = (now: number): SQL => sql`(closed_at IS NULL AND stale_at IS NOT NULL AND stale_at <= ${now})`;
