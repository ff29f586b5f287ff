/** Fixtures for the hub's tests: a recording queue, a scripted callback (injected fetch), hub deps with a clock. */
import { env } from "cloudflare:workers";
import { readConfig } from "../../src/platform/config";
import type { WebsubMessage, WebsubQueue } from "../../src/websub/websub.messages";
import type { HubDeps } from "../../src/websub/websub.verify";
import { call, db } from "../helpers";

export interface RecordingWebsubQueue extends WebsubQueue {
  messages: Array<{ body: WebsubMessage; delaySeconds?: number }>;
}

export function recordingWebsubQueue(): RecordingWebsubQueue {
  const q: RecordingWebsubQueue = {
    messages: [],
    async send(body, options) {
      q.messages.push({ body, delaySeconds: options?.delaySeconds });
    },
    async sendBatch(batch) {
      const list = [...batch];
      if (list.length > 100) throw new Error("sendBatch: more than 100 messages");
      q.messages.push(...list);
    },
  };
  return q;
}

export interface CallbackCall {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/**
 * A subscriber's callback as an injected fetch. By default it confirms every intent (echoes
 * hub.challenge) and accepts every distribution with 204; `answer` overrides either.
 */
export function scriptedCallback(answer?: (req: CallbackCall) => Response | undefined) {
  const calls: CallbackCall[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const c: CallbackCall = { method: request.method, url: new URL(request.url), headers: request.headers, body: await request.text() };
    calls.push(c);
    const custom = answer?.(c);
    if (custom) return custom;
    if (c.method === "GET") return new Response(c.url.searchParams.get("hub.challenge") ?? "", { status: 200 });
    return new Response(null, { status: 204 });
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

export function hubDeps(fetch: typeof globalThis.fetch, clock: () => number, limits: Partial<HubDeps["websub"]> = {}): HubDeps & { queue: RecordingWebsubQueue } {
  return {
    db: db(),
    queue: recordingWebsubQueue(),
    fetch,
    config: readConfig({ ...env, WEBHOOK_RETRY_SCHEDULE: "5,300" }),
    websub: { maxPerTopic: 10_000, maxPerCallbackHost: 100, ...limits },
    clock,
    random: () => 0.5,
  };
}

/** POST /websub, form-encoded. */
export function hub(form: Record<string, string>, headers: Record<string, string> = {}) {
  return call("POST", "/websub", {
    token: null,
    body: new URLSearchParams(form).toString(),
    contentType: "application/x-www-form-urlencoded",
    headers,
  });
}

export async function eventIdsOf(commitmentId: string): Promise<string[]> {
  const rows = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ? ORDER BY seq").bind(commitmentId).all<{ id: string }>();
  return rows.results.map((r) => r.id);
}

export async function websubCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ["websub_requests", "websub_subscriptions", "websub_deliveries"]) {
    out[t] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  }
  return out;
}
