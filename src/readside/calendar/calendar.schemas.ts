import * as v from "valibot";
import { READ_FILTERS } from "../feeds/feeds.schemas";
import { IntText } from "../../lib/fields";

export const CALENDAR_DEFAULT_LIMIT = 1000;
export const CALENDAR_MAX_LIMIT = 5000;

/** /calendar.ics: the feeds' filters minus the event type (a calendar lists deadlines, not events). */
export const CalendarQuery = v.object({
  ...READ_FILTERS,
  limit: v.optional(IntText(1, CALENDAR_MAX_LIMIT)),
});
export type CalendarQueryInput = v.InferOutput<typeof CalendarQuery>;
