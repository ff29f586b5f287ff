/**
 * Runs `run` over `items` with at most `limit` in flight, results in the items' order. Workers
 * allow 6 open connections per invocation: the webhook sender, the hub and the evidence watch's
 * poller all send through this.
 */
export async function pool<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await run(items[i]!);
      }
    }),
  );
  return out;
}
