/**
 * The evidence watch's poller. Two steps:
 *  1. cron (`enqueueDuePolls`, beside the sweep): claim the active sources whose next poll is due
 *     (a lease on next_poll_at, index sources_active_next_poll) and send poll messages of
 *     SOURCES_PER_MESSAGE ids each on the polls queue;
 *  2. consumer (`handlePollBatch` → `pollSources`): fetch each source (conditional GET, the SSRF
 *     guard on every hop, timeout, 2 MiB cap; at most 6 at a time), read its items, keep the
 *     ones this source has not shown before, match them against open commitments (one FTS query
 *     per item, all in one D1 batch), and record each source's result in one batch: seen items,
 *     proposals with their proposal.created events and outbox rows, health and next poll. After
 *     commit the events are put on the deliveries queue.
 *
 * Idempotent: a duplicate message polls again, and finds its items seen and its proposals
 * already there (unique on commitment + item). A failure is recorded on the source (status,
 * error, consecutive failures) and backs off: the next poll waits every × 2^failures, at most
 * a day (or `every`, when that is longer). Nothing a source answers can crash the consumer.
 */
import * as v from "valibot";
import type { Db } from "../platform/db/client";
import { execBatch } from "../platform/db/guard";
import { dispatchEvents } from "../alerts/dispatch";
import type { DeliveryQueue } from "../alerts/messages";
import { newId } from "../lib/ids";
import { fetchSource, type Fetcher } from "./fetch";
import { MATCH_THRESHOLD, itemTerms, scoreMatch, snippetOf, suggestStatus, words, type Candidate } from "./match";
import { findCandidates, type MatchScope } from "./match.repo";
import { PollMessage, sendPolls, type PollQueue } from "./messages";
import { feedItems, pageItem, type SourceItem } from "./parse";
import { claimDueSources, loadSources, pollResultStatements, proposalEventIds, seenKeys, type NewProposal, type PollHealth } from "./poll.repo";
import type { SourceRow } from "./sources.table";
import { pool } from "../lib/pool";

const DAY_MS = 86_400_000;
const CONCURRENCY = 6;

export interface PollDeps {
  db: Db;
  fetch: Fetcher;
  deliveries: DeliveryQueue;
  allowPrivate: boolean;
  clock: () => number;
  /** D1 queries issued so far by this invocation (platform/db/counting.ts), for the per-message log line. */
  queryCount?: () => number;
}

/** Step 1 (cron): claims due sources and sends their poll messages. */
export async function enqueueDuePolls(db: Db, queue: PollQueue, now: number): Promise<{ sources: number; sendCalls: number }> {
  const ids = await claimDueSources(db, now);
  return { sources: ids.length, sendCalls: ids.length > 0 ? await sendPolls(queue, ids) : 0 };
}

/** The wait before the next poll after `failures` failures in a row. */
export function backoffMs(everyMs: number, failures: number): number {
  if (failures <= 0) return everyMs;
  return Math.min(everyMs * 2 ** Math.min(failures, 20), Math.max(everyMs, DAY_MS));
}

type Fetched =
  | { source: SourceRow; ok: true; items: SourceItem[]; health: PollHealth }
  | { source: SourceRow; ok: false; health: PollHealth };

async function fetchAndRead(deps: PollDeps, source: SourceRow, now: number): Promise<Fetched> {
  const failed = (status: number | null, error: string): Fetched => {
    const failures = source.consecutiveFailures + 1;
    return {
      source,
      ok: false,
      health: { ok: false, status, error: error.slice(0, 500), consecutiveFailures: failures, nextPollAt: now + backoffMs(source.everyMs, failures) },
    };
  };
  const outcome = await fetchSource(deps.fetch, source.url, { allowPrivate: deps.allowPrivate, etag: source.etag, lastModified: source.lastModified });
  const healthy = (status: number, extra: Partial<PollHealth> = {}): PollHealth => ({
    ok: true,
    status,
    error: null,
    consecutiveFailures: 0,
    nextPollAt: now + source.everyMs,
    ...extra,
  });
  if (outcome.kind === "failed") return failed(outcome.status, outcome.error);
  if (outcome.kind === "not_modified") return { source, ok: true, items: [], health: healthy(304) };
  try {
    const validators = { etag: outcome.etag, lastModified: outcome.lastModified };
    if (source.kind === "feed") {
      const items = await feedItems(outcome.body, outcome.url);
      return { source, ok: true, items, health: healthy(outcome.status, validators) };
    }
    const page = await pageItem(outcome.body, outcome.url, source.pageBlocks);
    return { source, ok: true, items: page.item ? [page.item] : [], health: healthy(outcome.status, { ...validators, pageBlocks: page.blocks }) };
  } catch (error) {
    return failed(outcome.status, `could not read the ${source.kind}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Whether an item passes the source's keyword filter (any keyword as a phrase; none = all). */
function mentionsKeyword(item: SourceItem, keywords: string[] | null): boolean {
  if (!keywords || keywords.length === 0) return true;
  const folded = ` ${words(item.text).join(" ")} `;
  return keywords.some((k) => {
    const w = words(k).join(" ");
    return w.length > 0 && folded.includes(` ${w} `);
  });
}

export interface ItemMatch {
  candidate: Candidate;
  score: number;
}

/**
 * The commitments each item matches, best first: one FTS statement per item (all in one D1 batch),
 * then the candidates scored on the commitment's own wording and kept at MATCH_THRESHOLD and up.
 */
export async function matchItems(db: Db, entries: Array<{ item: SourceItem; scope: MatchScope }>): Promise<ItemMatch[][]> {
  const candidates = await findCandidates(
    db,
    entries.map((e) => ({ terms: itemTerms(e.item.title, e.item.text), scope: e.scope })),
  );
  return entries.map((e, k) =>
    candidates[k]!
      .map((candidate) => ({ candidate, score: scoreMatch(e.item.text, candidate) }))
      .filter((m) => m.score >= MATCH_THRESHOLD)
      .sort((a, b) => b.score - a.score),
  );
}

export interface PollResult {
  polled: number;
  failed: number;
  newItems: number;
  proposals: number;
}

/** Step 2 (consumer): polls these sources and records what each found. */
export async function pollSources(deps: PollDeps, sourceIds: string[]): Promise<PollResult> {
  const { db } = deps;
  const now = deps.clock();
  const rows = (await loadSources(db, sourceIds)).filter((s) => s.state === "active");
  const fetched = await pool(rows, CONCURRENCY, (s) => fetchAndRead(deps, s, now));
  const result: PollResult = { polled: rows.length, failed: fetched.filter((f) => !f.ok).length, newItems: 0, proposals: 0 };

  const pairs = fetched.flatMap((f) => (f.ok ? f.items.map((i) => ({ sourceId: f.source.id, key: i.key })) : []));
  const seen = await seenKeys(db, pairs);
  const fresh = fetched.map((f) => (f.ok ? f.items.filter((i) => !seen.has(`${f.source.id}\n${i.key}`)) : []));
  const toMatch = fresh.flatMap((items, n) =>
    items
      .filter((i) => mentionsKeyword(i, fetched[n]!.source.keywords))
      .map((item) => ({ n, item, scope: { agreements: fetched[n]!.source.agreements, partyKeys: fetched[n]!.source.partyKeys } })),
  );
  const matches = await matchItems(db, toMatch);
  const proposalsBySource = new Map<number, NewProposal[]>();
  toMatch.forEach(({ n, item }, k) => {
    for (const { candidate, score } of matches[k]!) {
      const list = proposalsBySource.get(n) ?? [];
      list.push({
        id: newId("prp", now),
        commitment_id: candidate.id,
        item_key: item.url ?? `${fetched[n]!.source.id}:${item.key}`,
        item_title: item.title,
        item_url: item.url,
        item_published_at: item.publishedAt,
        snippet: snippetOf(item.text, candidate),
        score,
        suggested_status: suggestStatus(item.text, candidate),
        evidence_url: item.url,
        evidence_title: item.title,
      });
      proposalsBySource.set(n, list);
    }
  });

  const emitted: string[] = [];
  const eventIdPrefix = newId("evt", now).slice(0, 14);
  for (const [n, f] of fetched.entries()) {
    const proposals = proposalsBySource.get(n) ?? [];
    const keys = fresh[n]!.map((i) => i.key);
    const { statements } = pollResultStatements(db, f.source, keys, proposals, f.health, now, eventIdPrefix);
    try {
      await execBatch(db, statements);
    } catch (error) {
      // This source's result is lost, not the others': its lease runs out and the cron claims it again.
      console.error("recording a poll failed", f.source.id, error);
      continue;
    }
    result.newItems += keys.length;
    if (proposals.length > 0) {
      const ids = await proposalEventIds(db, proposals.map((p) => p.id));
      result.proposals += ids.length;
      emitted.push(...ids);
    }
  }
  if (emitted.length > 0) {
    await dispatchEvents(deps.deliveries, emitted).catch((error) => console.error("enqueue after poll failed; the sweep will re-send", error));
  }
  return result;
}

/**
 * The polls queue consumer: each message on its own; an unexpected error retries it. Logs one
 * line per message with the sources it polled, the fetches (subrequests) and D1 queries it took:
 * what `wrangler tail` shows against the platform's per-invocation limits (bench/watch.mjs reads it).
 */
export async function handlePollBatch(batch: MessageBatch<unknown>, deps: PollDeps): Promise<void> {
  for (const message of batch.messages) {
    const parsed = v.safeParse(PollMessage, message.body);
    if (!parsed.success) {
      console.error("unreadable poll message; dropped (the cron claims due sources again)", message.id);
      message.ack();
      continue;
    }
    try {
      let fetches = 0;
      const queriesBefore = deps.queryCount?.() ?? 0;
      const counted: PollDeps = { ...deps, fetch: (input, init) => (fetches++, deps.fetch(input, init)) };
      const result = await pollSources(counted, parsed.output.sourceIds);
      const queries = deps.queryCount ? deps.queryCount() - queriesBefore : null;
      console.info(`poll message: ${JSON.stringify({ message: message.id, sources: parsed.output.sourceIds.length, ...result, fetches, queries })}`);
      message.ack();
    } catch (error) {
      console.error("poll message failed; retrying", message.id, error);
      message.retry({ delaySeconds: Math.min(300, 5 * 2 ** Math.max(0, message.attempts - 1)) });
    }
  }
}
