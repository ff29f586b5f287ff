/**
 * Evidence watch benchmark (BENCH_ONLY=watch): matching 1,000 new items against 1k vs 100k
 * commitments. Runs the watch's own code (src/watch/match.ts, loaded with Node 22's type
 * stripping) and its own candidate statement (CANDIDATE_SQL of src/watch/match.repo.ts) over the
 * FTS5 table, triggers and tokenizer of migrations/0010_evidence_watch.sql, in Node's SQLite
 * (node:sqlite: the same FTS5 engine D1 runs; no Worker or network in the loop, so the ratio
 * is the statement's own scaling). Both databases are queried in alternating rounds.
 *
 * The ledgers are synthetic, written like a ledger of agreements: 20 commitments per agreement;
 * titles and descriptions mostly drawn from a 20,000-word vocabulary with a Zipf-like skew
 * (common words are common), plus names, as real commitments carry them ("the Margara crossing",
 * "the Strategic Working Group"): each agreement has 4 names of its own, and each commitment's
 * 8-word title holds one of its agreement's names and one name of its own. So, as in real text,
 * the vocabulary grows with the ledger (a closed vocabulary makes every word common at 100k,
 * which no ledger of agreements looks like). The 1k ledger is the first 1,000 commitments of the
 * 100k one, so an item about one of them has the same right answer in both: `found` counts the
 * items whose commitment is among their proposals (recall at scale). Half the items are about one
 * of those commitments (4 of its 8 title words, chosen at random, plus 44 other words), half
 * about nothing.
 *
 * For context, the statement before (every significant word ORed, ranked by bm25) runs once over
 * the first 100 items in each ledger: it scores every commitment sharing any word with the item.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

const ORED_SQL = `SELECT c.id FROM commitments_fts f JOIN commitments c ON c.rowid = f.rowid
WHERE commitments_fts MATCH ?1 AND c.closed_at IS NULL ORDER BY bm25(commitments_fts, 10.0, 2.0, 4.0, 2.0, 8.0) LIMIT ?2`;

export async function watchBench({ ROOT, addRow, log, results, round }) {
  const match = await import(join(ROOT, "src/watch/match.ts"));
  const repoText = readFileSync(join(ROOT, "src/watch/match.repo.ts"), "utf8");
  const candidateSql = /export const CANDIDATE_SQL = `([^`]+)`/.exec(repoText)[1];
  const migration = readFileSync(join(ROOT, "migrations/0010_evidence_watch.sql"), "utf8");
  const custom = migration.slice(migration.indexOf("-- custom (not from drizzle-kit)"));
  const ftsStatements = custom
    .split("--> statement-breakpoint")
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => /^CREATE (VIRTUAL TABLE|TRIGGER) `?commitments_fts/.test(s));
  if (ftsStatements.length !== 4) throw new Error(`watch bench: expected the FTS table and 3 triggers, found ${ftsStatements.length}`);

  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const VOCAB = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}x${(i * 7919) % 997}`);
  const word = () => VOCAB[Math.floor(VOCAB.length * rand() ** 3)]; // skewed: low indices are common
  const phrase = (n) => Array.from({ length: n }, word).join(" ");

  const t0 = performance.now();
  const agreementName = (i) => `agr${Math.floor(i / 20).toString(36)}n${Math.floor(rand() * 4)}`;
  const shuffle = (xs) => {
    for (let k = xs.length - 1; k > 0; k--) {
      const j = Math.floor(rand() * (k + 1));
      [xs[k], xs[j]] = [xs[j], xs[k]];
    }
    return xs;
  };
  const rows = Array.from({ length: 100_000 }, (_, i) => {
    const title = shuffle([...phrase(6).split(" "), agreementName(i), `own${i.toString(36)}q`]);
    return { id: `c${i}`, agreement: `a${Math.floor(i / 20)}`, title: title.join(" "), description: `${phrase(28)} ${agreementName(i)}`, tags: JSON.stringify([word()]) };
  });
  function ledger(n) {
    const db = new DatabaseSync(":memory:");
    db.exec(`CREATE TABLE commitments (id TEXT PRIMARY KEY, agreement_id TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL,
      parties TEXT NOT NULL, party_keys TEXT NOT NULL, tags TEXT NOT NULL, keywords TEXT NOT NULL DEFAULT '[]', closed_at INTEGER)`);
    for (const s of ftsStatements) db.exec(s);
    const insert = db.prepare("INSERT INTO commitments VALUES (?, ?, ?, ?, ?, ?, ?, '[]', NULL)");
    db.exec("BEGIN");
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      insert.run(r.id, r.agreement, r.title, r.description, JSON.stringify(["Party A", "Party B"]), JSON.stringify(["party a", "party b"]), r.tags);
    }
    db.exec("COMMIT");
    return { db, stmt: db.prepare(candidateSql), ored: db.prepare(ORED_SQL) };
  }
  const small = ledger(1_000);
  const large = ledger(100_000);
  log(`watch: seeded 1k and 100k commitments in node:sqlite in ${round((performance.now() - t0) / 1000, 1)} s`);

  const items = Array.from({ length: 1_000 }, (_, i) => {
    const about = i % 2 === 0 ? shuffle(rows[i].title.split(" ")).slice(0, 4).join(" ") : "";
    return { about: i % 2 === 0 ? rows[i].id : null, title: `${about} ${phrase(4)}`.trim(), text: `${phrase(40)} ${about}` };
  });
  const terms = items.map((it) => match.itemTerms(it.title, it.text));

  function run(l) {
    const t = performance.now();
    let candidates = 0;
    let proposals = 0;
    let found = 0;
    for (let i = 0; i < items.length; i++) {
      if (terms[i].length === 0) continue;
      const got = l.stmt.all(JSON.stringify(terms[i]), null, null, match.DF_CAP, match.MAX_QUERY_TERMS, match.CANDIDATES_PER_ITEM);
      candidates += got.length;
      for (const r of got) {
        const score = match.scoreMatch(`${items[i].title}. ${items[i].text}`, { id: r.id, title: r.title, keywords: JSON.parse(r.keywords), parties: JSON.parse(r.parties) });
        if (score < match.MATCH_THRESHOLD) continue;
        proposals++;
        if (r.id === items[i].about) found++;
      }
    }
    return { ms: performance.now() - t, candidates, proposals, found };
  }
  function runOred(l) {
    const t = performance.now();
    for (let i = 0; i < 100; i++) if (terms[i].length > 0) l.ored.all(terms[i].join(" OR "), match.CANDIDATES_PER_ITEM);
    return performance.now() - t;
  }

  run(small);
  run(large); // warm both
  const rounds = { small: [], large: [] };
  for (let r = 0; r < 5; r++) {
    rounds.small.push(run(small));
    rounds.large.push(run(large));
  }
  const oredSmall = runOred(small);
  const oredLarge = runOred(large);
  const med = (xs) => xs.map((x) => x.ms).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const s = med(rounds.small);
  const l = med(rounds.large);
  const about = items.filter((it) => it.about).length;
  results.watch = {
    items: items.length,
    itemsAboutACommitment: about,
    rounds: 5,
    limits: { maxItemTerms: match.MAX_ITEM_TERMS, dfCap: match.DF_CAP, maxQueryTerms: match.MAX_QUERY_TERMS, candidatesPerItem: match.CANDIDATES_PER_ITEM },
    smallMs: round(s, 1),
    largeMs: round(l, 1),
    ratio: round(l / s, 2),
    candidatesSmall: rounds.small[0].candidates,
    candidatesLarge: rounds.large[0].candidates,
    proposalsSmall: rounds.small[0].proposals,
    proposalsLarge: rounds.large[0].proposals,
    foundSmall: rounds.small[0].found,
    foundLarge: rounds.large[0].found,
    oredFirst100: { smallMs: round(oredSmall, 1), largeMs: round(oredLarge, 1), ratio: round(oredLarge / oredSmall, 1) },
  };
  log("watch matching", results.watch);
  const w = results.watch;
  addRow(
    "evidence watch: match 1,000 new items, 100k vs 1k commitments (FTS5, rare words only, one statement per item)",
    `${w.largeMs} ms`,
    `${w.smallMs} ms`,
    l / s,
    "≤ 1.3×",
    `median of 5 alternating runs; found the item's commitment for ${w.foundLarge} vs ${w.foundSmall} of ${about} items; ${w.proposalsLarge} vs ${w.proposalsSmall} proposals`,
  );
  addRow(
    "evidence watch, before: every word ORed (100 items), 100k vs 1k",
    `${w.oredFirst100.largeMs} ms`,
    `${w.oredFirst100.smallMs} ms`,
    oredLarge / oredSmall,
    "context",
    "the statement this replaced: it scores every commitment sharing any word with the item",
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
    log: (...a) => console.log(...a.map((x) => (typeof x === "string" ? x : JSON.stringify(x)))),
    results,
    round: (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d,
  });
  console.log(rows);
}
