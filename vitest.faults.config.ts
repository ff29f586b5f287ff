import { defineConfig } from "vitest/config";

// npm run test:faults: Node-side fault injection and the bad-request corpus against the real
// worker under `wrangler dev` (e2e/harness.ts). Kept apart from the workerd tests; the
// property tests (tests/**/*.property.test.ts) run in workerd with `npm test` and again in test:faults.
export default defineConfig({
  test: {
    include: ["e2e/faults*.test.ts", "e2e/corpus*.test.ts"],
    environment: "node",
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
