import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../../platform/db/client";
import type { BatchItem } from "../../platform/db/guard";
import { newId } from "../../lib/ids";
import { events, type EventRow } from "./events.table";
import { insertOutboxRows, OUTBOX_LEASE_MS } from "./outbox.repo";
import type { NewEvent } from "./events.types";

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
  // The outbox row guarantees the event's deliveries (outbox.ts). The writer enqueues it right
  // after commit; the sweep re-sends it if still pending after OUTBOX_LEASE_MS.
  const outboxRow = insertOutboxRows(db, sql`id = ${id}`, event.recordedAt + OUTBOX_LEASE_MS, event.recordedAt);
  return {
    id,
    statements: [onDuplicate === "ignore" ? db.insert(events).values(row).onConflictDoNothing() : db.insert(events).values(row), outboxRow],
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
