import { Hono } from "hono";
import { PUBLIC_READ_HEADERS, configParts, makeValidator, respondConditionally } from "../cache";
import { baseUrl, type AppEnv } from "../../platform/http/context";
import { dueSoonWindowMs } from "../../platform/config";
import { firstSeen, reusedFor } from "../memo";
import type { StatusProbe } from "./status.repo";
import { checkHealth, probeStatus, statusDocument, statusLastModified, statusVersionParts } from "./status.service";

/** Seconds a dashboard may reuse /status.json before revalidating. */
const STATUS_MAX_AGE = 30;

/**
 * Delivery health has no timestamp of its own: when this isolate first saw the current counts
 * stands in as their Last-Modified (see statusLastModified).
 */
const healthSeenAt = firstSeen();

/**
 * How long an isolate reuses its version probe of /status.json. Within this window a busy
 * endpoint answers from memory without touching D1 (the built document is memoised by its
 * validator in readside/cache.ts), which is what keeps it within 1.5x of a constant route at
 * 100k commitments. The price is at most this much staleness, well inside the 30 s max-age
 * clients already accept. Feeds, pages and the calendar probe on every request.
 */
export const STATUS_PROBE_TTL_MS = 1000;
const probeMemo = reusedFor<StatusProbe>(STATUS_PROBE_TTL_MS);

async function cachedProbe(db: AppEnv["Variables"]["db"], now: number, windowMs: number): Promise<StatusProbe> {
  const key = String(windowMs);
  const hit = probeMemo.get(key, now);
  if (hit) return hit;
  const probe = await probeStatus(db, now, windowMs);
  probeMemo.set(key, now, probe);
  return probe;
}

/** Forgets the reused probe: tests that write and read back within the TTL call it. */
export const resetStatusProbeCache = (): void => probeMemo.reset();

export const statusRoutes = new Hono<AppEnv>()
  .get("/status.json", async (c) => {
    const { db, now, config } = c.var;
    const windowMs = dueSoonWindowMs(config);
    const base = baseUrl(c);
    const probe = await cachedProbe(db, now, windowMs);
    const parts = statusVersionParts(probe, now, config.sweepPeriodMinutes);
    const seenAt = healthSeenAt(JSON.stringify(parts[4]), now);
    const v = makeValidator(
      "status",
      [...parts, configParts(config), base],
      statusLastModified(probe, now, { windowMs, sweepPeriodMinutes: config.sweepPeriodMinutes }, seenAt),
    );
    return respondConditionally(
      c,
      v,
      `status.json|${base}`,
      async () => ({
        body: JSON.stringify(
          await statusDocument(db, probe, { now, windowMs, sweepPeriodMinutes: config.sweepPeriodMinutes, base }),
        ),
        contentType: "application/json; charset=utf-8",
      }),
      { maxAge: STATUS_MAX_AGE, headers: PUBLIC_READ_HEADERS },
    );
  })
  // For load balancers and uptime checkers: never cached, one cheap query.
  .get("/healthz", async (c) => {
    const health = await checkHealth(c.var.db, c.var.now, c.var.config.sweepPeriodMinutes);
    return c.body(JSON.stringify(health), health.status === "fail" ? 503 : 200, {
      "Content-Type": "application/health+json",
      "Cache-Control": "no-store",
      ...PUBLIC_READ_HEADERS,
    });
  });
