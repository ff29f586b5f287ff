/**
 * Write planning for commitments. `planCommitmentWrite` diffs the stored commitment against its
 * next state and returns one D1 batch: a compare-and-set guard, the row, its depends-on edges and
 * the history events, so a change and its history commit together or not at all. Single writes
 * (create, PATCH, status) and the import share it; one column list serves insert and update.
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { clearGuards, guardVersion, type BatchItem } from "../platform/db/guard";
import { appendEventStatements } from "./history/events.repo";
import type { NewEvent } from "./history/events.types";
import { type AnchorDates, type DeadlineSpec, anchorOf, isProblem, isWaiting, resolveDeadline, toIso } from "../lib/deadline";
import { invalid } from "../lib/errors";
import { partyKey, partyKeys } from "../lib/parties";
import { armAlerts } from "./commitments.alerts";
import { assertTransition, isTerminal, type Progress } from "./commitments.rules";
import { type CommitmentWithDeps } from "./commitments.repo";
import type { CreateCommitmentInput } from "./commitments.schemas";
import { commitmentDependencies, commitmentParties, commitments, type EvidenceLink } from "./commitments.table";
import type { WriteContext } from "./ledger.context";
import { DEFAULT_VERIFY_EVERY, verificationColumns } from "./commitments.verification";

/** A commitment's full user-visible state: what create, import and export speak. */
export interface CommitmentState {
  id: string;
  agreementId: string;
  title: string;
  description: string;
  parties: string[];
  tags: string[];
  keywords: string[];
  evidence: EvidenceLink[];
  dependsOn: string[];
  timeZone: string;
  deadline: DeadlineSpec | null;
  status: Progress;
  statusChangedAt: number;
  /** How often it should be checked (fixed-length ISO duration); null = never stale. */
  verifyEvery: string | null;
}

/** What goes into the events besides the diff: why the deadline moved, the status note. */
export interface ChangeMeta {
  reason?: string;
  note?: string;
  evidenceUrl?: string;
  occurredAt?: number;
  /** What moved the deadline when no one edited it (an anchor happened or was undone): kept in data.cause. */
  cause?: Record<string, unknown>;
}

export function stateOf(row: CommitmentWithDeps): CommitmentState {
  return {
    id: row.id,
    agreementId: row.agreementId,
    title: row.title,
    description: row.description,
    parties: row.parties,
    tags: row.tags,
    keywords: row.keywords,
    evidence: row.evidence,
    dependsOn: row.dependsOn,
    timeZone: row.timeZone,
    deadline: row.deadline ?? null,
    status: row.status as Progress,
    statusChangedAt: row.statusChangedAt,
    verifyEvery: row.verifyEvery,
  };
}

export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const EDIT_FIELDS = ["agreementId", "title", "description", "parties", "tags", "keywords", "evidence", "dependsOn", "timeZone", "deadline", "verifyEvery"] as const;

const FIELD_NAMES: Record<(typeof EDIT_FIELDS)[number], string> = {
  agreementId: "agreement",
  title: "title",
  description: "description",
  parties: "parties",
  tags: "tags",
  keywords: "keywords",
  evidence: "evidence",
  dependsOn: "depends_on",
  timeZone: "time_zone",
  deadline: "deadline",
  verifyEvery: "verify_every",
};

function stripUndefined(spec: DeadlineSpec | null): DeadlineSpec | null {
  if (!spec) return null;
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as DeadlineSpec;
}

/**
 * The party-name rows of `next` (commitment_parties), as at most one insert with two bound
 * parameters (the names as JSON): 50 parties as rows would pass D1's 100-parameter limit.
 */
function insertParties(db: Db, next: CommitmentState): BatchItem[] {
  const seen = new Set<string>();
  const rows = next.parties.map((name) => [partyKey(name), name]).filter(([key]) => !seen.has(key!) && seen.add(key!));
  if (rows.length === 0) return [];
  return [
    db
      .insert(commitmentParties)
      .select(sql`SELECT ${next.id}, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${JSON.stringify(rows)})`),
  ];
}

/** The depends-on edges of `next`, as at most one insert. */
function insertEdges(db: Db, next: CommitmentState): BatchItem[] {
  if (next.dependsOn.length === 0) return [];
  return [db.insert(commitmentDependencies).values(next.dependsOn.map((d) => ({ commitmentId: next.id, dependsOnId: d })))];
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
  anchors: AnchorDates,
  meta: ChangeMeta,
  ctx: WriteContext,
  path = "",
): { statements: BatchItem[]; changed: boolean } {
  const at = (p: string) => (path ? `${path}.${p}` : p);
  next = { ...next, deadline: stripUndefined(next.deadline), dependsOn: [...new Set(next.dependsOn)].sort() };
  let resolved: { dueAt: number; dueOn: string; overdueAt: number } | null = null;
  let waitingOn: string | null = null;
  if (next.deadline) {
    const r = resolveDeadline(next.deadline, next.timeZone, anchors);
    if (isProblem(r)) throw invalid(at(r.path ? `deadline.${r.path}` : "deadline"), r.message);
    if (isWaiting(r)) waitingOn = r.waiting;
    else resolved = r;
  }
  const anchor = anchorOf(next.deadline);
  const due = {
    dueAt: resolved?.dueAt ?? null,
    dueOn: resolved?.dueOn ?? null,
    overdueAt: resolved?.overdueAt ?? null,
    waitingOn,
    anchorId: anchor?.kind === "commitment" ? anchor.id : null,
  };
  // The stored columns a create and an update both write (insert adds id, created_at, version 1
  // and always arms the alerts; update bumps the version and re-arms only a moved deadline).
  const columns = {
    agreementId: next.agreementId,
    title: next.title,
    description: next.description,
    parties: next.parties,
    partyKeys: partyKeys(next.parties),
    tags: next.tags,
    keywords: next.keywords,
    evidence: next.evidence,
    timeZone: next.timeZone,
    deadline: next.deadline,
    ...due,
    status: next.status,
    statusChangedAt: next.statusChangedAt,
    closedAt: isTerminal(next.status) ? next.statusChangedAt : null,
    updatedAt: ctx.now,
  };
  const base = { agreementId: next.agreementId, commitmentId: next.id, actor: ctx.actor, recordedAt: ctx.now };
  const events: NewEvent[] = [];
  const statements: BatchItem[] = [];

  if (!existing) {
    statements.push(
      db.insert(commitments).values({
        id: next.id,
        ...columns,
        ...armAlerts(due.dueAt, due.overdueAt, ctx.leadDays),
        ...verificationColumns(next.verifyEvery, null, ctx.now),
        createdAt: ctx.now,
        version: 1,
      }),
    );
    statements.push(...insertEdges(db, next), ...insertParties(db, next));
    events.push({
      ...base,
      type: "commitment.created",
      toValue: next.status,
      note: meta.note ?? null,
      occurredAt: ctx.now,
      data: { title: next.title, due_on: due.dueOn, due_at: due.dueAt === null ? null : toIso(due.dueAt), ...(waitingOn ? { waiting_on: waitingOn } : {}) },
    });
  } else {
    const before = stateOf(existing);
    const changedFields = EDIT_FIELDS.filter((f) => !same(before[f], next[f]));
    const deadlineMoved = existing.dueAt !== due.dueAt || existing.overdueAt !== due.overdueAt || existing.waitingOn !== due.waitingOn;
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
    // A status change or new evidence is a check of the commitment: it restarts its
    // verify_every period; a new period counts from the last check.
    const newEvidence = next.evidence.some((e) => !before.evidence.some((b) => b.url === e.url));
    const verified = statusChanged || newEvidence;
    const verification =
      verified || before.verifyEvery !== next.verifyEvery
        ? verificationColumns(next.verifyEvery, verified ? ctx.now : existing.lastVerifiedAt, existing.createdAt)
        : {};

    statements.push(guardVersion(db, "commitments", existing.id, existing.version));
    statements.push(
      db
        .update(commitments)
        .set({
          ...columns,
          ...(deadlineMoved ? armAlerts(due.dueAt, due.overdueAt, ctx.leadDays) : {}),
          ...verification,
          version: existing.version + 1,
        })
        .where(eq(commitments.id, existing.id)),
    );
    if (!same(before.dependsOn, next.dependsOn)) {
      statements.push(db.delete(commitmentDependencies).where(eq(commitmentDependencies.commitmentId, existing.id)));
      statements.push(...insertEdges(db, next));
    }
    if (!same(before.parties, next.parties)) {
      statements.push(db.delete(commitmentParties).where(eq(commitmentParties.commitmentId, existing.id)));
      statements.push(...insertParties(db, next));
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
    const waits = (w: string | null) => (existing.waitingOn !== null || due.waitingOn !== null ? { waiting_on: w } : {});
    if (deadlineMoved) {
      events.push({
        ...base,
        type: "commitment.deadline_changed",
        fromValue: existing.dueAt === null ? null : toIso(existing.dueAt),
        toValue: due.dueAt === null ? null : toIso(due.dueAt),
        note: meta.reason ?? null,
        occurredAt: ctx.now,
        data: {
          // waiting_on only when a side waits on an anchor: other deadline changes keep their shape.
          from: { deadline: before.deadline, due_on: existing.dueOn, overdue_at: existing.overdueAt === null ? null : toIso(existing.overdueAt), ...waits(existing.waitingOn) },
          to: { deadline: next.deadline, due_on: due.dueOn, overdue_at: due.overdueAt === null ? null : toIso(due.overdueAt), ...waits(due.waitingOn) },
          ...(meta.cause ? { cause: meta.cause } : {}),
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
 * Whether a deadline is counted from one of the agreement's dates (signing, entry into force;
 * `date` narrows to one): such a write must be guarded by the agreement's version (see
 * guardAgreement), and a new date moves it (agreements.service.ts planAgreementWrite).
 */
export function countsFromAgreement(
  deadline: DeadlineSpec | null,
  date?: "signing" | "entry_into_force",
): deadline is Extract<DeadlineSpec, { within: string }> {
  const anchor = anchorOf(deadline);
  return anchor !== null && anchor.kind !== "commitment" && (date === undefined || anchor.kind === date);
}

/** Whether a deadline is counted from the agreement's signing date (today's `{ within }`). */
export const countsFromSigning = (deadline: DeadlineSpec | null) => countsFromAgreement(deadline, "signing");

/**
 * The batch statement that refuses the write if the agreement changed since it was read, for a
 * commitment whose deadline counts from its signing or entry-into-force date (none otherwise):
 * without it a concurrent new date would leave this write's deadline computed from the old one.
 */
export function guardAgreement(db: Db, state: CommitmentState, agreement: { id: string; version: number }): BatchItem[] {
  return countsFromAgreement(state.deadline) ? [guardVersion(db, "agreements", agreement.id, agreement.version)] : [];
}

/** The agreement's dates a deadline may count from. */
export const agreementDates = (a: { signedOn: string | null; inForceOn: string | null }): AnchorDates => ({
  signedOn: a.signedOn,
  inForceOn: a.inForceOn,
});

/**
 * The state a create or import asks for. `fallback` fills what the input leaves out: the stored
 * keywords and verify_every on an import over an existing commitment, else no keywords and the
 * configured verify_every.
 */
export function stateFromInput(
  input: CreateCommitmentInput,
  id: string,
  statusChangedAt: number,
  fallback: { keywords: string[]; verifyEvery: string | null },
): CommitmentState {
  return {
    id,
    agreementId: input.agreement,
    title: input.title,
    description: input.description ?? "",
    parties: input.parties ?? [],
    tags: input.tags ?? [],
    keywords: input.keywords ?? fallback.keywords,
    evidence: input.evidence ?? [],
    dependsOn: input.depends_on ?? [],
    timeZone: input.time_zone ?? "UTC",
    deadline: (input.deadline ?? null) as DeadlineSpec | null,
    status: input.status ?? "not_started",
    statusChangedAt,
    verifyEvery: input.verify_every === undefined ? fallback.verifyEvery : input.verify_every,
  };
}

/** What a create without a stored commitment falls back to (stateFromInput). */
export const newCommitmentDefaults = (ctx: WriteContext) => ({
  keywords: [] as string[],
  verifyEvery: ctx.verifyEvery === undefined ? DEFAULT_VERIFY_EVERY : ctx.verifyEvery,
});

/**
 * A check that found nothing to change (POST /commitments/:id/verify), or found evidence: one
 * batch with the version guard, the new last_verified_at / stale_at (and the evidence link when
 * it is new) and a commitment.verified event.
 */
export function planVerification(
  db: Db,
  existing: CommitmentWithDeps,
  input: { note?: string; evidence?: EvidenceLink },
  ctx: WriteContext,
): BatchItem[] {
  const evidence =
    input.evidence && !existing.evidence.some((e) => e.url === input.evidence!.url) ? [...existing.evidence, input.evidence] : existing.evidence;
  const columns = verificationColumns(existing.verifyEvery, ctx.now, existing.createdAt);
  const appended = appendEventStatements(db, {
    type: "commitment.verified",
    commitmentId: existing.id,
    agreementId: existing.agreementId,
    toValue: existing.status,
    note: input.note ?? null,
    evidenceUrl: input.evidence?.url ?? null,
    actor: ctx.actor,
    occurredAt: ctx.now,
    recordedAt: ctx.now,
    data: {
      evidence_title: input.evidence?.title ?? null,
      previously_verified_at: existing.lastVerifiedAt === null ? null : toIso(existing.lastVerifiedAt),
      stale_at: columns.staleAt === null ? null : toIso(columns.staleAt),
    },
  });
  ctx.emitted?.push(appended.id);
  return [
    guardVersion(db, "commitments", existing.id, existing.version),
    db
      .update(commitments)
      .set({ ...columns, evidence, updatedAt: ctx.now, version: existing.version + 1 })
      .where(eq(commitments.id, existing.id)),
    ...appended.statements,
    clearGuards(db),
  ];
}
