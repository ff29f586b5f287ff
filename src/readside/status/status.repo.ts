/**
 * Read-side queries: the cheap version probe every cached read-side document starts with, and
 * the aggregates of /status.json. Every query here is an index lookup or an aggregate over an
 * indexed range; none reads the commitments table row by row:
 *
 * - `max(seq)` / latest event: the events primary key, read from its end (O(log n)). Every
 *   ledger change appends an event in the same batch, so it is a version of the ledger.
 * - next/last timeliness thresholds: min/max over the partial indexes commitments_open_overdue
 *   and commitments_open_due (O(log n)): timeliness only moves when `now` crosses one.
 * - pending deliveries: count over the partial index deliveries_pending_due, capped at
 *   PENDING_COUNT_CAP so a burst of half a million pending deliveries costs at most that many
 *   index entries read per probe (D1 bills rows read).
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";

/** status.json reports at most this many pending deliveries ("at least 10,000"). */
export const PENDING_COUNT_CAP = 10_000;

export interface DataVersion {
  /** seq of the newest event; 0 for an empty history. */
  seq: number;
  /** recorded_at of the newest event (ms); 0 for an empty history. */
  lastEventAt: number;
  /** The smallest overdue_at an open commitment has not passed yet: it turns overdue after it. */
  nextOverdueAt: number | null;
  /** The latest overdue_at already passed by an open commitment. */
  lastOverdueAt: number | null;
  /** The smallest due_at still outside the due-soon window: it turns due_soon when the window reaches it. */
  nextDueSoonAt: number | null;
  /** The latest due_at already inside the window. */
  lastDueSoonAt: number | null;
}

interface ProbeRow {
  seq: number | null;
  last_event_at: number | null;
  next_overdue: number | null;
  last_overdue: number | null;
  next_due_soon: number | null;
  last_due_soon: number | null;
}

const probeColumns = (now: number, windowMs: number) => sql`
  (SELECT seq FROM events ORDER BY seq DESC LIMIT 1) AS seq,
  (SELECT recorded_at FROM events ORDER BY seq DESC LIMIT 1) AS last_event_at,
  (SELECT min(overdue_at) FROM commitments WHERE closed_at IS NULL AND overdue_at >= ${now}) AS next_overdue,
  (SELECT max(overdue_at) FROM commitments WHERE closed_at IS NULL AND overdue_at < ${now}) AS last_overdue,
  (SELECT min(due_at) FROM commitments WHERE closed_at IS NULL AND due_at > ${now + windowMs}) AS next_due_soon,
  (SELECT max(due_at) FROM commitments WHERE closed_at IS NULL AND due_at <= ${now + windowMs}) AS last_due_soon`;

function toVersion(row: ProbeRow | undefined): DataVersion {
  return {
    seq: row?.seq ?? 0,
    lastEventAt: row?.last_event_at ?? 0,
    nextOverdueAt: row?.next_overdue ?? null,
    lastOverdueAt: row?.last_overdue ?? null,
    nextDueSoonAt: row?.next_due_soon ?? null,
    lastDueSoonAt: row?.last_due_soon ?? null,
  };
}

/** One round trip, six index lookups. */
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

export interface TimelinessCounts {
  open: number;
  overdue: number;
  onTrack: number;
  noDeadline: number;
  metLate: number;
}

/**
 * Counts by progress status (the commitments_status index, read as a covering index) and the
 * open-commitment timeliness ranges (partial indexes on due_at / overdue_at). Mirrors
 * commitments.rules.ts `timeliness`: an open commitment is overdue past overdue_at, on track
 * while due_at is beyond the due-soon window, due soon in between; the service derives due_soon,
 * met_on_time and closed from these.
 */
export async function countCommitments(
  db: Db,
  now: number,
  windowMs: number,
): Promise<{ byStatus: Record<string, number>; timeliness: TimelinessCounts }> {
  const [statusRows, t] = await Promise.all([
    db.all<{ status: string; n: number }>(sql`SELECT status, count(*) AS n FROM commitments GROUP BY status`),
    db.get<{ open: number; overdue: number; on_track: number; no_deadline: number; met_late: number }>(sql`
      SELECT
        (SELECT count(*) FROM commitments WHERE closed_at IS NULL) AS open,
        (SELECT count(*) FROM commitments WHERE closed_at IS NULL AND overdue_at < ${now}) AS overdue,
        (SELECT count(*) FROM commitments WHERE closed_at IS NULL AND due_at > ${now + windowMs}) AS on_track,
        (SELECT count(*) FROM commitments WHERE closed_at IS NULL AND due_at IS NULL) AS no_deadline,
        (SELECT count(*) FROM commitments
          WHERE status IN ('fulfilled', 'partially_fulfilled') AND overdue_at IS NOT NULL AND status_changed_at > overdue_at) AS met_late`),
  ]);
  return {
    byStatus: Object.fromEntries(statusRows.map((r) => [r.status, r.n])),
    timeliness: {
      open: t?.open ?? 0,
      overdue: t?.overdue ?? 0,
      onTrack: t?.on_track ?? 0,
      noDeadline: t?.no_deadline ?? 0,
      metLate: t?.met_late ?? 0,
    },
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
}

const deadlineColumns = sql`c.id AS id, c.title AS title, c.agreement_id AS agreementId, a.title AS agreementTitle,
  c.status AS status, c.due_on AS dueOn, c.due_at AS dueAt, c.overdue_at AS overdueAt,
  c.status_changed_at AS statusChangedAt, c.time_zone AS timeZone`;

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
