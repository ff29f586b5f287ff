import { defineConfig } from "vitest/config";

// Node-side tests: the layer map check (tests/architecture, it reads files), and the tests that
// drive the real worker under `wrangler dev` (e2e/harness.ts): a real loopback webhook receiver
// cannot live inside workerd.
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts", "tests/**/*.node.test.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
