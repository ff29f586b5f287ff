#!/usr/bin/env node
/**
 * npm run soak: a bounded mixed load on the real worker under `wrangler dev` (loopback only),
 * then a consistency check. Fixed request budgets AND a time bound; everything stops by itself.
 *
 * Load (SOAK_SECONDS, default 60):
 *  - 4 readers: /status.json, /feed.xml, /feed.json, /api/v1/commitments (plain and
 *    ?timeliness=overdue), /api/v1/commitments/:id/events — at most SOAK_READS requests;
 *  - 2 writers: status changes on their own half of the commitments (so no two writers race on
 *    one row) — at most SOAK_WRITES changes;
 *  - a sweep every 5 s; deadlines of 60 commitments pass during the run, so sweeps find work;
 *  - a flaky receiver (30% 500s at random, at most 3 in a row per id) subscribed to status
 *    changes and overdue events, and a steady one filtered to one agreement's status changes.
 * Check: every status change answered 200 has exactly one commitment.status_changed event (same
 * from/to, same order); every commitment past its deadline has exactly one commitment.overdue;
 * each subscription received exactly the events that match it (after dedup by webhook-id), every
 * signature verifies; no 5xx; no errors in the wrangler log. Exit code 1 on any violation.
 */
import { Webhook } from "standardwebhooks";
import { startReceiver, startWorker } from "./harness.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const MAX_READS = Number(process.env.SOAK_READS ?? 20_000);
const MAX_WRITES = Number(process.env.SOAK_WRITES ?? 3_000);
const COMMITMENTS = 120;
const OPEN = ["not_started", "in_progress", "stalled"];

const started = performance.now();
const log = (...a) => console.log(`[soak ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs, p) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))].toFixed(1));
};

const problems = [];
const fail = (msg) => {
  problems.push(msg);
  console.error(`VIOLATION: ${msg}`);
};

const flaky = await startReceiver();
const steady = await startReceiver();
const flakyFailures = new Map();
flaky.respond = (hook, _req, res) => {
  const n = flakyFailures.get(hook.id) ?? 0;
  if (n < 3 && Math.random() < 0.3) {
    flakyFailures.set(hook.id, n + 1);
    res.statusCode = 500;
    return res.end("flaky");
  }
  res.statusCode = 204;
  res.end();
};

const worker = await startWorker({
  vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "true", WEBHOOK_RETRY_SCHEDULE: "1,1,1,1,1,1", WEBHOOK_TIMEOUT_SECONDS: "3" },
});

try {
  // Setup: two agreements, 120 commitments; 60 of them pass their deadline during the run.
  const flakySub = await worker.api("POST", "/api/v1/subscriptions", { url: flaky.url, event_types: ["commitment.status_changed", "commitment.overdue"] });
  const agreements = ["soak-a", "soak-b"];
  for (const id of agreements) {
    const r = await worker.api("POST", "/api/v1/agreements", { id, title: `Soak agreement ${id}`, kind: "memorandum", signed_on: "2026-01-01" });
    if (r.status !== 201) throw new Error(`setup: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const steadySub = await worker.api("POST", "/api/v1/subscriptions", { url: steady.url, event_types: ["commitment.status_changed"], agreements: ["soak-a"] });
  if (flakySub.status !== 201 || steadySub.status !== 201) throw new Error("setup: subscriptions");
  const loadStart = Date.now();
  const commitments = [];
  for (let i = 0; i < COMMITMENTS; i++) {
    const passes = i % 2 === 0;
    const dueAt = passes ? new Date(loadStart + 5_000 + Math.floor((i / COMMITMENTS) * (SECONDS - 15) * 1000)) : new Date(loadStart + 400 * 86_400_000);
    const body = { id: `soak-c${i}`, agreement: agreements[i % 2], title: `Soak commitment ${i}`, deadline: { due_at: dueAt.toISOString() }, tags: [`t${i % 5}`] };
    const r = await worker.api("POST", "/api/v1/commitments", body);
    if (r.status !== 201) throw new Error(`setup: ${r.status} ${JSON.stringify(r.body)}`);
    commitments.push({ id: body.id, agreement: body.agreement, dueAt: dueAt.getTime(), status: "not_started", changes: [] });
  }
  log(`setup done: ${COMMITMENTS} commitments, 2 subscriptions`);

  const deadline = performance.now() + SECONDS * 1000;
  const stats = { reads: 0, writes: 0, conflicts: 0, sweeps: 0, fiveXX: 0, other4xx: 0, readMs: {}, writeMs: [], sweepMs: [] };
  const readPaths = [
    "/status.json",
    "/feed.xml",
    "/feed.json?limit=100",
    "/api/v1/commitments?limit=50",
    "/api/v1/commitments?timeliness=overdue&limit=50",
    "/feed.atom?agreement=soak-a",
  ];
  let readBudget = MAX_READS;
  let writeBudget = MAX_WRITES;

  async function reader(k) {
    let i = k;
    while (performance.now() < deadline && readBudget-- > 0) {
      const path = i % 7 === 6 ? `/api/v1/commitments/soak-c${i % COMMITMENTS}/events` : readPaths[i % readPaths.length];
      const key = path.split("?")[0].replace(/soak-c\d+/, ":id");
      i++;
      const t = performance.now();
      const res = await fetch(`${worker.url}${path}`, { headers: { authorization: `Bearer ${worker.adminToken}` } });
      await res.arrayBuffer();
      (stats.readMs[key] ??= []).push(performance.now() - t);
      stats.reads++;
      if (res.status >= 500) {
        stats.fiveXX++;
        fail(`GET ${path} -> ${res.status}`);
      }
    }
  }

  async function writer(k) {
    const mine = commitments.filter((_, i) => i % 2 === k);
    let i = 0;
    while (performance.now() < deadline && writeBudget-- > 0) {
      const c = mine[i++ % mine.length];
      const next = OPEN.filter((s) => s !== c.status)[Math.floor(Math.random() * 2)];
      const t = performance.now();
      const res = await worker.api("POST", `/api/v1/commitments/${c.id}/status`, { status: next, note: `soak ${i}` });
      stats.writeMs.push(performance.now() - t);
      stats.writes++;
      if (res.status === 200) {
        c.changes.push([c.status, next]);
        c.status = next;
      } else if (res.status === 409) stats.conflicts++;
      else if (res.status >= 500) {
        stats.fiveXX++;
        fail(`status change ${c.id} -> ${res.status} ${JSON.stringify(res.body)}`);
      } else {
        stats.other4xx++;
        fail(`status change ${c.id} -> ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
  }

  async function sweeper() {
    while (performance.now() < deadline) {
      const t = performance.now();
      await worker.sweep(Date.now());
      stats.sweepMs.push(performance.now() - t);
      stats.sweeps++;
      await sleep(Math.max(0, Math.min(5000 - (performance.now() - t), deadline - performance.now())));
    }
  }

  await Promise.all([reader(0), reader(1), reader(2), reader(3), writer(0), writer(1), sweeper()]);
  const loadSeconds = (Date.now() - loadStart) / 1000;
  // One last sweep after every deadline in the run has passed.
  await worker.sweep(Date.now());
  log(`load done: ${stats.reads} reads, ${stats.writes} writes, ${stats.sweeps} sweeps in ${loadSeconds.toFixed(0)} s`);

  // Expected events, as the history records them.
  const history = new Map();
  for (const c of commitments) {
    const page = await worker.api("GET", `/api/v1/commitments/${c.id}/events?limit=200`);
    const items = [...page.body.items].reverse();
    let cursor = page.body.next_cursor;
    while (cursor) {
      const more = await worker.api("GET", `/api/v1/commitments/${c.id}/events?limit=200&cursor=${cursor}`);
      items.unshift(...[...more.body.items].reverse());
      cursor = more.body.next_cursor;
    }
    history.set(c.id, items);
  }
  const all = [...history.values()].flat();
  const expectFlaky = new Set(all.filter((e) => e.type === "commitment.status_changed" || e.type === "commitment.overdue").map((e) => e.id));
  const expectSteady = new Set(all.filter((e) => e.type === "commitment.status_changed" && e.agreement === "soak-a").map((e) => e.id));

  // Drain: bounded wait for every expected webhook.
  const drainStart = performance.now();
  const uniq = (r) => new Set(r.received.map((h) => h.id));
  while (performance.now() - drainStart < 120_000) {
    const f = uniq(flaky);
    const s = uniq(steady);
    if ([...expectFlaky].every((id) => f.has(id)) && [...expectSteady].every((id) => s.has(id))) break;
    await sleep(500);
  }
  await sleep(2000); // late duplicates, if any, would arrive now
  const drainSeconds = (performance.now() - drainStart) / 1000;

  // 1. Every status change has exactly one history event, in order.
  for (const c of commitments) {
    const recorded = history.get(c.id).filter((e) => e.type === "commitment.status_changed").map((e) => [e.from, e.to]);
    if (JSON.stringify(recorded) !== JSON.stringify(c.changes)) {
      fail(`${c.id}: ${c.changes.length} status changes answered 200 but ${recorded.length} status_changed events (or a different order)`);
    }
    const overdue = history.get(c.id).filter((e) => e.type === "commitment.overdue").length;
    // Overdue once: a deadline passed before the last sweep, and the commitment was open (writers never close one).
    const due = c.dueAt < loadStart + loadSeconds * 1000 ? 1 : 0;
    if (overdue !== due) fail(`${c.id}: ${overdue} overdue events, expected ${due}`);
  }
  // 2. Each subscription received exactly its matching events (after dedup), all verified.
  const check = (name, receiver, secret, expected) => {
    const got = new Map();
    for (const h of receiver.received) {
      try {
        new Webhook(secret).verify(h.body, { "webhook-id": h.id, "webhook-timestamp": h.timestamp, "webhook-signature": h.signature });
      } catch {
        fail(`${name}: a webhook failed verification (${h.id})`);
      }
      got.set(h.id, (got.get(h.id) ?? 0) + 1);
    }
    const missing = [...expected].filter((id) => !got.has(id));
    const extra = [...got.keys()].filter((id) => !expected.has(id));
    if (missing.length) fail(`${name}: ${missing.length} matching events never delivered (e.g. ${missing[0]})`);
    if (extra.length) fail(`${name}: ${extra.length} deliveries of events that do not match (e.g. ${extra[0]})`);
    return { expected: expected.size, unique: got.size, requests: receiver.received.length, redelivered: receiver.received.length - got.size };
  };
  const flakyResult = check("flaky receiver", flaky, flakySub.body.secret, expectFlaky);
  const steadyResult = check("steady receiver", steady, steadySub.body.secret, expectSteady);
  if (steadyResult.redelivered > 0) fail(`steady receiver: ${steadyResult.redelivered} duplicate deliveries to a receiver that never failed`);
  // 3. No errors in the worker's log.
  const errors = worker.log.filter((l) => /✘|\[ERROR\]|Uncaught|unhandled|internal error|failed; retrying|enqueue after commit failed/i.test(l));
  for (const e of errors.slice(0, 5)) fail(`wrangler log: ${e}`);

  const figures = {
    seconds: Number(loadSeconds.toFixed(1)),
    reads: stats.reads,
    readsPerSecond: Number((stats.reads / loadSeconds).toFixed(1)),
    readLatencyMs: Object.fromEntries(Object.entries(stats.readMs).map(([k, xs]) => [k, { n: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99) }])),
    statusChanges: stats.writes,
    writeLatencyMs: { p50: percentile(stats.writeMs, 50), p99: percentile(stats.writeMs, 99) },
    conflicts: stats.conflicts,
    sweeps: stats.sweeps + 1,
    sweepMs: { p50: percentile(stats.sweepMs, 50), max: percentile(stats.sweepMs, 100) },
    overdueEvents: all.filter((e) => e.type === "commitment.overdue").length,
    flakyReceiver: flakyResult,
    steadyReceiver: steadyResult,
    drainSecondsAfterLoad: Number(drainSeconds.toFixed(1)),
    fiveXX: stats.fiveXX,
    logErrors: errors.length,
    violations: problems.length,
  };
  console.log(JSON.stringify(figures, null, 2));
  console.log(problems.length === 0 ? "soak: consistent" : `soak: ${problems.length} violations`);
  process.exitCode = problems.length === 0 ? 0 : 1;
} finally {
  await worker.stop();
  await flaky.close();
  await steady.close();
}
