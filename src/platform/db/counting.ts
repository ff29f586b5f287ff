/**
 * Counts the D1 queries an invocation issues (each statement of a batch counted as one, the
 * conservative reading of D1's per-invocation limit: 50 on free plans, 1,000 on paid). Miniflare
 * does not enforce that limit, so the sweep records its count and tests assert it. It also sums
 * the rows written and the time spent waiting, for the delivery profile (DELIVERY_PROFILE).
 */
export interface QueryCounter {
  d1: D1Database;
  count(): number;
  /** Rows written as D1 reports them (meta.rows_written, indexes included). */
  rowsWritten(): number;
  /** Wall time spent waiting on D1, summed over calls (calls in parallel each count). */
  waitMs(): number;
}

function metaRows(result: unknown): number {
  const meta = (result as { meta?: { rows_written?: number } } | null)?.meta;
  return typeof meta?.rows_written === "number" ? meta.rows_written : 0;
}

export function countQueries(d1: D1Database): QueryCounter {
  let n = 0;
  let rows = 0;
  let wait = 0;
  const timed = async <T>(call: () => Promise<T>, count: (result: T) => number): Promise<T> => {
    const started = Date.now();
    try {
      const result = await call();
      rows += count(result);
      return result;
    } finally {
      wait += Date.now() - started;
    }
  };
  const wrapStatement = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        if (prop === "bind") return (...args: unknown[]) => wrapStatement(value.apply(target, args));
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          return (...args: unknown[]) => {
            n++;
            return timed(() => value.apply(target, args) as Promise<unknown>, metaRows);
          };
        }
        return value.bind(target);
      },
    });
  const unwrap = new WeakMap<object, D1PreparedStatement>();
  const proxy = new Proxy(d1, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === "prepare") {
        return (query: string) => {
          const raw = target.prepare(query);
          const wrapped = wrapStatement(raw);
          unwrap.set(wrapped, raw);
          return wrapped;
        };
      }
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          n += statements.length;
          return timed(() => target.batch(statements), (results) => results.reduce((sum, r) => sum + metaRows(r), 0));
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { d1: proxy, count: () => n, rowsWritten: () => rows, waitMs: () => wait };
}
