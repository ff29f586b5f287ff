/**
 * API tokens: the bootstrap ADMIN_TOKEN secret, plus named tokens admins create. A token is
 * `pw_` + 32 random bytes (base64url); only its SHA-256 is stored, so a database leak leaks no
 * token. High-entropy tokens make a fast hash the right choice (no password stretching).
 */
import { asc, eq, isNull, and } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { randomBytes, sha256Hex, timingSafeEqualText, toBase64Url } from "../../lib/crypto";
import { toIso } from "../../lib/deadline";
import { DomainError, invalid, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { SCOPES, type Principal, type Scope } from "../../platform/http/context";
import { apiTokens, type ApiTokenRow } from "./tokens.table";
import { sessions } from "./sessions.table";

export { SCOPES, type Principal, type Scope };


const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };
export const allows = (have: Scope, need: Scope) => RANK[have] >= RANK[need];

export const ADMIN_PRINCIPAL_NAME = "admin";

/**
 * Names the system writes as the actor of history events: the bootstrap token, the sweep
 * (alerts/sweep/sweep.repo.ts, which also finds its own events by this name), the delivery consumer
 * (alerts/deliver.ts) and "system", kept for future jobs. A token may not take any of them,
 * in any case, so the history never shows a person as the system or the other way round.
 */
export const RESERVED_ACTOR_NAMES: readonly string[] = [ADMIN_PRINCIPAL_NAME, "sweep", "delivery", "system"];

/**
 * Resolves a bearer token to who it belongs to, or null. The admin secret is compared in
 * constant time; named tokens are found by the hash of the presented token.
 */
export async function authenticate(db: Db, token: string, adminToken: string | undefined): Promise<Principal | null> {
  if (adminToken && (await timingSafeEqualText(token, adminToken))) {
    return { name: ADMIN_PRINCIPAL_NAME, scope: "admin" };
  }
  if (!token.startsWith("pw_")) return null;
  const hash = await sha256Hex(token);
  const rows = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt)));
  const row = rows[0];
  if (!row || !(await timingSafeEqualText(row.tokenHash, hash))) return null;
  return { name: row.name, scope: row.scope as Scope, tokenId: row.id };
}

export function tokenView(row: ApiTokenRow) {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    created_by: row.createdBy,
    created_at: toIso(row.createdAt),
    revoked_at: row.revokedAt === null ? null : toIso(row.revokedAt),
  };
}

export async function createToken(db: Db, input: { name: string; scope: Scope }, actor: string, now: number) {
  if (RESERVED_ACTOR_NAMES.includes(input.name.toLowerCase())) {
    throw invalid("name", `'${input.name}' is reserved for the system's own actors`);
  }
  const token = `pw_${toBase64Url(randomBytes(32))}`;
  const row: ApiTokenRow = {
    id: newId("tok", now),
    name: input.name,
    scope: input.scope,
    tokenHash: await sha256Hex(token),
    createdBy: actor,
    createdAt: now,
    revokedAt: null,
  };
  const existing = await db.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.name, input.name));
  if (existing.length > 0) throw new DomainError("duplicate_id", `a token named '${input.name}' already exists`);
  try {
    await db.insert(apiTokens).values(row);
  } catch {
    throw new DomainError("duplicate_id", `a token named '${input.name}' already exists`);
  }
  return { ...tokenView(row), token };
}

export async function listTokens(db: Db) {
  const rows = await db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt));
  return { items: rows.map(tokenView) };
}

export async function revokeToken(db: Db, id: string, now: number) {
  const rows = await db.select().from(apiTokens).where(eq(apiTokens.id, id));
  const row = rows[0];
  if (!row) throw notFound("token", id);
  if (row.revokedAt === null) {
    // Revoking a token ends its editor sessions, in the same batch (sessions.service.ts also
    // refuses a session whose token is revoked).
    await db.batch([
      db.update(apiTokens).set({ revokedAt: now }).where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt))),
      db.delete(sessions).where(eq(sessions.tokenId, id)),
    ]);
  }
  return tokenView((await db.select().from(apiTokens).where(eq(apiTokens.id, id)))[0]!);
}
