import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import * as v from "valibot";
import { app } from "../../src/app";
import { CreateCommitment } from "../../src/ledger/commitments.schemas";
import { FeedQuery } from "../../src/readside/feeds/feeds.schemas";
import { toSchema } from "../../src/readside/openapi/openapi.document";
import { OPERATIONS } from "../../src/readside/openapi/openapi.operations";
import * as views from "../../src/readside/openapi/openapi.views";
import { CreateSubscription } from "../../src/alerts/subscriptions.schemas";
import { redeliver, sendTest } from "../../src/alerts/subscriptions.service";
import { call, createAgreement, createCommitment, db } from "../helpers";
import { get } from "./readside.helpers";

/** Registered routes that are deliberately not in the document: HTML, assets, the docs themselves. */
const UNDOCUMENTED = new Set([
  "GET /",
  "GET /commitments/{id}",
  "GET /agreements/{id}",
  "GET /parties/{slug}",
  "GET /assets/pages.css",
  "GET /assets/icon.svg",
  "GET /assets/editor.js",
  "GET /openapi.json",
  "GET /docs",
]);

/** Hono's route paths in OpenAPI form: ":id" -> "{id}", "/badges/:file{…\\.svg}" -> "/badges/{commitment}.svg". */
function openApiPath(path: string): string {
  return path
    .replace(/\/$/, "")
    .replace(/^\/badges\/:file\{[^}]*\}$/, "/badges/{commitment}.svg")
    .replace(/^\/badges\/parties\/:file\{[^}]*\}$/, "/badges/parties/{party}.svg")
    .replace(/:(\w+)/g, "{$1}") || "/";
}

function registeredRoutes(): Set<string> {
  return new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${openApiPath(r.path)}`));
}

let doc: any;

beforeAll(async () => {
  const res = await get("/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  doc = await res.json();
});

function documentedRoutes(): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(item)) out.add(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

describe("/openapi.json covers every route", () => {
  it("documents every /api/v1 route Hono registered, and nothing that is not registered", () => {
    const registered = [...registeredRoutes()].filter((r) => r.split(" ")[1]!.startsWith("/api/v1/"));
    const documented = [...documentedRoutes()].filter((r) => r.split(" ")[1]!.startsWith("/api/v1/"));
    expect(registered.length).toBeGreaterThanOrEqual(24);
    expect(documented.sort()).toEqual(registered.sort());
  });

  it("documents every read-side route except the HTML pages and assets", () => {
    // The browser editor's HTML forms (src/editor/) are pages, not API: not in the document.
    const isEditor = (r: string) => /^(GET|POST) \/(login|logout|editor)(\/|$)/.test(r);
    const all = [...registeredRoutes()];
    expect(all.filter(isEditor)).toContain("POST /login");
    const registered = all.filter((r) => !r.split(" ")[1]!.startsWith("/api/v1/") && !isEditor(r));
    const documented = [...documentedRoutes()].filter((r) => !r.split(" ")[1]!.startsWith("/api/v1/"));
    expect(documented.filter(isEditor)).toEqual([]);
    for (const route of documented) expect(registered, route).toContain(route);
    for (const route of registered) if (!UNDOCUMENTED.has(route)) expect(documented, route).toContain(route);
    for (const route of UNDOCUMENTED) expect(registered, route).toContain(route);
  });

  it("covers the subscription and delivery routes", () => {
    const documented = documentedRoutes();
    for (const r of [
      "GET /api/v1/subscriptions",
      "POST /api/v1/subscriptions",
      "GET /api/v1/subscriptions/{id}",
      "PATCH /api/v1/subscriptions/{id}",
      "DELETE /api/v1/subscriptions/{id}",
      "POST /api/v1/subscriptions/{id}/rotate-secret",
      "POST /api/v1/subscriptions/{id}/test",
      "GET /api/v1/subscriptions/{id}/deliveries",
      "POST /api/v1/deliveries/{id}/redeliver",
    ]) {
      expect(documented, r).toContain(r);
    }
  });
});

describe("the document is valid OpenAPI 3.1", () => {
  it("has the required top-level fields, servers and a bearer security scheme", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.title).toBe("pledgewatch API");
    expect(typeof doc.info.version).toBe("string");
    expect(doc.servers).toEqual([{ url: "http://pledgewatch.test", description: "This deployment" }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
  });

  it("gives every operation a unique id, a summary, responses, declared path parameters and resolvable $refs", () => {
    const ids = new Set<string>();
    const refs: string[] = [];
    const collect = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === "object") {
        for (const [k, val] of Object.entries(node)) {
          if (k === "$ref" && typeof val === "string") refs.push(val);
          else collect(val);
        }
      }
    };
    collect(doc);
    for (const r of refs) {
      expect(r).toMatch(/^#\/components\/(schemas|responses)\//);
      const [, , kind, name] = r.split("/");
      expect(doc.components[kind!][name!], r).toBeDefined();
    }
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      expect(path.startsWith("/")).toBe(true);
      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        expect(["get", "post", "put", "patch", "delete"]).toContain(method);
        expect(ids.has(op.operationId), op.operationId).toBe(false);
        ids.add(op.operationId);
        expect(op.summary.length).toBeGreaterThan(0);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const status of Object.keys(op.responses)) expect(status).toMatch(/^[1-5]\d\d$/);
        const declared = (op.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name);
        expect(declared.sort(), `${method} ${path}`).toEqual([...pathParams].sort());
        for (const p of op.parameters ?? []) {
          expect(["path", "query", "header"]).toContain(p.in);
          if (p.in === "path") expect(p.required).toBe(true);
          expect(p.schema).toBeDefined();
        }
        if (path.startsWith("/api/v1/") && method !== "get") expect(op.security, `${method} ${path}`).toBeUndefined();
        if (op.security) expect(op.security).toEqual([]);
      }
    }
  });

  it("documents the error envelope on writes: 400, 401, 403, 413, 415", () => {
    const op = doc.paths["/api/v1/commitments"].post;
    for (const s of ["400", "401", "403", "409", "413", "415"]) expect(op.responses[s], s).toBeDefined();
    expect(doc.components.responses.BadRequest.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/ErrorEnvelope" });
  });

  it("generates request schemas from the routes' own valibot schemas", () => {
    expect(doc.components.schemas.CreateCommitment).toEqual(JSON.parse(JSON.stringify(toSchema(CreateCommitment))));
    expect(doc.components.schemas.CreateSubscription).toEqual(JSON.parse(JSON.stringify(toSchema(CreateSubscription))));
    expect(doc.components.schemas.CreateCommitment.additionalProperties).toBe(false);
    expect(doc.components.schemas.CreateCommitment.required).toEqual(["agreement", "title"]);
    const limit = doc.paths["/feed.xml"].get.parameters.find((p: any) => p.name === "limit");
    expect(limit).toMatchObject({ in: "query", required: false, schema: { type: "string", pattern: "^\\d{1,6}$" } });
    expect(limit.description).toContain("from 1 to 200");
    const type = doc.paths["/feed.json"].get.parameters.find((p: any) => p.name === "type");
    expect(type.description).toContain("commitment.overdue");
    expect(Object.keys(FeedQuery.entries).every((k) => doc.paths["/feed.atom"].get.parameters.some((p: any) => p.name === k))).toBe(true);
  });

  it("gives request examples that the routes' schemas accept", () => {
    let checked = 0;
    for (const op of OPERATIONS) {
      if (op.body?.example === undefined) continue;
      const result = v.safeParse(op.body.schema, op.body.example);
      expect(result.success, `${op.operationId}: ${JSON.stringify(result.issues?.map((i) => i.message))}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it("answers If-None-Match with 304", async () => {
    const first = await get("/openapi.json");
    expect((await get("/openapi.json", { "If-None-Match": first.headers.get("etag")! })).status).toBe(304);
  });
});

describe("response schemas match what the API really answers", () => {
  it("parses real responses of every documented JSON operation kind", async () => {
    const check = async (schema: v.GenericSchema, res: Response | Promise<Response>, status = 200) => {
      const r = await res;
      expect(r.status).toBe(status);
      const body = await r.json();
      const parsed = v.safeParse(schema, body);
      expect(parsed.success, JSON.stringify(parsed.issues?.map((i) => `${i.path?.map((p) => p.key).join(".")}: ${i.message}`))).toBe(true);
      return body as any;
    };
    const agr = await createAgreement();
    expect(v.safeParse(views.AgreementView, agr).success).toBe(true);
    const com = await createCommitment(agr.id, { deadline: { due_on: "2026-02-08", grace: "P7D" }, evidence: [{ url: "https://example.org" }] });
    expect(v.safeParse(views.CommitmentView, com).success).toBe(true);
    await check(views.CommitmentView, call("POST", `/api/v1/commitments/${com.id}/status`, { body: { status: "in_progress", note: "n" } }));
    await check(views.CommitmentView, call("PATCH", `/api/v1/commitments/${com.id}`, { body: { deadline: { within: "P1Y" }, reason: "r" } }));
    await check(views.AgreementView, call("PATCH", `/api/v1/agreements/${agr.id}`, { body: { summary: "s" } }));
    await check(views.AgreementList, call("GET", "/api/v1/agreements", { token: null }));
    await check(views.AgreementDetail, call("GET", `/api/v1/agreements/${agr.id}`, { token: null }));
    await check(views.CommitmentList, call("GET", "/api/v1/commitments", { token: null }));
    await check(views.CommitmentView, call("GET", `/api/v1/commitments/${com.id}`, { token: null }));
    await check(views.EventList, call("GET", `/api/v1/commitments/${com.id}/events`, { token: null }));
    const exported = await check(views.ImportResult, call("POST", "/api/v1/import", { body: await (await call("GET", "/api/v1/export")).json() }));
    expect(exported.commitments.unchanged).toBeGreaterThan(0);
    const { ImportDocument } = await import("../../src/ledger/transfer/transfer.schemas");
    await check(ImportDocument, call("GET", "/api/v1/export", { token: null }));
    const token = await check(views.TokenCreated, call("POST", "/api/v1/tokens", { body: { name: "docs-check", scope: "read" } }), 201);
    await check(views.TokenList, call("GET", "/api/v1/tokens"));
    await check(views.TokenView, call("DELETE", `/api/v1/tokens/${token.id}`));
    const sub = await check(views.SubscriptionWithSecret, call("POST", "/api/v1/subscriptions", { body: { url: "https://hooks.example.org/pw", event_types: ["commitment.overdue"] } }), 201);
    await check(views.SubscriptionDetail, call("GET", `/api/v1/subscriptions/${sub.id}`));
    await check(views.SubscriptionDetail, call("PATCH", `/api/v1/subscriptions/${sub.id}`, { body: { state: "paused" } }));
    await check(views.SubscriptionList, call("GET", "/api/v1/subscriptions"));
    await check(views.SubscriptionWithSecret, call("POST", `/api/v1/subscriptions/${sub.id}/rotate-secret`));
    await check(views.DeliveryList, call("GET", `/api/v1/subscriptions/${sub.id}/deliveries`));
    // /test and /redeliver enqueue a delivery to a real receiver: call the services the routes
    // answer with instead, so no request leaves the test.
    await check(views.SubscriptionDetail, call("PATCH", `/api/v1/subscriptions/${sub.id}`, { body: { state: "active" } }));
    const tested = await sendTest(db(), sub.id, { now: Date.now(), actor: "admin", allowPrivateTargets: false });
    expect(v.safeParse(views.TestEventSent, tested).success).toBe(true);
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO deliveries (id, event_id, subscription_id, state, attempts, next_attempt_at, last_status_code, last_error, created_at, updated_at) VALUES ('dlv_docs', ?, ?, 'failed', 9, ?, 500, 'server error', ?, ?)",
    )
      .bind(tested.event_id, sub.id, now, now, now)
      .run();
    const { delivery } = await redeliver(db(), "dlv_docs", now);
    expect(v.safeParse(views.DeliveryView, delivery).success).toBe(true);
    expect((await call("DELETE", `/api/v1/subscriptions/${sub.id}`)).status).toBe(204);
    await check(views.ErrorEnvelope, call("GET", "/api/v1/commitments/no-such-commitment", { token: null }), 404);
    await check(views.ErrorEnvelope, call("POST", "/api/v1/commitments", { body: { title: "" } }), 400);
    const waiting = await createCommitment(agr.id, { deadline: { within: "P1M", after: { commitment: com.id, when: "met" } } });
    expect(v.safeParse(views.CommitmentView, waiting).success).toBe(true);
    await check(views.PartyRecord, call("PUT", `/api/v1/parties/docs-party-${agr.id}`, { body: { name: `Docs party ${agr.id}`, aliases: [`DP ${agr.id}`] } }), 201);
    await check(views.PartyList, call("GET", "/api/v1/parties", { token: null }));
    await check(views.PartyView, call("GET", `/api/v1/parties/docs-party-${agr.id}`, { token: null }));
    expect((await call("DELETE", `/api/v1/parties/docs-party-${agr.id}`)).status).toBe(204);
    await check(views.StatusDocument, get("/status.json"));
    await check(views.HealthDocument, get("/healthz"));
    await check(views.JsonFeedDocument, get("/feed.json"));
  });
});

describe("/docs", () => {
  it("renders every operation from the document as HTML without any script, under the pages' CSP", async () => {
    const res = await get("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("etag")).toMatch(/^"docs-/);
    expect(res.headers.get("last-modified")).toMatch(/GMT$/);
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\sstyle=/i);
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect(html, op.operationId).toContain(`id="op-${op.operationId}"`);
        expect(html).toContain(`<span class="method m-${method}">${method.toUpperCase()}</span> <code>${path}</code>`);
      }
    }
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
    expect(html).toContain("<code>agreement</code> <em>string</em> — required");
  });
});
