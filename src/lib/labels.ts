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
  on_track: "on track",
  due_soon: "due soon",
  overdue: "overdue",
  met_on_time: "met on time",
  met_late: "met late",
  closed: "closed",
};

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
