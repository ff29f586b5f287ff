import { Hono } from "hono";
import { requireScope } from "../auth/auth.middleware";
import { writeCtx, type AppEnv } from "../../platform/http/context";
import { limitBody } from "../../platform/http/middleware";
import { DomainError } from "../../lib/errors";
import { IMPORT_MAX_BYTES } from "./transfer.schemas";
import { exportDocument, importDocument, parseImportDocument } from "./transfer.service";

export const transferRoutes = new Hono<AppEnv>()
  .get("/export", async (c) => {
    c.header("Content-Disposition", 'attachment; filename="pledgewatch-export.json"');
    return c.json(await exportDocument(c.var.db, c.var.now));
  })
  .post("/import", requireScope("write"), limitBody(IMPORT_MAX_BYTES), async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new DomainError("invalid_json", "the body is not valid JSON");
    }
    return c.json(await importDocument(c.var.db, parseImportDocument(body), writeCtx(c)));
  });
