/** Helpers shared by the ledger tests: history rows, error envelopes, tokens. */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, json, tableCounts, uid } from "../helpers";

export interface EventRecord {
  seq: number;
  id: string;
  type: string;
  commitment_id: string | null;
  agreement_id: string | null;
  from_value: string | null;
  to_value: string | null;
  note: string | null;
  evidence_url: string | null;
  actor: string;
  occurred_at: number;
  recorded_at: number;
  data: string | null;
}

/** Every history row of a commitment, oldest first, straight from D1. */
export async function eventsOf(commitmentId: string): Promise<EventRecord[]> {
  const { results } = await env.DB.prepare("SELECT * FROM events WHERE commitment_id = ? ORDER BY seq")
    .bind(commitmentId)
    .all<EventRecord>();
  return results;
}

/** History rows of an agreement itself (not its commitments), oldest first. */
export async function agreementEventsOf(agreementId: string): Promise<EventRecord[]> {
  const { results } = await env.DB.prepare("SELECT * FROM events WHERE agreement_id = ? AND commitment_id IS NULL ORDER BY seq")
    .bind(agreementId)
    .all<EventRecord>();
  return results;
}

/** The outbox rows of the given events. */
export async function outboxOf(eventIds: string[]): Promise<Array<{ event_id: string; state: string }>> {
  if (eventIds.length === 0) return [];
  const { results } = await env.DB.prepare(
    `SELECT event_id, state FROM outbox WHERE event_id IN (${eventIds.map(() => "?").join(",")})`,
  )
    .bind(...eventIds)
    .all<{ event_id: string; state: string }>();
  return results;
}

/** The raw commitments row (snake_case columns), or null. */
export async function commitmentRow(id: string): Promise<Record<string, unknown> | null> {
  return env.DB.prepare("SELECT * FROM commitments WHERE id = ?").bind(id).first();
}

export interface ErrorBody {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
}

/** Asserts the one error envelope and returns it. */
export async function expectError(res: Response, status: number, code: string): Promise<ErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as ErrorBody;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  for (const key of Object.keys(body.error)) expect(["code", "message", "issues"]).toContain(key);
  if (body.error.issues !== undefined) {
    expect(Array.isArray(body.error.issues)).toBe(true);
    for (const issue of body.error.issues) {
      expect(Object.keys(issue).sort()).toEqual(["message", "path"]);
      expect(typeof issue.path).toBe("string");
      expect(typeof issue.message).toBe("string");
    }
  }
  return body;
}

/** The issue paths of an error body, sorted. */
export const issuePaths = (body: ErrorBody): string[] => (body.error.issues ?? []).map((i) => i.path).sort();

/** Creates a named API token with the admin secret; returns its id, name and the secret once shown. */
export async function makeToken(scope: "read" | "write" | "admin", name = uid(`tok-${scope}`)) {
  const res = await call("POST", "/api/v1/tokens", { body: { name, scope } });
  if (res.status !== 201) throw new Error(`makeToken: ${res.status} ${await res.text()}`);
  return json<{ id: string; name: string; scope: string; token: string }>(res);
}

/** An ISO instant `days` from `base` (ms). */
export const isoDaysFrom = (base: number, days: number) => new Date(base + days * 86_400_000).toISOString();

export type Counts = Record<"agreements" | "commitments" | "commitment_dependencies" | "events" | "outbox" | "api_tokens" | "write_guards", number>;

/** tests/helpers.ts tableCounts(), typed by table name. */
export const counts = async (): Promise<Counts> => (await tableCounts()) as Counts;
