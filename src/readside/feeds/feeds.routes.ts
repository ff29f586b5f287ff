import { Hono, type Context } from "hono";
import { PUBLIC_READ_HEADERS, configParts, makeValidator, respondConditionally } from "../cache";
import { baseUrl, type AppEnv } from "../../platform/http/context";
import { validate } from "../../platform/http/validate";
import { FeedQuery, type FeedQueryInput } from "./feeds.schemas";
import { FEED_FORMATS, canonicalQuery, feedVersion, hubLinkHeader, loadFeed, subjectsExist } from "./feeds.service";

/** Seconds a feed reader may reuse a feed before revalidating (RSS <ttl> says 5 minutes). */
const FEED_MAX_AGE = 60;

/**
 * A feed depends on the history alone (titles and tags change only through events), so its
 * version is the newest event's seq: one primary-key lookup decides 304 before anything is read.
 */
async function serveFeed(c: Context<AppEnv>, format: keyof typeof FEED_FORMATS, query: FeedQueryInput) {
  const { path, contentType, render } = FEED_FORMATS[format];
  const { db, config } = c.var;
  const base = baseUrl(c);
  const search = canonicalQuery(query);
  const selfUrl = `${base}${path}${search}`;
  const version = await feedVersion(db);
  const v = makeValidator(`feed-${format}`, [version.seq, configParts(config), base, search], version.lastEventAt);
  return respondConditionally(
    c,
    v,
    `${path}|${base}|${search}`,
    async () => ({
      body: render(await loadFeed(db, query, base), { base, selfUrl, updatedAt: version.lastEventAt }),
      contentType,
    }),
    {
      maxAge: FEED_MAX_AGE,
      // WebSub discovery (§4): the hub and the canonical topic URL, on 200 and 304 alike.
      headers: { ...PUBLIC_READ_HEADERS, Link: hubLinkHeader(base, selfUrl), "Access-Control-Expose-Headers": "ETag, Last-Modified, Link" },
      exists: () => subjectsExist(db, { commitment: query.commitment, agreement: query.agreement }),
    },
  );
}

export const feedsRoutes = new Hono<AppEnv>()
  .get("/feed.xml", validate("query", FeedQuery), (c) => serveFeed(c, "rss", c.req.valid("query")))
  .get("/feed.atom", validate("query", FeedQuery), (c) => serveFeed(c, "atom", c.req.valid("query")))
  .get("/feed.json", validate("query", FeedQuery), (c) => serveFeed(c, "json", c.req.valid("query")));
