import * as v from "valibot";
import { IntText, Line, Slug, Tag } from "../lib/fields";

export const CALENDAR_DEFAULT_LIMIT = 1000;
export const CALENDAR_MAX_LIMIT = 5000;

/** /calendar.ics: the feeds' filters minus the event type (a calendar lists deadlines, not events). */
export const CalendarQuery = v.object({
  agreement: v.optional(Slug),
  commitment: v.optional(Slug),
  tag: v.optional(Tag),
  party: v.optional(Line(200)),
  limit: v.optional(IntText(1, CALENDAR_MAX_LIMIT)),
});
export type CalendarQueryInput = v.InferOutput<typeof CalendarQuery>;
