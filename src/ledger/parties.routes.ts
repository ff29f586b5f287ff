import { Hono } from "hono";
import { requireScope } from "./auth/auth.middleware";
import { readCtx, writeCtx, type AppEnv } from "../platform/http/context";
import { validate } from "../platform/http/validate";
import { PartySlugParam, PutParty } from "./parties.schemas";
import { deleteParty, getParty, listParties, putParty } from "./parties.service";

export const partyRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await listParties(c.var.db, readCtx(c))))
  .get("/:slug", async (c) => c.json(await getParty(c.var.db, c.req.param("slug"), readCtx(c))))
  .put("/:slug", requireScope("write"), validate("param", PartySlugParam), validate("json", PutParty), async (c) => {
    const { created, ...party } = await putParty(c.var.db, c.req.valid("param").slug, c.req.valid("json"), writeCtx(c));
    return c.json(party, created ? 201 : 200);
  })
  .delete("/:slug", requireScope("write"), validate("param", PartySlugParam), async (c) => {
    await deleteParty(c.var.db, c.req.valid("param").slug);
    return c.body(null, 204);
  });
