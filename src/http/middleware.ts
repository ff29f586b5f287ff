import { createMiddleware } from "hono/factory";
import { bodyLimit } from "hono/body-limit";
import { createDb } from "../db/client";
import type { DeliveryQueue } from "../delivery/messages";
import { dispatchEvents } from "../delivery/outbox";
import { readConfig } from "../lib/config";
import { DomainError } from "../lib/errors";
import type { AppEnv } from "./context";

/** Builds the request's dependencies once: the database, the settings and the clock. */
export const provideDeps = createMiddleware<AppEnv>(async (c, next) => {
  c.set("db", createDb(c.env.DB));
  c.set("config", readConfig(c.env));
  c.set("now", Date.now());
  c.set("emitted", []);
  await next();
  // After commit: nudge the queue with the events this request recorded. The outbox rows are the
  // record; if this send is lost, the sweep re-sends them (delivery/outbox.ts).
  const emitted = c.var.emitted;
  if (emitted.length > 0 && c.res.status < 400) {
    c.executionCtx.waitUntil(
      dispatchEvents(c.env.DELIVERIES as unknown as DeliveryQueue, emitted).catch((error) =>
        console.error("enqueue after commit failed; the sweep will re-send", error),
      ),
    );
  }
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
