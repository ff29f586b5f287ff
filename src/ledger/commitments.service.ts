/**
 * The commitments ledger. Every write goes through `planCommitmentWrite`, which diffs the stored
 * commitment against its next state and returns one D1 batch: a compare-and-set guard, the row,
 * its depends-on edges and the history events, so a change and its history commit together or
 * not at all. Single writes (create, PATCH, status) and the import share it.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { clearGuards, guardCondition, guardVersion, isUniqueFailure, runBatch, type BatchItem } from "../platform/db/guard";
import { appendEventStatements } from "./history/events.repo";
import type { NewEvent } from "./history/events.types";
import { listCommitmentEvents } from "./history/events.repo";
import { findAgreement } from "./agreements.repo";
import { type DeadlineSpec, isProblem, parseInstant, resolveDeadline, toIso } from "../lib/deadline";
import { DomainError, invalid, invalidAll, notFound, type ErrorIssue } from "../lib/errors";
import { partyKeys } from "../lib/parties";
import { slugify } from "../lib/ids";
import { armAlerts } from "./commitments.alerts";
import { assertTransition, daysUntil, isTerminal, timeliness, type Progress, type Timeliness } from "./commitments.rules";
import { findCycle } from "./commitments.graph";
import {
  dependencySubgraphFrom,
  existingCommitmentIds,
  findCommitment,
  listCommitmentRows,
  noCycleThrough,
  type CommitmentFilter,
  type CommitmentWithDeps,
} from "./commitments.repo";
import type { ChangeStatusInput, CreateCommitmentInput, UpdateCommitmentInput } from "./commitments.schemas";
import { commitmentDependencies, commitments, type EvidenceLink } from "./commitments.table";

/** Who writes, when, and the settings that shape derived values. */
export interface WriteContext {
  now: number;
  actor: string;
  leadDays: number[];
  /** Ids of the events this write records; the caller enqueues them after commit. */
  emitted?: string[];
}

export interface ReadContext {
  now: number;
  windowMs: number;
}

/** A commitment's full user-visible state: what create, import and export speak. */
export interface CommitmentState {
  id: string;
  agreementId: string;
  title: string;
  description: string;
  parties: string[];
  tags: string[];
  evidence: EvidenceLink[];
  dependsOn: string[];
  timeZone: string;
  deadline: DeadlineSpec | null;
  status: Progress;
  statusChangedAt: number;
}

/** What goes into the events besides the diff: why the deadline moved, the status note. */
export interface ChangeMeta {
  reason?: string;
  note?: string;
  evidenceUrl?: string;
  occurredAt?: number;
}

export interface CommitmentView {
  id: string;
  agreement: string;
  title: string;
  description: string;
  parties: string[];
  tags: string[];
  evidence: EvidenceLink[];
  depends_on: string[];
  time_zone: string;
  deadline: DeadlineSpec | null;
  due_on: string | null;
  due_at: string | null;
  overdue_at: string | null;
  status: string;
  status_changed_at: string;
  timeliness: Timeliness;
  days_left: number | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export function toView(row: CommitmentWithDeps, ctx: ReadContext): CommitmentView {
  const t = timeliness(row, ctx.now, ctx.windowMs);
  const open = t === "on_track" || t === "due_soon" || t === "overdue";
  return {
    id: row.id,
    agreement: row.agreementId,
    title: row.title,
    description: row.description,
    parties: row.parties,
    tags: row.tags,
    evidence: row.evidence,
    depends_on: row.dependsOn,
    time_zone: row.timeZone,
    deadline: row.deadline ?? null,
    due_on: row.dueOn,
    due_at: row.dueAt === null ? null : toIso(row.dueAt),
    overdue_at: row.overdueAt === null ? null : toIso(row.overdueAt),
    status: row.status,
    status_changed_at: toIso(row.statusChangedAt),
    timeliness: t,
    days_left: open && row.dueAt !== null ? daysUntil(row.dueAt, ctx.now) : null,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    version: row.version,
  };
}

export function stateOf(row: CommitmentWithDeps): CommitmentState {
  return {
    id: row.id,
    agreementId: row.agreementId,
    title: row.title,
    description: row.description,
    parties: row.parties,
    tags: row.tags,
    evidence: row.evidence,
    dependsOn: row.dependsOn,
    timeZone: row.timeZone,
    deadline: row.deadline ?? null,
    status: row.status as Progress,
    statusChangedAt: row.statusChangedAt,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const EDIT_FIELDS = ["agreementId", "title", "description", "parties", "tags", "evidence", "dependsOn", "timeZone", "deadline"] as const;
const FIELD_NAMES: Record<(typeof EDIT_FIELDS)[number], string> = {
  agreementId: "agreement",
  title: "title",
  description: "description",
  parties: "parties",
  tags: "tags",
  evidence: "evidence",
  dependsOn: "depends_on",
  timeZone: "time_zone",
  deadline: "deadline",
};

function stripUndefined(spec: DeadlineSpec | null): DeadlineSpec | null {
  if (!spec) return null;
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as DeadlineSpec;
}

/**
 * Diffs `existing` (null for a create) against `next` and returns the statements of one batch.
 * `path` prefixes field paths in errors (the import passes "commitments.3").
 * Throws DomainError for rule violations (reopen without note, deadline change without reason).
 */
export function planCommitmentWrite(
  db: Db,
  existing: CommitmentWithDeps | null,
  next: CommitmentState,
  signedOn: string | null,
  meta: ChangeMeta,
  ctx: WriteContext,
  path = "",
): { statements: BatchItem[]; changed: boolean } {
  const at = (p: string) => (path ? `${path}.${p}` : p);
  next = { ...next, deadline: stripUndefined(next.deadline), dependsOn: [...new Set(next.dependsOn)].sort() };
  let resolved: { dueAt: number; dueOn: string; overdueAt: number } | null = null;
  if (next.deadline) {
    const r = resolveDeadline(next.deadline, next.timeZone, signedOn);
    if (isProblem(r)) throw invalid(at(r.path ? `deadline.${r.path}` : "deadline"), r.message);
    resolved = r;
  }
  const due = {
    dueAt: resolved?.dueAt ?? null,
    dueOn: resolved?.dueOn ?? null,
    overdueAt: resolved?.overdueAt ?? null,
  };
  const closedAt = isTerminal(next.status) ? next.statusChangedAt : null;
  const base = { agreementId: next.agreementId, commitmentId: next.id, actor: ctx.actor, recordedAt: ctx.now };
  const events: NewEvent[] = [];
  const statements: BatchItem[] = [];

  if (!existing) {
    statements.push(
      db.insert(commitments).values({
        id: next.id,
        agreementId: next.agreementId,
        title: next.title,
        description: next.description,
        parties: next.parties,
        partyKeys: partyKeys(next.parties),
        tags: next.tags,
        evidence: next.evidence,
        timeZone: next.timeZone,
        deadline: next.deadline,
        ...due,
        status: next.status,
        statusChangedAt: next.statusChangedAt,
        closedAt,
        ...armAlerts(due.dueAt, due.overdueAt, ctx.leadDays),
        createdAt: ctx.now,
        updatedAt: ctx.now,
        version: 1,
      }),
    );
    if (next.dependsOn.length > 0) {
      statements.push(
        db.insert(commitmentDependencies).values(next.dependsOn.map((d) => ({ commitmentId: next.id, dependsOnId: d }))),
      );
    }
    events.push({
      ...base,
      type: "commitment.created",
      toValue: next.status,
      note: meta.note ?? null,
      occurredAt: ctx.now,
      data: { title: next.title, due_on: due.dueOn, due_at: due.dueAt === null ? null : toIso(due.dueAt) },
    });
  } else {
    const before = stateOf(existing);
    const changedFields = EDIT_FIELDS.filter((f) => !same(before[f], next[f]));
    const deadlineMoved = existing.dueAt !== due.dueAt || existing.overdueAt !== due.overdueAt;
    const statusChanged = before.status !== next.status;
    // Same status, another date: a correction of when it was reached (the import sends these).
    const statusDateCorrected = !statusChanged && before.statusChangedAt !== next.statusChangedAt;
    if (changedFields.length === 0 && !deadlineMoved && !statusChanged && !statusDateCorrected) {
      return { statements: [], changed: false };
    }

    if (deadlineMoved && !meta.reason?.trim()) {
      throw invalid(at("reason"), "changing the deadline needs a reason (it is kept in the history)");
    }
    if (statusChanged) assertTransition(before.status, next.status, meta.note);

    statements.push(guardVersion(db, "commitments", existing.id, existing.version));
    statements.push(
      db
        .update(commitments)
        .set({
          agreementId: next.agreementId,
          title: next.title,
          description: next.description,
          parties: next.parties,
          partyKeys: partyKeys(next.parties),
          tags: next.tags,
          evidence: next.evidence,
          timeZone: next.timeZone,
          deadline: next.deadline,
          ...due,
          status: next.status,
          statusChangedAt: next.statusChangedAt,
          closedAt,
          ...(deadlineMoved ? armAlerts(due.dueAt, due.overdueAt, ctx.leadDays) : {}),
          updatedAt: ctx.now,
          version: existing.version + 1,
        })
        .where(eq(commitments.id, existing.id)),
    );
    if (!same(before.dependsOn, next.dependsOn)) {
      statements.push(db.delete(commitmentDependencies).where(eq(commitmentDependencies.commitmentId, existing.id)));
      if (next.dependsOn.length > 0) {
        statements.push(
          db
            .insert(commitmentDependencies)
            .values(next.dependsOn.map((d) => ({ commitmentId: existing.id, dependsOnId: d }))),
        );
      }
    }
    // Evidence added by a status change belongs to that status_changed event, not an edit.
    const evidenceFromStatus =
      statusChanged &&
      meta.evidenceUrl !== undefined &&
      same(next.evidence.filter((e) => e.url !== meta.evidenceUrl), before.evidence.filter((e) => e.url !== meta.evidenceUrl));
    const edited: Array<[string, unknown, unknown]> = changedFields
      .filter((f) => f !== "deadline" || !deadlineMoved)
      .filter((f) => f !== "evidence" || !evidenceFromStatus)
      .map((f) => [FIELD_NAMES[f], before[f], next[f]]);
    if (statusDateCorrected) edited.push(["status_changed_at", toIso(before.statusChangedAt), toIso(next.statusChangedAt)]);
    if (edited.length > 0) {
      events.push({
        ...base,
        type: "commitment.updated",
        occurredAt: ctx.now,
        data: {
          changed: edited.map(([name]) => name),
          before: Object.fromEntries(edited.map(([name, b]) => [name, b])),
          after: Object.fromEntries(edited.map(([name, , a]) => [name, a])),
        },
      });
    }
    if (deadlineMoved) {
      events.push({
        ...base,
        type: "commitment.deadline_changed",
        fromValue: existing.dueAt === null ? null : toIso(existing.dueAt),
        toValue: due.dueAt === null ? null : toIso(due.dueAt),
        note: meta.reason ?? null,
        occurredAt: ctx.now,
        data: {
          from: { deadline: before.deadline, due_on: existing.dueOn, overdue_at: existing.overdueAt === null ? null : toIso(existing.overdueAt) },
          to: { deadline: next.deadline, due_on: due.dueOn, overdue_at: due.overdueAt === null ? null : toIso(due.overdueAt) },
        },
      });
    }
    if (statusChanged) {
      events.push({
        ...base,
        type: "commitment.status_changed",
        fromValue: before.status,
        toValue: next.status,
        note: meta.note ?? null,
        evidenceUrl: meta.evidenceUrl ?? null,
        occurredAt: meta.occurredAt ?? next.statusChangedAt,
      });
    }
  }
  for (const event of events) {
    const appended = appendEventStatements(db, event);
    statements.push(...appended.statements);
    ctx.emitted?.push(appended.id);
  }
  if (existing) statements.push(clearGuards(db));
  return { statements, changed: true };
}

/**
 * Whether a deadline is counted from the agreement's signing date: such a write must be guarded
 * by the agreement's version (see guardAgreement), and a new signing date moves it
 * (agreements.service.ts planAgreementWrite).
 */
export function countsFromSigning(deadline: DeadlineSpec | null): deadline is Extract<DeadlineSpec, { within: string }> {
  return !!deadline && "within" in deadline && deadline.within !== undefined && !deadline.from;
}

/**
 * The batch statement that refuses the write if the agreement changed since it was read, for a
 * commitment whose deadline counts from its signing date (none otherwise): without it a
 * concurrent new signing date would leave this write's deadline computed from the old one.
 */
export function guardAgreement(db: Db, state: CommitmentState, agreement: { id: string; version: number }): BatchItem[] {
  return countsFromSigning(state.deadline) ? [guardVersion(db, "agreements", agreement.id, agreement.version)] : [];
}

/** Refuses depends-on edges to unknown commitments or that would close a cycle. */
export async function checkDependencies(
  db: Db,
  id: string,
  dependsOn: string[],
  path: string,
  extraIds: ReadonlySet<string> = new Set(),
  extraEdges: Array<[string, string]> = [],
): Promise<void> {
  if (dependsOn.length === 0) return;
  const unknown = dependsOn.filter((d) => d !== id && !extraIds.has(d));
  const found = await existingCommitmentIds(db, unknown);
  const issues = dependsOn
    .map((d, i) => ({ d, i }))
    .filter(({ d }) => d !== id && !extraIds.has(d) && !found.has(d))
    .map(({ d, i }) => ({ path: `${path}.${i}`, message: `no commitment '${d}'` }));
  if (issues.length > 0) throw new DomainError("invalid_input", `${issues[0]!.path}: ${issues[0]!.message}`, issues);
  const stored = (await dependencySubgraphFrom(db, dependsOn, [id])).flatMap((n) => n.dependsOn.map((d): [string, string] => [n.id, d]));
  const cycle = findCycle([...stored, ...extraEdges], id, dependsOn);
  if (cycle) {
    throw new DomainError("dependency_cycle", `depends_on would create a cycle: ${cycle.join(" -> ")}`, [
      { path, message: `cycle: ${cycle.join(" -> ")}` },
    ]);
  }
}

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

export function stateFromInput(input: CreateCommitmentInput, id: string, statusChangedAt: number): CommitmentState {
  return {
    id,
    agreementId: input.agreement,
    title: input.title,
    description: input.description ?? "",
    parties: input.parties ?? [],
    tags: input.tags ?? [],
    evidence: input.evidence ?? [],
    dependsOn: input.depends_on ?? [],
    timeZone: input.time_zone ?? "UTC",
    deadline: (input.deadline ?? null) as DeadlineSpec | null,
    status: input.status ?? "not_started",
    statusChangedAt,
  };
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
      else if (!(error instanceof DomainError && error.code === "dependency_cycle" && issues.length > 0)) throw error;
      return undefined;
    }
  };
  const agreement = await findAgreement(db, input.agreement);
  if (!agreement) issues.push({ path: "agreement", message: `no agreement '${input.agreement}'` });
  const statusChangedAt = (await collect(() => statusInstant(input.status_changed_at, ctx, "status_changed_at"))) ?? ctx.now;
  const state = stateFromInput(input, id, statusChangedAt);
  await collect(() => checkDependencies(db, id, state.dependsOn, "depends_on"));
  const plan = agreement ? await collect(() => planCommitmentWrite(db, null, state, agreement.signedOn, {}, ctx)) : undefined;
  if (issues.length > 0 || !plan || !agreement) throw invalidAll(issues);
  return { id, statements: [...guardAgreement(db, state, agreement), ...plan.statements, clearGuards(db)] };
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
    evidence: patch.evidence ?? before.evidence,
    dependsOn: patch.depends_on ?? before.dependsOn,
    timeZone: patch.time_zone ?? before.timeZone,
    deadline: patch.deadline === undefined ? before.deadline : ((patch.deadline ?? null) as DeadlineSpec | null),
  };
  if (patch.depends_on) await checkDependencies(db, id, next.dependsOn, "depends_on");
  const agreement = await mustFindAgreement(db, next.agreementId, "agreement");
  const { statements, changed } = planCommitmentWrite(db, existing, next, agreement.signedOn, { reason: patch.reason }, ctx);
  if (!changed) return { existing, next, statements: [], changed };
  const edgesChanged = !same([...new Set(before.dependsOn)].sort(), [...new Set(next.dependsOn)].sort());
  const cycleGuard = edgesChanged && next.dependsOn.length > 0 ? [guardCondition(db, noCycleThrough(id)), clearGuards(db)] : [];
  return { existing, next, statements: [...guardAgreement(db, next, agreement), ...statements, ...cycleGuard], changed };
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
  const existing = await mustFind(db, id);
  if (existing.status === input.status) return toView(existing, ctx);
  const occurredAt = statusInstant(input.occurred_at, ctx, "occurred_at", existing.statusChangedAt);
  const before = stateOf(existing);
  const evidence =
    input.evidence_url && !before.evidence.some((e) => e.url === input.evidence_url)
      ? [...before.evidence, { url: input.evidence_url, title: `Evidence for '${input.status}'` }]
      : before.evidence;
  const next: CommitmentState = { ...before, status: input.status, statusChangedAt: occurredAt, evidence };
  const agreement = await mustFindAgreement(db, next.agreementId, "agreement");
  const { statements } = planCommitmentWrite(
    db,
    existing,
    next,
    agreement.signedOn,
    { note: input.note, evidenceUrl: input.evidence_url, occurredAt },
    ctx,
  );
  await runBatch(db, [...guardAgreement(db, next, agreement), ...statements]);
  return getCommitment(db, id, ctx);
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

export function eventView(e: {
  id: string;
  seq: number;
  type: string;
  commitmentId: string | null;
  agreementId: string | null;
  fromValue: string | null;
  toValue: string | null;
  note: string | null;
  evidenceUrl: string | null;
  actor: string;
  occurredAt: number;
  recordedAt: number;
  data: Record<string, unknown> | null;
}) {
  return {
    id: e.id,
    seq: e.seq,
    type: e.type,
    commitment: e.commitmentId,
    agreement: e.agreementId,
    from: e.fromValue,
    to: e.toValue,
    note: e.note,
    evidence_url: e.evidenceUrl,
    actor: e.actor,
    occurred_at: toIso(e.occurredAt),
    recorded_at: toIso(e.recordedAt),
    data: e.data,
  };
}
