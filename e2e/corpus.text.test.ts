/**
 * The text and date corpus (npm run test:faults): hostile text and out-of-range dates on every
 * write route of the real worker under `wrangler dev`: lone surrogates, invisible-only and
 * bidi-override text, emoji lengths, repeated list items, UTC offsets as zones, years before
 * 1000 and after 9999-12-30. Every bad body must answer 400 with the error envelope naming the
 * field, and the database must be exactly as before; the good neighbours must be stored as
 * given (canonicalised where documented) and an export must re-import as unchanged.
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

const AGR = "text-agreement";
const COM = "text-commitment";
let SUB = "";

interface Case {
  name: string;
  method: string;
  path: string;
  body: unknown;
  /** The issue path the envelope must name. */
  field: string;
}

const LONE = ["\udfff", "\ud800", "a\udc00b", "\ud83d"]; // the last: half an emoji
const INVISIBLE = ["\u200b", "\u200b\u200c\u200d", "\ufeff", "\u2060", "\u00ad", " \u200b "];
const BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"];

function cases(): Case[] {
  const out: Case[] = [];
  const add = (name: string, method: string, path: string, body: unknown, field: string) => out.push({ name, method, path, body, field });
  let n = 0;
  const id = (p: string) => `${p}-${n++}`;
  const textFields = (bad: string, label: string) => {
    add(`agreement title ${label}`, "POST", "/api/v1/agreements", { id: id("a"), title: `x${bad}`, kind: "memorandum" }, "title");
    add(`agreement summary ${label}`, "PATCH", `/api/v1/agreements/${AGR}`, { summary: `s ${bad}` }, "summary");
    add(`agreement party ${label}`, "POST", "/api/v1/agreements", { id: id("a"), title: "T", kind: "memorandum", parties: ["A", `p${bad}`] }, "parties.1");
    add(`commitment title ${label}`, "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: `t${bad}` }, "title");
    add(`commitment description ${label}`, "PATCH", `/api/v1/commitments/${COM}`, { description: `d${bad}` }, "description");
    add(`evidence title ${label}`, "PATCH", `/api/v1/commitments/${COM}`, { evidence: [{ url: "https://example.com/e", title: `e${bad}` }] }, "evidence.0.title");
    add(`status note ${label}`, "POST", `/api/v1/commitments/${COM}/status`, { status: "stalled", note: `n${bad}` }, "note");
    add(`deadline reason ${label}`, "PATCH", `/api/v1/commitments/${COM}`, { deadline: { due_on: "2031-01-01" }, reason: `r${bad}` }, "reason");
    add(`subscription description ${label}`, "PATCH", "/api/v1/subscriptions/:sub", { description: `d${bad}` }, "description");
    add(`subscription party ${label}`, "POST", "/api/v1/subscriptions", { url: "https://example.com/h", parties: [`p${bad}`] }, "parties.0");
    add(`token name ${label}`, "POST", "/api/v1/tokens", { name: `t${bad}`, scope: "read" }, "name");
    add(
      `imported commitment title ${label}`,
      "POST",
      "/api/v1/import",
      { agreements: [{ id: id("a"), title: "T", kind: "memorandum" }], commitments: [{ id: id("c"), agreement: AGR, title: `t${bad}` }] },
      "commitments.0.title",
    );
  };
  for (const s of LONE) textFields(s, `with lone surrogate ${JSON.stringify(s)}`);
  for (const s of BIDI) textFields(s, `with bidi control U+${s.codePointAt(0)!.toString(16).toUpperCase()}`);
  for (const s of INVISIBLE) {
    add(`agreement title only ${JSON.stringify(s)}`, "POST", "/api/v1/agreements", { id: id("a"), title: s, kind: "memorandum" }, "title");
    add(`commitment title only ${JSON.stringify(s)}`, "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: s }, "title");
    add(`party only ${JSON.stringify(s)}`, "PATCH", `/api/v1/commitments/${COM}`, { parties: [s] }, "parties.0");
    add(`evidence title only ${JSON.stringify(s)}`, "PATCH", `/api/v1/commitments/${COM}`, { evidence: [{ url: "https://example.com/e", title: s }] }, "evidence.0.title");
  }
  // Lengths count code points: 301 emoji are one too many, whatever UTF-16 says.
  add("title of 301 emoji", "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: "😀".repeat(301) }, "title");
  add("party of 201 emoji", "PATCH", `/api/v1/commitments/${COM}`, { parties: ["🇦🇿".repeat(101)] }, "parties.0");
  // Repeated list items, named by the repeat's index.
  add("repeated tag", "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: "T", tags: ["energy", "trade", "energy"] }, "tags.2");
  add("repeated tag in a patch", "PATCH", `/api/v1/commitments/${COM}`, { tags: ["a", "a"] }, "tags.1");
  add("repeated evidence", "PATCH", `/api/v1/commitments/${COM}`, { evidence: [{ url: "https://example.com/x" }, { url: "https://example.com/x", title: "again" }] }, "evidence.1");
  add("repeated evidence by normalised URL", "PATCH", `/api/v1/commitments/${COM}`, { evidence: [{ url: "https://Example.COM/x" }, { url: "https://example.com/x" }] }, "evidence.1");
  add("parties repeated in another case", "POST", "/api/v1/agreements", { id: id("a"), title: "T", kind: "memorandum", parties: ["ÉTAT", "état"] }, "parties.1");
  add("parties repeated decomposed", "POST", "/api/v1/agreements", { id: id("a"), title: "T", kind: "memorandum", parties: ["état", "e\u0301tat"] }, "parties.1");
  add("parties repeated in Cyrillic case", "PATCH", `/api/v1/commitments/${COM}`, { parties: ["Азербайджан", "АЗЕРБАЙДЖАН"] }, "parties.1");
  add("subscription tags repeated", "POST", "/api/v1/subscriptions", { url: "https://example.com/h", tags: ["a", "b", "a"] }, "tags.2");
  add("subscription commitments repeated", "PATCH", "/api/v1/subscriptions/:sub", { commitments: [COM, COM] }, "commitments.1");
  add("imported tags repeated", "POST", "/api/v1/import", { commitments: [{ id: COM, agreement: AGR, title: "Text commitment", tags: ["x", "x"] }] }, "commitments.0.tags.1");
  // Offsets are not zones.
  for (const tz of ["+05:30", "-08:00", "+0530", "UTC+4", "GMT-3"]) {
    add(`time zone ${tz}`, "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: "T", time_zone: tz }, "time_zone");
  }
  // Years before 1000 (Date.UTC's two-digit-year rule made 0050 into 1950) and after 9999-12-30.
  for (const due_on of ["0050-06-15", "0001-01-01", "0999-12-31", "9999-12-31"]) {
    add(`due on ${due_on}`, "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: "T", deadline: { due_on } }, "deadline.due_on");
    add(`due on ${due_on} in a patch`, "PATCH", `/api/v1/commitments/${COM}`, { deadline: { due_on }, reason: "r" }, "deadline.due_on");
    add(
      `imported due on ${due_on}`,
      "POST",
      "/api/v1/import",
      { commitments: [{ id: id("c"), agreement: AGR, title: "T", deadline: { due_on } }] },
      "commitments.0.deadline.due_on",
    );
  }
  add("signed on 0050-06-15", "PATCH", `/api/v1/agreements/${AGR}`, { signed_on: "0050-06-15" }, "signed_on");
  add("signed on 9999-12-31", "POST", "/api/v1/agreements", { id: id("a"), title: "T", kind: "memorandum", signed_on: "9999-12-31" }, "signed_on");
  add("within from 0050", "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: "T", deadline: { within: "P1Y", from: "0050-01-01" } }, "deadline.from");
  add("due at 0050", "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: "T", deadline: { due_at: "0050-06-15T12:00:00Z" } }, "deadline.due_at");
  add("due at 9999-12-31", "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: "T", deadline: { due_at: "9999-12-31T12:00:00Z" } }, "deadline.due_at");
  add("status occurred in 0099", "POST", `/api/v1/commitments/${COM}/status`, { status: "stalled", occurred_at: "0099-01-01T00:00:00Z" }, "occurred_at");
  add("created in 0050", "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: "T", status_changed_at: "0050-01-01T00:00:00Z" }, "status_changed_at");
  add("within running past 9999-12-30", "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: "T", deadline: { within: "P10Y", from: "9995-01-01" } }, "deadline");
  add(
    "due at resolving to 9999-12-31 in its zone",
    "POST",
    "/api/v1/commitments",
    { id: id("c"), agreement: AGR, title: "T", time_zone: "Pacific/Kiritimati", deadline: { due_at: "9999-12-30T23:00:00Z" } },
    "deadline",
  );
  add("grace past the end of 9999", "POST", "/api/v1/commitments", { id: id("c"), agreement: AGR, title: "T", deadline: { due_on: "9999-12-30", grace: "P2D" } }, "deadline");
  return out;
}

async function send(c: Case): Promise<{ status: number; text: string }> {
  const res = await fetch(`${worker.url}${c.path.replace(":sub", SUB)}`, {
    method: c.method,
    headers: { authorization: `Bearer ${worker.adminToken}`, "content-type": "application/json" },
    // JSON.stringify writes a lone surrogate as a \u escape: valid JSON, not well-formed text.
    body: JSON.stringify(c.body),
  });
  return { status: res.status, text: await res.text() };
}

describe("text and date corpus", () => {
  it("answers every bad text or date with 400 naming the field, and changes nothing", async () => {
    SUB = await seedTargets(worker, { agreement: AGR, commitment: COM }, "Text");
    const list = cases();
    expect(list.length).toBeGreaterThanOrEqual(150);
    const before = await ledgerSnapshot(worker, COM);

    const failures: string[] = [];
    for (const c of list) {
      const { status, text } = await send(c);
      let envelope: any = null;
      try {
        envelope = JSON.parse(text);
      } catch {
        // not JSON
      }
      const paths: string[] = Array.isArray(envelope?.error?.issues) ? envelope.error.issues.map((i: any) => i.path) : [];
      const ok =
        status === 400 &&
        envelope?.error?.code === "invalid_input" &&
        typeof envelope.error.message === "string" &&
        Object.keys(envelope).length === 1 &&
        paths.includes(c.field);
      if (!ok) failures.push(`${c.name} -> ${status} ${text.slice(0, 200)}`);
    }
    const after = await ledgerSnapshot(worker, COM);
    console.log(`text corpus: ${list.length} bad bodies`);
    expect(failures).toEqual([]);
    expect(after).toEqual(before);
    expect(worker.log.filter((l) => /✘|\[ERROR\]|Uncaught|internal error/i.test(l))).toEqual([]);
  });

  it("stores the good neighbours as given, and an export re-imports as unchanged", async () => {
    const emoji = await worker.api("POST", "/api/v1/commitments", { id: "emoji-title", agreement: AGR, title: "😀".repeat(300), parties: ["Азербайджан", "ÉTAT"], tags: ["a", "b"] });
    expect(emoji.status).toBe(201);
    expect(emoji.body.title).toBe("😀".repeat(300));
    const joined = await worker.api("POST", "/api/v1/commitments", { id: "joined-title", agreement: AGR, title: "family 👨\u200d👩\u200d👧, עברית\u200f", time_zone: "asia/baku", deadline: { due_on: "9999-12-30" } });
    expect(joined.status).toBe(201);
    expect(joined.body.time_zone).toBe("Asia/Baku");
    expect(joined.body.due_on).toBe("9999-12-30");
    const ics = await (await fetch(`${worker.url}/calendar.ics?commitment=joined-title`)).text();
    expect(ics).toContain("DTEND;VALUE=DATE:99991231\r\n");
    const listed = await worker.api("GET", `/api/v1/commitments?party=${encodeURIComponent("азербайджан")}`);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual(["emoji-title"]);

    const exported = await worker.api("GET", "/api/v1/export");
    const { exported_at: _ignored, ...document } = exported.body;
    const again = await worker.api("POST", "/api/v1/import", document);
    expect(again.status).toBe(200);
    expect(again.body.agreements.created + again.body.agreements.updated).toBe(0);
    expect(again.body.commitments.created + again.body.commitments.updated).toBe(0);
  });
});
