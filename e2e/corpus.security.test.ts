/**
 * Security corpus (npm run test:faults, and npm test): hostile webhook targets against
 * POST /api/v1/subscriptions, bodies that are not UTF-8 or declare another charset on every
 * write route, conditional requests for things that do not exist, the headers every answer
 * must carry, and what the log keeps of a URL. Against the real worker under `wrangler dev`,
 * with ALLOW_PRIVATE_WEBHOOK_TARGETS=false as in production.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startWorker, type WorkerHandle } from "./harness";

let worker: WorkerHandle;
const AGR = "security-agreement";
const COM = "security-commitment";

beforeAll(async () => {
  worker = await startWorker({ vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "false" } });
  expect((await worker.api("POST", "/api/v1/agreements", { id: AGR, title: "Security", kind: "memorandum" })).status).toBe(201);
  expect((await worker.api("POST", "/api/v1/commitments", { id: COM, agreement: AGR, title: "Hold" })).status).toBe(201);
});

afterAll(async () => {
  await worker?.stop();
});

const SSRF_TARGETS = [
  "https://[::127.0.0.1]/hook",
  "https://[::7f00:1]/hook",
  "https://[::ffff:7f00:1]/hook",
  "https://[0:0:0:0:0:ffff:127.0.0.1]/hook",
  "https://[::a9fe:a9fe]/hook",
  "https://[64:ff9b::7f00:1]/hook",
  "https://[64:ff9b:1::a00:1]/hook",
  "https://[2002:c0a8:101::1]/hook",
  "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
  "https://[2001:db8::1]/hook",
  "https://[fe80::1%25eth0]/hook",
  "https://[fc00::1]/hook",
  "https://[fec0::1]/hook",
  "https://[100::1]/hook",
  "https://[4000::1]/hook",
  "https://[ff0e::1]/hook",
  "https://localhost/hook",
  "https://LocalHost/hook",
  "https://localhost./hook",
  "https://localhost../hook",
  "https://localhost.localdomain/hook",
  "https://foo.localhost/hook",
  "https://foo.localhost./hook",
  "https://metadata.google.internal/hook",
  "https://printer.local/hook",
  "https://nas.home.arpa/hook",
  "https://127.0.0.1/hook",
  "https://127.1/hook",
  "https://0x7f.1/hook",
  "https://2130706433/hook",
  "https://0/hook",
  "https://169.254.169.254/latest",
  "https://100.64.0.1/hook",
  "https://192.0.2.10/hook",
  "https://198.51.100.1/hook",
  "https://hooks.example.com:22/hook",
  "https://hooks.example.com:0/hook",
  "https://hooks.example.com:8443/hook",
  "https://hooks.example.com:80/hook",
  "https://93.184.216.34:6379/hook",
  "http://hooks.example.com/hook",
  "https://intranet/hook",
  "https://a..example.com/hook",
];

describe("webhook targets", () => {
  it(`refuses each of ${SSRF_TARGETS.length} internal or non-443 targets with 400 naming url, and stores none`, async () => {
    const before = (await worker.api("GET", "/api/v1/subscriptions?limit=200")).body.items.length;
    for (const url of SSRF_TARGETS) {
      const res = await worker.api("POST", "/api/v1/subscriptions", { url });
      expect(res.status, url).toBe(400);
      expect(res.body.error.issues.map((i: { path: string }) => i.path), url).toEqual(["url"]);
    }
    expect((await worker.api("GET", "/api/v1/subscriptions?limit=200")).body.items.length).toBe(before);
  });

  it("stores the normalised URL of an allowed target", async () => {
    const res = await worker.api("POST", "/api/v1/subscriptions", { url: "https://Hooks.Example.COM.:443/in/../hook" });
    expect(res.status).toBe(201);
    expect(res.body.url).toBe("https://hooks.example.com/hook");
    await worker.api("DELETE", `/api/v1/subscriptions/${res.body.id}`);
  });
});

const enc = new TextEncoder();
const NOT_UTF8: Array<[string, Uint8Array]> = [
  ["a lone continuation byte", new Uint8Array([0x80])],
  ["latin-1 é", new Uint8Array([0xe9])],
  ["an overlong slash", new Uint8Array([0xc0, 0xaf])],
  ["a truncated sequence", new Uint8Array([0xe2, 0x82])],
  ["an encoded surrogate", new Uint8Array([0xed, 0xa0, 0x80])],
  ["0xff", new Uint8Array([0xff])],
];

const WRITES: Array<{ method: string; path: string; body: (bad: string) => string }> = [
  { method: "POST", path: "/api/v1/agreements", body: (x) => `{"id":"security-x","title":"${x}","kind":"memorandum"}` },
  { method: "PATCH", path: `/api/v1/agreements/${AGR}`, body: (x) => `{"title":"${x}"}` },
  { method: "POST", path: "/api/v1/commitments", body: (x) => `{"id":"security-y","agreement":"${AGR}","title":"${x}"}` },
  { method: "PATCH", path: `/api/v1/commitments/${COM}`, body: (x) => `{"title":"${x}"}` },
  { method: "POST", path: `/api/v1/commitments/${COM}/status`, body: (x) => `{"status":"in_progress","note":"${x}"}` },
  { method: "POST", path: "/api/v1/tokens", body: (x) => `{"name":"t${x}","scope":"read"}` },
  { method: "POST", path: "/api/v1/subscriptions", body: (x) => `{"url":"https://hooks.example.com/","description":"${x}"}` },
  { method: "POST", path: "/api/v1/import", body: (x) => `{"format":"pledgewatch/v1","agreements":[{"id":"security-z","title":"${x}","kind":"memorandum"}]}` },
];

function send(method: string, path: string, body: BodyInit, contentType: string) {
  return fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${worker.adminToken}`, "content-type": contentType },
    body,
  });
}

function withBytes(template: string, bad: Uint8Array): Uint8Array {
  const [head, tail] = template.split("\u0000") as [string, string];
  return new Uint8Array([...enc.encode(head), ...bad, ...enc.encode(tail)]);
}

describe("request bodies that are not UTF-8", () => {
  it(`answers 400 invalid_json on every write route for ${NOT_UTF8.length} kinds of bad bytes, and changes nothing`, async () => {
    const before = (await worker.api("GET", "/api/v1/export")).body;
    for (const w of WRITES) {
      for (const [name, bytes] of NOT_UTF8) {
        const res = await send(w.method, w.path, withBytes(w.body("\u0000"), bytes), "application/json");
        const body = await res.json();
        expect(res.status, `${w.method} ${w.path}: ${name}`).toBe(400);
        expect(body.error.code, `${w.method} ${w.path}: ${name}`).toBe("invalid_json");
      }
    }
    const after = (await worker.api("GET", "/api/v1/export")).body;
    expect({ ...after, exported_at: null }).toEqual({ ...before, exported_at: null });
  });

  it("answers 415 to a declared charset other than UTF-8 on every write route", async () => {
    for (const w of WRITES) {
      for (const charset of ["utf-16", "UTF-16LE", "iso-8859-1", '"windows-1252"']) {
        const res = await send(w.method, w.path, w.body("plain"), `application/json; charset=${charset}`);
        expect(res.status, `${w.method} ${w.path} ${charset}`).toBe(415);
        expect((await res.json()).error.code).toBe("unsupported_media_type");
      }
    }
  });
});

const MISSING = [
  "/commitments/security-missing",
  "/agreements/security-missing",
  "/badges/security-missing.svg",
  "/feed.xml?commitment=security-missing",
  "/feed.atom?agreement=security-missing",
  "/feed.json?commitment=security-missing",
  "/calendar.ics?commitment=security-missing",
];

describe("conditional requests for things that do not exist", () => {
  const future = new Date(Date.now() + 400 * 86_400_000).toUTCString();
  for (const [name, headers] of [
    ["If-None-Match: *", { "If-None-Match": "*" }],
    ["an If-Modified-Since in the future", { "If-Modified-Since": future }],
    ["If-None-Match with a list", { "If-None-Match": 'W/"a", W/"b", *' }],
  ] as const) {
    it(`answers 404, never 304, to ${name}`, async () => {
      for (const path of MISSING) {
        const res = await fetch(`${worker.url}${path}`, { headers });
        expect(res.status, path).toBe(404);
        expect(res.headers.get("etag"), path).toBeNull();
        await res.arrayBuffer();
      }
    });
  }

  it("still answers 304 to If-None-Match: * for things that exist", async () => {
    for (const path of [`/commitments/${COM}`, `/agreements/${AGR}`, `/badges/${COM}.svg`, `/feed.xml?commitment=${COM}`, "/status.json"]) {
      const res = await fetch(`${worker.url}${path}`, { headers: { "If-None-Match": "*" } });
      expect(res.status, path).toBe(304);
    }
  });
});

describe("headers on every answer", () => {
  it("sends nosniff everywhere and no-store on the JSON API", async () => {
    const paths = ["/", `/commitments/${COM}`, "/feed.xml", "/calendar.ics", "/status.json", "/healthz", "/openapi.json", "/docs", "/nope",
      "/api/v1/agreements", `/api/v1/agreements/${AGR}`, "/api/v1/commitments", "/api/v1/export", "/api/v1/nope"];
    for (const path of paths) {
      const res = await fetch(`${worker.url}${path}`);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      if (path.startsWith("/api/")) expect(res.headers.get("cache-control"), path).toBe("no-store");
      await res.arrayBuffer();
    }
    for (const [method, path] of [["GET", "/api/v1/tokens"], ["GET", "/api/v1/subscriptions"], ["POST", "/api/v1/agreements"]] as const) {
      const res = await worker.api(method, path, method === "POST" ? { title: "" } : undefined);
      expect(res.headers.get("cache-control"), path).toBe("no-store");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
    }
  });
});

describe("the log", () => {
  it("keeps no query string, so a token put there by mistake is not kept", async () => {
    const secret = `pw_LEAKED${Math.random().toString(36).slice(2)}`;
    for (const path of [`/api/v1/commitments?token=${secret}`, `/feed.xml?access_token=${secret}`, `/nope?key=${secret}`]) {
      await (await fetch(`${worker.url}${path}`)).arrayBuffer();
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(worker.log.filter((l) => l.includes("LEAKED"))).toEqual([]);
  });

  it("has Workers Logs redact query strings in production (wrangler.toml [observability])", () => {
    const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    const section = toml.slice(toml.indexOf("[observability]")).split(/\n\[(?!observability)/)[0]!;
    expect(section).toMatch(/^redact_query_string\s*=\s*true\s*$/m);
  });
});
