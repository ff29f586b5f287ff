import * as v from "valibot";
import { Evidence, Status } from "../ledger/commitments.schemas";
import { IntText, Line, Prose, Slug } from "../lib/fields";

export const PROPOSAL_STATES = ["open", "accepted", "dismissed"] as const;

export const ListProposalsQuery = v.strictObject({
  state: v.optional(v.picklist(PROPOSAL_STATES, `must be one of: ${PROPOSAL_STATES.join(", ")}`)),
  commitment: v.optional(Slug),
  limit: v.optional(IntText(1, 200)),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(100))),
});

/**
 * Accepting applies the evidence (the item, unless `evidence` gives another link) and, when
 * given, `status`, through the ledger's write path. Without a status it records a verification.
 */
export const AcceptProposal = v.strictObject({
  status: v.optional(Status),
  note: v.optional(Prose(2000)),
  evidence: v.optional(Evidence),
});
export type AcceptProposalInput = v.InferOutput<typeof AcceptProposal>;

export const DismissProposal = v.strictObject({
  reason: v.optional(Line(2000)),
});
export type DismissProposalInput = v.InferOutput<typeof DismissProposal>;
