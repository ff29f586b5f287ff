/** Human words for the machine values the read side shows (feeds, calendar, pages, badges). */

export const PROGRESS_LABELS: Record<string, string> = {
  not_started: "not started",
  in_progress: "in progress",
  stalled: "stalled",
  partially_fulfilled: "partially fulfilled",
  fulfilled: "fulfilled",
  broken: "broken",
  withdrawn: "withdrawn",
};

export const TIMELINESS_LABELS: Record<string, string> = {
  no_deadline: "no deadline",
  waiting: "waiting",
  on_track: "on track",
  due_soon: "due soon",
  overdue: "overdue",
  met_on_time: "met on time",
  met_late: "met late",
  closed: "closed",
};

/**
 * Why a deadline has no date yet, in words: "waiting on entry into force", "waiting on signing",
 * "waiting on: <the anchor commitment's title>". The one wording for the API's
 * `waiting_reason`, pages, feeds, the calendar and badges.
 */
export function waitingReason(waitingOn: string | null, anchorTitle: string | null | undefined): string | null {
  if (waitingOn === null) return null;
  if (waitingOn === "entry_into_force") return "waiting on entry into force";
  if (waitingOn === "signing") return "waiting on signing";
  return `waiting on: ${anchorTitle ?? "another commitment"}`;
}

export const progressLabel = (s: string | null | undefined): string => (s ? (PROGRESS_LABELS[s] ?? s.replace(/_/g, " ")) : "none");
export const timelinessLabel = (t: string): string => TIMELINESS_LABELS[t] ?? t.replace(/_/g, " ");

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${Math.abs(n) === 1 ? one : many}`;

/** "due today", "due in 3 days", "2 days overdue" from a whole-day difference. */
export function daysPhrase(daysLeft: number, overdue: boolean): string {
  if (overdue) return daysLeft >= 0 ? "overdue" : `${plural(-daysLeft, "day")} overdue`;
  if (daysLeft === 0) return "due today";
  if (daysLeft < 0) return `${plural(-daysLeft, "day")} past the deadline (grace period)`;
  return `due in ${plural(daysLeft, "day")}`;
}
