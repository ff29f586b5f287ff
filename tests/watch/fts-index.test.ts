import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createAgreement, createCommitment, uid } from "../helpers";

/** The commitments whose FTS entry matches `query` (an FTS5 expression), by id. */
async function ftsIds(query: string): Promise<string[]> {
  const rows = await env.DB.prepare(
    "SELECT c.id FROM commitments_fts f JOIN commitments c ON c.rowid = f.rowid WHERE commitments_fts MATCH ? ORDER BY c.id",
  )
    .bind(query)
    .all<{ id: string }>();
  return rows.results.map((r) => r.id);
}

/** FTS5's own consistency check of an external-content index against its table: throws when out of step. */
async function integrityCheck(): Promise<void> {
  await env.DB.prepare("INSERT INTO commitments_fts(commitments_fts, rank) VALUES ('integrity-check', 1)").run();
}

describe("the commitments full-text index (commitments_fts)", () => {
  it("indexes a new commitment's title, description, parties, tags and keywords", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id, {
      title: "Open the Margara crossing",
      description: "For diplomats first",
      parties: ["Türkiye"],
      tags: ["borders"],
      keywords: ["Alican"],
    });
    for (const q of ["margara", "diplomats", "turkiye", "borders", "alican", "crossings"]) expect(await ftsIds(q), q).toContain(c.id);
    await integrityCheck();
  });

  it("stays in step after edits: old words no longer find it, new ones do", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id, { title: "Build the Zangilan airport", keywords: ["Zangilan"] });
    expect(await ftsIds("zangilan")).toContain(c.id);
    await call("PATCH", `/api/v1/commitments/${c.id}`, { body: { title: "Build the Lachin airport", keywords: ["Lachin"] } });
    expect(await ftsIds("zangilan")).not.toContain(c.id);
    expect(await ftsIds("lachin")).toContain(c.id);
    // A status change does not touch the indexed columns; the entry stays.
    await call("POST", `/api/v1/commitments/${c.id}/status`, { body: { status: "in_progress" } });
    expect(await ftsIds("lachin")).toContain(c.id);
    await integrityCheck();
  });

  it("stays in step after an import that creates and one that updates", async () => {
    const agreement = uid("agr");
    const id = uid("com");
    const doc = (title: string) => ({
      format: "pledgewatch/v1",
      agreements: [{ id: agreement, title: "Imported", kind: "memorandum", signed_on: "2025-01-01", parties: [], source_url: null, summary: "" }],
      commitments: [{ id, agreement, title, deadline: null, status: "not_started", status_changed_at: "2025-01-01T00:00:00Z" }],
    });
    expect((await call("POST", "/api/v1/import", { body: doc("Restore the Kura hydropower plant") })).status).toBe(200);
    expect(await ftsIds("hydropower")).toContain(id);
    expect((await call("POST", "/api/v1/import", { body: doc("Restore the Kura irrigation canal") })).status).toBe(200);
    expect(await ftsIds("hydropower")).not.toContain(id);
    expect(await ftsIds("irrigation")).toContain(id);
    await integrityCheck();
  });

  it("drops a deleted commitment", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id, { title: "Demine the Aghdam district" });
    expect(await ftsIds("aghdam")).toContain(c.id);
    // The API has no delete yet; the trigger covers any that removes the row.
    await env.DB.batch([
      env.DB.prepare("DELETE FROM commitment_dependencies WHERE commitment_id = ? OR depends_on_id = ?").bind(c.id, c.id),
      env.DB.prepare("DELETE FROM commitments WHERE id = ?").bind(c.id),
    ]);
    expect(await ftsIds("aghdam")).toEqual([]);
    await integrityCheck();
  });
});
