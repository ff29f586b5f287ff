/**
 * The scheduled sweep. Steps:
 *  1. record the run (sweep_runs) so /status.json can tell when the sweep last ran;
 *  2. finding steps: for open commitments whose next alert is due (an indexed range scan on
 *     next_alert_at), write the due_soon / overdue events, their outbox rows and the new flags in
 *     one D1 batch per chunk of FINDING_CHUNK — four statements however many fall due;
 *  2b. staleness: open commitments not verified within their verify_every (indexed scan on
 *     next_stale_alert_at) get commitment.stale, once per period, in batches of FINDING_CHUNK;
 *  2c. reminders: commitment.still_overdue per (subscription with remind_every, overdue
 *     commitment it matches), once per period, one batch;
 *  3. re-send outbox rows and deliveries still pending past their time (alerts/dispatch.ts), which
 *     also enqueues the events of step 2;
 *  4. retention: delete finished deliveries past their age with their attempts, oldest first, in
 *     rounds of PRUNE_CHUNK (alerts/retention.repo.ts), while the query budget allows;
 *  5. finish the run row with counts, query count and error.
 *
 * Idempotent: events carry unique dedupe keys ("overdue:<id>:<overdue_at>"), the flag update moves
 * next_alert_at past `now`, and outbox/delivery claims are compare-and-set, so a re-run, an
 * overlapping run or a run after a crash adds nothing twice. An extended deadline re-arms the flags
 * (commitments.service.ts armAlerts).
 *
 * Query budget: 1 run row + 4 per 5,000 findings + 1 per 5,000 re-sends + 3 per 1,000 pruned
 * deliveries + 1 to finish, so 10,000 commitments falling overdue at once cost about 20 queries,
 * and retention takes what is left up to PRUNE_BUDGET, inside the free plan's 50.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import type { Config } from "../../platform/config";
import { execBatch } from "../../platform/db/guard";
import { resendPending } from "../dispatch";
import type { DeliveryQueue } from "../messages";
import { newId } from "../../lib/ids";
import { findingStatements, reminderStatements, staleStatements } from "./sweep.repo";
import { PRUNE_CHUNK, pruneStatements, type SettledState } from "../retention.repo";
import { sweepRuns } from "./sweep.table";

/** Commitments per finding batch: 4 statements, up to 15,000 rows written. */
export const FINDING_CHUNK = 5000;
/** Finding batches per run: 50,000 commitments; the rest wait for the next run. */
const MAX_FINDING_ROUNDS = 10;
/**
 * D1 allows 50 queries per invocation on the free plan (1,000 on paid). The run stops finding
 * at this many, leaving room for its re-sends and its finish row; the rest waits for the next run.
 */
export const QUERY_BUDGET = 36;
/** Retention rounds (3 queries each) run while the run stays under this many queries. */
export const PRUNE_BUDGET = 45;
/** At most this many retention rounds per run (5,000 deliveries): bounded wall time. */
const MAX_PRUNE_ROUNDS = 5;

export interface SweepResult {
  runId: number;
  dueSoon: number;
  overdue: number;
  stale: number;
  reminders: number;
  outboxResent: number;
  deliveriesResent: number;
  pruned: number;
  queries: number;
  sendCalls: number;
  error: string | null;
}

export interface SweepDeps {
  db: Db;
  queue: DeliveryQueue;
  leadDays: number[];
  /** How long finished deliveries stay in the log (platform/config.ts). */
  retention: { succeededMs: number; failedMs: number };
  /** Queries issued so far in this invocation (platform/db/counting.ts). */
  queryCount: () => number;
  /** Wall clock for the run's finish time (the sweep's `now` is the scheduled time). */
  clock: () => number;
}

/** What the sweep takes from the configuration. */
export const sweepSettings = (config: Pick<Config, "dueSoonDays" | "deliveryRetentionMs" | "failedDeliveryRetentionMs">) => ({
  leadDays: config.dueSoonDays,
  retention: { succeededMs: config.deliveryRetentionMs, failedMs: config.failedDeliveryRetentionMs },
});

export async function runSweep(deps: SweepDeps, now: number, startedAt: number = now): Promise<SweepResult> {
  const { db, queue, leadDays } = deps;
  const [run] = await db.insert(sweepRuns).values({ scheduledAt: now, startedAt }).returning({ id: sweepRuns.id });
  const result: SweepResult = {
    runId: run!.id,
    dueSoon: 0,
    overdue: 0,
    stale: 0,
    reminders: 0,
    outboxResent: 0,
    deliveriesResent: 0,
    pruned: 0,
    queries: 0,
    sendCalls: 0,
    error: null,
  };
  try {
    // The ULID time part of this run's event ids; SQL appends the random part.
    const idPrefix = newId("evt", now).slice(0, 14);
    for (let round = 0; round < MAX_FINDING_ROUNDS && deps.queryCount() + 4 <= QUERY_BUDGET; round++) {
      const statements = findingStatements(db, now, leadDays, FINDING_CHUNK, idPrefix);
      const results = await execBatch(db, statements);
      result.overdue += results[0]?.meta.changes ?? 0;
      result.dueSoon += results[1]?.meta.changes ?? 0;
      if ((results[3]?.meta.changes ?? 0) < FINDING_CHUNK) break;
    }
    for (let round = 0; round < MAX_FINDING_ROUNDS && deps.queryCount() + 3 <= QUERY_BUDGET; round++) {
      const results = await execBatch(db, staleStatements(db, now, FINDING_CHUNK, idPrefix));
      result.stale += results[0]?.meta.changes ?? 0;
      if ((results[2]?.meta.changes ?? 0) < FINDING_CHUNK) break;
    }
    if (deps.queryCount() + 2 <= QUERY_BUDGET) {
      const results = await execBatch(db, reminderStatements(db, now, idPrefix));
      result.reminders += results[0]?.meta.changes ?? 0;
    }
    const resent = await resendPending(db, queue, now);
    result.outboxResent = resent.outbox;
    result.deliveriesResent = resent.deliveries;
    result.sendCalls = resent.sendCalls;
    result.pruned = await prune(deps, now);
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  }
  result.queries = deps.queryCount() + 1;
  await db
    .update(sweepRuns)
    .set({
      finishedAt: Math.max(deps.clock(), startedAt),
      dueSoon: result.dueSoon,
      overdue: result.overdue,
      stale: result.stale,
      reminders: result.reminders,
      outboxResent: result.outboxResent,
      deliveriesResent: result.deliveriesResent,
      pruned: result.pruned,
      queries: result.queries,
      sendCalls: result.sendCalls,
      error: result.error,
    })
    .where(eq(sweepRuns.id, result.runId));
  if (result.error) throw new Error(`sweep failed: ${result.error}`);
  return result;
}

/** Step 4: finished deliveries past their age, oldest first, each state in its own rounds. */
async function prune(deps: SweepDeps, now: number): Promise<number> {
  const passes: Array<[SettledState, number]> = [
    ["succeeded", now - deps.retention.succeededMs],
    ["failed", now - deps.retention.failedMs],
    ["cancelled", now - deps.retention.failedMs],
  ];
  let pruned = 0;
  let rounds = 0;
  for (const [state, cutoff] of passes) {
    while (rounds < MAX_PRUNE_ROUNDS && deps.queryCount() + 3 <= PRUNE_BUDGET) {
      rounds++;
      const results = await execBatch(deps.db, pruneStatements(deps.db, state, cutoff));
      const deleted = results[2]?.meta.changes ?? 0;
      pruned += deleted;
      if (deleted < PRUNE_CHUNK) break;
    }
  }
  return pruned;
}
