/**
 * Proposals: list, read, accept, dismiss. Accepting goes through the ledger's own planning
 * (planStatusChange when a status is given, else planVerify: a verification with the evidence)
 * and marks the proposal accepted in the same D1 batch, behind a guard that it is still open: two
 * people accepting at once change the commitment once, and the second gets 409.
 */
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { clearGuards, guardCondition, runBatch, type BatchItem } from "../platform/db/guard";
import { getCommitment, planStatusChange, planVerify } from "../ledger/commitments.service";
import type { CommitmentView } from "../ledger/commitments.views";
import type { ReadContext, WriteContext } from "../ledger/ledger.context";
import { toIso } from "../lib/deadline";
import { DomainError, notFound } from "../lib/errors";
import type { AcceptProposalInput, DismissProposalInput } from "./proposals.schemas";
import { proposals, type ProposalRow } from "./proposals.table";

export function proposalView(row: ProposalRow) {
  return {
    id: row.id,
    commitment: row.commitmentId,
    source: row.sourceId,
    item: { title: row.itemTitle, url: row.itemUrl, published_at: row.itemPublishedAt === null ? null : toIso(row.itemPublishedAt) },
    snippet: row.snippet,
    score: row.score,
    suggested: {
      status: row.suggestedStatus,
      evidence: row.evidenceUrl ? { url: row.evidenceUrl, title: row.evidenceTitle ?? row.itemTitle } : null,
    },
    state: row.state as "open" | "accepted" | "dismissed",
    decided_by: row.decidedBy,
    decided_at: row.decidedAt === null ? null : toIso(row.decidedAt),
    decision_note: row.decisionNote,
    created_at: toIso(row.createdAt),
  };
}
export type ProposalView = ReturnType<typeof proposalView>;

async function mustFind(db: Db, id: string): Promise<ProposalRow> {
  const row = (await db.select().from(proposals).where(eq(proposals.id, id)))[0];
  if (!row) throw notFound("proposal", id);
  return row;
}

function assertOpen(row: ProposalRow): void {
  if (row.state !== "open") throw new DomainError("illegal_transition", `proposal '${row.id}' is already ${row.state}`);
}

export async function listProposals(
  db: Db,
  filter: { state?: string; commitment?: string },
  page: { limit: number; cursor?: string },
): Promise<{ items: ProposalView[]; next_cursor: string | null }> {
  const rows = await db
    .select()
    .from(proposals)
    .where(
      and(
        filter.state ? eq(proposals.state, filter.state) : undefined,
        filter.commitment ? eq(proposals.commitmentId, filter.commitment) : undefined,
        page.cursor ? lt(proposals.id, page.cursor) : undefined,
      ),
    )
    .orderBy(desc(proposals.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  return { items: items.map(proposalView), next_cursor: rows.length > page.limit ? items[items.length - 1]!.id : null };
}

export async function getProposal(db: Db, id: string): Promise<ProposalView> {
  return proposalView(await mustFind(db, id));
}

/** The guard that the proposal is still open when the batch runs. */
const stillOpen = (db: Db, id: string) => guardCondition(db, sql`EXISTS (SELECT 1 FROM proposals WHERE id = ${id} AND state = 'open')`);

const decide = (db: Db, id: string, state: "accepted" | "dismissed", actor: string, now: number, note: string | null) =>
  db.update(proposals).set({ state, decidedBy: actor, decidedAt: now, decisionNote: note }).where(eq(proposals.id, id));

export async function acceptProposal(
  db: Db,
  id: string,
  input: AcceptProposalInput,
  ctx: WriteContext & ReadContext,
): Promise<{ proposal: ProposalView; commitment: CommitmentView }> {
  const row = await mustFind(db, id);
  assertOpen(row);
  const evidence = input.evidence ?? (row.evidenceUrl ? { url: row.evidenceUrl, title: row.evidenceTitle ?? row.itemTitle } : undefined);
  const note = input.note ?? `Accepted from the evidence watch: ${row.itemTitle}`.slice(0, 2000);
  let ledger: BatchItem[] = [];
  if (input.status) {
    const plan = await planStatusChange(
      db,
      row.commitmentId,
      { status: input.status, note, evidence_url: evidence?.url, evidence_title: evidence?.title },
      ctx,
    );
    ledger = plan.statements;
  }
  // No status, or the status it already has: the evidence is recorded as a verification.
  if (ledger.length === 0) ledger = await planVerify(db, row.commitmentId, { note, evidence }, ctx);
  await runBatch(db, [stillOpen(db, id), ...ledger, decide(db, id, "accepted", ctx.actor, ctx.now, input.note ?? null), clearGuards(db)]);
  return { proposal: await getProposal(db, id), commitment: await getCommitment(db, row.commitmentId, ctx) };
}

export async function dismissProposal(db: Db, id: string, input: DismissProposalInput, ctx: { actor: string; now: number }): Promise<ProposalView> {
  const row = await mustFind(db, id);
  assertOpen(row);
  await runBatch(db, [stillOpen(db, id), decide(db, id, "dismissed", ctx.actor, ctx.now, input.reason ?? null), clearGuards(db)]);
  return getProposal(db, id);
}
