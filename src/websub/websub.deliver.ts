/**
 * Content distribution (WebSub §7) for the distributions of one queue message:
 *  1. claim them (compare-and-set that moves their lease forward, as webhook deliveries are
 *     claimed: a duplicate message never sends twice at once);
 *  2. group them by subscription; a subscription that ended (unsubscribed, expired, gone) has its
 *     rows cancelled; the rest get ONE POST each: the topic's feed, in its own format and content
 *     type, with only these new entries (the feed's own filter and renderer), `Link` headers
 *     (rel="hub", rel="self" = the topic) and, when the subscription has a secret,
 *     `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>`; callbacks pass the SSRF guard
 *     again; at most 6 at a time, a timeout, no redirects followed;
 *  3. record every row's attempt in the webhooks' delivery_attempts log and its new state in one
 *     batch: 2xx succeeded; 410 ends the subscription (§7: the hub MAY) and cancels its pending
 *     rows; anything else is retried on the webhooks' schedule (alerts/deliver.ts retryDelayMs,
 *     honouring Retry-After), then marked failed;
 *  4. after commit, send the delayed retry messages (Queues delay at most 12 h: longer waits hop).
 * Bodies are rendered once per (topic, set of entries), so 1,000 subscribers of one feed cost one
 * render.
 */
import { and, eq, sql } from "drizzle-orm";
import { retryDelayMs, parseRetryAfter } from "../alerts/deliver";
import { deliveryAttempts } from "../alerts/delivery.table";
import { MAX_DELAY_SECONDS } from "../alerts/messages";
import type { Db } from "../platform/db/client";
import { runBatch, type BatchItem } from "../platform/db/guard";
import { checkTarget } from "../platform/ssrf";
import { FEED_FORMATS, hubLinkHeader, loadFeed, type FeedFormat } from "../readside/feeds/feeds.service";
import { readCapped } from "../platform/http/body";
import { pool } from "../lib/pool";
import { transportError, USER_AGENT } from "./websub.http";
import { sendAllWebsub } from "./websub.messages";
import { websubDeliveries, websubSubscriptions, type WebsubSubscriptionRow } from "./websub.table";
import type { HubDeps } from "./websub.verify";

export const WEBSUB_DELIVERY_LEASE_MS = 5 * 60_000;
const DUE_TOLERANCE_MS = 2_000;
const MAX_CONCURRENCY = 6;
const EXCERPT_BYTES = 512;

export interface DistributeResult {
  posts: number;
  succeeded: number;
  retried: number;
  failed: number;
  cancelled: number;
  skipped: number;
}

interface Claimed {
  id: string;
  event_id: string;
  subscription_id: string;
  attempts: number;
}

const encoder = new TextEncoder();

/** `sha256=` + lower-case hex HMAC-SHA256 of the body, keyed by the subscriber's hub.secret (§8). */
export async function hubSignature(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The topic's origin: where its hub lives. */
const originOf = (topic: string) => new URL(topic).origin;

export async function distribute(deps: HubDeps, deliveryIds: string[], dueAt?: number): Promise<DistributeResult> {
  const { db } = deps;
  const now = deps.clock();
  const ids = JSON.stringify(deliveryIds);
  const result: DistributeResult = { posts: 0, succeeded: 0, retried: 0, failed: 0, cancelled: 0, skipped: 0 };
  const claimed = await db.all<Claimed>(sql`
    UPDATE websub_deliveries SET attempts = attempts + 1, next_attempt_at = ${now + WEBSUB_DELIVERY_LEASE_MS}, updated_at = ${now}
    WHERE id IN (SELECT value FROM json_each(${ids})) AND state = 'pending' AND next_attempt_at <= ${now + DUE_TOLERANCE_MS}
    RETURNING id, event_id, subscription_id, attempts`);

  // A delayed retry that arrived before its time (a wait longer than 12 h): send it on.
  if (dueAt !== undefined && dueAt > now + DUE_TOLERANCE_MS && claimed.length < deliveryIds.length) {
    const waiting = await db.all<{ id: string; next_attempt_at: number }>(sql`
      SELECT id, next_attempt_at FROM websub_deliveries
      WHERE id IN (SELECT value FROM json_each(${ids})) AND state = 'pending' AND next_attempt_at = ${dueAt}`);
    if (waiting.length > 0) {
      const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil((dueAt - now) / 1000));
      await deps.queue.send({ kind: "websub.deliver", deliveryIds: waiting.map((w) => w.id), dueAt }, { delaySeconds });
    }
  }
  result.skipped = deliveryIds.length - claimed.length;
  if (claimed.length === 0) return result;

  const groups = new Map<string, Claimed[]>();
  for (const c of claimed) {
    const g = groups.get(c.subscription_id);
    if (g) g.push(c);
    else groups.set(c.subscription_id, [c]);
  }
  const subs = new Map<string, WebsubSubscriptionRow>(
    (
      await db
        .select()
        .from(websubSubscriptions)
        .where(sql`${websubSubscriptions.id} IN (SELECT value FROM json_each(${JSON.stringify([...groups.keys()])}))`)
    ).map((s) => [s.id, s]),
  );

  const bodies = new Map<string, Promise<{ body: string; entries: number }>>();
  const bodyFor = (sub: WebsubSubscriptionRow, eventIds: string[]) => {
    const key = `${sub.topic}|${eventIds.join(",")}`;
    let body = bodies.get(key);
    if (!body) {
      const format = sub.format as FeedFormat;
      const base = originOf(sub.topic);
      body = loadFeed(db, sub.query, base, eventIds).then((feed) => ({
        body: FEED_FORMATS[format].render(feed, {
          base,
          selfUrl: sub.topic,
          updatedAt: Math.max(0, ...feed.items.map((i) => i.recordedAt)),
        }),
        entries: feed.items.length,
      }));
      bodies.set(key, body);
    }
    return body;
  };

  const outcomes: BatchItem[] = [];
  const retries: Array<{ ids: string[]; dueAt: number }> = [];
  const gone = new Set<string>();

  const close = (rows: Claimed[], state: "cancelled" | "failed", error: string, at: number) => {
    for (const d of rows) {
      outcomes.push(
        db.insert(deliveryAttempts).values({ deliveryId: d.id, attemptedAt: at, statusCode: null, latencyMs: 0, error, responseExcerpt: null }),
        db.update(websubDeliveries).set({ state, lastError: error, updatedAt: at, nextAttemptAt: at }).where(eq(websubDeliveries.id, d.id)),
      );
    }
  };

  await pool([...groups.entries()], MAX_CONCURRENCY, async ([subId, rows]) => {
    const sub = subs.get(subId);
    const at = deps.clock();
    if (!sub || sub.state !== "active" || sub.expiresAt <= at) {
      result.cancelled += rows.length;
      close(rows, "cancelled", !sub ? "the subscription no longer exists" : sub.state !== "active" ? `the subscription is ${sub.state}` : "the lease expired", at);
      return;
    }
    const target = checkTarget(sub.callback, deps.config.allowPrivateWebhookTargets);
    if (!target.ok) {
      result.failed += rows.length;
      close(rows, "failed", `refused callback: ${target.reason}`, at);
      return;
    }
    const { body, entries } = await bodyFor(sub, rows.map((r) => r.event_id).sort());
    if (entries === 0) {
      // The events left the topic's feed since fan-out (a tag or party changed): nothing new to send.
      result.cancelled += rows.length;
      close(rows, "cancelled", "no longer in the topic's feed", at);
      return;
    }
    const headers: Record<string, string> = {
      "content-type": FEED_FORMATS[sub.format as FeedFormat].contentType,
      link: hubLinkHeader(originOf(sub.topic), sub.topic),
      "user-agent": USER_AGENT,
    };
    if (sub.secret) headers["x-hub-signature"] = await hubSignature(sub.secret, body);
    result.posts++;
    const started = deps.clock();
    let status: number | null = null;
    let error: string | null = null;
    let excerpt = "";
    let retryAfterMs: number | null = null;
    try {
      const res = await deps.fetch(target.url.href, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(deps.config.webhookTimeoutMs),
      });
      status = res.status;
      excerpt = await readCapped(res, EXCERPT_BYTES);
      if (status < 200 || status >= 300) {
        error = status >= 300 && status < 400 ? `redirect to ${res.headers.get("location") ?? "?"} (not followed)` : status === 410 ? "410 Gone: subscription ended" : `HTTP ${status}`;
        retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), deps.clock());
      }
    } catch (e) {
      error = transportError(e, deps.config.webhookTimeoutMs);
    }
    const finished = deps.clock();
    for (const d of rows) {
      outcomes.push(
        db.insert(deliveryAttempts).values({ deliveryId: d.id, attemptedAt: started, statusCode: status, latencyMs: finished - started, error, responseExcerpt: excerpt || null }),
      );
    }
    const rowIds = JSON.stringify(rows.map((r) => r.id));
    const these = sql`${websubDeliveries.id} IN (SELECT value FROM json_each(${rowIds}))`;
    if (error === null) {
      result.succeeded += rows.length;
      outcomes.push(db.update(websubDeliveries).set({ state: "succeeded", lastStatusCode: status, lastError: null, deliveredAt: finished, updatedAt: finished }).where(these));
    } else if (status === 410) {
      result.failed += rows.length;
      gone.add(sub.id);
      outcomes.push(
        db.update(websubDeliveries).set({ state: "failed", lastStatusCode: 410, lastError: error, updatedAt: finished }).where(these),
        db.update(websubSubscriptions).set({ state: "gone", updatedAt: finished }).where(and(eq(websubSubscriptions.id, sub.id), eq(websubSubscriptions.state, "active"))),
      );
    } else {
      // One POST carried these rows: they share the attempt count of the first claimed.
      const attempt = Math.max(...rows.map((r) => r.attempts));
      const delay = retryDelayMs(deps.config.retryScheduleSeconds, attempt, deps.random, retryAfterMs);
      if (delay === null) {
        result.failed += rows.length;
        outcomes.push(db.update(websubDeliveries).set({ state: "failed", lastStatusCode: status, lastError: `${error}; retry schedule exhausted`, updatedAt: finished }).where(these));
      } else {
        result.retried += rows.length;
        const dueAt = finished + delay;
        retries.push({ ids: rows.map((r) => r.id), dueAt });
        outcomes.push(db.update(websubDeliveries).set({ lastStatusCode: status, lastError: error, nextAttemptAt: dueAt, updatedAt: finished }).where(these));
      }
    }
  });
  // Last, after every outcome: a subscription that answered 410 keeps no pending distributions.
  for (const id of gone) {
    outcomes.push(
      db.update(websubDeliveries).set({ state: "cancelled", lastError: "the subscription ended (410 Gone)", updatedAt: now }).where(and(eq(websubDeliveries.subscriptionId, id), eq(websubDeliveries.state, "pending"))),
    );
  }
  await runBatch(db, outcomes);
  await sendAllWebsub(
    deps.queue,
    retries.map((r) => ({
      body: { kind: "websub.deliver", deliveryIds: r.ids, dueAt: r.dueAt },
      delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((r.dueAt - deps.clock()) / 1000))),
    })),
  );
  return result;
}
