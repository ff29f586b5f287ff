/**
 * Deadline arithmetic: ISO 8601 dates and durations, calendar-correct month addition, and
 * wall-clock <-> instant conversion in IANA time zones through Intl (no Temporal in workerd yet).
 * Pure functions; every instant is epoch milliseconds. Used by commitments (resolving the
 * stored due_at / overdue_at) and by the sweep rules.
 */

export interface CalendarDate {
  year: number;
  month: number; // 1-12
  day: number;
}

export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/**
 * What a `within` deadline counts from: the agreement's signing (the default), its entry into
 * force, or the day another commitment is met (reaches fulfilled or partially fulfilled).
 */
export type DeadlineAnchor = "signing" | "entry_into_force" | { commitment: string; when: "met" };

/** The deadline as a user gives it. `null` (stored as no spec) means open-ended. */
export type DeadlineSpec =
  | { due_on: string; grace?: string }
  | { due_at: string; grace?: string }
  | { within: string; from?: string; after?: DeadlineAnchor; grace?: string };

/**
 * The anchor a deadline waits on: "signing" and "entry_into_force" for the agreement's dates,
 * the commitment's id for `{ commitment, when: "met" }`; null for a deadline with no anchor
 * (a date, an instant, or `within` + `from`).
 */
export function anchorOf(spec: DeadlineSpec | null): { kind: "signing" | "entry_into_force" } | { kind: "commitment"; id: string } | null {
  if (!spec || !("within" in spec) || spec.from !== undefined) return null;
  const after = spec.after ?? "signing";
  return typeof after === "string" ? { kind: after } : { kind: "commitment", id: after.commitment };
}

/**
 * When each anchor happened, as far as the writer knows: the agreement's dates (YYYY-MM-DD) and
 * the instant the anchor commitment was met, with null for "not yet".
 */
export interface AnchorDates {
  signedOn: string | null;
  inForceOn?: string | null;
  /** When the anchor commitment reached fulfilled / partially fulfilled; null while it has not. */
  anchorMetAt?: number | null;
}

/** A deadline whose anchor has not happened: no date yet, and the anchor it waits on. */
export interface WaitingDeadline {
  waiting: "signing" | "entry_into_force" | "commitment";
}

export interface ResolvedDeadline {
  /** The deadline instant: the end of the due day in the commitment's zone, or the given instant. */
  dueAt: number;
  /** The due date in the commitment's zone (YYYY-MM-DD). */
  dueOn: string;
  /** dueAt plus the grace period: past this, an open commitment is overdue. */
  overdueAt: number;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DURATION_RE = /^P(?!$)(?:(\d{1,4})Y)?(?:(\d{1,5})M)?(?:(\d{1,5})W)?(?:(\d{1,6})D)?(?:T(?=\d)(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9})S)?)?$/;
/** RFC 3339 instant with an explicit offset: an instant without a zone is ambiguous. */
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

const DAY_MS = 86_400_000;

/**
 * The dates this service accepts and computes: years 1000 to 9999, ending a day short of the
 * last one, so the day after any due date (the calendar's DTEND) still has four digits. Every
 * output writes dates with a four-digit year (JSON ISO 8601, RSS RFC 822, Atom RFC 3339,
 * iCalendar): earlier years would need Date.UTC's 0-99 rule avoided everywhere and later ones
 * an expanded year ("+010000"). Instants are held to the same range by their UTC date;
 * resolved deadlines by their due date in the commitment's zone (resolveDeadline).
 */
export const FIRST_DATE = "1000-01-01";
export const LAST_DATE = "9999-12-30";
const RANGE_MESSAGE = `must be between ${FIRST_DATE} and ${LAST_DATE}`;

/**
 * Epoch ms of a UTC date and time. Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does
 * not, so this is right for every year.
 */
export function utcMs(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

const FIRST_INSTANT = utcMs(1000, 0, 1);
const LAST_INSTANT = utcMs(9999, 11, 30, 23, 59, 59, 999);
/** The end of the year 9999: the latest overdue instant (a grace may run into the last day). */
const END_OF_9999 = utcMs(9999, 11, 31, 23, 59, 59, 999);

/** True when the date lies from FIRST_DATE to LAST_DATE (compared as numbers: years can have five digits). */
function inRange(d: CalendarDate): boolean {
  const n = d.year * 10_000 + d.month * 100 + d.day;
  return n >= 1000_01_01 && n <= 9999_12_30;
}

/** Why a date text is not acceptable, or null: malformed, impossible, or outside the range. */
export function dateProblem(text: string): string | null {
  const d = parseDate(text);
  if (!d) return "must be a real calendar date YYYY-MM-DD";
  return inRange(d) ? null : RANGE_MESSAGE;
}

/** Why an instant text is not acceptable, or null. */
export function instantProblem(text: string): string | null {
  const at = parseInstant(text);
  if (at === null) return "must be an RFC 3339 date-time with an offset, e.g. 2026-02-08T12:00:00Z";
  if (at < FIRST_INSTANT || at > LAST_INSTANT) return `${RANGE_MESSAGE} (UTC)`;
  return null;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** Parses YYYY-MM-DD and rejects impossible dates (2026-02-30). */
export function parseDate(text: string): CalendarDate | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function formatDate(d: CalendarDate): string {
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

export function parseDuration(text: string): Duration | null {
  const m = DURATION_RE.exec(text);
  if (!m) return null;
  const n = (i: number) => (m[i] ? Number(m[i]) : 0);
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

export function hasTimePart(d: Duration): boolean {
  return d.hours + d.minutes + d.seconds > 0;
}

/** Parses an RFC 3339 instant with an explicit offset; null when malformed or impossible. */
export function parseInstant(text: string): number | null {
  if (!INSTANT_RE.test(text)) return null;
  if (!parseDate(text.slice(0, 10))) return null;
  const hh = Number(text.slice(11, 13));
  const mm = Number(text.slice(14, 16));
  if (hh > 23 || mm > 59) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

function toEpochDay(d: CalendarDate): number {
  return utcMs(d.year, d.month - 1, d.day) / DAY_MS;
}

function fromEpochDay(n: number): CalendarDate {
  const dt = new Date(n * DAY_MS);
  return { year: dt.getUTCFullYear(), month: dt.getUTCMonth() + 1, day: dt.getUTCDate() };
}

/**
 * Adds the date part of a duration the way Temporal.PlainDate.add does: years and months first,
 * clamping the day to the target month (Jan 31 + P1M = Feb 28/29), then weeks and days.
 */
export function addToDate(date: CalendarDate, d: Duration): CalendarDate {
  const totalMonths = date.year * 12 + (date.month - 1) + d.years * 12 + d.months;
  const year = Math.floor(totalMonths / 12);
  const month = (totalMonths % 12) + 1;
  const day = Math.min(date.day, daysInMonth(year, month));
  return fromEpochDay(toEpochDay({ year, month, day }) + d.weeks * 7 + d.days);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for IANA names Intl knows ("UTC", "Asia/Baku", "America/New_York"). */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 64) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The canonical spelling Intl gives a valid zone name ("asia/baku" -> "Asia/Baku"). */
export function canonicalTimeZone(timeZone: string): string {
  return formatterFor(timeZone).resolvedOptions().timeZone;
}

interface WallClock extends CalendarDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** The wall clock in `timeZone` at `instant`. */
export function wallClockAt(instant: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
    millisecond: ((instant % 1000) + 1000) % 1000,
  };
}

function wallAsUtc(w: WallClock): number {
  return utcMs(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
}

/** Offset of `timeZone` from UTC at `instant`, in ms (Asia/Baku: +4 h). */
function offsetAt(instant: number, timeZone: string): number {
  return wallAsUtc(wallClockAt(instant, timeZone)) - instant;
}

/**
 * The instant at which the wall clock in `timeZone` reads `wall`. In a DST gap the wall time
 * does not exist and the later offset wins (like Temporal's "compatible" disambiguation).
 */
export function instantOfWallClock(wall: WallClock, timeZone: string): number {
  const local = wallAsUtc(wall);
  // Zone offsets change at most a few times a year, so the offsets a day either side are the
  // only candidates. Ambiguous (fall back): the earlier instant. Gap (spring forward): the
  // offset before the transition, which lands after the gap (Temporal's "compatible").
  const before = local - offsetAt(local - DAY_MS, timeZone);
  const after = local - offsetAt(local + DAY_MS, timeZone);
  const matches = [before, after].filter((t) => wallAsUtc(wallClockAt(t, timeZone)) === local);
  return matches.length > 0 ? Math.min(...matches) : Math.max(before, after);
}

/** The last millisecond of `date` in `timeZone`: the day's end, which is what "due on" means. */
export function endOfDay(date: CalendarDate, timeZone: string): number {
  const next = fromEpochDay(toEpochDay(date) + 1);
  return instantOfWallClock({ ...next, hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone) - 1;
}

/** The calendar date in `timeZone` at `instant`. */
export function dateAt(instant: number, timeZone: string): string {
  const w = wallClockAt(instant, timeZone);
  return formatDate(w);
}

/** Adds a duration to an instant: date parts on the zone's calendar, time parts as elapsed time. */
export function addToInstant(instant: number, d: Duration, timeZone: string): number {
  let result = instant;
  if (d.years || d.months || d.weeks || d.days) {
    const wall = wallClockAt(instant, timeZone);
    const date = addToDate(wall, d);
    result = instantOfWallClock({ ...wall, ...date }, timeZone);
  }
  return result + ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
}

export type DeadlineProblem = { path: string; message: string };

/**
 * Resolves a deadline spec to instants. `anchors` says when the agreement was signed and came
 * into force and when the anchor commitment was met: the bases of `within` (`after`, default
 * signing). An anchor that has not happened gives a WaitingDeadline. Returns problems (with a
 * path relative to the deadline object) instead of throwing so callers can report every bad
 * field at once.
 */
export function resolveDeadline(
  spec: DeadlineSpec,
  timeZone: string,
  anchors: AnchorDates,
): ResolvedDeadline | DeadlineProblem | WaitingDeadline {
  let dueAt: number;
  if ("due_on" in spec) {
    const problem = dateProblem(spec.due_on);
    if (problem) return { path: "due_on", message: `'${spec.due_on}' ${problem}` };
    dueAt = endOfDay(parseDate(spec.due_on)!, timeZone);
  } else if ("due_at" in spec) {
    const problem = instantProblem(spec.due_at);
    if (problem) return { path: "due_at", message: `'${spec.due_at}' ${problem}` };
    dueAt = parseInstant(spec.due_at)!;
  } else {
    const duration = parseDuration(spec.within);
    if (!duration) return { path: "within", message: `'${spec.within}' is not an ISO 8601 duration such as P6M` };
    if (hasTimePart(duration)) {
      return { path: "within", message: "use whole years, months, weeks or days (P6M, P90D); give due_at for an exact instant" };
    }
    const anchor = anchorOf(spec);
    let baseText: string | null;
    if (anchor === null) baseText = spec.from!;
    else if (anchor.kind === "signing") baseText = anchors.signedOn;
    else if (anchor.kind === "entry_into_force") baseText = anchors.inForceOn ?? null;
    else baseText = anchors.anchorMetAt == null ? null : dateAt(anchors.anchorMetAt, timeZone);
    if (baseText === null) return { waiting: anchor!.kind };
    const problem = dateProblem(baseText);
    if (problem) return { path: anchor === null ? "from" : "after", message: `'${baseText}' ${problem}` };
    const due = addToDate(parseDate(baseText)!, duration);
    if (!inRange(due)) return { path: "", message: `the deadline falls on ${formatDate(due)}: it ${RANGE_MESSAGE}` };
    dueAt = endOfDay(due, timeZone);
  }
  let overdueAt = dueAt;
  if (spec.grace !== undefined) {
    const grace = parseDuration(spec.grace);
    if (!grace) return { path: "grace", message: `'${spec.grace}' is not an ISO 8601 duration such as P7D` };
    overdueAt = addToInstant(dueAt, grace, timeZone);
  }
  if (!Number.isFinite(dueAt) || !Number.isFinite(overdueAt)) return { path: "", message: "the deadline is out of range" };
  const dueOn = dateAt(dueAt, timeZone);
  if (!inRange(wallClockAt(dueAt, timeZone))) {
    return { path: "", message: `the deadline falls on ${dueOn} in ${timeZone}: it ${RANGE_MESSAGE}` };
  }
  if (overdueAt > END_OF_9999) return { path: "", message: "the grace period runs past the end of the year 9999" };
  return { dueAt, dueOn, overdueAt };
}

export function isProblem(r: ResolvedDeadline | DeadlineProblem | WaitingDeadline): r is DeadlineProblem {
  return "message" in r;
}

export function isWaiting(r: ResolvedDeadline | DeadlineProblem | WaitingDeadline): r is WaitingDeadline {
  return "waiting" in r;
}

export const toIso = (ms: number): string => new Date(ms).toISOString();

/** The length in ms of a duration without years or months (P7D, PT1H, P2W); null otherwise. */
export function fixedDurationMs(text: string): number | null {
  const d = parseDuration(text);
  if (!d || d.years > 0 || d.months > 0) return null;
  const ms = (((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60_000 + d.seconds * 1000;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}
