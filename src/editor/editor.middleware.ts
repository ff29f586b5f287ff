/**
 * The editor's HTTP plumbing: the session cookie, the signed-in check, the two CSRF defences
 * (Hono's origin check and the per-session form token), and the headers of every editor answer.
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../platform/http/context";
import { SESSION_ABSOLUTE_MS, findSession, formTokenMatches, type Session } from "../ledger/auth/sessions.service";
import type { FormFields } from "./editor.forms";
import { IMPORT_MAX_BYTES } from "../ledger/transfer/transfer.schemas";
import { ForbiddenPage } from "./editor.views";

export type EditorEnv = {
  Bindings: Env;
  Variables: AppEnv["Variables"] & { session: Session | null; sessionId: string | null; form: FormFields };
};
export type EditorContext = Context<EditorEnv>;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * `__Host-pw_session` (Secure, so https only) everywhere but plain-http loopback in development,
 * where browsers would drop a Secure cookie: there the cookie is `pw_session` without Secure.
 */
export function cookieSettings(c: Context) {
  const url = new URL(c.req.url);
  const devHttp = url.protocol === "http:" && LOOPBACK.has(url.hostname);
  return { name: devHttp ? "pw_session" : "__Host-pw_session", secure: !devHttp };
}

export function setSessionCookie(c: Context, sessionId: string) {
  const { name, secure } = cookieSettings(c);
  setCookie(c, name, sessionId, {
    httpOnly: true,
    secure,
    sameSite: "Lax",
    path: "/",
    maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000),
  });
}

export function clearSessionCookie(c: Context) {
  const { name, secure } = cookieSettings(c);
  deleteCookie(c, name, { path: "/", secure, httpOnly: true, sameSite: "Lax" });
}

/** Reads the session if there is a live one; a dead cookie is cleared. Never refuses. */
export const loadSession = createMiddleware<EditorEnv>(async (c, next) => {
  const id = getCookie(c, cookieSettings(c).name);
  const session = id ? await findSession(c.var.db, id, c.var.now) : null;
  c.set("session", session);
  c.set("sessionId", session ? id! : null);
  if (id && !session) clearSessionCookie(c);
  await next();
});

/** Editor pages need a live session: otherwise to the sign-in form, back here afterwards. */
export const requireSession = createMiddleware<EditorEnv>(async (c, next) => {
  if (!c.var.session) {
    const hadCookie = getCookie(c, cookieSettings(c).name) !== undefined;
    const back = c.req.method === "GET" ? new URL(c.req.url).pathname : "/editor";
    const query = new URLSearchParams({ next: back, ...(hadCookie ? { ended: "1" } : {}) });
    return c.redirect(`/login?${query}`, 303);
  }
  await next();
});

const forbidden = (c: EditorContext, why: string) => c.html(`<!DOCTYPE html>${ForbiddenPage({ why })}`, 403);

/**
 * Hono's csrf(): a form POST must come from this origin (Origin or Sec-Fetch-Site), else 403
 * with an HTML page. Covers /login too, where there is no session and so no form token yet.
 */
const originCheck = csrf();
export const sameOrigin = createMiddleware<EditorEnv>(async (c, next) => {
  try {
    await originCheck(c, async () => {});
  } catch (error) {
    if (error instanceof HTTPException && error.status === 403) return forbidden(c, "This form was sent from another site.");
    throw error;
  }
  await next();
});

/**
 * Form posts are small (64 KB); a larger body is refused before it is read. Two forms carry a
 * document: the import (a pledgewatch/v1 file, up to 5 MB) and "Paste a statement" (up to 100 KB
 * of text, which form encoding can triple: each byte of a non-ASCII character is %XX; the drafts
 * schema holds the text itself to 100 KB).
 */
const FORM_MAX_BYTES = 64 * 1024;
export const IMPORT_FORM_PATH = "/editor/import";
const PASTE_PATH = /^\/editor\/agreements\/[^/]+\/drafts$/;
const limitFor = (path: string) => (path === IMPORT_FORM_PATH ? IMPORT_MAX_BYTES + FORM_MAX_BYTES : PASTE_PATH.test(path) ? 512 * 1024 : FORM_MAX_BYTES);
const limits = new Map(
  [FORM_MAX_BYTES, 512 * 1024, IMPORT_MAX_BYTES + FORM_MAX_BYTES].map((maxSize) => [
    maxSize,
    bodyLimit({ maxSize, onError: (c) => c.text(`The form is larger than ${Math.round(maxSize / 1024)} KB.`, 413) }),
  ]),
);

/**
 * Reads an urlencoded or multipart form into c.var.form: every value of each name, as text (an
 * uploaded file as its UTF-8 text; only the import form has a file field).
 */
export const readForm = createMiddleware<EditorEnv>((c, next) =>
  limits.get(limitFor(c.req.path))!(c, async () => {
    const type = c.req.header("Content-Type") ?? "";
    const fields: FormFields = {};
    if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
      const body = await c.req.parseBody({ all: true });
      for (const [name, value] of Object.entries(body)) {
        const values = Array.isArray(value) ? value : [value];
        fields[name] = await Promise.all(values.map((x) => (typeof x === "string" ? x : x.text())));
      }
    }
    c.set("form", fields);
    await next();
  }),
);

/** Every state-changing form of a session carries its form token: 403 and nothing written otherwise. */
export const formTokenRefusal = async (c: EditorContext): Promise<Response | null> =>
  (await formTokenMatches(c.var.session!, c.var.form.form_token?.[0]))
    ? null
    : forbidden(c, "This form is missing its security token or it is out of date. Go back, reload the page and try again.");

/** For editor POSTs: read the form, then refuse it without the session's form token. */
export const checkedForm = createMiddleware<EditorEnv>(async (c, next) => {
  if (c.req.method !== "POST") return next();
  return readForm(c, async () => {
    const refusal = await formTokenRefusal(c);
    if (refusal) {
      c.res = refusal;
      return;
    }
    await next();
  });
});

/**
 * Editor answers are personal: `private, no-store` (never cached, never in the read-side memo).
 * The pages' CSP, but forms may post to this origin.
 */
export const editorHeaders = [
  createMiddleware<EditorEnv>(async (c, next) => {
    await next();
    c.res.headers.set("Cache-Control", "private, no-store");
    c.res.headers.append("Vary", "Cookie");
  }),
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      // editor.script.ts: the copy button next to a secret shown once. No inline script.
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: "DENY",
    referrerPolicy: "same-origin",
  }),
] as const;

/** The client address failed sign-ins are counted by (Cloudflare sets CF-Connecting-IP). */
export const clientKey = (c: Context) => c.req.header("CF-Connecting-IP") ?? "unknown";
