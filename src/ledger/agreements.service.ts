/**
 * Agreements: the source documents commitments come from. Writes append agreement.created /
 * agreement.updated events in the same batch; a changed signing date moves every deadline given
 * relative to it, each with its own commitment.deadline_changed event, in that same batch.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { clearGuards, guardCondition, guardVersion, isUniqueFailure, runBatch, type BatchItem } from "../platform/db/guard";
import { appendEventStatements } from "./history/events.repo";
import { countsFromAnchorCount, listCommitmentRows, listCommitmentsOfAgreement } from "./commitments.repo";
import { agreementDates, countsFromAgreement, planCommitmentWrite, stateOf } from "./commitments.plan";
import { retryOnConflict } from "./commitments.service";
import { toView } from "./commitments.views";
import { type ReadContext, type WriteContext } from "./ledger.context";
import { toIso } from "../lib/deadline";
import { DomainError, invalid, notFound } from "../lib/errors";
import { partyKeys } from "../lib/parties";
import { slugify } from "../lib/ids";
import { findAgreement, findAgreementWithCount, hasNoCommitments, listAgreementRows } from "./agreements.repo";
import type { CreateAgreementInput, UpdateAgreementInput } from "./agreements.schemas";
import { agreements, type AgreementRow } from "./agreements.table";

export interface AgreementState {
  id: string;
  title: string;
  kind: string;
  signedOn: string | null;
  inForceOn: string | null;
  parties: string[];
  sourceUrl: string | null;
  summary: string;
}

export function agreementView(row: AgreementRow) {
  return {
    id: row.id,
    title: row.title,
    kind: row.kind,
    signed_on: row.signedOn,
    in_force_on: row.inForceOn,
    parties: row.parties,
    source_url: row.sourceUrl,
    summary: row.summary,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    version: row.version,
  };
}

export function agreementStateFromInput(input: CreateAgreementInput, id: string): AgreementState {
  return {
    id,
    title: input.title,
    kind: input.kind,
    signedOn: input.signed_on ?? null,
    inForceOn: input.in_force_on ?? null,
    parties: input.parties ?? [],
    sourceUrl: input.source_url ?? null,
    summary: input.summary ?? "",
  };
}

const FIELDS = ["title", "kind", "signedOn", "inForceOn", "parties", "sourceUrl", "summary"] as const;
const NAMES: Record<(typeof FIELDS)[number], string> = {
  title: "title",
  kind: "kind",
  signedOn: "signed_on",
  inForceOn: "in_force_on",
  parties: "parties",
  sourceUrl: "source_url",
  summary: "summary",
};

/**
 * Diffs an agreement against its next state; one batch of guard, row, events, and the deadline
 * moves of its relative commitments when the signing date changes.
 */
export async function planAgreementWrite(
  db: Db,
  existing: AgreementRow | null,
  next: AgreementState,
  ctx: WriteContext,
  path = "",
  /** Commitments the caller rewrites itself in the same batch (the import). */
  skipCommitments: ReadonlySet<string> = new Set(),
): Promise<{ statements: BatchItem[]; changed: boolean }> {
  const statements: BatchItem[] = [];
  const base = { agreementId: next.id, actor: ctx.actor, recordedAt: ctx.now, occurredAt: ctx.now };
  if (!existing) {
    const created = appendEventStatements(db, { ...base, type: "agreement.created", data: { title: next.title } });
    ctx.emitted?.push(created.id);
    statements.push(db.insert(agreements).values({ ...next, partyKeys: partyKeys(next.parties), createdAt: ctx.now, updatedAt: ctx.now, version: 1 }), ...created.statements);
    return { statements, changed: true };
  }
  const changed = FIELDS.filter((f) => JSON.stringify(existing[f]) !== JSON.stringify(next[f]));
  if (changed.length === 0) return { statements, changed: false };
  const updated = appendEventStatements(db, {
    ...base,
    type: "agreement.updated",
    data: {
      changed: changed.map((f) => NAMES[f]),
      before: Object.fromEntries(changed.map((f) => [NAMES[f], existing[f]])),
      after: Object.fromEntries(changed.map((f) => [NAMES[f], next[f]])),
    },
  });
  ctx.emitted?.push(updated.id);
  statements.push(
    guardVersion(db, "agreements", existing.id, existing.version),
    db
      .update(agreements)
      .set({ ...next, partyKeys: partyKeys(next.parties), updatedAt: ctx.now, version: existing.version + 1 })
      .where(eq(agreements.id, existing.id)),
    ...updated.statements,
  );
  // Deadlines counting from a date that changed move with it (or wait again when it is cleared).
  const moved = (["signing", "entry_into_force"] as const).filter((d) => changed.includes(d === "signing" ? "signedOn" : "inForceOn"));
  if (moved.length > 0) {
    const relative = (await listCommitmentsOfAgreement(db, existing.id)).filter((c) => moved.some((d) => countsFromAgreement(c.deadline ?? null, d)));
    // A commitment created after this read would keep a deadline from the old date: refuse the
    // batch if the set grew (a commitment leaving it fails its own version guard below).
    for (const d of moved) {
      const n = relative.filter((c) => countsFromAgreement(c.deadline ?? null, d)).length;
      statements.splice(1, 0, guardCondition(db, countsFromAnchorCount(existing.id, d, n)));
    }
    for (const c of relative) {
      if (!c.deadline || skipCommitments.has(c.id)) continue;
      const date = countsFromAgreement(c.deadline, "signing") ? "signing" : "entry_into_force";
      const fieldPath = date === "signing" ? (path ? `${path}.signed_on` : "signed_on") : path ? `${path}.in_force_on` : "in_force_on";
      const [from, to] = date === "signing" ? [existing.signedOn, next.signedOn] : [existing.inForceOn, next.inForceOn];
      const reason =
        date === "signing"
          ? `the agreement's signing date changed from ${from ?? "none"} to ${to ?? "none"}`
          : from === null
            ? `the agreement entered into force on ${to}`
            : `the agreement's entry-into-force date changed from ${from} to ${to ?? "none"}`;
      let plan: { statements: BatchItem[] };
      try {
        plan = planCommitmentWrite(
          db,
          c,
          stateOf(c),
          agreementDates(next),
          { reason, cause: { anchor: date, from, to } },
          ctx,
          fieldPath,
        );
      } catch (error) {
        // The problem is in the field the caller sent, because of a commitment it did not send.
        if (!(error instanceof DomainError) || error.code !== "invalid_input") throw error;
        const within = "within" in c.deadline ? c.deadline.within : "";
        const message = `commitment '${c.id}' counts its deadline (within ${within}) from ${date === "signing" ? "the signing date" : "entry into force"}: ${error.issues?.[0]?.message ?? error.message}`;
        throw new DomainError("invalid_input", `${fieldPath}: ${message}`, [{ path: fieldPath, message }]);
      }
      statements.push(...plan.statements);
    }
  }
  statements.push(clearGuards(db));
  return { statements, changed: true };
}

/** Commitments embedded in GET /agreements/:id; `commitments_next` pages through the rest. */
export const AGREEMENT_EMBED_MAX = 50;

/**
 * An agreement with its first commitments in the list's order (deadline, then id), how many it
 * has, and the link to the next page of `GET /api/v1/commitments?agreement=…` (null when all are
 * shown): the answer stays bounded however many commitments an agreement has.
 */
export async function getAgreement(db: Db, id: string, ctx: ReadContext) {
  const row = await findAgreementWithCount(db, id);
  if (!row) throw notFound("agreement", id);
  const page = await listCommitmentRows(db, { agreement: id }, { limit: AGREEMENT_EMBED_MAX }, ctx.now, ctx.windowMs);
  return {
    ...agreementView(row),
    commitments: page.rows.map((c) => toView(c, ctx)),
    commitment_count: row.commitmentCount,
    commitments_next:
      page.nextCursor === null
        ? null
        : `/api/v1/commitments?agreement=${encodeURIComponent(id)}&limit=${AGREEMENT_EMBED_MAX}&cursor=${encodeURIComponent(page.nextCursor)}`,
  };
}

export async function listAgreements(db: Db, page: { limit: number; cursor?: string }) {
  const rows = await listAgreementRows(db, { limit: page.limit + 1, after: page.cursor });
  const items = rows.slice(0, page.limit);
  return {
    items: items.map((r) => ({ ...agreementView(r), commitment_count: r.commitmentCount })),
    next_cursor: rows.length > page.limit ? items[items.length - 1]!.id : null,
  };
}

export async function createAgreement(db: Db, input: CreateAgreementInput, ctx: WriteContext) {
  const id = input.id ?? slugify(input.title);
  if (!id) throw invalid("id", "give an id: the title has no letters or digits to make one from");
  if (await findAgreement(db, id)) throw new DomainError("duplicate_id", `agreement '${id}' already exists`);
  const { statements } = await planAgreementWrite(db, null, agreementStateFromInput(input, id), ctx);
  try {
    await runBatch(db, statements);
  } catch (error) {
    if (isUniqueFailure(error)) throw new DomainError("duplicate_id", `agreement '${id}' already exists`);
    throw error;
  }
  return agreementView((await findAgreement(db, id))!);
}

export async function updateAgreement(db: Db, id: string, patch: UpdateAgreementInput, ctx: WriteContext) {
  const existing = await findAgreement(db, id);
  if (!existing) throw notFound("agreement", id);
  const next: AgreementState = {
    id,
    title: patch.title ?? existing.title,
    kind: patch.kind ?? existing.kind,
    signedOn: patch.signed_on === undefined ? existing.signedOn : patch.signed_on,
    inForceOn: patch.in_force_on === undefined ? existing.inForceOn : patch.in_force_on,
    parties: patch.parties ?? existing.parties,
    sourceUrl: patch.source_url === undefined ? existing.sourceUrl : patch.source_url,
    summary: patch.summary ?? existing.summary,
  };
  const { statements, changed } = await planAgreementWrite(db, existing, next, ctx);
  if (changed) await runBatch(db, statements);
  return agreementView((await findAgreement(db, id))!);
}

/**
 * Plans the delete of an agreement that has no commitments: one batch guarded by the agreement's
 * version and by "still no commitments", with an `agreement.deleted` event carrying what it was.
 * A commitment created after the plan was read refuses the batch (409, then a new attempt answers
 * agreement_not_empty); one created after the delete fails on the commitments' foreign key.
 * `version`, when given, must be the one the caller saw.
 */
export async function planAgreementDelete(db: Db, id: string, ctx: WriteContext, version?: number): Promise<BatchItem[]> {
  const existing = await findAgreementWithCount(db, id);
  if (!existing) throw notFound("agreement", id);
  if (version !== undefined && existing.version !== version) {
    throw new DomainError("conflict", `agreement '${id}' changed since it was read (version ${existing.version}, not ${version}): read it again`);
  }
  if (existing.commitmentCount > 0) {
    const n = existing.commitmentCount;
    throw new DomainError("agreement_not_empty", `agreement '${id}' has ${n} commitment${n === 1 ? "" : "s"}: only an agreement without commitments can be deleted`);
  }
  const { commitmentCount: _, ...row } = existing;
  const deleted = appendEventStatements(db, {
    agreementId: id,
    actor: ctx.actor,
    recordedAt: ctx.now,
    occurredAt: ctx.now,
    type: "agreement.deleted",
    data: { title: row.title, before: agreementView(row) },
  });
  ctx.emitted?.push(deleted.id);
  return [
    guardVersion(db, "agreements", id, existing.version),
    guardCondition(db, hasNoCommitments(id)),
    db.delete(agreements).where(eq(agreements.id, id)),
    ...deleted.statements,
    clearGuards(db),
  ];
}

export async function deleteAgreement(db: Db, id: string, ctx: WriteContext, version?: number): Promise<void> {
  if (version !== undefined) return runBatch(db, await planAgreementDelete(db, id, ctx, version));
  await retryOnConflict(ctx, async () => runBatch(db, await planAgreementDelete(db, id, ctx)));
}
