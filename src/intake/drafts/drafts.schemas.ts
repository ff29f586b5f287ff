import * as v from "valibot";
import { DateText, HttpUrl, IntText, Line, NameList, Prose, Slug } from "../../lib/fields";
import { CreateCommitment } from "../../ledger/commitments.schemas";

/** The largest statement read at once: 100 KB of UTF-8. */
export const MAX_TEXT_BYTES = 100 * 1024;
/** Prose's checks (well-formed, no control or bidi characters, not only invisible) on any length. */
const PROSE = Prose(MAX_TEXT_BYTES);

/**
 * The pasted statement, kept exactly as given (not trimmed: the drafts' spans index into it).
 * The same checks as every other text field, by running them rather than restating them.
 */
export const StatementText = v.pipe(
  v.string("must be the statement's text"),
  v.check((s) => s.trim() !== "", "must not be empty: paste the statement's text"),
  v.check((s) => new TextEncoder().encode(s).length <= MAX_TEXT_BYTES, `must be at most 100 KB (${MAX_TEXT_BYTES} bytes of UTF-8): paste it in parts`),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const parsed = v.safeParse(PROSE, dataset.value);
    if (!parsed.success) addIssue({ message: parsed.issues[0]!.message });
  }),
);

export const CreateDrafts = v.strictObject({
  text: StatementText,
  /** The agreement the statement is about; its signing date, parties and source are the defaults. */
  agreement: v.optional(Slug),
  signed_on: v.optional(DateText),
  parties: v.optional(NameList(50, 200)),
  /** Where the statement was published: the accepted commitment's first evidence link. */
  source_url: v.optional(HttpUrl),
});
export type CreateDraftsInput = v.InferOutput<typeof CreateDrafts>;

const { agreement: _a, title: _t, status: _s, status_changed_at: _sc, ...overridable } = CreateCommitment.entries;

/** Accepting: the agreement (required when the batch had none) and any field of the commitment. */
export const AcceptDraft = v.strictObject({
  agreement: v.optional(Slug),
  title: v.optional(Line(300)),
  ...overridable,
});
export type AcceptDraftInput = v.InferOutput<typeof AcceptDraft>;

export const RejectDraft = v.strictObject({ reason: v.optional(Line(2000)) });
export type RejectDraftInput = v.InferOutput<typeof RejectDraft>;

export const DRAFT_STATUSES = ["pending", "accepted", "rejected"] as const;
const DraftId = v.pipe(v.string(), v.regex(/^(?:dft|drb)_[0-9A-Z]{26}$/, "must be an id from a previous answer"));

export const ListDraftsQuery = v.strictObject({
  batch: v.optional(DraftId),
  status: v.optional(v.picklist(DRAFT_STATUSES, `must be one of: ${DRAFT_STATUSES.join(", ")}`)),
  limit: v.optional(IntText(1, 200)),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^drb_[0-9A-Z]{26}\.\d{1,6}$/, "must be a cursor from a previous page"))),
});
export type ListDraftsQueryInput = v.InferOutput<typeof ListDraftsQuery>;
