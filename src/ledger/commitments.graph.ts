/** depends-on must stay acyclic: a commitment cannot (transitively) wait on itself. */

/**
 * Returns a cycle (as a path of ids, first id repeated at the end) reachable from `roots` in
 * `graph`, or null. One iterative depth-first search with three colours: every node and edge is
 * visited once, so the check is linear in the edges of the subgraph reachable from `roots` (the
 * import checks a whole document with one call; see transfer.service.ts).
 */
export function findCycleFrom(graph: ReadonlyMap<string, readonly string[]>, roots: Iterable<string>): string[] | null {
  const done = new Set<string>();
  const onPath = new Map<string, number>();
  const path: string[] = [];
  const next: number[] = [];
  for (const root of roots) {
    if (done.has(root)) continue;
    path.push(root);
    next.push(0);
    onPath.set(root, 0);
    while (path.length > 0) {
      const top = path.length - 1;
      const node = path[top]!;
      const deps = graph.get(node) ?? [];
      if (next[top]! < deps.length) {
        const dep = deps[next[top]!++]!;
        const at = onPath.get(dep);
        if (at !== undefined) return [...path.slice(at), dep];
        if (done.has(dep)) continue;
        onPath.set(dep, path.length);
        path.push(dep);
        next.push(0);
      } else {
        onPath.delete(node);
        done.add(node);
        path.pop();
        next.pop();
      }
    }
  }
  return null;
}

/**
 * Returns a cycle that the new edges `id -> deps` would close, or null.
 * `edges` is the current graph; the node's own outgoing edges in it are replaced by `deps`.
 */
export function findCycle(edges: Iterable<[string, string]>, id: string, deps: string[]): string[] | null {
  const graph = new Map<string, string[]>();
  for (const [from, to] of edges) {
    if (from === id) continue;
    const list = graph.get(from);
    if (list) list.push(to);
    else graph.set(from, [to]);
  }
  graph.set(id, [...deps]);
  return findCycleFrom(graph, [id]);
}
