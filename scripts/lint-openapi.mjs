#!/usr/bin/env node
// npm run lint:openapi — lints the OpenAPI document the worker serves, with the pinned
// @redocly/cli and the recommended ruleset (redocly.yaml). Fails on any error.
//  1. starts a throwaway local service (scripts/dev-server.mjs: wrangler dev, temp state, free
//     port; the document needs no data) — the document is built by worker code that only runs
//     in workerd, so it is fetched rather than imported;
//  2. writes GET /openapi.json to a file (docs/openapi.json with --out docs/openapi.json, else a
//     temp file);
//  3. runs `redocly lint` on it offline (telemetry and update notice off).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { offlineEnv, root, startDevServer } from "./dev-server.mjs";

const outIndex = process.argv.indexOf("--out");
const keep = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : null;
const dir = mkdtempSync(join(tmpdir(), "pledgewatch-openapi-"));
const file = keep ?? join(dir, "openapi.json");

const server = await startDevServer({ seed: false });
let status = 1;
try {
  const res = await fetch(`${server.base}/openapi.json`);
  if (!res.ok) throw new Error(`GET /openapi.json answered ${res.status}`);
  const document = await res.json();
  // The throwaway port means nothing to a reader: a relative server URL (the origin the document
  // was fetched from) is what a deployment serves when PUBLIC_BASE_URL is not set.
  document.servers = [{ url: "/", description: "The origin serving this document" }];
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`[lint-openapi] wrote ${file}`);
} finally {
  await server.stop();
}
try {
  const lint = spawnSync(process.execPath, [join(root, "node_modules", "@redocly", "cli", "bin", "cli.js"), "lint", file, "--config", join(root, "redocly.yaml")], {
    cwd: root,
    env: { ...offlineEnv, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    stdio: "inherit",
    timeout: 120_000,
  });
  status = lint.status ?? 1;
  console.log(status === 0 ? "[lint-openapi] no errors" : `[lint-openapi] redocly lint failed (exit ${status})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
