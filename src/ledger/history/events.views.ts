/** The API's (and the webhooks') view of a history event. */
import { toIso } from "../../lib/deadline";

export function eventView(e: {
  id: string;
  seq: number;
  type: string;
  commitmentId: string | null;
  agreementId: string | null;
  fromValue: string | null;
  toValue: string | null;
  note: string | null;
  evidenceUrl: string | null;
  actor: string;
  occurredAt: number;
  recordedAt: number;
  data: Record<string, unknown> | null;
}) {
  return {
    id: e.id,
    seq: e.seq,
    type: e.type,
    commitment: e.commitmentId,
    agreement: e.agreementId,
    from: e.fromValue,
    to: e.toValue,
    note: e.note,
    evidence_url: e.evidenceUrl,
    actor: e.actor,
    occurred_at: toIso(e.occurredAt),
    recorded_at: toIso(e.recordedAt),
    data: e.data,
  };
}
