import type { Context } from "hono";
import type { Db } from "../db/client";
import { dueSoonWindowMs, type Config } from "../config";

/** Token scopes, weakest first (ledger/auth ranks them). */
export const SCOPES = ["read", "write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** Who a request acts as; ledger/auth's middleware sets it. */
export interface Principal {
  name: string;
  scope: Scope;
  /** The named token's id; absent for the bootstrap ADMIN_TOKEN. */
  tokenId?: string;
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    db: Db;
    /** The request's clock, read once (ms). Domain code receives it; it never reads the clock. */
    now: number;
    config: Config;
    principal: Principal;
    /** Event ids recorded by this request's writes, enqueued after the response (middleware.ts). */
    emitted: string[];
  };
};

export const readCtx = (c: Context<AppEnv>) => ({ now: c.var.now, windowMs: dueSoonWindowMs(c.var.config) });

export const writeCtx = (c: Context<AppEnv>) => ({
  ...readCtx(c),
  actor: c.var.principal.name,
  leadDays: c.var.config.dueSoonDays,
  verifyEvery: c.var.config.verifyEvery,
  emitted: c.var.emitted,
});

/** The origin for absolute links: PUBLIC_BASE_URL, else the request's own. */
export const baseUrl = (c: { var: { config: Config }; req: { url: string } }) => c.var.config.publicBaseUrl ?? new URL(c.req.url).origin;
