import { createMiddleware } from "hono/factory";
import { bodyLimit } from "hono/body-limit";
import { createDb } from "../db/client";
import { readConfig } from "../config";
import { DomainError } from "../../lib/errors";
import type { AppEnv } from "./context";

/** Builds the request's dependencies once: the database, the settings and the clock. */
export const provideDeps = createMiddleware<AppEnv>(async (c, next) => {
  c.set("db", createDb(c.env.DB));
  c.set("config", readConfig(c.env));
  c.set("now", Date.now());
  c.set("emitted", []);
  await next();
});

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The charset parameter of a Content-Type, lower-cased and unquoted; null when absent. */
function charsetOf(contentType: string): string | null {
  const m = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType);
  return m ? m[2]!.toLowerCase() : null;
}

/**
 * A write with a body must say it is JSON, in UTF-8 (RFC 8259 §8.1): 415 otherwise, before any
 * validator runs. A declared charset other than utf-8 is refused rather than misread.
 */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "POST" || c.req.method === "PATCH" || c.req.method === "PUT") {
    const length = c.req.header("Content-Length");
    const hasBody = (length !== undefined && length !== "0") || c.req.header("Transfer-Encoding") !== undefined;
    const header = c.req.header("Content-Type") ?? "";
    const type = header.split(";")[0]!.trim();
    if (hasBody && !JSON_TYPE.test(type)) {
      throw new DomainError("unsupported_media_type", `send the body as application/json, not '${type || "no type"}'`);
    }
    const charset = charsetOf(header);
    if (hasBody && charset !== null && charset !== "utf-8" && charset !== "utf8") {
      throw new DomainError("unsupported_media_type", `send the body in UTF-8, not '${charset}'`);
    }
  }
  await next();
});

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Caps the body at `maxSize` bytes (413), then decodes it as strict UTF-8: bytes that are not
 * UTF-8 answer 400 invalid_json instead of turning into U+FFFD. The decoded text is left in
 * Hono's body cache, so `c.req.json()` (validators, the import) parses exactly this text.
 */
export const limitBody = (maxSize: number) => {
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new DomainError("payload_too_large", `the body is larger than ${maxSize} bytes`);
    },
  });
  return createMiddleware<AppEnv>((c, next) =>
    limit(c, async () => {
      if (c.req.raw.body && c.req.method !== "GET" && c.req.method !== "HEAD") {
        let text: string;
        try {
          text = strictUtf8.decode(await c.req.arrayBuffer());
        } catch {
          throw new DomainError("invalid_json", "the body is not valid UTF-8");
        }
        // Hono keeps body promises in this cache (its type says values).
        const cache = c.req.bodyCache as Record<string, unknown>;
        cache.text = Promise.resolve(text);
        delete cache.arrayBuffer;
      }
      await next();
    }),
  );
};

/**
 * Headers every answer carries: `X-Content-Type-Options: nosniff` (no browser guesses a type
 * we did not send), and `Cache-Control: no-store` on the JSON API, whose answers may be
 * authenticated (tokens, subscriptions) — unless a route chose its own caching.
 */
export const baselineHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const headers = c.res.headers;
  if (!headers.has("X-Content-Type-Options")) headers.set("X-Content-Type-Options", "nosniff");
  if (c.req.path.startsWith("/api/") && !headers.has("Cache-Control")) headers.set("Cache-Control", "no-store");
});
