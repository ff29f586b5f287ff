/**
 * When the sweep has something to say about a commitment. Pure; shared by the ledger (which
 * arms the alerts whenever a deadline is set or changed) and the sweep (which fires them).
 *
 * Thresholds: one due_soon per configured lead time (30, 7, 1 days before the deadline by
 * default), then overdue once deadline + grace has passed. Only the latest threshold crossed is
 * announced: a sweep that first sees a commitment 5 days out records due_soon(7), not 30 and 7.
 */
import { DAY_MS } from "../platform/config";

export type Finding = { kind: "overdue" } | { kind: "due_soon"; days: number };

export interface AlertState {
  dueAt: number | null;
  overdueAt: number | null;
  dueSoonNotifiedDays: number | null;
  overdueNotified: boolean;
}

/** The finding that applies at `now` and has not been announced yet, if any. */
export function pendingFinding(s: AlertState, now: number, leadDays: number[]): Finding | null {
  if (s.dueAt === null || s.overdueAt === null || s.overdueNotified) return null;
  if (now > s.overdueAt) return { kind: "overdue" };
  // leadDays is sorted largest first; the smallest lead time already reached is the stage.
  let stage: number | null = null;
  for (const days of leadDays) if (now >= s.dueAt - days * DAY_MS) stage = days;
  if (stage === null) return null;
  if (s.dueSoonNotifiedDays !== null && s.dueSoonNotifiedDays <= stage) return null;
  return { kind: "due_soon", days: stage };
}

/** The earliest instant at which `pendingFinding` could return something new; null = never. */
export function nextAlertAt(s: AlertState, leadDays: number[]): number | null {
  if (s.dueAt === null || s.overdueAt === null || s.overdueNotified) return null;
  const candidates = [s.overdueAt + 1];
  for (const days of leadDays) {
    if (s.dueSoonNotifiedDays === null || days < s.dueSoonNotifiedDays) candidates.push(s.dueAt - days * DAY_MS);
  }
  return Math.min(...candidates);
}

/** Fresh bookkeeping for a new or changed deadline: every threshold is armed again. */
export function armAlerts(dueAt: number | null, overdueAt: number | null, leadDays: number[]) {
  const state: AlertState = { dueAt, overdueAt, dueSoonNotifiedDays: null, overdueNotified: false };
  return { dueSoonNotifiedDays: null, overdueNotified: false, nextAlertAt: nextAlertAt(state, leadDays) };
}
