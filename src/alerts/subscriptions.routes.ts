import { Hono, type Context } from "hono";
import { requireScope } from "../ledger/auth/auth.middleware";
import type { AppEnv } from "../platform/http/context";
import { validate } from "../platform/http/validate";
import { deliveriesQueue } from "./messages";
import { dispatchDeliveries } from "./dispatch";
import { CreateSubscription, ListDeliveriesQuery, ListSubscriptionsQuery, UpdateSubscription } from "./subscriptions.schemas";
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  redeliver,
  rotateSecret,
  sendTest,
  updateSubscription,
} from "./subscriptions.service";

const subCtx = (c: Context<AppEnv>) => ({
  now: c.var.now,
  actor: c.var.principal.name,
  allowPrivateTargets: c.var.config.allowPrivateWebhookTargets,
  emitted: c.var.emitted,
});

/** Subscriptions hold secrets and receiver URLs: every route, reads included, needs write scope. */
export const subscriptionRoutes = new Hono<AppEnv>()
  .use(requireScope("write"))
  .get("/", validate("query", ListSubscriptionsQuery), async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await listSubscriptions(c.var.db, { limit: limit ?? 50, cursor }, c.var.now));
  })
  .post("/", validate("json", CreateSubscription), async (c) =>
    c.json(await createSubscription(c.var.db, c.req.valid("json"), subCtx(c)), 201),
  )
  .get("/:id", async (c) => c.json(await getSubscription(c.var.db, c.req.param("id"), c.var.now)))
  .patch("/:id", validate("json", UpdateSubscription), async (c) =>
    c.json(await updateSubscription(c.var.db, c.req.param("id"), c.req.valid("json"), subCtx(c))),
  )
  .delete("/:id", async (c) => {
    await deleteSubscription(c.var.db, c.req.param("id"), c.var.now);
    return c.body(null, 204);
  })
  .post("/:id/rotate-secret", async (c) => c.json(await rotateSecret(c.var.db, c.req.param("id"), c.var.now)))
  .post("/:id/test", async (c) => c.json(await sendTest(c.var.db, c.req.param("id"), subCtx(c)), 202))
  .get("/:id/deliveries", validate("query", ListDeliveriesQuery), async (c) => {
    const { state, limit, cursor } = c.req.valid("query");
    return c.json(await listDeliveries(c.var.db, c.req.param("id"), { state, limit: limit ?? 50, cursor }));
  });

export const deliveryRoutes = new Hono<AppEnv>()
  .use(requireScope("write"))
  .post("/:id/redeliver", async (c) => {
    const { delivery, dispatch } = await redeliver(c.var.db, c.req.param("id"), c.var.now);
    c.executionCtx.waitUntil(dispatchDeliveries(deliveriesQueue(c.env), dispatch));
    return c.json(delivery, 202);
  });
