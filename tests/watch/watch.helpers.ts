/** Helpers for the evidence watch tests: a scripted fetch, a recording queue, the default dataset. */
import { env } from "cloudflare:workers";
import defaultDoc from "../../data/default.json";
import type { PollDeps } from "../../src/watch/poll";
import { createDb } from "../../src/platform/db/client";
import { call } from "../helpers";
import { recordingQueue } from "../alerts/alerts.helpers";

export interface Served {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface ScriptedFetch {
  fetch: PollDeps["fetch"];
  /** Every request: URL and the headers sent. */
  requests: Array<{ url: string; headers: Record<string, string> }>;
  /** What each URL answers; a function sees the request headers. */
  routes: Map<string, Served | ((headers: Record<string, string>) => Served)>;
}

export function scriptedFetch(): ScriptedFetch {
  const requests: ScriptedFetch["requests"] = [];
  const routes: ScriptedFetch["routes"] = new Map();
  const fetch: PollDeps["fetch"] = async (input, init) => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    requests.push({ url: input, headers });
    const route = routes.get(input);
    if (!route) throw new TypeError("Network connection lost.");
    const served = typeof route === "function" ? route(headers) : route;
    return new Response(served.status === 304 ? null : (served.body ?? ""), { status: served.status ?? 200, headers: served.headers ?? {} });
  };
  return { fetch, requests, routes };
}

export function pollDeps(fetch: PollDeps["fetch"], now: () => number = Date.now) {
  const deliveries = recordingQueue();
  const deps: PollDeps = { db: createDb(env.DB), fetch, deliveries, allowPrivate: false, clock: now };
  return { deps, deliveries };
}

let imported = false;
/** Loads data/default.json once per file (the import is idempotent anyway). */
export async function importDefaultDataset(): Promise<void> {
  if (imported) return;
  const res = await call("POST", "/api/v1/import", { body: defaultDoc });
  if (res.status !== 200) throw new Error(`import: ${res.status} ${await res.text()}`);
  imported = true;
}

export const CHARTER = "az-us-strategic-partnership-charter";

export function rss(items: Array<{ title: string; link: string; description?: string; guid?: string; pubDate?: string }>): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Ministry news</title><link>https://mfa.example/</link><description>News</description>
${items
  .map(
    (i) =>
      `<item><title>${esc(i.title)}</title><link>${esc(i.link)}</link>${i.description ? `<description>${esc(i.description)}</description>` : ""}${i.guid ? `<guid isPermaLink="false">${esc(i.guid)}</guid>` : ""}<pubDate>${i.pubDate ?? "Mon, 30 Nov 2026 10:00:00 GMT"}</pubDate></item>`,
  )
  .join("\n")}
</channel></rss>`;
}

export async function createSource(body: Record<string, unknown>) {
  const res = await call("POST", "/api/v1/sources", { body });
  if (res.status !== 201) throw new Error(`createSource: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
}

export async function proposalsFor(commitment: string) {
  const res = await call("GET", `/api/v1/proposals?commitment=${commitment}`);
  return ((await res.json()) as any).items as any[];
}
