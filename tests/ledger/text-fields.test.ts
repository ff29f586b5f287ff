import { describe, expect, it } from "vitest";
import { call, createAgreement, createCommitment, json, tableCounts, uid } from "../helpers";
import { expectError, issuePaths } from "./ledger.helpers";

/** Sends a write that must be refused with 400 naming exactly `paths`, and changes nothing. */
async function refused(method: string, path: string, body: unknown, paths: string[]) {
  const before = await tableCounts();
  const res = await call(method, path, { body });
  const err = await expectError(res, 400, "invalid_input");
  expect(issuePaths(err)).toEqual(paths);
  expect(await tableCounts()).toEqual(before);
  return err;
}

describe("text fields", () => {
  it("refuses a lone surrogate in every kind of text field, naming the field", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    await refused("POST", "/api/v1/agreements", { title: "x\udfff", kind: "memorandum" }, ["title"]);
    await refused("PATCH", `/api/v1/agreements/${a.id}`, { summary: "ok \ud800 not" }, ["summary"]);
    await refused("POST", "/api/v1/commitments", { agreement: a.id, title: "T", parties: ["A", "\udc00B"] }, ["parties.1"]);
    await refused("PATCH", `/api/v1/commitments/${c.id}`, { evidence: [{ url: "https://example.com/a", title: "\ud83d" }] }, ["evidence.0.title"]);
    await refused("POST", `/api/v1/commitments/${c.id}/status`, { status: "stalled", note: "\udfff" }, ["note"]);
    await refused("POST", "/api/v1/subscriptions", { url: "https://example.com/h", description: "d\udfff" }, ["description"]);
  });

  it("refuses a title of only invisible characters", async () => {
    await refused("POST", "/api/v1/agreements", { title: "\u200b\u200c\u200d\u2060\ufeff", kind: "memorandum" }, ["title"]);
    const a = await createAgreement();
    await refused("POST", "/api/v1/commitments", { agreement: a.id, title: " \u200b " }, ["title"]);
    await refused("POST", "/api/v1/commitments", { agreement: a.id, title: "T", parties: ["\u00ad"] }, ["parties.0"]);
  });

  it("refuses bidi override, embedding and isolate controls", async () => {
    const a = await createAgreement();
    for (const ch of ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      await refused("POST", "/api/v1/commitments", { agreement: a.id, title: `pay ${ch}gnp.exe` }, ["title"]);
    }
    await refused("PATCH", `/api/v1/agreements/${a.id}`, { summary: "line one\n\u202eenil owt" }, ["summary"]);
  });

  it("keeps zero-width joiners and right-to-left marks inside real text", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id, { title: "family 👨\u200d👩\u200d👧 and עברית\u200f." });
    expect(c.title).toBe("family 👨\u200d👩\u200d👧 and עברית\u200f.");
  });

  it("counts lengths in characters, so 300 emoji fit a 300-character title and 301 do not", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id, { title: "😀".repeat(300) });
    expect([...c.title].length).toBe(300);
    await refused("POST", "/api/v1/commitments", { agreement: a.id, title: "😀".repeat(301) }, ["title"]);
  });

  it("refuses a repeated tag, naming the repeat's index", async () => {
    const a = await createAgreement();
    const err = await refused("POST", "/api/v1/commitments", { agreement: a.id, title: "T", tags: ["energy", "transit", "energy"] }, ["tags.2"]);
    expect(err.error.issues![0]!.message).toMatch(/item 0/);
  });

  it("refuses repeated evidence links, naming the repeat's index", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    await refused(
      "PATCH",
      `/api/v1/commitments/${c.id}`,
      { evidence: [{ url: "https://example.com/a" }, { url: "https://example.com/b" }, { url: "https://EXAMPLE.com/a", title: "again" }] },
      ["evidence.2"],
    );
  });

  it("refuses parties that differ only in Unicode case or normalisation, naming the repeat's index", async () => {
    await refused("POST", "/api/v1/agreements", { title: "T", kind: "memorandum", parties: ["État", "Other", "ÉTAT"] }, ["parties.2"]);
    await refused("POST", "/api/v1/agreements", { title: "T", kind: "memorandum", parties: ["\u00e9tat", "e\u0301tat"] }, ["parties.1"]);
    await refused("POST", "/api/v1/agreements", { title: "T", kind: "memorandum", parties: ["Азербайджан", "азербайджан"] }, ["parties.1"]);
  });

  it("refuses repeated subscription filters, naming the repeat's index", async () => {
    await refused("POST", "/api/v1/subscriptions", { url: "https://example.com/h", tags: ["a", "a"] }, ["tags.1"]);
    await refused("POST", "/api/v1/subscriptions", { url: "https://example.com/h", parties: ["Ab", "aB"] }, ["parties.1"]);
  });

  it("stores a time zone under its canonical IANA name", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id, { time_zone: "asia/baku", deadline: { due_on: "2027-03-01" } });
    expect(c.time_zone).toBe("Asia/Baku");
    const got = await json(call("GET", `/api/v1/commitments/${c.id}`));
    expect(got.time_zone).toBe("Asia/Baku");
    const utc = await createCommitment(a.id, { time_zone: "utc" });
    expect(utc.time_zone).toBe("UTC");
  });

  it("refuses a UTC offset as a time zone, saying to give a zone name", async () => {
    const a = await createAgreement();
    for (const tz of ["+05:30", "-08:00", "+0530"]) {
      const err = await refused("POST", "/api/v1/commitments", { id: uid("com"), agreement: a.id, title: "T", time_zone: tz }, ["time_zone"]);
      expect(err.error.issues![0]!.message).toMatch(/Asia\/Baku/);
    }
  });
});
