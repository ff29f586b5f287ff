/**
 * The benchmark's entry point, served by `wrangler dev bench/bench.entry.ts` (bench/run.mjs): the
 * real worker plus `GET /__bench/constant`, the baseline that read routes are measured against —
 * a constant JSON answer through the same dependency middleware. The production entry
 * (wrangler.toml `main`, src/index.ts) has no such route.
 */
import { Hono } from "hono";
import worker from "../src/index";
import type { AppEnv } from "../src/platform/http/context";
import { provideDeps } from "../src/platform/http/middleware";

const baseline = new Hono<AppEnv>().use(provideDeps).get("/__bench/constant", (c) => c.json({ ok: true }));

export default {
  ...worker,
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    if (new URL(request.url).pathname === "/__bench/constant") return baseline.fetch(request, env, ctx);
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
