/**
 * Proposes commitments from a pasted statement: pure and deterministic (no db, no HTTP, no clock),
 * so `npm run eval:extract` runs the same code offline against eval/extract/.
 *
 * Steps: paragraphs (blank lines and line breaks) → sentences (compromise's tokenizer, which knows
 * abbreviations such as "Dr." and "Sec.") → keep a sentence when it carries a forward-looking cue
 * (a modal "will/shall/must/should", "is to", "it is planned", "undertake to", "agreed that"…,
 * or an item of a list introduced by "commit to:") and no refusal cue ("Nothing in this order
 * shall be construed") → the deadline phrase (drafts.deadlines.ts) → who carries it out → a short
 * title. Every quote is a slice of the text: `text.slice(span[0], span[1]) === quote`.
 */
import nlp from "compromise/one";
import { partyKey } from "../../lib/parties";
import { readDeadline, type DraftDeadline } from "./drafts.deadlines";

export interface ExtractInput {
  text: string;
  /** The agreement's signing date (YYYY-MM-DD), anchoring relative deadlines. */
  signedOn: string | null;
  /** The agreement's parties: who a draft names, or all of them when it names none. */
  parties: string[];
}

export interface ExtractedDraft {
  title: string;
  quote: string;
  span: [number, number];
  parties: string[];
  deadline: Omit<DraftDeadline, "at"> | null;
  cues: string[];
  confidence: number;
}

interface Sentence {
  text: string;
  start: number;
  /** The sentence follows a line ending "commit to:", "agreed as follows:"… in the same block. */
  listItem: boolean;
  /** The sentence before it in its paragraph (for "The document…" that names no party). */
  previous: string | null;
}

/** Forward-looking cues, strongest first; each has a weight for the confidence. */
const CUES: { name: string; re: RegExp; weight: number }[] = [
  { name: "shall", re: /\bshall\b/i, weight: 0.9 },
  { name: "will", re: /\bwill\b/i, weight: 0.8 },
  { name: "must", re: /\bmust\b/i, weight: 0.85 },
  { name: "undertake to", re: /\bundertakes? to\b/i, weight: 0.9 },
  { name: "commit to", re: /\bcommits? (?:to|themselves to|itself to)\b/i, weight: 0.9 },
  { name: "pledge to", re: /\bpledges? to\b/i, weight: 0.85 },
  { name: "committed to", re: /\b(?:is|are|remain|remains) (?:fully )?committed to\b/i, weight: 0.7 },
  { name: "aim to", re: /\baims? to\b/i, weight: 0.6 },
  { name: "is to", re: /\b(?:is|are) to (?!be (?:noted|welcomed)\b)[a-z]+/i, weight: 0.75 },
  { name: "it is planned", re: /\b(?:it is|it was|is|are) planned\b/i, weight: 0.75 },
  { name: "plans to", re: /\bplans? to\b/i, weight: 0.7 },
  { name: "intend to", re: /\bintends? to\b/i, weight: 0.75 },
  { name: "is expected to", re: /\b(?:is|are) expected to\b/i, weight: 0.65 },
  { name: "expects", re: /\bexpects?\b/i, weight: 0.55 },
  { name: "agreed to", re: /\bagreed (?:to|that|on)\b/i, weight: 0.75 },
  { name: "resolved to", re: /\b(?:resolved?|decided?|determined) (?:to|that)\b/i, weight: 0.75 },
  { name: "should", re: /\bshould\b/i, weight: 0.55 },
  { name: "provision on", re: /\bprovision on (?!the\b)[a-z]+ing\b/i, weight: 0.5 },
  { name: "provides for", re: /\bprovides for\b/i, weight: 0.5 },
  { name: "areas of cooperation", re: /\bareas of cooperation aimed at\b/i, weight: 0.45 },
  { name: "appeal to", re: /\b(?:appeal|call|request) to (?:the )?[A-Z][^,;]*? to [a-z]+/, weight: 0.5 },
  { name: "the need to", re: /\bthe need to [a-z]+/i, weight: 0.4 },
];

/** Sentences that carry a cue word but promise nothing. */
const REFUSALS: RegExp[] = [
  /^nothing in\b/i,
  /\bshall (?:not )?be construed\b/i,
  /\bis not intended to\b/i,
  /\b(?:not|non-) ?legally binding\b/i,
  /^(?:this|the present) (?:order|decree|declaration|agreement|memorandum|statement) (?:shall )?(?:enters?|come|comes) into force\b/i,
  /\b(?:will|shall) (?:never|always) be (?:remembered|grateful)\b/i,
];

/** A line that introduces a list of commitments ("Hereby commit to:", "Have agreed as follows:"). */
const LIST_LEAD = /\b(?:commit|undertake|agree|decide|resolve|pledge)[a-z]*(?: to| as follows| on the following)?\s*:\s*$/i;
const ENUMERATOR = /^(?:(?:article|section|sec\.|art\.)\s*\d+[a-z]?\.?\s*(?:[A-Z][a-z]+(?: [A-Za-z]+){0,3}\.\s+)?|\(?[0-9]{1,2}[.)]\s+|\(?[a-z]{1,3}\)\s+|[-•*–]\s+)/i;
const IMPERATIVE = /^(?:Designate|Establish|Create|Set up|Adopt|Develop|Ensure|Provide|Submit|Publish|Review|Reduce|Increase|Implement|Strengthen|Promote|Support|Launch|Hold|Convene|Complete|Phase out|End|Eliminate|Protect|Restore|Share|Exchange|Mobilise|Mobilize|Invest|Build|Open|Report|Prepare|Deploy|Withdraw|Release|Resume|Halve|Double|Achieve|Introduce|Allocate|Finalise|Finalize|Ratify|Sign)\b/;

/** Paragraphs, then compromise's sentences within each, with their offsets into the text. */
function sentencesOf(text: string): Sentence[] {
  const out: Sentence[] = [];
  const blocks = /[^\n]+/g;
  let inList = false;
  for (let block = blocks.exec(text); block; block = blocks.exec(text)) {
    const line = block[0];
    if (line.trim() === "") continue;
    let cursor = 0;
    let previous: string | null = null;
    const listItem = inList && (ENUMERATOR.test(line.trim()) || IMPERATIVE.test(line.trim()));
    // Tokenizing is most of the cost (compromise, ≈ 1 ms/KB): a paragraph without a cue word and
    // outside a list cannot hold a draft, so it is not split at all.
    const candidate = listItem || CUES.some((c) => c.re.test(line));
    const parts = candidate ? (nlp(line).json({ offset: false }) as { text: string }[]) : [];
    for (const part of parts) {
      const t = part.text.trim();
      if (!t) continue;
      const at = line.indexOf(t, cursor);
      if (at < 0) continue;
      cursor = at + t.length;
      out.push({ text: t, start: block.index + at, listItem, previous });
      previous = t;
    }
    // A lead-in opens a list; the list ends at a paragraph that is neither an item nor the lead.
    if (LIST_LEAD.test(line)) inList = true;
    else if (!listItem) inList = false;
  }
  return out;
}

/** Trims an enumerator ("Article 3.", "(b)", "1.") off the front of a quote. */
function stripEnumerator(s: Sentence): Sentence {
  let text = s.text;
  let start = s.start;
  for (let m = ENUMERATOR.exec(text); m && m[0].length < text.length; m = ENUMERATOR.exec(text)) {
    text = text.slice(m[0].length);
    start += m[0].length;
  }
  return { ...s, text, start };
}

/** Common words a party name's distinctive words leave out ("Department of the Interior" → Interior). */
const GENERIC = new Set(
  "the of and for on in to a an department ministry government city municipality republic kingdom state states agency office council organization organisation corporation company inc ltd as s.a. sa plc group".split(" "),
);
const DEMONYMS: Record<string, string[]> = {
  "united states": ["US", "U.S.", "American", "USA"],
  "european union": ["EU"],
  "world health organization": ["WHO"],
};

function distinctiveWords(name: string): string[] {
  return name.split(/[\s,]+/).filter((w) => w.length > 1 && !GENERIC.has(w.toLowerCase()));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The patterns that find a party in a sentence, built once per name. */
const PARTY_PATTERNS = new Map<string, { aliases: RegExp[]; words: RegExp[] }>();

function partyPatterns(party: string) {
  let found = PARTY_PATTERNS.get(party);
  if (found) return found;
  const aliases = (DEMONYMS[partyKey(party)] ?? []).map((a) => new RegExp(`(?<![A-Za-z])${escapeRe(a)}(?![A-Za-z])`));
  const distinct = distinctiveWords(party);
  // Each distinctive word, allowing a demonym ending on the last one (Armenia → Armenian).
  const words = distinct.length === 0
    ? [new RegExp(`\\b${escapeRe(party)}\\b`, "i")]
    : distinct.map((w, i) => new RegExp(`(?<![\\p{L}])${escapeRe(w)}${i === distinct.length - 1 && w.length >= 5 ? "(?:n|ns|ian|ese|i|ish)?" : ""}(?![\\p{L}])`, "u"));
  found = { aliases, words };
  if (PARTY_PATTERNS.size > 1000) PARTY_PATTERNS.clear();
  PARTY_PATTERNS.set(party, found);
  return found;
}

/** Is `party` named in `sentence`: its name, its distinctive words, a demonym ("Azerbaijani"). */
function names(sentence: string, party: string): boolean {
  const { aliases, words } = partyPatterns(party);
  return aliases.some((re) => re.test(sentence)) || words.every((re) => re.test(sentence));
}

/** Organisations a sentence names that are not among the parties: all-caps names, and Corp./ExxonMobil-like names. */
const ORG = /\b(?:[A-Z]{3,}(?:-[A-Z]{2,})?|[A-Z][a-z]+[A-Z][A-Za-z]+)\b/g;
const NOT_ORGS = new Set(["EUR", "USD", "NZD", "GBP", "OSCE", "THE", "WHITE", "HOUSE", "MEMORANDUM", "UNDERSTANDING", "EXECUTIVE", "ORDER", "AS"]);

function partiesOf(s: Sentence, parties: string[]): string[] {
  const named = parties.filter((p) => names(s.text, p));
  if (named.length > 0) return named;
  const orgs = (text: string) => [...new Set(text.match(ORG) ?? [])].filter((o) => !NOT_ORGS.has(o) && !parties.some((p) => names(o, p)));
  const own = orgs(s.text);
  if (own.length > 0) return own;
  // "The document defines…", "the companies will…": the parties of the sentence before.
  if (s.previous && /^(?:the|this|these|such) (?:document|memorandum|provision|agreement|companies|company|parties|sides)\b/i.test(s.text)) {
    const before = parties.filter((p) => names(s.previous!, p));
    return before.length > 0 ? before : orgs(s.previous);
  }
  return [...parties];
}

const LEADS = [
  /^(?:according to|under|in|within) the [^,]+?, /i,
  /^(?:in addition|moreover|furthermore|thus|in this context|it was noted that|it was also noted that|it was agreed that|the document also states that|it is planned|it was determined that)[, ]+/i,
];

/** A short imperative restatement: the words after the cue, without the deadline, capitalised. */
function titleOf(quote: string, deadline: DraftDeadline | null): string {
  let text = deadline ? (quote.slice(0, deadline.at[0]) + quote.slice(deadline.at[1])).replace(/\s+,/g, ",").replace(/,\s*,/g, ",") : quote;
  text = text.replace(/\s{2,}/g, " ").trim();
  const verbAfter =
    /\b(?:shall|will|must|should|would|(?:is|are) to|(?:is|are|it is|it was) planned to|plans? to|intends? to|undertakes? to|commits? to|pledges? to|(?:is|are) (?:fully )?committed to|aims? to|(?:is|are) expected to|agreed to|resolved to|decided to|decide to)\s*,?\s+(?:also\s+|further\s+|jointly\s+)?(.+)$/i.exec(text);
  let title: string;
  const passive = verbAfter && /^be (?:taken to )?(.+)$/i.exec(verbAfter[1]!);
  if (verbAfter && passive) {
    const subject = text.slice(0, verbAfter.index).replace(/^.*\b(?:that|the document also states that)\s+/i, "").trim();
    title = /^taken to /i.test(verbAfter[1]!.slice(3)) || !subject ? passive[1]! : `${subject} to be ${passive[1]}`;
    if (/^be taken to /i.test(verbAfter[1]!)) title = verbAfter[1]!.replace(/^be taken to /i, "");
  } else if (verbAfter) {
    title = verbAfter[1]!;
  } else {
    const provision = /\bprovision on (.+)$/i.exec(text) ?? /\bthe need to (.+)$/i.exec(text) ?? /\bappeal to [^,]*? to (.+?)(?: is\b|$)/i.exec(text);
    title = provision ? provision[1]! : LEADS.reduce((t, re) => t.replace(re, ""), text);
  }
  title = title.replace(/[.;:,\s]+$/, "").replace(/\s+(?:that|which) (?:will|would) .+$/i, "").trim();
  if (title.length > 160) {
    const cut = title.slice(0, 157);
    title = `${cut.slice(0, Math.max(cut.lastIndexOf(" "), 100))}…`;
  }
  return title.charAt(0).toUpperCase() + title.slice(1);
}

/** The drafts a statement proposes, in text order. */
export function extractDrafts(input: ExtractInput): ExtractedDraft[] {
  const drafts: ExtractedDraft[] = [];
  for (const raw of sentencesOf(input.text)) {
    const s = stripEnumerator(raw);
    if (REFUSALS.some((re) => re.test(s.text)) || LIST_LEAD.test(s.text)) continue;
    const cues = CUES.filter((c) => c.re.test(s.text));
    if (s.listItem) cues.unshift({ name: "list of commitments", re: /$/, weight: 0.8 });
    if (cues.length === 0) continue;
    const deadline = readDeadline(s.text, input.signedOn);
    const parties = partiesOf(s, input.parties);
    const strongest = Math.max(...cues.map((c) => c.weight));
    const confidence = Math.min(0.99, strongest + (deadline ? 0.1 : 0) + (parties.length < input.parties.length ? 0.05 : 0));
    const { at: _at, ...shown } = deadline ?? { at: null };
    drafts.push({
      title: titleOf(s.text, deadline),
      quote: s.text,
      span: [s.start, s.start + s.text.length],
      parties,
      deadline: deadline ? (shown as Omit<DraftDeadline, "at">) : null,
      cues: cues.map((c) => c.name),
      confidence: Math.round(confidence * 100) / 100,
    });
  }
  return drafts;
}
