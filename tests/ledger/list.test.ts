import { describe, expect, it } from "vitest";
import { call, createAgreement, createCommitment, json, uid } from "../helpers";
import { expectError, issuePaths } from "./ledger.helpers";

type Item = { id: string; due_at: string | null; status: string; timeliness: string };
type Page = { items: Item[]; next_cursor: string | null };

const list = (query: string) => json<Page>(call("GET", `/api/v1/commitments?${query}`));
const ids = (page: Page) => page.items.map((i) => i.id);

/** Follows next_cursor as a client would, pasting it into the URL as given. */
async function walk(base: string, limit: number): Promise<{ pages: Page[]; items: Item[] }> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const res = await call("GET", `/api/v1/commitments?${base}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const page = (await res.json()) as Page;
    pages.push(page);
    cursor = page.next_cursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor);
  return { pages, items: pages.flatMap((p) => p.items) };
}

describe("GET /api/v1/commitments filters", () => {
  it("filters by status, one or a comma-separated list", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id, { status: "in_progress" });
    const b = await createCommitment(agreement.id, { status: "stalled" });
    const c = await createCommitment(agreement.id, { status: "fulfilled" });
    await createCommitment(agreement.id);
    expect(ids(await list(`agreement=${agreement.id}&status=in_progress`))).toEqual([a.id]);
    expect(ids(await list(`agreement=${agreement.id}&status=in_progress,stalled`)).sort()).toEqual([a.id, b.id].sort());
    expect(ids(await list(`agreement=${agreement.id}&status=${encodeURIComponent("fulfilled, stalled")}`)).sort()).toEqual([b.id, c.id].sort());
    expect(ids(await list(`agreement=${agreement.id}&status=withdrawn`))).toEqual([]);
  });

  it("filters by agreement", async () => {
    const one = await createAgreement();
    const two = await createAgreement();
    const a = await createCommitment(one.id);
    const b = await createCommitment(two.id);
    expect(ids(await list(`agreement=${one.id}`))).toEqual([a.id]);
    expect(ids(await list(`agreement=${two.id}`))).toEqual([b.id]);
    expect(ids(await list(`agreement=${uid("none")}`))).toEqual([]);
  });

  it("filters by tag, exactly", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id, { tags: ["energy", "trade"] });
    await createCommitment(agreement.id, { tags: ["energy-transit"] });
    await createCommitment(agreement.id, { tags: [] });
    expect(ids(await list(`agreement=${agreement.id}&tag=energy`))).toEqual([a.id]);
    expect(ids(await list(`agreement=${agreement.id}&tag=trade`))).toEqual([a.id]);
    expect(ids(await list(`agreement=${agreement.id}&tag=ener`))).toEqual([]);
  });

  it("filters by party, ignoring case", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id, { parties: ["Azerbaijan", "United States"] });
    const b = await createCommitment(agreement.id, { parties: ["Armenia"] });
    expect(ids(await list(`agreement=${agreement.id}&party=azerbaijan`))).toEqual([a.id]);
    expect(ids(await list(`agreement=${agreement.id}&party=UNITED%20STATES`))).toEqual([a.id]);
    expect(ids(await list(`agreement=${agreement.id}&party=ArMeNiA`))).toEqual([b.id]);
    expect(ids(await list(`agreement=${agreement.id}&party=United`))).toEqual([]);
  });

  it("searches title and description with q, case-insensitively", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id, { title: "Open the Nakhchivan corridor" });
    const b = await createCommitment(agreement.id, { title: "Other", description: "Talks about the corridor route" });
    await createCommitment(agreement.id, { title: "Unrelated" });
    expect(ids(await list(`agreement=${agreement.id}&q=CORRIDOR`)).sort()).toEqual([a.id, b.id].sort());
    expect(ids(await list(`agreement=${agreement.id}&q=nakhchivan`))).toEqual([a.id]);
  });

  it("treats LIKE wildcards % and _ and the escape character in q literally", async () => {
    const agreement = await createAgreement();
    const percent = await createCommitment(agreement.id, { title: "Reach 100% coverage" });
    const underscore = await createCommitment(agreement.id, { title: "Rename snake_case fields" });
    const backslash = await createCommitment(agreement.id, { title: "Path C:\\temp" });
    await createCommitment(agreement.id, { title: "Plain words" });
    expect(ids(await list(`agreement=${agreement.id}&q=${encodeURIComponent("%")}`))).toEqual([percent.id]);
    expect(ids(await list(`agreement=${agreement.id}&q=_`))).toEqual([underscore.id]);
    expect(ids(await list(`agreement=${agreement.id}&q=${encodeURIComponent("0%")}`))).toEqual([percent.id]);
    expect(ids(await list(`agreement=${agreement.id}&q=${encodeURIComponent("e_c")}`))).toEqual([underscore.id]);
    expect(ids(await list(`agreement=${agreement.id}&q=${encodeURIComponent("\\")}`))).toEqual([backslash.id]);
    expect(ids(await list(`agreement=${agreement.id}&q=${encodeURIComponent("%%")}`))).toEqual([]);
  });

  it("combines filters with AND", async () => {
    const agreement = await createAgreement();
    const a = await createCommitment(agreement.id, { tags: ["energy"], parties: ["SOCAR"], status: "in_progress", title: "Gas assessment" });
    await createCommitment(agreement.id, { tags: ["energy"], parties: ["SOCAR"], status: "stalled", title: "Gas assessment" });
    await createCommitment(agreement.id, { tags: ["energy"], parties: ["ExxonMobil"], status: "in_progress", title: "Gas assessment" });
    await createCommitment(agreement.id, { tags: ["trade"], parties: ["SOCAR"], status: "in_progress", title: "Gas assessment" });
    expect(ids(await list(`agreement=${agreement.id}&tag=energy&party=socar&status=in_progress,fulfilled&q=gas&timeliness=no_deadline`))).toEqual([a.id]);
  });
});

describe("GET /api/v1/commitments pagination", () => {
  it("walks every commitment exactly once in (deadline, id) order with open-ended ones last", async () => {
    const agreement = await createAgreement();
    const specs: Array<Record<string, unknown>> = [
      { deadline: { due_on: "2026-03-01" } },
      { deadline: { due_on: "2026-01-15" } },
      { deadline: { due_at: "2026-01-15T23:59:59.999Z" } }, // same instant as the one above: the id breaks the tie
      { deadline: { due_on: "2026-01-15" } },
      { deadline: null },
      { deadline: { due_on: "2027-12-31" } },
      { deadline: null },
      { deadline: { due_at: "2025-06-01T00:00:00Z" } },
      { deadline: null },
      { deadline: { within: "P6M" } },
      { deadline: { due_on: "2026-02-08", grace: "P1M" } },
    ];
    const created = [];
    for (const spec of specs) created.push(await createCommitment(agreement.id, spec));
    const expected = [...created]
      .sort((x, y) => {
        const kx = x.due_at === null ? Number.MAX_SAFE_INTEGER : Date.parse(x.due_at);
        const ky = y.due_at === null ? Number.MAX_SAFE_INTEGER : Date.parse(y.due_at);
        return kx - ky || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
      })
      .map((c) => c.id);
    const full = await list(`agreement=${agreement.id}&limit=200`);
    expect(ids(full)).toEqual(expected);
    expect(full.next_cursor).toBeNull();
    for (const limit of [1, 2, 3, 4, 5, 10, 11]) {
      const { pages, items } = await walk(`agreement=${agreement.id}`, limit);
      expect(items.map((i) => i.id), `limit ${limit}`).toEqual(expected);
      expect(pages.length).toBe(Math.ceil(expected.length / limit));
      for (const page of pages.slice(0, -1)) expect(page.items).toHaveLength(limit);
    }
  });

  it("keeps cursors working with filters, and across pages with only open-ended commitments", async () => {
    const agreement = await createAgreement();
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await createCommitment(agreement.id, { tags: [i % 2 ? "odd" : "even"], deadline: i < 2 ? { due_on: "2026-05-01" } : null }));
    const even = made.filter((_, i) => i % 2 === 0);
    const { items } = await walk(`agreement=${agreement.id}&tag=even`, 1);
    expect(items.map((i) => i.id).sort()).toEqual(even.map((c) => c.id).sort());
  });

  it("defaults to 50 items and allows up to 200", async () => {
    const agreement = await createAgreement();
    for (let i = 0; i < 52; i++) await createCommitment(agreement.id);
    const first = await list(`agreement=${agreement.id}`);
    expect(first.items).toHaveLength(50);
    expect(first.next_cursor).not.toBeNull();
    const rest = await list(`agreement=${agreement.id}&cursor=${encodeURIComponent(first.next_cursor!)}`);
    expect(rest.items).toHaveLength(2);
    expect(rest.next_cursor).toBeNull();
    expect((await list(`agreement=${agreement.id}&limit=200`)).items).toHaveLength(52);
  });

  it("sees a commitment created between pages exactly once if it sorts after the cursor", async () => {
    const agreement = await createAgreement();
    const early = await createCommitment(agreement.id, { deadline: { due_on: "2026-01-01" } });
    await createCommitment(agreement.id, { deadline: { due_on: "2026-02-01" } });
    const first = await list(`agreement=${agreement.id}&limit=1`);
    expect(ids(first)).toEqual([early.id]);
    const late = await createCommitment(agreement.id, { deadline: { due_on: "2026-03-01" } });
    const before = await createCommitment(agreement.id, { deadline: { due_on: "2025-12-01" } });
    const rest = await list(`agreement=${agreement.id}&limit=10&cursor=${encodeURIComponent(first.next_cursor!)}`);
    expect(ids(rest)).toContain(late.id);
    expect(ids(rest)).not.toContain(before.id);
    expect(ids(rest)).not.toContain(early.id);
  });

  it("hands out cursors made of URL-safe characters", async () => {
    const agreement = await createAgreement();
    for (let i = 0; i < 4; i++) await createCommitment(agreement.id, { deadline: i % 2 ? null : { due_on: "2026-04-01" } });
    const { pages } = await walk(`agreement=${agreement.id}`, 1);
    for (const page of pages.slice(0, -1)) expect(page.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it("answers 400 naming cursor for a cursor it did not issue", async () => {
    for (const cursor of ["garbage!", "bm90IGpzb24", btoa("[1]"), btoa('["x","y"]'), btoa("{}"), "%%%"]) {
      const res = await call("GET", `/api/v1/commitments?cursor=${encodeURIComponent(cursor)}`);
      const body = await expectError(res, 400, "invalid_input");
      expect(issuePaths(body), cursor).toEqual(["cursor"]);
    }
  });
});

describe("query-string errors on list routes", () => {
  it("answers 400 naming every bad parameter of GET /commitments", async () => {
    const res = await call("GET", "/api/v1/commitments?status=done&timeliness=late&limit=0&agreement=Not%20A%20Slug&tag=Bad%20Tag&sort=title");
    const body = await expectError(res, 400, "invalid_input");
    expect(issuePaths(body)).toEqual(["agreement", "limit", "sort", "status.0", "tag", "timeliness.0"].sort());
  });

  it("answers 400 for limits out of range or not numbers", async () => {
    for (const limit of ["0", "201", "-1", "abc", "1.5", "", "1e2"]) {
      const body = await expectError(await call("GET", `/api/v1/commitments?limit=${limit}`), 400, "invalid_input");
      expect(issuePaths(body), limit).toEqual(["limit"]);
    }
    expect((await call("GET", "/api/v1/commitments?limit=200")).status).toBe(200);
    expect((await call("GET", "/api/v1/commitments?limit=1")).status).toBe(200);
  });

  it("answers 400 for a repeated parameter, an empty q and a q with control characters", async () => {
    expect((await call("GET", "/api/v1/commitments?status=stalled&status=fulfilled")).status).toBe(400);
    expect((await call("GET", "/api/v1/commitments?q=")).status).toBe(400);
    expect((await call("GET", `/api/v1/commitments?q=${encodeURIComponent("a\u0000b")}`)).status).toBe(400);
    expect((await call("GET", `/api/v1/commitments?party=${encodeURIComponent("x".repeat(201))}`)).status).toBe(400);
  });

  it("answers 400 for bad parameters of GET /agreements and GET /commitments/:id/events", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id);
    expect(issuePaths(await expectError(await call("GET", "/api/v1/agreements?limit=500"), 400, "invalid_input"))).toEqual(["limit"]);
    expect(issuePaths(await expectError(await call("GET", "/api/v1/agreements?page=2"), 400, "invalid_input"))).toEqual(["page"]);
    expect(issuePaths(await expectError(await call("GET", `/api/v1/commitments/${c.id}/events?cursor=abc`), 400, "invalid_input"))).toEqual(["cursor"]);
    expect(issuePaths(await expectError(await call("GET", `/api/v1/commitments/${c.id}/events?limit=0&x=1`), 400, "invalid_input"))).toEqual(["limit", "x"]);
    await expectError(await call("GET", `/api/v1/commitments/${uid("missing")}/events`), 404, "not_found");
  });
});

describe("GET /api/v1/agreements pagination", () => {
  it("walks agreements in id order exactly once, with commitment counts", async () => {
    const mine: any[] = [];
    for (let i = 0; i < 5; i++) mine.push(await createAgreement({ id: uid("pag-agr") }));
    await createCommitment(mine[2].id);
    await createCommitment(mine[2].id);
    const all = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: Array<{ id: string; commitment_count: number }>; next_cursor: string | null } = await json(
        call("GET", `/api/v1/agreements?limit=2${cursor ? `&cursor=${cursor}` : ""}`),
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      all.push(...page.items);
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 100);
    const seen = all.map((a) => a.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    for (const a of mine) expect(seen).toContain(a.id);
    expect(all.find((a) => a.id === mine[2].id)!.commitment_count).toBe(2);
    expect(all.find((a) => a.id === mine[0].id)!.commitment_count).toBe(0);
    const full = await json(call("GET", "/api/v1/agreements?limit=200"));
    expect(full.items.map((a: { id: string }) => a.id)).toEqual(seen);
    const one = await json(call("GET", `/api/v1/agreements/${mine[2].id}`));
    expect(one.commitments).toHaveLength(2);
  });

  it("answers 404 with the envelope for an unknown agreement or commitment", async () => {
    await expectError(await call("GET", `/api/v1/agreements/${uid("missing")}`), 404, "not_found");
    await expectError(await call("GET", `/api/v1/commitments/${uid("missing")}`), 404, "not_found");
  });
});

describe("GET /api/v1/commitments/:id/events pagination", () => {
  it("walks a commitment's history newest first, exactly once", async () => {
    const agreement = await createAgreement();
    const c = await createCommitment(agreement.id);
    for (const s of ["in_progress", "stalled", "in_progress", "stalled", "in_progress", "fulfilled"]) {
      expect((await call("POST", `/api/v1/commitments/${c.id}/status`, { body: { status: s } })).status).toBe(200);
    }
    expect((await call("PATCH", `/api/v1/commitments/${c.id}`, { body: { title: "Renamed" } })).status).toBe(200);
    const full = await json(call("GET", `/api/v1/commitments/${c.id}/events`));
    expect(full.items).toHaveLength(8);
    expect(full.next_cursor).toBeNull();
    expect(full.items[0].type).toBe("commitment.updated");
    expect(full.items.at(-1).type).toBe("commitment.created");
    const seqs = full.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => b - a));
    expect(Object.keys(full.items[0]).sort()).toEqual(
      ["actor", "agreement", "commitment", "data", "evidence_url", "from", "id", "note", "occurred_at", "recorded_at", "seq", "to", "type"].sort(),
    );
    for (const limit of [1, 3, 7, 8]) {
      const walked = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ id: string }>; next_cursor: string | null } = await json(
          call("GET", `/api/v1/commitments/${c.id}/events?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`),
        );
        expect(page.items.length).toBeLessThanOrEqual(limit);
        walked.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      expect(walked.map((e) => e.id), `limit ${limit}`).toEqual(full.items.map((e: { id: string }) => e.id));
    }
  });
});
