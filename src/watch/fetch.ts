/**
 * Fetching a source on a user's say-so: every URL (the source's and every redirect hop's) passes
 * the one SSRF guard (platform/ssrf.ts), redirects are followed by hand (at most MAX_REDIRECTS,
 * each hop a subrequest), the whole exchange has a timeout, and the body is read up to a size cap
 * and refused past it. Conditional GET: the caller's validators are sent, 304 comes back as such.
 */
import { checkTarget } from "../platform/ssrf";

export const MAX_REDIRECTS = 3;
/** The largest body read: 2 MiB. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const FETCH_TIMEOUT_MS = 15_000;

export type Fetcher = (input: string, init: RequestInit) => Promise<Response>;

export interface FetchOptions {
  allowPrivate: boolean;
  etag?: string | null;
  lastModified?: string | null;
  timeoutMs?: number;
  maxBytes?: number;
}

export type FetchOutcome =
  | { kind: "not_modified"; status: 304; url: string }
  | { kind: "ok"; status: number; url: string; body: string; contentType: string; etag: string | null; lastModified: string | null }
  | { kind: "failed"; status: number | null; error: string };

/** Reads at most `max` bytes of `body`; null when it is longer. */
async function readCapped(res: Response, max: number): Promise<Uint8Array | null> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    return null;
  }
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export async function fetchSource(fetcher: Fetcher, url: string, options: FetchOptions): Promise<FetchOutcome> {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const signal = AbortSignal.timeout(options.timeoutMs ?? FETCH_TIMEOUT_MS);
  const headers: Record<string, string> = {
    accept: "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, text/html;q=0.9, application/xml;q=0.8, */*;q=0.5",
    "user-agent": "pledgewatch-evidence-watch/1 (+https://github.com/pledgewatch)",
  };
  if (options.etag) headers["if-none-match"] = options.etag;
  if (options.lastModified) headers["if-modified-since"] = options.lastModified;
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const check = checkTarget(current, options.allowPrivate);
      if (!check.ok) return { kind: "failed", status: null, error: `refused ${hop === 0 ? "source" : "redirect"} URL: ${check.reason}` };
      current = check.url.href;
      const res = await fetcher(current, { method: "GET", headers, redirect: "manual", signal });
      if (res.status === 304) {
        await res.body?.cancel();
        return { kind: "not_modified", status: 304, url: current };
      }
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        const location = res.headers.get("location");
        if (!location) return { kind: "failed", status: res.status, error: "redirect without a Location header" };
        if (hop >= MAX_REDIRECTS) return { kind: "failed", status: res.status, error: `more than ${MAX_REDIRECTS} redirects` };
        current = new URL(location, current).href;
        continue;
      }
      if (res.status < 200 || res.status >= 300) {
        await res.body?.cancel();
        return { kind: "failed", status: res.status, error: `HTTP ${res.status}` };
      }
      const bytes = await readCapped(res, maxBytes);
      if (bytes === null) return { kind: "failed", status: res.status, error: `the body is larger than ${maxBytes} bytes` };
      return {
        kind: "ok",
        status: res.status,
        url: current,
        body: new TextDecoder("utf-8").decode(bytes),
        contentType: res.headers.get("content-type") ?? "",
        etag: res.headers.get("etag"),
        lastModified: res.headers.get("last-modified"),
      };
    }
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { kind: "failed", status: null, error: timedOut ? "timed out" : `network error: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300) };
  }
}
