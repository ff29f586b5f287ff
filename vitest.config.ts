import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const migrations = await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url)));

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // Inside workerd tests nothing consumes the deliveries queue: tests drive fan-out and
        // delivery by calling them with an injected fetch, so no test ever sends a real webhook
        // off this machine. The real queue path is tested end to end under `wrangler dev` with a
        // loopback receiver (e2e/).
        queueProducers: { DELIVERIES: "pledgewatch-deliveries-unconsumed", POLLS: "pledgewatch-polls-unconsumed" },
        bindings: {
          TEST_MIGRATIONS: migrations,
          ADMIN_TOKEN: "test-admin-token",
          ALLOW_PRIVATE_WEBHOOK_TARGETS: "false",
        },
      },
    }),
  ],
  test: {
    include: ["tests/**/*.test.ts"],
    // Node-side checks (they read files): run by vitest.e2e.config.ts.
    exclude: ["tests/**/*.node.test.ts"],
    setupFiles: ["./tests/apply-migrations.ts"],
  },
});
