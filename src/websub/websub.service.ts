/**
 * Subscription requests (WebSub §5.1): check the request synchronously — topic, callback (the
 * SSRF guard), lease, secret, the per-callback-host request limit — then record it as pending in
 * one batch (superseding older pending requests of the same topic and callback, §5.1: a newer
 * request wins). The caller answers 202 and nudges the verifier (websub.verify.ts) after commit.
 */
import { and, count, eq, gte, sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { runBatch } from "../platform/db/guard";
import { DomainError, invalidAll, type ErrorIssue } from "../lib/errors";
import { newId } from "../lib/ids";
import { checkTarget } from "../platform/ssrf";
import { subjectsExist } from "../readside/feeds/feeds.service";
import { LEASE_DEFAULT_SECONDS, LEASE_MAX_SECONDS, LEASE_MIN_SECONDS, REQUEST_WINDOW_MS, type WebsubConfig } from "./websub.config";
import type { WebsubRequestInput } from "../readside/feeds/hub.schemas";
import { websubRequests, websubSubscriptions, type WebsubRequestRow } from "./websub.table";
import { parseTopic } from "./websub.topics";

export interface RequestContext {
  now: number;
  /** This service's origin: topics must be its feeds. */
  base: string;
  allowPrivateTargets: boolean;
  websub: WebsubConfig;
}

/** A requested lease clamped into the hub's bounds; the verification tells the subscriber the result. */
export const chooseLease = (requested: number | undefined) =>
  Math.min(LEASE_MAX_SECONDS, Math.max(LEASE_MIN_SECONDS, requested ?? LEASE_DEFAULT_SECONDS));

export async function requestSubscription(db: Db, input: WebsubRequestInput, ctx: RequestContext): Promise<WebsubRequestRow> {
  const issues: ErrorIssue[] = [];
  const topic = parseTopic(input["hub.topic"], ctx.base);
  if (!topic.ok) issues.push({ path: "hub.topic", message: topic.reason });
  const callback = checkTarget(input["hub.callback"], ctx.allowPrivateTargets);
  if (!callback.ok) issues.push({ path: "hub.callback", message: `refused: ${callback.reason}` });
  if (!topic.ok || !callback.ok) throw invalidAll(issues);
  const mode = input["hub.mode"];
  if (mode === "subscribe" && !(await subjectsExist(db, { commitment: topic.topic.query.commitment, agreement: topic.topic.query.agreement }))) {
    throw invalidAll([{ path: "hub.topic", message: "is a feed of a commitment or agreement that does not exist" }]);
  }
  const host = callback.url.host;
  const [recent] = await db
    .select({ n: count() })
    .from(websubRequests)
    .where(and(eq(websubRequests.callbackHost, host), gte(websubRequests.createdAt, ctx.now - REQUEST_WINDOW_MS)));
  if ((recent?.n ?? 0) >= ctx.websub.maxPerCallbackHost) {
    throw new DomainError(
      "rate_limited",
      `too many subscription requests for callbacks on ${host}: at most ${ctx.websub.maxPerCallbackHost} in ${REQUEST_WINDOW_MS / 60_000} minutes`,
    );
  }
  const row: WebsubRequestRow = {
    id: newId("wsr", ctx.now),
    mode,
    topic: topic.topic.url,
    callback: callback.url.href,
    callbackHost: host,
    leaseSeconds: mode === "subscribe" ? chooseLease(input["hub.lease_seconds"]) : null,
    secret: mode === "subscribe" ? (input["hub.secret"] ?? null) : null,
    state: "pending",
    attempts: 0,
    nextAttemptAt: ctx.now,
    lastError: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await runBatch(db, [
    db
      .update(websubRequests)
      .set({ state: "superseded", lastError: "a newer request for this topic and callback", updatedAt: ctx.now })
      .where(and(eq(websubRequests.topic, row.topic), eq(websubRequests.callback, row.callback), eq(websubRequests.state, "pending"))),
    db.insert(websubRequests).values(row),
  ]);
  return row;
}

/** The request as the hub's answer shows it (never the secret). */
export const requestView = (r: WebsubRequestRow) => ({
  id: r.id,
  mode: r.mode,
  topic: r.topic,
  callback: r.callback,
  lease_seconds: r.leaseSeconds,
  state: r.state,
});

/** Operators' list: subscriptions newest first, with their distribution counts (never secrets). */
export async function listWebsubSubscriptions(db: Db, limit: number, now: number) {
  const rows = await db.all<{
    id: string; topic: string; callback: string; state: string; lease_seconds: number; subscribed_at: number; verified_at: number;
    expires_at: number; signed: number; pending: number; succeeded: number; failed: number;
  }>(sql`
    SELECT s.id, s.topic, s.callback, s.state, s.lease_seconds, s.subscribed_at, s.verified_at, s.expires_at, s.secret IS NOT NULL AS signed,
      (SELECT count(*) FROM websub_deliveries d WHERE d.subscription_id = s.id AND d.state = 'pending') AS pending,
      (SELECT count(*) FROM websub_deliveries d WHERE d.subscription_id = s.id AND d.state = 'succeeded') AS succeeded,
      (SELECT count(*) FROM websub_deliveries d WHERE d.subscription_id = s.id AND d.state = 'failed') AS failed
    FROM ${websubSubscriptions} s ORDER BY s.created_at DESC, s.id DESC LIMIT ${limit}`);
  return {
    items: rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      callback: r.callback,
      state: r.state === "active" && r.expires_at <= now ? "expired" : r.state,
      signed: r.signed === 1,
      lease_seconds: r.lease_seconds,
      subscribed_at: new Date(r.subscribed_at).toISOString(),
      verified_at: new Date(r.verified_at).toISOString(),
      expires_at: new Date(r.expires_at).toISOString(),
      deliveries: { pending: r.pending, succeeded: r.succeeded, failed: r.failed },
    })),
  };
}
