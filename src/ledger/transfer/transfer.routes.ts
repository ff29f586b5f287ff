import { Hono } from "hono";
import * as v from "valibot";
import { requireScope } from "../auth/auth.middleware";
import { writeCtx, type AppEnv } from "../../platform/http/context";
import { limitBody } from "../../platform/http/middleware";
import { invalidInput, toIssues } from "../../platform/http/validate";
import { DomainError } from "../../lib/errors";
import { ImportDocument } from "./transfer.schemas";
import { exportDocument, importDocument } from "./transfer.service";

/** 5 MB: room for MAX_IMPORT_RECORDS records with long descriptions. */
const IMPORT_MAX_BYTES = 5 * 1024 * 1024;

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
    const parsed = v.safeParse(ImportDocument, body);
    if (!parsed.success) {
      const issues = toIssues(parsed.issues);
      const first = issues[0]!;
      const [kind, index] = first.path.split(".");
      const list = (body as Record<string, unknown> | null)?.[kind ?? ""];
      const record = Array.isArray(list) && index !== undefined ? (list[Number(index)] as { id?: unknown } | undefined) : undefined;
      const name = index !== undefined && kind ? `${kind}.${index}${typeof record?.id === "string" ? ` (id '${record.id}')` : ""}` : null;
      const error = invalidInput(issues, "import document");
      throw new DomainError(
        "invalid_input",
        name ? `invalid import document: first bad record is ${name}: ${first.path}: ${first.message}` : error.message,
        issues,
      );
    }
    return c.json(await importDocument(c.var.db, parsed.output, writeCtx(c)));
  });
