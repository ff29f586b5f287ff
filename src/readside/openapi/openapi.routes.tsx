import { Hono } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import { PUBLIC_READ_HEADERS, hashText } from "../cache";
import { baseUrl, type AppEnv } from "../../platform/http/context";
import { pageSecurity } from "../pages/pages.routes";
import { DocsPage } from "./openapi.docs";
import { openApiJson } from "./openapi.document";

/**
 * The document depends only on the code and the server URL, so its ETag is a hash of the text:
 * a deploy that changes it changes the tag. Last-Modified is when this isolate first served it
 * (never earlier than the code it runs).
 */
let firstServedAt = 0;
const lastModified = (now: number) => new Date((firstServedAt ||= now)).toUTCString();

export const openapiRoutes = new Hono<AppEnv>()
  .get("/openapi.json", (c) => {
    const text = openApiJson(baseUrl(c));
    const etag = `"openapi-${hashText(text)}"`;
    const headers = { ...PUBLIC_READ_HEADERS, ETag: etag, "Last-Modified": lastModified(c.var.now), "Cache-Control": "public, max-age=300" };
    if (c.req.header("If-None-Match")?.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) return c.body(null, 304, headers);
    return c.body(text, 200, { ...headers, "Content-Type": "application/json; charset=utf-8" });
  })
  .get("/docs", pageSecurity, async (c) => {
    const text = openApiJson(baseUrl(c));
    const etag = `"docs-${hashText(text)}"`;
    const headers = { ETag: etag, "Last-Modified": lastModified(c.var.now), "Cache-Control": "public, max-age=300" };
    if (c.req.header("If-None-Match")?.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) return c.body(null, 304, headers);
    const html = await ((<DocsPage doc={JSON.parse(text)} />) as HtmlEscapedString);
    return c.body(`<!DOCTYPE html>${html}`, 200, { ...headers, "Content-Type": "text/html; charset=utf-8" });
  });
