/**
 * Counts the D1 queries an invocation issues (each statement of a batch counted as one, the
 * conservative reading of D1's per-invocation limit: 50 on free plans, 1,000 on paid). Miniflare
 * does not enforce that limit, so the sweep records its count and tests assert it.
 */
export interface QueryCounter {
  d1: D1Database;
  count(): number;
}

export function countQueries(d1: D1Database): QueryCounter {
  let n = 0;
  const wrapStatement = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        if (prop === "bind") return (...args: unknown[]) => wrapStatement(value.apply(target, args));
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          return (...args: unknown[]) => {
            n++;
            return value.apply(target, args);
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
          return target.batch(statements);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { d1: proxy, count: () => n };
}
