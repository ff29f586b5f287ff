/**
 * The webhook body: `{ type, timestamp, data }` (Standard Webhooks), with the event, the
 * commitment and its agreement as the API shows them, and links. Kept under 20 KB by trimming the
 * long free-text fields first.
 */
import { agreementView } from "../ledger/agreements.service";
import type { AgreementRow } from "../ledger/agreements.table";
import type { CommitmentWithDeps } from "../ledger/commitments.repo";
import { eventView, toView, type ReadContext } from "../ledger/commitments.service";
import type { EventRow } from "../ledger/history/events.table";
import { toIso } from "../lib/deadline";

export const MAX_PAYLOAD_BYTES = 20 * 1024;

export interface PayloadParts {
  event: EventRow;
  commitment: CommitmentWithDeps | null;
  agreement: AgreementRow | null;
  /** Origin for links ("" = relative links). */
  base: string;
}

const encoder = new TextEncoder();
const size = (s: string) => encoder.encode(s).length;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function buildPayload(parts: PayloadParts, ctx: ReadContext): string {
  const { event, base } = parts;
  const commitment = parts.commitment ? toView(parts.commitment, ctx) : null;
  const agreement = parts.agreement ? agreementView(parts.agreement) : null;
  const links: Record<string, string> = {};
  if (commitment) {
    links.commitment_page = `${base}/commitments/${commitment.id}`;
    links.commitment = `${base}/api/v1/commitments/${commitment.id}`;
    links.history = `${base}/api/v1/commitments/${commitment.id}/events`;
  }
  if (agreement) {
    links.agreement_page = `${base}/agreements/${agreement.id}`;
    links.agreement = `${base}/api/v1/agreements/${agreement.id}`;
  }
  const body = {
    type: event.type,
    timestamp: toIso(event.recordedAt),
    data: { event: eventView(event), commitment, agreement, links },
  };
  let text = JSON.stringify(body);
  if (size(text) <= MAX_PAYLOAD_BYTES) return text;
  // Too large: shorten free text, then drop the edit details (the event id leads to them).
  if (body.data.commitment) body.data.commitment.description = truncate(body.data.commitment.description, 1000);
  if (body.data.agreement) body.data.agreement.summary = truncate(body.data.agreement.summary, 1000);
  text = JSON.stringify(body);
  if (size(text) <= MAX_PAYLOAD_BYTES) return text;
  body.data.event = { ...body.data.event, data: { truncated: true } };
  if (body.data.commitment) {
    body.data.commitment = { ...body.data.commitment, description: "", evidence: body.data.commitment.evidence.slice(0, 5) };
  }
  return JSON.stringify(body);
}
