/**
 * Drafts from a statement: read a pasted text into proposed commitments (drafts.extract.ts), keep
 * them, and let a person accept (through the ledger's create path), edit then accept, or reject
 * each one. Decisions stay on the draft row.
 *
 * Accept is one D1 batch: a guard that the draft is still pending, the commitment's own planned
 * batch (row, edges, commitment.created event and outbox rows, from planCreateCommitment), the
 * draft's compare-and-set to accepted with the commitment id. Two accepts racing: the second
 * batch fails its guard and rolls back whole (no second commitment), and answers 409.
 */
import * as v from "valibot";
import type { Db } from "../../platform/db/client";
import { clearGuards, execBatch, guardCondition, runBatch, type BatchItem } from "../../platform/db/guard";
import { invalidInput, toIssues } from "../../platform/http/validate";
import { findAgreement } from "../../ledger/agreements.repo";
import { CreateCommitment } from "../../ledger/commitments.schemas";
import { getCommitment, planCreateCommitment, retryOnConflict, runCreate } from "../../ledger/commitments.service";
import type { CommitmentView } from "../../ledger/commitments.views";
import type { ReadContext, WriteContext } from "../../ledger/ledger.context";
import type { DeadlineSpec } from "../../lib/deadline";
import { toIso } from "../../lib/deadline";
import { DomainError, invalid, notFound } from "../../lib/errors";
import { newId, slugify, SLUG_MAX } from "../../lib/ids";
import { extractDrafts } from "./drafts.extract";
import { batchesOfAgreement, takenCommitmentIds, decideStatement, draftsOfBatch, findBatch, findDraft, insertBatchStatements, listDraftRows, setBatchAgreementStatement, stillPending } from "./drafts.repo";
import type { AcceptDraftInput, CreateDraftsInput, ListDraftsQueryInput, RejectDraftInput } from "./drafts.schemas";
import type { DraftBatchRow, DraftRow } from "./drafts.table";

/** At most this many drafts from one text (≈ 50 statements in its batch): paste longer texts in parts. */
export const MAX_DRAFTS = 300;

export interface DraftView {
  id: string;
  batch: string;
  status: string;
  title: string;
  quote: string;
  span: [number, number];
  parties: string[];
  deadline: DraftRow["deadline"];
  cues: string[];
  confidence: number;
  agreement: string | null;
  commitment: string | null;
  decided_at: string | null;
  decided_by: string | null;
  reason: string | null;
}

export interface BatchView {
  id: string;
  agreement: string | null;
  signed_on: string | null;
  parties: string[];
  source_url: string | null;
  created_at: string;
  created_by: string;
}

export function draftView(row: DraftRow, batch: Pick<DraftBatchRow, "agreementId">): DraftView {
  return {
    id: row.id,
    batch: row.batchId,
    status: row.status,
    title: row.title,
    quote: row.quote,
    span: [row.spanStart, row.spanEnd],
    parties: row.parties,
    deadline: row.deadline,
    cues: row.cues,
    confidence: row.confidence,
    agreement: batch.agreementId,
    commitment: row.commitmentId,
    decided_at: row.decidedAt === null ? null : toIso(row.decidedAt),
    decided_by: row.decidedBy,
    reason: row.reason,
  };
}

export function batchView(row: DraftBatchRow): BatchView {
  return {
    id: row.id,
    agreement: row.agreementId,
    signed_on: row.signedOn,
    parties: row.parties,
    source_url: row.sourceUrl,
    created_at: toIso(row.createdAt),
    created_by: row.actor,
  };
}

/** Reads the statement and keeps its drafts, in one batch. A text that promises nothing keeps an empty batch. */
export async function createDrafts(db: Db, input: CreateDraftsInput, ctx: { now: number; actor: string }) {
  const agreement = input.agreement ? await findAgreement(db, input.agreement) : null;
  if (input.agreement && !agreement) throw invalid("agreement", `no agreement '${input.agreement}'`);
  const signedOn = input.signed_on ?? agreement?.signedOn ?? null;
  const parties = input.parties ?? agreement?.parties ?? [];
  const extracted = extractDrafts({ text: input.text, signedOn, parties });
  if (extracted.length > MAX_DRAFTS) {
    throw invalid("text", `proposes ${extracted.length} drafts, more than ${MAX_DRAFTS} at once: paste the statement in parts`);
  }
  const batch: DraftBatchRow = {
    id: newId("drb", ctx.now),
    agreementId: agreement?.id ?? null,
    text: input.text,
    signedOn,
    parties,
    sourceUrl: input.source_url ?? agreement?.sourceUrl ?? null,
    actor: ctx.actor,
    createdAt: ctx.now,
  };
  const rows: DraftRow[] = extracted.map((d, seq) => ({
    id: newId("dft", ctx.now),
    batchId: batch.id,
    seq,
    status: "pending",
    title: d.title,
    quote: d.quote,
    spanStart: d.span[0],
    spanEnd: d.span[1],
    parties: d.parties,
    deadline: d.deadline,
    cues: d.cues,
    confidence: d.confidence,
    commitmentId: null,
    decidedAt: null,
    decidedBy: null,
    reason: null,
  }));
  await runBatch(db, insertBatchStatements(db, batch, rows));
  return { batch: batchView(batch), items: rows.map((r) => draftView(r, batch)) };
}

export async function getBatch(db: Db, id: string) {
  const batch = await findBatch(db, id);
  if (!batch) throw notFound("draft batch", id);
  return { batch: { ...batchView(batch), text: batch.text }, items: (await draftsOfBatch(db, id)).map((r) => draftView(r, batch)) };
}

export async function getDraft(db: Db, id: string): Promise<DraftView> {
  const row = await findDraft(db, id);
  if (!row) throw notFound("draft", id);
  const batch = await findBatch(db, row.batchId);
  return draftView(row, batch ?? { agreementId: null });
}

export async function listDrafts(db: Db, query: ListDraftsQueryInput) {
  const limit = query.limit ?? 50;
  const after = query.cursor ? { batchId: query.cursor.split(".")[0]!, seq: Number(query.cursor.split(".")[1]) } : undefined;
  const rows = await listDraftRows(db, { batch: query.batch, status: query.status }, { limit: limit + 1, after });
  const page = rows.slice(0, limit);
  const batches = new Map<string, { agreementId: string | null }>();
  for (const id of new Set(page.map((r) => r.batchId))) batches.set(id, (await findBatch(db, id)) ?? { agreementId: null });
  const last = page[page.length - 1];
  return {
    items: page.map((r) => draftView(r, batches.get(r.batchId)!)),
    next_cursor: rows.length > limit && last ? `${last.batchId}.${last.seq}` : null,
  };
}

function refusedDecision(row: DraftRow): DomainError {
  return new DomainError(
    "illegal_transition",
    row.status === "accepted"
      ? `draft '${row.id}' was already accepted as commitment '${row.commitmentId}'`
      : `draft '${row.id}' was already rejected`,
  );
}

const clip = (s: string, max: number) => ([...s].length <= max ? s : `${[...s].slice(0, max - 1).join("")}…`);

/**
 * The commitment a draft becomes: its title, parties and deadline unless overridden, the quote
 * as description, and the source (or, without one, the draft itself) as the first evidence link.
 * A relative deadline keeps counting from the date the statement was read with, when that is
 * not the agreement's signing date.
 */
function commitmentInput(row: DraftRow, batch: DraftBatchRow, agreementId: string, agreementSignedOn: string | null, overrides: AcceptDraftInput, draftUrl: string) {
  const { agreement: _a, ...fields } = overrides;
  let deadline: DeadlineSpec | null = row.deadline?.spec ?? null;
  if (deadline && "within" in deadline && !deadline.from && batch.signedOn && batch.signedOn !== agreementSignedOn) {
    deadline = { ...deadline, from: batch.signedOn };
  }
  const first = { url: batch.sourceUrl ?? draftUrl, title: clip(`Quote: “${row.quote}”`, 300) };
  const evidence = [first, ...(fields.evidence ?? []).filter((e) => new URL(e.url).href !== new URL(first.url).href)];
  return {
    agreement: agreementId,
    title: row.title,
    description: clip(`“${row.quote}”`, 10_000),
    parties: row.parties.slice(0, 50).map((p) => clip(p, 200)),
    deadline,
    ...fields,
    evidence,
  };
}

/**
 * An id for a commitment made from a draft when the person gave none: the title's slug, or the
 * slug with -2, -3… when taken (drafts of one statement often share words; an accept all must not
 * stop at the second "Sign the protocol"). Undefined when the title has no letters to make one, or
 * all twenty are taken: the create then refuses with its own message.
 */
async function freeId(db: Db, title: string): Promise<string | undefined> {
  const base = slugify(title).slice(0, SLUG_MAX - 4).replace(/-+$/, "");
  if (!base) return undefined;
  const candidates = [base, ...Array.from({ length: 19 }, (_, i) => `${base}-${i + 2}`)];
  const taken = await takenCommitmentIds(db, candidates);
  // All twenty taken: leave it to the create, which answers duplicate_id naming the id.
  return candidates.find((c) => !taken.has(c));
}

/** The editor's paste page: an agreement's latest statements read, with their pending counts. */
export async function listAgreementBatches(db: Db, agreementId: string) {
  const rows = await batchesOfAgreement(db, agreementId, 10);
  return rows.map((r) => ({ id: r.id, created_at: toIso(r.createdAt), count: r.pending }));
}

/**
 * Accepts a pending draft: the commitment is created through the ledger's create plan and the
 * draft linked to it in the same batch (see the file comment). A decided draft answers 409.
 */
export async function acceptDraft(
  db: Db,
  id: string,
  overrides: AcceptDraftInput,
  ctx: WriteContext & ReadContext & { draftUrl: string },
): Promise<CommitmentView> {
  const commitmentId = await retryOnConflict(ctx, async () => {
    const row = await findDraft(db, id);
    if (!row) throw notFound("draft", id);
    if (row.status !== "pending") throw refusedDecision(row);
    const batch = (await findBatch(db, row.batchId))!;
    const agreementId = overrides.agreement ?? batch.agreementId;
    if (!agreementId) throw invalid("agreement", "give the agreement this commitment belongs to: the statement was read without one");
    const agreement = await findAgreement(db, agreementId);
    if (!agreement) throw invalid("agreement", `no agreement '${agreementId}'`);
    const input = commitmentInput(row, batch, agreementId, agreement.signedOn, overrides, ctx.draftUrl);
    const parsed = v.safeParse(CreateCommitment, { ...input, id: overrides.id ?? (await freeId(db, input.title)) });
    if (!parsed.success) throw invalidInput(toIssues(parsed.issues));
    const plan = await planCreateCommitment(db, parsed.output, ctx);
    const statements: BatchItem[] = [
      guardCondition(db, stillPending(id)),
      ...plan.statements,
      decideStatement(db, id, { status: "accepted", commitmentId: plan.id, decidedAt: ctx.now, decidedBy: ctx.actor, reason: null }),
      ...(batch.agreementId ? [] : [setBatchAgreementStatement(db, batch.id, agreementId)]),
      clearGuards(db),
    ];
    try {
      await runCreate(db, { id: plan.id, statements });
    } catch (error) {
      // The guard failed because another request decided the draft first: say so, do not retry.
      const now = await findDraft(db, id);
      if (now && now.status !== "pending") throw refusedDecision(now);
      throw error;
    }
    return plan.id;
  });
  return getCommitment(db, commitmentId, ctx);
}

/** Rejects a pending draft, keeping the reason. A decided draft answers 409. */
export async function rejectDraft(db: Db, id: string, input: RejectDraftInput, ctx: { now: number; actor: string }): Promise<DraftView> {
  const row = await findDraft(db, id);
  if (!row) throw notFound("draft", id);
  if (row.status !== "pending") throw refusedDecision(row);
  const [result] = await execBatch(db, [decideStatement(db, id, { status: "rejected", commitmentId: null, decidedAt: ctx.now, decidedBy: ctx.actor, reason: input.reason ?? null })]);
  if (result?.meta.changes === 0) throw refusedDecision((await findDraft(db, id))!);
  return getDraft(db, id);
}
