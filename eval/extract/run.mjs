/**
 * npm run eval:extract — runs the Worker's extractor (src/intake/drafts/drafts.extract.ts, bundled
 * by the esbuild that wrangler ships) over the labelled corpus and prints, per document and
 * overall: recall, precision, deadline accuracy and parties F1. Writes eval/extract/results.json.
 *
 * A draft matches a gold item when their spans overlap by at least half of the shorter one (each
 * gold item matches at most one draft). A draft on an "optional" sentence and no gold counts
 * neither way. Deadline accuracy: matched items whose gold states a deadline, counted right when
 * the draft read a deadline with exactly the gold due_on (null for an event anchor). Parties F1:
 * over matched items, names compared case-folded, ignoring "the" and company suffixes, and a name
 * matching when one's words contain the other's ("ExxonMobil" ~ "ExxonMobil Corporation").
 */
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { corpus } from "./corpus.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bundle = await build({
  entryPoints: [`${root}src/intake/drafts/drafts.extract.ts`],
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  logLevel: "error",
});
const { extractDrafts } = await import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString("base64")}`);

const spanOf = (text, quote) => {
  const at = text.indexOf(quote);
  if (at < 0) throw new Error(`label not in its text: ${quote.slice(0, 60)}…`);
  return [at, at + quote.length];
};
const overlaps = (a, b) => {
  const common = Math.min(a[1], b[1]) - Math.max(a[0], b[0]);
  return common > 0 && common >= Math.min(a[1] - a[0], b[1] - b[0]) / 2;
};
const norm = (name) =>
  name.normalize("NFC").toLowerCase().replace(/\b(the|corporation|corp|inc|ltd|as|s\.a\.|sa|plc)\b/g, " ").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
const sameParty = (a, b) => {
  const [x, y] = [norm(a), norm(b)];
  return x === y || ` ${x} `.includes(` ${y} `) || ` ${y} `.includes(` ${x} `);
};

const total = { gold: 0, matched: 0, drafts: 0, counted: 0, correct: 0, withDeadline: 0, deadlineRight: 0, tp: 0, fp: 0, fn: 0, distractorHits: 0 };
const documents = [];
const ratio = (a, b) => (b === 0 ? null : Math.round((a / b) * 1000) / 1000);
const fmt = (x) => (x === null ? "  –  " : x.toFixed(3));

for (const doc of corpus) {
  const drafts = extractDrafts({ text: doc.text, signedOn: doc.signed_on, parties: doc.parties });
  for (const d of drafts) if (doc.text.slice(d.span[0], d.span[1]) !== d.quote) throw new Error(`span does not give the quote in ${doc.id}`);
  const gold = doc.gold.map((g) => ({ ...g, span: spanOf(doc.text, g.quote) }));
  const optional = doc.optional.map((q) => spanOf(doc.text, q));
  const distractors = doc.distractors.map((q) => ({ quote: q, span: spanOf(doc.text, q) }));
  const used = new Set();
  const misses = [];
  const wrongDeadlines = [];
  let matched = 0, withDeadline = 0, deadlineRight = 0, tp = 0, fp = 0, fn = 0;
  for (const g of gold) {
    const i = drafts.findIndex((d, k) => !used.has(k) && overlaps(d.span, g.span));
    if (i < 0) {
      misses.push(g.quote);
      continue;
    }
    used.add(i);
    matched++;
    const d = drafts[i];
    if (g.deadline_phrase !== null) {
      withDeadline++;
      if (d.deadline && d.deadline.due_on === g.due_on) deadlineRight++;
      else wrongDeadlines.push({ quote: g.quote, gold: g.due_on, got: d.deadline ? { phrase: d.deadline.phrase, due_on: d.deadline.due_on } : null });
    }
    const hit = g.parties.filter((p) => d.parties.some((q) => sameParty(p, q))).length;
    tp += hit;
    fn += g.parties.length - hit;
    fp += d.parties.filter((q) => !g.parties.some((p) => sameParty(p, q))).length;
  }
  const extra = drafts.filter((d, k) => !used.has(k) && !optional.some((o) => overlaps(d.span, o)));
  const ignored = drafts.filter((d, k) => !used.has(k)).length - extra.length;
  const counted = drafts.length - ignored;
  const distractorHits = distractors.filter((x) => drafts.some((d) => overlaps(d.span, x.span))).map((x) => x.quote);
  const row = {
    id: doc.id,
    style: doc.style,
    gold: gold.length,
    drafts: drafts.length,
    recall: ratio(matched, gold.length),
    precision: ratio(matched, counted),
    deadline_accuracy: ratio(deadlineRight, withDeadline),
    parties_f1: ratio(2 * tp, 2 * tp + fp + fn),
    missed: misses,
    false_drafts: extra.map((d) => d.quote),
    distractor_hits: distractorHits,
    wrong_deadlines: wrongDeadlines,
  };
  documents.push(row);
  Object.assign(total, {
    gold: total.gold + gold.length,
    matched: total.matched + matched,
    drafts: total.drafts + drafts.length,
    counted: total.counted + counted,
    withDeadline: total.withDeadline + withDeadline,
    deadlineRight: total.deadlineRight + deadlineRight,
    tp: total.tp + tp,
    fp: total.fp + fp,
    fn: total.fn + fn,
    distractorHits: total.distractorHits + distractorHits.length,
  });
}

const overall = {
  documents: corpus.length,
  gold: total.gold,
  drafts: total.drafts,
  recall: ratio(total.matched, total.gold),
  precision: ratio(total.matched, total.counted),
  deadline_accuracy: ratio(total.deadlineRight, total.withDeadline),
  parties_f1: ratio(2 * total.tp, 2 * total.tp + total.fp + total.fn),
  distractor_hits: total.distractorHits,
};

console.log(`${"document".padEnd(30)} gold drafts recall  prec.  deadl. parties`);
for (const r of documents) {
  console.log(`${r.id.padEnd(30)} ${String(r.gold).padStart(4)} ${String(r.drafts).padStart(6)}  ${fmt(r.recall)}  ${fmt(r.precision)}  ${fmt(r.deadline_accuracy)}  ${fmt(r.parties_f1)}`);
  for (const m of r.missed) console.log(`    missed: ${m.slice(0, 110)}`);
  for (const m of r.false_drafts) console.log(`    not a commitment: ${m.slice(0, 100)}`);
  for (const w of r.wrong_deadlines) console.log(`    deadline: want ${w.gold}, got ${JSON.stringify(w.got)}: ${w.quote.slice(0, 70)}`);
}
console.log(`${"overall".padEnd(30)} ${String(overall.gold).padStart(4)} ${String(overall.drafts).padStart(6)}  ${fmt(overall.recall)}  ${fmt(overall.precision)}  ${fmt(overall.deadline_accuracy)}  ${fmt(overall.parties_f1)}`);
console.log(`distractor sentences drafted: ${overall.distractor_hits}`);
writeFileSync(new URL("./results.json", import.meta.url), `${JSON.stringify({ overall, documents }, null, 2)}\n`);
