/**
 * Parties: who promised. A party is a name the ledger's commitments give, matched by
 * lib/parties.ts partyKey (case and accents ignored); an editor can name a party and give it
 * aliases ("US", "USA" for "United States"), and then every alias counts as that party.
 * Counts are by timeliness and progress, with the record readers ask for (met on time, met
 * late, overdue, broken).
 */
import { sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { guardCondition, clearGuards, isUniqueFailure, runBatch } from "../platform/db/guard";
import { DomainError, invalidAll, notFound, type ErrorIssue } from "../lib/errors";
import { slugify } from "../lib/ids";
import { partyKey } from "../lib/parties";
import { toIso } from "../lib/deadline";
import { PROGRESS, TIMELINESS, URGENCY, type Timeliness } from "./commitments.rules";
import {
  allParties,
  countByParty,
  deletePartyStatements,
  findParty,
  nameOfKey,
  partiesHoldingKeys,
  partyStatements,
  type PartyCountCell,
} from "./parties.repo";
import type { PartyRow } from "./parties.table";
import type { PutPartyInput } from "./parties.schemas";
import type { ReadContext, WriteContext } from "./ledger.context";

/** A party as the read side speaks of it. */
export interface Party {
  /** The URL segment of /parties/{slug} and /api/v1/parties/{slug}. */
  slug: string;
  name: string;
  aliases: string[];
  /** Every matching key: the name's and each alias's. */
  keys: string[];
  /** Whether an editor named it (has a row in the parties table). */
  named: boolean;
}

export interface PartyCounts {
  total: number;
  by_timeliness: Record<Timeliness, number>;
  by_status: Record<string, number>;
  /** What readers ask of a party: kept on time, kept late, overdue, broken. */
  record: { met_on_time: number; met_late: number; overdue: number; broken: number };
}

/**
 * The URL segment of a party nobody named: its name as a slug when that leads back to the same
 * key ("United States" → united-states), else the key itself ("азербайджан"). resolveParty reads
 * both back.
 */
export function slugForName(name: string): string {
  const key = partyKey(name);
  const slug = slugify(name);
  return slug && (partyKey(slug) === key || partyKey(slug.replace(/-/g, " ")) === key) ? slug : key;
}

const keysOf = (row: { name: string; aliases: string[] }) => [...new Set([row.name, ...row.aliases].map(partyKey))];

const named = (row: PartyRow): Party => ({ slug: row.slug, name: row.name, aliases: row.aliases, keys: keysOf(row), named: true });

/**
 * The party a URL segment names: an editor's party by its slug, or by any of its names and
 * aliases; else a name commitments give (by its key, or its slug with hyphens for spaces).
 */
export async function resolveParty(db: Db, segment: string): Promise<Party | null> {
  const row = await findParty(db, segment);
  if (row) return named(row);
  const candidates = [...new Set([partyKey(segment), partyKey(segment.replace(/-/g, " "))])];
  const held = await partiesHoldingKeys(db, candidates);
  for (const key of candidates) {
    const slug = held.get(key);
    const owner = slug ? await findParty(db, slug) : null;
    if (owner) return named(owner);
  }
  for (const key of candidates) {
    const name = await nameOfKey(db, key);
    if (name !== null) return { slug: slugForName(name), name, aliases: [], keys: [key], named: false };
  }
  return null;
}

function emptyCounts(): PartyCounts {
  return {
    total: 0,
    by_timeliness: Object.fromEntries(TIMELINESS.map((t) => [t, 0])) as Record<Timeliness, number>,
    by_status: Object.fromEntries(PROGRESS.map((s) => [s, 0])),
    record: { met_on_time: 0, met_late: 0, overdue: 0, broken: 0 },
  };
}

function addCell(counts: PartyCounts, cell: PartyCountCell): void {
  const t = URGENCY[cell.rank]!;
  counts.total += cell.n;
  counts.by_timeliness[t] += cell.n;
  counts.by_status[cell.status] = (counts.by_status[cell.status] ?? 0) + cell.n;
  if (t === "met_on_time" || t === "met_late" || t === "overdue") counts.record[t] += cell.n;
  if (cell.status === "broken") counts.record.broken += cell.n;
}

export function partyLinks(slug: string, name: string) {
  const q = encodeURIComponent(name);
  const s = encodeURIComponent(slug);
  return {
    page: `/parties/${s}`,
    api: `/api/v1/parties/${s}`,
    commitments: `/api/v1/commitments?party=${q}`,
    rss: `/feed.xml?party=${q}`,
    atom: `/feed.atom?party=${q}`,
    json_feed: `/feed.json?party=${q}`,
    calendar: `/calendar.ics?party=${q}`,
    badge: `/badges/parties/${s}.svg`,
  };
}

export function partyView(p: Party, counts: PartyCounts) {
  return { slug: p.slug, name: p.name, aliases: p.aliases, named: p.named, ...counts, links: partyLinks(p.slug, p.name) };
}

/** Every party: the named ones (even without commitments) and every other name commitments give. */
export async function listParties(db: Db, ctx: ReadContext) {
  const [rows, cells] = await Promise.all([allParties(db), countByParty(db, ctx.now, ctx.windowMs)]);
  const byGroup = new Map<string, { party: Party; counts: PartyCounts }>();
  for (const row of rows) byGroup.set(row.slug, { party: named(row), counts: emptyCounts() });
  for (const cell of cells) {
    let entry = byGroup.get(cell.group);
    if (!entry) {
      const key = cell.group.slice("key:".length);
      entry = { party: { slug: slugForName(cell.name), name: cell.name, aliases: [], keys: [key], named: false }, counts: emptyCounts() };
      byGroup.set(cell.group, entry);
    }
    addCell(entry.counts, cell);
  }
  const items = [...byGroup.values()].sort((a, b) => b.counts.total - a.counts.total || a.party.name.localeCompare(b.party.name));
  return { items: items.map((e) => partyView(e.party, e.counts)) };
}

/** One party's counts, through the key index: the cost of its own commitments. */
export async function partyCounts(db: Db, party: Party, ctx: ReadContext): Promise<PartyCounts> {
  const counts = emptyCounts();
  for (const cell of await countByParty(db, ctx.now, ctx.windowMs, party.keys)) addCell(counts, cell);
  return counts;
}

export async function getParty(db: Db, segment: string, ctx: ReadContext) {
  const party = await resolveParty(db, segment);
  if (!party) throw notFound("party", segment);
  return partyView(party, await partyCounts(db, party, ctx));
}

/**
 * Names a party or renames it, with its aliases (replacing them). A name or alias another party
 * holds is refused naming the field (400); a concurrent claim of the same alias is a 409.
 */
export async function putParty(db: Db, slug: string, input: PutPartyInput, ctx: WriteContext) {
  const existing = await findParty(db, slug);
  const row = { name: input.name, aliases: input.aliases ?? [] };
  const keys = keysOf(row);
  const held = await partiesHoldingKeys(db, keys);
  const issues: ErrorIssue[] = [];
  const owner = (name: string) => held.get(partyKey(name));
  if (owner(row.name) && owner(row.name) !== slug) issues.push({ path: "name", message: `'${row.name}' is already a name of party '${owner(row.name)}'` });
  row.aliases.forEach((a, i) => {
    if (owner(a) && owner(a) !== slug) issues.push({ path: `aliases.${i}`, message: `'${a}' is already a name of party '${owner(a)}'` });
  });
  if (issues.length > 0) throw invalidAll(issues);
  const guard = existing ? [guardCondition(db, sql`(SELECT version FROM parties WHERE slug = ${slug}) = ${existing.version}`)] : [];
  try {
    await runBatch(db, [...guard, ...partyStatements(db, slug, row, keys, ctx.now, existing), ...(guard.length ? [clearGuards(db)] : [])]);
  } catch (error) {
    if (isUniqueFailure(error)) throw new DomainError("conflict", "another request named this party or one of its aliases meanwhile; read it again and retry");
    throw error;
  }
  return { ...(await getPartyRecord(db, slug)), created: existing === null };
}

async function getPartyRecord(db: Db, slug: string) {
  const row = (await findParty(db, slug))!;
  return { slug: row.slug, name: row.name, aliases: row.aliases, created_at: toIso(row.createdAt), updated_at: toIso(row.updatedAt), version: row.version };
}

/** Forgets a party's name and aliases; its commitments keep their names and stay on record. */
export async function deleteParty(db: Db, slug: string): Promise<void> {
  if (!(await findParty(db, slug))) throw notFound("party", slug);
  await runBatch(db, deletePartyStatements(db, slug));
}
