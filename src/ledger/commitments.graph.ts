/** depends-on must stay acyclic: a commitment cannot (transitively) wait on itself. */

/**
 * Returns a cycle (as a path of ids) that the new edges `id -> deps` would close, or null.
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
  // Depth-first search from id; reaching id again closes a cycle.
  const stack: Array<{ node: string; path: string[] }> = deps.map((d) => ({ node: d, path: [id, d] }));
  const seen = new Set<string>();
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node === id) return path;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const next of graph.get(node) ?? []) stack.push({ node: next, path: [...path, next] });
  }
  return null;
}
