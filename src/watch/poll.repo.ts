/**
 * The poller's SQL. Claims are compare-and-set leases on next_poll_at; each source's result is
 * one D1 batch: its seen items, its proposals, their proposal.created events and outbox rows, and
 * its health, so a poll's findings and its bookkeeping commit together or not at all. Lists
 * travel as one JSON parameter each (json_each), so no statement nears 100 bound parameters.
 */
import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import type { BatchItem } from "../platform/db/guard";
import { insertOutboxRows, OUTBOX_LEASE_MS } from "../ledger/history/outbox.repo";
import { sources, type SourceRow } from "./sources.table";

/** A claimed source is left to its poll message this long before the cron claims it again. */
export const POLL_LEASE_MS = 10 * 60_000;
/** Sources claimed per cron run: 143 messages of 7, two sendBatch calls. */
export const CLAIM_LIMIT = 1000;

/** Moves the lease of up to `limit` due sources past now and returns their ids. */
export async function claimDueSources(db: Db, now: number, limit = CLAIM_LIMIT): Promise<string[]> {
  const rows = await db.all<{ id: string }>(sql`
    UPDATE sources SET next_poll_at = ${now + POLL_LEASE_MS}
    WHERE id IN (SELECT id FROM sources WHERE state = 'active' AND next_poll_at <= ${now} ORDER BY next_poll_at LIMIT ${limit})
    RETURNING id`);
  return rows.map((r) => r.id);
}

export async function loadSources(db: Db, ids: string[]): Promise<SourceRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(sources).where(inArray(sources.id, ids));
}

/** Which of these (source, key) pairs were seen before: one query for a whole message. */
export async function seenKeys(db: Db, pairs: Array<{ sourceId: string; key: string }>): Promise<Set<string>> {
  if (pairs.length === 0) return new Set();
  const rows = await db.all<{ source_id: string; item_key: string }>(sql`
    SELECT s.source_id, s.item_key FROM source_items s
    JOIN json_each(${JSON.stringify(pairs.map((p) => [p.sourceId, p.key]))}) j
      ON s.source_id = json_extract(j.value, '$[0]') AND s.item_key = json_extract(j.value, '$[1]')`);
  return new Set(rows.map((r) => `${r.source_id}\n${r.item_key}`));
}

export interface NewProposal {
  id: string;
  commitment_id: string;
  item_key: string;
  item_title: string;
  item_url: string | null;
  item_published_at: number | null;
  snippet: string;
  score: number;
  suggested_status: string | null;
  evidence_url: string | null;
  evidence_title: string | null;
}

export interface PollHealth {
  status: number | null;
  error: string | null;
  ok: boolean;
  etag?: string | null;
  lastModified?: string | null;
  pageBlocks?: string[] | null;
  nextPollAt: number;
  consecutiveFailures: number;
}

/**
 * The batch recording one source's poll. Proposals are INSERT OR IGNORE on (commitment, item):
 * an item already proposed for a commitment (by any source, in any state) adds nothing, and only
 * proposals actually inserted get a proposal.created event (selected back by id).
 */
export function pollResultStatements(
  db: Db,
  source: SourceRow,
  seen: string[],
  proposals: NewProposal[],
  health: PollHealth,
  now: number,
  eventIdPrefix: string,
): { statements: BatchItem[]; eventsAt: number } {
  const statements: BatchItem[] = [];
  if (seen.length > 0) {
    statements.push(
      db.run(sql`INSERT OR IGNORE INTO source_items (source_id, item_key, seen_at) SELECT ${source.id}, value, ${now} FROM json_each(${JSON.stringify(seen)})`),
    );
  }
  const json = JSON.stringify(proposals);
  if (proposals.length > 0) {
    statements.push(
      db.run(sql`
        INSERT OR IGNORE INTO proposals (id, commitment_id, source_id, item_key, item_title, item_url, item_published_at, snippet, score,
          suggested_status, evidence_url, evidence_title, state, created_at)
        SELECT json_extract(value, '$.id'), json_extract(value, '$.commitment_id'), ${source.id}, json_extract(value, '$.item_key'),
          json_extract(value, '$.item_title'), json_extract(value, '$.item_url'), json_extract(value, '$.item_published_at'),
          json_extract(value, '$.snippet'), json_extract(value, '$.score'), json_extract(value, '$.suggested_status'),
          json_extract(value, '$.evidence_url'), json_extract(value, '$.evidence_title'), 'open', ${now}
        FROM json_each(${json})
        WHERE EXISTS (SELECT 1 FROM commitments c WHERE c.id = json_extract(value, '$.commitment_id'))`),
      db.run(sql`
        INSERT OR IGNORE INTO events (id, type, commitment_id, agreement_id, from_value, to_value, note, evidence_url, actor, occurred_at, recorded_at, data, dedupe_key)
        SELECT ${eventIdPrefix} || upper(hex(randomblob(8))), 'proposal.created', p.commitment_id, c.agreement_id, NULL, p.suggested_status,
          NULL, p.item_url, 'watch', coalesce(p.item_published_at, ${now}), ${now},
          json_object('proposal_id', p.id, 'source_id', p.source_id, 'source_url', ${source.url},
            'item', json_object('title', p.item_title, 'url', p.item_url,
              'published_at', CASE WHEN p.item_published_at IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', p.item_published_at / 1000.0, 'unixepoch') END),
            'snippet', p.snippet, 'score', p.score, 'suggested_status', p.suggested_status),
          'proposal:' || p.id
        FROM proposals p JOIN commitments c ON c.id = p.commitment_id
        WHERE p.id IN (SELECT json_extract(value, '$.id') FROM json_each(${json}))`),
      insertOutboxRows(
        db,
        sql`dedupe_key IN (SELECT 'proposal:' || json_extract(value, '$.id') FROM json_each(${json}))`,
        now + OUTBOX_LEASE_MS,
        now,
      ),
    );
  }
  statements.push(
    db
      .update(sources)
      .set({
        lastFetchedAt: now,
        lastStatus: health.status,
        lastError: health.error,
        consecutiveFailures: health.consecutiveFailures,
        nextPollAt: health.nextPollAt,
        ...(health.ok ? { lastSuccessAt: now } : {}),
        ...(health.etag !== undefined ? { etag: health.etag } : {}),
        ...(health.lastModified !== undefined ? { lastModified: health.lastModified } : {}),
        ...(health.pageBlocks !== undefined ? { pageBlocks: health.pageBlocks } : {}),
        itemsSeen: sql`${sources.itemsSeen} + ${seen.length}`,
        proposalsMade: proposals.length
          ? sql`${sources.proposalsMade} + (SELECT count(*) FROM proposals WHERE id IN (SELECT json_extract(value, '$.id') FROM json_each(${json})))`
          : sql`${sources.proposalsMade}`,
      })
      .where(eq(sources.id, source.id)),
  );
  return { statements, eventsAt: now };
}

/** The proposal.created events of these proposals (to enqueue after commit). */
export async function proposalEventIds(db: Db, proposalIds: string[]): Promise<string[]> {
  if (proposalIds.length === 0) return [];
  const rows = await db.all<{ id: string }>(sql`
    SELECT id FROM events WHERE dedupe_key IN (SELECT 'proposal:' || value FROM json_each(${JSON.stringify(proposalIds)}))`);
  return rows.map((r) => r.id);
}
