import * as v from "valibot";
import { DateText, HttpUrl, IntText, Line, NameList, Prose, Slug } from "../lib/fields";

export const AGREEMENT_KINDS = [
  "memorandum",
  "joint_declaration",
  "executive_order",
  "agreement",
  "treaty",
  "letter",
  "statement",
  "law",
  "other",
] as const;

const fields = {
  title: Line(300),
  kind: v.picklist(AGREEMENT_KINDS, `must be one of: ${AGREEMENT_KINDS.join(", ")}`),
  signed_on: v.optional(v.nullable(DateText)),
  /** When it entered into force; deadlines `after: "entry_into_force"` wait until it is set. */
  in_force_on: v.optional(v.nullable(DateText)),
  parties: v.optional(NameList(50, 200)),
  source_url: v.optional(v.nullable(HttpUrl)),
  summary: v.optional(Prose(10_000)),
};

export const CreateAgreement = v.strictObject({ id: v.optional(Slug), ...fields });
export type CreateAgreementInput = v.InferOutput<typeof CreateAgreement>;

export const UpdateAgreement = v.pipe(
  v.strictObject({
    title: v.optional(fields.title),
    kind: v.optional(fields.kind),
    signed_on: fields.signed_on,
    in_force_on: fields.in_force_on,
    parties: fields.parties,
    source_url: fields.source_url,
    summary: fields.summary,
  }),
  v.check((o) => Object.keys(o).length > 0, "give at least one field to change"),
);
export type UpdateAgreementInput = v.InferOutput<typeof UpdateAgreement>;

export const ListAgreementsQuery = v.strictObject({
  limit: v.optional(IntText(1, 200)),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(100))),
});
