import { Hono } from "hono";
import { requireScope } from "./auth/auth.middleware";
import { readCtx, writeCtx, type AppEnv } from "../platform/http/context";
import { validate } from "../platform/http/validate";
import { CreateAgreement, ListAgreementsQuery, UpdateAgreement } from "./agreements.schemas";
import { createAgreement, deleteAgreement, getAgreement, listAgreements, updateAgreement } from "./agreements.service";

export const agreementRoutes = new Hono<AppEnv>()
  .get("/", validate("query", ListAgreementsQuery), async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await listAgreements(c.var.db, { limit: limit ?? 50, cursor }));
  })
  .get("/:id", async (c) => c.json(await getAgreement(c.var.db, c.req.param("id"), readCtx(c))))
  .post("/", requireScope("write"), validate("json", CreateAgreement), async (c) =>
    c.json(await createAgreement(c.var.db, c.req.valid("json"), writeCtx(c)), 201),
  )
  .patch("/:id", requireScope("write"), validate("json", UpdateAgreement), async (c) =>
    c.json(await updateAgreement(c.var.db, c.req.param("id"), c.req.valid("json"), writeCtx(c))),
  )
  .delete("/:id", requireScope("write"), async (c) => {
    await deleteAgreement(c.var.db, c.req.param("id"), writeCtx(c));
    return c.body(null, 204);
  });
