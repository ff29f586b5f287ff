/** Field schemas shared by every concept's valibot schemas, so a slug or a date means one thing. */
import * as v from "valibot";
import { isValidTimeZone, parseDate, parseDuration, parseInstant } from "./deadline";
import { SLUG_MAX, SLUG_PATTERN } from "./ids";

// Characters that have no business in user text: C0 controls other than tab/newline, DEL,
// C1 controls, lone surrogates are already impossible in valid JSON strings decoded by JS.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]/;

export const Slug = v.pipe(
  v.string(),
  v.maxLength(SLUG_MAX, `must be at most ${SLUG_MAX} characters`),
  v.regex(SLUG_PATTERN, "must be a slug: lowercase letters, digits and single hyphens"),
);

/** One-line text: trimmed, no control characters. */
export const Line = (max: number, min = 1) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.minLength(min, min === 1 ? "must not be empty" : `must be at least ${min} characters`),
    v.maxLength(max, `must be at most ${max} characters`),
    v.check((s) => !CONTROL.test(s) && !/[\r\n]/.test(s), "must be one line without control characters"),
  );

/** Multi-line text: newlines and tabs allowed, other control characters not. */
export const Prose = (max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.maxLength(max, `must be at most ${max} characters`),
    v.check((s) => !CONTROL.test(s), "must not contain control characters"),
  );

export const HttpUrl = v.pipe(
  v.string(),
  v.maxLength(2048, "must be at most 2048 characters"),
  v.url("must be an absolute URL"),
  v.check((s) => /^https?:\/\//i.test(s), "must be an http or https URL"),
);

export const DateText = v.pipe(
  v.string(),
  v.check((s) => parseDate(s) !== null, "must be a real calendar date YYYY-MM-DD"),
);

export const InstantText = v.pipe(
  v.string(),
  v.check((s) => parseInstant(s) !== null, "must be an RFC 3339 date-time with an offset, e.g. 2026-02-08T12:00:00Z"),
);

export const DurationText = v.pipe(
  v.string(),
  v.check((s) => parseDuration(s) !== null, "must be an ISO 8601 duration such as P6M, P7D or PT12H"),
);

export const TimeZone = v.pipe(
  v.string(),
  v.check(isValidTimeZone, "must be an IANA time zone name such as UTC or Asia/Baku"),
);

/** A list of distinct one-line names (parties, tags). */
export const NameList = (maxItems: number, maxLength: number) =>
  v.pipe(
    v.array(Line(maxLength)),
    v.maxLength(maxItems, `must have at most ${maxItems} items`),
    v.check((a) => new Set(a.map((s) => s.toLowerCase())).size === a.length, "must not repeat an item"),
  );

export const Tag = v.pipe(
  v.string(),
  v.maxLength(40, "must be at most 40 characters"),
  v.regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, "must be lowercase letters, digits, '-' or '_'"),
);

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
