/**
 * Parties (ledger/parties.*): names matched case- and accent-insensitively, aliases an editor
 * maintains, counts by timeliness and progress, the record, and the indexed reads behind them.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { partyKey } from "../../src/lib/parties";
import { sql } from "drizzle-orm";
import { countByPartySql } from "../../src/ledger/parties.repo";
import { call, createAgreement, createCommitment, db, json, uid } from "../helpers";
import { expectError } from "./ledger.helpers";

const party = async (segment: string) => call("GET", `/api/v1/parties/${encodeURIComponent(segment)}`, { token: null });

describe("party names", () => {
  it("match by a key that ignores case and Latin accents, and keeps Cyrillic й a letter", () => {
    expect(partyKey("Türkiye")).toBe(partyKey("TURKIYE"));
    expect(partyKey("Côte d'Ivoire")).toBe(partyKey("cote d'ivoire"));
    expect(partyKey("ÉTAT")).toBe(partyKey("e\u0301tat"));
    expect(partyKey("Азербайджан")).not.toBe(partyKey("Азербаиджан"));
  });

  it("count a party's commitments under every spelling of its name", async () => {
    const name = `Republik ${uid("p")}`;
    const agreement = await createAgreement({ parties: [name] });
    await createCommitment(agreement.id, { parties: [name.toUpperCase()], deadline: { due_on: "2020-01-01" } });
    await createCommitment(agreement.id, { parties: [name.replace("Republik", "Républik")], status: "fulfilled" });
    const body = await json(party(name.toLowerCase()));
    expect(body.total).toBe(2);
    expect(body.named).toBe(false);
    expect(body.record).toEqual({ met_on_time: 1, met_late: 0, overdue: 1, broken: 0 });
    expect(body.by_timeliness.overdue).toBe(1);
    expect(body.by_status.fulfilled).toBe(1);
  });
});

describe("PUT /api/v1/parties/{slug}", () => {
  it("names a party with aliases, and then every alias counts as it in the API, the list filter and the party's page", async () => {
    const slug = uid("united-states");
    const [name, us, usa] = [`United States ${slug}`, `US ${slug}`, `USA ${slug}`];
    const agreement = await createAgreement({ parties: [] });
    const a = await createCommitment(agreement.id, { parties: [name], status: "broken" });
    const b = await createCommitment(agreement.id, { parties: [us] });
    const both = await createCommitment(agreement.id, { parties: [usa, name] });

    const put = await call("PUT", `/api/v1/parties/${slug}`, { body: { name, aliases: [us, usa] } });
    expect(put.status).toBe(201);
    expect(await json(put)).toMatchObject({ slug, name, aliases: [us, usa], version: 1 });

    const body = await json(party(slug));
    expect(body).toMatchObject({ slug, name, aliases: [us, usa], named: true, total: 3 });
    expect(body.record.broken).toBe(1);
    expect(body.links.page).toBe(`/parties/${slug}`);
    // Any name or alias finds it too, in any case.
    expect((await json(party(us.toLowerCase()))).slug).toBe(slug);
    const listed = await json(call("GET", `/api/v1/commitments?party=${encodeURIComponent(usa)}`, { token: null }));
    expect(listed.items.map((c: { id: string }) => c.id).sort()).toEqual([a.id, b.id, both.id].sort());

    const parties = await json(call("GET", "/api/v1/parties", { token: null }));
    const entry = parties.items.find((p: { slug: string }) => p.slug === slug);
    expect(entry.total).toBe(3);
    expect(parties.items.filter((p: { name: string }) => [us, usa].includes(p.name))).toEqual([]);

    const replaced = await call("PUT", `/api/v1/parties/${slug}`, { body: { name, aliases: [us] } });
    expect(replaced.status).toBe(200);
    expect((await json(party(slug))).total).toBe(3);
    expect((await json(party(usa))).slug).not.toBe(slug);
  });

  it("refuses an alias another party holds, naming the alias, and writes nothing", async () => {
    const first = uid("first");
    const second = uid("second");
    const shared = `Shared ${first}`;
    expect((await call("PUT", `/api/v1/parties/${first}`, { body: { name: `First ${first}`, aliases: [shared] } })).status).toBe(201);
    const res = await call("PUT", `/api/v1/parties/${second}`, { body: { name: `Second ${second}`, aliases: ["Other", shared.toUpperCase()] } });
    const body = await expectError(res, 400, "invalid_input");
    expect(body.error.issues?.map((i) => i.path)).toEqual(["aliases.1"]);
    expect((await party(second)).status).toBe(404);
  });

  it("refuses bad input naming each field: an empty name, a repeated alias, the name as its own alias, a bad slug", async () => {
    const slug = uid("bad");
    const paths = async (body: unknown, path = `/api/v1/parties/${slug}`) =>
      (await expectError(await call("PUT", path, { body }), 400, "invalid_input")).error.issues?.map((i) => i.path);
    expect(await paths({ name: "" })).toEqual(["name"]);
    expect(await paths({ name: "N", aliases: ["A", "a"] })).toEqual(["aliases.1"]);
    expect(await paths({ name: "Name", aliases: ["NAME"] })).toEqual(["aliases"]);
    expect(await paths({ name: "N", extra: 1 })).toEqual(["extra"]);
    expect(await paths({ name: "N" }, "/api/v1/parties/Not%20A%20Slug")).toEqual(["slug"]);
  });

  it("needs a write token, and DELETE forgets the name while the commitments keep theirs", async () => {
    const slug = uid("gone");
    expect((await call("PUT", `/api/v1/parties/${slug}`, { body: { name: `Gone ${slug}` }, token: null })).status).toBe(401);
    expect((await call("PUT", `/api/v1/parties/${slug}`, { body: { name: `Gone ${slug}`, aliases: [`G ${slug}`] } })).status).toBe(201);
    expect((await call("DELETE", `/api/v1/parties/${slug}`)).status).toBe(204);
    expect((await party(slug)).status).toBe(404);
    expect((await call("DELETE", `/api/v1/parties/${slug}`)).status).toBe(404);
  });

  it("answers 404 in the error envelope for a party nobody names", async () => {
    await expectError(await party(uid("nobody")), 404, "not_found");
  });
});

describe("party reads are indexed", () => {
  it("reads one party's commitments through the party key index, never a scan of commitments", async () => {
    const keys = JSON.stringify(["x"]);
    const plan = await env.DB.prepare(
      `EXPLAIN QUERY PLAN SELECT DISTINCT commitment_id FROM commitment_parties WHERE party_key IN (SELECT value FROM json_each(?))`,
    )
      .bind(keys)
      .all<{ detail: string }>();
    const details = plan.results.map((r) => r.detail).join("\n");
    expect(details).toMatch(/SEARCH commitment_parties USING (COVERING )?INDEX sqlite_autoindex_commitment_parties_1/);
    expect(details).not.toMatch(/SCAN commitments/);
  });

  it("counts one party by its key index and looks each commitment up by id", async () => {
    const plan = await db().all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${countByPartySql(Date.now(), 30 * 86_400_000, ["x", "y"])}`);
    const details = plan.map((r) => r.detail).join("\n");
    expect(details).toMatch(/SEARCH cp USING INDEX sqlite_autoindex_commitment_parties_1 \(party_key=\?\)/);
    expect(details).toMatch(/SEARCH commitments USING INDEX sqlite_autoindex_commitments_1 \(id=\?\)/);
    expect(details).not.toMatch(/SCAN (commitments|cp)\b/);
  });
});
