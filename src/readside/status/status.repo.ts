/**
 * /status.json's queries: its validator's probe (the data version of ../version.repo.ts plus
 * the sweep and delivery health) and its aggregates. Every query here is an index lookup or an
 * aggregate over an indexed range; none reads the commitments table row by row:
 *
 * - pending deliveries: count over the partial index deliveries_pending_due, capped at
 *   PENDING_COUNT_CAP so a burst of half a million pending deliveries costs at most that many
 *   index entries read per probe (D1 bills rows read).
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { probeColumns, toVersion, type DataVersion, type ProbeRow } from "../version.repo";

/** status.json reports at most this many pending deliveries ("at least 10,000"). */
export const PENDING_COUNT_CAP = 10_000;

export interface SweepRunSummary {
  id: number;
  scheduledAt: number;
  startedAt: number;
  finishedAt: number | null;
  dueSoon: number;
  overdue: number;
  error: string | null;
}

export interface DeliveryHealth {
  /** Deliveries not yet succeeded or given up on. */
  pending: number;
  /** Active subscriptions inside a run of failed deliveries (failing_since set). */
  failing: number;
  /** Subscriptions switched off after failing for too long (or a 410). */
  disabled: number;
}

export interface StatusProbe {
  version: DataVersion;
  lastSweep: SweepRunSummary | null;
  delivery: DeliveryHealth;
}

interface StatusProbeRow extends ProbeRow {
  sweep_id: number | null;
  sweep_scheduled_at: number | null;
  sweep_started_at: number | null;
  sweep_finished_at: number | null;
  sweep_due_soon: number | null;
  sweep_overdue: number | null;
  sweep_error: string | null;
  pending: number;
  failing: number;
  disabled: number;
}

/**
 * Everything /status.json's validator depends on, in one round trip: the data version, the
 * latest sweep run (sweep_runs primary key, from its end) and the delivery health counts
 * (the pending-deliveries partial index; subscriptions are few).
 */
export async function readStatusProbe(db: Db, now: number, windowMs: number): Promise<StatusProbe> {
  const row = await db.get<StatusProbeRow>(sql`
    WITH last_run AS (SELECT * FROM sweep_runs ORDER BY id DESC LIMIT 1)
    SELECT ${probeColumns(now, windowMs)},
      (SELECT id FROM last_run) AS sweep_id,
      (SELECT scheduled_at FROM last_run) AS sweep_scheduled_at,
      (SELECT started_at FROM last_run) AS sweep_started_at,
      (SELECT finished_at FROM last_run) AS sweep_finished_at,
      (SELECT due_soon FROM last_run) AS sweep_due_soon,
      (SELECT overdue FROM last_run) AS sweep_overdue,
      (SELECT error FROM last_run) AS sweep_error,
      (SELECT count(*) FROM (SELECT 1 FROM deliveries WHERE state = 'pending' LIMIT ${PENDING_COUNT_CAP})) AS pending,
      (SELECT count(*) FROM subscriptions WHERE failing_since IS NOT NULL AND state <> 'disabled') AS failing,
      (SELECT count(*) FROM subscriptions WHERE state = 'disabled') AS disabled`);
  return {
    version: toVersion(row),
    lastSweep:
      row && row.sweep_id !== null
        ? {
            id: row.sweep_id,
            scheduledAt: row.sweep_scheduled_at!,
            startedAt: row.sweep_started_at!,
            finishedAt: row.sweep_finished_at,
            dueSoon: row.sweep_due_soon ?? 0,
            overdue: row.sweep_overdue ?? 0,
            error: row.sweep_error,
          }
        : null,
    delivery: { pending: row?.pending ?? 0, failing: row?.failing ?? 0, disabled: row?.disabled ?? 0 },
  };
}

export interface DeadlineRow {
  id: string;
  title: string;
  agreementId: string;
  agreementTitle: string | null;
  status: string;
  dueOn: string | null;
  dueAt: number;
  overdueAt: number;
  statusChangedAt: number;
  timeZone: string;
  waitingOn: string | null;
}

const deadlineColumns = sql`c.id AS id, c.title AS title, c.agreement_id AS agreementId, a.title AS agreementTitle,
  c.status AS status, c.due_on AS dueOn, c.due_at AS dueAt, c.overdue_at AS overdueAt,
  c.status_changed_at AS statusChangedAt, c.time_zone AS timeZone, c.waiting_on AS waitingOn`;

/** Open commitments past deadline + grace, longest overdue first (commitments_open_overdue). */
export async function listOverdue(db: Db, now: number, limit: number): Promise<DeadlineRow[]> {
  return db.all<DeadlineRow>(sql`
    SELECT ${deadlineColumns}
    FROM commitments c INDEXED BY commitments_open_overdue
    LEFT JOIN agreements a ON a.id = c.agreement_id
    WHERE c.closed_at IS NULL AND c.overdue_at < ${now}
    ORDER BY c.overdue_at ASC, c.id ASC
    LIMIT ${limit}`);
}

/**
 * Open commitments not yet overdue, in the order they would become overdue
 * (commitments_open_overdue): upcoming deadlines and those inside their grace period.
 */
export async function listNextDeadlines(db: Db, now: number, limit: number): Promise<DeadlineRow[]> {
  return db.all<DeadlineRow>(sql`
    SELECT ${deadlineColumns}
    FROM commitments c INDEXED BY commitments_open_overdue
    LEFT JOIN agreements a ON a.id = c.agreement_id
    WHERE c.closed_at IS NULL AND c.overdue_at >= ${now}
    ORDER BY c.overdue_at ASC, c.id ASC
    LIMIT ${limit}`);
}

/** The latest sweep run alone (sweep_runs primary key, from its end): what /healthz needs. */
export async function readLatestSweep(db: Db): Promise<SweepRunSummary | null> {
  const row = await db.get<{
    id: number;
    scheduled_at: number;
    started_at: number;
    finished_at: number | null;
    due_soon: number;
    overdue: number;
    error: string | null;
  }>(sql`SELECT id, scheduled_at, started_at, finished_at, due_soon, overdue, error FROM sweep_runs ORDER BY id DESC LIMIT 1`);
  if (!row) return null;
  return {
    id: row.id,
    scheduledAt: row.scheduled_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    dueSoon: row.due_soon,
    overdue: row.overdue,
    error: row.error,
  };
}
