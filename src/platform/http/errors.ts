import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { DomainError } from "../../lib/errors";
import type { AppEnv } from "./context";

/** The one error handler: DomainError -> its status; Hono's exceptions -> the envelope; else 500. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  if (error instanceof DomainError) return c.json(error.toBody(), error.status as 400);
  if (error instanceof HTTPException) {
    const status = error.status;
    const code =
      status === 400 && /json/i.test(error.message)
        ? "invalid_json"
        : status === 413
          ? "payload_too_large"
          : status === 401
            ? "unauthorized"
            : status === 404
              ? "not_found"
              : "invalid_input";
    const message = code === "invalid_json" ? "the body is not valid JSON" : error.message || "bad request";
    return c.json({ error: { code, message } }, status);
  }
  console.error("unhandled error", error);
  return c.json({ error: { code: "internal", message: "internal error" } }, 500);
}

export function handleNotFound(c: Context<AppEnv>): Response {
  return c.json({ error: { code: "not_found", message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404);
}
