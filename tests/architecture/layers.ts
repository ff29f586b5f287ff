/**
 * The layer map of src/, as data, and a checker over the real import graph (README "Layout and
 * design"). Node-side: it reads files. Used by layers.node.test.ts.
 *
 * Groups, lowest first; a file may import its own group or a lower one, never a higher one:
 *   lib       pure helpers: deadline arithmetic, shared valibot fields, errors, ids, xml
 *   platform  bindings and plumbing: db client and guards, HTTP context/middleware, config, SSRF guard
 *   ledger    agreements and commitments (root), history + outbox, auth, transfer
 *   intake    drafts from a pasted statement: the extractor, drafts and decisions, accept via the ledger
 *   alerts    subscriptions and webhook delivery (root), the sweep
 *   watch     the evidence watch: sources, polling, parsing, FTS matching, proposals
 *   readside  conditional GET and shared read plumbing (root), feeds, calendar, status, pages, openapi
 *   websub    the WebSub hub for the read side's feeds: subscription requests, intent checks, content
 *             distribution through alerts' queue and delivery log
 *   editor    the browser editor: sessions' HTTP side, forms over the ledger's services, readside's layout
 *   .         the composition root: index.ts, app.ts
 * And across all of src/: no two folders import each other, directly or in a circle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export const GROUPS = ["lib", "platform", "ledger", "intake", "alerts", "watch", "readside", "websub", "editor", "."] as const;

/** Domain and storage modules: they take `db` and `now` as arguments and know nothing of HTTP. */
const DOMAIN_FILE = /\.(service|rules|repo|graph|alerts|table)\.ts$/;

export interface Edge {
  from: string;
  to: string;
}

export interface Report {
  files: number;
  edges: Edge[];
  /** Imports from a lower group into a higher one, or out of src/'s known groups. */
  backwards: string[];
  /** Cycles between folders (each a list of folders). */
  cycles: string[][];
  /** Domain modules that import hono. */
  domainHttp: string[];
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function resolveImport(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec.replace(/\.js$/, ""));
  for (const ext of ["", ".ts", ".tsx", "/index.ts"]) {
    const path = base + ext;
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  return null;
}

export const folderOf = (src: string, file: string) => relative(src, dirname(file)).split(sep).join("/") || ".";
export const groupOf = (folder: string) => (folder === "." ? "." : folder.split("/")[0]!);

/** Strongly connected components of more than one folder (Tarjan). */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const ix = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string) => {
    ix.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!ix.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, ix.get(w)!));
    }
    if (low.get(v) === ix.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!ix.has(v)) visit(v);
  return out;
}

export function checkLayers(srcDir: string): Report {
  const src = resolve(srcDir);
  const files = walk(src);
  const edges: Edge[] = [];
  const folderEdges = new Map<string, Set<string>>();
  const backwards: string[] = [];
  const domainHttp: string[] = [];
  const rank = (group: string) => (GROUPS as readonly string[]).indexOf(group);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const name = relative(src, file).split(sep).join("/");
    const from = folderOf(src, file);
    if (rank(groupOf(from)) < 0) backwards.push(`${name}: folder '${from}' is in no group of the layer map`);
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? match[3]!;
      if (spec === "hono" || spec.startsWith("hono/")) {
        if (DOMAIN_FILE.test(file)) domainHttp.push(`${name} imports ${spec}`);
        continue;
      }
      if (!spec.startsWith(".")) continue;
      const target = resolveImport(file, spec);
      if (!target) continue;
      if (!target.startsWith(src + sep)) {
        backwards.push(`${name} imports ${spec}, outside src/`);
        continue;
      }
      const to = folderOf(src, target);
      edges.push({ from: name, to: relative(src, target).split(sep).join("/") });
      if (to !== from) {
        if (!folderEdges.has(from)) folderEdges.set(from, new Set());
        folderEdges.get(from)!.add(to);
      }
      const [a, b] = [rank(groupOf(from)), rank(groupOf(to))];
      if (a >= 0 && b > a) backwards.push(`${name} (${groupOf(from)}) imports ${relative(src, target)} (${groupOf(to)})`);
    }
  }
  return { files: files.length, edges, backwards, cycles: cycles(folderEdges), domainHttp };
}
