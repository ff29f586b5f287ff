/**
 * The version of a read-side document that shows commitments with their timeliness (pages,
 * calendar, badges, status.json): the ledger version plus a clock key, and when either last
 * changed. Built on the probe in version.repo.ts; conditional GET (cache.ts) turns it into an ETag.
 */
import type { Db } from "../platform/db/client";
import { DAY_MS } from "../platform/config";
import { utcDay } from "../ledger/commitments.rules";
import { readDataVersion, type DataVersion } from "./version.repo";

/**
 * What a clock-dependent document depends on besides the data: the UTC day (day counts) and
 * the next instants at which some open commitment's timeliness moves. Equal keys at two
 * moments mean every timeliness and every day count is the same at both.
 */
export function clockKey(v: DataVersion, now: number): [number, number | null, number | null] {
  return [utcDay(now), v.nextOverdueAt, v.nextDueSoonAt];
}

/** The last moment the clock key changed: midnight UTC, or a threshold just crossed. */
export function clockChangedAt(v: DataVersion, now: number, windowMs: number): number {
  return Math.max(
    utcDay(now) * DAY_MS,
    v.lastOverdueAt === null ? 0 : v.lastOverdueAt + 1,
    v.lastDueSoonAt === null ? 0 : v.lastDueSoonAt - windowMs,
  );
}

/**
 * The version of a document that shows commitments with their timeliness (pages, calendar,
 * badges): the ledger version plus the clock key, and when either last changed. One round trip.
 */
export async function clockedVersion(db: Db, now: number, windowMs: number): Promise<{ parts: unknown[]; lastModified: number }> {
  const v = await readDataVersion(db, now, windowMs);
  return { parts: [v.seq, v.parties, clockKey(v, now)], lastModified: Math.max(v.lastEventAt, v.partiesUpdatedAt, clockChangedAt(v, now, windowMs)) };
}
