import { Hono } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import { PUBLIC_READ_HEADERS, hashText, respondStatic } from "../cache";
import { firstSeen } from "../memo";
import { baseUrl, type AppEnv } from "../../platform/http/context";
import { pageSecurity } from "../security";
import { DocsPage } from "./openapi.docs";
import { openApiJson } from "./openapi.document";

/**
 * The document depends only on the code and the server URL, so its ETag is a hash of the text:
 * a deploy that changes it changes the tag. Last-Modified is when this isolate first served it
 * (never earlier than the code it runs).
 */
const firstServedAt = firstSeen();
const CACHING = { "Cache-Control": "public, max-age=300" };

export const openapiRoutes = new Hono<AppEnv>()
  .get("/openapi.json", (c) => {
    const text = openApiJson(baseUrl(c));
    return respondStatic(c, text, {
      etag: `"openapi-${hashText(text)}"`,
      lastModified: firstServedAt("openapi", c.var.now),
      contentType: "application/json; charset=utf-8",
      headers: { ...PUBLIC_READ_HEADERS, ...CACHING },
    });
  })
  .get("/docs", pageSecurity, (c) => {
    const text = openApiJson(baseUrl(c));
    return respondStatic(c, async () => `<!DOCTYPE html>${await ((<DocsPage doc={JSON.parse(text)} />) as HtmlEscapedString)}`, {
      etag: `"docs-${hashText(text)}"`,
      lastModified: firstServedAt("openapi", c.var.now),
      contentType: "text/html; charset=utf-8",
      headers: CACHING,
    });
  });
