/** The depends-on checks a write runs before planning: known commitments, no cycle. */
import type { Db } from "../platform/db/client";
import { DomainError } from "../lib/errors";
import { findCycle } from "./commitments.graph";
import { dependencySubgraphFrom, existingCommitmentIds } from "./commitments.repo";

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
