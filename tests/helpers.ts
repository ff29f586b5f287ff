/** Shared test helpers: calls through the worker's own fetch handler, with real D1 underneath. */
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { env } from "cloudflare:workers";
import { createDb, type Db } from "../src/platform/db/client";

export const ADMIN = "test-admin-token";
export const BASE = "http://pledgewatch.test";

export function db(): Db {
  return createDb(env.DB);
}

export interface CallOptions {
  token?: string | null;
  headers?: Record<string, string>;
  /** A raw body (string) sent as is; objects are JSON-encoded. */
  body?: unknown;
  contentType?: string | null;
}

export async function call(method: string, path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? ADMIN : opts.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    if (opts.contentType !== null) headers["content-type"] = opts.contentType ?? "application/json";
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
}

export async function json<T = any>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

let counter = 0;
/** A unique slug per call, so tests in one file never collide. */
export const uid = (prefix = "t") => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function createAgreement(overrides: Record<string, unknown> = {}) {
  const body = { id: uid("agr"), title: "Test agreement", kind: "memorandum", signed_on: "2025-08-08", parties: ["A", "B"], ...overrides };
  const res = await call("POST", "/api/v1/agreements", { body });
  if (res.status !== 201) throw new Error(`createAgreement: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
}

export async function createCommitment(agreement: string, overrides: Record<string, unknown> = {}) {
  const body = { id: uid("com"), agreement, title: "Test commitment", ...overrides };
  const res = await call("POST", "/api/v1/commitments", { body });
  if (res.status !== 201) throw new Error(`createCommitment: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
}

/** Row counts of the tables a write touches, to prove a refused write changed nothing. */
export async function tableCounts(): Promise<Record<string, number>> {
  const tables = ["agreements", "commitments", "commitment_dependencies", "events", "outbox", "api_tokens", "write_guards"];
  const out: Record<string, number> = {};
  for (const t of tables) {
    const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>();
    out[t] = row!.n;
  }
  return out;
}

/** Every HTML page: one h1, no skipped heading level, a document language. */
export function expectPageOutline(html: string, path: string): void {
  const levels = [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
  expect(levels.filter((l) => l === 1), path).toHaveLength(1);
  levels.reduce((prev, level) => {
    expect(level, `${path}: h${prev} then h${level}`).toBeLessThanOrEqual(prev + 1);
    return level;
  }, 1);
  expect(html, path).toContain('<html lang="en">');
}
