/**
 * What the editor's forms need besides the ledger's own use cases: the deadline preview the
 * commitment form shows before saving, and the choices its selects offer. Writes go through the
 * same services as the API (ledger/*.service.ts); nothing here writes.
 */
import type { Db } from "../platform/db/client";
import { isProblem, resolveDeadline, type DeadlineSpec } from "../lib/deadline";
import { canonicalTimeZone, isValidTimeZone } from "../lib/deadline";
import { allAgreements, findAgreement } from "../ledger/agreements.repo";
import { listCommitments } from "../ledger/commitments.service";
import type { ReadContext } from "../ledger/ledger.context";

export interface DeadlinePreview {
  /** e.g. "P6M after signing on 2025-08-08 → 2026-02-08" */
  text: string;
  ok: boolean;
}

/**
 * The resolved deadline as the service will store it, in words: the same resolveDeadline the
 * commitment write uses, with the agreement's signing date read from the ledger.
 */
export async function previewDeadline(
  db: Db,
  input: { agreement: string; deadline: Record<string, string> | null; time_zone: string },
): Promise<DeadlinePreview> {
  const d = input.deadline;
  if (d === null) return { ok: true, text: "No deadline: the commitment is open-ended." };
  const agreement = input.agreement ? await findAgreement(db, input.agreement) : null;
  const zone = isValidTimeZone(input.time_zone) ? canonicalTimeZone(input.time_zone) : "UTC";
  const resolved = resolveDeadline(d as unknown as DeadlineSpec, zone, agreement?.signedOn ?? null);
  if (isProblem(resolved)) return { ok: false, text: `The deadline cannot be resolved: ${resolved.message}.` };
  const grace = d.grace && resolved.overdueAt !== resolved.dueAt ? `, overdue after ${d.grace} of grace` : "";
  let basis: string;
  if (d.within !== undefined) {
    basis = d.from ? `${d.within} after ${d.from}` : `${d.within} after signing on ${agreement?.signedOn}`;
  } else if (d.due_at !== undefined) {
    basis = `At ${d.due_at}`;
  } else {
    basis = `On ${d.due_on}`;
  }
  return { ok: true, text: `${basis} → ${resolved.dueOn} (end of day ${zone})${grace}` };
}

/** Agreements for the commitment form's select, by title. */
export async function agreementChoices(db: Db) {
  const rows = await allAgreements(db);
  return rows.map((a) => ({ id: a.id, title: a.title, signedOn: a.signedOn })).sort((a, b) => a.title.localeCompare(b.title));
}

/** Commitments a dependency can point at: the first 200 of the ledger, by deadline. */
export async function dependencyChoices(db: Db, ctx: ReadContext) {
  const { items } = await listCommitments(db, {}, { limit: 200 }, ctx);
  return items.map((c) => ({ id: c.id, title: c.title }));
}
