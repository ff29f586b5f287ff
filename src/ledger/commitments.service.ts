/**
 * The commitments use cases: read, create, PATCH, status change, history. Writes are planned by
 * commitments.plan.ts and run as one D1 batch; create retries after a concurrent write.
 */
import type { Db } from "../platform/db/client";
import { clearGuards, guardCondition, isUniqueFailure, runBatch, type BatchItem } from "../platform/db/guard";
import { listCommitmentEvents } from "./history/events.repo";
import { findAgreement } from "./agreements.repo";
import { type DeadlineSpec, parseInstant, toIso } from "../lib/deadline";
import { DomainError, invalid, invalidAll, notFound, type ErrorIssue } from "../lib/errors";
import { slugify } from "../lib/ids";
import { findCommitment, listCommitmentRows, noCycleThrough, type CommitmentFilter, type CommitmentWithDeps } from "./commitments.repo";
import type { ChangeStatusInput, CreateCommitmentInput, UpdateCommitmentInput, VerifyCommitmentInput } from "./commitments.schemas";
import type { ReadContext, WriteContext } from "./ledger.context";
import { toView, type CommitmentView } from "./commitments.views";
import {
  guardAgreement,
  newCommitmentDefaults,
  planCommitmentWrite,
  planVerification,
  same,
  stateFromInput,
  stateOf,
  type CommitmentState,
} from "./commitments.plan";
import { anchorFacts, noAnchorCycleThrough, planDependentsOfAnchor } from "./commitments.anchors";
import { checkDependencies } from "./commitments.dependencies";
import { eventView } from "./history/events.views";

async function mustFindAgreement(db: Db, agreementId: string, path: string) {
  const agreement = await findAgreement(db, agreementId);
  if (!agreement) throw invalid(path, `no agreement '${agreementId}'`);
  return agreement;
}

/** How often a create or import is planned again after a concurrent write refused its batch. */
export const WRITE_ATTEMPTS = 3;

/**
 * Runs `attempt` until its batch commits, at most WRITE_ATTEMPTS times. Only for writes that
 * carry no version from the client (create, import): planning them again against what is now
 * stored is what the client asked for. Events recorded by a refused attempt are forgotten.
 */
export async function retryOnConflict<T>(ctx: WriteContext, attempt: () => Promise<T>): Promise<T> {
  const mark = ctx.emitted?.length ?? 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof DomainError && error.code === "conflict") || n >= WRITE_ATTEMPTS) throw error;
      ctx.emitted?.splice(mark);
    }
  }
}

async function mustFind(db: Db, id: string): Promise<CommitmentWithDeps> {
  const row = await findCommitment(db, id);
  if (!row) throw notFound("commitment", id);
  return row;
}

function statusInstant(text: string | undefined, ctx: WriteContext, path: string, notBefore?: number): number {
  if (text === undefined) return ctx.now;
  const at = parseInstant(text)!;
  if (at > ctx.now + 60_000) throw invalid(path, "must not be in the future");
  if (notBefore !== undefined && at < notBefore) {
    throw invalid(path, `must not be before the current status was reached (${toIso(notBefore)})`);
  }
  return at;
}

export async function getCommitment(db: Db, id: string, ctx: ReadContext): Promise<CommitmentView> {
  return toView(await mustFind(db, id), ctx);
}

export async function listCommitments(
  db: Db,
  filter: CommitmentFilter,
  page: { limit: number; cursor?: string },
  ctx: ReadContext,
): Promise<{ items: CommitmentView[]; next_cursor: string | null }> {
  const { rows, nextCursor } = await listCommitmentRows(db, filter, page, ctx.now, ctx.windowMs);
  return { items: rows.map((r) => toView(r, ctx)), next_cursor: nextCursor };
}

export async function createCommitment(
  db: Db,
  input: CreateCommitmentInput,
  ctx: WriteContext & ReadContext,
): Promise<CommitmentView> {
  const id = await retryOnConflict(ctx, async () => {
    const plan = await planCreateCommitment(db, input, ctx);
    await runCreate(db, plan);
    return plan.id;
  });
  return getCommitment(db, id, ctx);
}

/**
 * Checks a create and returns its batch: the agreement guard (when the deadline counts from the
 * signing date), the row, its edges and its created event. Exported for the tests that run a
 * batch planned against stale state.
 */
export async function planCreateCommitment(
  db: Db,
  input: CreateCommitmentInput,
  ctx: WriteContext & ReadContext,
): Promise<{ id: string; statements: BatchItem[] }> {
  const id = input.id ?? slugify(input.title);
  if (!id) throw invalid("id", "give an id: the title has no letters or digits to make one from");
  if (await findCommitment(db, id)) throw new DomainError("duplicate_id", `commitment '${id}' already exists`);
  // Like the schema's issues, every bad reference is named at once: the agreement, the status
  // date, each unknown dependency and the deadline. A cycle (409) waits until those are fixed.
  const issues: ErrorIssue[] = [];
  const collect = async <T>(step: () => T | Promise<T>): Promise<T | undefined> => {
    try {
      return await step();
    } catch (error) {
      if (error instanceof DomainError && error.code === "invalid_input" && error.issues) issues.push(...error.issues);
      else if (!(error instanceof DomainError && (error.code === "dependency_cycle" || error.code === "anchor_cycle") && issues.length > 0)) throw error;
      return undefined;
    }
  };
  const agreement = await findAgreement(db, input.agreement);
  if (!agreement) issues.push({ path: "agreement", message: `no agreement '${input.agreement}'` });
  const statusChangedAt = (await collect(() => statusInstant(input.status_changed_at, ctx, "status_changed_at"))) ?? ctx.now;
  const state = stateFromInput(input, id, statusChangedAt, newCommitmentDefaults(ctx));
  await collect(() => checkDependencies(db, id, state.dependsOn, "depends_on"));
  const facts = agreement ? await collect(() => anchorFacts(db, state, agreement)) : undefined;
  const plan = agreement && facts ? await collect(() => planCommitmentWrite(db, null, state, facts.dates, {}, ctx)) : undefined;
  if (issues.length > 0 || !plan || !agreement || !facts) throw invalidAll(issues);
  return { id, statements: [...guardAgreement(db, state, agreement), ...facts.guards, ...plan.statements, clearGuards(db)] };
}

/** Runs a planned create: a concurrent create of the same id is a 409, never a 500. */
export async function runCreate(db: Db, plan: { id: string; statements: BatchItem[] }): Promise<void> {
  try {
    await runBatch(db, plan.statements);
  } catch (error) {
    if (isUniqueFailure(error)) throw new DomainError("duplicate_id", `commitment '${plan.id}' already exists`);
    throw error;
  }
}

export async function updateCommitment(
  db: Db,
  id: string,
  patch: UpdateCommitmentInput,
  ctx: WriteContext & ReadContext,
): Promise<CommitmentView> {
  const plan = await planCommitmentUpdate(db, id, patch, ctx);
  if (!plan.changed) return toView(plan.existing, ctx);
  try {
    await runBatch(db, plan.statements);
  } catch (error) {
    // The cycle guard and the version guards fail alike; a concurrent edge that now closes a
    // cycle is the better answer, with its path.
    if (error instanceof DomainError && error.code === "conflict" && patch.depends_on) {
      await checkDependencies(db, id, plan.next.dependsOn, "depends_on");
    }
    if (error instanceof DomainError && error.code === "conflict" && patch.deadline) {
      const agreement = await mustFindAgreement(db, plan.next.agreementId, "agreement");
      await anchorFacts(db, plan.next, agreement);
    }
    throw error;
  }
  return getCommitment(db, id, ctx);
}

/**
 * Checks a PATCH and returns its batch. A depends-on change ends with the cycle check again,
 * inside the batch: a concurrent write may have added the edge that closes the loop after
 * checkDependencies read the graph. (A create needs none: nothing can depend on a new
 * commitment yet.) Exported for the tests that run a batch planned against stale state.
 */
export async function planCommitmentUpdate(
  db: Db,
  id: string,
  patch: UpdateCommitmentInput,
  ctx: WriteContext & ReadContext,
): Promise<{ existing: CommitmentWithDeps; next: CommitmentState; statements: BatchItem[]; changed: boolean }> {
  const existing = await mustFind(db, id);
  const before = stateOf(existing);
  const next: CommitmentState = {
    ...before,
    title: patch.title ?? before.title,
    description: patch.description ?? before.description,
    parties: patch.parties ?? before.parties,
    tags: patch.tags ?? before.tags,
    keywords: patch.keywords ?? before.keywords,
    verifyEvery: patch.verify_every === undefined ? before.verifyEvery : patch.verify_every,
    evidence: patch.evidence ?? before.evidence,
    dependsOn: patch.depends_on ?? before.dependsOn,
    timeZone: patch.time_zone ?? before.timeZone,
    deadline: patch.deadline === undefined ? before.deadline : ((patch.deadline ?? null) as DeadlineSpec | null),
  };
  if (patch.depends_on) await checkDependencies(db, id, next.dependsOn, "depends_on");
  const agreement = await mustFindAgreement(db, next.agreementId, "agreement");
  const facts = await anchorFacts(db, next, agreement);
  const { statements, changed } = planCommitmentWrite(db, existing, next, facts.dates, { reason: patch.reason }, ctx);
  if (!changed) return { existing, next, statements: [], changed };
  const edgesChanged = !same([...new Set(before.dependsOn)].sort(), [...new Set(next.dependsOn)].sort());
  const cycleGuard = edgesChanged && next.dependsOn.length > 0 ? [guardCondition(db, noCycleThrough(id)), clearGuards(db)] : [];
  // A new anchor commitment: the loop check again inside the batch (a concurrent write may
  // have pointed that anchor's chain back here since the read).
  const anchorGuard = facts.anchor && facts.anchor.id !== existing.anchorId ? [guardCondition(db, noAnchorCycleThrough(id)), clearGuards(db)] : [];
  return {
    existing,
    next,
    statements: [...guardAgreement(db, next, agreement), ...facts.guards, ...statements, ...cycleGuard, ...anchorGuard],
    changed,
  };
}

/**
 * Moves the progress status. A request that changes nothing records nothing and returns the
 * commitment as it is; leaving a terminal status needs a note (409 otherwise).
 */
export async function changeStatus(
  db: Db,
  id: string,
  input: ChangeStatusInput,
  ctx: WriteContext & ReadContext,
): Promise<CommitmentView> {
  const plan = await planStatusChange(db, id, input, ctx);
  await runBatch(db, plan.statements);
  return plan.statements.length === 0 ? toView(plan.existing, ctx) : getCommitment(db, id, ctx);
}

/**
 * Checks a status change and returns its batch (empty when the status is already that one).
 * Exported for writers that add their own statements to the same batch (watch/ accepting a
 * proposal marks it accepted in the batch that moves the status).
 */
export async function planStatusChange(
  db: Db,
  id: string,
  input: ChangeStatusInput,
  ctx: WriteContext & ReadContext,
): Promise<{ existing: CommitmentWithDeps; statements: BatchItem[] }> {
  const existing = await mustFind(db, id);
  if (existing.status === input.status) return { existing, statements: [] };
  const occurredAt = statusInstant(input.occurred_at, ctx, "occurred_at", existing.statusChangedAt);
  const before = stateOf(existing);
  const evidence =
    input.evidence_url && !before.evidence.some((e) => e.url === input.evidence_url)
      ? [...before.evidence, { url: input.evidence_url, title: input.evidence_title ?? `Evidence for '${input.status}'` }]
      : before.evidence;
  const next: CommitmentState = { ...before, status: input.status, statusChangedAt: occurredAt, evidence };
  const agreement = await mustFindAgreement(db, next.agreementId, "agreement");
  const facts = await anchorFacts(db, next, agreement);
  const { statements } = planCommitmentWrite(
    db,
    existing,
    next,
    facts.dates,
    { note: input.note, evidenceUrl: input.evidence_url, occurredAt },
    ctx,
  );
  // Deadlines counting from this commitment being met resolve (or wait again) in this batch.
  const dependents = await planDependentsOfAnchor(db, existing, next, ctx);
  return { existing, statements: [...guardAgreement(db, next, agreement), ...facts.guards, ...statements, ...dependents, clearGuards(db)] };
}

/** "Checked": records commitment.verified and restarts the verify_every period. */
export async function verifyCommitment(
  db: Db,
  id: string,
  input: VerifyCommitmentInput,
  ctx: WriteContext & ReadContext,
): Promise<CommitmentView> {
  const plan = await planVerify(db, id, input, ctx);
  await runBatch(db, plan);
  return getCommitment(db, id, ctx);
}

/** The batch of a verification (see planVerification); exported like planStatusChange. */
export async function planVerify(db: Db, id: string, input: VerifyCommitmentInput, ctx: WriteContext): Promise<BatchItem[]> {
  return planVerification(db, await mustFind(db, id), input, ctx);
}

export async function listEvents(db: Db, id: string, page: { limit: number; cursor?: string }) {
  await mustFind(db, id);
  const rows = await listCommitmentEvents(db, id, {
    limit: page.limit + 1,
    beforeSeq: page.cursor === undefined ? undefined : Number(page.cursor),
  });
  const items = rows.slice(0, page.limit);
  return {
    items: items.map(eventView),
    next_cursor: rows.length > page.limit ? String(items[items.length - 1]!.seq) : null,
  };
}
