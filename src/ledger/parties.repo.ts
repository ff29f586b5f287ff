/**
 * Parties: the editor's table (parties, party_aliases) and the per-commitment party names
 * (commitment_parties, written by commitments.plan.ts). Every read goes through the key index
 * (commitment_parties' primary key starts with party_key), so a party's page costs its own
 * commitments, not the ledger.
 */
import { asc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { partyKey } from "../lib/parties";
import { urgencyRankSql } from "./commitments.timeliness";
import { parties, partyAliases, type PartyRow } from "./parties.table";

export async function findParty(db: Db, slug: string): Promise<PartyRow | null> {
  const rows = await db.select().from(parties).where(eq(parties.slug, slug));
  return rows[0] ?? null;
}

export async function allParties(db: Db): Promise<PartyRow[]> {
  return db.select().from(parties).orderBy(asc(parties.name));
}

/** The party (slug) that holds each of `keys`, for the keys some party holds. */
export async function partiesHoldingKeys(db: Db, keys: string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db.all<{ key: string; party_slug: string }>(
    sql`SELECT key, party_slug FROM party_aliases WHERE key IN (SELECT value FROM json_each(${JSON.stringify(keys)}))`,
  );
  return new Map(rows.map((r) => [r.key, r.party_slug]));
}

/** The first name commitments give a key (an alias-less party is shown by it), or null. */
export async function nameOfKey(db: Db, key: string): Promise<string | null> {
  const row = await db.get<{ name: string }>(sql`SELECT name FROM commitment_parties WHERE party_key = ${key} ORDER BY commitment_id LIMIT 1`);
  return row?.name ?? null;
}

/**
 * SQL for the matching keys of a party filter given as a name: the name's key and, when an
 * editor made it a party's name or alias, every key of that party. Used by the commitment list
 * and calendar filter (commitments.repo.ts) and the feeds' (readside/feeds/feeds.repo.ts).
 */
export function partyFilterKeys(name: string): SQL {
  const key = partyKey(name);
  return sql`(SELECT pa.key FROM party_aliases pa WHERE pa.party_slug = (SELECT x.party_slug FROM party_aliases x WHERE x.key = ${key}) UNION SELECT ${key})`;
}

/** The keys partyFilterKeys matches, for a filter checked in code (calendar.service.ts). */
export async function partyFilterKeyList(db: Db, name: string): Promise<string[]> {
  // The union's one column takes its name from the first SELECT (pa.key): read it by position.
  const rows = await db.all<Record<string, string>>(sql`SELECT * FROM ${partyFilterKeys(name)}`);
  return rows.map((r) => Object.values(r)[0]!);
}

/** One cell of a party's counts: its commitments with one urgency rank and one status. */
export interface PartyCountCell {
  group: string;
  name: string;
  rank: number;
  status: string;
  n: number;
}

/**
 * Commitments per party, urgency rank and progress status. A party an editor named groups all
 * its keys (`group` = its slug); any other name is its own party (`group` = "key:" + key). A
 * commitment naming a party twice (by two aliases) counts once. `keys` limits it to one
 * party's keys (its page, through the key index); without it every party is counted (the list).
 */
export async function countByParty(db: Db, now: number, windowMs: number, keys?: string[]): Promise<PartyCountCell[]> {
  return db.all<PartyCountCell>(countByPartySql(now, windowMs, keys));
}

/** The SQL of countByParty (its query plan is tested: one party's count reads its own rows). */
export function countByPartySql(now: number, windowMs: number, keys?: string[]): SQL {
  const where = keys ? sql`WHERE cp.party_key IN (SELECT value FROM json_each(${JSON.stringify(keys)}))` : sql``;
  return sql`
    SELECT coalesce(pa.party_slug, 'key:' || cp.party_key) AS "group", min(cp.name) AS name, c.rank AS rank, c.status AS status,
      count(DISTINCT cp.commitment_id) AS n
    FROM commitment_parties cp
    LEFT JOIN party_aliases pa ON pa.key = cp.party_key
    JOIN (SELECT id, status, ${urgencyRankSql(now, windowMs)} AS rank FROM commitments) c ON c.id = cp.commitment_id
    ${where}
    GROUP BY 1, c.rank, c.status`;
}

/** The ids of a party's commitments (any of `keys`), each once. */
export function partyCommitmentIds(keys: string[]): SQL {
  return sql`(SELECT DISTINCT commitment_id FROM commitment_parties WHERE party_key IN (SELECT value FROM json_each(${JSON.stringify(keys)})))`;
}

export function partyStatements(db: Db, slug: string, row: { name: string; aliases: string[] }, keys: string[], now: number, existing: PartyRow | null) {
  return [
    existing
      ? db.update(parties).set({ name: row.name, aliases: row.aliases, updatedAt: now, version: existing.version + 1 }).where(eq(parties.slug, slug))
      : db.insert(parties).values({ slug, name: row.name, aliases: row.aliases, createdAt: now, updatedAt: now, version: 1 }),
    db.delete(partyAliases).where(eq(partyAliases.partySlug, slug)),
    db.insert(partyAliases).values(keys.map((key) => ({ key, partySlug: slug }))),
  ];
}

export function deletePartyStatements(db: Db, slug: string) {
  return [db.delete(partyAliases).where(eq(partyAliases.partySlug, slug)), db.delete(parties).where(eq(parties.slug, slug))];
}
