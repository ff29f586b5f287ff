import { describe, expect, it } from "vitest";
import { call, createAgreement, createCommitment, json, tableCounts, uid } from "../helpers";
import { get } from "../readside/readside.helpers";
import { expectError, issuePaths } from "./ledger.helpers";

async function refused(method: string, path: string, body: unknown, paths: string[]) {
  const before = await tableCounts();
  const err = await expectError(await call(method, path, { body }), 400, "invalid_input");
  expect(issuePaths(err)).toEqual(paths);
  expect(await tableCounts()).toEqual(before);
  return err;
}

describe("dates and instants stay within years 1000 to 9999", () => {
  it("refuses a due date in the first century instead of moving it to the 1900s", async () => {
    const a = await createAgreement();
    const err = await refused("POST", "/api/v1/commitments", { id: uid("com"), agreement: a.id, title: "T", deadline: { due_on: "0050-06-15" } }, ["deadline.due_on"]);
    expect(err.error.issues![0]!.message).toMatch(/1000-01-01/);
  });

  it("refuses signing dates, from dates and instants before the year 1000", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    await refused("POST", "/api/v1/agreements", { id: uid("agr"), title: "T", kind: "memorandum", signed_on: "0999-12-31" }, ["signed_on"]);
    await refused("POST", "/api/v1/commitments", { id: uid("com"), agreement: a.id, title: "T", deadline: { within: "P1Y", from: "0001-01-01" } }, ["deadline.from"]);
    await refused("POST", "/api/v1/commitments", { id: uid("com"), agreement: a.id, title: "T", deadline: { due_at: "0050-06-15T12:00:00Z" } }, ["deadline.due_at"]);
    await refused("POST", `/api/v1/commitments/${c.id}/status`, { status: "stalled", occurred_at: "0099-01-01T00:00:00Z" }, ["occurred_at"]);
  });

  it("keeps the year 1000 as given", async () => {
    const a = await createAgreement({ signed_on: "1000-01-01" });
    expect(a.signed_on).toBe("1000-01-01");
    const c = await createCommitment(a.id, { deadline: { within: "P2M" } });
    expect(c.due_on).toBe("1000-03-01");
  });

  it("refuses 9999-12-31, whose next day the calendar cannot write, and keeps 9999-12-30", async () => {
    const a = await createAgreement();
    await refused("POST", "/api/v1/commitments", { id: uid("com"), agreement: a.id, title: "T", deadline: { due_on: "9999-12-31" } }, ["deadline.due_on"]);
    const c = await createCommitment(a.id, { deadline: { due_on: "9999-12-30" } });
    expect(c.due_on).toBe("9999-12-30");
    const ics = await (await get(`/calendar.ics?commitment=${c.id}`)).text();
    expect(ics).toContain("DTSTART;VALUE=DATE:99991230\r\n");
    expect(ics).toContain("DTEND;VALUE=DATE:99991231\r\n");
  });

  it("refuses a deadline that resolves past 9999-12-30 in its zone or whose grace runs past 9999", async () => {
    const a = await createAgreement();
    // 23:00 UTC on the 30th is already the 31st in Kiritimati (UTC+14).
    await refused(
      "POST",
      "/api/v1/commitments",
      { id: uid("com"), agreement: a.id, title: "T", time_zone: "Pacific/Kiritimati", deadline: { due_at: "9999-12-30T23:00:00Z" } },
      ["deadline"],
    );
    await refused("POST", "/api/v1/commitments", { id: uid("com"), agreement: a.id, title: "T", deadline: { within: "P20Y", from: "9990-01-01" } }, ["deadline"]);
    await refused("POST", "/api/v1/commitments", { id: uid("com"), agreement: a.id, title: "T", deadline: { due_on: "9999-12-30", grace: "P2D" } }, ["deadline"]);
    const c = await createCommitment(a.id);
    await refused("PATCH", `/api/v1/commitments/${c.id}`, { deadline: { due_on: "9999-12-31" }, reason: "r" }, ["deadline.due_on"]);
  });

  it("refuses out-of-range dates in an import, naming the record's field", async () => {
    const a = uid("agr");
    await refused(
      "POST",
      "/api/v1/import",
      { agreements: [{ id: a, title: "T", kind: "memorandum" }], commitments: [{ id: uid("com"), agreement: a, title: "T", deadline: { due_on: "0050-06-15" } }] },
      ["commitments.0.deadline.due_on"],
    );
  });

  it("writes valid dates in every output for the latest allowed deadline", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id, { time_zone: "Pacific/Honolulu", deadline: { due_on: "9999-12-30", grace: "PT14H" } });
    const got = await json(call("GET", `/api/v1/commitments/${c.id}`));
    expect(got.due_at).toBe("9999-12-31T09:59:59.999Z");
    expect(got.overdue_at).toBe("9999-12-31T23:59:59.999Z");
  });
});
