/** Fixtures for the alert tests: domain calls with a fixed clock, a recording queue, a fake fetch. */
import { createAgreement } from "../../src/ledger/agreements.service";
import { createCommitment } from "../../src/ledger/commitments.service";
import type { DeliverDeps } from "../../src/alerts/deliver";
import type { DeliveryQueue, QueueMessage } from "../../src/alerts/messages";
import { readConfig, type Config } from "../../src/platform/config";
import { createSubscription } from "../../src/alerts/subscriptions.service";
import type { CreateSubscriptionInput } from "../../src/alerts/subscriptions.schemas";
import { db, uid } from "../helpers";

export const DAY = 86_400_000;
export const LEAD_DAYS = [30, 7, 1];
/** The default delivery retention (platform/config.ts), as the sweep takes it. */
export const RETENTION = { succeededMs: 30 * DAY, failedMs: 90 * DAY };

export function writeCtx(now: number, actor = "tester") {
  return { now, actor, leadDays: LEAD_DAYS, windowMs: 30 * DAY, emitted: [] as string[] };
}

export interface RecordingQueue extends DeliveryQueue {
  messages: Array<{ body: QueueMessage; delaySeconds?: number }>;
  sendBatchCalls: number;
}

export function recordingQueue(): RecordingQueue {
  const q: RecordingQueue = {
    messages: [],
    sendBatchCalls: 0,
    async send(body, options) {
      q.messages.push({ body, delaySeconds: options?.delaySeconds });
    },
    async sendBatch(batch) {
      const list = [...batch];
      if (list.length > 100) throw new Error("sendBatch: more than 100 messages");
      q.sendBatchCalls++;
      q.messages.push(...list);
    },
  };
  return q;
}

export async function makeAgreement(now: number, overrides: Record<string, unknown> = {}) {
  return createAgreement(
    db(),
    { id: uid("agr"), title: "Agreement", kind: "memorandum", signed_on: "2025-08-08", parties: ["Azerbaijan", "United States"], ...overrides } as never,
    writeCtx(now),
  );
}

export async function makeCommitment(agreement: string, now: number, overrides: Record<string, unknown> = {}) {
  return createCommitment(db(), { id: uid("com"), agreement, title: "A promise", ...overrides } as never, writeCtx(now));
}

export async function makeSubscription(now: number, input: Partial<CreateSubscriptionInput> = {}) {
  return createSubscription(db(), { url: "https://hooks.example.com/receiver", ...input } as CreateSubscriptionInput, {
    now,
    actor: "tester",
    allowPrivateTargets: false,
  });
}

export interface FakeCall {
  url: string;
  headers: Record<string, string>;
  body: string;
  redirect?: RequestInit["redirect"];
}

/** A fetch that answers from `handler` and records every request. */
export function fakeFetch(handler: (call: FakeCall, n: number, signal?: AbortSignal) => Response | Promise<Response>) {
  const calls: FakeCall[] = [];
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const call: FakeCall = { url: String(input), headers, body: String(init?.body ?? ""), redirect: init?.redirect };
    calls.push(call);
    return handler(call, calls.length, init?.signal ?? undefined);
  }) as typeof fetch;
  return { fetch: fn, calls };
}

export function deliverDeps(
  fetchFn: typeof fetch,
  queue: DeliveryQueue,
  clock: () => number,
  config: Partial<Config> = {},
): DeliverDeps {
  return {
    db: db(),
    queue,
    fetch: fetchFn,
    config: { ...readConfig({ WEBHOOK_RETRY_SCHEDULE: "5,300,1800" }), ...config },
    clock,
    random: () => 0.5,
  };
}
