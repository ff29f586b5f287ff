/**
 * The two status axes. Progress is set by people; timeliness is computed from the deadline, the
 * progress and `now`. Pure. Its SQL side (filters, urgency rank, counts) is built from the same
 * cases in commitments.timeliness.ts, and a property test holds the two equal.
 */
import { DomainError } from "../lib/errors";

export const PROGRESS = [
  "not_started",
  "in_progress",
  "stalled",
  "partially_fulfilled",
  "fulfilled",
  "broken",
  "withdrawn",
] as const;
export type Progress = (typeof PROGRESS)[number];

export const MET_STATUSES = ["partially_fulfilled", "fulfilled"] as const satisfies readonly Progress[];
export const CLOSED_STATUSES = ["broken", "withdrawn"] as const satisfies readonly Progress[];
export const TERMINAL: ReadonlySet<Progress> = new Set([...MET_STATUSES, ...CLOSED_STATUSES]);
export const MET: ReadonlySet<Progress> = new Set(MET_STATUSES);

export const TIMELINESS = ["no_deadline", "waiting", "on_track", "due_soon", "overdue", "met_on_time", "met_late", "closed"] as const;
export type Timeliness = (typeof TIMELINESS)[number];

/** Urgency order, most urgent first: lists, pages and the home page sort by it. */
export const URGENCY: readonly Timeliness[] = ["overdue", "due_soon", "on_track", "waiting", "no_deadline", "met_late", "met_on_time", "closed"];
export const urgencyRank = (t: Timeliness): number => URGENCY.indexOf(t);

export const isTerminal = (status: string): boolean => TERMINAL.has(status as Progress);

export interface TimelinessInput {
  status: string;
  dueAt: number | null;
  overdueAt: number | null;
  statusChangedAt: number;
  /** The anchor an unresolved deadline waits on; null when there is none to wait for. */
  waitingOn: string | null;
}

/**
 * - closed: broken or withdrawn.
 * - met_on_time / met_late: fulfilled or partially fulfilled, judged by when that status was
 *   reached against the deadline plus grace.
 * - open: waiting while the deadline's anchor has not happened (entry into force, the anchor
 *   commitment met); no_deadline; overdue once deadline + grace has passed; due_soon within `windowMs` of
 *   the deadline (and during the grace period); on_track before that.
 */
export function timeliness(c: TimelinessInput, now: number, windowMs: number): Timeliness {
  if ((CLOSED_STATUSES as readonly string[]).includes(c.status)) return "closed";
  if (MET.has(c.status as Progress)) {
    return c.overdueAt === null || c.statusChangedAt <= c.overdueAt ? "met_on_time" : "met_late";
  }
  if (c.waitingOn !== null) return "waiting";
  if (c.dueAt === null || c.overdueAt === null) return "no_deadline";
  if (now > c.overdueAt) return "overdue";
  if (now >= c.dueAt - windowMs) return "due_soon";
  return "on_track";
}

/**
 * Whether a status change may happen. Open statuses move freely; leaving a terminal status
 * (reopening, or switching between terminal outcomes) needs a note explaining why.
 */
export function assertTransition(from: string, to: string, note: string | undefined): void {
  if (from === to) return;
  if (isTerminal(from) && !note?.trim()) {
    throw new DomainError(
      "illegal_transition",
      `'${from}' is terminal: moving it to '${to}' reopens it and needs a note saying why`,
    );
  }
}

/** UTC day number: whole days since 1970-01-01. */
export const utcDay = (ms: number): number => Math.floor(ms / 86_400_000);

/**
 * The one day count ("days left", "days overdue"): whole UTC calendar days from `now`'s date to
 * `instant`'s, 0 on the same UTC day, negative once past. It changes only at UTC midnight, so a
 * document that shows it stays valid for the rest of the day (readside/version.ts clockKey).
 */
export const daysUntil = (instant: number, now: number): number => utcDay(instant) - utcDay(now);
