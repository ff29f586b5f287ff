/**
 * The editor's forms for deadlines tied to events (the agreement's entry into force, "Counted
 * after" on the commitment form) and the parties page (names and aliases).
 */
import { describe, expect, it } from "vitest";
import { ADMIN, call, createAgreement, createCommitment, expectPageOutline, json, uid } from "../helpers";
import { counts } from "../ledger/ledger.helpers";
import { fieldError, fieldValue, signedIn } from "./editor.helpers";

describe("deadlines tied to events in the editor", () => {
  it("sets the agreement's entry into force, which resolves the deadlines waiting on it", async () => {
    const a = await createAgreement({ signed_on: "2025-08-08" });
    const c = await createCommitment(a.id, { deadline: { within: "P90D", after: "entry_into_force" } });
    const b = await signedIn(ADMIN);
    const form = await (await b.get(`/editor/agreements/${a.id}/edit`)).text();
    expect(form).toMatch(/<label for="in_force_on">Entry into force<\/label>/);
    const res = await b.post(`/editor/agreements/${a.id}`, { title: a.title, kind: a.kind, signed_on: "2025-08-08", in_force_on: "2026-01-01", parties: "A\nB" });
    expect(res.status).toBe(303);
    expect((await json(call("GET", `/api/v1/commitments/${c.id}`))).due_on).toBe("2026-04-01");
  });

  it("creates a commitment counted after another being met, previews it as waiting, and keeps the choice when editing", async () => {
    const a = await createAgreement();
    const anchor = await createCommitment(a.id, { title: "Amend the constitution" });
    const b = await signedIn(ADMIN);
    const fields = { agreement: a.id, title: "Sign once amended", deadline_kind: "within", within: "P30D", after: "commitment", after_commitment: anchor.id, time_zone: "UTC" };
    const before = await counts();
    const preview = await b.post("/editor/commitments", { action: "preview", ...fields });
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain("for now the commitment is waiting on: Amend the constitution");
    expect(await counts()).toEqual(before);

    const id = uid("com");
    const saved = await b.post("/editor/commitments", { action: "save", id, ...fields });
    expect(saved.status).toBe(303);
    const c = await json(call("GET", `/api/v1/commitments/${id}`));
    expect(c).toMatchObject({ deadline: { within: "P30D", after: { commitment: anchor.id, when: "met" } }, timeliness: "waiting" });

    const edit = await (await b.get(`/editor/commitments/${id}/edit`)).text();
    expect(edit).toMatch(/<option value="commitment" selected="">another commitment being met/);
    expect(edit).toMatch(new RegExp(`<option value="${anchor.id}" selected="">Amend the constitution`));
  });

  it("puts an anchor cycle next to the anchor field, with what was typed kept", async () => {
    const a = await createAgreement();
    const first = await createCommitment(a.id, { title: "First" });
    const second = await createCommitment(a.id, { title: "Second", deadline: { within: "P1M", after: { commitment: first.id, when: "met" } } });
    const b = await signedIn(ADMIN);
    const res = await b.post(`/editor/commitments/${first.id}`, {
      action: "save",
      title: "First",
      deadline_kind: "within",
      within: "P2M",
      after: "commitment",
      after_commitment: second.id,
      reason: "tie it",
      time_zone: "UTC",
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldError(html, "after_commitment")).toContain(`${first.id} -&gt; ${second.id} -&gt; ${first.id}`);
    expect(fieldValue(html, "within")).toBe("P2M");
  });
});

describe("the parties page", () => {
  it("names a party with aliases, lists it with the other names, and lets it be forgotten", async () => {
    const slug = uid("usa");
    const a = await createAgreement({ parties: [] });
    await createCommitment(a.id, { parties: [`US ${slug}`] });
    const b = await signedIn(ADMIN);
    const list = await b.get("/editor/parties");
    expect(list.status).toBe(200);
    expect(list.headers.get("cache-control")).toBe("private, no-store");
    const html = await list.text();
    expectPageOutline(html, "/editor/parties");
    expect(html).toContain(`Name US ${slug} as a party`);

    const saved = await b.post("/editor/parties", { slug, name: `United States ${slug}`, aliases: `US ${slug}\nUSA ${slug}` });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe("/editor/parties?done=party_saved");
    const party = await json(call("GET", `/api/v1/parties/${slug}`, { token: null }));
    expect(party).toMatchObject({ name: `United States ${slug}`, aliases: [`US ${slug}`, `USA ${slug}`], total: 1 });
    const edit = await (await b.get(`/editor/parties?edit=${slug}`)).text();
    expect(fieldValue(edit, "name")).toBe(`United States ${slug}`);

    const gone = await b.post(`/editor/parties/${slug}/delete`, {});
    expect(gone.status).toBe(303);
    expect((await call("GET", `/api/v1/parties/${slug}`, { token: null })).status).toBe(404);
  });

  it("puts each problem beside its field, keeps what was typed, and writes nothing", async () => {
    const taken = uid("taken");
    expect((await call("PUT", `/api/v1/parties/${taken}`, { body: { name: `Taken ${taken}`, aliases: [`T ${taken}`] } })).status).toBe(201);
    const b = await signedIn(ADMIN);
    const res = await b.post("/editor/parties", { slug: "Not A Slug", name: "", aliases: `t ${taken}` });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldError(html, "slug")).toContain("must be a slug");
    expect(fieldError(html, "name")).toContain("must not be empty");
    expect(fieldValue(html, "slug")).toBe("Not A Slug");
    const clash = await b.post("/editor/parties", { slug: uid("other"), name: "Other", aliases: `t ${taken}` });
    expect(clash.status).toBe(400);
    expect(fieldError(await clash.text(), "aliases")).toContain(`already a name of party &#39;${taken}&#39;`);
  });
});
