import * as v from "valibot";
import { IntText, NameList, PeriodText, Slug, distinctBy } from "../lib/fields";

const SourceUrl = v.pipe(v.string(), v.maxLength(2048, "must be at most 2048 characters"), v.url("must be an absolute URL"));
const same = (s: string) => s;

const scope = {
  agreements: v.pipe(v.array(Slug), v.minLength(1, "give at least one, or leave the field out for all"), v.maxLength(100), distinctBy(same)),
  parties: v.pipe(NameList(50, 200), v.minLength(1, "give at least one, or leave the field out for all")),
  keywords: v.pipe(NameList(50, 100), v.minLength(1, "give at least one, or leave the field out for all")),
};

/** How often a source is polled: at least every 5 minutes (the cron period) apart. */
const Every = PeriodText(5 * 60_000, "five minutes (PT5M)");

/** A feed or page to watch. `agreements`/`parties` limit the commitments its items are matched against; `keywords` the items. */
export const CreateSource = v.strictObject({
  url: SourceUrl,
  kind: v.picklist(["feed", "page"], "must be 'feed' or 'page'"),
  agreements: v.optional(scope.agreements),
  parties: v.optional(scope.parties),
  keywords: v.optional(scope.keywords),
  every: v.optional(Every),
});
export type CreateSourceInput = v.InferOutput<typeof CreateSource>;

/** null clears a filter; `state` pauses or resumes polling. */
export const UpdateSource = v.pipe(
  v.strictObject({
    url: v.optional(SourceUrl),
    kind: v.optional(CreateSource.entries.kind),
    agreements: v.optional(v.nullable(scope.agreements)),
    parties: v.optional(v.nullable(scope.parties)),
    keywords: v.optional(v.nullable(scope.keywords)),
    every: v.optional(Every),
    state: v.optional(v.picklist(["active", "paused"], "must be 'active' or 'paused'")),
  }),
  v.check((o) => Object.keys(o).length > 0, "give at least one field to change"),
);
export type UpdateSourceInput = v.InferOutput<typeof UpdateSource>;

export const ListSourcesQuery = v.strictObject({
  limit: v.optional(IntText(1, 200)),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(100))),
});

export const DEFAULT_EVERY = "PT1H";

