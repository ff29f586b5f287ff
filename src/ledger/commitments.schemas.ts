import * as v from "valibot";
import { DateText, DurationText, HttpUrl, InstantText, Line, NameList, PeriodText, Prose, Slug, Tag, TagList, TimeZone, ChoiceList, IntText, distinctBy } from "../lib/fields";
import { PROGRESS, TIMELINESS } from "./commitments.rules";

const DEADLINE_KEYS = ["due_on", "due_at", "within"] as const;

/**
 * What a `within` deadline counts from: "signing" (the default), "entry_into_force", or the day
 * another commitment is met.
 */
export const DeadlineAnchorInput = v.union(
  [
    v.picklist(["signing", "entry_into_force"]),
    v.strictObject({
      commitment: Slug,
      when: v.literal("met", "must be 'met' (the day that commitment reaches fulfilled or partially fulfilled)"),
    }),
  ],
  "must be 'signing', 'entry_into_force' or { commitment: '<id>', when: 'met' }",
);

/**
 * A deadline: exactly one of `due_on` (a date: the end of that day in the commitment's zone),
 * `due_at` (an instant), or `within` (a duration from `from`, or `after` an anchor: the
 * agreement's signing (the default), its entry into force, or another commitment being met),
 * plus an optional `grace` period. `null` = open-ended.
 */
export const DeadlineInput = v.pipe(
  v.strictObject({
    due_on: v.optional(DateText),
    due_at: v.optional(InstantText),
    within: v.optional(DurationText),
    from: v.optional(DateText),
    after: v.optional(DeadlineAnchorInput),
    grace: v.optional(DurationText),
  }),
  v.check(
    (d) => DEADLINE_KEYS.filter((k) => d[k] !== undefined).length === 1,
    "give exactly one of due_on, due_at or within",
  ),
  v.check((d) => d.from === undefined || d.within !== undefined, "'from' only goes with 'within'"),
  v.check((d) => d.after === undefined || d.within !== undefined, "'after' only goes with 'within'"),
  v.check((d) => d.after === undefined || d.from === undefined, "give 'from' (a date) or 'after' (an event), not both"),
);

export const Evidence = v.strictObject({
  url: HttpUrl,
  title: v.optional(Line(300)),
});

export const Status = v.picklist(PROGRESS, `must be one of: ${PROGRESS.join(", ")}`);

const commitmentFields = {
  title: Line(300),
  description: v.optional(Prose(10_000)),
  parties: v.optional(NameList(50, 200)),
  tags: v.optional(TagList(30)),
  /** Extra words the evidence watch matches on (names, acronyms the text may not use). */
  keywords: v.optional(NameList(30, 100)),
  /** How often someone should check it (default VERIFY_EVERY, P30D); null = never stale. */
  verify_every: v.optional(v.nullable(PeriodText(3_600_000, "one hour"))),
  evidence: v.optional(v.pipe(v.array(Evidence), v.maxLength(50, "must have at most 50 items"), distinctBy((e: { url: string }) => new URL(e.url).href))),
  depends_on: v.optional(v.pipe(v.array(Slug), v.maxLength(50, "must have at most 50 items"))),
  time_zone: v.optional(TimeZone),
  deadline: v.optional(v.nullable(DeadlineInput)),
};

export const CreateCommitment = v.strictObject({
  id: v.optional(Slug),
  agreement: Slug,
  ...commitmentFields,
  status: v.optional(Status),
  /** When the initial status was reached, if not now (e.g. fulfilled on the signing day). */
  status_changed_at: v.optional(InstantText),
});
export type CreateCommitmentInput = v.InferOutput<typeof CreateCommitment>;

export const UpdateCommitment = v.pipe(
  v.strictObject({
    title: v.optional(commitmentFields.title),
    description: commitmentFields.description,
    parties: commitmentFields.parties,
    tags: commitmentFields.tags,
    keywords: commitmentFields.keywords,
    verify_every: commitmentFields.verify_every,
    evidence: commitmentFields.evidence,
    depends_on: commitmentFields.depends_on,
    time_zone: commitmentFields.time_zone,
    deadline: commitmentFields.deadline,
    /** Why the deadline changed: required when it does (kept in the deadline_changed event). */
    reason: v.optional(Line(2000)),
  }),
  v.check((o) => Object.keys(o).some((k) => k !== "reason"), "give at least one field to change"),
);
export type UpdateCommitmentInput = v.InferOutput<typeof UpdateCommitment>;

export const ChangeStatus = v.strictObject({
  status: Status,
  note: v.optional(Prose(2000)),
  evidence_url: v.optional(HttpUrl),
  /** The evidence link's title (default "Evidence for '<status>'"); ignored without evidence_url. */
  evidence_title: v.optional(Line(300)),
  occurred_at: v.optional(InstantText),
});
export type ChangeStatusInput = v.InferOutput<typeof ChangeStatus>;

export const ListCommitmentsQuery = v.strictObject({
  status: v.optional(ChoiceList(PROGRESS)),
  timeliness: v.optional(ChoiceList(TIMELINESS)),
  agreement: v.optional(Slug),
  tag: v.optional(Tag),
  party: v.optional(Line(200)),
  q: v.optional(Line(200)),
  limit: v.optional(IntText(1, 200)),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(500))),
});
export type ListCommitmentsQueryInput = v.InferOutput<typeof ListCommitmentsQuery>;

export const ListEventsQuery = v.strictObject({
  limit: v.optional(IntText(1, 200)),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, "must be a cursor from a previous page"))),
});

/** "Checked, nothing changed" (or: checked, here is evidence), recorded as commitment.verified. */
export const VerifyCommitment = v.strictObject({
  note: v.optional(Prose(2000)),
  evidence: v.optional(Evidence),
});
export type VerifyCommitmentInput = v.InferOutput<typeof VerifyCommitment>;
