import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../platform/http/context";
import { dispatchEvents } from "./dispatch";
import { deliveriesQueue } from "./messages";

/**
 * After commit: nudges the queue with the events this request's writes recorded (c.var.emitted).
 * The outbox rows are the record; if this send is lost, the sweep re-sends them (dispatch.ts).
 */
export const dispatchAfterCommit = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const emitted = c.var.emitted;
  if (emitted.length > 0 && c.res.status < 400) {
    c.executionCtx.waitUntil(
      dispatchEvents(deliveriesQueue(c.env), emitted).catch((error) =>
        console.error("enqueue after commit failed; the sweep will re-send", error),
      ),
    );
  }
});
