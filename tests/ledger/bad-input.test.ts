import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN, BASE, call, createAgreement, createCommitment, uid } from "../helpers";
import { exports } from "cloudflare:workers";
import { counts, expectError, issuePaths } from "./ledger.helpers";

interface Case {
  name: string;
  method: string;
  /** The path, given the ids of an existing agreement and commitment. */
  path: (ids: Ids) => string;
  /** An object is sent as JSON; a string is sent as is. */
  body?: (ids: Ids) => unknown;
  contentType?: string | null;
  status: number;
  code: string;
  /** Exactly these issue paths (sorted), when given. */
  paths?: string[];
}

interface Ids {
  agreement: string;
  commitment: string;
  other: string;
}

const agreementBody = (extra: Record<string, unknown> = {}) => ({ id: uid("agr"), title: "An agreement", kind: "memorandum", ...extra });
const commitmentBody = (ids: Ids, extra: Record<string, unknown> = {}) => ({ id: uid("com"), agreement: ids.agreement, title: "A commitment", ...extra });

const POST_AGREEMENT = { method: "POST", path: () => "/api/v1/agreements" };
const PATCH_AGREEMENT = { method: "PATCH", path: (ids: Ids) => `/api/v1/agreements/${ids.agreement}` };
const POST_COMMITMENT = { method: "POST", path: () => "/api/v1/commitments" };
const PATCH_COMMITMENT = { method: "PATCH", path: (ids: Ids) => `/api/v1/commitments/${ids.commitment}` };
const POST_STATUS = { method: "POST", path: (ids: Ids) => `/api/v1/commitments/${ids.commitment}/status` };
const POST_IMPORT = { method: "POST", path: () => "/api/v1/import" };
const POST_TOKEN = { method: "POST", path: () => "/api/v1/tokens" };

const cases: Case[] = [
  // Malformed JSON.
  { name: "truncated JSON", ...POST_AGREEMENT, body: () => '{"title": "x", ', status: 400, code: "invalid_json" },
  { name: "JSON with a trailing comma", ...PATCH_COMMITMENT, body: () => '{"title": "x",}', status: 400, code: "invalid_json" },
  { name: "single-quoted JSON", ...POST_STATUS, body: () => "{'status': 'stalled'}", status: 400, code: "invalid_json" },
  { name: "malformed JSON to the import", ...POST_IMPORT, body: () => "{agreements: []}", status: 400, code: "invalid_json" },
  { name: "an empty JSON body", ...POST_COMMITMENT, body: () => "", status: 400, code: "invalid_json" },
  // Not JSON at all.
  { name: "a text/plain body", ...POST_AGREEMENT, body: () => JSON.stringify(agreementBody()), contentType: "text/plain", status: 415, code: "unsupported_media_type" },
  { name: "a form body", ...PATCH_AGREEMENT, body: () => "title=x", contentType: "application/x-www-form-urlencoded", status: 415, code: "unsupported_media_type" },
  { name: "a body without a content type", ...POST_STATUS, body: () => '{"status":"stalled"}', contentType: null, status: 415, code: "unsupported_media_type" },
  { name: "an XML import", ...POST_IMPORT, body: () => "<agreements/>", contentType: "application/xml", status: 415, code: "unsupported_media_type" },
  { name: "a multipart token request", ...POST_TOKEN, body: () => "--x\r\n", contentType: "multipart/form-data; boundary=x", status: 415, code: "unsupported_media_type" },
  // Too large.
  { name: "a body over 64 KiB", ...POST_AGREEMENT, body: () => JSON.stringify(agreementBody({ summary: "x".repeat(70_000) })), status: 413, code: "payload_too_large" },
  { name: "a PATCH over 64 KiB", ...PATCH_COMMITMENT, body: () => JSON.stringify({ description: "x".repeat(66_000) }), status: 413, code: "payload_too_large" },
  { name: "an import over 5 MiB", ...POST_IMPORT, body: () => JSON.stringify({ agreements: [agreementBody({ summary: "x".repeat(5 * 1024 * 1024) })] }), status: 413, code: "payload_too_large" },
  // Not an object.
  { name: "a JSON array", ...POST_COMMITMENT, body: () => "[]", status: 400, code: "invalid_input" },
  { name: "JSON null", ...POST_STATUS, body: () => "null", status: 400, code: "invalid_input", paths: [""] },
  { name: "a JSON string", ...PATCH_AGREEMENT, body: () => '"title"', status: 400, code: "invalid_input", paths: [""] },
  { name: "an empty PATCH", ...PATCH_COMMITMENT, body: () => ({}), status: 400, code: "invalid_input" },
  { name: "a PATCH with only a reason", ...PATCH_COMMITMENT, body: () => ({ reason: "why" }), status: 400, code: "invalid_input" },
  { name: "an empty agreement PATCH", ...PATCH_AGREEMENT, body: () => ({}), status: 400, code: "invalid_input" },
  // Unknown fields.
  { name: "an unknown agreement field", ...POST_AGREEMENT, body: () => agreementBody({ signed: "2025-08-08" }), status: 400, code: "invalid_input", paths: ["signed"] },
  { name: "an unknown commitment field", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { due_on: "2026-02-08" }), status: 400, code: "invalid_input", paths: ["due_on"] },
  { name: "an unknown field in a deadline", ...PATCH_COMMITMENT, body: () => ({ deadline: { due_on: "2026-02-08", timezone: "UTC" }, reason: "r" }), status: 400, code: "invalid_input", paths: ["deadline.timezone"] },
  { name: "an unknown field in evidence", ...PATCH_COMMITMENT, body: () => ({ evidence: [{ url: "https://example.org", note: "x" }] }), status: 400, code: "invalid_input", paths: ["evidence.0.note"] },
  { name: "an unknown status field", ...POST_STATUS, body: () => ({ status: "stalled", reason: "x" }), status: 400, code: "invalid_input", paths: ["reason"] },
  { name: "an unknown import field", ...POST_IMPORT, body: () => ({ agreements: [], subscriptions: [] }), status: 400, code: "invalid_input", paths: ["subscriptions"] },
  { name: "an unknown field in an imported record", ...POST_IMPORT, body: () => ({ agreements: [agreementBody({ created_at: "x" })] }), status: 400, code: "invalid_input", paths: ["agreements.0.created_at"] },
  { name: "a commitment PATCH that tries to move agreement", ...PATCH_COMMITMENT, body: (ids) => ({ agreement: ids.other }), status: 400, code: "invalid_input", paths: ["agreement"] },
  { name: "a PATCH that tries to set the version", ...PATCH_AGREEMENT, body: () => ({ title: "x", version: 9 }), status: 400, code: "invalid_input", paths: ["version"] },
  // Wrong types.
  { name: "a number for a title", ...POST_AGREEMENT, body: () => agreementBody({ title: 123 }), status: 400, code: "invalid_input", paths: ["title"] },
  { name: "a string for parties", ...POST_AGREEMENT, body: () => agreementBody({ parties: "Azerbaijan" }), status: 400, code: "invalid_input", paths: ["parties"] },
  { name: "a string for depends_on", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { depends_on: ids.commitment }), status: 400, code: "invalid_input", paths: ["depends_on"] },
  { name: "a date string for a deadline", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { deadline: "2026-02-08" }), status: 400, code: "invalid_input", paths: ["deadline"] },
  { name: "a number for a status", ...POST_STATUS, body: () => ({ status: 1 }), status: 400, code: "invalid_input", paths: ["status"] },
  { name: "a boolean for a note", ...POST_STATUS, body: () => ({ status: "stalled", note: true }), status: 400, code: "invalid_input", paths: ["note"] },
  { name: "a number for a signing date", ...PATCH_AGREEMENT, body: () => ({ signed_on: 20250808 }), status: 400, code: "invalid_input", paths: ["signed_on"] },
  { name: "an object for agreements in an import", ...POST_IMPORT, body: () => ({ agreements: {} }), status: 400, code: "invalid_input", paths: ["agreements"] },
  { name: "an unknown agreement kind", ...POST_AGREEMENT, body: () => agreementBody({ kind: "pact" }), status: 400, code: "invalid_input", paths: ["kind"] },
  { name: "an unknown progress status", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { status: "done" }), status: 400, code: "invalid_input", paths: ["status"] },
  // Bad slugs and names.
  { name: "an id with spaces and capitals", ...POST_AGREEMENT, body: () => agreementBody({ id: "Bad Slug" }), status: 400, code: "invalid_input", paths: ["id"] },
  { name: "an id with a leading hyphen", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { id: "-lead" }), status: 400, code: "invalid_input", paths: ["id"] },
  { name: "an id with a double hyphen", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { id: "double--hyphen" }), status: 400, code: "invalid_input", paths: ["id"] },
  { name: "an id longer than 80 characters", ...POST_AGREEMENT, body: () => agreementBody({ id: "a".repeat(81) }), status: 400, code: "invalid_input", paths: ["id"] },
  { name: "an agreement reference that is not a slug", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { agreement: "UPPER" }), status: 400, code: "invalid_input", paths: ["agreement"] },
  { name: "a depends_on entry that is not a slug", ...PATCH_COMMITMENT, body: () => ({ depends_on: ["ok", "not ok"] }), status: 400, code: "invalid_input", paths: ["depends_on.1"] },
  { name: "a tag with capitals", ...PATCH_COMMITMENT, body: () => ({ tags: ["Energy"] }), status: 400, code: "invalid_input", paths: ["tags.0"] },
  { name: "repeated parties differing only in case", ...POST_AGREEMENT, body: () => agreementBody({ parties: ["Armenia", "armenia"] }), status: 400, code: "invalid_input", paths: ["parties.1"] },
  { name: "a made-up time zone", ...PATCH_COMMITMENT, body: () => ({ time_zone: "Mars/Olympus_Mons" }), status: 400, code: "invalid_input", paths: ["time_zone"] },
  // Impossible dates.
  { name: "a signing date of February 30", ...POST_AGREEMENT, body: () => agreementBody({ signed_on: "2026-02-30" }), status: 400, code: "invalid_input", paths: ["signed_on"] },
  { name: "February 29 in a common year", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { deadline: { due_on: "2025-02-29" } }), status: 400, code: "invalid_input", paths: ["deadline.due_on"] },
  { name: "month 13", ...PATCH_AGREEMENT, body: () => ({ signed_on: "2025-13-01" }), status: 400, code: "invalid_input", paths: ["signed_on"] },
  { name: "an impossible instant", ...POST_STATUS, body: () => ({ status: "stalled", occurred_at: "2026-02-30T10:00:00Z" }), status: 400, code: "invalid_input", paths: ["occurred_at"] },
  { name: "an instant without an offset", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { status_changed_at: "2026-01-01T00:00:00" }), status: 400, code: "invalid_input", paths: ["status_changed_at"] },
  { name: "a duration with a time part in within", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { deadline: { within: "PT36H" } }), status: 400, code: "invalid_input", paths: ["deadline.within"] },
  { name: "a malformed grace period", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { deadline: { due_on: "2026-02-08", grace: "1 week" } }), status: 400, code: "invalid_input", paths: ["deadline.grace"] },
  { name: "a future status date on create", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { status: "fulfilled", status_changed_at: "2999-01-01T00:00:00Z" }), status: 400, code: "invalid_input", paths: ["status_changed_at"] },
  // Bad URLs.
  { name: "a source URL that is not a URL", ...POST_AGREEMENT, body: () => agreementBody({ source_url: "not a url" }), status: 400, code: "invalid_input", paths: ["source_url"] },
  { name: "a javascript: URL", ...PATCH_AGREEMENT, body: () => ({ source_url: "javascript:alert(1)" }), status: 400, code: "invalid_input", paths: ["source_url"] },
  { name: "an ftp URL as evidence", ...PATCH_COMMITMENT, body: () => ({ evidence: [{ url: "ftp://example.org/file" }] }), status: 400, code: "invalid_input", paths: ["evidence.0.url"] },
  { name: "a relative evidence URL on a status change", ...POST_STATUS, body: () => ({ status: "stalled", evidence_url: "/docs/1" }), status: 400, code: "invalid_input", paths: ["evidence_url"] },
  // Control characters and empty text.
  { name: "a bell character in a title", ...POST_AGREEMENT, body: () => agreementBody({ title: "Bell\u0007" }), status: 400, code: "invalid_input", paths: ["title"] },
  { name: "a newline in a title", ...PATCH_COMMITMENT, body: () => ({ title: "Two\nlines" }), status: 400, code: "invalid_input", paths: ["title"] },
  { name: "a NUL in a summary", ...PATCH_AGREEMENT, body: () => ({ summary: "nul\u0000" }), status: 400, code: "invalid_input", paths: ["summary"] },
  { name: "an escape character in a party", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { parties: ["Armenia\u001b[31m"] }), status: 400, code: "invalid_input", paths: ["parties.0"] },
  { name: "a C1 control character in a note", ...POST_STATUS, body: () => ({ status: "stalled", note: "x\u0085y" }), status: 400, code: "invalid_input", paths: ["note"] },
  { name: "an empty title", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { title: "" }), status: 400, code: "invalid_input", paths: ["title"] },
  { name: "a title of spaces", ...PATCH_AGREEMENT, body: () => ({ title: "   " }), status: 400, code: "invalid_input", paths: ["title"] },
  { name: "a title over 300 characters", ...POST_AGREEMENT, body: () => agreementBody({ title: "x".repeat(301) }), status: 400, code: "invalid_input", paths: ["title"] },
  { name: "more than 30 tags", ...PATCH_COMMITMENT, body: () => ({ tags: Array.from({ length: 31 }, (_, i) => `t${i}`) }), status: 400, code: "invalid_input", paths: ["tags"] },
  // Several bad fields at once: every one is named.
  {
    name: "six bad fields in one commitment",
    ...POST_COMMITMENT,
    body: () => ({ agreement: "Not A Slug", title: "", tags: ["ok", "Not OK"], deadline: { due_on: "2026-02-30" }, time_zone: "Nowhere/City", colour: "red" }),
    status: 400,
    code: "invalid_input",
    paths: ["agreement", "colour", "deadline.due_on", "tags.1", "time_zone", "title"],
  },
  {
    name: "four bad fields in one agreement",
    ...POST_AGREEMENT,
    body: () => ({ id: "Bad", title: 1, kind: "pact", source_url: "nope" }),
    status: 400,
    code: "invalid_input",
    paths: ["id", "kind", "source_url", "title"],
  },
  {
    name: "bad fields in two imported records",
    ...POST_IMPORT,
    body: (ids) => ({ agreements: [agreementBody({ kind: "pact" })], commitments: [commitmentBody(ids, { title: "" }), commitmentBody(ids, { deadline: { within: "6 months" } })] }),
    status: 400,
    code: "invalid_input",
    paths: ["agreements.0.kind", "commitments.0.title", "commitments.1.deadline.within"],
  },
  // Conflicts and references.
  { name: "an agreement id that exists", ...POST_AGREEMENT, body: (ids) => agreementBody({ id: ids.agreement }), status: 409, code: "duplicate_id" },
  { name: "a commitment id that exists", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { id: ids.commitment }), status: 409, code: "duplicate_id" },
  { name: "a derived id that exists", ...POST_AGREEMENT, body: () => ({ title: "Derived id agreement", kind: "letter" }), status: 409, code: "duplicate_id" },
  { name: "an unknown agreement", ...POST_COMMITMENT, body: (ids) => commitmentBody(ids, { agreement: uid("nowhere") }), status: 400, code: "invalid_input", paths: ["agreement"] },
  { name: "a title with no letters to derive an id from", ...POST_AGREEMENT, body: () => ({ title: "!!!", kind: "letter" }), status: 400, code: "invalid_input", paths: ["id"] },
  { name: "a PATCH of an unknown commitment", method: "PATCH", path: () => `/api/v1/commitments/${uid("missing")}`, body: () => ({ title: "x" }), status: 404, code: "not_found" },
  { name: "a PATCH of an unknown agreement", method: "PATCH", path: () => `/api/v1/agreements/${uid("missing")}`, body: () => ({ title: "x" }), status: 404, code: "not_found" },
  { name: "a status change of an unknown commitment", method: "POST", path: () => `/api/v1/commitments/${uid("missing")}/status`, body: () => ({ status: "stalled" }), status: 404, code: "not_found" },
  { name: "an unknown API route", method: "POST", path: () => "/api/v1/pledges", body: () => ({}), status: 404, code: "not_found" },
];

let ids: Ids;

beforeAll(async () => {
  const agreement = await createAgreement();
  const other = await createAgreement();
  const commitment = await createCommitment(agreement.id);
  // The derived id ("derived-id-agreement") exists.
  expect((await call("POST", "/api/v1/agreements", { body: { title: "Derived id agreement", kind: "letter" } })).status).toBe(201);
  ids = { agreement: agreement.id, commitment: commitment.id, other: other.id };
});

describe("bad inputs are answered 4xx with the envelope and change nothing", () => {
  for (const c of cases) {
    it(`refuses ${c.name} with ${c.status} ${c.code}`, async () => {
      const before = await counts();
      const rowBefore = await call("GET", `/api/v1/commitments/${ids.commitment}`).then((r) => r.text());
      const body = c.body?.(ids);
      const res = await call(c.method, c.path(ids), { body, contentType: c.contentType });
      const error = await expectError(res, c.status, c.code);
      if (c.paths) expect(issuePaths(error)).toEqual([...c.paths].sort());
      if (c.code === "invalid_input" && c.status === 400) {
        expect(error.error.issues?.length ?? 0).toBeGreaterThan(0);
        // The message leads with the first issue's path.
        expect(error.error.message).toContain(error.error.issues![0]!.path || "");
      }
      expect(await counts()).toEqual(before);
      expect(await call("GET", `/api/v1/commitments/${ids.commitment}`).then((r) => r.text())).toBe(rowBefore);
    });
  }
});

describe("body limits", () => {
  it("accepts a JSON body just under 64 KiB", async () => {
    const body = JSON.stringify(agreementBody()).replace("{", `{${" ".repeat(64 * 1024 - 200)}`);
    expect(body.length).toBeLessThan(64 * 1024);
    expect((await call("POST", "/api/v1/agreements", { body })).status).toBe(201);
  });

  it("refuses a chunked body over the limit that declares no length", async () => {
    const before = await counts();
    const big = new TextEncoder().encode(JSON.stringify(agreementBody({ summary: "x".repeat(70_000) })));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 8192) controller.enqueue(big.slice(i, i + 8192));
        controller.close();
      },
    });
    const res = await exports.default.fetch(
      new Request(`${BASE}/api/v1/agreements`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
        body: stream,
      }),
    );
    await expectError(res, 413, "payload_too_large");
    expect(await counts()).toEqual(before);
  });

  it("refuses a streamed non-JSON body that declares no length with 415", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(agreementBody())));
        controller.close();
      },
    });
    const res = await exports.default.fetch(
      new Request(`${BASE}/api/v1/agreements`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}`, "content-type": "text/plain" }, body: stream }),
    );
    await expectError(res, 415, "unsupported_media_type");
  });

  it("accepts JSON media types with parameters and +json suffixes", async () => {
    for (const type of ["application/json; charset=utf-8", "APPLICATION/JSON", "application/merge-patch+json"]) {
      const res = await call("POST", "/api/v1/agreements", { body: agreementBody(), contentType: type });
      expect(res.status, type).toBe(201);
    }
  });
});

describe("semantic errors", () => {
  it("names every bad reference of a commitment at once: the agreement and each unknown dependency", async () => {
    const before = await counts();
    const res = await call("POST", "/api/v1/commitments", {
      body: { agreement: uid("nowhere"), title: "Orphan", depends_on: [ids.commitment, uid("ghost")], status: "fulfilled", status_changed_at: "2999-01-01T00:00:00Z" },
    });
    const error = await expectError(res, 400, "invalid_input");
    expect(issuePaths(error)).toEqual(["agreement", "depends_on.1", "status_changed_at"]);
    expect(await counts()).toEqual(before);
  });

  it("names unknown dependencies and an unresolvable deadline together", async () => {
    const signed = await createAgreement({ signed_on: "2025-08-08" });
    const res = await call("POST", "/api/v1/commitments", {
      body: { agreement: signed.id, title: "Relative", depends_on: [uid("ghost")], deadline: { within: "P8000Y" } },
    });
    const error = await expectError(res, 400, "invalid_input");
    expect(issuePaths(error)).toEqual(["deadline", "depends_on.0"]);
    expect(error.error.message).toMatch(/\(and 1 more\)/);
  });

  it("reports a dependency cycle only once the request is otherwise valid", async () => {
    const id = uid("self");
    const withBadAgreement = await call("POST", "/api/v1/commitments", { body: { id, agreement: uid("nowhere"), title: "Me", depends_on: [id] } });
    expect(issuePaths(await expectError(withBadAgreement, 400, "invalid_input"))).toEqual(["agreement"]);
    const valid = await call("POST", "/api/v1/commitments", { body: { id, agreement: ids.agreement, title: "Me", depends_on: [id] } });
    await expectError(valid, 409, "dependency_cycle");
  });
});
