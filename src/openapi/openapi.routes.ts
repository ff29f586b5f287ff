import { Hono } from "hono";
import type { AppEnv } from "../http/context";

/** Placeholder: filled by the read-side work (issue 4). */
export const openapiRoutes = new Hono<AppEnv>();
