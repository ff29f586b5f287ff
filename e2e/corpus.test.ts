/**
 * The bad-request corpus (npm run test:faults): several hundred malformed, mistyped, oversized,
 * impossible, unicode-edge and injection requests across every write route of the real worker
 * under `wrangler dev`. Every answer must be a 4xx with the error envelope
 * ({ error: { code, message, issues? } }), none a 5xx, and the database must be exactly as
 * before: the export, the history, the subscriptions and the tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerSnapshot, seedTargets } from "./corpus.helpers";
import { startWorker, type WorkerHandle } from "./harness";

let worker: WorkerHandle;

beforeAll(async () => {
  worker = await startWorker({ vars: { ALLOW_PRIVATE_WEBHOOK_TARGETS: "false" } });
});

afterAll(async () => {
  await worker?.stop();
});

interface BadRequest {
  name: string;
  method: string;
  path: string;
  /** A string is sent as is; anything else is JSON-encoded. */
  body?: unknown;
  contentType?: string | null;
  token?: string | null;
}

const AGR = "corpus-agreement";
const COM = "corpus-commitment";
let SUB = "";
let DELIVERY = "dlv_00000000000000000000000000";

const INJECTIONS = [
  "'; DROP TABLE commitments; --",
  "1 OR 1=1",
  "\" OR \"\"=\"",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "${jndi:ldap://127.0.0.1/a}",
  "{{7*7}}",
  "%00",
  "a\u0000b",
  "robert'); DELETE FROM events; --",
  "$(rm -rf /)",
  "__proto__",
];

const UNICODE = [
  "\u202Eevil\u202C", // right-to-left override
  "zero\u200Bwidth",
  "e\u0301", // NFD
  "ÉCOLE",
  "😀",
  "\uFEFFbom",
  "tab\tand\nnewline",
  "\u0007bell",
  "ａｂｃ", // fullwidth
  "İstanbul",
];

const MALFORMED_JSON = [
  "{",
  '{"title": ',
  "[1, 2",
  "nul",
  "{'title': 'single quotes'}",
  '{"title": "x"}}',
  '{"title": "x",}',
  '{"a": NaN}',
  '{"a": Infinity}',
  '{"a": 01}',
  "\u0000",
  '{"title": "unterminated}',
  '{"title": "\\ud800"', // cut after a lone surrogate escape
  "undefined",
  "<xml/>",
];

const IMPOSSIBLE_DATES = [
  { due_on: "2026-02-30" },
  { due_on: "2026-13-01" },
  { due_on: "0000-00-00" },
  { due_on: "2025-02-29" },
  { due_on: "26-01-01" },
  { due_on: "2026-1-1" },
  { due_at: "2026-01-01T25:00:00Z" },
  { due_at: "2026-01-01T10:60:00Z" },
  { due_at: "2026-01-01T10:00:00" }, // no offset
  { due_at: "2026-02-29T10:00:00Z" },
  { due_at: "tomorrow" },
  { within: "P1H" },
  { within: "P" },
  { within: "-P1D" },
  { within: "P6M", from: "2026-02-31" },
  { due_on: "2026-01-01", grace: "forever" },
  { due_on: "2026-01-01", due_at: "2026-01-01T00:00:00Z" },
  { from: "2026-01-01" },
  { due_on: "9999-12-31", grace: "P10Y" },
  {},
];

function corpus(): BadRequest[] {
  const out: BadRequest[] = [];
  const add = (r: BadRequest) => out.push(r);
  const writes: Array<{ route: string; method: string; path: string; valid: Record<string, unknown> }> = [
    { route: "create agreement", method: "POST", path: "/api/v1/agreements", valid: { id: "corpus-new", title: "T", kind: "memorandum" } },
    { route: "update agreement", method: "PATCH", path: `/api/v1/agreements/${AGR}`, valid: { title: "T2" } },
    { route: "create commitment", method: "POST", path: "/api/v1/commitments", valid: { id: "corpus-new-c", agreement: AGR, title: "T" } },
    { route: "update commitment", method: "PATCH", path: `/api/v1/commitments/${COM}`, valid: { title: "T2" } },
    { route: "change status", method: "POST", path: `/api/v1/commitments/${COM}/status`, valid: { status: "stalled" } },
    { route: "import", method: "POST", path: "/api/v1/import", valid: { format: "pledgewatch/v1", agreements: [] } },
    { route: "create token", method: "POST", path: "/api/v1/tokens", valid: { name: "corpus-token", scope: "read" } },
    { route: "create subscription", method: "POST", path: "/api/v1/subscriptions", valid: { url: "https://example.com/hook" } },
    { route: "update subscription", method: "PATCH", path: "/api/v1/subscriptions/:sub", valid: { description: "d" } },
  ];

  for (const w of writes) {
    // Malformed JSON.
    for (const text of MALFORMED_JSON) add({ name: `${w.route}: malformed ${JSON.stringify(text).slice(0, 30)}`, method: w.method, path: w.path, body: text });
    // Not an object at all.
    for (const v of [[], [w.valid], 42, "text", true, null]) add({ name: `${w.route}: body ${JSON.stringify(v).slice(0, 30)}`, method: w.method, path: w.path, body: JSON.stringify(v) });
    // Unknown fields next to valid ones.
    add({ name: `${w.route}: unknown field`, method: w.method, path: w.path, body: { ...w.valid, unknown_field: 1 } });
    add({ name: `${w.route}: __proto__ field`, method: w.method, path: w.path, body: `{"__proto__": {"admin": true}, ${JSON.stringify(w.valid).slice(1)}` });
    // Wrong content type, no auth, a read token.
    add({ name: `${w.route}: text/plain`, method: w.method, path: w.path, body: JSON.stringify(w.valid), contentType: "text/plain" });
    add({ name: `${w.route}: form encoded`, method: w.method, path: w.path, body: "title=x", contentType: "application/x-www-form-urlencoded" });
    add({ name: `${w.route}: no token`, method: w.method, path: w.path, body: w.valid, token: null });
    add({ name: `${w.route}: wrong token`, method: w.method, path: w.path, body: w.valid, token: "not-a-token" });
    // Huge bodies.
    add({ name: `${w.route}: 7 MB body`, method: w.method, path: w.path, body: JSON.stringify({ ...w.valid, padding: "x".repeat(7 * 1024 * 1024) }) });
    // Wrong types for every field of the valid body.
    for (const key of Object.keys(w.valid)) {
      for (const wrong of [123, ["a"], { a: 1 }, true, null, ""]) {
        if (w.route === "update agreement" || w.route === "update commitment" || w.route === "update subscription") {
          if (wrong === null && key === "description") continue; // may be nullable
        }
        if (wrong === "" && key === "description") continue; // an empty description is allowed
        add({ name: `${w.route}: ${key} = ${JSON.stringify(wrong)}`, method: w.method, path: w.path, body: { ...w.valid, [key]: wrong } });
      }
    }
  }

  // Strict-format fields filled with injection strings and unicode edge cases.
  for (const s of [...INJECTIONS, ...UNICODE]) {
    add({ name: `agreement id ${JSON.stringify(s)}`, method: "POST", path: "/api/v1/agreements", body: { id: s, title: "T", kind: "memorandum" } });
    add({ name: `agreement kind ${JSON.stringify(s)}`, method: "POST", path: "/api/v1/agreements", body: { title: "T", kind: s } });
    add({ name: `commitment agreement ${JSON.stringify(s)}`, method: "POST", path: "/api/v1/commitments", body: { agreement: s, title: "T" } });
    add({ name: `commitment time_zone ${JSON.stringify(s)}`, method: "POST", path: "/api/v1/commitments", body: { agreement: AGR, title: "T", time_zone: s } });
    add({ name: `status ${JSON.stringify(s)}`, method: "POST", path: `/api/v1/commitments/${COM}/status`, body: { status: s } });
    add({ name: `token name ${JSON.stringify(s)}`, method: "POST", path: "/api/v1/tokens", body: { name: s, scope: "write" } });
    add({ name: `subscription url ${JSON.stringify(s)}`, method: "POST", path: "/api/v1/subscriptions", body: { url: s } });
    add({ name: `subscription event type ${JSON.stringify(s)}`, method: "POST", path: "/api/v1/subscriptions", body: { url: "https://example.com/h", event_types: [s] } });
    add({ name: `status on commitment ${JSON.stringify(s)}`, method: "POST", path: `/api/v1/commitments/${encodeURIComponent(s)}/status`, body: { status: "stalled" } });
    add({ name: `rotate ${JSON.stringify(s)}`, method: "POST", path: `/api/v1/subscriptions/${encodeURIComponent(s)}/rotate-secret` });
    add({ name: `test ${JSON.stringify(s)}`, method: "POST", path: `/api/v1/subscriptions/${encodeURIComponent(s)}/test` });
    add({ name: `redeliver ${JSON.stringify(s)}`, method: "POST", path: `/api/v1/deliveries/${encodeURIComponent(s)}/redeliver` });
  }

  // Impossible dates and deadlines, on create, update and import.
  for (const d of IMPOSSIBLE_DATES) {
    add({ name: `create deadline ${JSON.stringify(d)}`, method: "POST", path: "/api/v1/commitments", body: { agreement: AGR, title: "T", deadline: d } });
    add({ name: `update deadline ${JSON.stringify(d)}`, method: "PATCH", path: `/api/v1/commitments/${COM}`, body: { deadline: d, reason: "r" } });
    add({ name: `import deadline ${JSON.stringify(d)}`, method: "POST", path: "/api/v1/import", body: { commitments: [{ id: "corpus-imp", agreement: AGR, title: "T", deadline: d }] } });
  }
  for (const date of ["2026-02-30", "2025-02-29", "1999-00-10", "yesterday", "2026/01/01"]) {
    add({ name: `signed_on ${date}`, method: "POST", path: "/api/v1/agreements", body: { title: "T", kind: "memorandum", signed_on: date } });
    add({ name: `status occurred_at ${date}`, method: "POST", path: `/api/v1/commitments/${COM}/status`, body: { status: "stalled", occurred_at: date } });
  }
  add({ name: "status occurred in the future", method: "POST", path: `/api/v1/commitments/${COM}/status`, body: { status: "stalled", occurred_at: "2099-01-01T00:00:00Z" } });
  add({ name: "status occurred before the current status", method: "POST", path: `/api/v1/commitments/${COM}/status`, body: { status: "stalled", occurred_at: "1990-01-01T00:00:00Z" } });

  // Limits and rules.
  add({ name: "title too long", method: "POST", path: "/api/v1/commitments", body: { agreement: AGR, title: "x".repeat(301) } });
  add({ name: "title of 301 emoji", method: "POST", path: "/api/v1/commitments", body: { agreement: AGR, title: "😀".repeat(301) } });
  add({ name: "empty title", method: "POST", path: "/api/v1/commitments", body: { agreement: AGR, title: "" } });
  add({ name: "31 tags", method: "POST", path: "/api/v1/commitments", body: { agreement: AGR, title: "T", tags: Array.from({ length: 31 }, (_, i) => `t${i}`) } });
  add({ name: "depends on itself only unknown", method: "POST", path: "/api/v1/commitments", body: { id: "corpus-x", agreement: AGR, title: "T", depends_on: ["nope"] } });
  add({ name: "duplicate commitment id", method: "POST", path: "/api/v1/commitments", body: { id: COM, agreement: AGR, title: "T" } });
  add({ name: "duplicate agreement id", method: "POST", path: "/api/v1/agreements", body: { id: AGR, title: "T", kind: "memorandum" } });
  add({ name: "deadline change without reason", method: "PATCH", path: `/api/v1/commitments/${COM}`, body: { deadline: { due_on: "2030-01-01" } } });
  add({ name: "empty patch", method: "PATCH", path: `/api/v1/commitments/${COM}`, body: {} });
  add({ name: "empty agreement patch", method: "PATCH", path: `/api/v1/agreements/${AGR}`, body: {} });
  add({ name: "evidence url javascript:", method: "POST", path: `/api/v1/commitments/${COM}/status`, body: { status: "stalled", evidence_url: "javascript:alert(1)" } });
  add({ name: "import 1001 records", method: "POST", path: "/api/v1/import", body: { agreements: Array.from({ length: 1001 }, (_, i) => ({ id: `corpus-bulk-${i}`, title: "T", kind: "memorandum" })) } });
  add({ name: "import wrong format", method: "POST", path: "/api/v1/import", body: { format: "other/v2" } });
  add({ name: "import with one bad record among good", method: "POST", path: "/api/v1/import", body: { agreements: [{ id: "corpus-good", title: "T", kind: "memorandum" }, { id: "BAD ID", title: "T", kind: "memorandum" }] } });
  add({ name: "token admin scope typo", method: "POST", path: "/api/v1/tokens", body: { name: "x", scope: "root" } });
  add({ name: "token name too long", method: "POST", path: "/api/v1/tokens", body: { name: "a".repeat(65), scope: "read" } });
  for (const url of [
    "http://example.com/hook",
    "https://127.0.0.1/hook",
    "https://[::1]/hook",
    "https://10.0.0.1/hook",
    "https://169.254.169.254/latest",
    "https://2130706433/",
    "https://[::ffff:127.0.0.1]/",
    "https://100.64.0.1/",
    "https://224.0.0.1/",
    "ftp://example.com/",
    "https://localhost/hook",
    "https://0.0.0.0/",
  ]) {
    add({ name: `subscription refused target ${url}`, method: "POST", path: "/api/v1/subscriptions", body: { url } });
  }
  add({ name: "subscription empty filters", method: "POST", path: "/api/v1/subscriptions", body: { url: "https://example.com/h", tags: [] } });
  add({ name: "subscription state disabled", method: "PATCH", path: "/api/v1/subscriptions/:sub", body: { state: "disabled" } });
  add({ name: "subscription url 3000 chars", method: "POST", path: "/api/v1/subscriptions", body: { url: `https://example.com/${"a".repeat(3000)}` } });
  add({ name: "redeliver unknown delivery", method: "POST", path: `/api/v1/deliveries/${DELIVERY}/redeliver` });
  add({ name: "rotate unknown subscription", method: "POST", path: "/api/v1/subscriptions/sub_unknown/rotate-secret" });
  add({ name: "test unknown subscription", method: "POST", path: "/api/v1/subscriptions/sub_unknown/test" });
  add({ name: "patch unknown commitment", method: "PATCH", path: "/api/v1/commitments/no-such-thing", body: { title: "T" } });
  add({ name: "status of unknown commitment", method: "POST", path: "/api/v1/commitments/no-such-thing/status", body: { status: "stalled" } });
  add({ name: "patch unknown agreement", method: "PATCH", path: "/api/v1/agreements/no-such-thing", body: { title: "T" } });
  return out;
}

async function send(r: BadRequest): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  const token = r.token === undefined ? worker.adminToken : r.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (r.body !== undefined) {
    body = typeof r.body === "string" ? r.body : JSON.stringify(r.body);
    if (r.contentType !== null) headers["content-type"] = r.contentType ?? "application/json";
  }
  const path = r.path.replace(":sub", SUB);
  const res = await fetch(`${worker.url}${path}`, { method: r.method, headers, body });
  return { status: res.status, text: await res.text() };
}

describe("bad-request corpus", () => {
  it("answers every bad write with a 4xx error envelope and changes nothing", async () => {
    SUB = await seedTargets(worker, { agreement: AGR, commitment: COM }, "Corpus");
    const requests = corpus();
    expect(requests.length).toBeGreaterThanOrEqual(200);
    const before = await ledgerSnapshot(worker, COM, SUB);

    const failures: string[] = [];
    const codes = new Map<number, number>();
    for (const r of requests) {
      const { status, text } = await send(r);
      codes.set(status, (codes.get(status) ?? 0) + 1);
      let envelope: any = null;
      try {
        envelope = JSON.parse(text);
      } catch {
        // not JSON
      }
      const ok =
        status >= 400 &&
        status < 500 &&
        typeof envelope?.error?.code === "string" &&
        typeof envelope?.error?.message === "string" &&
        Object.keys(envelope).length === 1 &&
        (envelope.error.issues === undefined ||
          (Array.isArray(envelope.error.issues) && envelope.error.issues.every((i: any) => typeof i.path === "string" && typeof i.message === "string")));
      if (!ok) failures.push(`${r.name} -> ${status} ${text.slice(0, 200)}`);
    }
    const after = await ledgerSnapshot(worker, COM, SUB);
    console.log(`corpus: ${requests.length} bad requests; answers by status: ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
    expect(failures).toEqual([]);
    expect(after).toEqual(before);
    expect(worker.log.filter((l) => /✘|\[ERROR\]|Uncaught|internal error/i.test(l))).toEqual([]);
  });
});
