/** Signing in and posting forms through the worker, as a browser would. */
import { exports } from "cloudflare:workers";
import { BASE } from "../helpers";

export const COOKIE = "__Host-pw_session";

export interface Browser {
  cookie: string | null;
  get(path: string): Promise<Response>;
  post(path: string, fields: Record<string, string | string[]>, opts?: { origin?: string | null; formToken?: boolean }): Promise<Response>;
  formToken(): Promise<string>;
}

export function browser(): Browser {
  const b: Browser = {
    cookie: null,
    async get(path) {
      const res = await exports.default.fetch(new Request(`${BASE}${path}`, { headers: b.cookie ? { cookie: b.cookie } : {}, redirect: "manual" }));
      keepCookie(res);
      return res;
    },
    async post(path, fields, opts = {}) {
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
      if (opts.formToken !== false && b.cookie && !("form_token" in fields)) form.append("form_token", await b.formToken());
      const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
      const origin = opts.origin === undefined ? BASE : opts.origin;
      if (origin !== null) headers.origin = origin;
      if (b.cookie) headers.cookie = b.cookie;
      const res = await exports.default.fetch(new Request(`${BASE}${path}`, { method: "POST", headers, body: form, redirect: "manual" }));
      keepCookie(res);
      return res;
    },
    async formToken() {
      const html = await (await b.get("/editor")).text();
      const m = /name="form_token" value="([^"]+)"/.exec(html);
      if (!m) throw new Error(`no form token on /editor: ${html.slice(0, 300)}`);
      return m[1]!;
    },
  };
  const keepCookie = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, value] = pair!.split("=");
      if (name !== COOKIE) continue;
      b.cookie = value ? `${COOKIE}=${value}` : null;
      if (/Max-Age=0/i.test(line)) b.cookie = null;
    }
  };
  return b;
}

export async function signedIn(token: string): Promise<Browser> {
  const b = browser();
  const res = await b.post("/login", { token, next: "/editor" });
  if (res.status !== 303 || !b.cookie) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return b;
}

/** The message shown beside a field (the element with id `<field>-error`). */
export function fieldError(html: string, field: string): string | null {
  const m = new RegExp(`id="${field}-error"[^>]*>([\\s\\S]*?)</p>`).exec(html);
  return m ? m[1]!.replace(/<[^>]+>/g, "").replace(/^Error: /, "").trim() : null;
}

/** The value attribute of an input, or a textarea's text. */
export function fieldValue(html: string, field: string): string | null {
  const input = new RegExp(`<input[^>]*id="${field}"[^>]*>`).exec(html)?.[0];
  if (input) return /value="([^"]*)"/.exec(input)?.[1] ?? "";
  const area = new RegExp(`<textarea[^>]*id="${field}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  return area ? area[1]! : null;
}
