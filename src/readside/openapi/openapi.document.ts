/**
 * Builds the OpenAPI 3.1 document from OPERATIONS: request bodies and query parameters are
 * converted from the routes' own valibot schemas with @valibot/to-json-schema (JSON Schema
 * 2020-12, the dialect OpenAPI 3.1 uses), responses from openapi.views.ts. Pure: the only
 * input is the server URL.
 */
import { toJsonSchema, type ConversionConfig, type JsonSchema } from "@valibot/to-json-schema";
import type { GenericSchema } from "valibot";
import { OPERATIONS, TAGS, type Named, type Operation, type ResponseSpec } from "./openapi.operations";
import * as views from "./openapi.views";
import { lru } from "../memo";
import { EVENT_TYPES } from "../../ledger/history/events.types";

export const API_VERSION = "0.1.0";

type Json = Record<string, unknown>;

/**
 * valibot `check` actions (custom rules: "a real calendar date", "give exactly one of…") have no
 * JSON Schema equivalent: their messages become the description, so the rule is still stated.
 */
const CONVERSION: ConversionConfig = {
  target: "draft-2020-12",
  typeMode: "input",
  errorMode: "ignore",
  overrideAction: (ctx) => {
    const action = ctx.valibotAction as { type: string; message?: unknown; requirement?: number };
    // Text lengths count code points (lib/fields.ts), which is what JSON Schema's lengths count.
    if (action.type === "max_code_points") return { ...ctx.jsonSchema, maxLength: action.requirement };
    if (action.type === "min_code_points") return { ...ctx.jsonSchema, minLength: action.requirement };
    if (action.type !== "check" || typeof action.message !== "string") return undefined;
    const before = typeof ctx.jsonSchema.description === "string" ? `${ctx.jsonSchema.description}; ` : "";
    return { ...ctx.jsonSchema, description: `${before}${action.message}` };
  },
};

export function toSchema(schema: GenericSchema): JsonSchema {
  const out = toJsonSchema(schema, CONVERSION) as Json;
  delete out.$schema;
  return out as JsonSchema;
}

interface PipeItem {
  kind: string;
  type: string;
  requirement?: unknown;
  item?: { type: string; options?: readonly string[] };
}

/**
 * Query values arrive as text and are transformed (numbers, comma lists); the input schema stops
 * at the transform, so what comes after it is described in words.
 */
function describeAfterTransform(schema: GenericSchema): string | null {
  const pipe = (schema as { pipe?: PipeItem[] }).pipe;
  if (!pipe) return null;
  const at = pipe.findIndex((p) => p.type === "transform");
  if (at < 0) return null;
  const rest = pipe.slice(at + 1);
  const list = rest.find((p) => p.type === "array" && p.item?.type === "picklist");
  if (list?.item?.options) return `Comma-separated list of: ${list.item.options.join(", ")}.`;
  const min = rest.find((p) => p.type === "min_value")?.requirement;
  const max = rest.find((p) => p.type === "max_value")?.requirement;
  if (min !== undefined || max !== undefined) return `A whole number from ${String(min ?? 0)} to ${String(max ?? "any")}.`;
  return null;
}

function queryParameters(query: Named): Json[] {
  const entries = (query.schema as unknown as { entries: Record<string, GenericSchema & { type: string; wrapped?: GenericSchema }> }).entries;
  return Object.entries(entries).map(([name, entry]) => {
    const optional = entry.type === "optional";
    const inner = optional ? entry.wrapped! : entry;
    const schema = toSchema(inner) as Json;
    const words = describeAfterTransform(inner);
    const description = [words, typeof schema.description === "string" ? schema.description : null].filter(Boolean).join(" ");
    delete schema.description;
    return { name, in: "query", required: !optional, ...(description ? { description } : {}), schema };
  });
}

const ERROR_RESPONSES: Record<number, { name: string; description: string; example: unknown }> = {
  400: {
    name: "BadRequest",
    description: "Invalid input: every bad field is listed in `issues` with its path.",
    example: { error: { code: "invalid_input", message: "invalid request body: title: must not be empty", issues: [{ path: "title", message: "must not be empty" }] } },
  },
  401: {
    name: "Unauthorized",
    description: "No bearer token, or an unknown or revoked one.",
    example: { error: { code: "unauthorized", message: "this request needs 'Authorization: Bearer <token>'" } },
  },
  403: {
    name: "Forbidden",
    description: "The token's scope is too small for this request.",
    example: { error: { code: "forbidden", message: "this request needs a token with 'write' scope; this one has 'read'" } },
  },
  404: {
    name: "NotFound",
    description: "No record with that id.",
    example: { error: { code: "not_found", message: "commitment 'no-such-thing' does not exist" } },
  },
  409: {
    name: "Conflict",
    description: "A duplicate id, a dependency cycle, an illegal transition (reopening without a note), or a concurrent change.",
    example: { error: { code: "illegal_transition", message: "'fulfilled' is terminal: moving it to 'in_progress' reopens it and needs a note saying why" } },
  },
  413: {
    name: "PayloadTooLarge",
    description: "The body is larger than the limit (64 KB; 5 MB for /import).",
    example: { error: { code: "payload_too_large", message: "the body is larger than 65536 bytes" } },
  },
  429: {
    name: "TooManyRequests",
    description: "A limit was reached (WebSub: subscription requests per callback host in 10 minutes).",
    example: { error: { code: "rate_limited", message: "too many subscription requests for callbacks on hooks.example.org: at most 100 in 10 minutes" } },
  },
  415: {
    name: "UnsupportedMediaType",
    description: "A body of the wrong media type: not `application/json` (the API), not a form (`POST /websub`).",
    example: { error: { code: "unsupported_media_type", message: "send the body as application/json, not 'text/plain'" } },
  },
};

function errorStatuses(op: Operation): number[] {
  const statuses = new Set<number>(op.errors ?? []);
  if (op.query || op.body) statuses.add(400);
  if (op.auth !== "public") {
    statuses.add(401);
    statuses.add(403);
  }
  if (op.body) {
    statuses.add(413);
    statuses.add(415);
  }
  if (op.pathParams && op.path.startsWith("/api/")) statuses.add(404);
  for (const r of op.responses) statuses.delete(r.status);
  return [...statuses].sort((a, b) => a - b);
}

const CONDITIONAL_HEADERS = {
  ETag: { description: "Weak validator of this representation; send it back as If-None-Match.", schema: { type: "string" } },
  "Last-Modified": { description: "When the document last changed (to the second).", schema: { type: "string" } },
  "Cache-Control": { description: "`public, max-age=…, must-revalidate` (30 s to 5 min).", schema: { type: "string" } },
};

const CONDITIONAL_PARAMETERS = [
  { name: "If-None-Match", in: "header", required: false, description: "An ETag from an earlier answer: 304 when it still matches.", schema: { type: "string" } },
  { name: "If-Modified-Since", in: "header", required: false, description: "Ignored when If-None-Match is sent.", schema: { type: "string" } },
];

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function responseObject(r: ResponseSpec): Json {
  const content: Json = {};
  if (r.body) content[r.contentType ?? "application/json"] = { schema: ref(r.body.name), ...(r.example !== undefined ? { example: r.example } : {}) };
  else if (r.contentType) content[r.contentType] = { schema: { type: "string" } };
  return {
    description: r.description,
    ...(r.conditional ? { headers: CONDITIONAL_HEADERS } : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
}

const AUTH_NOTE = {
  public: "Public: no token needed.",
  write: "Needs a bearer token with `write` (or `admin`) scope.",
  admin: "Needs a bearer token with `admin` scope.",
};

function operationObject(op: Operation, schemas: Map<string, GenericSchema>): Json {
  const register = (named: Named) => {
    const known = schemas.get(named.name);
    if (known && known !== named.schema) throw new Error(`two different schemas are named ${named.name}`);
    schemas.set(named.name, named.schema);
  };
  if (op.body) register(op.body);
  for (const r of op.responses) if (r.body) register(r.body);

  const parameters: Json[] = [
    ...Object.entries(op.pathParams ?? {}).map(([name, description]) => ({ name, in: "path", required: true, description, schema: { type: "string" } })),
    ...(op.query ? queryParameters(op.query) : []),
    ...(op.responses.some((r) => r.conditional) ? CONDITIONAL_PARAMETERS : []),
  ];
  const responses: Json = {};
  for (const r of op.responses) responses[String(r.status)] = responseObject(r);
  if (op.responses.some((r) => r.conditional)) {
    responses["304"] = { description: "Not modified: the validator still matches; nothing was rebuilt.", headers: CONDITIONAL_HEADERS };
  }
  for (const status of errorStatuses(op)) responses[String(status)] = { $ref: `#/components/responses/${ERROR_RESPONSES[status]!.name}` };
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    description: [op.description, AUTH_NOTE[op.auth]].filter(Boolean).join("\n\n"),
    ...(op.auth === "public" ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { [op.bodyContentType ?? "application/json"]: { schema: ref(op.body.name), ...(op.body.example !== undefined ? { example: op.body.example } : {}) } },
          },
        }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
  };
}

const DESCRIPTION = `pledgewatch records agreements and the commitments in them, and follows each commitment on two axes: **progress** (set by people) and **timeliness** (computed from the deadline and the clock).

- Reads are public. Every write needs \`Authorization: Bearer <token>\`; tokens have the scope \`read\`, \`write\` or \`admin\`.
- Every error answers the same envelope: \`{ "error": { "code", "message", "issues"?: [{ "path", "message" }] } }\`. Unknown fields are refused, not ignored.
- Lists are keyset-paginated: pass \`next_cursor\` back as \`cursor\` until it is \`null\`.
- Instants are RFC 3339 in UTC; dates are \`YYYY-MM-DD\`.
- The read side (feeds, calendar, status.json, badges) answers conditional GETs: send \`If-None-Match\` with the ETag you have and get \`304\` while nothing changed.`;

/** The whole document for a deployment reachable at `serverUrl`. */
export function buildOpenApiDocument(serverUrl: string): Json {
  const schemas = new Map<string, GenericSchema>([["ErrorEnvelope", views.ErrorEnvelope]]);
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) {
    paths[op.path] ??= {};
    if (paths[op.path]![op.method]) throw new Error(`${op.method.toUpperCase()} ${op.path} is described twice`);
    paths[op.path]![op.method] = operationObject(op, schemas);
  }
  schemas.set("WebhookPayload", views.WebhookPayload);
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    info: {
      title: "pledgewatch API",
      version: API_VERSION,
      summary: "A ledger of commitments, their deadlines and their status, with feeds and webhooks.",
      description: DESCRIPTION,
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [{ url: serverUrl, description: "This deployment" }],
    security: [{ bearerAuth: [] }],
    tags: TAGS,
    paths,
    webhooks: webhooksObject(),
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "An API token (`pw_…`) created by an admin at /api/v1/tokens, or the ADMIN_TOKEN secret.",
        },
      },
      schemas: Object.fromEntries([...schemas.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, schema]) => [name, toSchema(schema)])),
      responses: Object.fromEntries(
        Object.values(ERROR_RESPONSES).map((e) => [
          e.name,
          { description: e.description, content: { "application/json": { schema: ref("ErrorEnvelope"), example: e.example } } },
        ]),
      ),
    },
  };
}

const WEBHOOK_HEADERS = [
  { name: "webhook-id", description: "The event id: the same on every retry and redelivery; dedupe on it." },
  { name: "webhook-timestamp", description: "Seconds since the epoch when this attempt was signed." },
  {
    name: "webhook-signature",
    description: "`v1,<base64 HMAC-SHA256 of {id}.{timestamp}.{body}>` keyed by the subscription secret; two, space-separated, for 24 h after a rotation.",
  },
];

/** One webhook per event type subscribers can receive (Standard Webhooks). */
function webhooksObject(): Json {
  return Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace(/\./g, "_")}`,
          summary: `${type} delivered to a subscription`,
          description:
            "Signed per Standard Webhooks. Answer 2xx to accept; 410 disables the subscription; anything else is retried (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h). The body is at most 20 KB: a larger one is shrunk and `data.truncated` names the fields left out (`data.links` fetch them). `subscription.*` events go only to the subscription they are about.",
          security: [],
          parameters: WEBHOOK_HEADERS.map((h) => ({ ...h, in: "header", required: true, schema: { type: "string" } })),
          requestBody: { required: true, content: { "application/json": { schema: ref("WebhookPayload") } } },
          responses: {
            "200": { description: "Accepted (any 2xx)." },
            "410": { description: "Gone: the subscription is disabled." },
          },
        },
      },
    ]),
  );
}

const built = lru<string>(16);

/** The document as JSON text, built once per server URL per isolate (it depends on nothing else). */
export function openApiJson(serverUrl: string): string {
  let text = built.get(serverUrl);
  if (text === undefined) {
    text = JSON.stringify(buildOpenApiDocument(serverUrl));
    built.set(serverUrl, text);
  }
  return text;
}
