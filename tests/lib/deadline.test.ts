import { describe, expect, it } from "vitest";
import {
  addToDate,
  dateAt,
  daysInMonth,
  endOfDay,
  formatDate,
  instantOfWallClock,
  isLeapYear,
  isProblem,
  isValidTimeZone,
  parseDate,
  parseDuration,
  parseInstant,
  resolveDeadline,
  anchorOf,
  isWaiting,
  type AnchorDates,
  toIso,
  wallClockAt,
  type DeadlineSpec,
} from "../../src/lib/deadline";
import { createAgreement, createCommitment, call, json } from "../helpers";
import { expectError, issuePaths } from "../ledger/ledger.helpers";

const d = (text: string) => parseDate(text)!;
const plus = (date: string, duration: string) => formatDate(addToDate(d(date), parseDuration(duration)!));
const ms = (iso: string) => Date.parse(iso);
const wall = (date: string, hour: number, minute = 0) => ({ ...d(date), hour, minute, second: 0, millisecond: 0 });

function resolved(spec: DeadlineSpec, zone = "UTC", signedOn: string | null = "2025-08-08", more: Partial<AnchorDates> = {}) {
  const r = resolveDeadline(spec, zone, { signedOn, ...more });
  if (isProblem(r)) throw new Error(`unexpected problem: ${r.path}: ${r.message}`);
  if (isWaiting(r)) throw new Error(`unexpected wait on ${r.waiting}`);
  return { dueAt: toIso(r.dueAt), dueOn: r.dueOn, overdueAt: toIso(r.overdueAt) };
}

function problem(spec: DeadlineSpec, zone = "UTC", signedOn: string | null = "2025-08-08") {
  const r = resolveDeadline(spec, zone, { signedOn });
  if (!isProblem(r)) throw new Error(`expected a problem, got ${JSON.stringify(r)}`);
  return r;
}

describe("calendar arithmetic", () => {
  it("knows which years are leap years", () => {
    expect([1900, 2000, 2023, 2024, 2025, 2028, 2100, 2400].map(isLeapYear)).toEqual([
      false, true, false, true, false, true, false, true,
    ]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2025, 2)).toBe(28);
    expect(daysInMonth(2100, 2)).toBe(28);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
  });

  it("accepts real dates and rejects impossible or malformed ones", () => {
    expect(parseDate("2024-02-29")).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseDate("2000-02-29")).not.toBeNull();
    for (const bad of ["2026-02-30", "2025-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01", "2026-2-8", "2026-02-08T00:00:00Z", " 2026-02-08", ""]) {
      expect(parseDate(bad), bad).toBeNull();
    }
  });

  it("adds six months to the signing day: 2025-08-08 + P6M = 2026-02-08", () => {
    expect(plus("2025-08-08", "P6M")).toBe("2026-02-08");
  });

  it("clamps to the last day of a shorter month: Jan 31 + P1M = Feb 28, or Feb 29 in a leap year", () => {
    expect(plus("2025-01-31", "P1M")).toBe("2025-02-28");
    expect(plus("2024-01-31", "P1M")).toBe("2024-02-29");
    expect(plus("2026-03-31", "P1M")).toBe("2026-04-30");
    expect(plus("2025-10-31", "P4M")).toBe("2026-02-28");
    expect(plus("2027-10-31", "P4M")).toBe("2028-02-29");
    expect(plus("2025-08-31", "P6M")).toBe("2026-02-28");
  });

  it("adds years to Feb 29 landing on Feb 28 unless the target year is a leap year", () => {
    expect(plus("2024-02-29", "P1Y")).toBe("2025-02-28");
    expect(plus("2024-02-29", "P4Y")).toBe("2028-02-29");
    expect(plus("2096-02-29", "P4Y")).toBe("2100-02-28");
  });

  it("adds months before days, like Temporal: Jan 31 + P1M1D = Mar 1", () => {
    expect(plus("2025-01-31", "P1M1D")).toBe("2025-03-01");
    expect(plus("2024-01-31", "P1M1D")).toBe("2024-03-01");
  });

  it("adds weeks and days across month and year ends", () => {
    expect(plus("2025-12-28", "P1W")).toBe("2026-01-04");
    expect(plus("2024-02-28", "P1D")).toBe("2024-02-29");
    expect(plus("2025-02-28", "P1D")).toBe("2025-03-01");
    expect(plus("2025-08-08", "P90D")).toBe("2025-11-06");
    expect(plus("2025-11-30", "P3M")).toBe("2026-02-28");
    expect(plus("2025-08-08", "P1Y6M2W3D")).toBe("2027-02-25");
  });

  it("parses ISO 8601 durations and rejects anything else", () => {
    expect(parseDuration("P6M")).toEqual({ years: 0, months: 6, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 });
    expect(parseDuration("PT12H")?.hours).toBe(12);
    expect(parseDuration("P1Y2M3W4DT5H6M7S")).toEqual({ years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 });
    for (const bad of ["P", "PT", "6M", "P6", "P1.5M", "P-1M", "p6m", "P6MT", "PT1D", "P1H", "P6M ", "", "P1M1Y"]) {
      expect(parseDuration(bad), bad).toBeNull();
    }
  });

  it("parses RFC 3339 instants only with an offset and only when the time is real", () => {
    expect(parseInstant("2026-02-08T12:00:00Z")).toBe(ms("2026-02-08T12:00:00Z"));
    expect(parseInstant("2026-02-08T12:00:00.123+04:00")).toBe(ms("2026-02-08T08:00:00.123Z"));
    expect(parseInstant("2026-02-08T12:00Z")).toBe(ms("2026-02-08T12:00:00Z"));
    for (const bad of [
      "2026-02-08T12:00:00",
      "2026-02-08",
      "2026-02-30T00:00:00Z",
      "2026-02-08T24:00:00Z",
      "2026-02-08T23:60:00Z",
      "2026-02-08T23:59:60Z",
      "2026-02-08T12:00:00+25:00",
      "2026-02-08T12:00:00+04:60",
      "2026-02-08 12:00:00Z",
      "yesterday",
    ]) {
      expect(parseInstant(bad), bad).toBeNull();
    }
  });
});

describe("time zones", () => {
  it("ends a due day in Asia/Baku (UTC+4) at 19:59:59.999Z", () => {
    expect(toIso(endOfDay(d("2026-02-08"), "Asia/Baku"))).toBe("2026-02-08T19:59:59.999Z");
    expect(resolved({ due_on: "2026-02-08" }, "Asia/Baku")).toEqual({
      dueAt: "2026-02-08T19:59:59.999Z",
      dueOn: "2026-02-08",
      overdueAt: "2026-02-08T19:59:59.999Z",
    });
  });

  it("ends a UTC due day at 23:59:59.999Z", () => {
    expect(resolved({ due_on: "2026-02-08" })).toEqual({
      dueAt: "2026-02-08T23:59:59.999Z",
      dueOn: "2026-02-08",
      overdueAt: "2026-02-08T23:59:59.999Z",
    });
  });

  it("follows America/New_York across daylight saving time, including the short and long days", () => {
    expect(toIso(endOfDay(d("2026-01-15"), "America/New_York"))).toBe("2026-01-16T04:59:59.999Z");
    expect(toIso(endOfDay(d("2026-07-15"), "America/New_York"))).toBe("2026-07-16T03:59:59.999Z");
    // 2026-03-08 has 23 hours; 2026-11-01 has 25.
    expect(toIso(endOfDay(d("2026-03-07"), "America/New_York"))).toBe("2026-03-08T04:59:59.999Z");
    expect(toIso(endOfDay(d("2026-03-08"), "America/New_York"))).toBe("2026-03-09T03:59:59.999Z");
    expect(toIso(endOfDay(d("2026-10-31"), "America/New_York"))).toBe("2026-11-01T03:59:59.999Z");
    expect(toIso(endOfDay(d("2026-11-01"), "America/New_York"))).toBe("2026-11-02T04:59:59.999Z");
  });

  it("handles zones with odd offsets: Asia/Kathmandu +05:45 and Pacific/Chatham +13:45 / +12:45", () => {
    expect(toIso(endOfDay(d("2026-02-08"), "Asia/Kathmandu"))).toBe("2026-02-08T18:14:59.999Z");
    expect(toIso(endOfDay(d("2026-02-08"), "Pacific/Chatham"))).toBe("2026-02-08T10:14:59.999Z");
    expect(toIso(endOfDay(d("2026-07-08"), "Pacific/Chatham"))).toBe("2026-07-08T11:14:59.999Z");
    expect(toIso(endOfDay(d("2026-02-08"), "Asia/Kolkata"))).toBe("2026-02-08T18:29:59.999Z");
  });

  it("reports the due date in the commitment's zone even when it is another day in UTC", () => {
    const r = resolved({ due_at: "2026-02-08T22:00:00Z" }, "Asia/Baku");
    expect(r.dueOn).toBe("2026-02-09");
    expect(r.dueAt).toBe("2026-02-08T22:00:00.000Z");
    expect(dateAt(ms("2026-02-08T10:15:00Z"), "Pacific/Chatham")).toBe("2026-02-09");
  });

  it("ends every day of a year at the last millisecond before the next local date, in many zones", () => {
    const zones = ["UTC", "Asia/Baku", "America/New_York", "Europe/London", "America/Santiago", "America/Havana", "Asia/Beirut", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kathmandu", "Pacific/Kiritimati", "Pacific/Pago_Pago"];
    for (const zone of zones) {
      let date = d("2026-01-01");
      for (let i = 0; i < 365; i++) {
        const end = endOfDay(date, zone);
        const next = addToDate(date, parseDuration("P1D")!);
        expect(dateAt(end, zone), `${zone} ${formatDate(date)}`).toBe(formatDate(date));
        expect(dateAt(end + 1, zone), `${zone} ${formatDate(date)}`).toBe(formatDate(next));
        date = next;
      }
    }
  });

  it("accepts IANA zone names and rejects made-up ones", () => {
    for (const zone of ["UTC", "Asia/Baku", "America/New_York", "Pacific/Chatham"]) expect(isValidTimeZone(zone)).toBe(true);
    for (const zone of ["Mars/Olympus", "", "Asia/Baku ", "x".repeat(65)]) expect(isValidTimeZone(zone)).toBe(false);
  });
});

describe("wall clock to instant across DST", () => {
  it("maps an ordinary wall time to its one instant", () => {
    expect(toIso(instantOfWallClock(wall("2026-06-01", 12), "America/New_York"))).toBe("2026-06-01T16:00:00.000Z");
    expect(toIso(instantOfWallClock(wall("2026-02-08", 0), "Asia/Baku"))).toBe("2026-02-07T20:00:00.000Z");
  });

  it("moves a wall time inside the spring-forward gap to after the gap (Temporal 'compatible')", () => {
    // 02:30 does not exist in New York on 2026-03-08: it becomes 03:30 EDT.
    expect(toIso(instantOfWallClock(wall("2026-03-08", 2, 30), "America/New_York"))).toBe("2026-03-08T07:30:00.000Z");
    // 01:30 does not exist in London on 2026-03-29: it becomes 02:30 BST.
    expect(toIso(instantOfWallClock(wall("2026-03-29", 1, 30), "Europe/London"))).toBe("2026-03-29T01:30:00.000Z");
  });

  it("picks the earlier instant for a wall time repeated by the fall-back overlap", () => {
    expect(toIso(instantOfWallClock(wall("2026-11-01", 1, 30), "America/New_York"))).toBe("2026-11-01T05:30:00.000Z");
    expect(toIso(instantOfWallClock(wall("2026-10-25", 1, 30), "Europe/London"))).toBe("2026-10-25T00:30:00.000Z");
  });

  it("round-trips every half hour of a year: instant -> wall clock -> the same instant unless the time repeats", () => {
    const failures: string[] = [];
    for (const zone of ["America/New_York", "Pacific/Chatham", "Australia/Lord_Howe"]) {
      for (let t = ms("2026-01-01T00:15:00Z"); t < ms("2027-01-01T00:00:00Z"); t += 1_800_000) {
        const w = wallClockAt(t, zone);
        const back = instantOfWallClock(w, zone);
        const again = wallClockAt(back, zone);
        if (JSON.stringify(again) !== JSON.stringify(w) || back > t) failures.push(`${zone} ${toIso(t)} -> ${toIso(back)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("grace periods", () => {
  it("adds a P7D grace period to the end of the due day", () => {
    expect(resolved({ due_on: "2026-02-08", grace: "P7D" })).toEqual({
      dueAt: "2026-02-08T23:59:59.999Z",
      dueOn: "2026-02-08",
      overdueAt: "2026-02-15T23:59:59.999Z",
    });
  });

  it("adds a PT12H grace period as elapsed time", () => {
    expect(resolved({ due_on: "2026-02-08", grace: "PT12H" }).overdueAt).toBe("2026-02-09T11:59:59.999Z");
    expect(resolved({ due_on: "2026-02-08", grace: "PT12H" }, "Asia/Baku").overdueAt).toBe("2026-02-09T07:59:59.999Z");
  });

  it("adds calendar days on the zone's calendar and hours as elapsed time across DST", () => {
    // Due at the end of 2026-03-07 in New York (EST); the next day is 23 hours long.
    expect(resolved({ due_on: "2026-03-07", grace: "P1D" }, "America/New_York").overdueAt).toBe("2026-03-09T03:59:59.999Z");
    expect(resolved({ due_on: "2026-03-07", grace: "PT24H" }, "America/New_York").overdueAt).toBe("2026-03-09T04:59:59.999Z");
  });

  it("applies grace to relative and instant deadlines too", () => {
    expect(resolved({ within: "P6M", grace: "P1M" })).toEqual({
      dueAt: "2026-02-08T23:59:59.999Z",
      dueOn: "2026-02-08",
      overdueAt: "2026-03-08T23:59:59.999Z",
    });
    expect(resolved({ due_at: "2026-02-08T12:00:00+04:00", grace: "P1D" }, "Asia/Baku").overdueAt).toBe("2026-02-09T08:00:00.000Z");
  });
});

describe("relative deadlines", () => {
  it("counts 'within' from the agreement's signing date by default", () => {
    expect(resolved({ within: "P6M" })).toEqual({
      dueAt: "2026-02-08T23:59:59.999Z",
      dueOn: "2026-02-08",
      overdueAt: "2026-02-08T23:59:59.999Z",
    });
    expect(resolved({ within: "P6M" }, "Asia/Baku").dueAt).toBe("2026-02-08T19:59:59.999Z");
  });

  it("counts 'within' from 'from' when given, even without a signing date", () => {
    expect(resolved({ within: "P1M", from: "2024-01-31" }, "UTC", null).dueOn).toBe("2024-02-29");
    expect(resolved({ within: "P1M", from: "2025-01-31" }, "UTC", "2025-08-08").dueOn).toBe("2025-02-28");
  });
});

describe("invalid deadlines", () => {
  it("rejects an impossible due date", () => {
    expect(problem({ due_on: "2026-02-30" }).path).toBe("due_on");
  });

  it("rejects malformed durations in 'within' and 'grace'", () => {
    expect(problem({ within: "6M" }).path).toBe("within");
    expect(problem({ within: "P" }).path).toBe("within");
    expect(problem({ due_on: "2026-02-08", grace: "7D" }).path).toBe("grace");
  });

  it("rejects time parts in 'within': a date-relative deadline is whole days", () => {
    expect(problem({ within: "PT12H" }).path).toBe("within");
    expect(problem({ within: "P1DT1H" }).path).toBe("within");
  });

  it("waits on signing when the agreement has no signing date, and still checks 'from'", () => {
    expect(resolveDeadline({ within: "P6M" }, "UTC", { signedOn: null })).toEqual({ waiting: "signing" });
    expect(resolveDeadline({ within: "P6M", after: "signing" }, "UTC", { signedOn: null })).toEqual({ waiting: "signing" });
    expect(problem({ within: "P6M", from: "2025-02-30" }, "UTC", null).path).toBe("from");
  });

  it("counts 'after: signing' exactly like today's { within }", () => {
    expect(resolved({ within: "P6M", after: "signing" })).toEqual(resolved({ within: "P6M" }));
  });

  it("counts from entry into force once it is set, and waits on it before", () => {
    expect(resolveDeadline({ within: "P90D", after: "entry_into_force" }, "UTC", { signedOn: "2025-08-08", inForceOn: null })).toEqual({
      waiting: "entry_into_force",
    });
    expect(resolved({ within: "P90D", after: "entry_into_force" }, "UTC", "2025-08-08", { inForceOn: "2026-01-01" }).dueOn).toBe("2026-04-01");
  });

  it("counts from the day another commitment was met, in the commitment's own zone", () => {
    const spec: DeadlineSpec = { within: "P30D", after: { commitment: "x", when: "met" } };
    expect(resolveDeadline(spec, "UTC", { signedOn: "2025-08-08", anchorMetAt: null })).toEqual({ waiting: "commitment" });
    // Met at 22:00 UTC on 1 March: already 2 March in Baku.
    expect(resolved(spec, "UTC", null, { anchorMetAt: ms("2026-03-01T22:00:00Z") }).dueOn).toBe("2026-03-31");
    expect(resolved(spec, "Asia/Baku", null, { anchorMetAt: ms("2026-03-01T22:00:00Z") }).dueOn).toBe("2026-04-01");
  });

  it("names the anchor of each deadline form", () => {
    expect(anchorOf({ within: "P1M" })).toEqual({ kind: "signing" });
    expect(anchorOf({ within: "P1M", from: "2026-01-01" })).toBeNull();
    expect(anchorOf({ within: "P1M", after: "entry_into_force" })).toEqual({ kind: "entry_into_force" });
    expect(anchorOf({ within: "P1M", after: { commitment: "c", when: "met" } })).toEqual({ kind: "commitment", id: "c" });
    expect(anchorOf({ due_on: "2026-01-01" })).toBeNull();
    expect(anchorOf(null)).toBeNull();
  });

  it("rejects an instant without an offset", () => {
    expect(problem({ due_at: "2026-02-08T12:00:00" }).path).toBe("due_at");
  });

  it("rejects a deadline beyond year 9999", () => {
    expect(problem({ due_on: "9999-12-31", grace: "P1D" }).message).toMatch(/between 1000-01-01 and 9999-12-30/);
    expect(problem({ due_on: "9999-12-30", grace: "P2D" }).message).toMatch(/past the end of the year 9999/);
    expect(problem({ within: "P9999Y" }).message).toMatch(/between 1000-01-01 and 9999-12-30/);
  });
});

describe("deadlines through the API", () => {
  it("stores the resolved deadline of a Baku commitment due on 2026-02-08", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { time_zone: "Asia/Baku", deadline: { due_on: "2026-02-08", grace: "P7D" } });
    expect(c).toMatchObject({
      time_zone: "Asia/Baku",
      deadline: { due_on: "2026-02-08", grace: "P7D" },
      due_on: "2026-02-08",
      due_at: "2026-02-08T19:59:59.999Z",
      overdue_at: "2026-02-15T19:59:59.999Z",
    });
  });

  it("resolves 'within P6M' against the agreement signed on 2025-08-08", async () => {
    const agreement = await createAgreement({ signed_on: "2025-08-08" });
    const c = await createCommitment(agreement.id, { deadline: { within: "P6M" } });
    expect(c).toMatchObject({ due_on: "2026-02-08", due_at: "2026-02-08T23:59:59.999Z", overdue_at: "2026-02-08T23:59:59.999Z" });
  });

  it("keeps a 'within' deadline of an unsigned agreement waiting on signing, with no date", async () => {
    const agreement = await createAgreement({ signed_on: null });
    const res = await call("POST", "/api/v1/commitments", {
      body: { agreement: agreement.id, title: "Relative to nothing yet", deadline: { within: "P6M" } },
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ due_on: null, timeliness: "waiting", waiting_on: { anchor: "signing" }, waiting_reason: "waiting on signing" });
  });

  it("answers 400 for an impossible due date, time parts in 'within' and a bad grace, naming each field", async () => {
    const agreement = await createAgreement();
    for (const [deadline, path] of [
      [{ due_on: "2026-02-30" }, "deadline.due_on"],
      [{ within: "PT12H" }, "deadline.within"],
      [{ due_on: "2026-02-08", grace: "seven days" }, "deadline.grace"],
      [{ due_at: "2026-02-08T12:00:00" }, "deadline.due_at"],
    ] as const) {
      const res = await call("POST", "/api/v1/commitments", { body: { agreement: agreement.id, title: "Bad deadline", deadline } });
      const body = await expectError(res, 400, "invalid_input");
      expect(issuePaths(body), JSON.stringify(deadline)).toEqual([path]);
    }
  });

  it("answers 400 when a deadline gives none or more than one of due_on, due_at and within", async () => {
    const agreement = await createAgreement();
    for (const deadline of [{}, { due_on: "2026-02-08", within: "P6M" }, { grace: "P7D" }, { due_on: "2026-02-08", from: "2025-08-08" }]) {
      const res = await call("POST", "/api/v1/commitments", { body: { agreement: agreement.id, title: "Bad deadline", deadline } });
      const body = await expectError(res, 400, "invalid_input");
      expect(issuePaths(body), JSON.stringify(deadline)).toEqual(["deadline"]);
    }
  });

  it("keeps an open-ended commitment without a deadline", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { deadline: null });
    expect(c).toMatchObject({ deadline: null, due_on: null, due_at: null, overdue_at: null, timeliness: "no_deadline", days_left: null });
    const again = await json(call("GET", `/api/v1/commitments/${c.id}`));
    expect(again.deadline).toBeNull();
  });
});
