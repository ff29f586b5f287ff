import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, BASE, call, createAgreement, createCommitment, json, tableCounts, uid } from "../helpers";
import { get } from "./readside.helpers";

function rawPost(path: string, body: Uint8Array | string, contentType: string): Promise<Response> {
  return exports.default.fetch(
    new Request(`${BASE}${path}`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}`, "content-type": contentType }, body }),
  );
}

async function importCommitments(commitments: Record<string, unknown>[]) {
  const res = await call("POST", "/api/v1/import", { body: { format: "pledgewatch/v1", commitments } });
  if (res.status !== 200) throw new Error(`import: ${res.status} ${await res.text()}`);
}

describe("request bodies", () => {
  it("refuses bytes that are not UTF-8 with 400 invalid_json and changes nothing", async () => {
    const before = await tableCounts();
    const text = new TextEncoder().encode(`{"id":"${uid("agr")}","title":"Caf`);
    const body = new Uint8Array([...text, 0xe9, ...new TextEncoder().encode(`","kind":"memorandum"}`)]);
    const res = await rawPost("/api/v1/agreements", body, "application/json");
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("invalid_json");
    expect(await tableCounts()).toEqual(before);
  });

  it("refuses bytes that are not UTF-8 on the import too", async () => {
    const body = new Uint8Array([...new TextEncoder().encode('{"format":"pledgewatch/v1","agreements":[{"title":"'), 0xff, 0xfe, ...new TextEncoder().encode('"}],"commitments":[]}')]);
    const res = await rawPost("/api/v1/import", body, "application/json");
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe("invalid_json");
  });

  it("answers 415 to a declared charset other than UTF-8, and accepts utf-8 in any spelling", async () => {
    const doc = (id: string) => JSON.stringify({ id, title: "Charset", kind: "memorandum" });
    for (const type of ["application/json; charset=utf-16", "application/json;charset=latin1", 'application/json; charset="iso-8859-1"']) {
      const res = await rawPost("/api/v1/agreements", doc(uid("agr")), type);
      expect(res.status, type).toBe(415);
      expect((await json(res)).error.code).toBe("unsupported_media_type");
    }
    for (const type of ["application/json; charset=UTF-8", 'application/json; charset="utf-8"', "application/json;charset=utf8"]) {
      expect((await rawPost("/api/v1/agreements", doc(uid("agr")), type)).status, type).toBe(201);
    }
  });
});

describe("token names", () => {
  for (const name of ["sweep", "delivery", "Admin", "ADMIN", "Sweep", "system"]) {
    it(`refuses a token named '${name}', a name the system writes as actor`, async () => {
      const res = await call("POST", "/api/v1/tokens", { body: { name, scope: "write" } });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error.issues.map((i: { path: string }) => i.path)).toEqual(["name"]);
    });
  }
});

describe("response headers", () => {
  it("sends nosniff on every answer, and no-store on API JSON", async () => {
    const a = await createAgreement();
    for (const path of ["/api/v1/agreements", `/api/v1/agreements/${a.id}`, "/api/v1/commitments", "/api/v1/nope", "/api/v1/tokens"]) {
      const res = await call("GET", path);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("cache-control"), path).toBe("no-store");
    }
    const refused = await call("GET", "/api/v1/tokens", { token: null });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("cache-control")).toBe("no-store");
    for (const path of ["/", "/feed.xml", "/status.json", "/openapi.json", "/nope", "/healthz"]) {
      expect((await get(path)).headers.get("x-content-type-options"), path).toBe("nosniff");
    }
    // Read-side documents keep their own caching.
    expect((await get("/feed.xml")).headers.get("cache-control")).toMatch(/^public, max-age=\d+, must-revalidate$/);
  });
});

describe("size bounds", () => {
  it("embeds at most 50 commitments in GET /api/v1/agreements/:id, with the count and a link to the rest", async () => {
    const a = await createAgreement();
    await importCommitments(Array.from({ length: 121 }, (_, i) => ({ id: `${a.id}-c${String(i).padStart(3, "0")}`, agreement: a.id, title: `C ${i}` })));
    const res = await json(call("GET", `/api/v1/agreements/${a.id}`));
    expect(res.commitments).toHaveLength(50);
    expect(res.commitment_count).toBe(121);
    expect(res.commitments_next).toMatch(new RegExp(`^/api/v1/commitments\\?agreement=${a.id}&limit=50&cursor=`));
    const seen = new Set<string>(res.commitments.map((c: { id: string }) => c.id));
    let next: string | null = res.commitments_next;
    while (next) {
      const page = await json(call("GET", next));
      for (const c of page.items) seen.add(c.id);
      next = page.next_cursor ? `/api/v1/commitments?agreement=${a.id}&limit=50&cursor=${encodeURIComponent(page.next_cursor)}` : null;
    }
    expect(seen.size).toBe(121);
  });

  it("lists at most 100 dependents on a commitment page and says how many more there are", async () => {
    const a = await createAgreement();
    const target = await createCommitment(a.id);
    await importCommitments(
      Array.from({ length: 150 }, (_, i) => ({ id: `${target.id}-d${String(i).padStart(3, "0")}`, agreement: a.id, title: `Dependent ${i}`, depends_on: [target.id] })),
    );
    const html = await (await get(`/commitments/${target.id}`)).text();
    const needed = html.slice(html.indexOf("Needed by"), html.indexOf("history-h"));
    expect(needed.match(/Dependent /g)).toHaveLength(100);
    expect(needed).toContain("and 50 more commitments");
  });
});
