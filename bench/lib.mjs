/**
 * Benchmark plumbing: a counting (and optionally verifying) loopback webhook receiver, a
 * read-only view of a running worker's local D1 file, autocannon runs, small statistics.
 * Everything listens on and talks to 127.0.0.1 only.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import autocannon from "autocannon";
import { Webhook } from "standardwebhooks";

/**
 * A receiver at http://127.0.0.1:<port>/hook/<name>. Counts deliveries per (name, webhook-id);
 * with `secrets` (name -> whsec_…) it verifies every signature with the standardwebhooks
 * library and counts failures. Keeps no bodies (500,000 deliveries must fit in memory).
 */
export async function startCountingReceiver({ secrets = null, respond = null } = {}) {
  const verifiers = new Map();
  const seen = new Set();
  const stats = { requests: 0, unique: 0, duplicates: 0, verified: 0, badSignatures: 0, firstAt: 0, lastAt: 0, connections: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      stats.requests++;
      const name = (req.url ?? "").split("/")[2] ?? "";
      const id = String(req.headers["webhook-id"] ?? "");
      if (secrets) {
        const secret = secrets.get(name);
        let wh = verifiers.get(name);
        if (!wh && secret) verifiers.set(name, (wh = new Webhook(secret)));
        try {
          if (!wh) throw new Error("unknown subscription");
          wh.verify(Buffer.concat(chunks).toString("utf8"), {
            "webhook-id": id,
            "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
            "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
          });
          stats.verified++;
        } catch {
          stats.badSignatures++;
        }
      }
      const key = `${name} ${id}`;
      if (seen.has(key)) stats.duplicates++;
      else {
        seen.add(key);
        stats.unique++;
      }
      const now = performance.now();
      if (!stats.firstAt) stats.firstAt = now;
      stats.lastAt = now;
      if (respond) return respond(req, res);
      res.statusCode = 204;
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  // TCP connections opened: a sender that reuses its connections opens about 6 per run.
  server.on("connection", () => stats.connections++);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  return {
    port,
    url: (name) => `http://127.0.0.1:${port}/hook/${name}`,
    stats,
    reset() {
      seen.clear();
      Object.assign(stats, { requests: 0, unique: 0, duplicates: 0, verified: 0, badSignatures: 0, firstAt: 0, lastAt: 0, connections: 0 });
    },
    async close() {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The D1 SQLite file of a `--persist-to` directory. */
export function d1File(persistDir) {
  const dir = join(persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database under ${dir}`);
  return join(dir, file);
}

/** A read-only connection to a (possibly running) worker's local D1 (SQLite in WAL mode). */
export function openD1(persistDir) {
  const db = new DatabaseSync(d1File(persistDir), { readOnly: true });
  return {
    get: (sql, ...params) => db.prepare(sql).get(...params),
    all: (sql, ...params) => db.prepare(sql).all(...params),
    close: () => db.close(),
  };
}

/** Bytes per table/index (dbstat: pages actually used, including the index pages). */
export function tableBytes(persistDir) {
  const db = openD1(persistDir);
  try {
    return Object.fromEntries(
      db.all("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name").map((r) => [r.name, Number(r.bytes)]),
    );
  } finally {
    db.close();
  }
}

/** One autocannon run (bounded by `duration` seconds); latencies in ms. */
export async function cannon({ url, headers = {}, requests, connections = 1, duration = 5 }) {
  const result = await autocannon({
    url,
    headers,
    requests,
    connections,
    duration,
    pipelining: 1,
    timeout: 20,
  });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.mean,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: result.statusCodeStats,
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const round = (n, digits = 2) => (n === null || n === undefined || Number.isNaN(n) ? null : Number(n.toFixed(digits)));

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until truthy or `timeoutMs` passes; returns the value or null (never throws on timeout). */
export async function pollUntil(check, timeoutMs, everyMs = 250) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > deadline) return null;
    await sleep(everyMs);
  }
}

/** CPU seconds (user + system) used so far by every process in a process group (Linux /proc). */
export function groupCpuSeconds(pgid) {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    // Fields after the command name (which may contain spaces): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue; // pgrp
    total += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return total / ticks;
}

/** The `delivery-profile {…}` lines a worker logged (DELIVERY_PROFILE=true), from line `from` on. */
export function deliveryProfiles(log, from = 0) {
  return log
    .slice(from)
    .map((line) => /delivery-profile (\{.*\})/.exec(line)?.[1])
    .filter(Boolean)
    .map((json) => JSON.parse(json));
}

/** Sums per-invocation delivery profiles into per-delivery figures. */
export function perDelivery(profiles) {
  const sum = (k) => profiles.reduce((s, p) => s + p[k], 0);
  const n = sum("attempted");
  const per = (k, digits = 3) => (n > 0 ? round(sum(k) / n, digits) : null);
  return {
    invocations: profiles.filter((p) => p.attempted > 0).length,
    deliveries: n,
    d1Queries: per("d1Queries"),
    d1RowsWritten: per("d1RowsWritten", 2),
    d1WaitMs: per("d1WaitMs"),
    queueCalls: per("queueCalls"),
    queueWaitMs: per("queueWaitMs"),
    receiverMs: per("receiverMs"),
    wallMs: per("wallMs"),
  };
}
