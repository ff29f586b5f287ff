/**
 * The status document (/status.json), /healthz, and the versions every clock-dependent
 * read-side document (status, pages, calendar, badges) is validated with. Domain code: takes
 * `db` and `now`, never reads the clock or `env`.
 */
import type { Db } from "../../platform/db/client";
import { daysUntil, PROGRESS, TIMELINESS, timeliness, type Timeliness } from "../../ledger/commitments.rules";
import { toIso } from "../../lib/deadline";
import { clockChangedAt, clockKey } from "../version";
import { countCommitments } from "../../ledger/commitments.repo";
import {
  listNextDeadlines,
  listOverdue,
  readLatestSweep,
  readStatusProbe,
  type DeadlineRow,
  type DeliveryHealth,
  type StatusProbe,
  type SweepRunSummary,
} from "./status.repo";


export type SweepState = "ok" | "running" | "failed" | "stale" | "never";

/**
 * How the sweep is doing: `failed` when its latest run recorded an error, `stale` when the
 * latest run started more than 3 cron periods ago (so at least two runs were missed, or one is
 * stuck), `never` when no run is recorded.
 */
export function sweepState(run: SweepRunSummary | null, now: number, periodMinutes: number): SweepState {
  if (!run) return "never";
  if (run.error !== null) return "failed";
  if (now - run.startedAt > 3 * periodMinutes * 60_000) return "stale";
  return run.finishedAt === null ? "running" : "ok";
}

export type Indicator = "ok" | "attention" | "degraded";

export interface StatusContext {
  now: number;
  windowMs: number;
  sweepPeriodMinutes: number;
  /** Origin for links. */
  base: string;
}

/** Most overdue commitments listed in full; the count is always complete. */
export const OVERDUE_LIST_MAX = 100;
export const NEXT_DEADLINES_MAX = 10;

export const commitmentLink = (base: string, id: string) => `${base}/commitments/${encodeURIComponent(id)}`;

function deadlineItem(r: DeadlineRow, ctx: StatusContext) {
  return {
    id: r.id,
    title: r.title,
    agreement: { id: r.agreementId, title: r.agreementTitle ?? r.agreementId },
    status: r.status,
    due_on: r.dueOn,
    due_at: toIso(r.dueAt),
    overdue_at: toIso(r.overdueAt),
    link: commitmentLink(ctx.base, r.id),
  };
}

/** The decision behind `indicator`, with the reasons a person reads. */
export function decideIndicator(
  sweep: SweepState,
  overdue: number,
  delivery: DeliveryHealth,
  periodMinutes: number,
): { indicator: Indicator; reasons: string[] } {
  const reasons: string[] = [];
  if (sweep === "never") reasons.push("the overdue sweep has never run");
  if (sweep === "failed") reasons.push("the latest overdue sweep failed");
  if (sweep === "stale") reasons.push(`the overdue sweep has not run for more than ${3 * periodMinutes} minutes (3 cron periods)`);
  const degraded = reasons.length > 0;
  if (overdue > 0) reasons.push(`${overdue} commitment${overdue === 1 ? " is" : "s are"} overdue`);
  const failing = delivery.failing + delivery.disabled;
  if (failing > 0) reasons.push(`${failing} webhook subscription${failing === 1 ? " is" : "s are"} failing or disabled`);
  return { indicator: degraded ? "degraded" : reasons.length > 0 ? "attention" : "ok", reasons };
}

/**
 * Builds /status.json from the probe (already read for the validator) plus four aggregate
 * queries. Every count is an SQL aggregate over an indexed column.
 */
export async function statusDocument(db: Db, probe: StatusProbe, ctx: StatusContext) {
  const { now } = ctx;
  const [counts, overdueRows, nextRows] = await Promise.all([
    countCommitments(db, now, ctx.windowMs),
    listOverdue(db, now, OVERDUE_LIST_MAX),
    listNextDeadlines(db, now, NEXT_DEADLINES_MAX),
  ]);
  const byStatus = Object.fromEntries(PROGRESS.map((s) => [s, counts.byStatus[s] ?? 0])) as Record<(typeof PROGRESS)[number], number>;
  const total = Object.values(counts.byStatus).reduce((a, b) => a + b, 0);
  const byTimeliness = counts.byTimeliness;
  const sweep = sweepState(probe.lastSweep, now, ctx.sweepPeriodMinutes);
  const { indicator, reasons } = decideIndicator(sweep, byTimeliness.overdue, probe.delivery, ctx.sweepPeriodMinutes);
  const run = probe.lastSweep;
  return {
    indicator,
    reasons,
    generated_at: toIso(now),
    counts: {
      total,
      by_status: byStatus,
      by_timeliness: Object.fromEntries(TIMELINESS.map((k) => [k, byTimeliness[k]])) as Record<Timeliness, number>,
      /** Open commitments not verified within their verify_every (ledger/commitments.verification.ts). */
      stale: counts.stale,
    },
    overdue: overdueRows.map((r) => ({ ...deadlineItem(r, ctx), days_overdue: daysUntil(now, r.overdueAt) })),
    overdue_truncated: byTimeliness.overdue > overdueRows.length,
    next_deadlines: nextRows.map((r) => ({
      ...deadlineItem(r, ctx),
      timeliness: timeliness(r, now, ctx.windowMs),
      days_left: daysUntil(r.dueAt, now),
    })),
    last_sweep: run
      ? {
          id: run.id,
          scheduled_at: toIso(run.scheduledAt),
          started_at: toIso(run.startedAt),
          finished_at: run.finishedAt === null ? null : toIso(run.finishedAt),
          result: run.error !== null ? ("failed" as const) : run.finishedAt === null ? ("running" as const) : ("ok" as const),
          error: run.error,
          due_soon: run.dueSoon,
          overdue: run.overdue,
          age_seconds: Math.max(0, Math.floor((now - run.startedAt) / 1000)),
          stale: sweep === "stale",
        }
      : null,
    sweep: { state: sweep, period_minutes: ctx.sweepPeriodMinutes, stale_after_minutes: 3 * ctx.sweepPeriodMinutes },
    delivery: {
      pending: probe.delivery.pending,
      failing_subscriptions: probe.delivery.failing + probe.delivery.disabled,
      disabled_subscriptions: probe.delivery.disabled,
    },
    links: {
      html: `${ctx.base}/`,
      rss: `${ctx.base}/feed.xml`,
      atom: `${ctx.base}/feed.atom`,
      json_feed: `${ctx.base}/feed.json`,
      calendar: `${ctx.base}/calendar.ics`,
      openapi: `${ctx.base}/openapi.json`,
    },
  };
}

export type StatusDocument = Awaited<ReturnType<typeof statusDocument>>;

/** Everything the status validator depends on: one round trip of index lookups. */
export const probeStatus = (db: Db, now: number, windowMs: number): Promise<StatusProbe> => readStatusProbe(db, now, windowMs);

/** What the status validator covers: data, clock, sweep state and delivery health. */
export function statusVersionParts(probe: StatusProbe, now: number, periodMinutes: number): unknown[] {
  const run = probe.lastSweep;
  return [
    probe.version.seq,
    clockKey(probe.version, now),
    run ? [run.id, run.finishedAt, run.error] : null,
    sweepState(run, now, periodMinutes),
    [probe.delivery.pending, probe.delivery.failing, probe.delivery.disabled],
  ];
}

/**
 * Last-Modified of /status.json: the newest of the last event, the last clock step, the last
 * sweep activity and the moment the sweep became stale. Delivery health has no timestamp of
 * its own; `healthSeenAt` (when this isolate first saw the current counts) stands in for it,
 * which can only make Last-Modified later than the truth, never earlier.
 */
export function statusLastModified(probe: StatusProbe, now: number, ctx: { windowMs: number; sweepPeriodMinutes: number }, healthSeenAt: number): number {
  const run = probe.lastSweep;
  const staleAt = run ? run.startedAt + 3 * ctx.sweepPeriodMinutes * 60_000 + 1 : 0;
  return Math.max(
    probe.version.lastEventAt,
    clockChangedAt(probe.version, now, ctx.windowMs),
    run ? (run.finishedAt ?? run.startedAt) : 0,
    staleAt <= now ? staleAt : 0,
    healthSeenAt,
  );
}

/** /healthz: one query; a database that does not answer is `fail`, a late sweep only `warn`. */
export async function checkHealth(db: Db, now: number, periodMinutes: number) {
  try {
    return buildHealth(await readLatestSweep(db), now, periodMinutes, true);
  } catch (error) {
    console.error("healthz: database check failed", error);
    return buildHealth(null, now, periodMinutes, false);
  }
}

/** application/health+json (draft-inadvisable-health-check): pass / warn / fail. */
export function buildHealth(run: SweepRunSummary | null, now: number, periodMinutes: number, dbOk: boolean) {
  const sweep = sweepState(run, now, periodMinutes);
  const sweepStatus = sweep === "ok" || sweep === "running" ? "pass" : "warn";
  const status = !dbOk ? "fail" : sweepStatus;
  return {
    status,
    serviceId: "pledgewatch",
    description: "pledgewatch: commitments ledger, overdue sweep and webhook alerts",
    output: !dbOk ? "the database did not answer" : sweepStatus === "warn" ? `overdue sweep: ${sweep}` : undefined,
    checks: {
      "database:responseTime": [{ componentType: "datastore", status: dbOk ? "pass" : "fail", time: toIso(now) }],
      "sweep:lastRun": [
        {
          componentType: "component",
          status: sweepStatus,
          observedValue: run ? Math.max(0, Math.floor((now - run.startedAt) / 1000)) : null,
          observedUnit: "s",
          time: run ? toIso(run.finishedAt ?? run.startedAt) : toIso(now),
          output: sweep === "ok" ? undefined : sweep,
        },
      ],
    },
  };
}
