/**
 * What the HTML pages show, read and shaped here so the views only render. Domain code: takes
 * `db` and `now`; never reads the clock.
 */
import type { Db } from "../../platform/db/client";
import { allAgreements, findAgreement } from "../../ledger/agreements.repo";
import type { AgreementRow } from "../../ledger/agreements.table";
import { countCommitments, dependentsOf, findCommitment, findCommitmentsByIds, type CommitmentWithDeps } from "../../ledger/commitments.repo";
import { daysUntil, timeliness, URGENCY, urgencyRank, type Timeliness } from "../../ledger/commitments.rules";
import { listFeedEvents } from "../feeds/feeds.repo";
import { toFeedItem } from "../feeds/feeds.service";
import { plural, progressLabel, waitingReason } from "../../lib/labels";
import { isStale } from "../../ledger/commitments.verification";
import { partyCounts, partyLinks, resolveParty, slugForName } from "../../ledger/parties.service";
import { allParties, partyCommitmentIds } from "../../ledger/parties.repo";
import {
  countByRank,
  deadlinesAround,
  latestChangesOf,
  mostUrgentPerAgreement,
  partyCardsByTimeliness,
  partyDeadlinesAround,
  partyNames,
  type CardRow,
  type LatestChange,
} from "./pages.repo";

export interface PageContext {
  now: number;
  windowMs: number;
  base: string;
}

export interface CommitmentCard {
  id: string;
  title: string;
  agreementId: string;
  status: string;
  timeliness: Timeliness;
  /** "waiting on entry into force", "waiting on: <title>" while the deadline's anchor has not happened. */
  waitingReason: string | null;
  dueOn: string | null;
  dueAt: number | null;
  /** Whole UTC days to the deadline (negative once past); null without a deadline. */
  daysLeft: number | null;
  /** Whole UTC days since deadline + grace passed, for overdue commitments. */
  daysOverdue: number | null;
  tags: string[];
  parties: string[];
  latest: { text: string; at: number } | null;
}

export interface TimelineItem {
  id: string;
  title: string;
  dueAt: number;
  dueOn: string;
  timeliness: Timeliness;
}

export function byUrgency(a: CommitmentCard, b: CommitmentCard): number {
  return (
    urgencyRank(a.timeliness) - urgencyRank(b.timeliness) ||
    (a.dueAt ?? Number.MAX_SAFE_INTEGER) - (b.dueAt ?? Number.MAX_SAFE_INTEGER) ||
    a.title.localeCompare(b.title)
  );
}

/** A short phrase for a commitment's latest change: "status changed to in progress". */
export function changePhrase(c: Pick<LatestChange, "type" | "fromValue" | "toValue">): string {
  switch (c.type) {
    case "commitment.created":
      return "added to the ledger";
    case "commitment.status_changed":
      return `progress changed to ${progressLabel(c.toValue)}`;
    case "commitment.deadline_changed":
      return "deadline changed";
    case "commitment.updated":
      return "details edited";
    case "commitment.due_soon":
      return "deadline approaching";
    case "commitment.overdue":
      return "became overdue";
    default:
      return c.type;
  }
}

/** What a card needs of a commitment (a full row or a pages.repo CardRow). */
export type CardSource = Omit<CardRow, "agreementTotal">;

export function toCard(row: CardSource, latest: LatestChange | undefined, ctx: PageContext): CommitmentCard {
  const t = timeliness(row, ctx.now, ctx.windowMs);
  return {
    id: row.id,
    title: row.title,
    agreementId: row.agreementId,
    status: row.status,
    timeliness: t,
    waitingReason: t === "waiting" ? waitingReason(row.waitingOn, row.anchorTitle) : null,
    dueOn: row.dueOn,
    dueAt: row.dueAt,
    daysLeft: row.dueAt === null ? null : daysUntil(row.dueAt, ctx.now),
    daysOverdue: t === "overdue" && row.overdueAt !== null ? daysUntil(ctx.now, row.overdueAt) : null,
    tags: row.tags,
    parties: row.parties,
    latest: latest ? { text: changePhrase(latest), at: latest.occurredAt } : null,
  };
}

/** Most deadlines drawn on one timeline: the ones nearest today. */
export const TIMELINE_MAX = 60;

export interface TimelineData {
  items: TimelineItem[];
  /** True when more deadlines exist than the timeline draws. */
  limited: boolean;
}

export function timelineItems(cards: CommitmentCard[], now: number, limited: boolean): TimelineData {
  const dated = cards.filter((c): c is CommitmentCard & { dueAt: number; dueOn: string } => c.dueAt !== null && c.dueOn !== null);
  const nearest = [...dated].sort((a, b) => Math.abs(a.dueAt - now) - Math.abs(b.dueAt - now)).slice(0, TIMELINE_MAX);
  return {
    items: nearest
      .sort((a, b) => a.dueAt - b.dueAt || a.title.localeCompare(b.title))
      .map((c) => ({ id: c.id, title: c.title, dueAt: c.dueAt, dueOn: c.dueOn, timeliness: c.timeliness })),
    limited: limited || dated.length > TIMELINE_MAX,
  };
}

/** The deadlines nearest today for a timeline: TIMELINE_MAX / 2 on each side, by index. */
async function loadTimeline(db: Db, ctx: PageContext, agreementId?: string): Promise<TimelineData> {
  const { rows, more } = await deadlinesAround(db, ctx.now, TIMELINE_MAX / 2, agreementId);
  return timelineItems(
    rows.map((r) => toCard(r, undefined, ctx)),
    ctx.now,
    more,
  );
}

export interface Summary {
  total: number;
  overdue: number;
  due_soon: number;
  on_track: number;
  done: number;
  no_deadline: number;
  waiting: number;
  closed: number;
}

/** A summary from counts per timeliness (SQL aggregates: nothing is loaded row by row). */
export function summaryFromCounts(n: Record<Timeliness, number>): Summary {
  return {
    total: Object.values(n).reduce((a, b) => a + b, 0),
    overdue: n.overdue,
    due_soon: n.due_soon,
    on_track: n.on_track,
    done: n.met_on_time + n.met_late,
    no_deadline: n.no_deadline,
    waiting: n.waiting,
    closed: n.closed,
  };
}

/** Commitments shown per agreement on the home page; the agreement's page shows them all. */
export const HOME_PER_AGREEMENT = 25;

export interface AgreementSection {
  agreement: AgreementRow;
  cards: CommitmentCard[];
  hidden: number;
}

/**
 * The home page: counts by SQL aggregate, the most urgent HOME_PER_AGREEMENT commitments of each
 * agreement ranked in SQLite, the deadlines nearest today, and the latest change of the shown
 * commitments only. Nothing scales with the number of commitments outside the database.
 */
export async function loadHome(db: Db, ctx: PageContext) {
  const [agreements, rows, counts] = await Promise.all([
    allAgreements(db),
    mostUrgentPerAgreement(db, ctx.now, ctx.windowMs, HOME_PER_AGREEMENT),
    countCommitments(db, ctx.now, ctx.windowMs),
  ]);
  const latest = await latestChangesOf(db, rows.map((r) => r.id));
  const byAgreement = new Map<string, { cards: CommitmentCard[]; total: number }>();
  for (const row of rows) {
    const entry = byAgreement.get(row.agreementId) ?? { cards: [], total: row.agreementTotal };
    entry.cards.push(toCard(row, latest.get(row.id), ctx));
    byAgreement.set(row.agreementId, entry);
  }
  const summary = summaryFromCounts(counts.byTimeliness);
  const sections: AgreementSection[] = agreements
    .map((agreement) => {
      const entry = byAgreement.get(agreement.id) ?? { cards: [], total: 0 };
      const cards = entry.cards.sort(byUrgency);
      return { agreement, cards, hidden: Math.max(0, entry.total - cards.length) };
    })
    .sort(
      (a, b) =>
        (a.cards[0] ? urgencyRank(a.cards[0].timeliness) : 9) - (b.cards[0] ? urgencyRank(b.cards[0].timeliness) : 9) ||
        (a.cards[0]?.dueAt ?? Number.MAX_SAFE_INTEGER) - (b.cards[0]?.dueAt ?? Number.MAX_SAFE_INTEGER) ||
        a.agreement.title.localeCompare(b.agreement.title),
    );
  const [timeline, parties] = await Promise.all([loadTimeline(db, ctx), loadPartyLinks(db)]);
  return { summary, sections, timeline, parties };
}

export interface DeadlineStep {
  /** "set": the deadline the commitment was recorded with; "changed": a later move, with its reason. */
  kind: "set" | "changed";
  at: number;
  from: string | null;
  to: string | null;
  reason: string | null;
}

/** How a commitment page states its deadline: the date, its zone, grace, and what it counts from. */
export interface DeadlineFacts {
  dueOn: string;
  timeZone: string;
  grace: string | null;
  /** "P6M after signing" for a deadline counted from a date; null for a fixed one. */
  relative: string | null;
}

export function deadlineFacts(row: Pick<CommitmentWithDeps, "dueOn" | "timeZone" | "deadline">): DeadlineFacts | null {
  if (row.dueOn === null) return null;
  const spec = row.deadline;
  return {
    dueOn: row.dueOn,
    timeZone: row.timeZone,
    grace: spec && "grace" in spec && spec.grace ? spec.grace : null,
    relative: spec && "within" in spec && spec.within ? `${spec.within} after ${spec.from ?? "signing"}` : null,
  };
}

/** The deadline's history from the commitment's events: as created, then each change. */
function deadlineHistory(
  rawEvents: Array<{ type: string; note: string | null; recordedAt: number; data: Record<string, unknown> | null }>,
): DeadlineStep[] {
  const steps: DeadlineStep[] = [];
  for (const e of [...rawEvents].reverse()) {
    const data = e.data ?? {};
    if (e.type === "commitment.created") {
      steps.push({ kind: "set", at: e.recordedAt, from: null, to: typeof data.due_on === "string" ? data.due_on : null, reason: null });
    } else if (e.type === "commitment.deadline_changed") {
      const from = (data.from ?? {}) as Record<string, unknown>;
      const to = (data.to ?? {}) as Record<string, unknown>;
      steps.push({
        kind: "changed",
        at: e.recordedAt,
        from: typeof from.due_on === "string" ? from.due_on : null,
        to: typeof to.due_on === "string" ? to.due_on : null,
        reason: e.note,
      });
    }
  }
  return steps;
}

/** Most history entries a page lists; the feeds carry up to 200 as well. */
export const PAGE_HISTORY_MAX = 200;

/** Most dependents a commitment page lists ("and N more" says the rest); depends_on is capped at 50 on input. */
export const PAGE_DEPENDENTS_MAX = 100;

export async function loadCommitmentPage(db: Db, id: string, ctx: PageContext) {
  const row = await findCommitment(db, id);
  if (!row) return null;
  const [agreement, allDependents, eventRows] = await Promise.all([
    findAgreement(db, row.agreementId),
    dependentsOf(db, id),
    listFeedEvents(db, { commitment: id }, PAGE_HISTORY_MAX),
  ]);
  const dependentIds = allDependents.slice(0, PAGE_DEPENDENTS_MAX);
  const relatedIds = [...new Set([...row.dependsOn, ...dependentIds])];
  const [related, latest] = await Promise.all([findCommitmentsByIds(db, relatedIds), latestChangesOf(db, [id, ...relatedIds])]);
  const card = (cid: string) => {
    const r = related.get(cid);
    return r ? toCard(r, latest.get(cid), ctx) : null;
  };
  const history = eventRows.map((r) => toFeedItem(r, ctx.base));
  return {
    commitment: row,
    verification: verificationFacts(row, ctx.now),
    card: toCard(row, latest.get(id), ctx),
    deadline: deadlineFacts(row),
    agreement,
    dependsOn: row.dependsOn.map(card).filter((c): c is CommitmentCard => c !== null),
    dependents: dependentIds.map(card).filter((c): c is CommitmentCard => c !== null),
    dependentsHidden: allDependents.length - dependentIds.length,
    history,
    deadlines: deadlineHistory(
      eventRows.map((r) => ({ type: r.event.type, note: r.event.note, recordedAt: r.event.recordedAt, data: r.event.data })),
    ),
  };
}

export interface VerificationFacts {
  /** "last verified 12 days ago", "last verified today", "never verified". */
  phrase: string;
  lastVerifiedAt: number | null;
  stale: boolean;
  verifyEvery: string | null;
}

/** How fresh the commitment's record is, in words (ledger/commitments.verification.ts decides staleness). */
export function verificationFacts(
  row: Pick<CommitmentWithDeps, "lastVerifiedAt" | "verifyEvery" | "staleAt" | "closedAt">,
  now: number,
): VerificationFacts {
  const at = row.lastVerifiedAt;
  const days = at === null ? null : Math.max(0, daysUntil(now, at));
  const phrase = days === null ? "never verified" : days === 0 ? "last verified today" : `last verified ${plural(days, "day")} ago`;
  return { phrase, lastVerifiedAt: at, stale: isStale(row, now), verifyEvery: row.verifyEvery };
}

/** Commitments listed on an agreement's page, most urgent first. */
export const AGREEMENT_PAGE_MAX = 200;

export async function loadAgreementPage(db: Db, id: string, ctx: PageContext) {
  const agreement = await findAgreement(db, id);
  if (!agreement) return null;
  const [rows, eventRows, ranks] = await Promise.all([
    mostUrgentPerAgreement(db, ctx.now, ctx.windowMs, AGREEMENT_PAGE_MAX, id),
    listFeedEvents(db, { agreement: id }, 50),
    countByRank(db, ctx.now, ctx.windowMs, id),
  ]);
  const latest = await latestChangesOf(db, rows.map((r) => r.id));
  const cards = rows.map((r) => toCard(r, latest.get(r.id), ctx)).sort(byUrgency);
  const counts = Object.fromEntries(URGENCY.map((t) => [t, 0])) as Record<Timeliness, number>;
  for (const [rank, n] of ranks) counts[URGENCY[rank]!] = n;
  const summary = summaryFromCounts(counts);
  return {
    agreement,
    cards,
    hidden: Math.max(0, summary.total - cards.length),
    summary,
    timeline: await loadTimeline(db, ctx, id),
    history: eventRows.map((r) => toFeedItem(r, ctx.base)),
  };
}

/** A commitment's badge: its title is not needed, only how it stands. */
export async function loadBadge(db: Db, id: string, ctx: PageContext): Promise<CommitmentCard | null> {
  const row = await findCommitment(db, id);
  return row ? toCard(row, undefined, ctx) : null;
}

/** Cards shown per timeliness on a party's page; the rest are one link away (the API's list). */
export const PARTY_PER_GROUP = 50;

export interface PartyGroup {
  timeliness: Timeliness;
  cards: CommitmentCard[];
  /** How many of this timeliness the party has in all. */
  total: number;
}

/**
 * A party's page: its counts and record (ledger/parties.service.ts), its commitments grouped by
 * timeliness (the PARTY_PER_GROUP most urgent of each, ranked in SQLite), the deadlines nearest
 * today, and the latest change of the shown commitments. Every query goes through the party's
 * key index: the cost of its own commitments, flat in the size of the ledger.
 */
export async function loadPartyPage(db: Db, segment: string, ctx: PageContext) {
  const party = await resolveParty(db, segment);
  if (!party) return null;
  const ids = partyCommitmentIds(party.keys);
  const [counts, rows, around] = await Promise.all([
    partyCounts(db, party, ctx),
    partyCardsByTimeliness(db, ids, ctx.now, ctx.windowMs, PARTY_PER_GROUP),
    partyDeadlinesAround(db, ids, ctx.now, TIMELINE_MAX / 2),
  ]);
  const latest = await latestChangesOf(db, rows.map((r) => r.id));
  const groups: PartyGroup[] = URGENCY.map((t) => ({ timeliness: t, cards: [] as CommitmentCard[], total: counts.by_timeliness[t] })).filter((g) => g.total > 0);
  for (const row of rows) groups.find((g) => g.timeliness === URGENCY[row.rank])?.cards.push(toCard(row, latest.get(row.id), ctx));
  const timeline = timelineItems(around.rows.map((r) => toCard(r, undefined, ctx)), ctx.now, around.more);
  return { party, counts, summary: summaryFromCounts(counts.by_timeliness), groups, timeline, links: partyLinks(party.slug, party.name) };
}

/** Every party for the home page's list, linked to its page. */
export async function loadPartyLinks(db: Db): Promise<Array<{ slug: string; name: string; count: number }>> {
  const rows = await partyNames(db);
  const named = new Map((await allParties(db)).map((p) => [p.slug, p]));
  return rows.map((r) => {
    const row = named.get(r.group);
    return row ? { slug: row.slug, name: row.name, count: r.n } : { slug: slugForName(r.name), name: r.name, count: r.n };
  });
}

/** A party's badge: its record, or null when there is no such party. */
export async function loadPartyBadge(db: Db, segment: string, ctx: PageContext) {
  const party = await resolveParty(db, segment);
  return party ? { party, counts: await partyCounts(db, party, ctx) } : null;
}
