import * as v from "valibot";
import { EVENT_TYPES, UNPUBLISHED_EVENT_TYPES } from "../../ledger/history/events.types";
import { ChoiceList, IntText, Line, Slug, Tag } from "../../lib/fields";

/**
 * The history events a public feed shows: the ledger's and the sweep's. subscription.* events
 * describe webhook receivers (operators' business, not the public's) and never appear, nor do the
 * unpublished types (a reminder for one subscriber, a machine's proposal awaiting a person).
 */
export const FEED_EVENT_TYPES = EVENT_TYPES.filter(
  (t) => !t.startsWith("subscription.") && !(UNPUBLISHED_EVENT_TYPES as readonly string[]).includes(t),
);

export const FEED_DEFAULT_LIMIT = 50;
export const FEED_MAX_LIMIT = 200;

/** What a reader can narrow a feed or the calendar to. */
export const READ_FILTERS = {
  agreement: v.optional(Slug),
  commitment: v.optional(Slug),
  tag: v.optional(Tag),
  party: v.optional(Line(200)),
};

/**
 * Filters shared by /feed.xml, /feed.atom and /feed.json. A plain (not strict) object: feed
 * readers and proxies append their own parameters (cache busters, utm_*), which are ignored
 * rather than refused.
 */
export const FeedQuery = v.object({
  ...READ_FILTERS,
  type: v.optional(ChoiceList(FEED_EVENT_TYPES)),
  limit: v.optional(IntText(1, FEED_MAX_LIMIT)),
});
export type FeedQueryInput = v.InferOutput<typeof FeedQuery>;
