import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../platform/http/context";
import { DomainError } from "../../lib/errors";
import { allows, authenticate, type Scope } from "./tokens.service";

/**
 * Requires `Authorization: Bearer <token>` with at least `scope`; sets c.var.principal.
 * 401 when the token is missing, unknown or revoked; 403 when its scope is too small.
 */
export const requireScope = (scope: Scope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      c.header("WWW-Authenticate", 'Bearer realm="pledgewatch"');
      throw new DomainError("unauthorized", "this request needs 'Authorization: Bearer <token>'");
    }
    const principal = await authenticate(c.var.db, match[1]!, c.env.ADMIN_TOKEN);
    if (!principal) {
      c.header("WWW-Authenticate", 'Bearer realm="pledgewatch", error="invalid_token"');
      throw new DomainError("unauthorized", "the token is unknown or revoked");
    }
    if (!allows(principal.scope, scope)) {
      throw new DomainError("forbidden", `this request needs a token with '${scope}' scope; this one has '${principal.scope}'`);
    }
    c.set("principal", principal);
    await next();
  });
