/** Helpers for the read-side tests: raw GETs, strict XML parsing, direct row inserts. */
import { env } from "cloudflare:workers";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { expect } from "vitest";
import { call } from "../helpers";

export async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return call("GET", path, { token: null, headers });
}

/** Strict well-formedness check (fast-xml-parser's validator), then a parse keeping attributes. */
export function parseXml(text: string): any {
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    parseTagValue: false,
    trimValues: false,
    isArray: (name) => ["item", "entry", "category", "link"].includes(name),
  });
  return parser.parse(text);
}

/** Text of an element parsed with attributes (fast-xml-parser puts it in #text). */
export const textOf = (node: unknown): string =>
  typeof node === "string" ? node : node && typeof node === "object" && "#text" in node ? String((node as any)["#text"]) : "";

/** Minimal HTML entity decoding for text carried as escaped HTML inside a feed. */
export const decodeHtml = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

/** Appends a history event row directly (the table is append-only; inserts are allowed). */
export async function insertEvent(row: {
  id: string;
  type: string;
  commitmentId?: string | null;
  agreementId?: string | null;
  fromValue?: string | null;
  toValue?: string | null;
  note?: string | null;
  evidenceUrl?: string | null;
  occurredAt?: number;
  recordedAt?: number;
  data?: unknown;
}): Promise<void> {
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO events (id, type, commitment_id, agreement_id, from_value, to_value, note, evidence_url, actor, occurred_at, recorded_at, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'test', ?, ?, ?)`,
  )
    .bind(
      row.id,
      row.type,
      row.commitmentId ?? null,
      row.agreementId ?? null,
      row.fromValue ?? null,
      row.toValue ?? null,
      row.note ?? null,
      row.evidenceUrl ?? null,
      row.occurredAt ?? now,
      row.recordedAt ?? now,
      row.data === undefined ? null : JSON.stringify(row.data),
    )
    .run();
}

/** Event ids newest first, as the feeds must list them, for a WHERE clause over `events e`. */
export async function expectedEventIds(where = "1 = 1", binds: unknown[] = [], limit = 50): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `SELECT e.id FROM events e WHERE e.type NOT LIKE 'subscription.%' AND (${where}) ORDER BY e.seq DESC LIMIT ${limit}`,
  )
    .bind(...binds)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

export async function expectErrorEnvelope(res: Response, status: number, code: string): Promise<any> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as any;
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  return body;
}
