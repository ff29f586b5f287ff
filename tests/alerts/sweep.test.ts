import { env } from "cloudflare:workers";
import { createScheduledController, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { updateCommitment, changeStatus } from "../../src/ledger/commitments.service";
import { createDb } from "../../src/platform/db/client";
import { countQueries } from "../../src/platform/db/counting";
import { runSweep } from "../../src/alerts/sweep/sweep";
import worker from "../../src/index";
import { db } from "../helpers";
import { DAY, LEAD_DAYS, RETENTION, makeAgreement, makeCommitment, recordingQueue, writeCtx } from "./alerts.helpers";

const T0 = Date.parse("2026-01-01T00:00:00Z");

async function sweep(now: number, queue = recordingQueue()) {
  const counter = countQueries(env.DB);
  const result = await runSweep(
    { db: createDb(counter.d1), queue, leadDays: LEAD_DAYS, retention: RETENTION, queryCount: counter.count, clock: () => now },
    now,
  );
  return { result, queue };
}

async function eventsOf(commitmentId: string) {
  const rows = await env.DB.prepare(
    "SELECT type, to_value, data, dedupe_key FROM events WHERE commitment_id = ? AND actor = 'sweep' AND type IN ('commitment.due_soon', 'commitment.overdue') ORDER BY seq",
  )
    .bind(commitmentId)
    .all<{ type: string; to_value: string; data: string; dedupe_key: string }>();
  return rows.results.map((r) => ({ type: r.type, data: JSON.parse(r.data) as Record<string, unknown>, key: r.dedupe_key }));
}

describe("the sweep", () => {
  it("records one due_soon event per lead time crossed, then one overdue after the grace period", async () => {
    const agreement = await makeAgreement(T0);
    // Due 2026-03-01 end of day UTC, grace two days.
    const c = await makeCommitment(agreement.id, T0, { deadline: { due_on: "2026-03-01", grace: "P2D" } });
    const due = Date.parse(c.due_at!);
    const overdueAt = Date.parse(c.overdue_at!);
    expect(overdueAt - due).toBe(2 * DAY);

    await sweep(due - 31 * DAY);
    expect(await eventsOf(c.id)).toEqual([]);

    await sweep(due - 29 * DAY);
    await sweep(due - 28 * DAY);
    expect((await eventsOf(c.id)).map((e) => [e.type, e.data.lead_days])).toEqual([["commitment.due_soon", 30]]);

    await sweep(due - 6 * DAY);
    await sweep(due - 12 * 3600_000);
    await sweep(due + 1); // past the deadline, inside the grace period: nothing new
    expect((await eventsOf(c.id)).map((e) => e.data.lead_days)).toEqual([30, 7, 1]);

    await sweep(overdueAt + 1);
    await sweep(overdueAt + DAY);
    const all = await eventsOf(c.id);
    expect(all.map((e) => e.type)).toEqual([
      "commitment.due_soon",
      "commitment.due_soon",
      "commitment.due_soon",
      "commitment.overdue",
    ]);
    expect(all[3]!.key).toBe(`overdue:${c.id}:${overdueAt}`);
  });

  it("announces only the latest threshold when it first sees a commitment late", async () => {
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0, { deadline: { due_on: "2026-02-10" } });
    await sweep(Date.parse(c.due_at!) - 5 * DAY);
    expect((await eventsOf(c.id)).map((e) => e.data.lead_days)).toEqual([7]);
  });

  it("flags nothing for terminal commitments, even long past their deadline", async () => {
    const agreement = await makeAgreement(T0);
    const fulfilled = await makeCommitment(agreement.id, T0, { deadline: { due_on: "2026-01-05" }, status: "fulfilled" });
    const withdrawn = await makeCommitment(agreement.id, T0, { deadline: { due_on: "2026-01-05" } });
    await changeStatus(db(), withdrawn.id, { status: "withdrawn", note: "dropped" }, writeCtx(T0 + 1));
    await sweep(T0 + 60 * DAY);
    expect(await eventsOf(fulfilled.id)).toEqual([]);
    expect(await eventsOf(withdrawn.id)).toEqual([]);
  });

  it("re-arms the flags when the deadline is extended", async () => {
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0, { deadline: { due_on: "2026-01-10" } });
    await sweep(Date.parse("2026-01-05T00:00:00Z"));
    await sweep(Date.parse("2026-01-20T00:00:00Z"));
    expect((await eventsOf(c.id)).map((e) => e.type)).toEqual(["commitment.due_soon", "commitment.overdue"]);

    const extended = await updateCommitment(
      db(),
      c.id,
      { deadline: { due_on: "2026-03-31" }, reason: "the parties agreed more time" },
      writeCtx(Date.parse("2026-01-21T00:00:00Z")),
    );
    expect(extended.timeliness).toBe("on_track");
    await sweep(Date.parse("2026-01-22T00:00:00Z"));
    expect(await eventsOf(c.id)).toHaveLength(2);
    await sweep(Date.parse("2026-03-10T00:00:00Z"));
    await sweep(Date.parse("2026-04-02T00:00:00Z"));
    expect((await eventsOf(c.id)).map((e) => e.type)).toEqual([
      "commitment.due_soon",
      "commitment.overdue",
      "commitment.due_soon",
      "commitment.overdue",
    ]);
  });

  it("adds nothing twice across two runs and two overlapping runs at the same instant", async () => {
    const agreement = await makeAgreement(T0);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await makeCommitment(agreement.id, T0, { deadline: { due_on: "2026-01-03" } })).id);
    const now = Date.parse("2026-01-15T00:00:00Z");
    await Promise.all([sweep(now), sweep(now)]);
    await sweep(now);
    for (const id of ids) expect((await eventsOf(id)).map((e) => e.type)).toEqual(["commitment.overdue"]);
    const outbox = await env.DB.prepare(
      `SELECT count(*) AS n FROM outbox o JOIN events e ON e.id = o.event_id WHERE e.commitment_id IN (${ids.map(() => "?").join(",")}) AND e.actor = 'sweep'`,
    )
      .bind(...ids)
      .first<{ n: number }>();
    expect(outbox!.n).toBe(5);
  });

  it("enqueues the new events and re-sends an outbox row whose enqueue was lost", async () => {
    const agreement = await makeAgreement(T0);
    // Written through the service, which records the event and its outbox row but, like a crash
    // between commit and enqueue, never sends the message.
    const c = await makeCommitment(agreement.id, T0, { title: "Lost message" });
    const created = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ? AND type = 'commitment.created'")
      .bind(c.id)
      .first<{ id: string }>();
    const early = await sweep(T0 + 1000);
    expect(early.queue.messages.flatMap((m) => (m.body.kind === "fanout" ? m.body.eventIds : []))).not.toContain(created!.id);
    const later = await sweep(T0 + 2 * 60_000);
    expect(later.queue.messages.flatMap((m) => (m.body.kind === "fanout" ? m.body.eventIds : []))).toContain(created!.id);
    // The claim moved the lease: an overlapping sweep a moment later does not send it again.
    const again = await sweep(T0 + 2 * 60_000 + 1);
    expect(again.queue.messages.flatMap((m) => (m.body.kind === "fanout" ? m.body.eventIds : []))).not.toContain(created!.id);
  });

  it("handles 3,000 commitments falling overdue at once in a few set-based batches", async () => {
    const agreement = await makeAgreement(T0);
    const due = Date.parse("2026-06-01T23:59:59.999Z");
    // Rows straight into D1 (the API path is tested elsewhere): 3,000 open commitments due 2026-06-01.
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
       INSERT INTO commitments (id, agreement_id, title, parties, tags, evidence, time_zone, deadline, due_at, due_on, overdue_at, status, status_changed_at, next_alert_at, created_at, updated_at)
       SELECT 'bulk-' || i, ?, 'Bulk ' || i, '[]', '["bulk"]', '[]', 'UTC', '{"due_on":"2026-06-01"}', ?, '2026-06-01', ?, 'not_started', ?, ?, ?, ? FROM n`,
    )
      .bind(agreement.id, due, due, T0, due - 30 * DAY, T0, T0)
      .run();
    const { result, queue } = await sweep(due + DAY);
    expect(result.overdue).toBe(3000);
    // 1 run row + 3 finding batches of 4 statements + 1 empty round… well within D1's 50 (free) / 1,000 (paid).
    expect(result.queries).toBeLessThanOrEqual(25);
    const fanned = queue.messages.flatMap((m) => (m.body.kind === "fanout" ? m.body.eventIds : []));
    expect(new Set(fanned).size).toBeGreaterThanOrEqual(3000);
    expect(queue.sendBatchCalls).toBeLessThanOrEqual(5);
    const run = await env.DB.prepare("SELECT queries, send_calls FROM sweep_runs WHERE id = ?").bind(result.runId).first<{ queries: number; send_calls: number }>();
    expect(run).toEqual({ queries: result.queries, send_calls: queue.sendBatchCalls });
    const second = await sweep(due + DAY + 1);
    expect(second.result.overdue).toBe(0);
  });

  it("records each run for the status endpoint, through the real scheduled handler", async () => {
    const controller = createScheduledController({ scheduledTime: new Date("2026-11-27T12:00:00Z"), cron: "*/5 * * * *" });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    const run = await env.DB.prepare("SELECT * FROM sweep_runs WHERE scheduled_at = ?")
      .bind(Date.parse("2026-11-27T12:00:00Z"))
      .first<{ finished_at: number | null; error: string | null; queries: number }>();
    expect(run).not.toBeNull();
    expect(run!.finished_at).not.toBeNull();
    expect(run!.error).toBeNull();
    expect(run!.queries).toBeGreaterThan(0);
  });
});
