/**
 * Property-based tests (fast-check) for the deadline arithmetic in src/lib/deadline.ts: the laws
 * every deadline the ledger stores relies on, checked over generated dates, durations, instants
 * and time zones (including half-hour DST and southern-hemisphere zones).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addToDate,
  dateAt,
  daysInMonth,
  endOfDay,
  formatDate,
  instantOfWallClock,
  parseDate,
  parseDuration,
  parseInstant,
  resolveDeadline,
  isProblem,
  isWaiting,
  toIso,
  wallClockAt,
} from "../../src/lib/deadline";

const ZONES = [
  "UTC",
  "Asia/Baku",
  "America/New_York",
  "Europe/London",
  "Europe/Berlin",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "America/Sao_Paulo",
  "Asia/Kolkata",
  "Pacific/Apia",
];
const zone = fc.constantFrom(...ZONES);
const RUNS = { numRuns: 300 };

/** A real calendar date between 1900 and 2200. */
const calendarDate = fc
  .record({ year: fc.integer({ min: 1900, max: 2200 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
  .map((d) => ({ ...d, day: Math.min(d.day, daysInMonth(d.year, d.month)) }));

/** Instants between 1950 and 2150. */
const instant = fc.integer({ min: Date.UTC(1950, 0, 1), max: Date.UTC(2150, 0, 1) });

const epochDay = (d: { year: number; month: number; day: number }) => Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;

describe("deadline arithmetic (properties)", () => {
  it("parses every date it formats, and refuses day numbers past the end of the month", () => {
    fc.assert(
      fc.property(calendarDate, (d) => {
        expect(parseDate(formatDate(d))).toEqual(d);
        const past = { ...d, day: daysInMonth(d.year, d.month) + 1 };
        if (past.day <= 31) expect(parseDate(formatDate(past))).toBeNull();
      }),
      RUNS,
    );
  });

  it("adds months like Temporal: lands in the right month, clamps the day, never overflows", () => {
    fc.assert(
      fc.property(calendarDate, fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 50 }), (d, months, years) => {
        const r = addToDate(d, { years, months, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 });
        const total = d.year * 12 + d.month - 1 + years * 12 + months;
        expect(r.year).toBe(Math.floor(total / 12));
        expect(r.month).toBe((total % 12) + 1);
        expect(r.day).toBe(Math.min(d.day, daysInMonth(r.year, r.month)));
        expect(parseDate(formatDate(r))).toEqual(r);
      }),
      RUNS,
    );
  });

  it("adds weeks and days as exact calendar days", () => {
    fc.assert(
      fc.property(calendarDate, fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 5000 }), (d, weeks, days) => {
        const r = addToDate(d, { years: 0, months: 0, weeks, days, hours: 0, minutes: 0, seconds: 0 });
        expect(epochDay(r) - epochDay(d)).toBe(weeks * 7 + days);
      }),
      RUNS,
    );
  });

  it("reads back every duration it can write", () => {
    fc.assert(
      fc.property(
        fc.record({
          years: fc.integer({ min: 0, max: 9999 }),
          months: fc.integer({ min: 0, max: 99999 }),
          weeks: fc.integer({ min: 0, max: 99999 }),
          days: fc.integer({ min: 0, max: 999999 }),
        }),
        (p) => {
          const text = `P${p.years}Y${p.months}M${p.weeks}W${p.days}D`;
          expect(parseDuration(text)).toEqual({ ...p, hours: 0, minutes: 0, seconds: 0 });
        },
      ),
      RUNS,
    );
  });

  it("round-trips RFC 3339 instants to the millisecond", () => {
    fc.assert(
      fc.property(instant, (t) => {
        expect(parseInstant(toIso(t))).toBe(t);
      }),
      RUNS,
    );
  });

  it("ends a due day on its last millisecond in the commitment's zone, whatever the DST rules", () => {
    fc.assert(
      fc.property(calendarDate.filter((d) => d.year >= 1970 && d.year <= 2100), zone, (d, tz) => {
        const end = endOfDay(d, tz);
        expect(dateAt(end, tz)).toBe(formatDate(d));
        // The next instant belongs to the next day (which may start at 01:00 where DST begins at midnight).
        const next = addToDate(d, { years: 0, months: 0, weeks: 0, days: 1, hours: 0, minutes: 0, seconds: 0 });
        expect(dateAt(end + 1, tz)).toBe(formatDate(next));
      }),
      RUNS,
    );
  });

  it("maps a wall clock back to an instant that shows it (the earlier one when the hour repeats)", () => {
    fc.assert(
      fc.property(instant, zone, (t, tz) => {
        const wall = wallClockAt(t, tz);
        const back = instantOfWallClock(wall, tz);
        expect(wallClockAt(back, tz)).toEqual(wall);
        expect(back).toBeLessThanOrEqual(t);
        expect(t - back).toBeLessThanOrEqual(3 * 3_600_000);
      }),
      RUNS,
    );
  });

  it("resolves every deadline form to due <= overdue, with due_on the zone's date of due_at", () => {
    const spec = fc.oneof(
      calendarDate.map((d) => ({ due_on: formatDate(d) })),
      instant.map((t) => ({ due_at: toIso(t) })),
      fc
        .record({ n: fc.integer({ min: 1, max: 120 }), unit: fc.constantFrom("D", "W", "M", "Y") })
        .map(({ n, unit }) => ({ within: `P${n}${unit}` })),
    );
    const grace = fc.option(
      fc.record({ n: fc.integer({ min: 0, max: 90 }), unit: fc.constantFrom("D", "W", "M") }).map(({ n, unit }) => `P${n}${unit}`),
      { nil: undefined },
    );
    fc.assert(
      fc.property(spec, grace, zone, calendarDate, (s, g, tz, signed) => {
        const r = resolveDeadline({ ...s, ...(g ? { grace: g } : {}) } as never, tz, { signedOn: formatDate(signed) });
        if (isWaiting(r)) throw new Error("a signed agreement's deadline never waits");
        if (isProblem(r)) {
          // Only a deadline past year 9999 is refused.
          expect(r.message).toMatch(/out of range/);
          return;
        }
        expect(r.overdueAt).toBeGreaterThanOrEqual(r.dueAt);
        expect(r.dueOn).toBe(dateAt(r.dueAt, tz));
        if ("due_on" in s) expect(r.dueOn).toBe(s.due_on);
        if (!g) expect(r.overdueAt).toBe(r.dueAt);
      }),
      RUNS,
    );
  });

  it("resolves a deadline after an anchor exactly as the same duration from the anchor's date, and waits while the anchor has not happened", () => {
    const anchor = fc.constantFrom("signing", "entry_into_force", "commitment", "default");
    const within = fc
      .record({ n: fc.integer({ min: 0, max: 120 }), unit: fc.constantFrom("D", "W", "M", "Y") })
      .map(({ n, unit }) => `P${n}${unit}`);
    const maybeDate = fc.option(calendarDate.map(formatDate), { nil: null });
    fc.assert(
      fc.property(anchor, within, zone, maybeDate, maybeDate, fc.option(instant, { nil: null }), (a, w, tz, signedOn, inForceOn, metAt) => {
        const after = a === "default" ? undefined : a === "commitment" ? { commitment: "anchor", when: "met" as const } : a;
        const spec = after === undefined ? { within: w } : { within: w, after };
        const r = resolveDeadline(spec, tz, { signedOn, inForceOn, anchorMetAt: metAt });
        const base = a === "entry_into_force" ? inForceOn : a === "commitment" ? (metAt === null ? null : dateAt(metAt, tz)) : signedOn;
        if (base === null) {
          expect(r).toEqual({ waiting: a === "default" ? "signing" : a });
          return;
        }
        expect(r).toEqual(resolveDeadline({ within: w, from: base }, tz, { signedOn: null }));
      }),
      RUNS,
    );
  });
});
