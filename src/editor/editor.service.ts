/**
 * What the editor's forms need besides the ledger's own use cases: the deadline preview the
 * commitment form shows before saving, and the choices its selects offer. Writes go through the
 * same services as the API (ledger/*.service.ts); nothing here writes.
 */
import type { Db } from "../platform/db/client";
import { anchorOf, isProblem, isWaiting, resolveDeadline, type DeadlineSpec } from "../lib/deadline";
import { waitingReason } from "../lib/labels";
import { findCommitment } from "../ledger/commitments.repo";
import { metAt } from "../ledger/commitments.anchors";
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
  input: { agreement: string; deadline: Record<string, unknown> | null; time_zone: string },
): Promise<DeadlinePreview> {
  const d = input.deadline as (Record<string, string | undefined> & { after?: unknown }) | null;
  if (d === null) return { ok: true, text: "No deadline: the commitment is open-ended." };
  const agreement = input.agreement ? await findAgreement(db, input.agreement) : null;
  const zone = isValidTimeZone(input.time_zone) ? canonicalTimeZone(input.time_zone) : "UTC";
  const anchor = anchorOf(d as unknown as DeadlineSpec);
  const anchorRow = anchor?.kind === "commitment" ? await findCommitment(db, anchor.id) : null;
  if (anchor?.kind === "commitment" && !anchorRow) return { ok: false, text: `The deadline cannot be resolved: no commitment '${anchor.id}'.` };
  const resolved = resolveDeadline(d as unknown as DeadlineSpec, zone, {
    signedOn: agreement?.signedOn ?? null,
    inForceOn: agreement?.inForceOn ?? null,
    anchorMetAt: anchorRow ? metAt(anchorRow) : null,
  });
  if (isProblem(resolved)) return { ok: false, text: `The deadline cannot be resolved: ${resolved.message}.` };
  if (isWaiting(resolved)) {
    return { ok: true, text: `${d.within} after it happens: for now the commitment is ${waitingReason(resolved.waiting, anchorRow?.title)}.` };
  }
  const grace = d.grace && resolved.overdueAt !== resolved.dueAt ? `, overdue after ${d.grace} of grace` : "";
  let basis: string;
  if (d.within !== undefined) {
    if (d.from) basis = `${d.within} after ${d.from}`;
    else if (anchor?.kind === "entry_into_force") basis = `${d.within} after entry into force on ${agreement?.inForceOn}`;
    else if (anchor?.kind === "commitment") basis = `${d.within} after '${anchorRow?.title}' was met`;
    else basis = `${d.within} after signing on ${agreement?.signedOn}`;
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

/** How many choices a select or list shows at once; the rest are found by search or paged. */
export const CHOICES_MAX = 200;

export interface DependencyChoices {
  items: { id: string; title: string }[];
  /** What the list holds, in words, for the hint beside the select. */
  scope: string;
  /** More match than are listed: the hint says to narrow the search. */
  more: boolean;
}

/**
 * Commitments a dependency can point at, however large the ledger: those matching `find` (title
 * or id, as the API's `q`) when the editor searched, else those of the same agreement, else the
 * first of the ledger; each by deadline, at most CHOICES_MAX. The chosen ones are always kept by
 * the view (dependencyOptions), so a search never drops a choice.
 */
export async function dependencyChoices(db: Db, ctx: ReadContext, opts: { agreement?: string; find?: string } = {}): Promise<DependencyChoices> {
  const filter = opts.find ? { q: opts.find } : opts.agreement ? { agreement: opts.agreement } : {};
  const { items, next_cursor } = await listCommitments(db, filter, { limit: CHOICES_MAX }, ctx);
  const scope = opts.find
    ? `commitments matching “${opts.find}”`
    : opts.agreement
      ? "this agreement's commitments"
      : "the ledger's first commitments by deadline";
  return { items: items.map((c) => ({ id: c.id, title: c.title })), scope, more: next_cursor !== null };
}

/** A page of the editor's commitment list: all, or those matching `q`, keyset-paginated. */
export async function commitmentPage(db: Db, ctx: ReadContext, opts: { q?: string; cursor?: string }) {
  const { items, next_cursor } = await listCommitments(db, opts.q ? { q: opts.q } : {}, { limit: CHOICES_MAX, cursor: opts.cursor }, ctx);
  return { items: items.map((c) => ({ id: c.id, title: c.title, agreement: c.agreement })), next: next_cursor };
}
