import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { BatchItem } from "../db/guard";
import { newId } from "../lib/ids";
import { outbox } from "../delivery/delivery.table";
import { events, type EventRow } from "./events.table";
import type { NewEvent } from "./events.types";

/** How long a freshly written outbox row waits for its writer's own enqueue before the sweep re-sends. */
export const OUTBOX_LEASE_MS = 60_000;

/**
 * The statements that append one event. Every writer (ledger services, import, sweep) goes
 * through here, so the event and whatever guarantees its alerts are written in the caller's batch.
 */
export function appendEventStatements(
  db: Db,
  event: NewEvent,
  /** "ignore": an event with the same dedupe key already recorded is not an error (and gets no new outbox row). */
  onDuplicate: "fail" | "ignore" = "fail",
): { id: string; statements: BatchItem[] } {
  const id = newId("evt", event.recordedAt);
  const row = {
    id,
    type: event.type,
    commitmentId: event.commitmentId ?? null,
    agreementId: event.agreementId ?? null,
    fromValue: event.fromValue ?? null,
    toValue: event.toValue ?? null,
    note: event.note ?? null,
    evidenceUrl: event.evidenceUrl ?? null,
    actor: event.actor,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    data: event.data ?? null,
    dedupeKey: event.dedupeKey ?? null,
  };
  if (onDuplicate === "ignore") {
    return {
      id,
      statements: [
        db.insert(events).values(row).onConflictDoNothing(),
        db.run(
          sql`INSERT OR IGNORE INTO outbox (event_id, state, next_attempt_at, attempts, created_at) SELECT id, 'pending', ${event.recordedAt + OUTBOX_LEASE_MS}, 0, ${event.recordedAt} FROM events WHERE id = ${id}`,
        ),
      ],
    };
  }
  return {
    id,
    statements: [
      db.insert(events).values(row),
      // The outbox row guarantees the event's deliveries (delivery/outbox.ts). The writer enqueues
      // it right after commit; the sweep re-sends it if still pending after OUTBOX_LEASE_MS.
      db.insert(outbox).values({ eventId: id, state: "pending", nextAttemptAt: event.recordedAt + OUTBOX_LEASE_MS, createdAt: event.recordedAt }),
    ],
  };
}

export async function listCommitmentEvents(
  db: Db,
  commitmentId: string,
  opts: { limit: number; beforeSeq?: number },
): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(
      and(eq(events.commitmentId, commitmentId), opts.beforeSeq !== undefined ? lt(events.seq, opts.beforeSeq) : undefined),
    )
    .orderBy(desc(events.seq))
    .limit(opts.limit);
}
