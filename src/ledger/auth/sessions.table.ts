import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Browser sessions of the editor (editor/). Only the SHA-256 of the session id is stored, so a
 * database leak opens no session. `tokenId` is null for the bootstrap ADMIN_TOKEN. Read by
 * ledger/auth/sessions.service.ts; revoking a token deletes its rows (tokens.service.ts).
 */
export const sessions = sqliteTable(
  "sessions",
  {
    idHash: text().primaryKey(),
    tokenId: text(),
    scope: text().notNull(),
    /** The actor written in the history for every change made in this session. */
    name: text().notNull(),
    /** The per-session form token every state-changing form carries (CSRF). */
    formToken: text().notNull(),
    createdAt: integer().notNull(),
    lastSeenAt: integer().notNull(),
  },
  // Revoking a token ends its sessions: a delete by token id (tokens.service.ts revokeToken).
  (t) => [index("sessions_token").on(t.tokenId)],
);

export type SessionRow = typeof sessions.$inferSelect;

/**
 * Failed sign-ins per client address, in fixed windows. In D1 rather than per isolate: a
 * guesser's requests land on many isolates, and a per-isolate count would not add up.
 */
export const signInFailures = sqliteTable("sign_in_failures", {
  clientKey: text().primaryKey(),
  windowStartedAt: integer().notNull(),
  failures: integer().notNull(),
});
