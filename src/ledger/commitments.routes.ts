import { Hono } from "hono";
import { requireScope } from "./auth/auth.middleware";
import { readCtx, writeCtx, type AppEnv } from "../platform/http/context";
import { validate } from "../platform/http/validate";
import { ChangeStatus, CreateCommitment, ListCommitmentsQuery, ListEventsQuery, UpdateCommitment, VerifyCommitment } from "./commitments.schemas";
import { changeStatus, createCommitment, getCommitment, listCommitments, listEvents, updateCommitment, verifyCommitment } from "./commitments.service";

export const commitmentRoutes = new Hono<AppEnv>()
  .get("/", validate("query", ListCommitmentsQuery), async (c) => {
    const { limit, cursor, ...filter } = c.req.valid("query");
    return c.json(await listCommitments(c.var.db, filter, { limit: limit ?? 50, cursor }, readCtx(c)));
  })
  .get("/:id", async (c) => c.json(await getCommitment(c.var.db, c.req.param("id"), readCtx(c))))
  .get("/:id/events", validate("query", ListEventsQuery), async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await listEvents(c.var.db, c.req.param("id"), { limit: limit ?? 50, cursor }));
  })
  .post("/", requireScope("write"), validate("json", CreateCommitment), async (c) =>
    c.json(await createCommitment(c.var.db, c.req.valid("json"), writeCtx(c)), 201),
  )
  .patch("/:id", requireScope("write"), validate("json", UpdateCommitment), async (c) =>
    c.json(await updateCommitment(c.var.db, c.req.param("id"), c.req.valid("json"), writeCtx(c))),
  )
  .post("/:id/status", requireScope("write"), validate("json", ChangeStatus), async (c) =>
    c.json(await changeStatus(c.var.db, c.req.param("id"), c.req.valid("json"), writeCtx(c))),
  )
  .post("/:id/verify", requireScope("write"), validate("json", VerifyCommitment), async (c) =>
    c.json(await verifyCommitment(c.var.db, c.req.param("id"), c.req.valid("json"), writeCtx(c))),
  );
