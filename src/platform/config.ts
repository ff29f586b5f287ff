/**
 * Settings read once from the Worker's vars (wrangler.toml [vars], .dev.vars, or secrets).
 * Domain code receives a Config, never `env`.
 */
import { fixedDurationMs } from "../lib/deadline";
export interface Config {
  /** Lead times in days before a deadline, largest first; the largest is the due_soon window. */
  dueSoonDays: number[];
  /** Origin for absolute links; null = the request's origin. */
  publicBaseUrl: string | null;
  allowPrivateWebhookTargets: boolean;
  /** Seconds to wait before each retry of a failed webhook delivery. */
  retryScheduleSeconds: number[];
  sweepPeriodMinutes: number;
  /** Per-attempt webhook timeout (15 s by default). */
  webhookTimeoutMs: number;
  /** The sweep deletes succeeded deliveries (and their attempts) this long after they finished. */
  deliveryRetentionMs: number;
  /** …and failed or cancelled ones after this long. */
  failedDeliveryRetentionMs: number;
  /**
   * Deliveries one queue consumer invocation attempts (DELIVERIES_PER_INVOCATION, default 1,000):
   * each is a subrequest. The rest of a larger batch goes back on the queue for the next
   * invocation. On the free plan (50 subrequests, 10 ms CPU) set 20, with max_batch_size = 1.
   */
  deliveriesPerInvocation: number;
  /** DELIVERY_PROFILE=true: each delivery invocation logs where its time went (the bench). */
  deliveryProfile: boolean;
  /** verify_every given to new commitments (VERIFY_EVERY, default P30D; "off" = none). */
  verifyEvery: string | null;
}

export interface ConfigVars {
  DUE_SOON_DAYS?: string;
  PUBLIC_BASE_URL?: string;
  ALLOW_PRIVATE_WEBHOOK_TARGETS?: string;
  WEBHOOK_RETRY_SCHEDULE?: string;
  SWEEP_PERIOD_MINUTES?: string;
  WEBHOOK_TIMEOUT_SECONDS?: string;
  DELIVERY_RETENTION_DAYS?: string;
  FAILED_DELIVERY_RETENTION_DAYS?: string;
  VERIFY_EVERY?: string;
  DELIVERIES_PER_INVOCATION?: string;
  DELIVERY_PROFILE?: string;
}

const days = (text: string | undefined, fallback: number) => (Number(text) > 0 ? Number(text) : fallback) * 86_400_000;

const DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];

function numberList(text: string | undefined, fallback: number[]): number[] {
  if (!text?.trim()) return fallback;
  const values = text.split(",").map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(`invalid number list in configuration: '${text}'`);
  }
  return values;
}

function verifyEvery(text: string | undefined): string | null {
  const value = text?.trim() || "P30D";
  if (value.toLowerCase() === "off") return null;
  if (fixedDurationMs(value) === null) throw new Error(`invalid VERIFY_EVERY in configuration: '${value}' (use e.g. P30D, or off)`);
  return value;
}

export function readConfig(vars: ConfigVars): Config {
  const dueSoonDays = [...new Set(numberList(vars.DUE_SOON_DAYS, [30, 7, 1]))]
    .filter((d) => d > 0)
    .sort((a, b) => b - a);
  const base = vars.PUBLIC_BASE_URL?.trim().replace(/\/+$/, "") || null;
  return {
    dueSoonDays: dueSoonDays.length > 0 ? dueSoonDays : [30],
    publicBaseUrl: base,
    allowPrivateWebhookTargets: vars.ALLOW_PRIVATE_WEBHOOK_TARGETS?.trim().toLowerCase() === "true",
    retryScheduleSeconds: numberList(vars.WEBHOOK_RETRY_SCHEDULE, DEFAULT_RETRY_SCHEDULE),
    sweepPeriodMinutes: Number(vars.SWEEP_PERIOD_MINUTES) > 0 ? Number(vars.SWEEP_PERIOD_MINUTES) : 5,
    verifyEvery: verifyEvery(vars.VERIFY_EVERY),
    webhookTimeoutMs: (Number(vars.WEBHOOK_TIMEOUT_SECONDS) > 0 ? Number(vars.WEBHOOK_TIMEOUT_SECONDS) : 15) * 1000,
    deliveryRetentionMs: days(vars.DELIVERY_RETENTION_DAYS, 30),
    deliveryProfile: vars.DELIVERY_PROFILE?.trim().toLowerCase() === "true",
    deliveriesPerInvocation: Number(vars.DELIVERIES_PER_INVOCATION) >= 1 ? Math.floor(Number(vars.DELIVERIES_PER_INVOCATION)) : 1000,
    failedDeliveryRetentionMs: days(vars.FAILED_DELIVERY_RETENTION_DAYS, 90),
  };
}

export const DAY_MS = 86_400_000;

/** The due_soon window in ms: the largest lead time. */
export const dueSoonWindowMs = (config: Pick<Config, "dueSoonDays">): number => config.dueSoonDays[0]! * DAY_MS;
