#!/usr/bin/env node
// npm start: one command from a fresh clone to a seeded local service.
//  1. makes .dev.vars with a random ADMIN_TOKEN if there is none (printed once, with its path);
//  2. applies the migrations to the local D1 (wrangler d1 migrations apply --local);
//  3. serves the worker with `wrangler dev` on http://localhost:8787 (PORT overrides);
//  4. loads data/default.json through POST /api/v1/import when the database is empty;
//  5. runs the sweep once, then on each cron schedule in wrangler.toml, like production
//     (`wrangler dev` never fires Cron Triggers): a ticker that calls the local scheduled endpoint,
//     one log line a run. `--no-cron` turns it off.
// Unattended (no prompts). Ctrl-C or SIGTERM stops wrangler and workerd with it.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8787);
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  // No interactive confirmation prompts from wrangler.
  CI: "true",
};
const wrangler = join(root, "node_modules", ".bin", "wrangler");

function ensureAdminToken() {
  const path = join(root, ".dev.vars");
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const match = /^ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?/m.exec(text);
  if (match) {
    console.log(`[pledgewatch] admin token: ADMIN_TOKEN in ${path}`);
    return match[1];
  }
  const token = `adm_${randomBytes(32).toString("base64url")}`;
  const line = `ADMIN_TOKEN="${token}"\n`;
  if (text) appendFileSync(path, (text.endsWith("\n") ? "" : "\n") + line);
  else writeFileSync(path, `# Local secrets for wrangler dev. Never commit this file.\n${line}`, { mode: 0o600 });
  console.log(`[pledgewatch] created a random ADMIN_TOKEN in ${path}`);
  return token;
}

function migrate() {
  const result = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local"], { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) {
    console.error("[pledgewatch] applying migrations failed");
    process.exit(result.status ?? 1);
  }
}

async function waitReady(base, child) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error("wrangler dev exited before it was ready");
    try {
      const res = await fetch(`${base}/api/v1/agreements?limit=1`);
      if (res.ok) return res.json();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error("wrangler dev did not become ready within 90 s");
}

async function seed(base, token) {
  const document = readFileSync(join(root, "data", "default.json"), "utf8");
  const res = await fetch(`${base}/api/v1/import`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: document,
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`loading the default dataset failed: ${res.status} ${body}`);
  console.log(`[pledgewatch] loaded the default dataset (data/default.json): ${body}`);
}

/** The `crons = [...]` of wrangler.toml's [triggers]. */
function readCrons() {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  const m = /^\s*crons\s*=\s*\[([^\]]*)\]/m.exec(toml);
  return m ? [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]) : [];
}

/** Does a 5-field UTC cron field list (`*`, `*\/n`, `a-b`, `a,b`, `a-b/n`) match this value? */
function fieldMatches(field, value, min, max) {
  return field.split(",").some((part) => {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let [lo, hi] = range === "*" ? [min, max] : range.split("-").map(Number);
    if (hi === undefined) hi = stepText === undefined ? lo : max;
    return value >= lo && value <= hi && (value - lo) % step === 0;
  });
}

function cronMatches(cron, date) {
  const [minute, hour, day, month, weekday] = cron.trim().split(/\s+/);
  return (
    fieldMatches(minute, date.getUTCMinutes(), 0, 59) &&
    fieldMatches(hour, date.getUTCHours(), 0, 23) &&
    fieldMatches(day, date.getUTCDate(), 1, 31) &&
    fieldMatches(month, date.getUTCMonth() + 1, 1, 12) &&
    fieldMatches(weekday.replace(/\b7\b/, "0"), date.getUTCDay(), 0, 6)
  );
}

async function runScheduled(base, cron, time) {
  try {
    const res = await fetch(`${base}/cdn-cgi/handler/scheduled?${new URLSearchParams({ cron, time: String(time) })}`);
    await res.text();
    console.log(`[pledgewatch] sweep (${cron}) at ${new Date(time).toISOString()}: ${res.ok ? "ok" : `failed, HTTP ${res.status}`}`);
  } catch (error) {
    console.log(`[pledgewatch] sweep (${cron}) at ${new Date(time).toISOString()}: failed, ${error.message}`);
  }
}

/** Once now, then at the start of every minute that a cron matches (UTC, like Cron Triggers). */
function startTicker(base, crons) {
  if (crons.length === 0) return;
  void runScheduled(base, crons[0], Date.now());
  let lastMinute = 0;
  const tick = () => {
    if (stopping) return;
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    // A timer may fire a little early or twice near a minute boundary: each minute runs once.
    if (minute.getTime() !== lastMinute) {
      lastMinute = minute.getTime();
      for (const cron of crons) if (cronMatches(cron, minute)) void runScheduled(base, cron, minute.getTime());
    }
    setTimeout(tick, 60_000 - (Date.now() % 60_000) + 50).unref();
  };
  setTimeout(tick, 60_000 - (Date.now() % 60_000) + 50).unref();
}

const noCron = process.argv.includes("--no-cron");
const wranglerArgs = process.argv.slice(2).filter((a) => a !== "--no-cron");
const token = ensureAdminToken();
migrate();
const child = spawn(
  wrangler,
  ["dev", "--port", String(port), "--ip", "127.0.0.1", "--show-interactive-dev-session=false", ...wranglerArgs],
  { cwd: root, env, stdio: ["ignore", "inherit", "inherit"], detached: true },
);

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  try {
    // The whole group: wrangler and the workerd it started.
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
  setTimeout(() => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone
    }
    process.exit(signal === "SIGINT" ? 130 : 143);
  }, 5000).unref();
}
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("exit", () => {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // gone
  }
});
child.on("exit", (code) => process.exit(stopping ? 0 : (code ?? 1)));
// A signal sent to npm alone is not always forwarded to this script: when npm goes away, this
// process is re-parented, and stops wrangler rather than leave workerd behind.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop("SIGTERM");
}, 500).unref();

const base = `http://127.0.0.1:${port}`;
try {
  const first = await waitReady(base, child);
  if (first.items.length === 0) await seed(base, token);
  else console.log("[pledgewatch] the database already has data: not loading the default dataset");
  console.log(`[pledgewatch] ready on http://localhost:${port}`);
  console.log(`[pledgewatch]   commitments:  http://localhost:${port}/api/v1/commitments`);
  if (noCron) {
    console.log(`[pledgewatch]   --no-cron: run the sweep with curl "http://localhost:${port}/cdn-cgi/local/scheduled?cron=*/5+*+*+*+*"`);
  } else {
    const crons = readCrons();
    console.log(`[pledgewatch]   the sweep runs now and on ${crons.join(", ") || "no cron"} (wrangler.toml; --no-cron turns it off)`);
    startTicker(base, crons);
  }
} catch (error) {
  console.error(`[pledgewatch] ${error.message}`);
  stop("SIGTERM");
}
