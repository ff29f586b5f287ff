/**
 * Matching items against commitments: the pure half. An item's significant words go to the
 * FTS5 statement (watch/match.repo.ts: one for all of a poll message's items, a query per item,
 * never per commitment), which keeps only the words that are rare in the index and ranks by them; the few candidates it ranks
 * highest are scored here on how much of the commitment's own wording the item carries, and kept
 * above MATCH_THRESHOLD. Quality is measured on a labelled set (tests/watch/match.labelled.json,
 * `npm run eval:match`); the cost per item is bounded by the constants below, whatever the size
 * of the ledger (bench/watch.mjs, BENCH_ONLY=watch).
 *
 * Score (0..1+): the share of the commitment's distinct title words (light-stemmed) found in the
 * item, leaving out the words of its parties' names (most items name the parties, so those words
 * tell commitments of the same parties apart from nothing), plus a bonus when one of its keywords
 * appears as a phrase. Suggested status: the cue words of the sentences that carry the match.
 */
import type { Progress } from "../ledger/commitments.rules";

/** Below this a candidate is not proposed. Tuned on the labelled set (README "Evidence watch"). */
export const MATCH_THRESHOLD = 0.5;
/** Candidates the FTS query returns per item. */
export const CANDIDATES_PER_ITEM = 8;
/** The item's words whose document frequency is looked at (title words first). */
export const MAX_ITEM_TERMS = 24;
/**
 * A word found in this many commitments or more is too common to rank anything, and is left out
 * of the query. Counting stops here, so a word costs at most DF_CAP postings to weigh, in a
 * ledger of 1k as of 100k commitments.
 */
export const DF_CAP = 64;
/** Words per FTS query: the rarest of the item's words (fewest commitments), ORed. */
export const MAX_QUERY_TERMS = 10;

const STOPWORDS = new Set(
  (
    "a about above after again against all also am an and any are as at be because been before being below between both but by can " +
    "could did do does doing down during each few for from further had has have having he her here hers him his how i if in into is it " +
    "its itself just me more most my no nor not now of off on once only or other our ours out over own same she should so some such than " +
    "that the their theirs them then there these they this those through to too under until up very was we were what when where which " +
    "while who whom why will with would you your yours within upon per via among amid new said says say today yesterday tomorrow week " +
    "month year years months weeks days day one two three first second third may might must shall us un de la le les et des du " +
    // Words every commitment and every official item uses: they rank nothing.
    "agreement agreements commitment commitments government governments official officials minister ministry statement press release " +
    "announced announce announces announcement news update updates report reports country countries state states national international " +
    "meeting meetings held hold holds take took taken make made sides side party parties joint issue issues " +
    // Verbs commitments are phrased with: the nouns say which commitment it is.
    "set prepare prepares prepared establish establishes established ensure develop implement implementation support continue " +
    "begin start promote provide create launch complete completed completion deliver pursue seek explore strengthen advance " +
    "improve expand enhance facilitate"
  ).split(/\s+/),
);

/** Lower case, no diacritics, NFKC: what both sides of a comparison go through. */
export function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase().normalize("NFKC");
}

/** A light English stemmer (plural and common verb endings): "meetings" ~ "meeting" ~ "meet". */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  const base = stripSuffix(word);
  // A final silent e goes too, so "close", "closed" and "closing" meet at "clos".
  return base.length > 4 && base.endsWith("e") ? base.slice(0, -1) : base;
}

function stripSuffix(word: string): string {
  for (const [suffix, keep] of [
    ["ies", "y"],
    ["ied", "y"],
    ["ing", ""],
    ["ed", ""],
    ["es", ""],
    ["s", ""],
  ] as const) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3 && !(suffix === "s" && word.endsWith("ss"))) {
      return word.slice(0, word.length - suffix.length) + keep;
    }
  }
  return word;
}

/** Words of a text (letters and digits of any script), folded. */
export function words(text: string): string[] {
  return fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The distinct significant words: no stopwords, no one- and two-letter words (digits kept from 4). */
export function significant(text: string): string[] {
  const out = new Set<string>();
  for (const w of words(text)) {
    if (STOPWORDS.has(w)) continue;
    if (/^\p{N}+$/u.test(w) ? w.length < 4 : w.length < 3) continue;
    out.add(w);
  }
  return [...out];
}

/**
 * The item's significant words as FTS5 terms, each quoted (so nothing in an item is FTS syntax),
 * title words first, distinct, at most MAX_ITEM_TERMS. The candidate statement weighs them by
 * document frequency and queries the rarest (watch/match.repo.ts). Empty when it has none.
 */
export function itemTerms(title: string, text: string): string[] {
  const terms = [...new Set([...significant(title), ...significant(text)])].slice(0, MAX_ITEM_TERMS);
  return terms.map((t) => `"${t.replace(/"/g, "")}"`);
}

export interface Candidate {
  id: string;
  title: string;
  keywords: string[];
  parties: string[];
}

const stems = (text: string) => new Set(significant(text).map(stem));

/** How well `item` matches `candidate` (0 = not at all). */
export function scoreMatch(itemText: string, candidate: Candidate): number {
  const itemStems = stems(itemText);
  const titleStems = signature(candidate);
  const folded = ` ${words(itemText).join(" ")} `;
  const phrase = (p: string) => {
    const w = words(p).join(" ");
    return w.length > 0 && folded.includes(` ${w} `);
  };
  let score = titleStems.length === 0 ? 0 : titleStems.filter((s) => itemStems.has(s)).length / titleStems.length;
  if (candidate.keywords.some(phrase)) score += 0.5;
  return Math.round(score * 1000) / 1000;
}

/** The commitment's title words that identify it: light-stemmed, without its parties' names. */
function signature(candidate: Candidate): string[] {
  const partyWords = new Set(candidate.parties.flatMap((p) => [...stems(p)]));
  return [...stems(candidate.title)].filter((s) => !partyWords.has(s));
}

/** Cue words, strongest first: a setback outweighs progress mentioned in the same breath. */
const CUES: Array<[Progress, RegExp]> = [
  ["stalled", /\b(postponed|suspended|delayed|put on hold|stalled|called off|cancell?ed|halted|paused)\b/],
  ["fulfilled", /\b(signed|ratified|completed|concluded|entered into force|finali[sz]ed|fulfilled)\b/],
  ["in_progress", /\b(established|launched|held (its|their) (first|inaugural) meeting|first meeting|inaugural meeting|convened|began|begun|started|set up|initiated|opened)\b/],
];

/** Sentences of a text. */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?;])\s+/).filter((s) => s.trim().length > 0);
}

/** The sentences of `text` that carry the most of the candidate's title words, best first. */
function matchingSentences(text: string, candidate: Candidate): string[] {
  const title = signature(candidate);
  const keys = candidate.keywords.map((k) => words(k).join(" "));
  return sentences(text)
    .map((s) => {
      const own = stems(s);
      const folded = ` ${words(s).join(" ")} `;
      const hits = title.filter((t) => own.has(t)).length + keys.filter((k) => k && folded.includes(` ${k} `)).length * 2;
      return { s, hits };
    })
    .filter((x) => x.hits > 0)
    .sort((a, b) => b.hits - a.hits)
    .map((x) => x.s);
}

/** The status the cue words near the match suggest, if any. A suggestion only: a person decides. */
export function suggestStatus(text: string, candidate: Candidate): Progress | null {
  const near = matchingSentences(text, candidate).slice(0, 3);
  const scope = fold(near.length > 0 ? near.join(" ") : text);
  for (const [status, cue] of CUES) if (cue.test(scope)) return status;
  return null;
}

/** The sentence that carries the match, at most 280 characters. */
export function snippetOf(text: string, candidate: Candidate): string {
  const best = matchingSentences(text, candidate)[0] ?? text;
  return best.length > 280 ? `${best.slice(0, 279)}…` : best;
}
