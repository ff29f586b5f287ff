// A throwaway local pledgewatch for scripts (screenshots, OpenAPI lint): `wrangler dev` on a free
// port with its state in a fresh temp directory (--persist-to), so it never touches the
// developer's .wrangler state or .dev.vars token. Migrations applied, optionally seeded with
// data/default.json through the import API. stop() ends wrangler and workerd (process group).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export const offlineEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CI: "true",
};

/** Node >= 22 for wrangler: the `node` dev dependency's binary when the caller runs an older one. */
function nodeBinary() {
  const local = join(root, "node_modules", "node", "bin", "node");
  const major = Number(process.versions.node.split(".")[0]);
  return major >= 22 || !existsSync(local) ? process.execPath : local;
}

const wranglerJs = join(root, "node_modules", "wrangler", "bin", "wrangler.js");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function log(message) {
  console.log(`[dev-server] ${message}`);
}

/**
 * Starts the worker. Options: seed (load data/default.json), sweep (trigger the scheduled
 * handler once after seeding), quiet (hide wrangler's output unless it fails), prepare (called
 * with `wrangler(args)` after the migrations and before the server starts, e.g. to load bulk
 * data with `d1 execute`).
 */
export async function startDevServer({ seed = true, sweep = false, quiet = true, prepare } = {}) {
  const persist = mkdtempSync(join(tmpdir(), "pledgewatch-dev-"));
  const port = await freePort();
  const token = `adm_${randomBytes(24).toString("base64url")}`;
  const node = nodeBinary();

  const migrate = spawnSync(node, [wranglerJs, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    cwd: root,
    env: offlineEnv,
    encoding: "utf8",
  });
  if (migrate.status !== 0) {
    rmSync(persist, { recursive: true, force: true });
    throw new Error(`applying migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  }

  if (prepare) {
    await prepare((args) =>
      spawnSync(node, [wranglerJs, ...args, "--persist-to", persist], { cwd: root, env: offlineEnv, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }),
    );
  }

  const output = [];
  const child = spawn(
    node,
    [
      wranglerJs,
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      persist,
      "--show-interactive-dev-session=false",
      // --var wins over .dev.vars, so the developer's token is neither needed nor used.
      "--var",
      `ADMIN_TOKEN:${token}`,
    ],
    { cwd: root, env: offlineEnv, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  const collect = (chunk) => {
    output.push(chunk.toString());
    if (!quiet) process.stdout.write(chunk);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // gone
        }
        resolve();
      }, 5000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      if (child.exitCode !== null) {
        clearTimeout(timer);
        resolve();
      }
    });
    rmSync(persist, { recursive: true, force: true });
  };
  process.once("exit", () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone
    }
  });
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, async () => {
      await stop();
      process.exit(130);
    });
  }

  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output.join("")}`);
      if (Date.now() > deadline) throw new Error(`wrangler dev was not ready within 90 s:\n${output.join("")}`);
      try {
        const res = await fetch(`${base}/healthz`);
        if (res.status === 200 || res.status === 503) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    log(`wrangler dev ready on ${base} (state in ${persist})`);
    if (seed) {
      const { readFileSync } = await import("node:fs");
      const res = await fetch(`${base}/api/v1/import`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: readFileSync(join(root, "data", "default.json"), "utf8"),
      });
      if (!res.ok) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
      log(`seeded data/default.json: ${await res.text()}`);
    }
    if (sweep) {
      const res = await fetch(`${base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);
      log(`triggered the sweep: ${res.status}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, token, stop, output };
}
