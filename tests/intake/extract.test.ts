/** The extractor on the seed statement and on each deadline phrasing the issue lists (pure code, inside workerd). */
import { describe, expect, it } from "vitest";
import seed from "../../eval/extract/seed.txt?raw";
import { extractDrafts } from "../../src/intake/drafts/drafts.extract";
import { readDeadline } from "../../src/intake/drafts/drafts.deadlines";

const PARTIES = ["Azerbaijan", "United States", "Armenia"];
const drafts = extractDrafts({ text: seed, signedOn: "2025-08-08", parties: PARTIES });
const find = (words: string) => drafts.find((d) => d.quote.includes(words));

describe("the seed statement", () => {
  it("proposes the Working Group and Charter, due six months after signing (P6M → 2026-02-08)", () => {
    const d = find("Strategic Working Group between the two countries over the next 6 months")!;
    expect(d.title).toMatch(/^Establish a Strategic Working Group .*Charter/);
    expect(d.deadline).toEqual({
      phrase: "over the next 6 months",
      spec: { within: "P6M" },
      due_on: "2026-02-08",
      explanation: "6 months after the signing date 2025-08-08 → 2026-02-08",
    });
  });

  it("proposes signing and ratifying the peace agreement, the constitutional amendment, the transport links, the route through Armenia, closing the Minsk Process and the SOCAR–ExxonMobil assessment", () => {
    expect(find("additional measures should be taken to sign and ratify the Agreement")?.title).toBe("Sign and ratify the Agreement");
    expect(find("amendments to the Armenian Constitution")).toBeDefined();
    expect(find("provision on opening transport links")?.title).toBe("Opening transport links between the two countries");
    expect(find("special communications project will be implemented on the territory of Armenia")?.parties).toEqual(["Armenia"]);
    expect(find("to shut down the OSCE Minsk Process")?.title).toBe("Shut down the OSCE Minsk Process and related structures");
    expect(find("assessing oil and gas production opportunities")).toBeDefined();
  });

  it("proposes nothing for the meeting, the signing or the symbolic significance", () => {
    expect(find("was held")).toBeUndefined();
    expect(find("symbolic significance")).toBeUndefined();
    expect(find("signed a \"Memorandum of Understanding")).toBeUndefined();
  });

  it("gives each draft a quote that is exactly its span of the text", () => {
    expect(drafts.length).toBeGreaterThanOrEqual(7);
    for (const d of drafts) expect(seed.slice(d.span[0], d.span[1])).toBe(d.quote);
  });

  it("is deterministic: the same text gives the same drafts", () => {
    expect(extractDrafts({ text: seed, signedOn: "2025-08-08", parties: PARTIES })).toEqual(drafts);
  });
});

describe("deadline phrases", () => {
  const cases: Array<[string, string, unknown, string]> = [
    ["The parties will act within 90 days.", "within 90 days", { within: "P90D" }, "2025-11-06"],
    ["The parties will act within ninety days.", "within ninety days", { within: "P90D" }, "2025-11-06"],
    ["They will act over the next 2 weeks.", "over the next 2 weeks", { within: "P2W" }, "2025-08-22"],
    ["They will act in the coming three years.", "in the coming three years", { within: "P3Y" }, "2028-08-08"],
    ["They will act no later than 31 March 2027.", "no later than 31 March 2027", { due_on: "2027-03-31" }, "2027-03-31"],
    ["They will act by December 31, 2026.", "by December 31, 2026", { due_on: "2026-12-31" }, "2026-12-31"],
    ["They will act before 1 October 2027.", "before 1 October 2027", { due_on: "2027-09-30" }, "2027-09-30"],
    ["They will act by the end of March 2027.", "by the end of March 2027", { due_on: "2027-03-31" }, "2027-03-31"],
    ["They will act by the end of the quarter.", "by the end of the quarter", { due_on: "2025-09-30" }, "2025-09-30"],
    ["They will act by the end of the year.", "by the end of the year", { due_on: "2025-12-31" }, "2025-12-31"],
    ["They will act this year.", "this year", { due_on: "2025-12-31" }, "2025-12-31"],
    ["They will act by the end of next year.", "by the end of next year", { due_on: "2026-12-31" }, "2026-12-31"],
    ["They will meet in September 2027.", "in September 2027", { due_on: "2027-09-30" }, "2027-09-30"],
    ["They will act in the third quarter of 2026.", "in the third quarter of 2026", { due_on: "2026-09-30" }, "2026-09-30"],
    ["They will act in the second half of 2026.", "in the second half of 2026", { due_on: "2026-12-31" }, "2026-12-31"],
    ["They will act by 2030.", "by 2030", { due_on: "2030-12-31" }, "2030-12-31"],
    ["They will act within the next 18 months.", "within the next 18 months", { within: "P18M" }, "2027-02-08"],
    ["They will act in two weeks.", "in two weeks", { within: "P2W" }, "2025-08-22"],
    ["They will act during 2027.", "during 2027", { due_on: "2027-12-31" }, "2027-12-31"],
    ["They will act by 1 March.", "by 1 March", { due_on: "2026-03-01" }, "2026-03-01"],
  ];
  for (const [sentence, phrase, spec, due] of cases) {
    it(`reads "${phrase}" signed on 2025-08-08 as due ${due}`, () => {
      const d = readDeadline(sentence, "2025-08-08")!;
      expect(d.phrase).toBe(phrase);
      expect(d.spec).toEqual(spec);
      expect(d.due_on).toBe(due);
    });
  }

  it("keeps an event-anchored phrase with its anchor named and no due date", () => {
    const d = readDeadline("IGAD shall deploy a mission within 30 days after this declaration enters into force.", "2026-06-20")!;
    expect(d.phrase).toBe("within 30 days after this declaration enters into force");
    expect(d.spec).toBeNull();
    expect(d.due_on).toBeNull();
    expect(d.explanation).toContain('"this declaration enters into force"');
  });

  it("counts from the signing date when the anchor is the document itself", () => {
    expect(readDeadline("Within 90 days of the date of this order, the Secretary shall report.", "2026-01-20")?.due_on).toBe("2026-04-20");
  });

  it("reads no deadline from a year before the signing (the past)", () => {
    expect(readDeadline("They will build on the treaty signed in 2019.", "2025-08-08")).toBeNull();
  });

  it("keeps a relative deadline without a due date when the signing date is not known", () => {
    const d = readDeadline("They will act within 6 months.", null)!;
    expect(d.spec).toEqual({ within: "P6M" });
    expect(d.due_on).toBeNull();
  });
});
