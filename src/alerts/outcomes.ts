/**
 * Recording delivery outcomes: set-based, and while the next requests are still in flight.
 *
 * An attempt's outcome is kept in memory until the recorder flushes. A flush is one D1 batch of
 * three statements however many outcomes it carries (the attempt rows, the deliveries' new
 * states, the subscriptions whose failure streak changed), each reading its rows from one JSON
 * parameter, plus the rare per-subscription statements (a disable and its event). Flushes run
 * one at a time, in completion order, and start as soon as `flushAt` outcomes are waiting while
 * the senders go on: the receiver never waits for D1, and D1 writes a few batches per
 * invocation instead of three statements per delivery.
 *
 * Nothing is acknowledged before `close()` has committed everything: a crash loses only the
 * unrecorded attempts, whose deliveries stay pending under their lease and are sent again with
 * the same webhook-id.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../platform/db/client";
import { runBatch, type BatchItem } from "../platform/db/guard";

export interface AttemptOutcome {
  deliveryId: string;
  subscriptionId: string;
  // The attempt row.
  attemptedAt: number;
  statusCode: number | null;
  latencyMs: number;
  /** The attempt's error (null on success). */
  error: string | null;
  excerpt: string | null;
  // The delivery's new state.
  state: "pending" | "succeeded" | "failed" | "cancelled";
  /** Absent: keep the delivery's last status code (nothing was sent this time). */
  lastStatusCode?: number | null;
  lastError: string | null;
  /** Absent: keep next_attempt_at. */
  nextAttemptAt?: number;
  deliveredAt?: number;
  updatedAt: number;
}

/** Outcomes waiting for a flush: enough to keep D1 to a few batches per invocation. */
export const FLUSH_AT = 50;

/** The attempt rows of a flush, from one JSON array. */
function attemptsStatement(db: Db, outcomes: AttemptOutcome[]) {
  const rows = JSON.stringify(
    outcomes.map((o) => ({ d: o.deliveryId, a: o.attemptedAt, c: o.statusCode, l: o.latencyMs, e: o.error, x: o.excerpt })),
  );
  return db.run(sql`
    INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, latency_ms, error, response_excerpt)
    SELECT json_extract(value, '$.d'), json_extract(value, '$.a'), json_extract(value, '$.c'), json_extract(value, '$.l'),
      json_extract(value, '$.e'), json_extract(value, '$.x')
    FROM json_each(${rows})`);
}

/** The deliveries' new states. A key left out of a row keeps the column as it is. */
function deliveriesStatement(db: Db, outcomes: AttemptOutcome[]) {
  const rows = JSON.stringify(
    outcomes.map((o) => ({ id: o.deliveryId, s: o.state, c: o.lastStatusCode, e: o.lastError, n: o.nextAttemptAt, t: o.deliveredAt, u: o.updatedAt })),
  );
  return db.run(sql`
    UPDATE deliveries SET
      state = o.s,
      last_status_code = CASE WHEN o.has_c THEN o.c ELSE deliveries.last_status_code END,
      last_error = o.e,
      next_attempt_at = coalesce(o.n, deliveries.next_attempt_at),
      delivered_at = coalesce(o.t, deliveries.delivered_at),
      updated_at = o.u
    FROM (
      SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.s') AS s, json_type(value, '$.c') IS NOT NULL AS has_c,
        json_extract(value, '$.c') AS c, json_extract(value, '$.e') AS e, json_extract(value, '$.n') AS n,
        json_extract(value, '$.t') AS t, json_extract(value, '$.u') AS u
      FROM json_each(${rows})) AS o
    WHERE deliveries.id = o.id`);
}

/** Each subscription's failure streak as it stands after this flush's outcomes; unchanged rows are not written. */
function failingStatement(db: Db, failing: Map<string, number | null>) {
  const rows = JSON.stringify([...failing].map(([id, since]) => ({ id, f: since })));
  return db.run(sql`
    UPDATE subscriptions SET failing_since = o.f
    FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.f') AS f FROM json_each(${rows})) AS o
    WHERE subscriptions.id = o.id AND subscriptions.failing_since IS NOT o.f`);
}

/**
 * Deliveries claimed but never attempted (the invocation's send window closed): due again now,
 * with the claim's attempt count given back, for the next message to take.
 */
export function releaseStatement(db: Db, deliveryIds: string[], now: number) {
  return db.run(sql`
    UPDATE deliveries SET attempts = attempts - 1, next_attempt_at = ${now}, updated_at = ${now}
    WHERE id IN (SELECT value FROM json_each(${JSON.stringify(deliveryIds)})) AND state = 'pending'`);
}

export class OutcomeRecorder {
  private waiting: AttemptOutcome[] = [];
  private failing = new Map<string, number | null>();
  private extra: BatchItem[] = [];
  private flushing: Promise<void> | null = null;
  private error: unknown = null;
  /** Flushes committed so far (for the bench's breakdown and the tests). */
  flushes = 0;

  constructor(
    private readonly db: Db,
    private readonly flushAt = FLUSH_AT,
  ) {}

  /** True once a flush failed: the caller should stop sending (close() will throw). */
  get failed(): boolean {
    return this.error !== null;
  }

  /**
   * Keeps an outcome for the next flush, with the subscription's failure streak after it
   * (`undefined`: unchanged) and any statements that must follow it (a disable).
   */
  add(outcome: AttemptOutcome, failingSince?: number | null, after: BatchItem[] = []): void {
    this.waiting.push(outcome);
    if (failingSince !== undefined) this.failing.set(outcome.subscriptionId, failingSince);
    this.extra.push(...after);
    if (this.waiting.length >= this.flushAt && !this.flushing && !this.failed) this.flushing = this.flushNow([]);
  }

  private take(last: BatchItem[]): BatchItem[] {
    const statements: BatchItem[] = [];
    if (this.waiting.length > 0) statements.push(attemptsStatement(this.db, this.waiting), deliveriesStatement(this.db, this.waiting));
    if (this.failing.size > 0) statements.push(failingStatement(this.db, this.failing));
    statements.push(...this.extra, ...last);
    this.waiting = [];
    this.failing = new Map();
    this.extra = [];
    return statements;
  }

  private async flushNow(last: BatchItem[]): Promise<void> {
    try {
      await runBatch(this.db, this.take(last));
      this.flushes++;
    } catch (error) {
      this.error ??= error;
    } finally {
      this.flushing = null;
    }
    if (this.waiting.length >= this.flushAt && !this.failed) this.flushing = this.flushNow([]);
  }

  /** Waits for the flush in flight, then commits everything left, followed by `last`. */
  async close(last: BatchItem[] = []): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.failed && (this.waiting.length > 0 || this.failing.size > 0 || this.extra.length > 0 || last.length > 0)) {
      await this.flushNow(last);
    }
    if (this.failed) throw this.error;
  }
}
