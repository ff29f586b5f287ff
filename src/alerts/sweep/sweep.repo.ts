/**
 * The sweep's set-based SQL. Each finding step is three statements in one D1 batch however many
 * commitments fall due: insert the events, insert their outbox rows, move the flags. The chunk
 * is "open commitments whose next alert is due" (index commitments_open_next_alert), evaluated
 * identically by all three statements because the flag update runs last.
 *
 * Numbers (now, lead times) are inlined as integer literals: the CASE expressions repeat them
 * far past D1's 100 bound parameters per statement.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import type { BatchItem } from "../../platform/db/guard";
import { DAY_MS } from "../../platform/config";
import { insertOutboxRows } from "../../ledger/history/outbox.repo";
import { subscriptionFilters } from "../fanout";

const NEVER = 9007199254740991;

function int(n: number): SQL {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${n}`);
  return sql.raw(String(n));
}

/** The chunk of candidates, in next-alert order. */
const chunk = (now: number, size: number) =>
  sql`SELECT id FROM commitments WHERE closed_at IS NULL AND next_alert_at <= ${int(now)} ORDER BY next_alert_at, id LIMIT ${int(size)}`;

/** The smallest lead time (days) already reached at `now`, or NULL. */
function stageExpr(now: number, leadDays: number[]): SQL {
  const ascending = [...leadDays].sort((a, b) => a - b);
  const whens = ascending.map((d) => sql`WHEN ${int(now)} >= due_at - ${int(d * DAY_MS)} THEN ${int(d)}`);
  return sql`(CASE ${sql.join(whens, sql` `)} ELSE NULL END)`;
}

/** One finding step for up to `size` commitments: [overdue events, due-soon events, outbox, flags]. */
export function findingStatements(db: Db, now: number, leadDays: number[], size: number, idPrefix: string): BatchItem[] {
  const stage = stageExpr(now, leadDays);
  const overdue = sql`(overdue_notified = 0 AND overdue_at < ${int(now)})`;
  const dueSoon = sql`(NOT ${overdue} AND overdue_notified = 0 AND ${stage} IS NOT NULL AND (due_soon_notified_days IS NULL OR ${stage} < due_soon_notified_days))`;
  // Two inserts (overdue, due soon) so each statement's change count is that finding's count.
  const insertEvents = (kind: "overdue" | "due_soon") =>
    db.run(sql`
    INSERT OR IGNORE INTO events (id, type, commitment_id, agreement_id, from_value, to_value, note, evidence_url, actor, occurred_at, recorded_at, data, dedupe_key)
    SELECT
      ${idPrefix} || upper(hex(randomblob(8))),
      ${kind === "overdue" ? "commitment.overdue" : "commitment.due_soon"},
      id, agreement_id, status, ${kind},
      NULL, NULL, 'sweep',
      ${kind === "overdue" ? sql`overdue_at + 1` : sql`due_at - ${stage} * ${int(DAY_MS)}`},
      ${int(now)},
      ${
        kind === "overdue"
          ? sql`json_object('due_on', due_on, 'due_at', ${iso("due_at")}, 'overdue_at', ${iso("overdue_at")}, 'status', status)`
          : sql`json_object('due_on', due_on, 'due_at', ${iso("due_at")}, 'lead_days', ${stage}, 'status', status)`
      },
      ${kind === "overdue" ? sql`'overdue:' || id || ':' || overdue_at` : sql`'due_soon:' || id || ':' || due_at || ':' || ${stage}`}
    FROM commitments
    WHERE id IN (${chunk(now, size)}) AND ${kind === "overdue" ? overdue : dueSoon}`);

  // Outbox rows for the sweep events of this instant on the chunk's commitments (OR IGNORE: an
  // overlapping run at the same instant may have written them). Due now, so this run enqueues them.
  const insertOutbox = insertOutboxRows(
    db,
    sql`commitment_id IN (${chunk(now, size)}) AND actor = 'sweep' AND recorded_at = ${int(now)}`,
    int(now),
    int(now),
  );

  const notified = sql`(CASE WHEN ${dueSoon} THEN ${stage} ELSE due_soon_notified_days END)`;
  const thresholds = leadDays.map(
    (d) => sql`CASE WHEN ${notified} IS NULL OR ${int(d)} < ${notified} THEN due_at - ${int(d * DAY_MS)} ELSE ${int(NEVER)} END`,
  );
  const updateFlags = db.run(sql`
    UPDATE commitments SET
      overdue_notified = CASE WHEN ${overdue} THEN 1 ELSE overdue_notified END,
      due_soon_notified_days = ${notified},
      next_alert_at = CASE WHEN ${overdue} OR overdue_notified = 1 OR due_at IS NULL THEN NULL
        ELSE min(overdue_at + 1, ${sql.join(thresholds, sql`, `)}) END
    WHERE id IN (${chunk(now, size)})`);

  return [insertEvents("overdue"), insertEvents("due_soon"), insertOutbox, updateFlags];
}

const iso = (column: string) => sql.raw(`strftime('%Y-%m-%dT%H:%M:%fZ', ${column} / 1000.0, 'unixepoch')`);

/** Open commitments whose next staleness flag is due (index commitments_open_stale_alert). */
const staleChunk = (now: number, size: number) =>
  sql`SELECT id FROM commitments WHERE closed_at IS NULL AND next_stale_alert_at <= ${int(now)} ORDER BY next_stale_alert_at, id LIMIT ${int(size)}`;

/**
 * One staleness step for up to `size` commitments not verified within their verify_every:
 * [stale events, outbox rows, flags]. Once per period: the dedupe key names the period's start
 * (the one `now` is in), and the flag update moves next_stale_alert_at to the next one. The period
 * is stale_at minus the last check (or creation), as ledger/commitments.verification.ts stores them.
 */
export function staleStatements(db: Db, now: number, size: number, idPrefix: string): BatchItem[] {
  const period = sql.raw(`(stale_at - coalesce(last_verified_at, created_at))`);
  // The start of the period `now` is in: a sweep that missed periods records the current one.
  const current = sql`(next_stale_alert_at + ${period} * ((${int(now)} - next_stale_alert_at) / ${period}))`;
  const insertEvents = db.run(sql`
    INSERT OR IGNORE INTO events (id, type, commitment_id, agreement_id, from_value, to_value, note, evidence_url, actor, occurred_at, recorded_at, data, dedupe_key)
    SELECT ${idPrefix} || upper(hex(randomblob(8))), 'commitment.stale', id, agreement_id, status, 'stale', NULL, NULL, 'sweep',
      ${current}, ${int(now)},
      json_object('verify_every', verify_every, 'last_verified_at', CASE WHEN last_verified_at IS NULL THEN NULL ELSE ${iso("last_verified_at")} END,
        'stale_at', ${iso("stale_at")}, 'status', status),
      'stale:' || id || ':' || ${current}
    FROM commitments WHERE id IN (${staleChunk(now, size)}) AND stale_at IS NOT NULL AND ${period} > 0`);
  const insertOutbox = insertOutboxRows(
    db,
    sql`commitment_id IN (${staleChunk(now, size)}) AND type = 'commitment.stale' AND recorded_at = ${int(now)}`,
    int(now),
    int(now),
  );
  const updateFlags = db.run(sql`
    UPDATE commitments SET next_stale_alert_at = CASE WHEN stale_at IS NULL OR ${period} <= 0 THEN NULL
      ELSE ${current} + ${period} END
    WHERE id IN (${staleChunk(now, size)})`);
  return [insertEvents, insertOutbox, updateFlags];
}

/**
 * Reminders: for each active subscription with remind_every and each open, overdue commitment
 * its filters match (event types aside: asking for reminders is asking for them), one
 * commitment.still_overdue per remind_every period, for that subscription only. Periods count
 * from the later of the overdue instant and the last status change, so a status change restarts
 * them, an extension (a new overdue_at, re-armed flags) stops them, and closing the commitment
 * ends them. Idempotent per period: the dedupe key names subscription, commitment, start and
 * period number. Two statements: [events, outbox rows].
 *
 * Cost: the overdue index is range-scanned only over commitments overdue for at least the
 * shortest remind_every of an active subscription (the anchor is never before overdue_at; the
 * bound is one scalar subquery, NULL when no subscription asks, and then no commitment is read).
 * Pairs past their first period are probed again every sweep (the dedupe key makes it a no-op):
 * bench/README.md, "Reminders", has the cost per pair.
 */
export function reminderStatements(db: Db, now: number, idPrefix: string): BatchItem[] {
  const anchor = sql.raw(`max(c.overdue_at, c.status_changed_at)`);
  const n = sql`((${int(now)} - ${anchor}) / s.remind_every_ms)`;
  const filters = sql.raw(subscriptionFilters({ type: null, agreementId: "c.agreement_id", commitmentId: "c.id", recordedAt: String(now) }));
  const insertEvents = db.run(sql`
    INSERT OR IGNORE INTO events (id, type, commitment_id, agreement_id, from_value, to_value, note, evidence_url, actor, occurred_at, recorded_at, data, dedupe_key)
    SELECT ${idPrefix} || upper(hex(randomblob(8))), 'commitment.still_overdue', c.id, c.agreement_id, c.status, 'overdue', NULL, NULL, 'sweep',
      ${anchor} + ${n} * s.remind_every_ms, ${int(now)},
      json_object('subscription_id', s.id, 'remind_every', s.remind_every, 'reminder', ${n},
        'due_on', c.due_on, 'overdue_at', ${iso("c.overdue_at")}, 'days_overdue', (${int(now)} - c.overdue_at) / ${int(DAY_MS)}, 'status', c.status),
      'still_overdue:' || s.id || ':' || c.id || ':' || ${anchor} || ':' || ${n}
    FROM commitments c INDEXED BY commitments_open_overdue
    LEFT JOIN agreements a ON a.id = c.agreement_id
    JOIN subscriptions s ON s.state = 'active' AND s.remind_every_ms > 0 AND ${filters}
    WHERE c.closed_at IS NULL AND c.overdue_notified = 1
      AND c.overdue_at <= ${int(now)} - (SELECT min(remind_every_ms) FROM subscriptions WHERE state = 'active' AND remind_every_ms > 0)
      AND ${int(now)} >= ${anchor} + s.remind_every_ms`);
  const insertOutbox = insertOutboxRows(db, sql`type = 'commitment.still_overdue' AND recorded_at = ${int(now)} AND actor = 'sweep'`, int(now), int(now));
  return [insertEvents, insertOutbox];
}
