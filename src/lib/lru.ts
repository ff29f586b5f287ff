/**
 * A bounded per-isolate map: the read side's memos (readside/memo.ts) and the delivery's key
 * and target caches (alerts/signing.ts, alerts/deliver.ts) all forget this way.
 */

/** A map that forgets its least recently used entries past `maxEntries`. */
export function lru<V>(maxEntries: number) {
  const map = new Map<string, V>();
  return {
    get(key: string): V | undefined {
      const value = map.get(key);
      if (value !== undefined) {
        map.delete(key);
        map.set(key, value);
      }
      return value;
    },
    set(key: string, value: V): void {
      map.delete(key);
      map.set(key, value);
      while (map.size > maxEntries) map.delete(map.keys().next().value!);
    },
  };
}
