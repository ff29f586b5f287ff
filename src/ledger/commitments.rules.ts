/**
 * The two status axes. Progress is set by people; timeliness is computed from the deadline, the
 * progress and `now`. Pure: the list filter (commitments.repo.ts timelinessWhere) mirrors
 * `timeliness` in SQL, and tests check that the two agree.
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

export const TERMINAL: ReadonlySet<Progress> = new Set(["partially_fulfilled", "fulfilled", "broken", "withdrawn"]);
export const MET: ReadonlySet<Progress> = new Set(["partially_fulfilled", "fulfilled"]);

export const TIMELINESS = ["no_deadline", "on_track", "due_soon", "overdue", "met_on_time", "met_late", "closed"] as const;
export type Timeliness = (typeof TIMELINESS)[number];

export const isTerminal = (status: string): boolean => TERMINAL.has(status as Progress);

export interface TimelinessInput {
  status: string;
  dueAt: number | null;
  overdueAt: number | null;
  statusChangedAt: number;
}

/**
 * - closed: broken or withdrawn.
 * - met_on_time / met_late: fulfilled or partially fulfilled, judged by when that status was
 *   reached against the deadline plus grace.
 * - open: no_deadline; overdue once deadline + grace has passed; due_soon within `windowMs` of
 *   the deadline (and during the grace period); on_track before that.
 */
export function timeliness(c: TimelinessInput, now: number, windowMs: number): Timeliness {
  if (c.status === "broken" || c.status === "withdrawn") return "closed";
  if (MET.has(c.status as Progress)) {
    return c.overdueAt === null || c.statusChangedAt <= c.overdueAt ? "met_on_time" : "met_late";
  }
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

/** Whole days from `now` until `instant` (negative once past), for pages and status.json. */
export function daysUntil(instant: number, now: number): number {
  return Math.floor((instant - now) / 86_400_000);
}
