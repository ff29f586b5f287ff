/**
 * Import and export of the ledger as one JSON document (format pledgewatch/v1).
 *
 * Import is an idempotent upsert by id and all or nothing: every record is checked first, then
 * every change (rows, depends-on edges, history events) goes into one D1 batch. Re-importing the
 * same document changes nothing and records nothing. Export produces the same shape, so
 * export -> import round-trips; it never includes tokens or secrets.
 */
import type { Db } from "../../platform/db/client";
import { clearGuards, guardCondition, guardVersion, isUniqueFailure, runBatch, type BatchItem } from "../../platform/db/guard";
import { allAgreements, findAgreementsByIds } from "../agreements.repo";
import { agreementStateFromInput, planAgreementWrite } from "../agreements.service";
import {
  allCommitments,
  dependencySubgraphFrom,
  existingCommitmentIds,
  findCommitmentsByIds,
  versionsUnchanged,
} from "../commitments.repo";
import { agreementDates, countsFromAgreement, newCommitmentDefaults, planCommitmentWrite, stateFromInput } from "../commitments.plan";
import { anchorCycle, metAt, noAnchorCycleThrough, planDependentsOfAnchor } from "../commitments.anchors";
import { retryOnConflict } from "../commitments.service";
import { type WriteContext } from "../ledger.context";
import { findCycleFrom } from "../commitments.graph";
import { type DeadlineSpec, anchorOf, parseInstant, toIso } from "../../lib/deadline";
import { DomainError } from "../../lib/errors";
import * as v from "valibot";
import { invalidInput, toIssues } from "../../platform/http/validate";
import { FORMAT, ImportDocument, type ImportDocumentInput } from "./transfer.schemas";

type Counts = { created: number; updated: number; unchanged: number };

/** Names a record for error messages: "commitments.3 (id 'charter')". */
function recordName(doc: ImportDocumentInput, path: string): string {
  const [kind, index] = path.split(".");
  const list = kind === "agreements" ? doc.agreements : kind === "commitments" ? doc.commitments : undefined;
  const id = list?.[Number(index)]?.id;
  return id ? `${kind}.${index} (id '${id}')` : `${kind}.${index}`;
}

/** A record's DomainError with the record named first. */
function named(doc: ImportDocumentInput, path: string, error: unknown): unknown {
  return error instanceof DomainError
    ? new DomainError(error.code, `${recordName(doc, path)}: ${error.message}`, error.issues)
    : error;
}

/** Re-throws a record's DomainError with the record named first. */
function naming<T>(doc: ImportDocumentInput, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw named(doc, path, error);
  }
}

function fail(doc: ImportDocumentInput, path: string, field: string, message: string): never {
  throw new DomainError("invalid_input", `${recordName(doc, path)}: ${field}: ${message}`, [
    { path: `${path}.${field}`, message },
  ]);
}

/**
 * Orders commitments so that each comes after the ones it depends on (FKs are immediate) and
 * after its anchor (its deadline resolves from the anchor's planned state). Anchor chains are
 * checked acyclic before this runs.
 */
function dependencyOrder<T extends { id: string; depends_on?: string[]; deadline?: unknown }>(items: T[]): T[] {
  const byId = new Map(items.map((c) => [c.id, c]));
  const done = new Set<string>();
  const out: T[] = [];
  const visit = (c: T) => {
    if (done.has(c.id)) return;
    done.add(c.id);
    const anchor = anchorOf((c.deadline ?? null) as DeadlineSpec | null);
    for (const d of [...(c.depends_on ?? []), ...(anchor?.kind === "commitment" ? [anchor.id] : [])]) {
      const dep = byId.get(d);
      if (dep) visit(dep);
    }
    out.push(c);
  };
  items.forEach(visit);
  return out;
}

/**
 * Checks a parsed JSON body against the import format. A bad one is invalid_input with every
 * issue, its message naming the first bad record ("commitments.3 (id 'charter')").
 */
export function parseImportDocument(body: unknown): ImportDocumentInput {
  const parsed = v.safeParse(ImportDocument, body);
  if (parsed.success) return parsed.output;
  const issues = toIssues(parsed.issues);
  const first = issues[0]!;
  const [kind, index] = first.path.split(".");
  const list = (body as Record<string, unknown> | null)?.[kind ?? ""];
  const record = Array.isArray(list) && index !== undefined ? (list[Number(index)] as { id?: unknown } | undefined) : undefined;
  const name = index !== undefined && kind ? `${kind}.${index}${typeof record?.id === "string" ? ` (id '${record.id}')` : ""}` : null;
  const error = invalidInput(issues, "import document");
  throw new DomainError("invalid_input", name ? `invalid import document: first bad record is ${name}: ${first.path}: ${first.message}` : error.message, issues);
}

/**
 * Imports a document. A batch refused because another request wrote one of its records (a
 * version guard, or a concurrent create of the same new id) is planned again against what is
 * stored now, a few times, then answered 409: never a 500.
 */
export async function importDocument(db: Db, doc: ImportDocumentInput, ctx: WriteContext) {
  return retryOnConflict(ctx, async () => {
    const plan = await planImport(db, doc, ctx);
    await runImport(db, plan.statements);
    return plan.result;
  });
}

/** Runs a planned import's batch; a record created meanwhile by another request is a conflict. */
export async function runImport(db: Db, statements: BatchItem[]): Promise<void> {
  try {
    await runBatch(db, statements);
  } catch (error) {
    if (isUniqueFailure(error)) {
      throw new DomainError("conflict", "another request created a record of this document while it was imported; import it again");
    }
    throw error;
  }
}

/** Checks a whole document and returns its one batch and the counts it will produce. */
export async function planImport(db: Db, doc: ImportDocumentInput, ctx: WriteContext) {
  const docAgreements = doc.agreements ?? [];
  const docCommitments = doc.commitments ?? [];
  const result = { agreements: { created: 0, updated: 0, unchanged: 0 } as Counts, commitments: { created: 0, updated: 0, unchanged: 0 } as Counts };

  // 1. Ids are unique within the document.
  const seen = new Set<string>();
  docAgreements.forEach((a, i) => {
    if (seen.has(`a:${a.id}`)) fail(doc, `agreements.${i}`, "id", `'${a.id}' appears twice in the document`);
    seen.add(`a:${a.id}`);
  });
  docCommitments.forEach((c, i) => {
    if (seen.has(`c:${c.id}`)) fail(doc, `commitments.${i}`, "id", `'${c.id}' appears twice in the document`);
    seen.add(`c:${c.id}`);
  });

  // 2. Read what exists, in bulk.
  const storedAgreements = await findAgreementsByIds(db, [
    ...new Set([...docAgreements.map((a) => a.id), ...docCommitments.map((c) => c.agreement)]),
  ]);
  const storedCommitments = await findCommitmentsByIds(db, docCommitments.map((c) => c.id));
  const docCommitmentIds = new Set(docCommitments.map((c) => c.id));
  const docAgreementById = new Map(docAgreements.map((a) => [a.id, a]));

  // 3. References: agreements and depends_on resolve within the document or the database.
  const externalDeps = [...new Set(docCommitments.flatMap((c) => c.depends_on ?? []))].filter((d) => !docCommitmentIds.has(d));
  const existingDeps = await existingCommitmentIds(db, externalDeps);
  docCommitments.forEach((c, i) => {
    if (!docAgreementById.has(c.agreement) && !storedAgreements.has(c.agreement)) {
      fail(doc, `commitments.${i}`, "agreement", `no agreement '${c.agreement}' in the document or the database`);
    }
    (c.depends_on ?? []).forEach((d, j) => {
      if (!docCommitmentIds.has(d) && !existingDeps.has(d)) {
        fail(doc, `commitments.${i}`, `depends_on.${j}`, `no commitment '${d}' in the document or the database`);
      }
    });
  });
  // The graph after the import, as far as the document's commitments reach: the document's
  // edges, and the stored edges of everything else they reach. One depth-first search over it,
  // linear in those edges (a check per record would be quadratic on a long chain).
  const reached = await dependencySubgraphFrom(db, externalDeps, [...docCommitmentIds]);
  const graph = new Map<string, string[]>(reached.map((n) => [n.id, n.dependsOn]));
  for (const c of docCommitments) graph.set(c.id, c.depends_on ?? []);
  const indexOf = new Map(docCommitments.map((c, i) => [c.id, i]));
  const cycle = findCycleFrom(graph, docCommitmentIds);
  if (cycle) {
    // Name the cycle from its first record in document order (stored edges alone are acyclic).
    const loop = cycle.slice(0, -1);
    const start = loop.reduce((best, id, k) => ((indexOf.get(id) ?? Infinity) < (indexOf.get(loop[best]!) ?? Infinity) ? k : best), 0);
    const named = [...loop.slice(start), ...loop.slice(0, start), loop[start]!];
    const i = indexOf.get(named[0]!) ?? 0;
    throw new DomainError("dependency_cycle", `${recordName(doc, `commitments.${i}`)}: depends_on would create a cycle: ${named.join(" -> ")}`, [
      { path: `commitments.${i}.depends_on`, message: `cycle: ${named.join(" -> ")}` },
    ]);
  }

  // Anchors (`after: { commitment }`) resolve within the document or the database, and the
  // anchor chains, the document's over the stored ones, do not loop.
  const anchorIdOf = (c: (typeof docCommitments)[number]) => {
    const a = anchorOf((c.deadline ?? null) as DeadlineSpec | null);
    return a?.kind === "commitment" ? a.id : null;
  };
  const externalAnchors = [...new Set(docCommitments.map(anchorIdOf).filter((a): a is string => a !== null && !docCommitmentIds.has(a)))];
  const storedAnchors = await findCommitmentsByIds(db, externalAnchors);
  docCommitments.forEach((c, i) => {
    const a = anchorIdOf(c);
    if (a !== null && !docCommitmentIds.has(a) && !storedAnchors.has(a)) {
      fail(doc, `commitments.${i}`, "deadline.after.commitment", `no commitment '${a}' in the document or the database`);
    }
  });
  const anchorGraph = new Map<string, string[]>();
  for (const c of docCommitments) anchorGraph.set(c.id, anchorIdOf(c) === null ? [] : [anchorIdOf(c)!]);
  for (let frontier = [...storedAnchors.values()]; frontier.length > 0; ) {
    const found: string[] = [];
    for (const row of frontier) {
      if (anchorGraph.has(row.id)) continue;
      anchorGraph.set(row.id, row.anchorId ? [row.anchorId] : []);
      if (row.anchorId && !anchorGraph.has(row.anchorId)) found.push(row.anchorId);
    }
    frontier = [...(await findCommitmentsByIds(db, [...new Set(found)])).values()];
  }
  const anchorLoop = findCycleFrom(anchorGraph, docCommitmentIds);
  if (anchorLoop) {
    const i = indexOf.get(anchorLoop[0]!) ?? 0;
    throw named(doc, `commitments.${i}`, anchorCycle(`commitments.${i}.deadline.after.commitment`, anchorLoop));
  }

  // 4. Plan every change; one batch. It starts with a version guard on each stored agreement
  // whose signing date a document commitment's deadline counts from: a concurrent new signing
  // date refuses the batch instead of leaving deadlines computed from the old one.
  const statements: BatchItem[] = [];
  // The graph guard. Only rewritten edges of stored commitments can close a cycle (nothing
  // stored can point at a commitment this import creates), and the check above holds at commit
  // time only if no edge it read changed since. Edges change only with their commitment's
  // version, so every stored commitment the check read must still have its version: one
  // linear statement, where a recursive check per rewritten commitment would cost the reachable
  // subgraph each time.
  const sortedDeps = (ids: string[]) => JSON.stringify([...new Set(ids)].sort());
  const rewritesStoredEdges = docCommitments.some((c) => {
    const stored = storedCommitments.get(c.id);
    return stored !== undefined && sortedDeps(stored.dependsOn) !== sortedDeps(c.depends_on ?? []);
  });
  if (rewritesStoredEdges) statements.push(guardCondition(db, versionsUnchanged([...reached, ...storedCommitments.values()])));
  const countedFrom = new Set(docCommitments.filter((c) => countsFromAgreement((c.deadline ?? null) as DeadlineSpec | null)).map((c) => c.agreement));
  for (const id of countedFrom) {
    const stored = storedAgreements.get(id);
    if (stored) statements.push(guardVersion(db, "agreements", stored.id, stored.version));
  }
  // A stored anchor outside the document must keep the state its dependents were resolved from.
  for (const row of storedAnchors.values()) statements.push(guardVersion(db, "commitments", row.id, row.version));
  const docStates = new Map<string, { status: string; statusChangedAt: number }>();
  for (const [i, a] of docAgreements.entries()) {
    const existing = storedAgreements.get(a.id) ?? null;
    const plan = await planAgreementWrite(db, existing, agreementStateFromInput(a, a.id), ctx, `agreements.${i}`, docCommitmentIds).catch(
      (error: unknown) => {
        throw named(doc, `agreements.${i}`, error);
      },
    );
    statements.push(...plan.statements);
    result.agreements[!existing ? "created" : plan.changed ? "updated" : "unchanged"]++;
  }
  for (const c of dependencyOrder(docCommitments)) {
    const i = indexOf.get(c.id)!;
    const path = `commitments.${i}`;
    const existing = storedCommitments.get(c.id) ?? null;
    const docAgreement = docAgreementById.get(c.agreement);
    const dates = docAgreement
      ? agreementDates({ signedOn: docAgreement.signed_on ?? null, inForceOn: docAgreement.in_force_on ?? null })
      : agreementDates(storedAgreements.get(c.agreement)!);
    let statusChangedAt: number;
    if (c.status_changed_at !== undefined) {
      statusChangedAt = parseInstant(c.status_changed_at)!;
      if (statusChangedAt > ctx.now + 60_000) fail(doc, path, "status_changed_at", "must not be in the future");
    } else if (existing && existing.status === (c.status ?? "not_started")) {
      statusChangedAt = existing.statusChangedAt;
    } else {
      statusChangedAt = ctx.now;
    }
    // Same status with another date is a correction of when it was reached: planCommitmentWrite
    // records it as an edit.
    const next = stateFromInput(
      c,
      c.id,
      statusChangedAt,
      existing ? { keywords: existing.keywords, verifyEvery: existing.verifyEvery } : newCommitmentDefaults(ctx),
    );
    docStates.set(c.id, next);
    const anchorId = anchorIdOf(c);
    const anchorState = anchorId === null ? null : (docStates.get(anchorId) ?? storedAnchors.get(anchorId) ?? null);
    const plan = naming(doc, path, () =>
      planCommitmentWrite(
        db,
        existing,
        next,
        { ...dates, anchorMetAt: anchorState ? metAt(anchorState) : null },
        { reason: "changed by import", note: c.status_note },
        ctx,
        path,
      ),
    );
    statements.push(...plan.statements);
    if (existing) {
      statements.push(...(await planDependentsOfAnchor(db, existing, next, ctx, docCommitmentIds)));
      if (anchorId !== null && anchorId !== existing.anchorId) statements.push(guardCondition(db, noAnchorCycleThrough(c.id)));
    }
    result.commitments[!existing ? "created" : plan.changed ? "updated" : "unchanged"]++;
  }
  if (statements.length > 0) statements.push(clearGuards(db));
  return { statements, result };
}

export async function exportDocument(db: Db, now: number) {
  const agreements = await allAgreements(db);
  const commitments = await allCommitments(db);
  return {
    format: FORMAT,
    exported_at: toIso(now),
    agreements: agreements.map((a) => ({
      id: a.id,
      title: a.title,
      kind: a.kind,
      signed_on: a.signedOn,
      // Only when set: a document exported before entry into force existed reads the same.
      ...(a.inForceOn !== null ? { in_force_on: a.inForceOn } : {}),
      parties: a.parties,
      source_url: a.sourceUrl,
      summary: a.summary,
    })),
    commitments: commitments.map((c) => ({
      id: c.id,
      agreement: c.agreementId,
      title: c.title,
      description: c.description,
      parties: c.parties,
      tags: c.tags,
      keywords: c.keywords,
      verify_every: c.verifyEvery,
      evidence: c.evidence,
      depends_on: c.dependsOn,
      time_zone: c.timeZone,
      deadline: c.deadline ?? null,
      status: c.status,
      status_changed_at: toIso(c.statusChangedAt),
    })),
  };
}
