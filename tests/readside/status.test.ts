import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCounter } from "../../src/readside/cache";
import { DAY_MS } from "../../src/platform/config";
import { resetStatusProbeCache, STATUS_PROBE_TTL_MS } from "../../src/readside/status/status.routes";
import { probeStatus, statusDocument, sweepState } from "../../src/readside/status/status.service";
import { call, createAgreement, createCommitment, db } from "../helpers";
import { get } from "./readside.helpers";

const WINDOW = 30 * DAY_MS;
const dateOffset = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

let agr: string;
const ids = {} as Record<"overdue" | "overdueOld" | "grace" | "dueSoon" | "onTrack" | "done" | "late" | "broken" | "open", string>;

async function insertSweepRun(row: { startedAt: number; finishedAt: number | null; error?: string | null }) {
  await env.DB.prepare(
    "INSERT INTO sweep_runs (scheduled_at, started_at, finished_at, due_soon, overdue, error) VALUES (?, ?, ?, 1, 2, ?)",
  )
    .bind(row.startedAt, row.startedAt, row.finishedAt, row.error ?? null)
    .run();
}

/** Reads /status.json as a client arriving after the probe TTL would (the tests write and read back at once). */
async function status(headers: Record<string, string> = {}) {
  resetStatusProbeCache();
  const res = await get("/status.json", headers);
  return { res, body: res.status === 200 ? ((await res.json()) as any) : null };
}

beforeAll(async () => {
  agr = (await createAgreement({ title: "Fixture agreement", signed_on: "2025-08-08" })).id;
  ids.overdue = (await createCommitment(agr, { title: "Overdue charter", deadline: { due_on: dateOffset(-2) } })).id;
  ids.overdueOld = (await createCommitment(agr, { title: "Long overdue", deadline: { due_on: dateOffset(-40) } })).id;
  ids.grace = (await createCommitment(agr, { title: "In its grace period", deadline: { due_on: dateOffset(-1), grace: "P10D" } })).id;
  ids.dueSoon = (await createCommitment(agr, { title: "Due soon", deadline: { due_on: dateOffset(3) } })).id;
  ids.onTrack = (await createCommitment(agr, { title: "On track", deadline: { due_on: dateOffset(100) } })).id;
  ids.done = (await createCommitment(agr, { title: "Done on time", deadline: { due_on: dateOffset(50) }, status: "fulfilled" })).id;
  ids.late = (await createCommitment(agr, { title: "Done late", deadline: { due_on: dateOffset(-5) }, status: "fulfilled" })).id;
  ids.broken = (await createCommitment(agr, { title: "Broken", deadline: { due_on: dateOffset(-5) }, status: "broken" })).id;
  ids.open = (await createCommitment(agr, { title: "Open-ended", status: "in_progress" })).id;
});

describe("/status.json", () => {
  it("counts commitments by progress status and by timeliness", async () => {
    const { res, body } = await status();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(body.counts.total).toBe(9);
    expect(body.counts.by_status).toEqual({
      not_started: 5,
      in_progress: 1,
      stalled: 0,
      partially_fulfilled: 0,
      fulfilled: 2,
      broken: 1,
      withdrawn: 0,
    });
    expect(body.counts.by_timeliness).toEqual({
      no_deadline: 1,
      waiting: 0,
      on_track: 1,
      due_soon: 2,
      overdue: 2,
      met_on_time: 1,
      met_late: 1,
      closed: 1,
    });
  });

  it("agrees with the API's own timeliness for every commitment", async () => {
    const { body } = await status();
    const list = (await (await call("GET", "/api/v1/commitments?limit=200", { token: null })).json()) as any;
    const counted: Record<string, number> = {};
    for (const c of list.items) counted[c.timeliness] = (counted[c.timeliness] ?? 0) + 1;
    for (const [k, n] of Object.entries(body.counts.by_timeliness)) expect(counted[k] ?? 0, k).toBe(n);
  });

  it("lists the overdue commitments, longest overdue first, with days overdue and links", async () => {
    const { body } = await status();
    expect(body.overdue.map((o: any) => o.id)).toEqual([ids.overdueOld, ids.overdue]);
    const o = body.overdue[1];
    expect(o).toMatchObject({
      id: ids.overdue,
      title: "Overdue charter",
      agreement: { id: agr, title: "Fixture agreement" },
      status: "not_started",
      due_on: dateOffset(-2),
      days_overdue: 2,
      link: `http://pledgewatch.test/commitments/${ids.overdue}`,
    });
    expect(body.overdue[0].days_overdue).toBe(40);
    expect(body.overdue_truncated).toBe(false);
  });

  it("lists the next deadlines in the order they fall due, including one inside its grace period", async () => {
    const { body } = await status();
    expect(body.next_deadlines.map((d: any) => d.id)).toEqual([ids.dueSoon, ids.grace, ids.onTrack]);
    expect(body.next_deadlines[0]).toMatchObject({ timeliness: "due_soon", days_left: 3, due_on: dateOffset(3) });
    expect(body.next_deadlines[1]).toMatchObject({ timeliness: "due_soon", days_left: -1 });
    expect(body.next_deadlines[2]).toMatchObject({ timeliness: "on_track", days_left: 100 });
  });

  it("is degraded when the sweep has never run, and says why", async () => {
    const { body } = await status();
    expect(body.indicator).toBe("degraded");
    expect(body.last_sweep).toBeNull();
    expect(body.sweep.state).toBe("never");
    expect(body.reasons).toContain("the overdue sweep has never run");
  });

  it("is degraded when the last sweep is older than 3 cron periods, attention when fresh with overdue work, degraded after a failed run", async () => {
    const now = Date.now();
    await insertSweepRun({ startedAt: now - 16 * 60_000, finishedAt: now - 16 * 60_000 + 500 });
    let { body } = await status();
    expect(body.indicator).toBe("degraded");
    expect(body.last_sweep).toMatchObject({ result: "ok", stale: true, due_soon: 1, overdue: 2, error: null });
    expect(body.last_sweep.age_seconds).toBeGreaterThanOrEqual(16 * 60);
    expect(body.sweep).toEqual({ state: "stale", period_minutes: 5, stale_after_minutes: 15 });

    await insertSweepRun({ startedAt: now - 60_000, finishedAt: now - 59_000 });
    ({ body } = await status());
    expect(body.indicator).toBe("attention");
    expect(body.last_sweep).toMatchObject({ result: "ok", stale: false });
    expect(body.reasons).toEqual(["2 commitments are overdue"]);

    await insertSweepRun({ startedAt: now - 1000, finishedAt: now - 500, error: "D1_ERROR: boom" });
    ({ body } = await status());
    expect(body.indicator).toBe("degraded");
    expect(body.last_sweep).toMatchObject({ result: "failed", error: "D1_ERROR: boom" });

    await insertSweepRun({ startedAt: now - 100, finishedAt: null });
    ({ body } = await status());
    expect(body.last_sweep.result).toBe("running");
    expect(body.indicator).toBe("attention");
  });

  it("reports delivery health: pending deliveries and failing or disabled subscriptions", async () => {
    const now = Date.now();
    const before = await status();
    expect(before.body.delivery).toEqual({ pending: 0, failing_subscriptions: 0, disabled_subscriptions: 0 });
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO subscriptions (id, url, secret, state, failing_since, created_by, created_at, updated_at) VALUES ('sub_a', 'https://a.example/h', 'whsec_x', 'active', ?, 't', ?, ?)",
      ).bind(now - DAY_MS, now, now),
      env.DB.prepare(
        "INSERT INTO subscriptions (id, url, secret, state, failing_since, created_by, created_at, updated_at) VALUES ('sub_b', 'https://b.example/h', 'whsec_y', 'disabled', ?, 't', ?, ?)",
      ).bind(now - 6 * DAY_MS, now, now),
      env.DB.prepare(
        "INSERT INTO subscriptions (id, url, secret, state, created_by, created_at, updated_at) VALUES ('sub_c', 'https://c.example/h', 'whsec_z', 'active', 't', ?, ?)",
      ).bind(now, now),
      env.DB.prepare(
        "INSERT INTO deliveries (id, event_id, subscription_id, state, next_attempt_at, created_at, updated_at) VALUES ('dlv_1', 'evt_1', 'sub_a', 'pending', ?, ?, ?), ('dlv_2', 'evt_2', 'sub_a', 'pending', ?, ?, ?), ('dlv_3', 'evt_3', 'sub_c', 'succeeded', ?, ?, ?)",
      ).bind(now, now, now, now, now, now, now, now, now),
    ]);
    const { res, body } = await status({ "If-None-Match": before.res.headers.get("etag")! });
    expect(res.status).toBe(200);
    expect(body.delivery).toEqual({ pending: 2, failing_subscriptions: 2, disabled_subscriptions: 1 });
    expect(body.reasons).toContain("2 webhook subscriptions are failing or disabled");
  });

  it("links the other read-side documents", async () => {
    const { body } = await status();
    expect(body.links).toEqual({
      html: "http://pledgewatch.test/",
      rss: "http://pledgewatch.test/feed.xml",
      atom: "http://pledgewatch.test/feed.atom",
      json_feed: "http://pledgewatch.test/feed.json",
      calendar: "http://pledgewatch.test/calendar.ics",
      openapi: "http://pledgewatch.test/openapi.json",
    });
  });

  it("answers 304 to a matching validator without building, and changes the validator when data, sweep or clock move", async () => {
    const first = await status();
    const etag = first.res.headers.get("etag")!;
    expect(etag).toMatch(/^W\/"status-[0-9a-f]{16}"$/);
    expect(first.res.headers.get("cache-control")).toBe("public, max-age=30, must-revalidate");
    expect(first.res.headers.get("access-control-allow-origin")).toBe("*");
    const builds = buildCounter.count;
    const again = await status({ "If-None-Match": etag });
    expect(again.res.status).toBe(304);
    expect(buildCounter.count).toBe(builds);
    expect((await status({ "If-Modified-Since": first.res.headers.get("last-modified")! })).res.status).toBe(304);

    await insertSweepRun({ startedAt: Date.now(), finishedAt: Date.now() });
    const afterSweep = await status({ "If-None-Match": etag });
    expect(afterSweep.res.status).toBe(200);
    const etag2 = afterSweep.res.headers.get("etag")!;

    await call("POST", `/api/v1/commitments/${ids.dueSoon}/status`, { body: { status: "in_progress" } });
    const afterWrite = await status({ "If-None-Match": etag2 });
    expect(afterWrite.res.status).toBe(200);
    expect(afterWrite.body.counts.by_status.in_progress).toBe(2);
  });
});

describe("status rules with a fixed clock", () => {
  it("moves commitments from on track to overdue as time passes (the domain takes `now`)", async () => {
    const later = Date.now() + 200 * DAY_MS;
    const probe = await probeStatus(db(), later, WINDOW);
    const doc = await statusDocument(db(), probe, { now: later, windowMs: WINDOW, sweepPeriodMinutes: 5, base: "https://pw.example" });
    expect(doc.counts.by_timeliness.on_track).toBe(0);
    expect(doc.counts.by_timeliness.due_soon).toBe(0);
    expect(doc.counts.by_timeliness.overdue).toBe(5);
    expect(doc.next_deadlines).toEqual([]);
    expect(doc.last_sweep?.stale).toBe(true);
    expect(doc.indicator).toBe("degraded");
    expect(doc.overdue.every((o) => o.link.startsWith("https://pw.example/commitments/"))).toBe(true);
  });

  it("judges the sweep: never, running, ok, stale after 3 periods, failed", () => {
    const now = 1_000_000_000_000;
    const run = (startedAt: number, finishedAt: number | null, error: string | null = null) => ({ id: 1, scheduledAt: startedAt, startedAt, finishedAt, dueSoon: 0, overdue: 0, error });
    expect(sweepState(null, now, 5)).toBe("never");
    expect(sweepState(run(now - 1000, null), now, 5)).toBe("running");
    expect(sweepState(run(now - 1000, now - 500), now, 5)).toBe("ok");
    expect(sweepState(run(now - 15 * 60_000, now - 14 * 60_000), now, 5)).toBe("ok");
    expect(sweepState(run(now - 15 * 60_000 - 1, now - 14 * 60_000), now, 5)).toBe("stale");
    expect(sweepState(run(now - 20 * 60_000, null), now, 5)).toBe("stale");
    expect(sweepState(run(now - 1000, now - 500, "boom"), now, 5)).toBe("failed");
    expect(sweepState(run(now - 50 * 60_000, now - 49 * 60_000), now, 60)).toBe("ok");
  });

  it("reads the counts through indexes, never a full scan of commitments", async () => {
    const now = Date.now();
    const plans = [
      `SELECT count(*) FROM commitments WHERE closed_at IS NULL AND overdue_at < ${now}`,
      `SELECT count(*) FROM commitments WHERE closed_at IS NULL AND due_at > ${now}`,
      `SELECT count(*) FROM commitments WHERE closed_at IS NULL AND due_at IS NULL`,
      `SELECT min(overdue_at) FROM commitments WHERE closed_at IS NULL AND overdue_at >= ${now}`,
      `SELECT max(due_at) FROM commitments WHERE closed_at IS NULL AND due_at <= ${now}`,
      "SELECT status, count(*) FROM commitments GROUP BY status",
      "SELECT count(*) FROM commitments WHERE closed_at IS NULL",
      "SELECT count(*) FROM commitments WHERE status IN ('fulfilled', 'partially_fulfilled') AND overdue_at IS NOT NULL AND status_changed_at > overdue_at",
      // The rowid table read from its end: one row.
      "SELECT seq FROM events ORDER BY seq DESC LIMIT 1",
      "SELECT count(*) FROM deliveries WHERE state = 'pending'",
    ];
    for (const q of plans) {
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q}`).all<{ detail: string }>();
      const detail = results.map((r) => r.detail).join(" | ");
      expect(detail, q).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|SCAN events/);
      expect(detail, q).not.toMatch(/SCAN commitments(?! USING)/);
      expect(detail, q).not.toMatch(/SCAN deliveries(?! USING)/);
    }
  });
});

describe("the status probe cache", () => {
  it("reuses the version probe for up to a second, then sees new data", async () => {
    const probedAt = Date.now();
    const first = await status();
    await insertSweepRun({ startedAt: Date.now(), finishedAt: Date.now(), error: "later failure" });
    // Within the TTL the same isolate answers from its cached probe: same validator, no query.
    // (On a machine so slow that the TTL has passed, the new run is seen instead: also right.)
    const cached = await get("/status.json", { "If-None-Match": first.res.headers.get("etag")! });
    expect(cached.status).toBe(Date.now() - probedAt < STATUS_PROBE_TTL_MS ? 304 : 200);
    expect(STATUS_PROBE_TTL_MS).toBeLessThanOrEqual(1000);
    const fresh = await status();
    expect(fresh.body.last_sweep.error).toBe("later failure");
  });
});

describe("/healthz", () => {
  it("answers application/health+json, never cached, warn while the sweep is late or failed", async () => {
    const res = await get("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/health+json");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as any;
    expect(["pass", "warn"]).toContain(body.status);
    expect(body.checks["database:responseTime"][0].status).toBe("pass");
    expect(body.checks["sweep:lastRun"][0].observedUnit).toBe("s");
  });

  it("passes right after a successful sweep and warns after a failed one", async () => {
    await insertSweepRun({ startedAt: Date.now(), finishedAt: Date.now() });
    expect(((await (await get("/healthz")).json()) as any).status).toBe("pass");
    await insertSweepRun({ startedAt: Date.now(), finishedAt: Date.now(), error: "boom" });
    const body = (await (await get("/healthz")).json()) as any;
    expect(body.status).toBe("warn");
    expect(body.output).toBe("overdue sweep: failed");
  });

  it("has no benchmark route in the production app (bench/bench.entry.ts adds it)", async () => {
    const res = await get("/__bench/constant");
    expect(res.status).toBe(404);
  });
});
