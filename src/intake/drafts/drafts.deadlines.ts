/**
 * Reads the deadline phrase of one sentence into the ledger's deadline form and the date it
 * resolves to from the signing date, with the calculation in words. Pure: no db, no clock (the
 * signing date is the only "now" it knows). Explicit dates ("30 June 2026", "December 31, 2026")
 * are parsed by chrono-node; the phrase shapes around them are ours, because the ledger needs the
 * spec (`{ within: "P6M" }`), not a date chrono resolves against today.
 */
import * as chrono from "chrono-node/en";
import { addToDate, daysInMonth, formatDate, parseDate, parseDuration, type CalendarDate, type DeadlineSpec } from "../../lib/deadline";

export interface DraftDeadline {
  /** The words that state it, exactly as in the text. */
  phrase: string;
  /** Where the phrase lies in the sentence (offsets into the sentence). */
  at: [number, number];
  spec: DeadlineSpec | null;
  due_on: string | null;
  explanation: string;
}

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, eighteen: 18, twenty: 20,
  "twenty-four": 24, thirty: 30, "thirty-six": 36, forty: 40, "forty-five": 45, sixty: 60, ninety: 90,
  hundred: 100, "one hundred": 100, "one hundred and twenty": 120, "one hundred eighty": 180,
};
const NUMBER = `\\d{1,4}|${Object.keys(NUMBER_WORDS).sort((a, b) => b.length - a.length).join("|")}`;
const UNIT = "days?|weeks?|months?|years?";
const UNIT_LETTER: Record<string, string> = { day: "D", week: "W", month: "M", year: "Y" };
const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const MONTH = MONTHS.join("|");
const ORDINAL: Record<string, number> = { first: 1, "1st": 1, second: 2, "2nd": 2, third: 3, "3rd": 3, fourth: 4, "4th": 4 };

/** "within 60 days of <anchor>": anchors that mean this document's own signing. */
const SIGNING_ANCHOR = /^(?:the )?(?:date|signing|signature|adoption|issuance) of this (?:order|decree|agreement|declaration|memorandum|statement|document|directive|instrument)\b|^(?:the )?(?:signing|signature) (?:hereof|of the present)/i;

const RELATIVE = new RegExp(
  `\\b(?:within the next|within the coming|within|over the next|over the coming|in the coming|in the next|during the next|during the coming|in)\\s+(${NUMBER})\\s+(${UNIT})` +
    `(?:\\s+(?:of|after|from|following)\\s+((?:(?!,|;|\\.\\s|\\.$).)+))?`,
  "i",
);
const PERIOD = "by the end of|before the end of|no later than the end of|not later than the end of|until the end of|by end of|by|before|no later than|not later than|on or before|until|in|during|within|this|next";
const QUARTER = new RegExp(`\\b(${PERIOD})\\s+(?:the\\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)\\s+(quarter|half)\\s+of\\s+(\\d{4})\\b`, "i");
const Q_SHORT = new RegExp(`\\b(${PERIOD})\\s+(?:the\\s+end\\s+of\\s+)?(Q[1-4]|H[12])\\s+(\\d{4})\\b`);
const END_OF = /\b(by|before|no later than|not later than|until) the end of (the year|this year|next year|the quarter|this quarter|the month|this month)\b/i;
const END_OF_MONTH = new RegExp(`\\b(by|before|no later than|not later than|until) the end of (${MONTH})(?:\\s+(\\d{4}))?\\b`, "i");
const END_OF_YEAR = /\b(by|before|no later than|not later than|until) (?:the )?end of (\d{4})\b/i;
const IN_MONTH = new RegExp(`\\b(in|during|by)\\s+(${MONTH})\\s+(\\d{4})\\b`, "i");
const THIS_YEAR = /\b(this|next) year\b/i;
const BY_YEAR = /\b(by|before|no later than|not later than|in|during) (\d{4})\b(?!\s*(?:-|–)?\s*\d)/i;
const DATE_LEAD = /\b(by|before|no later than|not later than|on or before|until|not after)\s+(?:the\s+)?$/i;

const iso = (d: CalendarDate) => formatDate(d);
const lastOfMonth = (year: number, month: number): CalendarDate => ({ year, month, day: daysInMonth(year, month) });
const dayBefore = (d: CalendarDate): CalendarDate => addToDate(d, { ...ZERO, days: -1 });
const ZERO = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

function count(text: string): number | null {
  const lower = text.toLowerCase();
  if (/^\d+$/.test(lower)) return Number(lower);
  return NUMBER_WORDS[lower] ?? null;
}

function fixed(phrase: string, at: [number, number], due: CalendarDate, how: string, before = false): DraftDeadline {
  const date = before ? dayBefore(due) : due;
  const explanation = before ? `${how}: the day before ${iso(due)} → ${iso(date)}` : `${how} → ${iso(date)}`;
  return { phrase, at, spec: { due_on: iso(date) }, due_on: iso(date), explanation };
}

const isBefore = (lead: string) => /^before$/i.test(lead.trim());

/**
 * The first deadline phrase in `sentence`, or null. `signedOn` (YYYY-MM-DD or null) anchors
 * relative phrases and the ones that name no year ("by the end of October").
 */
export function readDeadline(sentence: string, signedOn: string | null): DraftDeadline | null {
  const signed = signedOn ? parseDate(signedOn) : null;
  const found: DraftDeadline[] = [];
  const span = (m: RegExpExecArray): [number, number] => [m.index, m.index + m[0].length];

  const rel = RELATIVE.exec(sentence);
  if (rel) {
    const n = count(rel[1]!);
    const unit = rel[2]!.toLowerCase().replace(/s$/, "");
    const anchor = rel[3]?.trim();
    if (n !== null && n > 0) {
      const within = `P${n}${UNIT_LETTER[unit]}`;
      const words = `${n} ${unit}${n === 1 ? "" : "s"}`;
      if (anchor && !SIGNING_ANCHOR.test(anchor)) {
        const phraseEnd = rel.index + rel[0].length;
        found.push({
          phrase: sentence.slice(rel.index, phraseEnd),
          at: [rel.index, phraseEnd],
          spec: null,
          due_on: null,
          explanation: `${words} after "${anchor}": the ledger has no date for that event yet, so no due date`,
        });
      } else if (!signed) {
        found.push({ phrase: rel[0], at: span(rel), spec: { within }, due_on: null, explanation: `${words} after the signing date, which is not known: no due date until the agreement has one` });
      } else {
        const due = addToDate(signed, parseDuration(within)!);
        found.push({ phrase: rel[0], at: span(rel), spec: { within }, due_on: iso(due), explanation: `${words} after the signing date ${signedOn} → ${iso(due)}` });
      }
    }
  }

  const q = QUARTER.exec(sentence);
  if (q) {
    const nth = ORDINAL[q[2]!.toLowerCase()]!;
    const half = q[3]!.toLowerCase() === "half";
    const year = Number(q[4]);
    if (!half || nth <= 2) {
      const month = half ? nth * 6 : nth * 3;
      found.push(fixed(q[0], span(q), lastOfMonth(year, month), `the end of the ${q[2]} ${q[3]} of ${year}`));
    }
  }
  const qs = Q_SHORT.exec(sentence);
  if (qs) {
    const nth = Number(qs[2]!.slice(1));
    const month = qs[2]![0] === "H" ? nth * 6 : nth * 3;
    found.push(fixed(qs[0], span(qs), lastOfMonth(Number(qs[3]), month), `the end of ${qs[2]} ${qs[3]}`));
  }

  const end = END_OF.exec(sentence);
  if (end) {
    const what = end[2]!.toLowerCase();
    const before = false; // "before the end of the year" is the end of the year, like "by"
    if (!signed) {
      found.push({ phrase: end[0], at: span(end), spec: null, due_on: null, explanation: `the end of ${what}, counted from the signing date, which is not known: no due date` });
    } else if (what.endsWith("year")) {
      const year = signed.year + (what === "next year" ? 1 : 0);
      found.push(fixed(end[0], span(end), lastOfMonth(year, 12), `the end of ${what === "next year" ? "the year after the signing date" : "the year of the signing date"} ${signedOn}`, before));
    } else if (what.endsWith("quarter")) {
      const month = Math.ceil(signed.month / 3) * 3;
      found.push(fixed(end[0], span(end), lastOfMonth(signed.year, month), `the end of the quarter of the signing date ${signedOn}`, before));
    } else {
      found.push(fixed(end[0], span(end), lastOfMonth(signed.year, signed.month), `the end of the month of the signing date ${signedOn}`, before));
    }
  }
  const endMonth = END_OF_MONTH.exec(sentence);
  if (endMonth) {
    const month = MONTHS.indexOf(endMonth[2]!.toLowerCase()) + 1;
    let year = endMonth[3] ? Number(endMonth[3]) : signed ? signed.year + (month < signed.month ? 1 : 0) : null;
    if (year !== null) {
      const how = endMonth[3] ? `the end of ${endMonth[2]} ${year}` : `the end of the next ${endMonth[2]} from the signing date ${signedOn}`;
      found.push(fixed(endMonth[0], span(endMonth), lastOfMonth(year, month), how));
    } else {
      found.push({ phrase: endMonth[0], at: span(endMonth), spec: null, due_on: null, explanation: `the end of ${endMonth[2]} of a year the text does not name, and the signing date is not known: no due date` });
    }
  }
  const endYear = END_OF_YEAR.exec(sentence);
  if (endYear) found.push(fixed(endYear[0], span(endYear), lastOfMonth(Number(endYear[2]), 12), `the end of ${endYear[2]}`));
  const inMonth = IN_MONTH.exec(sentence);
  if (inMonth) {
    const month = MONTHS.indexOf(inMonth[2]!.toLowerCase()) + 1;
    found.push(fixed(inMonth[0], span(inMonth), lastOfMonth(Number(inMonth[3]), month), `the last day of ${inMonth[2]} ${inMonth[3]}`));
  }

  // Explicit dates after "by", "before", "no later than"…: chrono reads the date itself.
  for (const result of chrono.parse(sentence, signed ? new Date(Date.UTC(signed.year, signed.month - 1, signed.day, 12)) : undefined)) {
    const lead = DATE_LEAD.exec(sentence.slice(0, result.index));
    const start = result.start;
    if (!lead || !start.isCertain("day") || !start.isCertain("month")) continue;
    const from = lead.index;
    const to = result.index + result.text.length;
    let year = start.isCertain("year") ? start.get("year")! : null;
    // "by 1 September": the first such day on or after the signing date.
    if (year === null && signed) year = signed.year + (start.get("month")! * 100 + start.get("day")! < signed.month * 100 + signed.day ? 1 : 0);
    if (year === null) continue;
    const due = { year, month: start.get("month")!, day: start.get("day")! };
    if (!parseDate(iso(due))) continue;
    const how = start.isCertain("year") ? `${lead[1]} ${result.text}` : `${lead[1]} ${result.text}, the first after the signing date ${signedOn}`;
    found.push(fixed(sentence.slice(from, to), [from, to], due, how, isBefore(lead[1]!)));
  }

  const thisYear = THIS_YEAR.exec(sentence);
  if (thisYear && signed) {
    const year = signed.year + (thisYear[1]!.toLowerCase() === "next" ? 1 : 0);
    found.push(fixed(thisYear[0], span(thisYear), lastOfMonth(year, 12), `"${thisYear[0]}" counted from the signing date ${signedOn}: the end of ${year}`));
  }
  const byYear = BY_YEAR.exec(sentence);
  // "in 2019" before the signing year tells of the past ("the treaty signed in 2019"), not a deadline.
  if (byYear && /^(?:in|during)$/i.test(byYear[1]!) && signed && Number(byYear[2]) < signed.year) {
    // not a deadline
  } else if (byYear) {
    const year = Number(byYear[2]) - (isBefore(byYear[1]!) ? 1 : 0);
    found.push(fixed(byYear[0], span(byYear), lastOfMonth(year, 12), `${byYear[0]}: the end of ${year}`));
  }

  if (found.length === 0) return null;
  // The longest phrase at the earliest place wins ("by the end of March 2027" over "March 2027").
  found.sort((a, b) => a.at[0] - b.at[0] || b.at[1] - b.at[0] - (a.at[1] - a.at[0]));
  const first = found[0]!;
  const covering = found.filter((f) => f.at[0] <= first.at[1] && f.at[1] >= first.at[0]);
  return covering.sort((a, b) => b.at[1] - b.at[0] - (a.at[1] - a.at[0]))[0]!;
}
