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

  // As the consumer sends them: one statement per poll message (10 sources × 3 items here).
  const PER_STATEMENT = 30;
  function run(l) {
    const t = performance.now();
    let candidates = 0;
    let proposals = 0;
    let found = 0;
    for (let start = 0; start < items.length; start += PER_STATEMENT) {
      const chunk = terms.slice(start, start + PER_STATEMENT).map((t) => [t, null, null]);
      const got = l.stmt.all(JSON.stringify(chunk), match.DF_CAP, match.MAX_QUERY_TERMS, match.CANDIDATES_PER_ITEM);
      candidates += got.length;
      for (const r of got) {
        const it = items[start + r.n];
        const score = match.scoreMatch(`${it.title}. ${it.text}`, { id: r.id, title: r.title, keywords: JSON.parse(r.keywords), parties: JSON.parse(r.parties) });
        if (score < match.MATCH_THRESHOLD) continue;
        proposals++;
        if (r.id === it.about) found++;
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
    "evidence watch: match 1,000 new items, 100k vs 1k commitments (FTS5, rare words only, one statement per 30 items)",
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

/**
 * BENCH_ONLY=polls: 1,000 due sources polled by the real worker under `wrangler dev` (its cron
 * handler, its polls queue and consumer, local D1) from a loopback server that serves one RSS feed
 * per source (3 items each, with an ETag). Round 1: the cron claims all 1,000, sends 143 messages
 * of at most 7 ids; the consumer (one message per invocation) fetches, reads, matches and records them.
 * Round 2, an hour later: the same 1,000 again, now conditional GETs answered 304. Reports the
 * time from the cron trigger until every source's health shows the poll, and, from the consumer's
 * one log line per message, the fetches (subrequests) and D1 queries of each invocation.
 */
export async function pollBench({ ROOT, boot, work, addRow, log, results, round, openD1, pollUntil, sources = 1_000 }) {
  const { createServer } = await import("node:http");
  const { mkdirSync } = await import("node:fs");
  const served = { requests: 0, ok: 0, notModified: 0, active: 0, maxActive: 0 };
  const server = createServer((req, res) => {
    served.requests++;
    served.active++;
    served.maxActive = Math.max(served.maxActive, served.active);
    res.on("finish", () => served.active--);
    const k = /^\/feed\/(\d+)\.xml$/.exec(req.url ?? "")?.[1];
    if (k === undefined) return res.writeHead(404).end();
    const etag = `"feed-${k}-v1"`;
    if (req.headers["if-none-match"] === etag) {
      served.notModified++;
      return res.writeHead(304, { etag }).end();
    }
    served.ok++;
    const items = [1, 2, 3]
      .map((n) => `<item><title>Bulletin ${k}.${n}: the regional council met on budget matters</title><link>http://127.0.0.1/news/${k}/${n}</link>` +
        `<description>Notes of session ${n} of council ${k}: minutes approved, next session scheduled.</description><pubDate>Mon, 30 Nov 2026 09:00:00 GMT</pubDate></item>`)
      .join("");
    res.writeHead(200, { "content-type": "application/rss+xml", etag });
    res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${k}</title><link>http://127.0.0.1/</link><description>Bench feed</description>${items}</channel></rss>`);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const dir = join(work, "polls");
  mkdirSync(dir, { recursive: true });
  const w = await boot(dir);
  try {
    const imported = await w.api("POST", "/api/v1/import", JSON.parse(readFileSync(join(ROOT, "data/default.json"), "utf8")));
    if (imported.status !== 200) throw new Error(`polls bench: import ${imported.status}`);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < sources) {
          const k = next++;
          const r = await w.api("POST", "/api/v1/sources", { url: `${origin}/feed/${k}.xml`, kind: "feed" });
          if (r.status !== 201) throw new Error(`polls bench: source ${k}: ${r.status} ${JSON.stringify(r.body)}`);
        }
      }),
    );
    log(`polls: ${sources} sources created through the API in ${round((performance.now() - t0) / 1000, 1)} s`);

    const polledSince = (since) => {
      const db = openD1(dir);
      try {
        return db.get("SELECT count(*) AS n FROM sources WHERE last_fetched_at >= ?", since).n;
      } finally {
        db.close();
      }
    };
    const messages = () =>
      w.log.filter((l) => l.includes("poll message: ")).map((l) => JSON.parse(l.slice(l.indexOf("poll message: ") + 14).replace(/\x1b\[[0-9;]*m/g, "")));
    async function pollRound(name, time) {
      const logged = messages().length;
      const requestsBefore = served.requests;
      const since = Date.now();
      const t = performance.now();
      await w.sweep(time);
      const cronMs = performance.now() - t;
      const done = await pollUntil(() => polledSince(since) >= sources, 15 * 60_000, 200);
      const drainMs = performance.now() - t;
      // The consumer's log line for a message arrives just after its batch is recorded.
      await pollUntil(() => messages().slice(logged).reduce((n, m) => n + m.sources, 0) >= sources, 20_000, 100);
      const mine = messages().slice(logged);
      const r = {
        sources,
        polled: polledSince(since),
        finished: Boolean(done),
        cronMs: round(cronMs),
        drainSeconds: round(drainMs / 1000, 1),
        sourcesPerSecond: round(polledSince(since) / (drainMs / 1000), 1),
        messages: mine.length,
        requestsServed: served.requests - requestsBefore,
        maxFetchesPerInvocation: Math.max(...mine.map((m) => m.fetches)),
        maxQueriesPerInvocation: Math.max(...mine.map((m) => m.queries ?? 0)),
        newItems: mine.reduce((n, m) => n + m.newItems, 0),
        failed: mine.reduce((n, m) => n + m.failed, 0),
      };
      log(`polls ${name}`, r);
      return r;
    }
    const first = await pollRound("first (200, 3 new items each)", Date.now() + 60_000);
    const notModifiedBefore = served.notModified;
    const second = await pollRound("second (304)", Date.now() + 2 * 3600_000);
    second.notModified = served.notModified - notModifiedBefore;
    results.polls = { first, second, serverMaxConcurrent: served.maxActive };
    addRow(
      `evidence watch: poll ${sources} due sources (loopback RSS, 3 new items each): cron claim → queue drained`,
      `${first.drainSeconds} s`,
      "",
      null,
      "≤ 50 subrequests per invocation",
      `${first.messages} messages (one per invocation): ≤ ${first.maxFetchesPerInvocation} fetches, ≤ ${first.maxQueriesPerInvocation} D1 queries each; cron ${first.cronMs} ms; ${first.newItems} new items`,
    );
    addRow(
      `evidence watch: the same ${sources} sources an hour later (conditional GET, 304)`,
      `${second.drainSeconds} s`,
      "",
      null,
      "≤ 50 subrequests per invocation",
      `${second.notModified} answered 304; ≤ ${second.maxFetchesPerInvocation} fetches, ≤ ${second.maxQueriesPerInvocation} D1 queries per invocation`,
    );
  } finally {
    await w.stop();
    await new Promise((r) => server.close(r));
  }
}
