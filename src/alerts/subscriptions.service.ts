/**
 * Webhook subscriptions: create (the secret is shown only then), list, read, change filters,
 * pause/resume, delete, rotate the secret (the old one keeps signing for 24 h), send a test event,
 * read the delivery log, redeliver.
 */
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { runBatch } from "../platform/db/guard";
import { deliveries, deliveryAttempts, type DeliveryRow } from "./delivery.table";
import { cancelPendingStatement } from "./deliver";
import { newSecret } from "./signing";
import { deliveryTotals } from "./retention.repo";
import { checkTarget } from "../platform/ssrf";
import { appendEventStatements } from "../ledger/history/events.repo";
import { fixedDurationMs, toIso } from "../lib/deadline";
import { DomainError, invalid, notFound } from "../lib/errors";
import { partyKeys } from "../lib/parties";
import { newId } from "../lib/ids";
import type { CreateSubscriptionInput, UpdateSubscriptionInput } from "./subscriptions.schemas";
import { subscriptions, type SubscriptionRow } from "./subscriptions.table";

export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

export interface SubscriptionContext {
  now: number;
  actor: string;
  allowPrivateTargets: boolean;
  emitted?: string[];
}

export function subscriptionView(row: SubscriptionRow, now: number) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    state: row.state,
    disabled_reason: row.disabledReason,
    event_types: row.eventTypes,
    agreements: row.agreements,
    commitments: row.commitments,
    tags: row.tags,
    parties: row.parties,
    remind_every: row.remindEvery,
    failing_since: row.failingSince === null ? null : toIso(row.failingSince),
    previous_secret_expires_at:
      row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now ? toIso(row.previousSecretExpiresAt) : null,
    created_by: row.createdBy,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

/** The normalised URL (what is stored, checked again, fetched and signed), or 400 naming `url`. */
function assertTarget(url: string, allowPrivate: boolean): string {
  const check = checkTarget(url, allowPrivate);
  if (!check.ok) throw invalid("url", `refused webhook target: ${check.reason}`);
  return check.url.href;
}

async function mustFind(db: Db, id: string): Promise<SubscriptionRow> {
  const row = (await db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0];
  if (!row) throw notFound("subscription", id);
  return row;
}

export async function createSubscription(db: Db, input: CreateSubscriptionInput, ctx: SubscriptionContext) {
  const url = assertTarget(input.url, ctx.allowPrivateTargets);
  const row: SubscriptionRow = {
    id: newId("sub", ctx.now),
    url,
    description: input.description ?? "",
    eventTypes: input.event_types ?? null,
    agreements: input.agreements ?? null,
    commitments: input.commitments ?? null,
    tags: input.tags ?? null,
    parties: input.parties ?? null,
    partyKeys: input.parties ? partyKeys(input.parties) : null,
    remindEvery: input.remind_every ?? null,
    remindEveryMs: input.remind_every ? fixedDurationMs(input.remind_every) : null,
    secret: newSecret(),
    previousSecret: null,
    previousSecretExpiresAt: null,
    state: "active",
    disabledReason: null,
    failingSince: null,
    prunedSucceeded: 0,
    prunedFailed: 0,
    prunedCancelled: 0,
    prunedLastSuccessAt: null,
    createdBy: ctx.actor,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await db.insert(subscriptions).values(row);
  return { ...subscriptionView(row, ctx.now), secret: row.secret };
}

export async function listSubscriptions(db: Db, page: { limit: number; cursor?: string }, now: number) {
  const rows = await db
    .select()
    .from(subscriptions)
    .where(page.cursor ? lt(subscriptions.id, page.cursor) : undefined)
    .orderBy(desc(subscriptions.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  return {
    items: items.map((r) => subscriptionView(r, now)),
    next_cursor: rows.length > page.limit ? items[items.length - 1]!.id : null,
  };
}

/** One subscription with its delivery totals since it was created (retention keeps them). */
export async function getSubscription(db: Db, id: string, now: number) {
  const view = subscriptionView(await mustFind(db, id), now);
  const t = await deliveryTotals(db, id);
  return {
    ...view,
    deliveries: { succeeded: t.succeeded, failed: t.failed, cancelled: t.cancelled, pending: t.pending, last_success_at: t.lastSuccessAt === null ? null : toIso(t.lastSuccessAt) },
  };
}

export async function updateSubscription(db: Db, id: string, patch: UpdateSubscriptionInput, ctx: SubscriptionContext) {
  const row = await mustFind(db, id);
  const set: Partial<SubscriptionRow> = { updatedAt: ctx.now };
  if (patch.url !== undefined) set.url = assertTarget(patch.url, ctx.allowPrivateTargets);
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.event_types !== undefined) set.eventTypes = patch.event_types;
  if (patch.agreements !== undefined) set.agreements = patch.agreements;
  if (patch.commitments !== undefined) set.commitments = patch.commitments;
  if (patch.tags !== undefined) set.tags = patch.tags;
  if (patch.parties !== undefined) Object.assign(set, { parties: patch.parties, partyKeys: patch.parties && partyKeys(patch.parties) });
  if (patch.remind_every !== undefined) {
    Object.assign(set, { remindEvery: patch.remind_every, remindEveryMs: patch.remind_every && fixedDurationMs(patch.remind_every) });
  }
  if (patch.state !== undefined && patch.state !== row.state) {
    set.state = patch.state;
    // Resuming (also from disabled) starts a fresh health record.
    if (patch.state === "active") Object.assign(set, { disabledReason: null, failingSince: null });
  }
  const update = db.update(subscriptions).set(set).where(eq(subscriptions.id, id));
  // Pausing cancels what is pending, scheduled retries included (the README promises it): a
  // resume starts clean, and the log can redeliver anything wanted.
  if (set.state === "paused") await runBatch(db, [update, cancelPendingStatement(db, id, "the subscription was paused", ctx.now)]);
  else await update;
  return getSubscription(db, id, ctx.now);
}

export async function deleteSubscription(db: Db, id: string, now: number) {
  await mustFind(db, id);
  // Pending deliveries are cancelled, the log stays for the record.
  await runBatch(db, [cancelPendingStatement(db, id, "the subscription was deleted", now), db.delete(subscriptions).where(eq(subscriptions.id, id))]);
}

export async function rotateSecret(db: Db, id: string, now: number) {
  const row = await mustFind(db, id);
  const secret = newSecret();
  await db
    .update(subscriptions)
    .set({ secret, previousSecret: row.secret, previousSecretExpiresAt: now + ROTATION_OVERLAP_MS, updatedAt: now })
    .where(eq(subscriptions.id, id));
  return { ...subscriptionView(await mustFind(db, id), now), secret };
}

/** Records a subscription.test event (delivered to this subscription only). */
export async function sendTest(db: Db, id: string, ctx: SubscriptionContext) {
  const row = await mustFind(db, id);
  if (row.state !== "active") throw new DomainError("conflict", `the subscription is ${row.state}: resume it first`);
  const appended = appendEventStatements(db, {
    type: "subscription.test",
    actor: ctx.actor,
    occurredAt: ctx.now,
    recordedAt: ctx.now,
    note: "A test event sent on request.",
    data: { subscription_id: id },
  });
  await runBatch(db, appended.statements);
  ctx.emitted?.push(appended.id);
  return { event_id: appended.id };
}

export function deliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    event_id: row.eventId,
    subscription_id: row.subscriptionId,
    state: row.state,
    attempts: row.attempts,
    next_attempt_at: row.state === "pending" ? toIso(row.nextAttemptAt) : null,
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    delivered_at: row.deliveredAt === null ? null : toIso(row.deliveredAt),
  };
}

/** The delivery log, newest first, each delivery with its attempts. */
export async function listDeliveries(
  db: Db,
  subscriptionId: string,
  query: { state?: string; limit: number; cursor?: string },
) {
  await mustFind(db, subscriptionId);
  const rows = await db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.subscriptionId, subscriptionId),
        query.state ? eq(deliveries.state, query.state) : undefined,
        query.cursor ? lt(deliveries.id, query.cursor) : undefined,
      ),
    )
    .orderBy(desc(deliveries.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const attempts = items.length
    ? await db
        .select()
        .from(deliveryAttempts)
        .where(sql`${deliveryAttempts.deliveryId} IN (SELECT value FROM json_each(${JSON.stringify(items.map((i) => i.id))}))`)
        .orderBy(deliveryAttempts.id)
    : [];
  return {
    items: items.map((d) => ({
      ...deliveryView(d),
      attempt_log: attempts
        .filter((a) => a.deliveryId === d.id)
        .map((a) => ({
          attempted_at: toIso(a.attemptedAt),
          status_code: a.statusCode,
          latency_ms: a.latencyMs,
          error: a.error,
          response_excerpt: a.responseExcerpt,
        })),
    })),
    next_cursor: rows.length > query.limit ? items[items.length - 1]!.id : null,
  };
}

/** Sends a delivery again from the start of the schedule, with the same webhook-id. */
export async function redeliver(db: Db, id: string, now: number): Promise<{ delivery: ReturnType<typeof deliveryView>; dispatch: string[] }> {
  const row = (await db.select().from(deliveries).where(eq(deliveries.id, id)))[0];
  if (!row) throw notFound("delivery", id);
  if (row.state === "pending") throw new DomainError("conflict", "the delivery is still pending: it will be attempted on schedule");
  const sub = await mustFind(db, row.subscriptionId);
  if (sub.state !== "active") throw new DomainError("conflict", `the subscription is ${sub.state}: resume it first`);
  await db
    .update(deliveries)
    .set({ state: "pending", attempts: 0, nextAttemptAt: now, updatedAt: now, deliveredAt: null })
    .where(eq(deliveries.id, id));
  const updated = (await db.select().from(deliveries).where(eq(deliveries.id, id)))[0]!;
  return { delivery: deliveryView(updated), dispatch: [id] };
}
