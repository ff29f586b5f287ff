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

/** A write with a body must say it is JSON: 415 otherwise (before any validator runs). */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "POST" || c.req.method === "PATCH" || c.req.method === "PUT") {
    const length = c.req.header("Content-Length");
    const hasBody = (length !== undefined && length !== "0") || c.req.header("Transfer-Encoding") !== undefined;
    const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim();
    if (hasBody && !JSON_TYPE.test(type)) {
      throw new DomainError("unsupported_media_type", `send the body as application/json, not '${type || "no type"}'`);
    }
  }
  await next();
});

export const limitBody = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new DomainError("payload_too_large", `the body is larger than ${maxSize} bytes`);
    },
  });
