import { Hono } from "hono";
import { agreementRoutes } from "./agreements/agreements.routes";
import { tokenRoutes } from "./auth/tokens.routes";
import { commitmentRoutes } from "./commitments/commitments.routes";
import type { AppEnv } from "./http/context";
import { handleError, handleNotFound } from "./http/errors";
import { limitBody, provideDeps, requireJsonBody } from "./http/middleware";
import { transferRoutes } from "./transfer/transfer.routes";

/** Largest body any write except /import accepts. */
const API_MAX_BYTES = 64 * 1024;

const api = new Hono<AppEnv>()
  .use(requireJsonBody)
  .use("*", async (c, next) => {
    if (c.req.path.endsWith("/import")) return next();
    return limitBody(API_MAX_BYTES)(c, next);
  })
  .route("/agreements", agreementRoutes)
  .route("/commitments", commitmentRoutes)
  .route("/tokens", tokenRoutes)
  .route("/", transferRoutes);

export const app = new Hono<AppEnv>()
  .use(provideDeps)
  .route("/api/v1", api)
  .notFound(handleNotFound)
  .onError(handleError);
