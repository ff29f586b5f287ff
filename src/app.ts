import { Hono } from "hono";
import { dispatchAfterCommit } from "./alerts/dispatch.middleware";
import { calendarRoutes } from "./readside/calendar/calendar.routes";
import { agreementRoutes } from "./ledger/agreements.routes";
import { tokenRoutes } from "./ledger/auth/tokens.routes";
import { commitmentRoutes } from "./ledger/commitments.routes";
import { feedsRoutes } from "./readside/feeds/feeds.routes";
import type { AppEnv } from "./platform/http/context";
import { handleError, handleNotFound } from "./platform/http/errors";
import { baselineHeaders, limitBody, provideDeps, requireJsonBody } from "./platform/http/middleware";
import { openapiRoutes } from "./readside/openapi/openapi.routes";
import { pagesRoutes } from "./readside/pages/pages.routes";
import { statusRoutes } from "./readside/status/status.routes";
import { deliveryRoutes, subscriptionRoutes } from "./alerts/subscriptions.routes";
import { transferRoutes } from "./ledger/transfer/transfer.routes";
import { editorRoutes } from "./editor/editor.routes";
import { websubApiRoutes, websubRoutes } from "./websub/websub.routes";
import { draftRoutes } from "./intake/drafts/drafts.routes";
import { partyRoutes } from "./ledger/parties.routes";
import { proposalRoutes, sourceRoutes } from "./watch/watch.routes";

/** Largest body any write except /import accepts. */
const API_MAX_BYTES = 64 * 1024;

export const api = new Hono<AppEnv>()
  .use(requireJsonBody)
  .use("*", async (c, next) => {
    // Their own, larger limits: transfer.routes.ts, drafts.routes.ts.
    if (c.req.path === "/api/v1/import" || (c.req.path === "/api/v1/drafts" && c.req.method === "POST")) return next();
    return limitBody(API_MAX_BYTES)(c, next);
  })
  .route("/agreements", agreementRoutes)
  .route("/commitments", commitmentRoutes)
  .route("/tokens", tokenRoutes)
  .route("/subscriptions", subscriptionRoutes)
  .route("/deliveries", deliveryRoutes)
  .route("/websub", websubApiRoutes)
  .route("/drafts", draftRoutes)
  .route("/parties", partyRoutes)
  .route("/sources", sourceRoutes)
  .route("/proposals", proposalRoutes)
  .route("/", transferRoutes);

export const app = new Hono<AppEnv>()
  .use(baselineHeaders)
  .use(provideDeps)
  .use(dispatchAfterCommit)
  .route("/api/v1", api)
  // Read side: feeds, status.json, healthz, calendar, badges, HTML pages, OpenAPI.
  .route("/", feedsRoutes)
  // The WebSub hub for those feeds (POST /websub).
  .route("/", websubRoutes)
  .route("/", calendarRoutes)
  .route("/", statusRoutes)
  .route("/", openapiRoutes)
  // The browser editor: sign-in and forms, signed-in pages only (private, no-store).
  .route("/", editorRoutes)
  .route("/", pagesRoutes)
  .notFound(handleNotFound)
  .onError(handleError);
