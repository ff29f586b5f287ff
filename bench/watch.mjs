/**
 * Evidence watch benchmark (BENCH_ONLY=watch): matching 1,000 new items against 1k vs 100k
 * commitments. Runs the watch's own code (src/watch/match.ts, loaded with Node 22's type
 * stripping) and its own candidate statement (CANDIDATE_SQL of src/watch/match.repo.ts) over the
 * FTS5 table, triggers and tokenizer of migrations/0006_evidence_watch.sql, in Node's SQLite
 * (node:sqlite: the same FTS5 engine D1 runs; no Worker or network in the loop, so the ratio
 * is the query's own scaling). Both databases are queried in alternating rounds.
 *
 * The ledgers are synthetic: titles and descriptions drawn from a 20,000-word vocabulary with a
 * Zipf-like skew (common words are common), 12 "official" words per commitment; items are
 * written about random commitments (half their title words plus noise) or about nothing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

export async function watchBench({ ROOT, addRow, log, results, round }) {
  const match = await import(join(ROOT, "src/watch/match.ts"));
  const repoText = readFileSync(join(ROOT, "src/watch/match.repo.ts"), "utf8");
  const candidateSql = /export const CANDIDATE_SQL = `([^`]+)`/.exec(repoText)[1].replace("${CANDIDATES_PER_ITEM}", String(match.CANDIDATES_PER_ITEM));
  const migration = readFileSync(join(ROOT, "migrations/0006_evidence_watch.sql"), "utf8");
  const custom = migration.slice(migration.indexOf("-- custom (not from drizzle-kit)"));
  const ftsStatements = custom
    .split("--> statement-breakpoint")
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => /^CREATE (VIRTUAL TABLE|TRIGGER) `?commitments_fts/.test(s));

  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const VOCAB = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}x${(i * 7919) % 997}`);
  const word = () => VOCAB[Math.floor(VOCAB.length * rand() ** 3)]; // skewed: low indices are common
  const phrase = (n) => Array.from({ length: n }, word).join(" ");

  function ledger(n) {
    const db = new DatabaseSync(":memory:");
    db.exec(`CREATE TABLE commitments (id TEXT PRIMARY KEY, agreement_id TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL,
      parties TEXT NOT NULL, party_keys TEXT NOT NULL, tags TEXT NOT NULL, keywords TEXT NOT NULL DEFAULT '[]', closed_at INTEGER)`);
    for (const s of ftsStatements) db.exec(s);
    const insert = db.prepare("INSERT INTO commitments VALUES (?, ?, ?, ?, ?, ?, ?, '[]', NULL)");
    const titles = [];
    db.exec("BEGIN");
    for (let i = 0; i < n; i++) {
      const title = phrase(8);
      titles.push(title);
      insert.run(`c${i}`, `a${i % 500}`, title, phrase(30), JSON.stringify(["Party A", "Party B"]), JSON.stringify(["party a", "party b"]), JSON.stringify([word()]));
    }
    db.exec("COMMIT");
    return { db, titles, stmt: db.prepare(candidateSql) };
  }

  const small = ledger(1_000);
  const large = ledger(100_000);
  // 1,000 items, the same for both: half about a commitment present in both ledgers (the first
  // 1,000 commitments of each differ, so the item quotes words of both), half about nothing.
  const items = Array.from({ length: 1_000 }, (_, i) => {
    const about = i % 2 === 0 ? small.titles[i % 1000].split(" ").slice(0, 4).join(" ") : "";
    return { title: `${about} ${phrase(4)}`.trim(), text: `${phrase(40)} ${about}` };
  });
  const queries = items.map((it) => match.itemQuery(it.title, it.text));

  function run(l) {
    const t0 = performance.now();
    let candidates = 0;
    let proposals = 0;
    for (let i = 0; i < queries.length; i++) {
      if (!queries[i]) continue;
      const rows = l.stmt.all(queries[i], null, null);
      candidates += rows.length;
      for (const r of rows) {
        const score = match.scoreMatch(`${items[i].title}. ${items[i].text}`, { id: r.id, title: r.title, keywords: JSON.parse(r.keywords), parties: JSON.parse(r.parties) });
        if (score >= match.MATCH_THRESHOLD) proposals++;
      }
    }
    return { ms: performance.now() - t0, candidates, proposals };
  }

  run(small);
  run(large); // warm both
  const rounds = { small: [], large: [] };
  for (let r = 0; r < 5; r++) {
    rounds.small.push(run(small));
    rounds.large.push(run(large));
  }
  const med = (xs) => xs.map((x) => x.ms).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const s = med(rounds.small);
  const l = med(rounds.large);
  results.watch = {
    items: items.length,
    smallMs: round(s, 1),
    largeMs: round(l, 1),
    ratio: round(l / s, 2),
    candidatesSmall: rounds.small[0].candidates,
    candidatesLarge: rounds.large[0].candidates,
    proposalsSmall: rounds.small[0].proposals,
    proposalsLarge: rounds.large[0].proposals,
  };
  log("watch matching", results.watch);
  addRow(
    "evidence watch: match 1,000 new items, 100k vs 1k commitments (FTS5, one query per item)",
    `${round(l, 1)} ms`,
    `${round(s, 1)} ms`,
    l / s,
    "≤ 1.3×",
    `${rounds.large[0].candidates} vs ${rounds.small[0].candidates} candidates scored, ${rounds.large[0].proposals} vs ${rounds.small[0].proposals} above the threshold`,
  );
  small.db.close();
  large.db.close();
}

// Standalone: node --no-warnings bench/watch.mjs
if (process.argv[1]?.endsWith("bench/watch.mjs")) {
  const rows = [];
  const results = {};
  await watchBench({
    ROOT: join(import.meta.dirname, ".."),
    addRow: (...r) => rows.push(r),
    log: (what, v) => console.log(what, JSON.stringify(v)),
    results,
    round: (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d,
  });
  console.log(rows);
}
