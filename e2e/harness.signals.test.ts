/**
 * A stopped runner stops what it started: a process holding a `wrangler dev` through the harness
 * (as the bench, the soak and these tests do) is killed from outside, and the wrangler process
 * group (wrangler and its workerd) must be gone soon after, for SIGTERM, SIGINT and a parent that
 * goes away without forwarding anything.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, waitFor } from "./harness";

const FIXTURE = join(ROOT, "e2e", "fixtures", "holds-a-worker.ts");
const NODE = join(ROOT, "node_modules", ".bin", "node");

const groupAlive = (pid: number) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function workerPidOf(child: ReturnType<typeof spawn>): Promise<number> {
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString("utf8")));
  const line = await waitFor(() => /WORKER_PID (\d+)/.exec(out), 90_000, "the fixture's worker to start");
  return Number(line[1]);
}

describe("the harness", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`ends the wrangler dev it started when its process gets ${signal}`, async () => {
      const child = spawn(NODE, ["--no-warnings", FIXTURE], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
      const pid = await workerPidOf(child);
      expect(groupAlive(pid)).toBe(true);
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill(signal);
      await exited;
      await waitFor(() => !groupAlive(pid), 10_000, `wrangler group ${pid} to end`);
    }, 120_000);
  }

  it("ends the wrangler dev it started when its parent goes away without a word", async () => {
    // sh starts the fixture in the background and is killed with SIGKILL: the fixture is re-parented.
    const shell = spawn("sh", ["-c", `"${NODE}" --no-warnings "${FIXTURE}" & wait`], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    const pid = await workerPidOf(shell);
    shell.kill("SIGKILL");
    await waitFor(() => !groupAlive(pid), 15_000, `wrangler group ${pid} to end after its runner's parent died`);
  }, 120_000);
});
