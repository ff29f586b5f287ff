/** Field schemas shared by every concept's valibot schemas, so a slug or a date means one thing. */
import * as v from "valibot";
import { FIRST_DATE, LAST_DATE, canonicalTimeZone, dateProblem, instantProblem, isValidTimeZone, parseDate, parseDuration, parseInstant, fixedDurationMs } from "./deadline";
import { SLUG_MAX, SLUG_PATTERN } from "./ids";
import { partyKey } from "./parties";

// Characters that have no business in user text: C0 controls other than tab/newline, DEL,
// C1 controls and the noncharacters U+FFFE/U+FFFF.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/;
/**
 * Bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) reorder the text
 * around them (the "Trojan Source" trick: a title that displays as something else). The marks
 * U+200E/U+200F/U+061C stay allowed: right-to-left text needs them and they reorder nothing.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
/** Invisible characters (zero-width spaces and joiners, soft hyphen, BOM...) and whitespace. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\s]/gu;

/**
 * Checks every user text shares, before anything else looks at it. A lone surrogate (valid in
 * a JSON string, not in UTF-8) would be stored as U+FFFD and read back changed, so it is
 * refused, not repaired. Lengths count code points, so an emoji is one character, not two.
 */
const Text = v.pipe(
  v.string(),
  v.check((s) => s.isWellFormed(), "must be well-formed Unicode text (it contains a lone surrogate)"),
  v.trim(),
);

const maxChars = (max: number) => v.maxCodePoints(max, `must be at most ${max} characters`);
const noBidiControls = v.check(
  (s: string) => !BIDI_CONTROL.test(s),
  "must not contain bidirectional override, embedding or isolate controls (U+202A-U+202E, U+2066-U+2069)",
);
const notOnlyInvisible = v.check(
  (s: string) => s === "" || s.replace(INVISIBLE, "") !== "",
  "must contain visible characters, not only invisible ones",
);

export const Slug = v.pipe(
  v.string(),
  v.maxLength(SLUG_MAX, `must be at most ${SLUG_MAX} characters`),
  v.regex(SLUG_PATTERN, "must be a slug: lowercase letters, digits and single hyphens"),
);

/** One-line text: trimmed, no control characters. */
export const Line = (max: number, min = 1) =>
  v.pipe(
    Text,
    v.minCodePoints(min, min === 1 ? "must not be empty" : `must be at least ${min} characters`),
    maxChars(max),
    v.check((s) => !CONTROL.test(s) && !/[\r\n]/.test(s), "must be one line without control characters"),
    noBidiControls,
    notOnlyInvisible,
  );

/** Multi-line text: newlines and tabs allowed, other control characters not. */
export const Prose = (max: number) =>
  v.pipe(
    Text,
    maxChars(max),
    v.check((s) => !CONTROL.test(s), "must not contain control characters"),
    noBidiControls,
    notOnlyInvisible,
  );

export const HttpUrl = v.pipe(
  v.string(),
  v.check((s) => s.isWellFormed(), "must be well-formed Unicode text (it contains a lone surrogate)"),
  v.maxLength(2048, "must be at most 2048 characters"),
  v.url("must be an absolute URL"),
  v.check((s) => /^https?:\/\//i.test(s), "must be an http or https URL"),
);

/** A date from 1000-01-01 to 9999-12-30 (lib/deadline.ts says why the range). */
export const DateText = v.pipe(
  v.string(),
  v.check((s) => parseDate(s) !== null, "must be a real calendar date YYYY-MM-DD"),
  v.check((s) => parseDate(s) === null || dateProblem(s) === null, `must be between ${FIRST_DATE} and ${LAST_DATE}`),
);

/** An instant with an explicit offset, within the same years as dates (by its UTC date). */
export const InstantText = v.pipe(
  v.string(),
  v.check((s) => parseInstant(s) !== null, "must be an RFC 3339 date-time with an offset, e.g. 2026-02-08T12:00:00Z"),
  v.check((s) => parseInstant(s) === null || instantProblem(s) === null, `must be between ${FIRST_DATE} and ${LAST_DATE} (UTC)`),
);

export const DurationText = v.pipe(
  v.string(),
  v.check((s) => parseDuration(s) !== null, "must be an ISO 8601 duration such as P6M, P7D or PT12H"),
);

/**
 * An IANA zone name, stored as Intl canonicalises it ("asia/baku" -> "Asia/Baku", "utc" ->
 * "UTC") so equal zones compare equal. UTC offsets ("+05:30") are refused: an offset is not a
 * zone (it has no daylight-saving rules), and Intl accepts them only in recent engines.
 */
export const TimeZone = v.pipe(
  v.string(),
  v.check(
    (s) => !/^(?:[+-]|utc[+-]|gmt[+-])/i.test(s),
    "must be an IANA time zone name such as UTC or Asia/Baku, not a UTC offset",
  ),
  v.check(isValidTimeZone, "must be an IANA time zone name such as UTC or Asia/Baku"),
  v.transform(canonicalTimeZone),
);

/**
 * Refuses repeated items of a list, naming each repeat by its index ("tags.2: repeats tags.0").
 * `key` says when two items are the same (parties: partyKey; links: the normalised URL).
 */
export const distinctBy = <T>(key: (item: T) => string) =>
  v.rawCheck<T[]>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const seen = new Map<string, number>();
    dataset.value.forEach((item, index) => {
      const k = key(item);
      const first = seen.get(k);
      if (first === undefined) {
        seen.set(k, index);
        return;
      }
      addIssue({
        message: `repeats item ${first}: give each item once`,
        path: [{ type: "array", origin: "value", input: dataset.value, key: index, value: item }],
      });
    });
  });

/** A list of distinct one-line names (parties), compared by partyKey (case and NFC folded). */
export const NameList = (maxItems: number, maxLength: number) =>
  v.pipe(v.array(Line(maxLength)), v.maxLength(maxItems, `must have at most ${maxItems} items`), distinctBy(partyKey));

export const Tag = v.pipe(
  v.string(),
  v.maxLength(40, "must be at most 40 characters"),
  v.regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, "must be lowercase letters, digits, '-' or '_'"),
);

/** A list of distinct tags. */
export const TagList = (maxItems: number) =>
  v.pipe(v.array(Tag), v.maxLength(maxItems, `must have at most ${maxItems} items`), distinctBy((t: string) => t));

/** Query-string integers arrive as text. */
export const IntText = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d{1,6}$/, "must be a whole number"),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

/** Comma-separated choices in a query string: `status=in_progress,stalled`. */
export const ChoiceList = <T extends string>(choices: readonly T[]) =>
  v.pipe(
    v.string(),
    v.transform((s) => s.split(",").map((x) => x.trim())),
    v.array(v.picklist(choices, `each value must be one of: ${choices.join(", ")}`)),
  );

/**
 * A period of fixed length (weeks, days, hours, minutes: no years or months, whose length
 * varies), from `min` upwards: how often a source is polled, a commitment verified, a reminder
 * repeated. The sweep and the poller do arithmetic on it in SQL, so it must be a number of ms.
 */
export const PeriodText = (minMs: number, what: string) =>
  v.pipe(
    v.string(),
    v.check((s) => fixedDurationMs(s) !== null, "must be an ISO 8601 duration in weeks, days, hours or minutes, such as P7D, P2W or PT1H"),
    v.check((s) => (fixedDurationMs(s) ?? minMs) >= minMs, `must be at least ${what}`),
  );
