/**
 * A CPU profile of the consumer's isolate while it fans one event out to 1,000 subscribers
 * (`npm run bench:profile`): the fan-out bench's setup, `wrangler dev --inspector-port`, and the
 * DevTools protocol's Profiler over its WebSocket. Writes bench/fanout.cpuprofile (open it in
 * Chrome DevTools, Performance tab) and prints the functions with the most self time.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWorker } from "../e2e/harness.ts";
import { pollUntil, startCountingReceiver } from "./lib.mjs";
import { migrate, newSecret, seed } from "./seed.mjs";

const N = 1000;
const PORT = 9300 + Math.floor(Math.random() * 500);
const dir = mkdtempSync(join(tmpdir(), "pledgewatch-profile-"));
const receiver = await startCountingReceiver();
migrate(dir);
seed(dir, {
  now: Date.now(),
  commitments: 10,
  subscriptions: Array.from({ length: N }, (_, i) => ({ id: `sub_prof${String(i).padStart(5, "0")}`, url: receiver.url(`s${i}`), secret: newSecret() })),
});
const w = await startWorker({
  persistDir: dir,
  vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "true" },
  args: ["--inspector-port", String(PORT), "--local-protocol", "http", "bench/bench.entry.ts"],
});
try {
  await w.api("POST", "/api/v1/subscriptions/sub_prof00000/test");
  await pollUntil(() => receiver.stats.unique >= 1, 30_000);
  const targets = await (await fetch(`http://127.0.0.1:${PORT}/json`)).json();
  const target = targets.find((t) => !/internal|proxy/i.test(t.title ?? "")) ?? targets[0];
  // wrangler's inspector proxy accepts DevTools' own origin only (Node's WebSocket takes headers).
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: "https://devtools.devprod.cloudflare.dev" } });
  await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
  let id = 0;
  const pending = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data));
    if (msg.id && pending.has(msg.id)) pending.get(msg.id)(msg);
  };
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      const n = ++id;
      pending.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 100 });
  const profiles = [];
  for (const status of ["in_progress", "stalled", "in_progress"]) {
    receiver.reset();
    await call("Profiler.start");
    await w.api("POST", "/api/v1/commitments/bc-000001/status", { status });
    await pollUntil(() => receiver.stats.unique >= N, 60_000, 50);
    profiles.push((await call("Profiler.stop")).result.profile);
  }
  const profile = profiles[1];
  writeFileSync(new URL("./fanout.cpuprofile", import.meta.url), JSON.stringify(profile));
  // Self time per function (samples × interval), top 25.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const intervals = profile.timeDeltas.reduce((a, b) => a + b, 0) / profile.samples.length;
  const self = new Map();
  for (const [nodeId, c] of counts) {
    const f = byId.get(nodeId).callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + c);
  }
  const total = profile.samples.length;
  const idle = [...self].filter(([k]) => /^\((idle|program|garbage collector)\)/.test(k)).reduce((s, [, c]) => s + c, 0);
  console.log(`samples ${total} (${((total * intervals) / 1000).toFixed(0)} ms), busy ${(((total - idle) * intervals) / 1000).toFixed(0)} ms = ${(((total - idle) * intervals) / 1000 / N).toFixed(3)} ms per delivery`);
  for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((c * intervals) / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  ws.close();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await w.stop();
  receiver.close?.();
  process.exit();
}
