/**
 * Property-based tests (fast-check) for the status rules: timeliness (commitments.rules.ts) and
 * its SQL side (commitments.timeliness.ts: filters, urgency rank, counts), the day count,
 * transitions, and the sweep's alert bookkeeping (commitments.alerts.ts). Run inside workerd
 * against real D1.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { and, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { timelinessCountsSql, timelinessWhere, urgencyRankSql } from "../../src/ledger/commitments.timeliness";
import { assertTransition, daysUntil, isTerminal, PROGRESS, TIMELINESS, timeliness, urgencyRank, type Timeliness } from "../../src/ledger/commitments.rules";
import { commitments } from "../../src/ledger/commitments.table";
import { DAY_MS } from "../../src/platform/config";
import { nextAlertAt, pendingFinding, type AlertState } from "../../src/ledger/commitments.alerts";
import { createAgreement, db, uid } from "../helpers";

const NOW = Date.UTC(2026, 10, 27, 12);
const WINDOW = 30 * DAY_MS;
const status = fc.constantFrom(...PROGRESS);
const offset = fc.integer({ min: -400 * DAY_MS, max: 400 * DAY_MS });

/**
 * A commitment as the ledger stores it: due and overdue set together, overdue >= due, closed iff
 * terminal, and a deadline waiting on its anchor (entry into force, signing, another commitment
 * met) has no date yet.
 */
const storedCommitment = fc
  .record({
    status,
    dated: fc.boolean(),
    due: offset,
    grace: fc.integer({ min: 0, max: 60 * DAY_MS }),
    changed: offset,
    waiting: fc.option(fc.constantFrom("signing", "entry_into_force", "commitment"), { nil: null }),
  })
  .map((c) => ({
    status: c.status,
    dueAt: c.dated ? NOW + c.due : null,
    overdueAt: c.dated ? NOW + c.due + c.grace : null,
    statusChangedAt: NOW + c.changed,
    waitingOn: c.dated ? null : c.waiting,
  }));

const ymd = (ms: number): [number, number, number] => {
  const d = new Date(ms);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
};

const OPEN_ORDER: Timeliness[] = ["on_track", "due_soon", "overdue"];

describe("status rules (properties)", () => {
  it("gives every commitment exactly one timeliness, and terminal ones never depend on the clock", () => {
    fc.assert(
      fc.property(storedCommitment, offset, offset, (c, a, b) => {
        const t1 = timeliness(c, NOW + a, WINDOW);
        expect(TIMELINESS).toContain(t1);
        if (isTerminal(c.status)) expect(timeliness(c, NOW + b, WINDOW)).toBe(t1);
        if (c.dueAt === null && !isTerminal(c.status)) expect(t1).toBe(c.waitingOn === null ? "no_deadline" : "waiting");
      }),
      { numRuns: 500 },
    );
  });

  it("only moves an open commitment forward in time: on_track, then due_soon, then overdue", () => {
    fc.assert(
      fc.property(storedCommitment.filter((c) => !isTerminal(c.status) && c.dueAt !== null), offset, fc.nat(400 * DAY_MS), (c, a, step) => {
        const before = OPEN_ORDER.indexOf(timeliness(c, NOW + a, WINDOW));
        const after = OPEN_ORDER.indexOf(timeliness(c, NOW + a + step, WINDOW));
        expect(before).toBeGreaterThanOrEqual(0);
        expect(after).toBeGreaterThanOrEqual(before);
      }),
      { numRuns: 500 },
    );
  });

  it("counts days by UTC calendar date: 0 on the day, 1 the day before, one step per midnight", () => {
    fc.assert(
      fc.property(offset, offset, (a, b) => {
        const [instant, now] = [NOW + a, NOW + b];
        const days = daysUntil(instant, now);
        expect(days).toBe(Math.round((Date.UTC(...ymd(instant)) - Date.UTC(...ymd(now))) / DAY_MS));
        expect(daysUntil(instant, now + DAY_MS)).toBe(days - 1);
        if (instant >= now) expect(days).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it("lets open statuses move freely and asks for a note to leave a terminal one", () => {
    fc.assert(
      fc.property(status, status, fc.option(fc.string(), { nil: undefined }), (from, to, note) => {
        const refused = (() => {
          try {
            assertTransition(from, to, note);
            return false;
          } catch {
            return true;
          }
        })();
        expect(refused).toBe(from !== to && isTerminal(from) && !note?.trim());
      }),
      { numRuns: 500 },
    );
  });

  it("never has an alert pending before next_alert_at, and always has one at it", () => {
    const leadDays = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 4 }).map((d) => d.sort((a, b) => b - a));
    const state = fc.record({
      due: offset,
      grace: fc.integer({ min: 0, max: 30 * DAY_MS }),
      notified: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }),
      overdueNotified: fc.boolean(),
    });
    fc.assert(
      fc.property(state, leadDays, offset, (s, lead, a) => {
        const st: AlertState = { dueAt: NOW + s.due, overdueAt: NOW + s.due + s.grace, dueSoonNotifiedDays: s.notified, overdueNotified: s.overdueNotified };
        const next = nextAlertAt(st, lead);
        const now = NOW + a;
        if (next === null) {
          expect(pendingFinding(st, now, lead)).toBeNull();
          return;
        }
        if (now < next) expect(pendingFinding(st, now, lead)).toBeNull();
        expect(pendingFinding(st, next, lead)).not.toBeNull();
      }),
      { numRuns: 1000 },
    );
  });

  it("selects in SQL exactly the commitments the TypeScript rule puts in each timeliness", async () => {
    const agreement = await createAgreement();
    await fc.assert(
      fc.asyncProperty(fc.array(storedCommitment, { minLength: 1, maxLength: 25 }), offset, async (rows, a) => {
        const now = NOW + a;
        const ids = rows.map(() => uid("prop"));
        await env.DB.batch(
          rows.map((c, i) =>
            env.DB.prepare(
              `INSERT INTO commitments (id, agreement_id, title, parties, tags, evidence, due_at, overdue_at, waiting_on, status, status_changed_at, closed_at, created_at, updated_at)
               VALUES (?, ?, 'p', '[]', '[]', '[]', ?, ?, ?, ?, ?, ?, ?, ?)`,
            ).bind(ids[i], agreement.id, c.dueAt, c.overdueAt, c.waitingOn, c.status, c.statusChangedAt, isTerminal(c.status) ? c.statusChangedAt : null, NOW, NOW),
          ),
        );
        for (const t of TIMELINESS) {
          const expected = ids.filter((_, i) => timeliness(rows[i]!, now, WINDOW) === t).sort();
          const found = (
            await db()
              .select({ id: commitments.id })
              .from(commitments)
              .where(and(inArray(commitments.id, ids), timelinessWhere(t, now, WINDOW)))
          )
            .map((r) => r.id)
            .sort();
          expect(found, t).toEqual(expected);
        }
        // The urgency rank orders by the same cases.
        const ranks = await db().all<{ id: string; rank: number }>(
          sql`SELECT id, ${urgencyRankSql(now, WINDOW)} AS rank FROM commitments WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
        );
        for (const r of ranks) expect(r.rank, r.id).toBe(urgencyRank(timeliness(rows[ids.indexOf(r.id)]!, now, WINDOW)));
        // And the counts (some derived as remainders) count every stored row as the rule does.
        const all = await db().all<{ status: string; due_at: number | null; overdue_at: number | null; status_changed_at: number; waiting_on: string | null }>(
          sql`SELECT status, due_at, overdue_at, status_changed_at, waiting_on FROM commitments`,
        );
        const expectedCounts = Object.fromEntries(TIMELINESS.map((t) => [t, 0])) as Record<Timeliness, number>;
        for (const c of all) {
          expectedCounts[timeliness({ status: c.status, dueAt: c.due_at, overdueAt: c.overdue_at, statusChangedAt: c.status_changed_at, waitingOn: c.waiting_on }, now, WINDOW)]++;
        }
        expect(await db().get(timelinessCountsSql(now, WINDOW))).toEqual(expectedCounts);
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
