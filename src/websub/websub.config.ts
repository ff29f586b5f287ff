/**
 * The hub's settings, read once from the Worker's vars beside platform/config.ts's Config.
 * Domain code receives a WebsubConfig, never `env`.
 */
import type { Config } from "../platform/config";

export interface WebsubConfig {
  /** Verified, unexpired subscriptions per topic. */
  maxPerTopic: number;
  /** Verified, unexpired subscriptions per callback host; also the subscription requests a host may make per REQUEST_WINDOW_MS. */
  maxPerCallbackHost: number;
}

export interface WebsubVars {
  WEBSUB_MAX_PER_TOPIC?: string;
  WEBSUB_MAX_PER_CALLBACK_HOST?: string;
}

/** Lease bounds (seconds): a requested hub.lease_seconds is clamped into them (WebSub §5.1 lets the hub choose). */
export const LEASE_MIN_SECONDS = 300;
export const LEASE_DEFAULT_SECONDS = 10 * 86_400;
export const LEASE_MAX_SECONDS = 30 * 86_400;
/** The window of the per-callback-host request limit. */
export const REQUEST_WINDOW_MS = 10 * 60_000;

const positive = (text: string | undefined, fallback: number) => {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export function readWebsubConfig(vars: WebsubVars): WebsubConfig {
  return {
    maxPerTopic: positive(vars.WEBSUB_MAX_PER_TOPIC, 10_000),
    maxPerCallbackHost: positive(vars.WEBSUB_MAX_PER_CALLBACK_HOST, 100),
  };
}

/** What the hub's jobs take besides `db`: the ledger's settings (timeouts, retries, SSRF setting) and the hub's. */
export interface HubSettings {
  config: Config;
  websub: WebsubConfig;
}
