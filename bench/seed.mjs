/**
 * Benchmark data, written straight into a local D1 database with ONE
 * `wrangler d1 execute DB --local --persist-to <dir> --file <generated.sql>`: the rows are
 * generated inside SQLite by recursive CTEs, so 100k commitments cost a 10 KB file, not 100k
 * HTTP calls. The generated SQL lives in the state directory (a temp dir), never in the repo.
 *
 * Rows look like what the ledger writes (commitments.service.ts planCommitmentWrite): JSON text
 * columns, resolved due_at / overdue_at, armed sweep bookkeeping, a commitment.created event and
 * a done outbox row per commitment.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, quietEnv } from "../e2e/harness.ts";

const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");
export const DAY = 86_400_000;

/** Applies the migrations to a fresh state directory (what startWorker does too). */
export function migrate(persistDir) {
  const r = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir], {
    cwd: ROOT,
    env: quietEnv,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`migrations failed: ${r.stdout}\n${r.stderr}`);
}

/** Runs one SQL file against the local D1 of `persistDir`. */
export function executeFile(persistDir, file) {
  const r = spawnSync(WRANGLER, ["d1", "execute", "DB", "--local", "--persist-to", persistDir, "--file", file, "--yes"], {
    cwd: ROOT,
    env: quietEnv,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`d1 execute failed: ${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Runs one SQL command and returns its rows (wrangler --json). */
export function query(persistDir, command) {
  const r = spawnSync(WRANGLER, ["d1", "execute", "DB", "--local", "--persist-to", persistDir, "--command", command, "--json"], {
    cwd: ROOT,
    env: quietEnv,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`d1 query failed: ${r.stdout}\n${r.stderr}`);
  const parsed = JSON.parse(r.stdout);
  return parsed[0]?.results ?? [];
}

export const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

/**
 * @param {object} o
 * @param {number} o.now         the instant the data is "as of" (ms)
 * @param {number} o.commitments total commitments
 * @param {number} [o.agreements]
 * @param {number} [o.overdue]   of which this many passed deadline + grace (the first ones)
 * @param {boolean} [o.overdueAnnounced] false: the overdue ones are armed and the next sweep
 *                               records them all at once; true: already announced (a steady state)
 * @param {number} [o.dueSoon]   then this many due within 30 days (already announced)
 * @param {number} [o.done]      then this many fulfilled (closed)
 * @param {Array<{id:string,url:string,secret:string}>} [o.subscriptions]
 * @param {boolean} [o.events]   one commitment.created event (+ done outbox row) per commitment
 * @param {{name: string, count: number}} [o.party] this many commitments, spread evenly, also name
 *                               this party (its page is measured at 1k and 100k: BENCH_ONLY=parties)
 */
export function seedSql(o) {
  const now = o.now;
  const A = o.agreements ?? Math.max(1, Math.ceil(o.commitments / 100));
  const overdue = o.overdue ?? 0;
  const dueSoon = o.dueSoon ?? 0;
  const done = o.done ?? 0;
  const created = now - 400 * DAY;
  const lines = [];
  lines.push(`INSERT INTO agreements (id, title, kind, signed_on, parties, source_url, summary, created_at, updated_at, version)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${A})
SELECT printf('ba-%06d', i), 'Benchmark agreement ' || i, 'memorandum', '2025-08-08', '["Azerbaijan","United States"]', NULL,
  'A generated agreement for the benchmark.', ${created}, ${created}, 1 FROM n;`);

  // Kinds by position: [1, overdue] overdue, then due soon, then done, the rest on track (60-420 days out).
  const kind = `CASE WHEN i <= ${overdue} THEN 'o' WHEN i <= ${overdue + dueSoon} THEN 's' WHEN i <= ${overdue + dueSoon + done} THEN 'd' ELSE 't' END`;
  const dueAt = `CASE k WHEN 'o' THEN ${now - 2 * DAY} - (i % 1000) * 60000 WHEN 's' THEN ${now + 3 * DAY} + (i % 1000) * 60000
    WHEN 'd' THEN ${now + 90 * DAY} ELSE ${now + 60 * DAY} + (i % 360) * ${DAY} END`;
  const announced = o.overdueAnnounced ?? true;
  lines.push(`INSERT INTO commitments (id, agreement_id, title, description, parties, tags, evidence, time_zone, deadline, due_at, due_on,
  overdue_at, status, status_changed_at, closed_at, due_soon_notified_days, overdue_notified, next_alert_at, created_at, updated_at, version)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${o.commitments}),
k(i, k) AS (SELECT i, ${kind} FROM n),
d(i, k, due) AS (SELECT i, k, ${dueAt} FROM k)
SELECT printf('bc-%06d', i), printf('ba-%06d', 1 + (i % ${A})),
  'Benchmark commitment number ' || i || ': deliver the report on the working group',
  'Generated for the benchmark: a paragraph of description of realistic length that says what was promised, by whom, and where the evidence will be published once it exists.',
  '["Azerbaijan","United States"]', '["bench","tag-' || (i % 20) || '"]', '[]', 'UTC',
  json_object('due_at', strftime('%Y-%m-%dT%H:%M:%fZ', due / 1000.0, 'unixepoch')),
  due, strftime('%Y-%m-%d', due / 1000.0, 'unixepoch'), due,
  CASE k WHEN 'd' THEN 'fulfilled' WHEN 'o' THEN 'in_progress' ELSE 'not_started' END,
  CASE k WHEN 'd' THEN ${now - 10 * DAY} ELSE ${created} END,
  CASE k WHEN 'd' THEN ${now - 10 * DAY} ELSE NULL END,
  CASE k WHEN 'o' THEN 1 WHEN 's' THEN 7 ELSE NULL END,
  CASE WHEN k = 'o' AND ${announced ? 1 : 0} THEN 1 ELSE 0 END,
  CASE k WHEN 'o' THEN (CASE WHEN ${announced ? 1 : 0} THEN NULL ELSE due + 1 END)
    WHEN 's' THEN due - ${DAY} WHEN 'd' THEN NULL ELSE due - ${30 * DAY} END,
  ${created}, ${created}, 1
FROM d;`);

  if (o.party) {
    const every = Math.max(1, Math.floor(o.commitments / o.party.count));
    lines.push(`UPDATE commitments SET parties = json_array(${q(o.party.name)}, 'Azerbaijan', 'United States')
WHERE (CAST(substr(id, 4) AS INTEGER) % ${every}) = 0 AND CAST(substr(id, 4) AS INTEGER) <= ${every * o.party.count};`);
  }
  // The party keys the ledger writes with each commitment (ASCII names: lower() is the key).
  lines.push(`UPDATE commitments SET party_keys = (SELECT json_group_array(lower(value)) FROM json_each(commitments.parties));`);
  lines.push(`INSERT INTO commitment_parties (commitment_id, party_key, name) SELECT c.id, lower(j.value), j.value FROM commitments c, json_each(c.parties) j;`);

  if (o.events ?? true) {
    lines.push(`INSERT INTO events (id, type, commitment_id, agreement_id, from_value, to_value, note, evidence_url, actor, occurred_at, recorded_at, data, dedupe_key)
SELECT printf('evt_BENCH%017d', rowid), 'commitment.created', id, agreement_id, NULL, 'not_started', NULL, NULL, 'admin',
  created_at + rowid, created_at + rowid, json_object('title', title, 'due_on', due_on, 'due_at', strftime('%Y-%m-%dT%H:%M:%fZ', due_at / 1000.0, 'unixepoch')), NULL
FROM commitments ORDER BY rowid;`);
    lines.push(`INSERT INTO outbox (event_id, state, next_attempt_at, attempts, created_at)
SELECT id, 'done', recorded_at + 60000, 0, recorded_at FROM events;`);
  }
  for (const s of o.subscriptions ?? []) {
    lines.push(`INSERT INTO subscriptions (id, url, description, secret, state, created_by, created_at, updated_at)
VALUES (${q(s.id)}, ${q(s.url)}, 'benchmark receiver', ${q(s.secret)}, 'active', 'admin', ${created}, ${created});`);
  }
  return lines.join("\n");
}

/** Writes the SQL into the state directory and executes it. Returns the seconds it took. */
export function seed(persistDir, options) {
  const file = join(persistDir, "bench-seed.sql");
  writeFileSync(file, seedSql(options));
  const t = performance.now();
  executeFile(persistDir, file);
  return (performance.now() - t) / 1000;
}
