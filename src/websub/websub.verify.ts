/**
 * Verification of intent (WebSub §5.3), for the requests of one queue message:
 *  1. claim each pending request (compare-and-set that moves its lease forward, so a duplicate
 *     message never verifies twice at once);
 *  2. check the callback again (the SSRF guard); for a subscribe, check the limits per topic and
 *     per callback host (a renewal of the same topic and callback never counts against them):
 *     over a limit, the subscription is denied and the callback told (§5.2: GET with
 *     hub.mode=denied, hub.topic, hub.reason);
 *  3. GET the callback with hub.mode, hub.topic, hub.challenge (and hub.lease_seconds for a
 *     subscribe); only a 2xx whose body is the challenge confirms (§5.3.1), anything else fails it;
 *     a network error or timeout is retried twice (5 s, then 60 s), then fails;
 *  4. on confirmation, in one batch: a subscribe upserts the (topic, callback) subscription —
 *     new lease, new secret, state active — under guards that re-count the limits; an
 *     unsubscribe ends it and cancels its pending distributions; the request is marked verified.
 * Idempotent: a request is verified at most once (its state leaves pending in the same batch).
 */
import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { clearGuards, guardCondition, isGuardFailure, runBatch, type BatchItem } from "../platform/db/guard";
import { randomBytes, toBase64Url } from "../lib/crypto";
import { DomainError } from "../lib/errors";
import { newId } from "../lib/ids";
import { checkTarget } from "../platform/ssrf";
import type { HubSettings } from "./websub.config";
import { readCapped } from "../platform/http/body";
import { transportError, USER_AGENT } from "./websub.http";
import type { WebsubQueue } from "./websub.messages";
import { websubDeliveries, websubRequests, websubSubscriptions, type WebsubRequestRow } from "./websub.table";
import { parseTopic, topicFilterColumns } from "./websub.topics";

export interface HubDeps extends HubSettings {
  db: Db;
  queue: WebsubQueue;
  fetch: typeof fetch;
  /** The clock (ms). */
  clock: () => number;
  /** 0 <= random() < 1, for retry jitter. */
  random: () => number;
}

export const VERIFY_LEASE_MS = 5 * 60_000;
const DUE_TOLERANCE_MS = 2_000;
/** Waits before the second and third verification attempt after a network error or timeout. */
const VERIFY_RETRY_SECONDS = [5, 60];
/** A challenge echo longer than this cannot be the challenge. */
const ECHO_MAX_BYTES = 1024;

export interface VerifyResult {
  verified: number;
  failed: number;
  denied: number;
  retried: number;
  skipped: number;
}

/** Active, unexpired subscriptions of a topic other than this callback's. */
const topicCount = (topic: string, callback: string, now: number) =>
  sql`(SELECT count(*) FROM websub_subscriptions WHERE topic = ${topic} AND state = 'active' AND expires_at > ${now} AND callback <> ${callback})`;
/** Active, unexpired subscriptions on a callback host other than this (topic, callback). */
const hostCount = (host: string, topic: string, callback: string, now: number) =>
  sql`(SELECT count(*) FROM websub_subscriptions WHERE callback_host = ${host} AND state = 'active' AND expires_at > ${now} AND NOT (topic = ${topic} AND callback = ${callback}))`;

async function overLimit(deps: HubDeps, r: WebsubRequestRow, now: number): Promise<string | null> {
  const [row] = await deps.db.all<{ topic: number; host: number }>(
    sql`SELECT ${topicCount(r.topic, r.callback, now)} AS topic, ${hostCount(r.callbackHost, r.topic, r.callback, now)} AS host`,
  );
  if ((row?.topic ?? 0) >= deps.websub.maxPerTopic) return `this topic has the most subscribers the hub allows (${deps.websub.maxPerTopic})`;
  if ((row?.host ?? 0) >= deps.websub.maxPerCallbackHost) {
    return `callbacks on ${r.callbackHost} have the most subscriptions the hub allows (${deps.websub.maxPerCallbackHost})`;
  }
  return null;
}

function withParams(callback: string, params: Record<string, string>): string {
  const url = new URL(callback);
  // Appended, keeping the callback's own query (§5.3: "&" when it already has one).
  for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
  return url.href;
}

type Check = { kind: "confirmed" } | { kind: "refused"; error: string } | { kind: "transient"; error: string };

async function askCallback(deps: HubDeps, r: WebsubRequestRow): Promise<Check> {
  const challenge = toBase64Url(randomBytes(24));
  const params: Record<string, string> = { "hub.mode": r.mode, "hub.topic": r.topic, "hub.challenge": challenge };
  if (r.mode === "subscribe") params["hub.lease_seconds"] = String(r.leaseSeconds);
  try {
    const res = await deps.fetch(withParams(r.callback, params), {
      method: "GET",
      headers: { "user-agent": USER_AGENT },
      redirect: "manual",
      signal: AbortSignal.timeout(deps.config.webhookTimeoutMs),
    });
    const body = await readCapped(res, ECHO_MAX_BYTES + 1);
    if (res.status < 200 || res.status >= 300) return { kind: "refused", error: `the callback answered HTTP ${res.status}` };
    // Surrounding whitespace (a trailing newline) is forgiven: a challenge never contains any.
    if (body.trim() !== challenge) return { kind: "refused", error: "the callback did not echo hub.challenge" };
    return { kind: "confirmed" };
  } catch (error) {
    return { kind: "transient", error: transportError(error, deps.config.webhookTimeoutMs) };
  }
}

/** §5.2: tells the callback its subscription was denied. Its answer changes nothing. */
async function sendDenial(deps: HubDeps, r: WebsubRequestRow, reason: string): Promise<void> {
  try {
    const res = await deps.fetch(withParams(r.callback, { "hub.mode": "denied", "hub.topic": r.topic, "hub.reason": reason }), {
      method: "GET",
      headers: { "user-agent": USER_AGENT },
      redirect: "manual",
      signal: AbortSignal.timeout(deps.config.webhookTimeoutMs),
    });
    await readCapped(res, 0);
  } catch {
    // the denial is recorded on the request either way
  }
}

const finish = (db: Db, id: string, state: "verified" | "failed" | "denied", error: string | null, at: number) =>
  db.update(websubRequests).set({ state, lastError: error, updatedAt: at, nextAttemptAt: at }).where(and(eq(websubRequests.id, id), eq(websubRequests.state, "pending")));

function subscribeStatements(deps: HubDeps, r: WebsubRequestRow, at: number): BatchItem[] {
  const { db } = deps;
  const topic = parseTopic(r.topic, r.topic);
  if (!topic.ok) throw new Error(`stored topic no longer parses: ${topic.reason}`);
  const lease = r.leaseSeconds!;
  const expiresAt = at + lease * 1000;
  return [
    guardCondition(db, sql`${topicCount(r.topic, r.callback, at)} < ${deps.websub.maxPerTopic}`),
    guardCondition(db, sql`${hostCount(r.callbackHost, r.topic, r.callback, at)} < ${deps.websub.maxPerCallbackHost}`),
    db
      .insert(websubSubscriptions)
      .values({
        id: newId("wss", at),
        topic: r.topic,
        format: topic.topic.format,
        query: topic.topic.query,
        ...topicFilterColumns(topic.topic.query),
        callback: r.callback,
        callbackHost: r.callbackHost,
        secret: r.secret,
        leaseSeconds: lease,
        state: "active",
        subscribedAt: at,
        verifiedAt: at,
        expiresAt,
        createdAt: at,
        updatedAt: at,
      })
      .onConflictDoUpdate({
        target: [websubSubscriptions.topic, websubSubscriptions.callback],
        set: {
          secret: r.secret,
          leaseSeconds: lease,
          // A renewal keeps its start; a subscription that had ended starts again now.
          subscribedAt: sql`CASE WHEN ${websubSubscriptions.state} = 'active' AND ${websubSubscriptions.expiresAt} > ${at} THEN ${websubSubscriptions.subscribedAt} ELSE ${at} END`,
          state: "active",
          verifiedAt: at,
          expiresAt,
          updatedAt: at,
        },
      }),
    finish(db, r.id, "verified", null, at),
    clearGuards(db),
  ];
}

function unsubscribeStatements(db: Db, r: WebsubRequestRow, at: number): BatchItem[] {
  return [
    db
      .update(websubDeliveries)
      .set({ state: "cancelled", lastError: "unsubscribed", updatedAt: at })
      .where(
        and(
          eq(websubDeliveries.state, "pending"),
          sql`${websubDeliveries.subscriptionId} IN (SELECT id FROM websub_subscriptions WHERE topic = ${r.topic} AND callback = ${r.callback})`,
        ),
      ),
    db
      .update(websubSubscriptions)
      .set({ state: "unsubscribed", updatedAt: at })
      .where(and(eq(websubSubscriptions.topic, r.topic), eq(websubSubscriptions.callback, r.callback), ne(websubSubscriptions.state, "unsubscribed"))),
    finish(db, r.id, "verified", null, at),
  ];
}

export async function verifyRequests(deps: HubDeps, requestIds: string[]): Promise<VerifyResult> {
  const { db } = deps;
  const now = deps.clock();
  const result: VerifyResult = { verified: 0, failed: 0, denied: 0, retried: 0, skipped: 0 };
  const claimed = await db.all<Record<string, unknown>>(sql`
    UPDATE websub_requests SET attempts = attempts + 1, next_attempt_at = ${now + VERIFY_LEASE_MS}, updated_at = ${now}
    WHERE id IN (SELECT value FROM json_each(${JSON.stringify(requestIds)})) AND state = 'pending' AND next_attempt_at <= ${now + DUE_TOLERANCE_MS}
    RETURNING id`);
  result.skipped = requestIds.length - claimed.length;
  if (claimed.length === 0) return result;
  const rows = await db
    .select()
    .from(websubRequests)
    .where(sql`${websubRequests.id} IN (SELECT value FROM json_each(${JSON.stringify(claimed.map((c) => c.id))}))`);

  const retries: Array<{ id: string; delaySeconds: number }> = [];
  for (const r of rows) {
    const target = checkTarget(r.callback, deps.config.allowPrivateWebhookTargets);
    if (!target.ok) {
      result.failed++;
      await runBatch(db, [finish(db, r.id, "failed", `refused callback: ${target.reason}`, deps.clock())]);
      continue;
    }
    if (r.mode === "subscribe") {
      const limit = await overLimit(deps, r, now);
      if (limit) {
        result.denied++;
        await sendDenial(deps, r, limit);
        await runBatch(db, [finish(db, r.id, "denied", limit, deps.clock())]);
        continue;
      }
    }
    const check = await askCallback(deps, r);
    const at = deps.clock();
    if (check.kind === "transient") {
      const wait = VERIFY_RETRY_SECONDS[r.attempts - 1];
      if (wait !== undefined) {
        result.retried++;
        await runBatch(db, [
          db.update(websubRequests).set({ lastError: check.error, nextAttemptAt: at + wait * 1000, updatedAt: at }).where(eq(websubRequests.id, r.id)),
        ]);
        retries.push({ id: r.id, delaySeconds: wait });
        continue;
      }
      result.failed++;
      await runBatch(db, [finish(db, r.id, "failed", `${check.error}; gave up after ${r.attempts} attempts`, at)]);
      continue;
    }
    if (check.kind === "refused") {
      result.failed++;
      await runBatch(db, [finish(db, r.id, "failed", check.error, at)]);
      continue;
    }
    try {
      await runBatch(db, r.mode === "subscribe" ? subscribeStatements(deps, r, at) : unsubscribeStatements(db, r, at));
      result.verified++;
    } catch (error) {
      // A verification that raced past a limit: the guards refused it; deny it on record.
      if (!(error instanceof DomainError && error.code === "conflict") && !isGuardFailure(error)) throw error;
      result.denied++;
      const reason = "a limit of the hub was reached while this subscription was verified";
      await sendDenial(deps, r, reason);
      await runBatch(db, [finish(db, r.id, "denied", reason, deps.clock())]);
    }
  }
  for (const r of retries) await deps.queue.send({ kind: "websub.verify", requestIds: [r.id] }, { delaySeconds: r.delaySeconds });
  return result;
}
