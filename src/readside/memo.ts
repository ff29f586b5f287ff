/**
 * All the per-isolate state the read side keeps, in one module. An isolate is short-lived and
 * private to itself, every memo here is bounded, and none is needed for correctness: a miss
 * costs a rebuild or one more query, never a wrong answer.
 *
 * - built documents, keyed by representation and checked against the validator (cache.ts);
 * - /status.json's version probe, reused for at most a second (status/status.routes.ts);
 * - "first seen" instants standing in for a Last-Modified where the data has none (the delivery
 *   health counts of /status.json; the OpenAPI document, which changes only with a deploy);
 * - the OpenAPI document's text per server URL (openapi/openapi.document.ts).
 */

export { lru } from "../lib/lru";

/** One value reused for up to `ttlMs` after it was read, while its key stays the same. */
export function reusedFor<V>(ttlMs: number) {
  let held: { at: number; key: string; value: V } | null = null;
  return {
    ttlMs,
    get(key: string, now: number): V | undefined {
      return held && held.key === key && now >= held.at && now - held.at < ttlMs ? held.value : undefined;
    },
    set(key: string, now: number, value: V): void {
      held = { at: now, key, value };
    },
    reset(): void {
      held = null;
    },
  };
}

/** When this isolate first saw the current `key` (a new key starts a new instant). */
export function firstSeen() {
  let seen = { key: "", at: 0 };
  return (key: string, now: number): number => {
    if (seen.key !== key || seen.at === 0) seen = { key, at: now };
    return seen.at;
  };
}
