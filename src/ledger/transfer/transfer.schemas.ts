import * as v from "valibot";
import { CreateAgreement } from "../agreements.schemas";
import { CreateCommitment } from "../commitments.schemas";
import { Prose, Slug } from "../../lib/fields";

export const FORMAT = "pledgewatch/v1";
export const MAX_IMPORT_RECORDS = 1000;
/** 5 MB: room for MAX_IMPORT_RECORDS records with long descriptions. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;

export const ImportAgreement = v.strictObject({ ...CreateAgreement.entries, id: Slug });

export const ImportCommitment = v.strictObject({
  ...CreateCommitment.entries,
  id: Slug,
  /** Needed when the import moves a commitment out of a terminal status (reopening). */
  status_note: v.optional(Prose(2000)),
});

/** The import document; GET /export produces exactly this shape. */
export const ImportDocument = v.pipe(
  // valibot's object schemas accept arrays (typeof [] === "object"), and every key here is
  // optional, so without this `[]` would import as an empty document.
  v.custom<Record<string, unknown>>((input) => typeof input === "object" && input !== null && !Array.isArray(input), "must be a JSON object"),
  v.strictObject({
    format: v.optional(v.literal(FORMAT, `must be '${FORMAT}'`)),
    exported_at: v.optional(v.string()),
    agreements: v.optional(v.array(ImportAgreement)),
    commitments: v.optional(v.array(ImportCommitment)),
  }),
  v.check(
    (d) => (d.agreements?.length ?? 0) + (d.commitments?.length ?? 0) <= MAX_IMPORT_RECORDS,
    `at most ${MAX_IMPORT_RECORDS} records per import: split larger documents`,
  ),
);
export type ImportDocumentInput = v.InferOutput<typeof ImportDocument>;
