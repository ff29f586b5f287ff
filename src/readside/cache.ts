/**
 * Conditional GET for the read side (feeds, status.json, calendar, pages, badges).
 *
 * A route first reads a cheap *version* of what its document depends on (a few O(log n) index
 * lookups: version.repo.ts, shaped by version.ts), turns it into a validator (ETag + Last-Modified)
 * and only then decides: a matching If-None-Match / If-Modified-Since answers 304 without
 * building anything; otherwise the document is built, or taken from a small per-isolate memo
 * keyed by the same validator, so a busy endpoint builds each version once per isolate.
 */
import type { Context } from "hono";
import type { Config } from "../platform/config";
import type { AppEnv } from "../platform/http/context";
import { lru } from "./memo";

export interface Validator {
  /** A weak entity tag: W/"…". Equal validators mean an equal document. */
  etag: string;
  /** Milliseconds; sent rounded down to the second as Last-Modified. */
  lastModified: number;
}

/**
 * Bumped whenever the shape of any read-side document changes, so a deploy never answers 304
 * for a representation the client has not seen.
 */
export const DOCUMENT_FORMAT = 2;

/** FNV-1a over UTF-16 code units, two lanes, 64 bits as hex: short, stable, sync. */
export function hashText(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ ch, 0x5bd1e995) >>> 0;
    h2 = (h2 ^ (h2 >>> 15)) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}

/** The validator of a document: `parts` are everything it depends on (versions, config, query). */
export function makeValidator(kind: string, parts: unknown[], lastModified: number): Validator {
  const key = JSON.stringify([DOCUMENT_FORMAT, kind, ...parts]);
  return { etag: `W/"${kind}-${hashText(key)}"`, lastModified };
}

/**
 * The entity tags of an If-None-Match list (RFC 9110 §8.8.3: `[W/]"…"`, comma-separated, any
 * whitespace), as their opaque parts; null for `*`. Anything unreadable matches nothing.
 */
export function parseEntityTags(header: string): string[] | null {
  if (header.trim() === "*") return null;
  const tags: string[] = [];
  const re = /\s*(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < header.length && (m = re.exec(header)) !== null) tags.push(m[1]!);
  return tags;
}

const opaque = (tag: string) => tag.replace(/^W\//, "");

/**
 * RFC 9110 §13.1.2/§13.1.3 for a GET of a resource that exists (§13.2.1: a precondition is only
 * evaluated where the answer would otherwise be 2xx; callers make sure of that): If-None-Match
 * (weak comparison, `*` = any current representation) wins; If-Modified-Since is only looked at
 * when there is no If-None-Match, only to the second, and ignored when it is later than `now`.
 */
export function isNotModified(headers: Headers, v: { etag: string; lastModified?: number }, now: number): boolean {
  const inm = headers.get("If-None-Match");
  if (inm !== null) {
    const tags = parseEntityTags(inm);
    if (tags === null) return true;
    const mine = opaque(v.etag);
    return tags.some((t) => t === mine);
  }
  const ims = headers.get("If-Modified-Since");
  if (ims !== null && v.lastModified !== undefined) {
    const since = Date.parse(ims);
    if (Number.isNaN(since) || since > now) return false;
    return Math.floor(v.lastModified / 1000) * 1000 <= since;
  }
  return false;
}

export interface CacheOptions {
  /** Cache-Control max-age in seconds. */
  maxAge: number;
  /** Extra headers on every answer: 200, 304 and error (CORS, CSP, …). */
  headers?: Record<string, string>;
  /**
   * For documents about one thing (a commitment page, a badge, a filtered feed): whether it
   * exists, asked (one index lookup) before answering 304, so a missing thing is a 404 whatever
   * the preconditions. Documents that always exist leave it out.
   */
  exists?: () => Promise<boolean>;
}

function validatorHeaders(v: Validator, opts: CacheOptions): Record<string, string> {
  return {
    ETag: v.etag,
    "Last-Modified": new Date(v.lastModified).toUTCString(),
    "Cache-Control": `public, max-age=${opts.maxAge}, must-revalidate`,
    ...(opts.headers ?? {}),
  };
}

export interface BuiltDocument {
  body: string;
  contentType: string;
  status?: number;
}

interface MemoEntry {
  etag: string;
  doc: BuiltDocument;
}

/** Built documents per representation (memo.ts): 64 at most, none over 512 KiB. */
const MEMO_MAX_BYTES = 512 * 1024;
const memo = lru<MemoEntry>(64);

function remember(key: string, etag: string, doc: BuiltDocument): void {
  if (doc.body.length <= MEMO_MAX_BYTES) memo.set(key, { etag, doc });
}

/** How many documents have been built since the isolate started (observable in tests). */
export const buildCounter = { count: 0 };

/**
 * Answers a conditional GET: 304 when the client's validator matches (nothing is built), else
 * the memoised document for this validator, else `build()`'s.
 *
 * `memoKey` names the representation (path + normalised query + origin); the validator
 * already covers the data, the clock and the configuration.
 */
export async function respondConditionally(
  c: Context<AppEnv>,
  v: Validator,
  memoKey: string,
  build: () => Promise<BuiltDocument> | BuiltDocument,
  opts: CacheOptions,
): Promise<Response> {
  const headers = validatorHeaders(v, opts);
  const hit = memo.get(memoKey);
  const known = hit !== undefined && hit.etag === v.etag;
  if (isNotModified(c.req.raw.headers, v, c.var.now) && (known || !opts.exists || (await opts.exists()))) {
    return new Response(null, { status: 304, headers });
  }
  let doc: BuiltDocument;
  if (known) {
    doc = hit.doc;
    remember(memoKey, v.etag, doc);
  } else {
    buildCounter.count++;
    doc = await build();
    if ((doc.status ?? 200) === 200) remember(memoKey, v.etag, doc);
  }
  const status = doc.status ?? 200;
  // Validators belong to 2xx representations only: an error carries none to revalidate with.
  const sent = status >= 200 && status < 300 ? headers : { ...(opts.headers ?? {}), "Cache-Control": "no-store" };
  return new Response(c.req.method === "HEAD" ? null : doc.body, {
    status,
    headers: { ...sent, "Content-Type": doc.contentType },
  });
}

/**
 * A representation that depends on nothing but the code (the stylesheet, the OpenAPI document
 * and its docs page): the same precondition rules as every other read route, with the caller's
 * entity tag and optional Last-Modified.
 */
export function respondStatic(
  c: { req: { raw: Request; method: string }; var: { now: number } },
  body: string | (() => string | Promise<string>),
  opts: { etag: string; lastModified?: number; contentType: string; headers: Record<string, string> },
): Response | Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers, ETag: opts.etag };
  if (opts.lastModified !== undefined) headers["Last-Modified"] = new Date(opts.lastModified).toUTCString();
  if (isNotModified(c.req.raw.headers, opts, c.var.now)) return new Response(null, { status: 304, headers });
  const send = (text: string) =>
    new Response(c.req.method === "HEAD" ? null : text, { status: 200, headers: { ...headers, "Content-Type": opts.contentType } });
  if (typeof body === "string") return send(body);
  return Promise.resolve(body()).then(send);
}

/** The settings that shape read-side documents: part of every validator, so a changed setting is a new version. */
export function configParts(config: Config): unknown[] {
  return [config.dueSoonDays, config.publicBaseUrl, config.sweepPeriodMinutes];
}

/** Public, read-only documents may be read by any origin (dashboards, web feed readers). */
export const PUBLIC_READ_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "ETag, Last-Modified",
  "X-Content-Type-Options": "nosniff",
};
