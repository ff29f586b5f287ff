import { describe, expect, it } from "vitest";
import { listCommitmentRows } from "../../src/ledger/commitments.repo";
import { assertTransition, PROGRESS, TIMELINESS, timeliness, type Timeliness } from "../../src/ledger/commitments.rules";
import { DAY_MS } from "../../src/platform/config";
import { call, createAgreement, createCommitment, db, json, uid } from "../helpers";
import { eventsOf, expectError, isoDaysFrom, issuePaths } from "./ledger.helpers";

const status = (id: string, body: Record<string, unknown>) => call("POST", `/api/v1/commitments/${id}/status`, { body });

async function freshCommitment(overrides: Record<string, unknown> = {}) {
  const agreement = await createAgreement();
  return createCommitment(agreement.id, overrides);
}

describe("progress transitions", () => {
  it("moves an open status to any other open status, one event per move", async () => {
    const c = await freshCommitment();
    const path: string[] = ["in_progress", "stalled", "not_started", "stalled", "in_progress"];
    for (const to of path) {
      const res = await status(c.id, { status: to });
      expect(res.status).toBe(200);
      expect((await json(res)).status).toBe(to);
    }
    const events = await eventsOf(c.id);
    expect(events.map((e) => e.type)).toEqual(["commitment.created", ...path.map(() => "commitment.status_changed")]);
    expect(events.slice(1).map((e) => [e.from_value, e.to_value])).toEqual([
      ["not_started", "in_progress"],
      ["in_progress", "stalled"],
      ["stalled", "not_started"],
      ["not_started", "stalled"],
      ["stalled", "in_progress"],
    ]);
  });

  it("moves an open status to each terminal status without a note", async () => {
    for (const to of ["partially_fulfilled", "fulfilled", "broken", "withdrawn"]) {
      const c = await freshCommitment();
      const res = await status(c.id, { status: to });
      expect(res.status, to).toBe(200);
      const body = await json(res);
      expect(body.status).toBe(to);
      expect(body.version).toBe(2);
    }
  });

  it("refuses to leave a terminal status without a note (409 illegal_transition) and records nothing", async () => {
    for (const from of ["partially_fulfilled", "fulfilled", "broken", "withdrawn"]) {
      const c = await freshCommitment({ status: from });
      for (const to of PROGRESS.filter((s) => s !== from)) {
        for (const note of [undefined, "", "   "]) {
          const res = await status(c.id, note === undefined ? { status: to } : { status: to, note });
          await expectError(res, 409, "illegal_transition");
        }
      }
      const after = await json(call("GET", `/api/v1/commitments/${c.id}`));
      expect(after.status).toBe(from);
      expect(after.version).toBe(1);
      expect((await eventsOf(c.id)).length).toBe(1);
    }
  });

  it("reopens a terminal status with a note, keeping the note in the history", async () => {
    const c = await freshCommitment({ status: "broken" });
    const res = await status(c.id, { status: "in_progress", note: "talks resumed" });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ status: "in_progress", version: 2 });
    const last = (await eventsOf(c.id)).at(-1)!;
    expect(last).toMatchObject({ type: "commitment.status_changed", from_value: "broken", to_value: "in_progress", note: "talks resumed" });
  });

  it("switches between terminal outcomes only with a note", async () => {
    const c = await freshCommitment({ status: "fulfilled" });
    await expectError(await status(c.id, { status: "broken" }), 409, "illegal_transition");
    const res = await status(c.id, { status: "broken", note: "the law was repealed" });
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe("broken");
  });

  it("answers 200 with the commitment as it is for a request that changes nothing, recording nothing", async () => {
    const c = await freshCommitment({ status: "in_progress" });
    const before = await json(call("GET", `/api/v1/commitments/${c.id}`));
    const res = await status(c.id, { status: "in_progress", note: "still going", evidence_url: "https://example.org/x" });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toEqual(before);
    expect(body.version).toBe(1);
    expect((await eventsOf(c.id)).length).toBe(1);
    // The same holds for a terminal status: staying put needs no note.
    const done = await freshCommitment({ status: "fulfilled" });
    const again = await status(done.id, { status: "fulfilled" });
    expect(again.status).toBe(200);
    expect((await json(again)).version).toBe(1);
  });

  it("records occurred_at as when the status was reached", async () => {
    const c = await freshCommitment({ status_changed_at: "2026-01-01T00:00:00Z" });
    const res = await status(c.id, { status: "fulfilled", occurred_at: "2026-02-01T10:00:00+04:00" });
    expect(res.status).toBe(200);
    expect((await json(res)).status_changed_at).toBe("2026-02-01T06:00:00.000Z");
    const last = (await eventsOf(c.id)).at(-1)!;
    expect(new Date(last.occurred_at).toISOString()).toBe("2026-02-01T06:00:00.000Z");
    expect(last.recorded_at).toBeGreaterThan(last.occurred_at);
  });

  it("answers 400 for occurred_at in the future or before the current status was reached, recording nothing", async () => {
    const c = await freshCommitment({ status_changed_at: "2026-01-01T00:00:00Z" });
    const future = await expectError(await status(c.id, { status: "in_progress", occurred_at: isoDaysFrom(Date.now(), 2) }), 400, "invalid_input");
    expect(issuePaths(future)).toEqual(["occurred_at"]);
    const early = await expectError(await status(c.id, { status: "in_progress", occurred_at: "2025-12-31T23:59:59Z" }), 400, "invalid_input");
    expect(issuePaths(early)).toEqual(["occurred_at"]);
    expect((await json(call("GET", `/api/v1/commitments/${c.id}`))).version).toBe(1);
    expect((await eventsOf(c.id)).length).toBe(1);
  });

  it("answers 400 for an unknown status and 404 for an unknown commitment", async () => {
    const c = await freshCommitment();
    const bad = await expectError(await status(c.id, { status: "done" }), 400, "invalid_input");
    expect(issuePaths(bad)).toEqual(["status"]);
    await expectError(await status(uid("missing"), { status: "fulfilled" }), 404, "not_found");
  });

  it("keeps the rule in one pure function: terminal statuses need a note to move", () => {
    expect(() => assertTransition("not_started", "fulfilled", undefined)).not.toThrow();
    expect(() => assertTransition("fulfilled", "fulfilled", undefined)).not.toThrow();
    expect(() => assertTransition("withdrawn", "not_started", undefined)).toThrow(/terminal/);
    expect(() => assertTransition("withdrawn", "not_started", "why")).not.toThrow();
  });
});

describe("timeliness from the API", () => {
  it("shows each timeliness value on the commitment and finds it with the timeliness filter", async () => {
    const now = Date.now();
    const agreement = await createAgreement();
    const past = (days: number) => isoDaysFrom(now, -days);
    const cases: Array<[Timeliness, Record<string, unknown>]> = [
      ["no_deadline", { deadline: null }],
      ["no_deadline", { deadline: null, status: "stalled" }],
      ["on_track", { deadline: { due_at: isoDaysFrom(now, 60) } }],
      ["due_soon", { deadline: { due_at: isoDaysFrom(now, 10) } }],
      ["due_soon", { deadline: { due_at: past(2), grace: "P7D" }, status: "in_progress" }],
      ["overdue", { deadline: { due_at: past(2) }, status: "stalled" }],
      ["overdue", { deadline: { due_at: past(20), grace: "P7D" } }],
      ["met_on_time", { deadline: { due_at: past(10) }, status: "fulfilled", status_changed_at: past(11) }],
      ["met_on_time", { deadline: { due_at: past(10), grace: "P7D" }, status: "partially_fulfilled", status_changed_at: past(5) }],
      ["met_on_time", { deadline: null, status: "fulfilled", status_changed_at: past(1) }],
      ["met_late", { deadline: { due_at: past(10) }, status: "fulfilled", status_changed_at: past(9) }],
      ["met_late", { deadline: { due_at: past(10), grace: "P7D" }, status: "partially_fulfilled" }],
      ["closed", { deadline: { due_at: past(10) }, status: "broken" }],
      ["closed", { deadline: null, status: "withdrawn" }],
    ];
    const expected = new Map<string, Timeliness>();
    for (const [t, overrides] of cases) {
      const c = await createCommitment(agreement.id, overrides);
      expect(c.timeliness, JSON.stringify(overrides)).toBe(t);
      expect((await json(call("GET", `/api/v1/commitments/${c.id}`))).timeliness).toBe(t);
      expected.set(c.id, t);
    }
    for (const t of TIMELINESS) {
      const listed = await json(call("GET", `/api/v1/commitments?agreement=${agreement.id}&timeliness=${t}&limit=200`));
      const ids = [...expected].filter(([, v]) => v === t).map(([id]) => id).sort();
      expect(listed.items.map((i: { id: string }) => i.id).sort(), t).toEqual(ids);
      for (const item of listed.items) expect(item.timeliness).toBe(t);
    }
    const either = await json(call("GET", `/api/v1/commitments?agreement=${agreement.id}&timeliness=overdue,due_soon`));
    expect(either.items.map((i: { timeliness: string }) => i.timeliness).sort()).toEqual(["due_soon", "due_soon", "overdue", "overdue"]);
  });

  it("turns a met commitment late when its deadline moves before the day it was met", async () => {
    const now = Date.now();
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id, { deadline: { due_at: isoDaysFrom(now, 10) }, status: "fulfilled" });
    expect(c.timeliness).toBe("met_on_time");
    const moved = await call("PATCH", `/api/v1/commitments/${c.id}`, {
      body: { deadline: { due_at: isoDaysFrom(now, -30) }, reason: "the deadline was misread" },
    });
    expect(moved.status).toBe(200);
    expect((await json(moved)).timeliness).toBe("met_late");
  });

  it("shows days_left, in whole UTC calendar days, only while a dated commitment is open", async () => {
    // Noon UTC ten calendar days from today: 10 whatever the time of day now (the one day count
    // in commitments.rules.ts counts dates, not 24-hour periods).
    const today = new Date();
    const dueAt = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 10, 12)).toISOString();
    const agreement = await createAgreement();
    const open = await createCommitment(agreement.id, { deadline: { due_at: dueAt } });
    expect(open.days_left).toBe(10);
    const done = await createCommitment(agreement.id, { deadline: { due_at: dueAt }, status: "fulfilled" });
    expect(done.days_left).toBeNull();
  });
});

describe("timeliness in SQL agrees with the TypeScript rule", () => {
  it("classifies every fixture the same way in the list filter and in timeliness() at every boundary", async () => {
    const agreement = await createAgreement({ signed_on: "2025-08-08" });
    const D = Date.parse("2026-03-01T00:00:00Z");
    const iso = (t: number) => new Date(t).toISOString();
    const deadlines: Array<Record<string, unknown> | null> = [
      null,
      { due_at: iso(D) },
      { due_at: iso(D), grace: "P7D" },
      { due_at: iso(D), grace: "PT12H" },
      { due_on: "2026-03-01", grace: "P1M" },
      { within: "P6M" },
    ];
    const statusTimes = [D - 40 * DAY_MS, D - DAY_MS, D, D + 6 * 3_600_000, D + 7 * DAY_MS, D + 8 * DAY_MS, D + 40 * DAY_MS];
    const ids: string[] = [];
    for (const deadline of deadlines) {
      for (const s of PROGRESS) {
        const times = s === "fulfilled" || s === "partially_fulfilled" ? statusTimes.filter((t) => t < Date.now()) : [D - 40 * DAY_MS];
        for (const t of times) {
          const c = await createCommitment(agreement.id, { deadline, status: s, status_changed_at: iso(t) });
          ids.push(c.id);
        }
      }
    }
    const rows = (await listCommitmentRows(db(), { agreement: agreement.id }, { limit: 1000 }, 0, 0)).rows;
    expect(rows.length).toBe(ids.length);

    const instants = new Set<number>([0, Date.now()]);
    for (const r of rows) {
      for (const t of [r.dueAt, r.overdueAt, r.statusChangedAt]) {
        if (t === null) continue;
        for (const delta of [-1, 0, 1]) instants.add(t + delta);
      }
    }
    for (const windowMs of [30 * DAY_MS, 7 * DAY_MS, 0]) {
      const probes = new Set<number>(instants);
      for (const r of rows) if (r.dueAt !== null) for (const delta of [-1, 0, 1]) probes.add(r.dueAt - windowMs + delta);
      for (const now of probes) {
        const expected = new Map(rows.map((r) => [r.id, timeliness(r, now, windowMs)]));
        const seen = new Set<string>();
        for (const t of TIMELINESS) {
          const found = (await listCommitmentRows(db(), { agreement: agreement.id, timeliness: [t] }, { limit: 1000 }, now, windowMs)).rows;
          for (const r of found) {
            expect(expected.get(r.id), `${r.id} at ${iso(now)} window ${windowMs}: SQL says ${t}`).toBe(t);
            expect(seen.has(r.id), `${r.id} matched two timeliness filters at ${iso(now)}`).toBe(false);
            seen.add(r.id);
          }
        }
        expect(seen.size, `every row matches one filter at ${iso(now)} window ${windowMs}`).toBe(rows.length);
      }
    }
  }, 60_000);
});
