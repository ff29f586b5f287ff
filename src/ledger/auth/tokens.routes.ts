import { Hono } from "hono";
import type { AppEnv } from "../../platform/http/context";
import { validate } from "../../platform/http/validate";
import { requireScope } from "./auth.middleware";
import { CreateToken } from "./tokens.schemas";
import { createToken, listTokens, revokeToken } from "./tokens.service";

/** Admin only, reads included: token names and scopes are not public. */
export const tokenRoutes = new Hono<AppEnv>()
  .use(requireScope("admin"))
  .get("/", async (c) => c.json(await listTokens(c.var.db)))
  .post("/", validate("json", CreateToken), async (c) =>
    c.json(await createToken(c.var.db, c.req.valid("json"), c.var.principal.name, c.var.now), 201),
  )
  .delete("/:id", async (c) => c.json(await revokeToken(c.var.db, c.req.param("id"), c.var.now)));
