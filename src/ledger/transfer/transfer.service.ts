/**
 * Import and export of the ledger as one JSON document (format pledgewatch/v1).
 *
 * Import is an idempotent upsert by id and all or nothing: every record is checked first, then
 * every change (rows, depends-on edges, history events) goes into one D1 batch. Re-importing the
 * same document changes nothing and records nothing. Export produces the same shape, so
 * export -> import round-trips; it never includes tokens or secrets.
 */
import type { Db } from "../../platform/db/client";
import { runBatch, type BatchItem } from "../../platform/db/guard";
import { allAgreements, findAgreementsByIds } from "../agreements.repo";
import { agreementStateFromInput, planAgreementWrite } from "../agreements.service";
import { allCommitments, allDependencyEdges, existingCommitmentIds, findCommitmentsByIds } from "../commitments.repo";
import { planCommitmentWrite, stateFromInput, type WriteContext } from "../commitments.service";
import { findCycle } from "../commitments.graph";
import { parseInstant, toIso } from "../../lib/deadline";
import { DomainError } from "../../lib/errors";
import { FORMAT, type ImportDocumentInput } from "./transfer.schemas";

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

/** Orders commitments so that each comes after the ones it depends on (FKs are immediate). */
function dependencyOrder<T extends { id: string; depends_on?: string[] }>(items: T[]): T[] {
  const byId = new Map(items.map((c) => [c.id, c]));
  const done = new Set<string>();
  const out: T[] = [];
  const visit = (c: T) => {
    if (done.has(c.id)) return;
    done.add(c.id);
    for (const d of c.depends_on ?? []) {
      const dep = byId.get(d);
      if (dep) visit(dep);
    }
    out.push(c);
  };
  items.forEach(visit);
  return out;
}

export async function importDocument(db: Db, doc: ImportDocumentInput, ctx: WriteContext) {
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
  // The graph after the import: stored edges, with the document's commitments' edges replaced.
  const edges = (await allDependencyEdges(db)).filter(([from]) => !docCommitmentIds.has(from));
  for (const c of docCommitments) for (const d of c.depends_on ?? []) edges.push([c.id, d]);
  docCommitments.forEach((c, i) => {
    const cycle = findCycle(edges, c.id, c.depends_on ?? []);
    if (cycle) {
      throw new DomainError("dependency_cycle", `${recordName(doc, `commitments.${i}`)}: depends_on would create a cycle: ${cycle.join(" -> ")}`, [
        { path: `commitments.${i}.depends_on`, message: `cycle: ${cycle.join(" -> ")}` },
      ]);
    }
  });

  // 4. Plan every change; one batch.
  const statements: BatchItem[] = [];
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
  const indexOf = new Map(docCommitments.map((c, i) => [c.id, i]));
  for (const c of dependencyOrder(docCommitments)) {
    const i = indexOf.get(c.id)!;
    const path = `commitments.${i}`;
    const existing = storedCommitments.get(c.id) ?? null;
    const signedOn = docAgreementById.has(c.agreement)
      ? (docAgreementById.get(c.agreement)!.signed_on ?? null)
      : (storedAgreements.get(c.agreement)?.signedOn ?? null);
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
    const next = stateFromInput(c, c.id, statusChangedAt);
    const plan = naming(doc, path, () =>
      planCommitmentWrite(db, existing, next, signedOn, { reason: "changed by import", note: c.status_note }, ctx, path),
    );
    statements.push(...plan.statements);
    result.commitments[!existing ? "created" : plan.changed ? "updated" : "unchanged"]++;
  }
  await runBatch(db, statements);
  return result;
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
      evidence: c.evidence,
      depends_on: c.dependsOn,
      time_zone: c.timeZone,
      deadline: c.deadline ?? null,
      status: c.status,
      status_changed_at: toIso(c.statusChangedAt),
    })),
  };
}
