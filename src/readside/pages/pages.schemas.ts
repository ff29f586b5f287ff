import * as v from "valibot";
import { Line } from "../../lib/fields";

/** /badges/:commitment.svg?show=progress&label=… ; unknown parameters are ignored (embedders add their own). */
export const BadgeQuery = v.object({
  show: v.optional(v.picklist(["timeliness", "progress"], "must be 'timeliness' or 'progress'")),
  label: v.optional(Line(40)),
});
