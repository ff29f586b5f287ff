import * as v from "valibot";
import { EVENT_TYPES } from "../ledger/history/events.types";
import { IntText, Line, NameList, PeriodText, Slug, Tag, distinctBy } from "../lib/fields";

const WebhookUrl = v.pipe(v.string(), v.maxLength(2048, "must be at most 2048 characters"), v.url("must be an absolute URL"));

const same = (s: string) => s;

const filters = {
  event_types: v.pipe(
    v.array(v.picklist(EVENT_TYPES, `each must be one of: ${EVENT_TYPES.join(", ")}`)),
    v.minLength(1, "give at least one event type, or leave the field out for all"),
  ),
  agreements: v.pipe(v.array(Slug), v.minLength(1, "give at least one, or leave the field out for all"), v.maxLength(100), distinctBy(same)),
  commitments: v.pipe(v.array(Slug), v.minLength(1, "give at least one, or leave the field out for all"), v.maxLength(100), distinctBy(same)),
  tags: v.pipe(v.array(Tag), v.minLength(1, "give at least one, or leave the field out for all"), v.maxLength(50), distinctBy(same)),
  parties: v.pipe(NameList(50, 200), v.minLength(1, "give at least one, or leave the field out for all")),
  /** Repeat commitment.still_overdue this often while a matching commitment stays overdue. */
  remind_every: PeriodText(3_600_000, "one hour"),
};

/** Filters are ANDed across kinds and ORed within one; a missing filter matches everything. */
export const CreateSubscription = v.strictObject({
  url: WebhookUrl,
  description: v.optional(Line(500, 0)),
  event_types: v.optional(filters.event_types),
  agreements: v.optional(filters.agreements),
  commitments: v.optional(filters.commitments),
  tags: v.optional(filters.tags),
  parties: v.optional(filters.parties),
  remind_every: v.optional(filters.remind_every),
});
export type CreateSubscriptionInput = v.InferOutput<typeof CreateSubscription>;

/** `state` pauses or resumes (resuming also re-enables a disabled subscription); null clears a filter. */
export const UpdateSubscription = v.pipe(
  v.strictObject({
    url: v.optional(WebhookUrl),
    description: v.optional(Line(500, 0)),
    state: v.optional(v.picklist(["active", "paused"], "must be 'active' or 'paused'")),
    event_types: v.optional(v.nullable(filters.event_types)),
    agreements: v.optional(v.nullable(filters.agreements)),
    commitments: v.optional(v.nullable(filters.commitments)),
    tags: v.optional(v.nullable(filters.tags)),
    parties: v.optional(v.nullable(filters.parties)),
    remind_every: v.optional(v.nullable(filters.remind_every)),
  }),
  v.check((o) => Object.keys(o).length > 0, "give at least one field to change"),
);
export type UpdateSubscriptionInput = v.InferOutput<typeof UpdateSubscription>;

export const ListSubscriptionsQuery = v.strictObject({
  limit: v.optional(IntText(1, 200)),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(100))),
});

export const ListDeliveriesQuery = v.strictObject({
  state: v.optional(v.picklist(["pending", "succeeded", "failed", "cancelled"], "must be pending, succeeded, failed or cancelled")),
  limit: v.optional(IntText(1, 200)),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(100))),
});
