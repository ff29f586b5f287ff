import { and, desc, eq, inArray, notInArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { agreements } from "../../ledger/agreements.table";
import { commitments } from "../../ledger/commitments.table";
import { events, type EventRow } from "../../ledger/history/events.table";
import { partyFilterKeys } from "../../ledger/parties.repo";
import { UNPUBLISHED_EVENT_TYPES } from "../../ledger/history/events.types";
import { partyKey } from "../../lib/parties";

export interface FeedFilter {
  agreement?: string;
  commitment?: string;
  tag?: string;
  party?: string;
  /** Event types to show (already limited to the public ones); undefined = every public type. */
  types?: readonly string[];
  /** Only these events (a WebSub content distribution's new entries). */
  eventIds?: readonly string[];
}

export interface FeedEventRow {
  event: EventRow;
  commitmentTitle: string | null;
  commitmentTags: string[] | null;
  agreementTitle: string | null;
}

/**
 * History events newest first (events primary key), joined to the current titles and tags.
 * Filters: agreement and commitment use events_agreement_seq / events_commitment_seq; one type
 * uses events_type_seq; tag and party select the matching commitments first (json_each over
 * commitments) and then their events by events_commitment_seq.
 */
export async function listFeedEvents(db: Db, filter: FeedFilter, limit: number): Promise<FeedEventRow[]> {
  // Without a type filter, "not a subscription event" lets SQLite walk the primary key from
  // its end and stop at `limit`; an IN list over every type would pick events_type_seq and sort.
  const conditions: (SQL | undefined)[] = [
    filter.types
      ? inArray(events.type, [...filter.types])
      : and(sql`${events.type} NOT LIKE 'subscription.%'`, notInArray(events.type, [...UNPUBLISHED_EVENT_TYPES])),
  ];
  if (filter.eventIds) conditions.push(sql`${events.id} IN (SELECT value FROM json_each(${JSON.stringify(filter.eventIds)}))`);
  if (filter.agreement) conditions.push(eq(events.agreementId, filter.agreement));
  if (filter.commitment) conditions.push(eq(events.commitmentId, filter.commitment));
  if (filter.tag) {
    conditions.push(
      sql`${events.commitmentId} IN (SELECT c2.id FROM commitments c2, json_each(c2.tags) j WHERE j.value = ${filter.tag})`,
    );
  }
  if (filter.party) {
    // A commitment's events by its own parties; an agreement's own events by the agreement's.
    // Stored keys against the filter's key (lib/parties.ts): lower() would fold ASCII only.
    // An editor's aliases count as the party (ledger/parties.repo.ts partyFilterKeys).
    const keys = partyFilterKeys(filter.party);
    conditions.push(sql`(
      ${events.commitmentId} IN (SELECT c2.id FROM commitments c2, json_each(c2.party_keys) j WHERE j.value IN ${keys})
      OR (${events.commitmentId} IS NULL AND ${events.agreementId} IN
        (SELECT a2.id FROM agreements a2, json_each(a2.party_keys) j WHERE j.value IN ${keys})))`);
  }
  return db
    .select({
      event: events,
      commitmentTitle: commitments.title,
      commitmentTags: commitments.tags,
      agreementTitle: agreements.title,
    })
    .from(events)
    .leftJoin(commitments, eq(commitments.id, events.commitmentId))
    .leftJoin(agreements, eq(agreements.id, events.agreementId))
    .where(and(...conditions))
    .orderBy(desc(events.seq))
    .limit(limit);
}

/**
 * The same filter as `listFeedEvents`, as SQL over a WebSub subscription's stored topic filter
 * (`s`: websub_subscriptions' agreement, commitment, tag, party_key and types columns) against an
 * event `e` joined to its commitment `c` and agreement `a`: whether the event is in that topic's
 * feed. Used by websub/websub.fanout.ts; tests/websub/websub.test.ts checks the two agree.
 */
export const FEED_TOPIC_MATCH = sql.raw(`(
  e.type NOT LIKE 'subscription.%'
  AND (s.types IS NULL OR EXISTS (SELECT 1 FROM json_each(s.types) WHERE value = e.type))
  AND (s.agreement IS NULL OR e.agreement_id = s.agreement)
  AND (s.commitment IS NULL OR e.commitment_id = s.commitment)
  AND (s.tag IS NULL OR EXISTS (SELECT 1 FROM json_each(coalesce(c.tags, '[]')) WHERE value = s.tag))
  AND (s.party_key IS NULL
    OR EXISTS (SELECT 1 FROM json_each(coalesce(c.party_keys, '[]')) WHERE value = s.party_key)
    OR (e.commitment_id IS NULL AND EXISTS (SELECT 1 FROM json_each(coalesce(a.party_keys, '[]')) WHERE value = s.party_key))))`);

/** Titles for a feed's own heading when it is filtered to one commitment or agreement. */
export async function findTitles(
  db: Db,
  ids: { commitment?: string; agreement?: string },
): Promise<{ commitment: string | null; agreement: string | null }> {
  const [c, a] = await Promise.all([
    ids.commitment
      ? db.select({ title: commitments.title }).from(commitments).where(eq(commitments.id, ids.commitment))
      : Promise.resolve([]),
    ids.agreement
      ? db.select({ title: agreements.title }).from(agreements).where(eq(agreements.id, ids.agreement))
      : Promise.resolve([]),
  ]);
  return { commitment: c[0]?.title ?? null, agreement: a[0]?.title ?? null };
}
