/**
 * Sources: create, list, read, change, delete, each with its health (last fetch, last status,
 * consecutive failures, next poll). The URL passes the one SSRF guard when it is saved, and
 * again on every fetch and every redirect hop (watch/fetch.ts).
 */
import { desc, eq, lt } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { checkTarget } from "../platform/ssrf";
import { fixedDurationMs, toIso } from "../lib/deadline";
import { invalid, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { partyKeys } from "../lib/parties";
import { DEFAULT_EVERY, type CreateSourceInput, type UpdateSourceInput } from "./sources.schemas";
import { sources, type SourceRow } from "./sources.table";
import { runBatch } from "../platform/db/guard";
import { sql } from "drizzle-orm";

export interface SourceContext {
  now: number;
  actor: string;
  allowPrivateTargets: boolean;
}

/** healthy (last poll succeeded), failing (since n polls), pending (never polled), paused. */
export function sourceHealth(row: SourceRow): "healthy" | "failing" | "pending" | "paused" {
  if (row.state === "paused") return "paused";
  if (row.lastFetchedAt === null) return "pending";
  return row.consecutiveFailures > 0 ? "failing" : "healthy";
}

export function sourceView(row: SourceRow) {
  const iso = (ms: number | null) => (ms === null ? null : toIso(ms));
  return {
    id: row.id,
    url: row.url,
    kind: row.kind as "feed" | "page",
    agreements: row.agreements,
    parties: row.parties,
    keywords: row.keywords,
    every: row.every,
    state: row.state as "active" | "paused",
    health: {
      status: sourceHealth(row),
      last_fetched_at: iso(row.lastFetchedAt),
      last_status: row.lastStatus,
      last_error: row.lastError,
      last_success_at: iso(row.lastSuccessAt),
      consecutive_failures: row.consecutiveFailures,
      next_poll_at: row.state === "active" ? toIso(row.nextPollAt) : null,
      items_seen: row.itemsSeen,
      proposals_made: row.proposalsMade,
    },
    created_by: row.createdBy,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}
export type SourceView = ReturnType<typeof sourceView>;

function assertTarget(url: string, allowPrivate: boolean): string {
  const check = checkTarget(url, allowPrivate);
  if (!check.ok) throw invalid("url", `refused source URL: ${check.reason}`);
  return check.url.href;
}

async function mustFind(db: Db, id: string): Promise<SourceRow> {
  const row = (await db.select().from(sources).where(eq(sources.id, id)))[0];
  if (!row) throw notFound("source", id);
  return row;
}

export async function createSource(db: Db, input: CreateSourceInput, ctx: SourceContext): Promise<SourceView> {
  const url = assertTarget(input.url, ctx.allowPrivateTargets);
  const every = input.every ?? DEFAULT_EVERY;
  const row: SourceRow = {
    id: newId("src", ctx.now),
    url,
    kind: input.kind,
    agreements: input.agreements ?? null,
    parties: input.parties ?? null,
    partyKeys: input.parties ? partyKeys(input.parties) : null,
    keywords: input.keywords ?? null,
    every,
    everyMs: fixedDurationMs(every)!,
    state: "active",
    etag: null,
    lastModified: null,
    pageBlocks: null,
    lastFetchedAt: null,
    lastStatus: null,
    lastError: null,
    lastSuccessAt: null,
    consecutiveFailures: 0,
    // Due at once: the next cron polls it.
    nextPollAt: ctx.now,
    itemsSeen: 0,
    proposalsMade: 0,
    createdBy: ctx.actor,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await db.insert(sources).values(row);
  return sourceView(row);
}

export async function listSources(db: Db, page: { limit: number; cursor?: string }) {
  const rows = await db
    .select()
    .from(sources)
    .where(page.cursor ? lt(sources.id, page.cursor) : undefined)
    .orderBy(desc(sources.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  return { items: items.map(sourceView), next_cursor: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

export async function getSource(db: Db, id: string): Promise<SourceView> {
  return sourceView(await mustFind(db, id));
}

export async function updateSource(db: Db, id: string, patch: UpdateSourceInput, ctx: SourceContext): Promise<SourceView> {
  const row = await mustFind(db, id);
  const set: Partial<SourceRow> = { updatedAt: ctx.now };
  if (patch.url !== undefined) {
    set.url = assertTarget(patch.url, ctx.allowPrivateTargets);
    // Another URL is another document: forget the validators and the page text of the old one.
    if (set.url !== row.url) Object.assign(set, { etag: null, lastModified: null, pageBlocks: null, nextPollAt: ctx.now });
  }
  if (patch.kind !== undefined) set.kind = patch.kind;
  if (patch.agreements !== undefined) set.agreements = patch.agreements;
  if (patch.parties !== undefined) Object.assign(set, { parties: patch.parties, partyKeys: patch.parties && partyKeys(patch.parties) });
  if (patch.keywords !== undefined) set.keywords = patch.keywords;
  if (patch.every !== undefined) Object.assign(set, { every: patch.every, everyMs: fixedDurationMs(patch.every)! });
  if (patch.state !== undefined && patch.state !== row.state) {
    set.state = patch.state;
    // Resuming polls at the next cron, with a clean failure count.
    if (patch.state === "active") Object.assign(set, { nextPollAt: ctx.now, consecutiveFailures: 0 });
  }
  await db.update(sources).set(set).where(eq(sources.id, id));
  return getSource(db, id);
}

/** Deletes the source and what it has seen; its proposals stay (they name it by id). */
export async function deleteSource(db: Db, id: string): Promise<void> {
  await mustFind(db, id);
  await runBatch(db, [db.run(sql`DELETE FROM source_items WHERE source_id = ${id}`), db.delete(sources).where(eq(sources.id, id))]);
}
