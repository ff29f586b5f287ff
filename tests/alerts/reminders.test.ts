import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { changeStatus, updateCommitment } from "../../src/ledger/commitments.service";
import { createDb } from "../../src/platform/db/client";
import { countQueries } from "../../src/platform/db/counting";
import { runSweep } from "../../src/alerts/sweep/sweep";
import { fanOut } from "../../src/alerts/fanout";
import { call, db } from "../helpers";
import { expectError, issuePaths } from "../ledger/ledger.helpers";
import { DAY, LEAD_DAYS, RETENTION, makeAgreement, makeCommitment, makeSubscription, recordingQueue, writeCtx } from "./alerts.helpers";

const T0 = Date.parse("2032-01-01T00:00:00Z");
const ctx = (now: number) => ({ ...writeCtx(now), windowMs: 30 * DAY });

async function sweep(now: number) {
  const counter = countQueries(env.DB);
  return runSweep({ db: createDb(counter.d1), queue: recordingQueue(), leadDays: LEAD_DAYS, retention: RETENTION, queryCount: counter.count, clock: () => now }, now);
}

async function reminders(commitmentId: string) {
  const rows = await env.DB.prepare("SELECT id, occurred_at, data FROM events WHERE commitment_id = ? AND type = 'commitment.still_overdue' ORDER BY seq")
    .bind(commitmentId)
    .all<{ id: string; occurred_at: number; data: string }>();
  return rows.results.map((r) => ({ id: r.id, at: r.occurred_at, data: JSON.parse(r.data) }));
}

describe("reminders while overdue (remind_every)", () => {
  it("sends commitment.still_overdue every period while a commitment stays overdue, once per period across overlapping sweeps", async () => {
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0, { deadline: { due_on: "2032-01-10" }, verify_every: null });
    const overdueAt = Date.parse(c.overdue_at!);
    const weekly = await makeSubscription(T0, { remind_every: "P7D" });
    const plain = await makeSubscription(T0, {});
    expect(weekly.remind_every).toBe("P7D");
    await sweep(overdueAt + 1);
    await sweep(overdueAt + 6 * DAY);
    expect(await reminders(c.id)).toEqual([]);
    await Promise.all([sweep(overdueAt + 7 * DAY), sweep(overdueAt + 7 * DAY)]);
    await sweep(overdueAt + 10 * DAY);
    let sent = await reminders(c.id);
    expect(sent.map((r) => [r.at, r.data.subscription_id, r.data.reminder])).toEqual([[overdueAt + 7 * DAY, weekly.id, 1]]);
    expect(sent[0]!.data).toMatchObject({ remind_every: "P7D", due_on: "2032-01-10", days_overdue: 7, status: "not_started" });
    await sweep(overdueAt + 14 * DAY);
    await sweep(overdueAt + 14 * DAY);
    sent = await reminders(c.id);
    expect(sent.map((r) => r.data.reminder)).toEqual([1, 2]);
    // Fan-out delivers a reminder to its own subscription only.
    await fanOut(db(), recordingQueue(), [sent[0]!.id], overdueAt + 14 * DAY);
    const targets = await env.DB.prepare("SELECT subscription_id FROM deliveries WHERE event_id = ?").bind(sent[0]!.id).all<{ subscription_id: string }>();
    expect(targets.results.map((r) => r.subscription_id)).toEqual([weekly.id]);
    expect(plain.remind_every).toBeNull();
  });

  it("a status change restarts the count, closing or extending the deadline stops it", async () => {
    const agreement = await makeAgreement(T0);
    const moved = await makeCommitment(agreement.id, T0, { deadline: { due_on: "2032-01-10" }, verify_every: null, tags: ["reminded"] });
    const extended = await makeCommitment(agreement.id, T0, { deadline: { due_on: "2032-01-10" }, verify_every: null, tags: ["reminded"] });
    const closed = await makeCommitment(agreement.id, T0, { deadline: { due_on: "2032-01-10" }, verify_every: null, tags: ["reminded"] });
    const overdueAt = Date.parse(moved.overdue_at!);
    await makeSubscription(T0, { remind_every: "P3D", tags: ["reminded"] });
    await sweep(overdueAt + 1);
    await changeStatus(db(), moved.id, { status: "in_progress" }, ctx(overdueAt + 2 * DAY));
    await updateCommitment(db(), extended.id, { deadline: { due_on: "2032-03-01" }, reason: "new timetable" }, ctx(overdueAt + 2 * DAY));
    await changeStatus(db(), closed.id, { status: "withdrawn" }, ctx(overdueAt + 2 * DAY));
    await sweep(overdueAt + 4 * DAY);
    expect(await reminders(moved.id)).toEqual([]); // 3 days after the change, not after overdue_at
    await sweep(overdueAt + 5 * DAY);
    expect((await reminders(moved.id)).map((r) => r.at)).toEqual([overdueAt + 5 * DAY]);
    await sweep(overdueAt + 20 * DAY);
    expect(await reminders(extended.id)).toEqual([]);
    expect(await reminders(closed.id)).toEqual([]);
  });

  it("follows the subscription's filters and sends nothing to a paused one", async () => {
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0, { deadline: { due_on: "2032-01-10" }, verify_every: null, tags: ["energy"] });
    const overdueAt = Date.parse(c.overdue_at!);
    await makeSubscription(T0, { remind_every: "P1D", tags: ["transport"] });
    const paused = await makeSubscription(T0, { remind_every: "P1D", commitments: [c.id] });
    await call("PATCH", `/api/v1/subscriptions/${paused.id}`, { body: { state: "paused" } });
    await sweep(overdueAt + 1);
    await sweep(overdueAt + 3 * DAY);
    expect(await reminders(c.id)).toEqual([]);
  });

  it("refuses a remind_every that is not a fixed period of at least an hour", async () => {
    const bad = await expectError(await call("POST", "/api/v1/subscriptions", { body: { url: "https://hooks.example.org/x", remind_every: "P1M" } }), 400, "invalid_input");
    expect(issuePaths(bad)).toEqual(["remind_every"]);
    const tiny = await expectError(await call("POST", "/api/v1/subscriptions", { body: { url: "https://hooks.example.org/x", remind_every: "PT5M" } }), 400, "invalid_input");
    expect(tiny.error.issues?.[0]?.message).toBe("must be at least one hour");
  });
});
