#!/usr/bin/env node
/**
 * npm run bench: the benchmark suite of issue 5. Runs the real worker under `wrangler dev`
 * (workerd, local D1 and Queues) on loopback, seeds its own data straight into the local D1,
 * prints a table and writes bench/results.json. Every figure that matters is a RATIO of two
 * measurements taken side by side in this run; absolute times are printed for context only.
 *
 *  1. sweep scaling: 1k vs 100k commitments not due (alternating sweeps on two workers);
 *     a 10k-overdue burst against 50 subscriptions: queries, sendBatch calls, fan-out, drain rate
 *  2. GET /status.json at 100k vs GET /__bench/constant (autocannon, 1 connection)
 *  3. GET /feed.xml: built (memo miss) vs memoised 200 vs conditional 304 vs constant
 *  4. one event to 1,000 subscriptions (each signature verified) vs a Node fetch loop, both at 6
 *  5. gzip size of `wrangler deploy --dry-run`
 *  6. import: 1,000 commitments each depending on the 50 before vs 1,000 independent (BENCH_ONLY=import)
 *  7. editor: a signed-in commitment page, its edit form and the signed-in public page vs the public page at 100k (BENCH_ONLY=editor)
 *  8. websub: one change to 1,000 WebSub subscribers (each X-Hub-Signature verified) vs the same
 *     change to 1,000 webhook subscriptions (each Standard Webhooks signature verified), two
 *     workers side by side, runs alternating (BENCH_ONLY=websub)
 *  9. drafts: POST /api/v1/drafts with the seed statement vs the constant route, and the
 *     extractor's CPU time per KB (seed vs 100 KB) (BENCH_ONLY=drafts)
 * 10. parties: a party's page (200 commitments) in a ledger of 1k vs 100k (BENCH_ONLY=parties)
 * 11. watch: the evidence watch matching 1,000 new items against 1k vs 100k commitments
 *     (bench/watch.mjs, node:sqlite) (BENCH_ONLY=watch); 1,000 due sources polled through the
 *     cron and the polls queue from a loopback server (BENCH_ONLY=polls)
 * 12. reminders: a sweep with 20 subscriptions asking remind_every vs the same paused, and 20
 *     active without it, 10k overdue (BENCH_ONLY=reminders)
 *
 * Bounded: every wait has a deadline; the drain of the burst is measured over BENCH_DRAIN_SECONDS
 * (default 720 s) and extrapolated only if 500,000 deliveries cannot finish in that window.
 * Only 127.0.0.1 is ever contacted.
 */
import { spawnSync } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem, tmpdir, release } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Webhook } from "standardwebhooks";
import { ROOT, quietEnv, startWorker } from "../e2e/harness.ts";
import { cannon, deliveryProfiles, groupCpuSeconds, median, openD1, perDelivery, pollUntil, round, sleep, startCountingReceiver, tableBytes } from "./lib.mjs";
import { executeFile, migrate, newSecret, seed } from "./seed.mjs";
import { pollBench, watchBench } from "./watch.mjs";

const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 720);
const AC_SECONDS = Number(process.env.BENCH_AUTOCANNON_SECONDS ?? 4);
const ROUNDS = 3;
const SWEEPS = 10;
const IMPORT_RECORDS = Number(process.env.BENCH_IMPORT_RECORDS ?? 1000);

const work = mkdtempSync(join(tmpdir(), "pledgewatch-bench-"));
const started = performance.now();
const workers = [];
const receivers = [];
const results = {
  ranAt: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    kernel: release(),
    wrangler: JSON.parse(readFileSync(join(ROOT, "node_modules", "wrangler", "package.json"), "utf8")).version,
  },
  settings: { drainSeconds: DRAIN_SECONDS, autocannonSeconds: AC_SECONDS, autocannonConnections: 1, rounds: ROUNDS },
};
const rows = [];
const log = (...a) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...a);

function addRow(figure, measured, baseline, ratio, target, note) {
  rows.push({ figure, measured, baseline, ratio: ratio === null ? "" : `${round(ratio, 2)}x`, target, note });
}

async function newDatabase(name, options) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  migrate(dir);
  const seconds = seed(dir, options);
  log(`seeded ${name}: ${options.commitments} commitments in ${seconds.toFixed(1)} s`);
  return dir;
}

async function boot(persistDir, vars = {}) {
  const w = await startWorker({
    persistDir,
    vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "true", ...vars },
    // The bench's own entry (the worker plus its baseline route). An option ends the `--var` list.
    args: ["--local-protocol", "http", "bench/bench.entry.ts"],
  });
  workers.push(w);
  return w;
}

async function timedSweep(w, time = Date.now()) {
  const t = performance.now();
  await w.sweep(time);
  return performance.now() - t;
}

const lastRun = (dir) => {
  const db = openD1(dir);
  try {
    return db.get("SELECT * FROM sweep_runs ORDER BY id DESC LIMIT 1");
  } finally {
    db.close();
  }
};

// ---------------------------------------------------------------------------------------------
// 1a. Sweep scaling: 1k vs 100k, nothing due; the same mix (2% overdue already announced, 3% due
//     soon already announced, 5% done, the rest 60-420 days out).
// ---------------------------------------------------------------------------------------------
async function sweepScaling() {
  const now = Date.now();
  const mix = (n) => ({ now, commitments: n, overdue: n * 0.02, overdueAnnounced: true, dueSoon: n * 0.03, done: n * 0.05 });
  const dirSmall = await newDatabase("small-1k", mix(1000));
  const dirLarge = await newDatabase("large-100k", mix(100_000));
  const small = await boot(dirSmall);
  const large = await boot(dirLarge);
  for (const w of [small, large]) for (let i = 0; i < 2; i++) await timedSweep(w);
  const times = { small: [], large: [] };
  for (let i = 0; i < SWEEPS; i++) {
    times.small.push(await timedSweep(small));
    times.large.push(await timedSweep(large));
  }
  const runSmall = lastRun(dirSmall);
  const runLarge = lastRun(dirLarge);
  const ms = { small: median(times.small), large: median(times.large) };
  results.sweepScaling = {
    sweepsEach: SWEEPS,
    medianMs: { "1k": round(ms.small), "100k": round(ms.large) },
    ratio: round(ms.large / ms.small, 3),
    queries: { "1k": runSmall.queries, "100k": runLarge.queries },
    findings: { "1k": runSmall.overdue + runSmall.due_soon, "100k": runLarge.overdue + runLarge.due_soon },
  };
  addRow("sweep, nothing due: 100k vs 1k", `${round(ms.large, 1)} ms`, `${round(ms.small, 1)} ms`, ms.large / ms.small, "~1x",
    `median of ${SWEEPS} alternating sweeps; ${runLarge.queries} vs ${runSmall.queries} D1 queries`);
  log("sweep scaling", results.sweepScaling);
  await small.stop();
  return { large, dirLarge };
}

// ---------------------------------------------------------------------------------------------
// 2 + 3. status.json and feed.xml at 100k vs the constant route, one connection, alternating.
// ---------------------------------------------------------------------------------------------
async function readPaths(w, dir) {
  const first = async (path, headers = {}) => {
    const t = performance.now();
    const res = await fetch(`${w.url}${path}`, { headers });
    await res.arrayBuffer();
    return { ms: performance.now() - t, status: res.status, etag: res.headers.get("etag") };
  };
  // First (cold: builds the document) requests, for context.
  const coldStatus = await first("/status.json");
  const coldFeed = await first("/feed.xml");
  const feedEtag = coldFeed.etag;
  const statusEtag = coldStatus.etag;
  const targets = {
    constant: { url: `${w.url}/__bench/constant` },
    status: { url: `${w.url}/status.json` },
    status304: { url: `${w.url}/status.json`, headers: { "if-none-match": statusEtag } },
    feedBuilt: {
      url: w.url,
      // 100 distinct representations cycled through a 64-entry memo: every request builds.
      requests: Array.from({ length: 100 }, (_, i) => ({ method: "GET", path: `/feed.xml?limit=${101 + i}` })),
    },
    feed: { url: `${w.url}/feed.xml` },
    feed304: { url: `${w.url}/feed.xml`, headers: { "if-none-match": feedEtag } },
  };
  const runs = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, t] of Object.entries(targets)) {
      const res = await cannon({ ...t, duration: AC_SECONDS, connections: 1 });
      runs[name].push(res);
      log(`autocannon ${name} round ${r + 1}: p50 ${res.p50} ms p99 ${res.p99} ms ${round(res.rps, 0)} req/s non2xx ${res.non2xx}`);
    }
  }
  const agg = (name) => {
    const rs = runs[name];
    return {
      p50: median(rs.map((x) => x.p50)),
      p99: median(rs.map((x) => x.p99)),
      mean: median(rs.map((x) => x.mean)),
      rps: median(rs.map((x) => x.rps)),
      requests: rs.reduce((s, x) => s + x.requests, 0),
      non2xx: rs.reduce((s, x) => s + x.non2xx, 0),
      errors: rs.reduce((s, x) => s + x.errors, 0),
    };
  };
  const a = Object.fromEntries(Object.keys(targets).map((k) => [k, agg(k)]));
  const c = a.constant;
  // autocannon reports whole milliseconds; compare means too, which resolve finer.
  results.status = {
    commitments: 100_000,
    coldFirstRequestMs: round(coldStatus.ms),
    constant: c,
    status: a.status,
    status304: a.status304,
    ratioP50: round(a.status.p50 / c.p50, 2),
    ratioP99: round(a.status.p99 / c.p99, 2),
    ratioMean: round(a.status.mean / c.mean, 2),
  };
  results.feeds = {
    coldFirstRequestMs: round(coldFeed.ms),
    built: a.feedBuilt,
    memoised: a.feed,
    notModified: a.feed304,
    constant: c,
    ratioMeanBuilt: round(a.feedBuilt.mean / c.mean, 2),
    ratioMeanMemoised: round(a.feed.mean / c.mean, 2),
    ratioMean304: round(a.feed304.mean / c.mean, 2),
  };
  const lat = (x) => `p50 ${x.p50} / p99 ${x.p99} ms (mean ${round(x.mean, 2)})`;
  addRow("GET /status.json (100k) vs constant: p50", lat(a.status), lat(c), a.status.p50 / c.p50, "<= 1.5x",
    `p99 ratio ${round(a.status.p99 / c.p99, 2)}x, mean ratio ${round(a.status.mean / c.mean, 2)}x; cold first build ${round(coldStatus.ms, 0)} ms`);
  addRow("GET /status.json 304 vs constant", lat(a.status304), lat(c), a.status304.mean / c.mean, "", "mean ratio");
  addRow("GET /feed.xml built (memo miss) vs constant", lat(a.feedBuilt), lat(c), a.feedBuilt.mean / c.mean, "", "101-200 items per feed, mean ratio");
  addRow("GET /feed.xml 200 (memoised) vs constant", lat(a.feed), lat(c), a.feed.mean / c.mean, "", "mean ratio");
  addRow("GET /feed.xml 304 vs constant", lat(a.feed304), lat(c), a.feed304.mean / c.mean, "", "mean ratio");
  for (const [k, v] of Object.entries(a)) {
    if (v.errors > 0) log(`WARNING: ${k} had ${v.errors} errors`);
    if (v.non2xx > 0 && !k.endsWith("304")) log(`WARNING: ${k} had ${v.non2xx} non-2xx answers`);
  }
  // Capacity: bytes per commitment and per event at 100k (dbstat over the live file).
  const bytes = tableBytes(dir);
  const sum = (names) => names.reduce((s, n) => s + (bytes[n] ?? 0), 0);
  const commitmentNames = Object.keys(bytes).filter((n) => n === "commitments" || n.startsWith("commitments_") || n === "sqlite_autoindex_commitments_1");
  const eventNames = Object.keys(bytes).filter((n) => n === "events" || n.startsWith("events_") || n === "outbox" || n === "sqlite_autoindex_outbox_1" || n === "outbox_pending");
  results.capacity = {
    ...(results.capacity ?? {}),
    bytesPerCommitment: round(sum(commitmentNames) / 100_000, 0),
    bytesPerEvent: round(sum(eventNames) / 100_000, 0),
    commitmentObjects: commitmentNames,
    eventObjects: eventNames,
    databaseBytes100k: Object.values(bytes).reduce((s, n) => s + n, 0),
  };
  log("capacity", results.capacity);
}

// ---------------------------------------------------------------------------------------------
// 4. Fan-out: one event to 1,000 subscriptions, every signature verified at the receiver, vs a
//    plain Node fetch loop (concurrency 6) sending equally signed bodies to the same receiver.
// ---------------------------------------------------------------------------------------------
async function fanout() {
  const N = 1000;
  const secrets = new Map(Array.from({ length: N }, (_, i) => [`s${i}`, newSecret()]));
  const receiver = await startCountingReceiver({ secrets });
  receivers.push(receiver);
  const dir = await newDatabase("fanout-1000", {
    now: Date.now(),
    commitments: 10,
    subscriptions: [...secrets].map(([name, secret], i) => ({ id: `sub_bench${String(i).padStart(5, "0")}`, url: receiver.url(name), secret })),
  });
  const w = await boot(dir, { DELIVERY_PROFILE: "true" });
  // Warm the consumer: a subscription.test event to one subscription.
  await w.api("POST", "/api/v1/subscriptions/sub_bench00000/test");
  await pollUntil(() => receiver.stats.unique >= 1, 30_000);
  const runs = [];
  const baseline = [];
  const workerRun = async (status) => {
    receiver.reset();
    const logFrom = w.log.length;
    const cpu0 = { worker: groupCpuSeconds(w.pid), bench: process.cpuUsage() };
    const t0 = performance.now();
    const res = await w.api("POST", "/api/v1/commitments/bc-000001/status", { status });
    if (res.status !== 200) throw new Error(`status change failed: ${res.status} ${JSON.stringify(res.body)}`);
    const done = await pollUntil(() => receiver.stats.unique >= N, 60_000, 100);
    const seconds = ((done ? receiver.stats.lastAt : performance.now()) - t0) / 1000;
    await sleep(300); // the last invocation's profile line
    const profiles = deliveryProfiles(w.log, logFrom);
    const benchCpu = process.cpuUsage(cpu0.bench);
    const cpu = {
      workerMsPerDelivery: round(((groupCpuSeconds(w.pid) - cpu0.worker) * 1000) / N, 3),
      receiverMsPerDelivery: round((benchCpu.user + benchCpu.system) / 1000 / N, 3),
    };
    const insideMs = profiles.reduce((sum, p) => sum + p.wallMs, 0);
    runs.push({
      complete: !!done, delivered: receiver.stats.unique, seconds: round(seconds, 3), perSecond: round(receiver.stats.unique / seconds, 1),
      badSignatures: receiver.stats.badSignatures, duplicates: receiver.stats.duplicates, connections: receiver.stats.connections,
      // Per delivery, from the consumer's own profile lines and /proc.
      profile: { ...perDelivery(profiles), ...cpu, outsideInvocationsMs: round(seconds * 1000 - insideMs, 0) },
    });
    // Let a stalled run finish (or not) before the next one starts, so runs do not overlap.
    if (!done) await pollUntil(() => receiver.stats.unique >= N, 30_000, 500);
    log("fan-out run", runs.at(-1));
  };
  // The baseline: the same receiver, 1,000 signed POSTs from Node at concurrency 6.
  const body = JSON.stringify({
    type: "commitment.status_changed",
    timestamp: new Date().toISOString(),
    data: { padding: "x".repeat(1400) },
  });
  const nodeRun = async (r) => {
    receiver.reset();
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const names = [...secrets.keys()];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < N) {
          const i = next++;
          const name = names[i];
          const id = `msg_baseline_${r}_${i}`;
          const ts = new Date();
          const signature = new Webhook(secrets.get(name)).sign(id, ts, body);
          const res = await fetch(receiver.url(name), {
            method: "POST",
            headers: { "content-type": "application/json", "webhook-id": id, "webhook-timestamp": String(Math.floor(ts / 1000)), "webhook-signature": signature },
            body,
            signal: AbortSignal.timeout(15_000),
          });
          await res.arrayBuffer();
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    if (r === 0) return;
    const cpu = process.cpuUsage(cpu0);
    baseline.push({
      connections: receiver.stats.connections,
      delivered: receiver.stats.unique, seconds: round(seconds, 3), perSecond: round(receiver.stats.unique / seconds, 1), badSignatures: receiver.stats.badSignatures,
      // Sender and receiver share this process: their CPU together, per delivery.
      senderAndReceiverCpuMsPerDelivery: round((cpu.user + cpu.system) / 1000 / N, 3),
    });
    log("baseline run", baseline.at(-1));
  };
  // Round 0 warms Node's fetch (connections, JIT) as the test event warmed the worker; not counted.
  // Then worker and Node runs alternate, so both see the same machine.
  await nodeRun(0);
  for (const [i, status] of ["in_progress", "stalled", "in_progress"].entries()) {
    await workerRun(status);
    await nodeRun(i + 1);
  }
  const complete = runs.filter((r) => r.complete);
  const worker = complete.length > 0 ? median(complete.map((r) => r.perSecond)) : median(runs.map((r) => r.perSecond));
  const node = median(baseline.map((r) => r.perSecond));
  const pairRatios = runs.map((r, i) => round(r.perSecond / baseline[i].perSecond, 2));
  results.fanout = { subscriptions: N, worker: runs, nodeLoop: baseline, workerPerSecond: worker, nodePerSecond: node, ratio: round(worker / node, 3), pairRatios, concurrency: 6 };
  const pick = (k) => median(runs.map((r) => r.profile[k]));
  addRow("fan-out: per delivery (median of the 3 runs)", `${pick("wallMs")} ms in an invocation`, "", null, "",
    `${pick("d1Queries")} D1 statements, ${pick("d1RowsWritten")} rows written, D1 wait ${pick("d1WaitMs")} ms, queue wait ${pick("queueWaitMs")} ms, ` +
    `receiver ${pick("receiverMs")} ms (over 6 connections), workerd CPU ${pick("workerMsPerDelivery")} ms, ${pick("outsideInvocationsMs")} ms of the run outside invocations`);
  addRow("fan-out 1 event -> 1,000 subs (verified) vs Node fetch loop", `${worker}/s`, `${node}/s`, worker / node, ">= 0.9x",
    `median of ${complete.length} complete runs of 3 (API write to last verified delivery): ${runs.map((r) => `${r.perSecond}/s`).join(", ")}; Node loop ${baseline.map((r) => `${r.perSecond}/s`).join(", ")} (alternating; run by run ${pairRatios.map((x) => `${x}x`).join(", ")}); ${runs.length - complete.length} stalled past 60 s; bad signatures ${runs.reduce((s, r) => s + r.badSignatures, 0)}`);
  await w.stop();
}

// ---------------------------------------------------------------------------------------------
// 1b. Burst: 10k commitments fall overdue at once, 50 subscriptions -> 500,000 deliveries.
// ---------------------------------------------------------------------------------------------
async function burst() {
  const EVENTS = 10_000;
  const SUBS = 50;
  const TOTAL = EVENTS * SUBS;
  const receiver = await startCountingReceiver();
  receivers.push(receiver);
  const dir = await newDatabase("burst-100k", {
    now: Date.now(),
    commitments: 100_000,
    overdue: EVENTS,
    overdueAnnounced: false,
    subscriptions: Array.from({ length: SUBS }, (_, i) => ({ id: `sub_burst${String(i).padStart(3, "0")}`, url: receiver.url(`s${i}`), secret: newSecret() })),
  });
  const w = await boot(dir, { DELIVERY_PROFILE: "true" });
  const cpuAtStart = groupCpuSeconds(w.pid);
  const db = openD1(dir);
  const t0 = performance.now();
  const sweepMs = await timedSweep(w);
  const run = db.get("SELECT * FROM sweep_runs ORDER BY id DESC LIMIT 1");
  // sendBatch calls as the sweep itself recorded them (sweep_runs.send_calls).
  const sendBatchCalls = run.send_calls;
  log(`burst sweep: ${round(sweepMs, 0)} ms, overdue ${run.overdue}, outbox re-sent ${run.outbox_resent}, queries ${run.queries}, sendBatch ${sendBatchCalls}`);
  const countDeliveries = () => db.get("SELECT count(*) AS n FROM deliveries").n;
  const fannedOut = await pollUntil(() => countDeliveries() >= TOTAL, 300_000, 1000);
  const fanoutSeconds = (performance.now() - t0) / 1000;
  const deliveryRows = countDeliveries();
  log(`fan-out: ${deliveryRows} delivery rows after ${fanoutSeconds.toFixed(1)} s; delivered so far ${receiver.stats.unique}`);
  // What a read costs while ~500k deliveries are pending (status.json counts them on every probe).
  const timeGets = async (path, n) => {
    const ms = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const res = await fetch(`${w.url}${path}`);
      await res.arrayBuffer();
      ms.push(performance.now() - t);
    }
    return median(ms);
  };
  const pendingStatusMs = await timeGets("/status.json", 15);
  const pendingConstantMs = await timeGets("/__bench/constant", 15);
  log(`during the burst: /status.json ${round(pendingStatusMs, 1)} ms vs constant ${round(pendingConstantMs, 1)} ms (median of 15)`);
  // Drain, bounded: measure the rate over the window, stop early if everything arrives.
  const windowStart = performance.now();
  const startDelivered = receiver.stats.unique;
  const samples = [];
  await pollUntil(() => {
    samples.push({ t: round((performance.now() - t0) / 1000, 1), delivered: receiver.stats.unique });
    return receiver.stats.unique >= TOTAL;
  }, DRAIN_SECONDS * 1000, 2000);
  const windowSeconds = (performance.now() - windowStart) / 1000;
  const delivered = receiver.stats.unique;
  const rate = (delivered - startDelivered) / windowSeconds;
  const drained = delivered >= TOTAL;
  const totalSeconds = (performance.now() - t0) / 1000;
  const extrapolatedSeconds = drained ? totalSeconds : fanoutSeconds + (TOTAL - startDelivered) / rate;
  const states = db.all("SELECT state, count(*) AS n FROM deliveries GROUP BY state");
  // Per delivery over the whole burst (fan-out invocations included), and workerd's CPU.
  const burstProfile = { ...perDelivery(deliveryProfiles(w.log)), workerCpuMsPerDelivery: round(((groupCpuSeconds(w.pid) - cpuAtStart) * 1000) / Math.max(1, delivered), 3) };
  log("burst profile per delivery", burstProfile);
  const quotaErrors = w.log.filter((l) => /QuotaExceeded|max active timeouts/i.test(l)).length;
  const retriedMessages = w.log.filter((l) => /queue message failed; retrying/.test(l)).length;
  results.burst = {
    events: EVENTS,
    subscriptions: SUBS,
    deliveries: TOTAL,
    sweepMs: round(sweepMs, 0),
    sweep: { overdue: run.overdue, outboxResent: run.outbox_resent, queries: run.queries, sendBatchCalls, subrequests: run.queries + sendBatchCalls, error: run.error },
    fanoutSeconds: round(fanoutSeconds, 1),
    deliveryRows,
    drainWindowSeconds: round(windowSeconds, 1),
    deliveredAtEnd: delivered,
    duplicatesAtReceiver: receiver.stats.duplicates,
    deliveriesPerSecond: round(rate, 1),
    profile: burstProfile,
    drained,
    secondsToDrain: round(drained ? totalSeconds : extrapolatedSeconds, 0),
    extrapolated: !drained,
    deliveryStates: Object.fromEntries(states.map((s) => [s.state, s.n])),
    statusJsonDuringBurstMs: round(pendingStatusMs, 1),
    constantDuringBurstMs: round(pendingConstantMs, 1),
    localQueueQuotaErrors: quotaErrors,
    retriedQueueMessages: retriedMessages,
    samples,
  };
  addRow("sweep: 10k fall overdue at once (50 subs)", `${round(sweepMs, 0)} ms`, "", null, "within limits",
    `${run.queries} D1 queries (limit 1,000 paid / 50 free), ${sendBatchCalls} sendBatch calls, ${run.queries + sendBatchCalls} subrequests`);
  addRow("burst: fan-out to 500,000 delivery rows", `${round(fanoutSeconds, 1)} s`, "", null, "",
    `${deliveryRows} rows; ${EVENTS / 100} fan-out messages of 100 events`);
  addRow("burst: drain 500,000 deliveries", drained ? `${round(totalSeconds, 0)} s` : `~${round(extrapolatedSeconds / 60, 0)} min (extrapolated)`, "", null, "complete",
    `${round(rate, 0)} deliveries/s over ${round(windowSeconds, 0)} s; ${delivered} delivered, ${receiver.stats.duplicates} duplicates`);
  addRow("GET /status.json with ~500k deliveries pending vs constant", `${round(pendingStatusMs, 1)} ms`, `${round(pendingConstantMs, 1)} ms`,
    pendingStatusMs / pendingConstantMs, "<= 1.5x", "median of 15 sequential requests while the burst drains (queue consumer busy too)");
  // Capacity: bytes per delivery row (with its indexes).
  db.close();
  const bytes = tableBytes(dir);
  const deliveryNames = Object.keys(bytes).filter((n) => n === "deliveries" || n.startsWith("deliveries_") || n === "sqlite_autoindex_deliveries_1");
  const attemptNames = ["delivery_attempts", "delivery_attempts_delivery"];
  const attempts = (() => {
    const d = openD1(dir);
    try {
      return d.get("SELECT count(*) AS n FROM delivery_attempts").n;
    } finally {
      d.close();
    }
  })();
  results.capacity = {
    ...(results.capacity ?? {}),
    bytesPerDelivery: round(deliveryNames.reduce((s, n) => s + (bytes[n] ?? 0), 0) / deliveryRows, 0),
    bytesPerAttempt: attempts > 0 ? round(attemptNames.reduce((s, n) => s + (bytes[n] ?? 0), 0) / attempts, 0) : null,
  };
  log("burst", { ...results.burst, samples: undefined });
  await w.stop();
  await retention(dir, bytes, [...deliveryNames, ...attemptNames]);
}

/**
 * The delivery log's size after the burst and after retention: the same database served again
 * with a retention of ~1 s (DELIVERY_RETENTION_DAYS is in days and may be fractional), swept until
 * a run deletes nothing. Each run deletes at most 5 rounds of 1,000 (alerts/retention.repo.ts).
 */
async function retention(dir, bytesBefore, logNames) {
  const w = await boot(dir, { DELIVERY_RETENTION_DAYS: "0.00001", FAILED_DELIVERY_RETENTION_DAYS: "0.00001" });
  await sleep(1500);
  const sum = (b) => logNames.reduce((s, n) => s + (b[n] ?? 0), 0);
  const t = performance.now();
  let runs = 0;
  let pruned = 0;
  let maxQueries = 0;
  for (; runs < 400; runs++) {
    await w.sweep(Date.now());
    const d = openD1(dir);
    const run = d.get("SELECT pruned, queries FROM sweep_runs ORDER BY id DESC LIMIT 1");
    d.close();
    pruned += run.pruned;
    maxQueries = Math.max(maxQueries, run.queries);
    if (run.pruned === 0) break;
  }
  const seconds = (performance.now() - t) / 1000;
  const d = openD1(dir);
  const left = d.get("SELECT count(*) AS n FROM deliveries").n;
  const totals = d.get("SELECT sum(pruned_succeeded) AS s, sum(pruned_failed) AS f, sum(pruned_cancelled) AS c FROM subscriptions");
  d.close();
  const after = tableBytes(dir);
  results.retention = {
    logBytesAfterBurst: sum(bytesBefore),
    logBytesAfterRetention: sum(after),
    pruned,
    sweepRuns: runs + 1,
    seconds: round(seconds, 1),
    maxQueriesPerRun: maxQueries,
    deliveriesLeft: left,
    countedIntoSubscriptions: totals,
  };
  log("retention", results.retention);
  addRow("retention: delivery log after the burst vs after retention", `${round(sum(after) / 1048576, 1)} MiB`, `${round(sum(bytesBefore) / 1048576, 1)} MiB`, sum(after) / Math.max(1, sum(bytesBefore)), "",
    `${pruned} deliveries deleted in ${runs + 1} sweep runs (${round(seconds, 0)} s, at most ${maxQueries} queries a run); ${left} left (pending); totals kept per subscription`);
  await w.stop();
}

// ---------------------------------------------------------------------------------------------
// 5. Bundle size.
// ---------------------------------------------------------------------------------------------
function bundle() {
  const out = join(work, "dist");
  const r = spawnSync(join(ROOT, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", out], { cwd: ROOT, env: quietEnv, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrangler deploy --dry-run failed: ${r.stdout}\n${r.stderr}`);
  const reported = /Total Upload:\s*([\d.]+) KiB \/ gzip:\s*([\d.]+) KiB/.exec(r.stdout + r.stderr);
  const files = readdirSync(out).filter((f) => f.endsWith(".js") || f.endsWith(".mjs"));
  const raw = files.reduce((s, f) => s + readFileSync(join(out, f)).length, 0);
  const gz = files.reduce((s, f) => s + gzipSync(readFileSync(join(out, f)), { level: 9 }).length, 0);
  results.bundle = {
    files,
    rawKiB: round(raw / 1024, 1),
    gzipKiB: round(gz / 1024, 1),
    wranglerReported: reported ? { totalKiB: Number(reported[1]), gzipKiB: Number(reported[2]) } : null,
  };
  // The budget (README "Dependencies"): 512 KiB gzip unminified, a sixth of the free plan's 3 MiB.
  addRow("bundle (wrangler deploy --dry-run)", `${round(gz / 1024, 1)} KiB gzip`, "512 KiB", gz / 1024 / 512, "<= 512 KiB",
    `${round(raw / 1024, 1)} KiB raw${reported ? `; wrangler says ${reported[2]} KiB gzip` : ""}`);
  log("bundle", results.bundle);
}

function printTable() {
  const cols = ["figure", "measured", "baseline", "ratio", "target", "note"];
  const width = Object.fromEntries(cols.map((c) => [c, Math.min(70, Math.max(c.length, ...rows.map((r) => String(r[c] ?? "").length)))]));
  const line = (r) => "| " + cols.map((c) => String(r[c] ?? "").padEnd(width[c])).join(" | ") + " |";
  console.log("\n" + line(Object.fromEntries(cols.map((c) => [c, c]))));
  console.log("|" + cols.map((c) => "-".repeat(width[c] + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));
  console.log(`\nmachine: ${results.machine.cpus} x ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}, wrangler ${results.machine.wrangler}`);
}

// ---------------------------------------------------------------------------------------------
// 6. Import: 1,000 commitments each depending on the 50 before vs 1,000 independent ones. The
//    cycle check is one depth-first search over the reachable subgraph (transfer.service.ts), so
//    the chain should cost little more than the extra edge rows. Rounds alternate; fresh ids.
// ---------------------------------------------------------------------------------------------
async function importRatio() {
  const w = await startWorker();
  workers.push(w);
  const agreement = "bench-import";
  const created = await w.api("POST", "/api/v1/agreements", { id: agreement, title: "Import bench", kind: "agreement", signed_on: "2026-01-01" });
  if (created.status !== 201) throw new Error(`import bench: agreement ${created.status}`);
  const doc = (prefix, chained) => {
    const ids = Array.from({ length: IMPORT_RECORDS }, (_, k) => `${prefix}-${k}`);
    return {
      format: "pledgewatch/v1",
      commitments: ids.map((id, k) => ({
        id,
        agreement,
        title: `Step ${k}`,
        deadline: { within: "P6M" },
        depends_on: chained ? ids.slice(Math.max(0, k - 50), k) : [],
      })),
    };
  };
  const timed = async (body) => {
    const t = performance.now();
    const res = await w.api("POST", "/api/v1/import", body);
    if (res.status !== 200) throw new Error(`import bench: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return performance.now() - t;
  };
  await timed(doc("warm", false));
  const independent = [];
  const chained = [];
  for (let round = 0; round < ROUNDS; round++) {
    independent.push(await timed(doc(`ind${round}`, false)));
    chained.push(await timed(doc(`chain${round}`, true)));
  }
  const mi = median(independent);
  const mc = median(chained);
  results.importRatio = { independentMs: independent.map((x) => round(x, 0)), chainedMs: chained.map((x) => round(x, 0)) };
  log(`import: independent ${round(mi, 0)} ms, chained ${round(mc, 0)} ms`);
  addRow(`import: ${IMPORT_RECORDS} commitments each depending on the 50 before vs ${IMPORT_RECORDS} independent`, `${round(mc, 0)} ms`, `${round(mi, 0)} ms`, mc / mi, "<= 3x", mc / mi <= 3 ? "met" : "missed");
  await w.stop();
}

// ---------------------------------------------------------------------------------------------
// 7. The editor at 100k: a signed-in commitment page and its edit form vs the public page.
// ---------------------------------------------------------------------------------------------
async function editorPages(w) {
  const list = await w.api("GET", "/api/v1/commitments?limit=1");
  const id = list.body.items[0].id;
  // Sign in through the form, as a browser does (same origin), and keep the session cookie.
  const login = await fetch(`${w.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: w.url },
    body: new URLSearchParams({ token: w.adminToken, next: "/editor" }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
  if (login.status !== 303 || !cookie) throw new Error(`sign-in failed: ${login.status}`);
  const pages = {
    public: { url: `${w.url}/commitments/${id}` },
    editor: { url: `${w.url}/editor/commitments/${id}`, headers: { cookie } },
    signedInPublic: { url: `${w.url}/commitments/${id}`, headers: { cookie } },
    editForm: { url: `${w.url}/editor/commitments/${id}/edit`, headers: { cookie } },
  };
  const bytes = {};
  for (const [name, t] of Object.entries(pages)) {
    const res = await fetch(t.url, { headers: t.headers ?? {} });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${name}: ${res.status}`);
    bytes[name] = body.byteLength;
  }
  const runs = Object.fromEntries(Object.keys(pages).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, t] of Object.entries(pages)) runs[name].push(await cannon({ ...t, duration: AC_SECONDS, connections: 1 }));
  }
  const mean = (name) => median(runs[name].map((x) => x.mean));
  const [pub, ed, form, mine] = [mean("public"), mean("editor"), mean("editForm"), mean("signedInPublic")];
  results.editor = { commitments: 100_000, bytes, meanMs: { public: round(pub, 2), editor: round(ed, 2), editForm: round(form, 2), signedInPublic: round(mine, 2) } };
  log("editor pages", results.editor);
  addRow("GET /editor/commitments/:id (signed in) vs the public page, 100k", `mean ${round(ed, 2)} ms, ${bytes.editor} B`, `mean ${round(pub, 2)} ms, ${bytes.public} B`, ed / pub, "",
    `never memoised (private, no-store); page weight ${round(bytes.editor / bytes.public, 2)}x`);
  addRow("GET /editor/commitments/:id/edit (signed in) vs the public page, 100k", `mean ${round(form, 2)} ms, ${bytes.editForm} B`, `mean ${round(pub, 2)} ms, ${bytes.public} B`, form / pub, "",
    `the form lists the agreement's commitments (at most 200) to depend on; page weight ${round(bytes.editForm / bytes.public, 2)}x`);
  addRow("GET /commitments/:id signed in (the public page with its controls) vs the public page, 100k", `mean ${round(mine, 2)} ms, ${bytes.signedInPublic} B`, `mean ${round(pub, 2)} ms, ${bytes.public} B`, mine / pub, "",
    `rendered fresh for the session (no ETag, no memo); page weight ${round(bytes.signedInPublic / bytes.public, 2)}x`);
}

// ---------------------------------------------------------------------------------------------
// 8. WebSub: one status change to 1,000 WebSub subscribers of /feed.xml vs 1,000 webhook
//    subscriptions, each on its own worker (same seed), runs alternating. The 1,000 WebSub
//    subscriptions are made through the real POST /websub and intent checks.
// ---------------------------------------------------------------------------------------------
async function startWebsubReceiver(secrets) {
  const seen = new Set();
  const stats = { intents: 0, unique: 0, duplicates: 0, verified: 0, badSignatures: 0, lastAt: 0 };
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const name = url.pathname.split("/")[2] ?? "";
    if (req.method === "GET") {
      stats.intents++;
      res.writeHead(200, { "content-type": "text/plain" }).end(url.searchParams.get("hub.challenge") ?? "");
      return;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const [, hex = ""] = String(req.headers["x-hub-signature"] ?? "").split("=");
      const mac = createHmac("sha256", secrets.get(name) ?? "").update(body).digest();
      if (hex.length === 64 && timingSafeEqual(mac, Buffer.from(hex, "hex"))) stats.verified++;
      else stats.badSignatures++;
      const guid = /<guid[^>]*>([^<]*)<\/guid>/.exec(body.toString("utf8"))?.[1] ?? "";
      const key = `${name} ${guid}`;
      if (seen.has(key)) stats.duplicates++;
      else {
        seen.add(key);
        stats.unique++;
      }
      stats.lastAt = performance.now();
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  return {
    url: (name) => `http://127.0.0.1:${port}/cb/${name}`,
    stats,
    reset() {
      seen.clear();
      Object.assign(stats, { unique: 0, duplicates: 0, verified: 0, badSignatures: 0, lastAt: 0 });
    },
    async close() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}

async function websubFanout() {
  const N = 1000;
  const now = Date.now();
  const hookSecrets = new Map(Array.from({ length: N }, (_, i) => [`s${i}`, newSecret()]));
  const hooks = await startCountingReceiver({ secrets: hookSecrets });
  receivers.push(hooks);
  const hubSecrets = new Map(Array.from({ length: N }, (_, i) => [`w${i}`, newSecret().slice(6, 38)]));
  const subscribers = await startWebsubReceiver(hubSecrets);
  receivers.push(subscribers);
  const dirHooks = await newDatabase("websub-hooks-1000", {
    now,
    commitments: 10,
    subscriptions: [...hookSecrets].map(([name, secret], i) => ({ id: `sub_bench${String(i).padStart(5, "0")}`, url: hooks.url(name), secret })),
  });
  const dirHub = await newDatabase("websub-hub-1000", { now, commitments: 10 });
  const limits = { WEBSUB_MAX_PER_TOPIC: String(2 * N), WEBSUB_MAX_PER_CALLBACK_HOST: String(2 * N) };
  const wHooks = await boot(dirHooks, limits);
  const wHub = await boot(dirHub, limits);
  const topic = `${wHub.url}/feed.xml`;
  const t0 = performance.now();
  for (const [name, secret] of hubSecrets) {
    const res = await fetch(`${wHub.url}/websub`, {
      method: "POST",
      body: new URLSearchParams({ "hub.mode": "subscribe", "hub.topic": topic, "hub.callback": subscribers.url(name), "hub.secret": secret }),
    });
    if (res.status !== 202) throw new Error(`subscribe failed: ${res.status} ${await res.text()}`);
  }
  const activeCount = () => {
    const db = openD1(dirHub);
    try {
      return Number(db.get("SELECT count(*) AS n FROM websub_subscriptions WHERE state = 'active'").n);
    } finally {
      db.close();
    }
  };
  if (!(await pollUntil(() => activeCount() >= N, 180_000, 250))) throw new Error(`only ${activeCount()} of ${N} WebSub subscriptions verified`);
  const subscribeSeconds = (performance.now() - t0) / 1000;
  log(`websub: ${N} subscriptions requested and verified in ${subscribeSeconds.toFixed(1)} s (${subscribers.stats.intents} intent checks)`);
  // Warm both consumers with one change each, not counted.
  const statuses = ["stalled", "in_progress", "stalled", "in_progress"];
  const runs = { hooks: [], hub: [] };
  for (let r = 0; r < statuses.length; r++) {
    for (const [kind, w, receiver] of [["hooks", wHooks, hooks], ["hub", wHub, subscribers]]) {
      receiver.reset();
      const start = performance.now();
      const res = await w.api("POST", "/api/v1/commitments/bc-000001/status", { status: statuses[r] });
      if (res.status !== 200) throw new Error(`status change failed: ${res.status} ${JSON.stringify(res.body)}`);
      const done = await pollUntil(() => receiver.stats.unique >= N, 90_000, 100);
      const seconds = ((done ? receiver.stats.lastAt : performance.now()) - start) / 1000;
      const run = { complete: !!done, delivered: receiver.stats.unique, seconds: round(seconds, 3), perSecond: round(receiver.stats.unique / seconds, 1), badSignatures: receiver.stats.badSignatures, duplicates: receiver.stats.duplicates };
      if (!done) await pollUntil(() => receiver.stats.unique >= N, 30_000, 500);
      if (r === 0) continue;
      runs[kind].push(run);
      log(`websub bench ${kind} run`, run);
    }
  }
  const rate = (xs) => median((xs.some((x) => x.complete) ? xs.filter((x) => x.complete) : xs).map((x) => x.perSecond));
  const [hub, hook] = [rate(runs.hub), rate(runs.hooks)];
  results.websub = { subscribers: N, subscribeSeconds: round(subscribeSeconds, 1), hub: runs.hub, webhooks: runs.hooks, hubPerSecond: hub, webhooksPerSecond: hook, ratio: round(hub / hook, 3) };
  addRow("websub: 1 change -> 1,000 WebSub subscribers vs 1,000 webhook subs (all verified)", `${hub}/s`, `${hook}/s`, hub / hook, "~1x",
    `median of 3 runs each, alternating, API write to last verified POST; bad signatures ${[...runs.hub, ...runs.hooks].reduce((s, r) => s + r.badSignatures, 0)}; duplicates ${[...runs.hub, ...runs.hooks].reduce((s, r) => s + r.duplicates, 0)}; 1,000 subscribe requests + intent checks took ${round(subscribeSeconds, 1)} s`);
}


// ---------------------------------------------------------------------------------------------
// 8. Drafts from a statement: POST /api/v1/drafts with the seed statement (read, extract, one D1
//    batch of the drafts) vs the constant route, alternating rounds. CPU time per KB: workerd
//    freezes its clocks during computation, so the extractor's CPU is measured in this Node
//    process (the same V8 engine) with process.cpuUsage, on the same bundle esbuild makes for
//    eval:extract, for the seed (≈ 5 KB) and a 100 KB text (the seed repeated), and through the
//    worker as the latency difference between the 100 KB and the seed POST.
// ---------------------------------------------------------------------------------------------
async function draftsBench() {
  const dir = join(work, "drafts");
  mkdirSync(dir, { recursive: true });
  migrate(dir);
  const w = await boot(dir);
  const seedText = readFileSync(join(ROOT, "eval/extract/seed.txt"), "utf8");
  const repeat = Math.floor((100 * 1024) / Buffer.byteLength(seedText));
  const bigText = Array.from({ length: repeat }, () => seedText).join("\n\n");
  const headers = { authorization: `Bearer ${w.adminToken}`, "content-type": "application/json" };
  const post = (text) => ({ url: `${w.url}/api/v1/drafts`, headers, requests: [{ method: "POST", body: JSON.stringify({ text, signed_on: "2025-08-08", parties: ["Azerbaijan", "United States", "Armenia"] }) }] });
  const check = await fetch(`${w.url}/api/v1/drafts`, { method: "POST", headers, body: post(seedText).requests[0].body });
  const drafts = (await check.json()).items?.length;
  if (check.status !== 201 || !drafts) throw new Error(`drafts bench: ${check.status}`);
  const targets = { constant: { url: `${w.url}/__bench/constant` }, seed: post(seedText), big: post(bigText) };
  const runs = { constant: [], seed: [], big: [] };
  for (let r = 0; r < ROUNDS; r++) for (const [name, t] of Object.entries(targets)) runs[name].push(await cannon({ ...t, duration: AC_SECONDS, connections: 1 }));
  for (const [name, list] of Object.entries(runs)) if (list.some((x) => x.non2xx > 0 || x.errors > 0)) throw new Error(`drafts bench: ${name} had failures`);
  const mean = (name) => median(runs[name].map((x) => x.mean));
  const [constant, seedMs, bigMs] = [mean("constant"), mean("seed"), mean("big")];

  const { build } = await import("esbuild");
  const bundled = await build({ entryPoints: [join(ROOT, "src/intake/drafts/drafts.extract.ts")], bundle: true, write: false, format: "esm", platform: "neutral", mainFields: ["module", "main"], logLevel: "error" });
  const { extractDrafts } = await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString("base64")}`);
  const cpuPerKb = (text, times) => {
    const input = { text, signedOn: "2025-08-08", parties: ["Azerbaijan", "United States", "Armenia"] };
    extractDrafts(input);
    const t = process.cpuUsage();
    for (let i = 0; i < times; i++) extractDrafts(input);
    const used = process.cpuUsage(t);
    return (used.user + used.system) / 1000 / times / (Buffer.byteLength(text) / 1024);
  };
  const seedCpu = cpuPerKb(seedText, 50);
  const bigCpu = cpuPerKb(bigText, 5);
  const kb = (t) => round(Buffer.byteLength(t) / 1024, 1);
  results.drafts = {
    seedKiB: kb(seedText), bigKiB: kb(bigText), draftsFromSeed: drafts,
    meanMs: { constant: round(constant, 2), seed: round(seedMs, 2), big: round(bigMs, 2) },
    extractorCpuMsPerKiB: { seed: round(seedCpu, 3), big: round(bigCpu, 3) },
  };
  log("drafts", results.drafts);
  addRow(`POST /api/v1/drafts, seed statement (${kb(seedText)} KiB, ${drafts} drafts) vs constant`, `mean ${round(seedMs, 2)} ms`, `mean ${round(constant, 2)} ms`, seedMs / constant, "", "extract + one D1 batch of the batch and its drafts");
  addRow(`POST /api/v1/drafts, ${kb(bigText)} KiB (seed x${repeat}) vs the seed`, `mean ${round(bigMs, 2)} ms`, `mean ${round(seedMs, 2)} ms`, bigMs / seedMs, "",
    `${round((bigMs - seedMs) / (kb(bigText) - kb(seedText)), 2)} ms per extra KiB through the worker`);
  addRow("extractor CPU per KiB: 100 KiB vs the seed (Node V8, process.cpuUsage)", `${round(bigCpu, 3)} ms/KiB`, `${round(seedCpu, 3)} ms/KiB`, bigCpu / seedCpu, "~1x (linear)",
    `${round(bigCpu * kb(bigText), 0)} ms CPU for 100 KiB`);
  await w.stop();
}

// ---------------------------------------------------------------------------------------------
// 8. A party's page: the same party with 200 commitments (spread evenly over the same mix) in a
//    ledger of 1k and of 100k, its HTML page built on every request and its API answer.
// ---------------------------------------------------------------------------------------------
async function partyPages() {
  const now = Date.now();
  const party = { name: "Bench Party", count: 200 };
  const mix = (n) => ({ now, commitments: n, overdue: n * 0.02, overdueAnnounced: true, dueSoon: n * 0.03, done: n * 0.05, party, events: false });
  const small = await boot(await newDatabase("party-1k", mix(1000)));
  const large = await boot(await newDatabase("party-100k", mix(100_000)));
  for (const w of [small, large]) {
    const put = await w.api("PUT", "/api/v1/parties/bench-party", { name: party.name, aliases: ["BP"] });
    if (put.status !== 201) throw new Error(`parties bench: PUT ${put.status}`);
  }
  // The page is memoised per path: 100 spellings of the slug (case varies; the party's key
  // matches them all) cycle through the 64-entry memo, so every request builds the page.
  const spellings = Array.from({ length: 100 }, (_, i) =>
    [..."bench-party"].map((ch, k) => (k < 7 && (i >> k) & 1 ? ch.toUpperCase() : ch)).join(""),
  );
  const targets = (w) => ({
    page: { url: w.url, requests: spellings.map((s) => ({ method: "GET", path: `/parties/${s}` })) },
    api: { url: `${w.url}/api/v1/parties/bench-party` },
  });
  const check = await fetch(`${large.url}/parties/${spellings[5]}`);
  const html = await check.text();
  if (check.status !== 200 || !html.includes("Bench Party")) throw new Error(`parties bench: page ${check.status}`);
  const runs = { small: { page: [], api: [] }, large: { page: [], api: [] } };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [size, w] of [["small", small], ["large", large]]) {
      for (const [name, t] of Object.entries(targets(w))) runs[size][name].push(await cannon({ ...t, duration: AC_SECONDS, connections: 1 }));
    }
  }
  const mean = (size, name) => median(runs[size][name].map((x) => x.mean));
  const non2xx = Object.values(runs).flatMap((s) => Object.values(s).flat()).reduce((n, x) => n + x.non2xx, 0);
  if (non2xx > 0) throw new Error(`parties bench: ${non2xx} non-2xx answers`);
  results.parties = {
    partyCommitments: party.count,
    bytes: html.length,
    meanMs: { page1k: round(mean("small", "page"), 2), page100k: round(mean("large", "page"), 2), api1k: round(mean("small", "api"), 2), api100k: round(mean("large", "api"), 2) },
  };
  log("party pages", results.parties);
  const m = results.parties.meanMs;
  addRow("GET /parties/:slug (built), a party of 200 commitments: 100k vs 1k ledger", `mean ${m.page100k} ms`, `mean ${m.page1k} ms`, m.page100k / m.page1k, "~1x",
    `${html.length} B; every read through the party's key index`);
  addRow("GET /api/v1/parties/:slug, the same party: 100k vs 1k ledger", `mean ${m.api100k} ms`, `mean ${m.api1k} ms`, m.api100k / m.api1k, "~1x", "counts by timeliness and progress, the record");
  await small.stop();
  await large.stop();
}

// ---------------------------------------------------------------------------------------------
// 9. Reminders (issue 12): what the sweep's reminder statement costs. Three ledgers of 20k
//    commitments, 10k of them overdue (announced), 20 subscriptions each: paused (the baseline:
//    no subscription to pair with), active without remind_every, active with remind_every P7D.
//    Swept 3 days later, when no reminder is due yet, so the figure is the recurring cost of
//    checking 10k × 20 = 200k (subscription, commitment) pairs, with no events written and
//    nothing delivered. Sweeps alternate across the three.
// ---------------------------------------------------------------------------------------------
async function remindersBench() {
  const now = Date.now();
  const OVERDUE = 10_000;
  const SUBS = 20;
  const subs = Array.from({ length: SUBS }, (_, i) => ({ id: `sub_BENCHREM${String(i).padStart(3, "0")}`, url: `http://127.0.0.1:9/hook/${i}`, secret: newSecret() }));
  const mix = { now, commitments: 20_000, overdue: OVERDUE, overdueAnnounced: true, dueSoon: 0, done: 0, subscriptions: subs, events: false };
  const setups = {
    paused: "UPDATE subscriptions SET state = 'paused';",
    plain: null,
    remind: "UPDATE subscriptions SET remind_every = 'P7D', remind_every_ms = 604800000;",
  };
  const workersBy = {};
  const dirs = {};
  for (const [name, update] of Object.entries(setups)) {
    dirs[name] = await newDatabase(`reminders-${name}`, mix);
    if (update) {
      const file = join(dirs[name], "setup.sql");
      writeFileSync(file, update);
      executeFile(dirs[name], file);
    }
    workersBy[name] = await boot(dirs[name]);
  }
  const at = now + 3 * 86_400_000;
  for (const w of Object.values(workersBy)) for (let i = 0; i < 2; i++) await timedSweep(w, at);
  const times = { paused: [], plain: [], remind: [] };
  for (let i = 0; i < SWEEPS; i++) for (const name of Object.keys(setups)) times[name].push(await timedSweep(workersBy[name], at));
  const runs = Object.fromEntries(Object.keys(setups).map((name) => [name, lastRun(dirs[name])]));
  for (const [name, r] of Object.entries(runs)) if (r.reminders !== 0 || r.error) throw new Error(`reminders bench (${name}): expected nothing due, got ${JSON.stringify(r)}`);
  const ms = Object.fromEntries(Object.keys(setups).map((name) => [name, median(times[name])]));
  const pairs = OVERDUE * SUBS;
  results.reminders = {
    overdue: OVERDUE,
    subscriptions: SUBS,
    pairs,
    sweepsEach: SWEEPS,
    medianMs: { paused: round(ms.paused, 1), activeWithoutRemindEvery: round(ms.plain, 1), activeWithRemindEvery: round(ms.remind, 1) },
    ratioWithRemind: round(ms.remind / ms.paused, 2),
    ratioWithoutRemind: round(ms.plain / ms.paused, 2),
    queries: { paused: runs.paused.queries, plain: runs.plain.queries, remind: runs.remind.queries },
  };
  log("reminders", results.reminders);
  addRow(
    `sweep, ${OVERDUE / 1000}k overdue: ${SUBS} subscriptions with remind_every vs the same paused (nothing due)`,
    `${round(ms.remind, 1)} ms`,
    `${round(ms.paused, 1)} ms`,
    ms.remind / ms.paused,
    "~1x",
    `${pairs / 1000}k (subscription, commitment) pairs, none a period overdue yet: the index range holds none of them`,
  );
  addRow(
    `sweep, ${OVERDUE / 1000}k overdue: ${SUBS} active subscriptions without remind_every vs paused`,
    `${round(ms.plain, 1)} ms`,
    `${round(ms.paused, 1)} ms`,
    ms.plain / ms.paused,
    "~1x",
    "subscriptions that ask for no reminders cost the reminder statement nothing",
  );
  for (const w of Object.values(workersBy)) await w.stop();

  // Context, once reminders are due: the SELECT of reminderStatements (alerts/sweep/sweep.repo.ts,
  // its filters for subscriptions without any), counted instead of inserted, on the stopped
  // worker's D1 file in Node's SQLite, 8 days on: every pair past its first period, the work each
  // sweep repeats (the inserts themselves are no-ops on the dedupe key after the first).
  const pairSql = (t) => `SELECT count(*) AS n FROM commitments c INDEXED BY commitments_open_overdue
    LEFT JOIN agreements a ON a.id = c.agreement_id
    JOIN subscriptions s ON s.state = 'active' AND s.remind_every_ms > 0 AND s.created_at <= ${t}
      AND s.agreements IS NULL AND s.commitments IS NULL AND s.tags IS NULL AND s.parties IS NULL
    WHERE c.closed_at IS NULL AND c.overdue_notified = 1
      AND c.overdue_at <= ${t} - (SELECT min(remind_every_ms) FROM subscriptions WHERE state = 'active' AND remind_every_ms > 0)
      AND ${t} >= max(c.overdue_at, c.status_changed_at) + s.remind_every_ms`;
  const d1 = openD1(dirs.remind);
  try {
    const later = now + 8 * 86_400_000;
    const ts = [];
    let n = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      n = d1.get(pairSql(later)).n;
      ts.push(performance.now() - t);
    }
    results.reminders.duePairsScan = { pairs: n, medianMs: round(median(ts), 1), microsecondsPerPair: round((median(ts) * 1000) / Math.max(1, n), 3) };
    log("reminders, 8 days on", results.reminders.duePairsScan);
    addRow(`reminder pairs past their first period, ${OVERDUE / 1000}k overdue × ${SUBS} (the SELECT alone, node:sqlite)`, `${round(median(ts), 1)} ms`, "", null, "context",
      `${n} pairs, ≈ ${results.reminders.duePairsScan.microsecondsPerPair} µs a pair, repeated every sweep while they stay overdue`);
  } finally {
    d1.close();
  }
}

async function main() {
  const only = new Set((process.env.BENCH_ONLY ?? "sweep,read,editor,fanout,burst,bundle,import,websub,drafts,parties,watch,polls,reminders").split(","));
  try {
    if (only.has("sweep") || only.has("read") || only.has("editor")) {
      const { large, dirLarge } = await sweepScaling();
      if (only.has("read")) await readPaths(large, dirLarge);
      if (only.has("editor")) await editorPages(large);
      await large.stop();
    }
    if (only.has("fanout")) await fanout();
    if (only.has("burst")) await burst();
    if (only.has("bundle")) bundle();
    if (only.has("import")) await importRatio();
    if (only.has("websub")) await websubFanout();
    if (only.has("drafts")) await draftsBench();
    if (only.has("parties")) await partyPages();
    if (only.has("watch")) await watchBench({ ROOT, addRow, log, results, round });
    if (only.has("reminders")) await remindersBench();
    if (only.has("polls")) await pollBench({ ROOT, boot, work, addRow, log, results, round, openD1, pollUntil, sources: Number(process.env.BENCH_POLL_SOURCES ?? 1000) });
  } finally {
    for (const w of workers) await w.stop().catch(() => {});
    for (const r of receivers) await r.close().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
  results.rows = rows;
  results.seconds = round((performance.now() - started) / 1000, 0);
  const file = join(ROOT, "bench", "results.json");
  let written = results;
  if (process.env.BENCH_ONLY) {
    // A partial run (BENCH_ONLY) replaces its own figures and keeps the last full run's others.
    try {
      const previous = JSON.parse(readFileSync(file, "utf8"));
      const mine = new Set(rows.map((r) => r.figure));
      written = {
        ...previous,
        ...results,
        ranAt: previous.ranAt,
        seconds: previous.seconds,
        partialRun: { sections: [...only], ranAt: results.ranAt, seconds: results.seconds },
        rows: [...(previous.rows ?? []).filter((r) => !mine.has(r.figure)), ...rows],
      };
    } catch {
      // no previous results: write this run alone
    }
  }
  writeFileSync(file, JSON.stringify(written, null, 2) + "\n");
  printTable();
  console.log(`\nwrote bench/results.json (${results.seconds} s)`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
