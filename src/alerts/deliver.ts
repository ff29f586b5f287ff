/**
 * Attempting deliveries. All the deliveries of a consumer invocation share one pool of 6
 * connections (Workers allow 6 open connections per invocation):
 *  1. claim them: compare-and-set on (state = pending, due) that also moves their lease forward,
 *     so a duplicate queue message or an overlapping consumer never sends one twice at once;
 *  2. for each, check the target again (SSRF guard), sign (Standard Webhooks; each secret's key
 *     imported once per isolate) and POST with a timeout and no redirects;
 *  3. record the outcomes set-based while the next requests are in flight (outcomes.ts: a few D1
 *     batches per invocation, never a statement per delivery): 2xx succeeded; 410 disables the
 *     subscription; anything else (3xx, 4xx, 429, 5xx, timeout, network error) is retried on the
 *     schedule (honouring Retry-After), then marked failed; 5 days of uninterrupted failure
 *     disables the subscription (a subscription.disabled event);
 *  4. after the last flush commits, send the delayed retry messages (Queues delay at most 12 h:
 *     longer waits hop), and on a new message whatever the send window left unattempted.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import type { BatchItem } from "../platform/db/guard";
import { appendEventStatements } from "../ledger/history/events.repo";
import { events as eventsTable, type EventRow } from "../ledger/history/events.table";
import type { AgreementRow } from "../ledger/agreements.table";
import type { CommitmentWithDeps } from "../ledger/commitments.repo";
import { findCommitmentsByIds } from "../ledger/commitments.repo";
import { findAgreementsByIds } from "../ledger/agreements.repo";
import { dueSoonWindowMs, type Config } from "../platform/config";
import { buildPayload } from "./payload";
import { signatureHeader } from "./signing";
import { checkTarget } from "../platform/ssrf";
import { readCapped } from "../platform/http/body";
import { pool } from "../lib/pool";
import { lru } from "../lib/lru";
import { dispatchDeliveries, dispatchEvents } from "./dispatch";
import { MAX_DELAY_SECONDS, sendAll, type DeliveryQueue } from "./messages";
import { deliveries } from "./delivery.table";
import { OutcomeRecorder, releaseStatement, type AttemptOutcome } from "./outcomes";
import { subscriptions, type SubscriptionRow } from "./subscriptions.table";

/**
 * What sending needs of a subscription: no filters, so none of its JSON columns is parsed for
 * each of the invocation's deliveries.
 */
const SENDER_COLUMNS = {
  id: subscriptions.id,
  url: subscriptions.url,
  secret: subscriptions.secret,
  previousSecret: subscriptions.previousSecret,
  previousSecretExpiresAt: subscriptions.previousSecretExpiresAt,
  state: subscriptions.state,
  failingSince: subscriptions.failingSince,
  updatedAt: subscriptions.updatedAt,
};
type SenderSubscription = Pick<SubscriptionRow, keyof typeof SENDER_COLUMNS>;

/** A claimed delivery is leased for this long (longer than the request timeout). */
export const DELIVERY_LEASE_MS = 5 * 60_000;
/** Queue delays are whole seconds and land a little early or late: claim what is due within this. */
const DUE_TOLERANCE_MS = 2_000;
export const MAX_CONCURRENCY = 6;
/**
 * An invocation starts no new request this long after its claim, so it ends well inside the lease
 * and the platform's wall-clock limit (15 minutes for a queue consumer) even against receivers
 * that all time out: 1,000 deliveries at 15 s each over 6 connections would take 42 minutes.
 */
export const SEND_WINDOW_MS = 2 * 60_000;
export const DISABLE_AFTER_MS = 5 * 86_400_000;
const EXCERPT_BYTES = 512;

export interface DeliverDeps {
  db: Db;
  queue: DeliveryQueue;
  fetch: typeof fetch;
  config: Config;
  /** The clock (ms): attempts are timed with it. */
  clock: () => number;
  /** 0 <= random() < 1, for retry jitter. */
  random: () => number;
}

export interface DeliverResult {
  attempted: number;
  succeeded: number;
  retried: number;
  failed: number;
  skipped: number;
  /** Claimed but not attempted before the send window closed: sent on in a new message. */
  released: number;
  /** Wall time spent waiting on receivers, summed over requests (for the delivery profile). */
  receiverMs: number;
}

type Outcome =
  | { kind: "success"; status: number }
  | { kind: "gone"; status: number }
  | { kind: "failure"; status: number | null; error: string; retryAfterMs: number | null };

/** Cancels every pending delivery of a subscription (paused, disabled or deleted): one statement for a batch. */
export function cancelPendingStatement(db: Db, subscriptionId: string, reason: string, now: number) {
  return db
    .update(deliveries)
    .set({ state: "cancelled", lastError: reason, updatedAt: now })
    .where(and(eq(deliveries.subscriptionId, subscriptionId), eq(deliveries.state, "pending")));
}

/** Seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The wait before retry number `attempt` (1-based), with ±10% jitter; null = schedule exhausted. */
export function retryDelayMs(schedule: number[], attempt: number, random: () => number, retryAfterMs: number | null): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  const jittered = base * 1000 * (0.9 + 0.2 * random());
  return Math.round(Math.min(Math.max(jittered, retryAfterMs ?? 0), 24 * 3600 * 1000));
}

/**
 * Target checks by URL, kept by the isolate: the check is a pure function of the URL and the
 * setting, and parsing a URL and its address costs more CPU than signing the body.
 */
const targets = lru<{ ok: true; href: string } | { ok: false; reason: string }>(5_000);

function checkedTarget(url: string, allowPrivate: boolean) {
  const key = `${allowPrivate ? 1 : 0} ${url}`;
  let target = targets.get(key);
  if (!target) {
    const checked = checkTarget(url, allowPrivate);
    target = checked.ok ? { ok: true, href: checked.url.href } : { ok: false, reason: checked.reason };
    targets.set(key, target);
  }
  return target;
}

/**
 * One timeout signal per slice of start times (a tenth of the timeout, at most a second), shared
 * by the requests started in it: each times out between `timeoutMs` and `timeoutMs` + a slice,
 * and an invocation makes a timer per slice instead of one per request.
 */
function timeoutSignals(clock: () => number, timeoutMs: number): () => AbortSignal {
  const slice = Math.max(1, Math.min(1000, Math.floor(timeoutMs / 10)));
  let current = -1;
  let signal: AbortSignal | null = null;
  return () => {
    const now = Math.floor(clock() / slice);
    if (now !== current || !signal) {
      current = now;
      signal = AbortSignal.timeout(timeoutMs + slice);
    }
    return signal;
  };
}

async function send(
  deps: DeliverDeps,
  url: string,
  sub: SenderSubscription,
  webhookId: string,
  body: string,
  signal: AbortSignal,
): Promise<{ outcome: Outcome; excerpt: string }> {
  const now = deps.clock();
  const timestamp = Math.floor(now / 1000);
  const secrets = [sub.secret];
  if (sub.previousSecret && sub.previousSecretExpiresAt !== null && sub.previousSecretExpiresAt > now) {
    secrets.push(sub.previousSecret);
  }
  const headers = {
    "content-type": "application/json",
    "user-agent": "pledgewatch-webhooks/1",
    "webhook-id": webhookId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await signatureHeader(secrets, webhookId, timestamp, body),
  };
  try {
    const res = await deps.fetch(url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal,
    });
    const excerpt = await readCapped(res, EXCERPT_BYTES);
    if (res.status >= 200 && res.status < 300) return { outcome: { kind: "success", status: res.status }, excerpt };
    if (res.status === 410) return { outcome: { kind: "gone", status: 410 }, excerpt };
    const error = res.status >= 300 && res.status < 400 ? `redirect to ${res.headers.get("location") ?? "?"} (not followed)` : `HTTP ${res.status}`;
    return {
      outcome: { kind: "failure", status: res.status, error, retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), deps.clock()) },
      excerpt,
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    const message =
      name === "TimeoutError" || name === "AbortError"
        ? `timed out after ${deps.config.webhookTimeoutMs / 1000} s`
        : `network error: ${error instanceof Error ? error.message : String(error)}`;
    return { outcome: { kind: "failure", status: null, error: message, retryAfterMs: null }, excerpt: "" };
  }
}

interface Claimed {
  id: string;
  event_id: string;
  subscription_id: string;
  attempts: number;
}

export async function deliver(deps: DeliverDeps, deliveryIds: string[], dueAt?: number): Promise<DeliverResult> {
  const { db } = deps;
  const now = deps.clock();
  const ids = JSON.stringify(deliveryIds);
  const result: DeliverResult = { attempted: 0, succeeded: 0, retried: 0, failed: 0, skipped: 0, released: 0, receiverMs: 0 };

  const claimed = await db.all<Claimed>(sql`
    UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ${now + DELIVERY_LEASE_MS}, updated_at = ${now}
    WHERE id IN (SELECT value FROM json_each(${ids})) AND state = 'pending' AND next_attempt_at <= ${now + DUE_TOLERANCE_MS}
    RETURNING id, event_id, subscription_id, attempts`);

  // A delayed retry that arrived before its time (a wait longer than 12 h): send it on.
  if (dueAt !== undefined && dueAt > now + DUE_TOLERANCE_MS && claimed.length < deliveryIds.length) {
    const waiting = await db.all<{ id: string; next_attempt_at: number }>(sql`
      SELECT id, next_attempt_at FROM deliveries
      WHERE id IN (SELECT value FROM json_each(${ids})) AND state = 'pending' AND next_attempt_at = ${dueAt}`);
    for (const w of waiting) {
      const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil((w.next_attempt_at - now) / 1000));
      await deps.queue.send({ kind: "deliver", deliveryIds: [w.id], dueAt: w.next_attempt_at }, { delaySeconds });
    }
  }
  result.skipped = deliveryIds.length - claimed.length;
  if (claimed.length === 0) return result;

  // Everything the payloads need, loaded once per message.
  const eventIds = [...new Set(claimed.map((c) => c.event_id))];
  const subIds = [...new Set(claimed.map((c) => c.subscription_id))];
  const events = new Map(
    (
      await db
        .select()
        .from(eventsTable)
        .where(sql`${eventsTable.id} IN (SELECT value FROM json_each(${JSON.stringify(eventIds)}))`)
    ).map((e) => [e.id, e]),
  );
  const subs = new Map<string, SenderSubscription>(
    (
      await db
        .select(SENDER_COLUMNS)
        .from(subscriptions)
        .where(sql`${subscriptions.id} IN (SELECT value FROM json_each(${JSON.stringify(subIds)}))`)
    ).map((row) => [row.id, row]),
  );
  const commitmentRows: Map<string, CommitmentWithDeps> = await findCommitmentsByIds(
    db,
    [...new Set([...events.values()].map((e) => e.commitmentId).filter((x): x is string => !!x))],
  );
  const agreementRows: Map<string, AgreementRow> = await findAgreementsByIds(
    db,
    [...new Set([...events.values()].map((e) => e.agreementId).filter((x): x is string => !!x))],
  );
  const readCtx = { now, windowMs: dueSoonWindowMs(deps.config) };
  const base = deps.config.publicBaseUrl ?? "";
  const bodies = new Map<string, string>();
  const bodyFor = (event: EventRow) => {
    let body = bodies.get(event.id);
    if (!body) {
      body = buildPayload(
        {
          event,
          commitment: event.commitmentId ? (commitmentRows.get(event.commitmentId) ?? null) : null,
          agreement: event.agreementId ? (agreementRows.get(event.agreementId) ?? null) : null,
          base,
        },
        readCtx,
      );
      bodies.set(event.id, body);
    }
    return body;
  };

  const disabledEvents: string[] = [];
  const disabledSubs = new Set<string>();
  const retries: Array<{ id: string; dueAt: number }> = [];
  const recorder = new OutcomeRecorder(db);
  // Past this, no new request starts: the rest is released for another invocation to send.
  const sendUntil = now + SEND_WINDOW_MS;
  const unsent: string[] = [];
  const timeoutSignal = timeoutSignals(deps.clock, deps.config.webhookTimeoutMs);

  await pool(claimed, MAX_CONCURRENCY, async (d) => {
    const event = events.get(d.event_id);
    const sub = subs.get(d.subscription_id);
    const at = deps.clock();
    if (recorder.failed || at > sendUntil) {
      unsent.push(d.id);
      return;
    }
    const close = (state: "cancelled" | "failed", error: string) =>
      recorder.add({
        deliveryId: d.id,
        subscriptionId: d.subscription_id,
        attemptedAt: at,
        statusCode: null,
        latencyMs: 0,
        error,
        excerpt: null,
        state,
        lastError: error,
        nextAttemptAt: at,
        updatedAt: at,
      });
    if (!event || !sub) {
      result.failed++;
      return close("failed", !event ? "the event no longer exists" : "the subscription no longer exists");
    }
    if (sub.state !== "active") {
      result.skipped++;
      return close("cancelled", `the subscription is ${sub.state}`);
    }
    const target = checkedTarget(sub.url, deps.config.allowPrivateWebhookTargets);
    if (!target.ok) {
      result.failed++;
      return close("failed", `refused target: ${target.reason}`);
    }
    result.attempted++;
    const started = deps.clock();
    const { outcome, excerpt } = await send(deps, target.href, sub, event.id, bodyFor(event), timeoutSignal());
    const finished = deps.clock();
    result.receiverMs += finished - started;
    const attempt = {
      deliveryId: d.id,
      subscriptionId: sub.id,
      attemptedAt: started,
      statusCode: outcome.status,
      latencyMs: finished - started,
      error: outcome.kind === "failure" ? outcome.error : outcome.kind === "gone" ? "410 Gone: subscription disabled" : null,
      excerpt: excerpt || null,
      lastStatusCode: outcome.status,
      updatedAt: finished,
    };
    let disableReason: string | null = null;
    let failingSince: number | null | undefined;
    let recorded: AttemptOutcome;
    if (outcome.kind === "success") {
      result.succeeded++;
      recorded = { ...attempt, state: "succeeded", lastError: null, deliveredAt: finished };
      failingSince = null;
    } else if (outcome.kind === "gone") {
      result.failed++;
      disableReason = "the receiver answered 410 Gone";
      recorded = { ...attempt, state: "failed", lastError: "410 Gone" };
    } else {
      failingSince = sub.failingSince ?? started;
      const delay = retryDelayMs(deps.config.retryScheduleSeconds, d.attempts, deps.random, outcome.retryAfterMs);
      if (delay === null) {
        result.failed++;
        recorded = { ...attempt, state: "failed", lastError: `${outcome.error}; retry schedule exhausted` };
      } else {
        result.retried++;
        const next = finished + delay;
        retries.push({ id: d.id, dueAt: next });
        recorded = { ...attempt, state: "pending", lastError: outcome.error, nextAttemptAt: next };
      }
      if (finished - failingSince >= DISABLE_AFTER_MS) disableReason = "deliveries failed for 5 days in a row";
    }
    if (failingSince !== undefined) sub.failingSince = failingSince;
    const after: BatchItem[] = [];
    if (disableReason) {
      after.push(
        db.update(subscriptions).set({ state: "disabled", disabledReason: disableReason, updatedAt: finished }).where(and(eq(subscriptions.id, sub.id), eq(subscriptions.state, "active"))),
      );
      const appended = appendEventStatements(db, {
        type: "subscription.disabled",
        actor: "delivery",
        occurredAt: finished,
        recordedAt: finished,
        note: disableReason,
        // No URL: receiver URLs often carry credentials, and the history is append-only.
        data: { subscription_id: sub.id, reason: disableReason },
        dedupeKey: `disabled:${sub.id}:${sub.updatedAt}`,
      }, "ignore");
      after.push(...appended.statements);
      disabledEvents.push(appended.id);
      disabledSubs.add(sub.id);
      sub.state = "disabled";
    }
    recorder.add(recorded, failingSince, after);
  });
  // Last, after every outcome of this invocation: a disabled subscription keeps no pending
  // deliveries (its retries would only be cancelled later, or sent after a resume); deliveries
  // never attempted are due again at once.
  const last: BatchItem[] = [...disabledSubs].map((id) => cancelPendingStatement(db, id, "the subscription was disabled", now));
  if (unsent.length > 0) last.push(releaseStatement(db, unsent, deps.clock()));
  await recorder.close(last);
  result.released = unsent.length;
  await dispatchDeliveries(deps.queue, unsent, deps.config.deliveriesPerInvocation);

  await sendAll(
    deps.queue,
    retries.map((r) => ({
      body: { kind: "deliver", deliveryIds: [r.id], dueAt: r.dueAt },
      delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((r.dueAt - deps.clock()) / 1000))),
    })),
  );
  await dispatchEvents(deps.queue, disabledEvents);
  return result;
}
