import { beforeAll, describe, expect, it } from "vitest";
import labelled from "./match.labelled.json";
import { matchItems } from "../../src/watch/poll";
import { db } from "../helpers";
import { importDefaultDataset } from "./watch.helpers";

/**
 * Matching quality on the labelled set (tests/watch/match.labelled.json), through the real
 * pipeline: the FTS5 index in D1, the candidate query and the scorer. Prints precision and
 * recall over (item, commitment) pairs; the floors below are what the README reports, so a
 * change that makes matching worse fails here.
 */
export async function evaluate() {
  const entries = labelled.items.map((i) => ({
    item: { key: i.title, title: i.title, url: null, publishedAt: null, text: `${i.title}. ${i.text}` },
    scope: { agreements: null, partyKeys: null },
  }));
  const found = await matchItems(db(), entries);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const mistakes: string[] = [];
  labelled.items.forEach((item, k) => {
    const got = new Set(found[k]!.map((m) => m.candidate.id));
    const want = new Set(item.match);
    for (const id of got) {
      if (want.has(id)) tp++;
      else {
        fp++;
        mistakes.push(`false positive: "${item.title}" → ${id}`);
      }
    }
    for (const id of want) {
      if (!got.has(id)) {
        fn++;
        mistakes.push(`missed: "${item.title}" → ${id}`);
      }
    }
  });
  return { tp, fp, fn, precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn), mistakes };
}

describe("matching quality on the labelled set", () => {
  beforeAll(importDefaultDataset);

  it("reaches at least 0.85 precision and 0.8 recall over item–commitment pairs", async () => {
    const r = await evaluate();
    console.log(
      `match quality: precision ${r.precision.toFixed(3)}, recall ${r.recall.toFixed(3)} (tp ${r.tp}, fp ${r.fp}, fn ${r.fn}; ${labelled.items.length} items)\n  ${r.mistakes.join("\n  ")}`,
    );
    expect(r.precision).toBeGreaterThanOrEqual(0.85);
    expect(r.recall).toBeGreaterThanOrEqual(0.8);
  });
});
