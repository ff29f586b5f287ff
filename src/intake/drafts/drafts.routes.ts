import { Hono } from "hono";
import { requireScope } from "../../ledger/auth/auth.middleware";
import { baseUrl, readCtx, writeCtx, type AppEnv } from "../../platform/http/context";
import { limitBody } from "../../platform/http/middleware";
import { validate } from "../../platform/http/validate";
import { AcceptDraft, CreateDrafts, ListDraftsQuery, RejectDraft } from "./drafts.schemas";
import { acceptDraft, createDrafts, getBatch, getDraft, listDrafts, rejectDraft } from "./drafts.service";

/**
 * A statement of 100 KB may grow when written as a JSON string (each newline is two bytes, each
 * control-free character at most six): the body may be larger, the text is held to 100 KB.
 */
export const DRAFTS_MAX_BYTES = 256 * 1024;

/** /api/v1/drafts: every route needs write scope (the drafts hold unreviewed text). */
export const draftRoutes = new Hono<AppEnv>()
  .use(requireScope("write"))
  .post("/", limitBody(DRAFTS_MAX_BYTES), validate("json", CreateDrafts), async (c) =>
    c.json(await createDrafts(c.var.db, c.req.valid("json"), { now: c.var.now, actor: c.var.principal.name }), 201),
  )
  .get("/", validate("query", ListDraftsQuery), async (c) => c.json(await listDrafts(c.var.db, c.req.valid("query"))))
  .get("/batches/:id", async (c) => c.json(await getBatch(c.var.db, c.req.param("id"))))
  .get("/:id", async (c) => c.json(await getDraft(c.var.db, c.req.param("id"))))
  .post("/:id/accept", validate("json", AcceptDraft), async (c) => {
    const id = c.req.param("id");
    const ctx = { ...writeCtx(c), ...readCtx(c), draftUrl: `${baseUrl(c)}/api/v1/drafts/${encodeURIComponent(id)}` };
    return c.json(await acceptDraft(c.var.db, id, c.req.valid("json"), ctx), 201);
  })
  .post("/:id/reject", validate("json", RejectDraft), async (c) =>
    c.json(await rejectDraft(c.var.db, c.req.param("id"), c.req.valid("json"), { now: c.var.now, actor: c.var.principal.name })),
  );
