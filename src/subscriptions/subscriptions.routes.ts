import { Hono } from "hono";
import type { AppEnv } from "../http/context";

/** Placeholder: filled by the alerts work (issue 3). */
export const subscriptionRoutes = new Hono<AppEnv>();
export const deliveryRoutes = new Hono<AppEnv>();
