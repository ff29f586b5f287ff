import { Hono } from "hono";
import * as v from "valibot";
import { DomainError } from "../lib/errors";
import { requireScope } from "../ledger/auth/auth.middleware";
import { baseUrl, type AppEnv } from "../platform/http/context";
import { limitBody } from "../platform/http/middleware";
import { invalidInput, toIssues, validate } from "../platform/http/validate";
import { HUB_PATH } from "../readside/feeds/feeds.service";
import { readWebsubConfig } from "./websub.config";
import { websubQueue } from "./websub.messages";
import { ListWebsubQuery, WebsubRequest } from "../readside/feeds/hub.schemas";
import { listWebsubSubscriptions, requestSubscription, requestView } from "./websub.service";

/** A subscription request is a handful of short fields. */
const HUB_MAX_BYTES = 16 * 1024;
const FORM_TYPE = /^application\/x-www-form-urlencoded$/i;

/**
 * The hub (WebSub §5.1): `POST /websub`, form-encoded. 202 once the request is recorded; the
 * intent check runs from the queue (websub.verify.ts). A bad request is a 4xx in the one error
 * envelope naming each field (`hub.topic`, `hub.callback`, …), and records nothing.
 */
export const websubRoutes = new Hono<AppEnv>()
  .post(HUB_PATH, limitBody(HUB_MAX_BYTES), async (c) => {
    const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim();
    if (!FORM_TYPE.test(type)) {
      throw new DomainError("unsupported_media_type", `send the request form-encoded (application/x-www-form-urlencoded), not '${type || "no type"}'`);
    }
    const form: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(await c.req.text())) if (!(key in form)) form[key] = value;
    const parsed = v.safeParse(WebsubRequest, form);
    if (!parsed.success) throw invalidInput(toIssues(parsed.issues), "subscription request");
    const request = await requestSubscription(c.var.db, parsed.output, {
      now: c.var.now,
      base: baseUrl(c),
      allowPrivateTargets: c.var.config.allowPrivateWebhookTargets,
      websub: readWebsubConfig(c.env),
    });
    // After commit. A lost message costs a delay: the sweep re-sends pending requests.
    try {
      await websubQueue(c.env).send({ kind: "websub.verify", requestIds: [request.id] });
    } catch (error) {
      console.error("websub: could not enqueue the verification; the sweep will", request.id, error);
    }
    return c.json(requestView(request), 202);
  });

/** Operators' view of the hub's subscribers: callbacks can carry credentials, so write scope. */
export const websubApiRoutes = new Hono<AppEnv>()
  .use(requireScope("write"))
  .get("/subscriptions", validate("query", ListWebsubQuery), async (c) =>
    c.json(await listWebsubSubscriptions(c.var.db, c.req.valid("query").limit ?? 50, c.var.now)),
  );
