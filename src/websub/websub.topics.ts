/**
 * Topics: the hub serves this service's own feeds only. A topic is a feed URL — /feed.xml,
 * /feed.atom or /feed.json on this origin, with any filter query the feed accepts — and is
 * canonicalised exactly as the feed canonicalises its own rel="self" URL (parameters the feed
 * ignores dropped, the rest sorted), so the URL a subscriber discovers is the topic it gets.
 */
import * as v from "valibot";
import { partyKey } from "../lib/parties";
import { toIssues } from "../platform/http/validate";
import { FeedQuery, type FeedQueryInput } from "../readside/feeds/feeds.schemas";
import { FEED_FORMATS, canonicalQuery, type FeedFormat } from "../readside/feeds/feeds.service";

export interface Topic {
  /** The canonical topic URL: base + feed path + canonical query. */
  url: string;
  /** The origin the topic lives on: content distributions link the hub there. */
  base: string;
  format: FeedFormat;
  query: FeedQueryInput;
}

export type TopicCheck = { ok: true; topic: Topic } | { ok: false; reason: string };

const FORMAT_BY_PATH = new Map(Object.entries(FEED_FORMATS).map(([format, f]) => [f.path, format as FeedFormat]));

/** `base` is this service's origin (PUBLIC_BASE_URL or the request's). */
export function parseTopic(raw: string, base: string): TopicCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "must be an absolute URL of one of this service's feeds" };
  }
  const origin = new URL(base).origin;
  if (url.origin !== origin) return { ok: false, reason: `must be a feed of this hub's service (${origin}), not ${url.origin}` };
  const format = FORMAT_BY_PATH.get(url.pathname);
  if (!format) {
    return { ok: false, reason: `must be one of this service's feeds (${[...FORMAT_BY_PATH.keys()].join(", ")}, with any filter), not ${url.pathname}` };
  }
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) if (!(key in params)) params[key] = value;
  const parsed = v.safeParse(FeedQuery, params);
  if (!parsed.success) {
    const issue = toIssues(parsed.issues)[0]!;
    return { ok: false, reason: `the feed's ${issue.path || "query"} ${issue.message}` };
  }
  const query = parsed.output;
  return { ok: true, topic: { url: `${origin}${url.pathname}${canonicalQuery(query)}`, base: origin, format, query } };
}

/** The stored filter columns of a subscription to `topic` (what fan-out matches in SQL). */
export function topicFilterColumns(query: FeedQueryInput) {
  return {
    agreement: query.agreement ?? null,
    commitment: query.commitment ?? null,
    tag: query.tag ?? null,
    partyKey: query.party !== undefined ? partyKey(query.party) : null,
    types: query.type ? [...query.type] : null,
  };
}
