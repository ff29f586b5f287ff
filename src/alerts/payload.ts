/**
 * The webhook body: `{ type, timestamp, data }` (Standard Webhooks), with the event, the
 * commitment and its agreement as the API shows them, and links. Kept within 20 KB (SHRINK below).
 */
import { agreementView } from "../ledger/agreements.service";
import type { AgreementRow } from "../ledger/agreements.table";
import type { CommitmentWithDeps } from "../ledger/commitments.repo";
import { eventView } from "../ledger/history/events.views";
import { toView } from "../ledger/commitments.views";
import { type ReadContext } from "../ledger/ledger.context";
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

/** At most `max` UTF-16 units, ending in "…", never splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

type Body = {
  type: string;
  timestamp: string;
  data: {
    event: ReturnType<typeof eventView>;
    commitment: ReturnType<typeof toView> | null;
    agreement: ReturnType<typeof agreementView> | null;
    links: Record<string, string>;
    truncated?: string[];
  };
};

/**
 * Ways to shrink a body, mildest first; each records the fields it shortened or emptied in
 * `data.truncated`, so a receiver knows to follow `data.links` for the whole record.
 * After the third step a body holds only bounded fields (titles ≤ 300 characters, ids, tags,
 * at most 50 dependency ids, a 500-character note); the last step empties even those lists.
 */
const SHRINK: Array<(d: Body["data"], cut: (path: string) => void) => void> = [
  // 1. Shorten the long free text.
  (d, cut) => {
    if (d.commitment && d.commitment.description.length > 1000) {
      d.commitment.description = truncate(d.commitment.description, 1000);
      cut("commitment.description");
    }
    if (d.agreement && d.agreement.summary.length > 1000) {
      d.agreement.summary = truncate(d.agreement.summary, 1000);
      cut("agreement.summary");
    }
  },
  // 2. Drop the edit details (the event id and the history link lead to them) and the free text.
  (d, cut) => {
    if (d.event.data !== null) {
      d.event = { ...d.event, data: { truncated: true } };
      cut("event.data");
    }
    if (d.commitment?.description) {
      d.commitment.description = "";
      cut("commitment.description");
    }
    if (d.agreement?.summary) {
      d.agreement.summary = "";
      cut("agreement.summary");
    }
  },
  // 3. Ids instead of embedded lists: names and links are left out; the links fetch them.
  (d, cut) => {
    if (d.commitment && d.commitment.evidence.length > 0) {
      d.commitment.evidence = [];
      cut("commitment.evidence");
    }
    if (d.commitment && d.commitment.parties.length > 0) {
      d.commitment.parties = [];
      cut("commitment.parties");
    }
    if (d.agreement && d.agreement.parties.length > 0) {
      d.agreement.parties = [];
      cut("agreement.parties");
    }
    if (d.event.note !== null && d.event.note.length > 500) {
      d.event.note = truncate(d.event.note, 500);
      cut("event.note");
    }
  },
  // 4. The last resort: nothing but ids, states and dates.
  (d, cut) => {
    if (d.commitment && (d.commitment.depends_on.length > 0 || d.commitment.tags.length > 0)) {
      d.commitment.depends_on = [];
      d.commitment.tags = [];
      cut("commitment.depends_on");
      cut("commitment.tags");
    }
    if (d.event.note !== null || d.event.evidence_url !== null) {
      d.event.note = null;
      d.event.evidence_url = null;
      cut("event.note");
      cut("event.evidence_url");
    }
  },
];

/**
 * The body as JSON, at most MAX_PAYLOAD_BYTES (the README's documented bound): shrunk step by
 * step (SHRINK) until it fits; `data.truncated` names what was left out.
 */
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
  const body: Body = {
    type: event.type,
    timestamp: toIso(event.recordedAt),
    data: { event: eventView(event), commitment, agreement, links },
  };
  let text = JSON.stringify(body);
  const truncated = new Set<string>();
  for (const shrink of SHRINK) {
    if (size(text) <= MAX_PAYLOAD_BYTES) break;
    shrink(body.data, (path) => truncated.add(path));
    if (truncated.size > 0) body.data.truncated = [...truncated];
    text = JSON.stringify(body);
  }
  return text;
}
