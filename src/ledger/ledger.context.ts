/** What the ledger's domain functions take besides `db`. */

/** Who writes, when, and the settings that shape derived values. */
export interface WriteContext {
  now: number;
  actor: string;
  leadDays: number[];
  /** verify_every of a new commitment that gives none (VERIFY_EVERY; null = off). */
  verifyEvery?: string | null;
  /** Ids of the events this write records; the caller enqueues them after commit. */
  emitted?: string[];
}

export interface ReadContext {
  now: number;
  windowMs: number;
}
