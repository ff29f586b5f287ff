/**
 * Editor sessions (README "Editing in the browser"). Signing in with a write or admin token opens
 * a session: a random id (only its SHA-256 stored) that carries the token's id, scope and name.
 * A session ends after 12 h without use, 7 days after it opened, on sign-out, or when its token
 * is revoked. Failed sign-ins are counted per client address in D1 and refused past a limit;
 * the answer never says whether a token exists.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import { randomBytes, sha256Hex, timingSafeEqualText, toBase64Url } from "../../lib/crypto";
import { allows, authenticate, type Principal, type Scope } from "./tokens.service";
import { apiTokens } from "./tokens.table";
import { sessions, signInFailures } from "./sessions.table";

export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;
/** lastSeenAt is written at most this often: a page view is not a write each time. */
const TOUCH_EVERY_MS = 60_000;
export const SIGN_IN_MAX_FAILURES = 10;
export const SIGN_IN_WINDOW_MS = 15 * 60_000;

export interface Session {
  principal: Principal;
  formToken: string;
  tokenId: string | null;
  createdAt: number;
}

export type SignInResult =
  | { ok: true; sessionId: string; session: Session }
  | { ok: false; reason: "refused" }
  | { ok: false; reason: "rate_limited"; retryAfterMs: number };

async function failuresInWindow(db: Db, clientKey: string, now: number) {
  const row = (await db.select().from(signInFailures).where(eq(signInFailures.clientKey, clientKey)))[0];
  if (!row || row.windowStartedAt <= now - SIGN_IN_WINDOW_MS) return { failures: 0, retryAfterMs: 0 };
  return { failures: row.failures, retryAfterMs: row.windowStartedAt + SIGN_IN_WINDOW_MS - now };
}

async function recordFailure(db: Db, clientKey: string, now: number) {
  const expired = sql`${signInFailures.windowStartedAt} <= ${now - SIGN_IN_WINDOW_MS}`;
  await db
    .insert(signInFailures)
    .values({ clientKey, windowStartedAt: now, failures: 1 })
    .onConflictDoUpdate({
      target: signInFailures.clientKey,
      set: {
        failures: sql`CASE WHEN ${expired} THEN 1 ELSE ${signInFailures.failures} + 1 END`,
        windowStartedAt: sql`CASE WHEN ${expired} THEN ${now} ELSE ${signInFailures.windowStartedAt} END`,
      },
    });
}

/**
 * Checks the limit first (so a locked-out address cannot go on guessing, even with a right
 * guess), then the token: write or admin scope, not revoked. Every refusal counts as a failure.
 */
export async function signIn(
  db: Db,
  input: { token: string; clientKey: string; adminToken: string | undefined },
  now: number,
): Promise<SignInResult> {
  const { failures, retryAfterMs } = await failuresInWindow(db, input.clientKey, now);
  if (failures >= SIGN_IN_MAX_FAILURES) return { ok: false, reason: "rate_limited", retryAfterMs };
  const principal = await authenticate(db, input.token, input.adminToken);
  if (!principal || !allows(principal.scope, "write")) {
    await recordFailure(db, input.clientKey, now);
    return { ok: false, reason: "refused" };
  }
  const sessionId = toBase64Url(randomBytes(32));
  const formToken = toBase64Url(randomBytes(24));
  const tokenId = principal.tokenId ?? null;
  await db.insert(sessions).values({
    idHash: await sha256Hex(sessionId),
    tokenId,
    scope: principal.scope,
    name: principal.name,
    formToken,
    createdAt: now,
    lastSeenAt: now,
  });
  return { ok: true, sessionId, session: { principal: { name: principal.name, scope: principal.scope }, formToken, tokenId, createdAt: now } };
}

/** The live session for this id, or null: unknown, idle too long, too old, or its token revoked. */
export async function findSession(db: Db, sessionId: string, now: number): Promise<Session | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(sessionId)) return null;
  const idHash = await sha256Hex(sessionId);
  const row = (
    await db
      .select({ s: sessions, revokedAt: apiTokens.revokedAt, tokenExists: apiTokens.id })
      .from(sessions)
      .leftJoin(apiTokens, eq(apiTokens.id, sessions.tokenId))
      .where(eq(sessions.idHash, idHash))
  )[0];
  if (!row) return null;
  const s = row.s;
  const tokenGone = s.tokenId !== null && (row.tokenExists === null || row.revokedAt !== null);
  if (tokenGone || now - s.lastSeenAt > SESSION_IDLE_MS || now - s.createdAt > SESSION_ABSOLUTE_MS) {
    await db.delete(sessions).where(eq(sessions.idHash, idHash));
    return null;
  }
  if (now - s.lastSeenAt > TOUCH_EVERY_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(and(eq(sessions.idHash, idHash)));
  }
  return { principal: { name: s.name, scope: s.scope as Scope }, formToken: s.formToken, tokenId: s.tokenId, createdAt: s.createdAt };
}

export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, await sha256Hex(sessionId)));
}

/** Does a submitted form token belong to this session? Constant-time. */
export const formTokenMatches = (session: Session, submitted: string | undefined) =>
  submitted !== undefined && submitted.length > 0 && timingSafeEqualText(submitted, session.formToken);
