import { beforeAll, describe, expect, it } from "vitest";
import { DF_CAP, MAX_QUERY_TERMS, itemTerms } from "../../src/watch/match";
import { findCandidates } from "../../src/watch/match.repo";
import { call, db, uid } from "../helpers";

/**
 * What keeps matching flat in the size of the ledger (watch/match.repo.ts): the candidate
 * statement weighs each of the item's words by the commitments that contain it, counting up to
 * DF_CAP, leaves out the words at the cap, and ranks by the rarest MAX_QUERY_TERMS. These tests run
 * that statement in D1 over a ledger where two words are in more than DF_CAP commitments.
 */
const common = DF_CAP + 6;
const agreement = uid("agr");
const ids = Array.from({ length: common }, (_, k) => `${agreement}-c${k}`);
const scope = { agreements: [agreement], partyKeys: null };

async function candidates(title: string, text = ""): Promise<string[]> {
  const [found] = await findCandidates(db(), [{ terms: itemTerms(title, text), scope }]);
  return found!.map((c) => c.id);
}

describe("matching weighs an item's words by how rare they are in the index", () => {
  beforeAll(async () => {
    const doc = {
      format: "pledgewatch/v1",
      agreements: [{ id: agreement, title: "Ports", kind: "memorandum", signed_on: "2025-01-01", parties: [], source_url: null, summary: "" }],
      commitments: ids.map((id, k) => ({
        id,
        agreement,
        // Every title shares "harbour" and "dredging"; each has a name of its own; three share "lagoon".
        title: `Finish the harbour dredging at port${k}x${k < 3 ? " lagoon" : ""}`,
        deadline: null,
        status: "not_started",
        status_changed_at: "2025-01-01T00:00:00Z",
      })),
    };
    const res = await call("POST", "/api/v1/import", { body: doc });
    expect(res.status, await res.clone().text()).toBe(200);
  });

  it("proposes nothing for an item that shares only words found in DF_CAP commitments or more", async () => {
    expect(await candidates("Harbour dredging contract awarded", "The harbour dredging works were awarded today.")).toEqual([]);
  });

  it("finds the one commitment an item names among many that share its common words", async () => {
    const found = await candidates("Harbour dredging at port7x begins", "Dredgers arrived in the harbour.");
    expect(found[0]).toBe(`${agreement}-c7`);
  });

  it("finds every commitment that shares a word rarer than the cap", async () => {
    const found = await candidates("Lagoon survey published");
    expect(found.sort()).toEqual(ids.slice(0, 3).sort());
  });

  it("queries at most MAX_QUERY_TERMS words: the rarest, and among equally rare ones the first", async () => {
    // port0x…port11x and port20x are each in one commitment; port20x comes last, after more than
    // MAX_QUERY_TERMS words as rare as it is, so it is not queried.
    const names = Array.from({ length: MAX_QUERY_TERMS + 2 }, (_, k) => `port${k}x`).join(" ");
    const found = await candidates(`Harbour report on ${names}`, "port20x lagoon");
    expect(found).not.toContain(`${agreement}-c20`);
    expect(found.length).toBeGreaterThan(0);
  });
});
