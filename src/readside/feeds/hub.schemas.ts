/**
 * The WebSub hub's request schemas. The hub itself is src/websub/ (above the read side); its
 * input schemas live here, beside the feeds it serves, so the OpenAPI document (readside/openapi)
 * describes POST /websub with the very schema the route validates with.
 */
import * as v from "valibot";

/** hub.secret "MUST be less than 200 bytes" (WebSub §5.1). */
export const SECRET_MAX_BYTES = 199;

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/**
 * A subscription request (WebSub §5.1), form-encoded. A plain (not strict) object: parameters
 * the hub does not know, `hub.*` ones included, are ignored (websub.rocks 102). The topic and the
 * callback are checked further by the service (websub.topics.ts, the SSRF guard).
 */
export const WebsubRequest = v.object({
  "hub.mode": v.picklist(["subscribe", "unsubscribe"], "must be subscribe or unsubscribe"),
  "hub.topic": v.pipe(v.string("is required: the URL of one of this service's feeds"), v.minLength(1, "is required: the URL of one of this service's feeds"), v.maxLength(2000, "must be at most 2000 characters")),
  "hub.callback": v.pipe(v.string("is required: the URL the hub calls"), v.minLength(1, "is required: the URL the hub calls"), v.maxLength(2000, "must be at most 2000 characters")),
  "hub.lease_seconds": v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,10}$/, "must be a whole number of seconds"), v.transform(Number)),
  ),
  "hub.secret": v.optional(
    v.pipe(
      v.string(),
      v.minLength(1, "must not be empty (leave it out for unsigned distributions)"),
      v.check((s) => utf8Bytes(s) <= SECRET_MAX_BYTES, `must be less than 200 bytes`),
    ),
  ),
});
export type WebsubRequestInput = v.InferOutput<typeof WebsubRequest>;

export const ListWebsubQuery = v.object({
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,3}$/, "must be a whole number"), v.transform(Number), v.minValue(1, "must be at least 1"), v.maxValue(200, "must be at most 200"))),
});
