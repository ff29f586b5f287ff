import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { FeedQueryInput } from "../readside/feeds/feeds.schemas";

/**
 * WebSub subscription requests (hub.mode=subscribe|unsubscribe), one row per POST /websub that
 * passed validation. The row is the record of the asynchronous intent check; a queue message
 * only wakes the verifier (websub.verify.ts), and the sweep re-sends rows whose message was lost.
 */
export const websubRequests = sqliteTable(
  "websub_requests",
  {
    id: text().primaryKey(),
    /** subscribe | unsubscribe */
    mode: text().notNull(),
    /** The canonical topic URL (websub.topics.ts). */
    topic: text().notNull(),
    /** The normalised callback URL (the SSRF guard's URL.href). */
    callback: text().notNull(),
    callbackHost: text().notNull(),
    /** The lease the hub chose (bounded); null for unsubscribe. */
    leaseSeconds: integer(),
    secret: text(),
    /** pending | verified | failed | denied | superseded */
    state: text().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: integer().notNull(),
    lastError: text(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    // Superseding older pending requests of the same pair. Used by websub.service.ts.
    index("websub_requests_pair").on(t.topic, t.callback).where(sql`state = 'pending'`),
    // The per-callback-host request limit: recent requests of a host. Used by websub.service.ts.
    index("websub_requests_host_created").on(t.callbackHost, t.createdAt),
    // The sweep's re-send scan for requests whose message was lost. Used by websub.sweep.ts.
    index("websub_requests_pending_due").on(t.nextAttemptAt).where(sql`state = 'pending'`),
  ],
);

/**
 * Verified WebSub subscriptions: one row per (topic, callback), so a re-subscription updates
 * its lease and secret in place (websub.rocks 103). Feed filters are copied from the topic into
 * columns so fan-out matches them in SQL (readside/feeds/feeds.repo.ts FEED_TOPIC_MATCH).
 */
export const websubSubscriptions = sqliteTable(
  "websub_subscriptions",
  {
    id: text().primaryKey(),
    topic: text().notNull(),
    /** rss | atom | json */
    format: text().notNull(),
    /** The topic's validated feed query: what content distribution renders. */
    query: text({ mode: "json" }).$type<FeedQueryInput>().notNull(),
    agreement: text(),
    commitment: text(),
    tag: text(),
    /** lib/parties.ts partyKey of the topic's party filter. */
    partyKey: text(),
    /** JSON array of event types, NULL = every public type. */
    types: text({ mode: "json" }).$type<string[]>(),
    callback: text().notNull(),
    callbackHost: text().notNull(),
    secret: text(),
    leaseSeconds: integer().notNull(),
    /** active | unsubscribed | expired | gone (the callback answered 410) */
    state: text().notNull().default("active"),
    /** First verified: the subscription receives events recorded from then on. */
    subscribedAt: integer().notNull(),
    /** Last verified (a renewal moves it). */
    verifiedAt: integer().notNull(),
    expiresAt: integer().notNull(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [
    uniqueIndex("websub_subscriptions_topic_callback").on(t.topic, t.callback),
    // The per-callback-host limit. Used by websub.verify.ts.
    index("websub_subscriptions_host").on(t.callbackHost).where(sql`state = 'active'`),
    // Fan-out joins events to active subscriptions; the sweep expires leases by this range. Used
    // by websub.fanout.ts and websub.sweep.ts.
    index("websub_subscriptions_active_expiry").on(t.expiresAt).where(sql`state = 'active'`),
  ],
);

/**
 * Content distributions, one row per (event, WebSub subscription), the same shape and states as
 * alerts' deliveries; their attempts go into the same delivery_attempts log. A deliver message's
 * rows of one subscription are sent as one POST (the topic's feed with those new entries).
 */
export const websubDeliveries = sqliteTable(
  "websub_deliveries",
  {
    id: text().primaryKey(),
    eventId: text().notNull(),
    subscriptionId: text().notNull(),
    /** pending | succeeded | failed | cancelled */
    state: text().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: integer().notNull(),
    lastStatusCode: integer(),
    lastError: text(),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
    deliveredAt: integer(),
  },
  (t) => [
    // One distribution per event and subscription, however often fan-out runs.
    uniqueIndex("websub_deliveries_event_subscription").on(t.eventId, t.subscriptionId),
    // A subscription's distributions, newest first (the operators' log; cancelling on expiry).
    index("websub_deliveries_subscription_created").on(t.subscriptionId, t.createdAt),
    // The sweep's re-send scan. Used by websub.sweep.ts.
    index("websub_deliveries_pending_due").on(t.nextAttemptAt).where(sql`state = 'pending'`),
    // Retention (websub.sweep.ts): the oldest finished distributions of one final state, in order.
    index("websub_deliveries_settled_updated").on(t.state, t.updatedAt, t.id).where(sql`state <> 'pending'`),
  ],
);

export type WebsubRequestRow = typeof websubRequests.$inferSelect;
export type WebsubSubscriptionRow = typeof websubSubscriptions.$inferSelect;
