/**
 * Node-side harness: runs the real worker under `wrangler dev` (workerd, local D1 and Queues) on
 * a free loopback port with its own temporary state, and a real HTTP receiver on loopback.
 * Used by the end-to-end tests, the fault tests, the soak and the benchmarks.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

export const quietEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CI: "true",
  NO_COLOR: "1",
};

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Process groups of the `wrangler dev` children this process started and has not stopped. A
 * stopped or killed runner (bench, soak, tests) takes them with it: SIGINT, SIGTERM, SIGHUP, a
 * normal exit, and its parent going away (npm killed by `timeout` does not always forward the
 * signal; this process is then re-parented) all end every group, as scripts/start.mjs does.
 */
const running = new Set<number>();

function killGroups(signal: NodeJS.Signals) {
  for (const pid of running) {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }
}

let cleanupInstalled = false;
function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    killGroups("SIGTERM");
    setTimeout(() => {
      killGroups("SIGKILL");
      process.exit(signal === "SIGINT" ? 130 : 143);
    }, 2000);
  };
  process.once("exit", () => killGroups("SIGKILL"));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => stopAll(signal));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stopAll("SIGTERM");
  }, 500).unref();
}

export interface WorkerHandle {
  url: string;
  /** The process (and group) id of `wrangler dev`; workerd runs in its group. */
  pid: number;
  adminToken: string;
  persistDir: string;
  /** Lines wrangler printed (stdout + stderr), for diagnosing and for "no errors in the log". */
  log: string[];
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any; headers: Headers }>;
  /** Triggers the cron handler at `time` (ms) and waits for it to finish. */
  sweep(time?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  vars?: Record<string, string>;
  /** Reuse a state directory (e.g. a pre-seeded benchmark database). */
  persistDir?: string;
  /** Extra wrangler dev arguments. */
  args?: string[];
}

/** The port freePort() found was taken by someone else before wrangler bound it. */
class PortTaken extends Error {}

/**
 * Starts `wrangler dev` on a free port. freePort() can race another process that binds the same
 * port between our check and wrangler's bind (seen once in CI); then it starts again on another.
 */
export async function startWorker(options: StartOptions = {}): Promise<WorkerHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWorkerOnce(options);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= 3) throw error;
    }
  }
}

async function startWorkerOnce(options: StartOptions): Promise<WorkerHandle> {
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "pledgewatch-"));
  const ownsDir = !options.persistDir;
  const port = await freePort();
  const adminToken = `e2e-admin-${Math.random().toString(36).slice(2)}`;
  const migrate = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir], {
    cwd: ROOT,
    env: quietEnv,
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stdout}\n${migrate.stderr}`);
  const vars = { ADMIN_TOKEN: adminToken, ...(options.vars ?? {}) };
  const args = [
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    persistDir,
    "--show-interactive-dev-session=false",
    "--log-level",
    "info",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ...(options.args ?? []),
  ];
  installCleanup();
  const child: ChildProcess = spawn(WRANGLER, args, { cwd: ROOT, env: quietEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child.pid!);
  child.once("exit", () => running.delete(child.pid!));
  const log: string[] = [];
  const collect = (chunk: Buffer) => log.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }
    if (ownsDir) rmSync(persistDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      const text = log.join("\n");
      if (/Address already in use/i.test(text)) {
        await stop();
        throw new PortTaken(text);
      }
      throw new Error(`wrangler dev exited: ${text}`);
    }
    try {
      const res = await fetch(`${url}/api/v1/agreements?limit=1`);
      if (res.ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not start: ${log.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  const api: WorkerHandle["api"] = async (method, path, body, token = adminToken) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };

  const sweep = async (time?: number) => {
    const q = new URLSearchParams({ cron: "*/5 * * * *" });
    if (time !== undefined) q.set("time", String(time));
    const res = await fetch(`${url}/cdn-cgi/local/scheduled?${q}`);
    if (!res.ok) throw new Error(`sweep failed: ${res.status} ${await res.text()}`);
  };

  return { url, pid: child.pid!, adminToken, persistDir, log, api, sweep, stop };
}

export interface ReceivedHook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  receivedAt: number;
}

export interface Receiver {
  url: string;
  port: number;
  received: ReceivedHook[];
  /** Decides each answer; default 204. */
  respond: (hook: ReceivedHook, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  close(): Promise<void>;
  listen(): Promise<void>;
}

/** A loopback HTTP receiver that records every request. close()/listen() take it down and up on the same port. */
export async function startReceiver(port?: number): Promise<Receiver> {
  const chosen = port ?? (await freePort());
  let server: Server | null = null;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${chosen}/hook`,
    port: chosen,
    received: [],
    respond: (_hook, _req, res) => {
      res.statusCode = 204;
      res.end();
    },
    async close() {
      if (!server) return;
      const s = server;
      server = null;
      s.closeAllConnections?.();
      await new Promise((r) => s.close(() => r(undefined)));
    },
    async listen() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", async () => {
          const hook: ReceivedHook = {
            id: String(req.headers["webhook-id"] ?? ""),
            timestamp: String(req.headers["webhook-timestamp"] ?? ""),
            signature: String(req.headers["webhook-signature"] ?? ""),
            body: Buffer.concat(chunks).toString("utf8"),
            receivedAt: Date.now(),
          };
          receiver.received.push(hook);
          try {
            await receiver.respond(hook, req, res);
          } catch {
            if (!res.writableEnded) {
              res.statusCode = 500;
              res.end();
            }
          }
        });
      });
      await new Promise<void>((r) => server!.listen(chosen, "127.0.0.1", () => r()));
    },
  };
  await receiver.listen();
  return receiver;
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 30_000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
