import { Hono } from "hono";
import { agreementRoutes } from "./agreements/agreements.routes";
import { tokenRoutes } from "./auth/tokens.routes";
import { commitmentRoutes } from "./commitments/commitments.routes";
import { feedsRoutes } from "./feeds/feeds.routes";
import type { AppEnv } from "./http/context";
import { handleError, handleNotFound } from "./http/errors";
import { baselineHeaders, limitBody, provideDeps, requireJsonBody } from "./http/middleware";
import { openapiRoutes } from "./openapi/openapi.routes";
import { pagesRoutes } from "./pages/pages.routes";
import { statusRoutes } from "./status/status.routes";
import { deliveryRoutes, subscriptionRoutes } from "./subscriptions/subscriptions.routes";
import { transferRoutes } from "./transfer/transfer.routes";

/** Largest body any write except /import accepts. */
const API_MAX_BYTES = 64 * 1024;

export const api = new Hono<AppEnv>()
  .use(requireJsonBody)
  .use("*", async (c, next) => {
    if (c.req.path === "/api/v1/import") return next(); // its own, larger limit (transfer.routes.ts)
    return limitBody(API_MAX_BYTES)(c, next);
  })
  .route("/agreements", agreementRoutes)
  .route("/commitments", commitmentRoutes)
  .route("/tokens", tokenRoutes)
  .route("/subscriptions", subscriptionRoutes)
  .route("/deliveries", deliveryRoutes)
  .route("/", transferRoutes);

export const app = new Hono<AppEnv>()
  .use(baselineHeaders)
  .use(provideDeps)
  .route("/api/v1", api)
  // Read side: feeds, status.json, healthz, calendar, badges, HTML pages, OpenAPI.
  .route("/", feedsRoutes)
  .route("/", statusRoutes)
  .route("/", openapiRoutes)
  .route("/", pagesRoutes)
  .notFound(handleNotFound)
  .onError(handleError);
