import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, BASE, call, createAgreement, createCommitment, expectPageOutline, json, uid } from "../helpers";
import { counts, eventsOf, makeToken } from "../ledger/ledger.helpers";
import { browser, fieldError, fieldValue, signedIn } from "./editor.helpers";
import { dependencyOptions } from "../../src/editor/editor.views";

describe("signing in", () => {
  it("shows a sign-in form with an 'API token' field and a 'Sign in' button, never cached", async () => {
    const res = await browser().get("/login");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const html = await res.text();
    expect(html).toMatch(/<label for="token">API token<\/label>/);
    expect(html).toMatch(/<input id="token" name="token" type="password"/);
    expect(html).toMatch(/<button type="submit">Sign in<\/button>/);
  });

  it("opens a session with an HttpOnly, Secure, SameSite=Lax __Host- cookie and stores only its hash with the token's id, scope and name", async () => {
    const token = await makeToken("write");
    const b = browser();
    const res = await b.post("/login", { token: token.token, next: "/editor/agreements/new" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/editor/agreements/new");
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-pw_session="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/);
    const id = b.cookie!.split("=")[1]!;
    const rows = await env.DB.prepare("SELECT * FROM sessions WHERE token_id = ?").bind(token.id).all<any>();
    expect(rows.results).toHaveLength(1);
    expect(rows.results[0].id_hash).not.toBe(id);
    expect(rows.results[0]).toMatchObject({ scope: "write", name: token.name });
    const page = await b.get("/editor");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Signed in as <strong>${token.name}</strong>`);
  });

  it("gives the same answer for an unknown, a revoked and a read-only token, and opens no session", async () => {
    const read = await makeToken("read");
    const revoked = await makeToken("write");
    await call("DELETE", `/api/v1/tokens/${revoked.id}`);
    const answers: string[] = [];
    for (const token of [`pw_${"x".repeat(43)}`, revoked.token, read.token]) {
      const b = browser();
      const res = await b.post("/login", { token }, { origin: BASE });
      expect(res.status).toBe(401);
      expect(b.cookie).toBeNull();
      answers.push(fieldError(await res.text(), "token")!);
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toBe("Enter a valid API token with write or admin scope.");
  });

  it("refuses sign-ins from an address after 10 failures, even with a right token, and other addresses still sign in", async () => {
    const token = await makeToken("write");
    const from = (ip: string, value: string) =>
      exports.default.fetch(
        new Request(`${BASE}/login`, {
          method: "POST",
          headers: { "cf-connecting-ip": ip, origin: BASE, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ token: value }),
          redirect: "manual",
        }),
      );
    for (let i = 0; i < 10; i++) expect((await from("203.0.113.7", "wrong")).status).toBe(401);
    const locked = await from("203.0.113.7", token.token);
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(locked.headers.getSetCookie()).toEqual([]);
    expect(fieldError(await locked.text(), "token")).toMatch(/^Too many failed sign-ins from your address/);
    expect((await from("203.0.113.8", token.token)).status).toBe(303);
  });

  it("never lets a session cookie authorise the JSON API", async () => {
    const b = await signedIn(ADMIN);
    const before = await counts();
    const res = await call("POST", "/api/v1/agreements", {
      token: null,
      headers: { cookie: b.cookie!, origin: BASE },
      body: { id: uid("agr"), title: "Cookie write", kind: "memorandum" },
    });
    expect(res.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("sends a signed-out visitor of an editor page to the sign-in form and back afterwards", async () => {
    const b = browser();
    const res = await b.get("/editor/commitments/new");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=%2Feditor%2Fcommitments%2Fnew");
  });
});

describe("sessions end", () => {
  it("on sign-out: the cookie is cleared and no longer opens the editor", async () => {
    const b = await signedIn(ADMIN);
    const cookie = b.cookie!;
    const res = await b.post("/logout", {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?signed_out=1");
    expect(b.cookie).toBeNull();
    const again = browser();
    again.cookie = cookie;
    const page = await again.get("/editor");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login?next=%2Feditor&ended=1");
  });

  it("when its token is revoked", async () => {
    const token = await makeToken("write");
    const b = await signedIn(token.token);
    expect((await b.get("/editor")).status).toBe(200);
    await call("DELETE", `/api/v1/tokens/${token.id}`);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE token_id = ?").bind(token.id).first<{ n: number }>();
    expect(row!.n).toBe(0);
    expect((await b.get("/editor")).status).toBe(303);
  });

  it("after 12 hours idle and after 7 days however busy, saying so on the sign-in page", async () => {
    for (const [lastSeen, created] of [
      [13 * 3600_000, 13 * 3600_000],
      [60_000, 8 * 24 * 3600_000],
    ] as const) {
      const b = await signedIn(ADMIN);
      const now = Date.now();
      await env.DB.prepare("UPDATE sessions SET last_seen_at = ?, created_at = ? WHERE name = 'admin'").bind(now - lastSeen, now - created).run();
      const res = await b.get("/editor/agreements/new");
      expect(res.status).toBe(303);
      const location = res.headers.get("location")!;
      expect(location).toBe("/login?next=%2Feditor%2Fagreements%2Fnew&ended=1");
      const login = await browser().get(location);
      expect(await login.text()).toContain("Your session has ended. Sign in again to go on editing.");
    }
  });
});

describe("CSRF", () => {
  it("refuses a form posted from another origin with 403 and changes nothing", async () => {
    const b = await signedIn(ADMIN);
    const before = await counts();
    const res = await b.post("/editor/agreements", { title: "Forged", kind: "memorandum" }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("This form was sent from another site.");
    expect(await counts()).toEqual(before);
  });

  it("refuses a same-origin form without the session's form token with 403 and changes nothing", async () => {
    const b = await signedIn(ADMIN);
    const before = await counts();
    const cases: Record<string, string>[] = [{ title: "No token", kind: "memorandum" }, { title: "Wrong token", kind: "memorandum", form_token: "x".repeat(32) }];
    for (const fields of cases) {
      const res = await b.post("/editor/agreements", fields, { formToken: false });
      expect(res.status).toBe(403);
    }
    expect(await counts()).toEqual(before);
  });

  it("refuses a sign-in posted from another origin", async () => {
    const res = await browser().post("/login", { token: ADMIN }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe("agreement forms", () => {
  it("create an agreement through the ledger's service with the signed-in token's name as the actor", async () => {
    const token = await makeToken("write");
    const b = await signedIn(token.token);
    const id = uid("agr");
    const res = await b.post("/editor/agreements", { id, title: "Browser memorandum", kind: "memorandum", signed_on: "2025-08-08", parties: "Azerbaijan\nUnited States", summary: "" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/editor/agreements/${id}/edit?done=agreement_created`);
    const a = await json(call("GET", `/api/v1/agreements/${id}`));
    expect(a).toMatchObject({ title: "Browser memorandum", signed_on: "2025-08-08", parties: ["Azerbaijan", "United States"] });
    const ev = await env.DB.prepare("SELECT actor FROM events WHERE agreement_id = ? AND type = 'agreement.created'").bind(id).first<{ actor: string }>();
    expect(ev!.actor).toBe(token.name);
  });

  it("show a bad signing date beside its field and in the summary, keep what was typed, and write nothing", async () => {
    const b = await signedIn(ADMIN);
    const before = await counts();
    const res = await b.post("/editor/agreements", { title: "Typed title kept", kind: "memorandum", signed_on: "2025-02-30", parties: "One\nTwo" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldError(html, "signed_on")).toBe("must be a real calendar date YYYY-MM-DD");
    expect(html).toMatch(/<a href="#signed_on">Signing date: must be a real calendar date YYYY-MM-DD<\/a>/);
    expect(fieldValue(html, "title")).toBe("Typed title kept");
    expect(fieldValue(html, "signed_on")).toBe("2025-02-30");
    expect(fieldValue(html, "parties")).toBe("One\nTwo");
    expect(await counts()).toEqual(before);
  });

  it("say which relative deadlines a new signing date moved", async () => {
    const a = await createAgreement({ signed_on: "2025-08-08" });
    const relative = await createCommitment(a.id, { deadline: { within: "P6M" } });
    const fixed = await createCommitment(a.id, { deadline: { due_on: "2026-05-01" } });
    const b = await signedIn(ADMIN);
    const res = await b.post(`/editor/agreements/${a.id}`, { title: a.title, kind: a.kind, signed_on: "2025-09-01", parties: a.parties.join("\n") });
    expect(res.status).toBe(303);
    const html = await (await b.get(res.headers.get("location")!)).text();
    expect(html).toContain(`The new signing date moved the deadlines of: ${relative.id}.`);
    expect(html).not.toContain(fixed.id);
    expect((await json(call("GET", `/api/v1/commitments/${relative.id}`))).due_on).toBe("2026-03-01");
  });
});

describe("the editor's commitment list", () => {
  it("pages through a ledger larger than one page, and finds a commitment by a word of its title", async () => {
    const a = await createAgreement();
    const word = uid("quokka").replace(/-/g, "");
    const commitments = Array.from({ length: 205 }, (_, i) => ({ id: uid("many"), agreement: a.id, title: i === 204 ? `Last ${word}` : `Bulk ${i}` }));
    expect((await call("POST", "/api/v1/import", { body: { commitments } })).status).toBeLessThan(300);
    const b = await signedIn(ADMIN);
    const first = await (await b.get("/editor")).text();
    const next = /<a href="(\/editor\?cursor=[^"]+)">Next 200 commitments<\/a>/.exec(first)?.[1];
    expect(next).toBeTruthy();
    const links = (html: string) => [...html.matchAll(/<a href="\/editor\/commitments\/([^"?/]+)">/g)].map((m) => m[1]).filter((id) => id !== "new");
    const seen = new Set(links(first));
    expect(seen.size).toBe(200);
    let url: string | undefined = next!.replace(/&amp;/g, "&");
    while (url) {
      const html = await (await b.get(url)).text();
      for (const id of links(html)) seen.add(id);
      url = /<a href="(\/editor\?cursor=[^"]+)">Next 200/.exec(html)?.[1]?.replace(/&amp;/g, "&");
    }
    for (const c of commitments) expect(seen.has(c.id), c.id).toBe(true);

    const found = await (await b.get(`/editor?q=${word}`)).text();
    expect(links(found)).toEqual([commitments[204]!.id]);
    expect(found).toContain(`Commitments matching “${word}”`);
  });
});

describe("importing in the editor", () => {
  it("imports a pasted document through the same import as the API, saying what it did, and again changes nothing", async () => {
    const token = await makeToken("write");
    const b = await signedIn(token.token);
    const agreement = uid("imp-agr");
    const doc = { format: "pledgewatch/v1", agreements: [{ id: agreement, title: "Imported in the browser", kind: "memorandum" }], commitments: [{ id: uid("imp-com"), agreement, title: "Open the border" }] };
    const res = await b.post("/editor/import", { document: JSON.stringify(doc) });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Imported. Agreements: 1 created, 0 updated, 0 unchanged. Commitments: 1 created, 0 updated, 0 unchanged.");
    const ev = await env.DB.prepare("SELECT actor FROM events WHERE agreement_id = ? AND type = 'agreement.created'").bind(agreement).first<{ actor: string }>();
    expect(ev!.actor).toBe(token.name);
    const before = await counts();
    expect(await (await b.post("/editor/import", { document: JSON.stringify(doc) })).text()).toContain("Agreements: 0 created, 0 updated, 1 unchanged");
    expect(await counts()).toEqual(before);
  });

  it("imports an uploaded file (multipart, with the form token)", async () => {
    const b = await signedIn(ADMIN);
    const agreement = uid("file-agr");
    const form = new FormData();
    form.append("form_token", await b.formToken());
    form.append("file", new File([JSON.stringify({ agreements: [{ id: agreement, title: "From a file", kind: "letter" }] })], "ledger.json", { type: "application/json" }));
    const res = await exports.default.fetch(new Request(`${BASE}/editor/import`, { method: "POST", headers: { cookie: b.cookie!, origin: BASE }, body: form }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Agreements: 1 created");
    expect((await call("GET", `/api/v1/agreements/${agreement}`)).status).toBe(200);
  });

  it("shows bad JSON and each bad record beside the document, keeps the text, and writes nothing", async () => {
    const b = await signedIn(ADMIN);
    const before = await counts();
    const broken = await b.post("/editor/import", { document: "{ not json" });
    expect(broken.status).toBe(400);
    expect(fieldError(await broken.text(), "document")).toMatch(/^is not valid JSON/);
    const text = JSON.stringify({ agreements: [{ id: uid("ok"), title: "Fine", kind: "letter" }, { id: "Bad Id", title: "", kind: "letter" }] });
    const bad = await b.post("/editor/import", { document: text });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain("agreements.1.id: ");
    expect(html).toContain("agreements.1.title: must not be empty");
    expect(fieldValue(html, "document")).toBe(text.replace(/"/g, "&quot;"));
    expect(await counts()).toEqual(before);
    const empty = await b.post("/editor/import", { document: "" });
    expect(fieldError(await empty.text(), "document")).toBe("choose a file or paste a document");
  });
});

describe("deleting an agreement in the editor", () => {
  it("deletes an agreement without commitments once 'Yes, delete this agreement' is ticked, and not before", async () => {
    const a = await createAgreement();
    const token = await makeToken("write");
    const b = await signedIn(token.token);
    const html = await (await b.get(`/editor/agreements/${a.id}/edit`)).text();
    expect(html).toMatch(/<label for="confirm">Yes, delete this agreement<\/label>/);
    expect(html).toMatch(/<button type="submit" class="warning">\s*Delete agreement\s*<\/button>/);
    const version = /name="version" value="(\d+)"/.exec(html)![1]!;

    const before = await counts();
    const unticked = await b.post(`/editor/agreements/${a.id}/delete`, { version });
    expect(unticked.status).toBe(400);
    const page = await unticked.text();
    expect(fieldError(page, "confirm")).toBe("tick “Yes, delete this agreement” to confirm");
    expect(page).toMatch(/<a href="#confirm">Confirm deletion: tick/);
    expect(await counts()).toEqual(before);

    const res = await b.post(`/editor/agreements/${a.id}/delete`, { version, confirm: "yes" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/editor?done=agreement_deleted");
    expect(await (await b.get(res.headers.get("location")!)).text()).toContain("Agreement deleted. Its history stays on record.");
    expect((await call("GET", `/api/v1/agreements/${a.id}`)).status).toBe(404);
    const ev = await env.DB.prepare("SELECT actor FROM events WHERE agreement_id = ? AND type = 'agreement.deleted'").bind(a.id).first<{ actor: string }>();
    expect(ev!.actor).toBe(token.name);
  });

  it("offers no delete for an agreement with commitments, and a forged delete changes nothing", async () => {
    const a = await createAgreement();
    await createCommitment(a.id);
    const b = await signedIn(ADMIN);
    const html = await (await b.get(`/editor/agreements/${a.id}/edit`)).text();
    expect(html).toContain("It has 1 commitment. Only an agreement without commitments can be deleted");
    expect(html).not.toContain(`/editor/agreements/${a.id}/delete`);
    const before = await counts();
    const res = await b.post(`/editor/agreements/${a.id}/delete`, { version: String(a.version), confirm: "yes" });
    expect(res.status).toBe(400);
    expect(await counts()).toEqual(before);
    expect((await call("GET", `/api/v1/agreements/${a.id}`)).status).toBe(200);
  });

  it("refuses a delete from a page shown before someone else edited the agreement, beside the box", async () => {
    const a = await createAgreement();
    const b = await signedIn(ADMIN);
    const version = /name="version" value="(\d+)"/.exec(await (await b.get(`/editor/agreements/${a.id}/edit`)).text())![1]!;
    expect((await call("PATCH", `/api/v1/agreements/${a.id}`, { body: { summary: "edited meanwhile" } })).status).toBe(200);
    const res = await b.post(`/editor/agreements/${a.id}/delete`, { version, confirm: "yes" });
    expect(res.status).toBe(400);
    expect(fieldError(await res.text(), "confirm")).toMatch(/changed since it was read/);
    expect((await call("GET", `/api/v1/agreements/${a.id}`)).status).toBe(200);
  });
});

/** The edit form's fields for a commitment as the API shows it, unchanged. */
const editFields = (c: any): Record<string, string | string[]> => ({
  title: c.title,
  description: c.description ?? "",
  parties: (c.parties ?? []).join("\n"),
  tags: (c.tags ?? []).join("\n"),
  deadline_kind: "none",
  time_zone: "UTC",
  evidence: "",
});

describe("commitment forms", () => {
  it("show the deadline the server resolves before saving: 'P3M after signing on 2025-08-08 → 2025-11-08'", async () => {
    const a = await createAgreement({ signed_on: "2025-08-08" });
    const b = await signedIn(ADMIN);
    const before = await counts();
    const res = await b.post("/editor/commitments", { action: "preview", agreement: a.id, title: "Within three months", deadline_kind: "within", within: "P3M", time_zone: "UTC" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("P3M after signing on 2025-08-08 → 2025-11-08");
    expect(await counts()).toEqual(before);
  });

  it("create a commitment with every field, through the same service as the API", async () => {
    const a = await createAgreement({ signed_on: "2025-08-08" });
    const dep = await createCommitment(a.id);
    const b = await signedIn(ADMIN);
    const id = uid("com");
    const res = await b.post("/editor/commitments", {
      action: "save",
      id,
      agreement: a.id,
      title: "Form commitment",
      description: "From the browser",
      parties: "A\nB",
      tags: "bilateral, charter",
      deadline_kind: "within",
      within: "P3M",
      grace: "P7D",
      time_zone: "Asia/Baku",
      depends_on: [dep.id],
      evidence: "https://example.org/a First source",
      status: "in_progress",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/editor/commitments/${id}?done=commitment_created`);
    const c = await json(call("GET", `/api/v1/commitments/${id}`));
    expect(c).toMatchObject({
      title: "Form commitment",
      description: "From the browser",
      parties: ["A", "B"],
      tags: ["bilateral", "charter"],
      deadline: { within: "P3M", grace: "P7D" },
      time_zone: "Asia/Baku",
      due_on: "2025-11-08",
      depends_on: [dep.id],
      evidence: [{ url: "https://example.org/a", title: "First source" }],
      status: "in_progress",
    });
  });

  it("offer a chosen dependency even when it is not among the listed choices, and never the commitment itself", () => {
    const options = dependencyOptions([{ id: "a", title: "A" }, { id: "self", title: "Self" }], ["far-away", "a"], "self");
    expect(options).toEqual([
      { value: "a", label: "A" },
      { value: "far-away", label: "far-away" },
    ]);
  });

  it("list the agreement's own commitments as dependency choices, and find others anywhere in the ledger without saving", async () => {
    const word = uid("zebra").replace(/-/g, "");
    const a = await createAgreement();
    const other = await createAgreement();
    const sibling = await createCommitment(a.id, { title: "Sibling commitment" });
    const far = await createCommitment(other.id, { title: `Faraway ${word} commitment` });
    const c = await createCommitment(a.id, { depends_on: [sibling.id] });
    const b = await signedIn(ADMIN);
    const form = await (await b.get(`/editor/commitments/${c.id}/edit`)).text();
    const options = (html: string) => [...(/<select id="depends_on"[\s\S]*?<\/select>/.exec(html)?.[0] ?? "").matchAll(/<option value="([^"]+)"( selected="")?/g)].map((m) => [m[1], Boolean(m[2])]);
    expect(options(form)).toEqual([[sibling.id, true]]);
    expect(form).toContain("Listed: this agreement&#39;s commitments");
    expect(form).toMatch(/<label for="find">Find commitments to depend on<\/label>/);

    const before = await counts();
    const found = await b.post(`/editor/commitments/${c.id}`, { ...editFields(c), depends_on: [sibling.id], find: word, action: "find" });
    expect(found.status).toBe(200);
    const html = await found.text();
    expect(options(html)).toEqual([
      [far.id, false],
      [sibling.id, true],
    ]);
    expect(html).toContain(`Listed: commitments matching “${word}”`);
    expect(fieldValue(html, "find")).toBe(word);
    expect(await counts()).toEqual(before);

    const saved = await b.post(`/editor/commitments/${c.id}`, { ...editFields(c), depends_on: [sibling.id, far.id], action: "save" });
    expect(saved.status).toBe(303);
    expect((await json(call("GET", `/api/v1/commitments/${c.id}`))).depends_on.sort()).toEqual([far.id, sibling.id].sort());
  });

  it("show an unusable dependency search beside its field", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    const b = await signedIn(ADMIN);
    const res = await b.post(`/editor/commitments/${c.id}`, { ...editFields(c), find: "x".repeat(201), action: "find" });
    expect(res.status).toBe(400);
    expect(fieldError(await res.text(), "find")).toMatch(/at most 200/);
  });

  it("show the chosen dependency selected and keep it when the edit form is saved", async () => {
    const a = await createAgreement();
    const dep = await createCommitment(a.id);
    const c = await createCommitment(a.id, { depends_on: [dep.id] });
    const b = await signedIn(ADMIN);
    const form = await (await b.get(`/editor/commitments/${c.id}/edit`)).text();
    expect(form).toMatch(new RegExp(`<option value="${dep.id}" selected="">`));
    const res = await b.post(`/editor/commitments/${c.id}`, { action: "save", title: "Renamed", deadline_kind: "none", time_zone: "UTC", depends_on: [dep.id] });
    expect(res.status).toBe(303);
    expect(await json(call("GET", `/api/v1/commitments/${c.id}`))).toMatchObject({ title: "Renamed", depends_on: [dep.id] });
  });

  it("refuse an edit that moves the deadline without a reason, beside the reason field, and write nothing", async () => {
    const a = await createAgreement({ signed_on: "2025-08-08" });
    const c = await createCommitment(a.id, { deadline: { due_on: "2026-01-01" } });
    const b = await signedIn(ADMIN);
    const before = await counts();
    const res = await b.post(`/editor/commitments/${c.id}`, { action: "save", title: c.title, deadline_kind: "due_on", due_on: "2026-03-01", time_zone: "UTC" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldError(html, "reason")).toMatch(/reason/);
    expect(fieldValue(html, "due_on")).toBe("2026-03-01");
    expect(await counts()).toEqual(before);
    const ok = await b.post(`/editor/commitments/${c.id}`, { action: "save", title: c.title, deadline_kind: "due_on", due_on: "2026-03-01", time_zone: "UTC", reason: "Agreed delay" });
    expect(ok.status).toBe(303);
    const events = await eventsOf(c.id);
    expect(events.find((e) => e.type === "commitment.deadline_changed")).toMatchObject({ note: "Agreed delay", actor: "admin" });
  });

  it("record a status change with note and evidence, shown in the history with the actor", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    const token = await makeToken("write");
    const b = await signedIn(token.token);
    const page = await (await b.get(`/editor/commitments/${c.id}`)).text();
    expect(page).toMatch(/<label for="status">Status<\/label>/);
    expect(page).toMatch(/<option value="in_progress"/);
    expect(page).toMatch(/<option value="not_started" selected="">/);
    expect(page).toMatch(/<label for="note">Note<\/label>/);
    expect(page).toMatch(/<button type="submit">Record status change<\/button>/);
    const res = await b.post(`/editor/commitments/${c.id}/status`, { status: "in_progress", note: "Working group met", evidence_url: "https://example.org/met", evidence_title: "Press release" });
    expect(res.status).toBe(303);
    const after = await (await b.get(res.headers.get("location")!)).text();
    expect(after).toContain("Status change recorded.");
    expect(after).toContain(`commitment.status_changed (not_started → in_progress) by ${token.name}: Working group met`);
    const view = await json(call("GET", `/api/v1/commitments/${c.id}`));
    expect(view.evidence).toContainEqual({ url: "https://example.org/met", title: "Press release" });
  });

  it("show an unknown status beside the Status select and write nothing", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    const b = await signedIn(ADMIN);
    const before = await counts();
    const res = await b.post(`/editor/commitments/${c.id}/status`, { status: "done", note: "kept note" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldError(html, "status")).toMatch(/^must be one of: not_started/);
    expect(fieldValue(html, "note")).toBe("kept note");
    expect(await counts()).toEqual(before);
  });
});

describe("public pages and editor controls", () => {
  it("a visitor without a live session gets the public, cacheable page without controls, a dead cookie changing nothing", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    for (const path of ["/", `/agreements/${a.id}`, `/commitments/${c.id}`]) {
      const anon = await browser().get(path);
      const dead = browser();
      dead.cookie = "__Host-pw_session=not-a-live-session";
      const stale = await dead.get(path);
      for (const res of [anon, stale]) {
        expect(res.status, path).toBe(200);
        expect(res.headers.get("cache-control"), path).toMatch(/^public/);
        expect(res.headers.get("etag"), path).toBeTruthy();
        expect(res.headers.get("vary"), path).toBe("Cookie");
        expect(res.headers.getSetCookie(), path).toEqual([]);
        const html = await res.text();
        expect(html, path).not.toContain("Signed in as");
        expect(html, path).not.toContain("form_token");
        expect(html, path).toContain('<a href="/login">sign in to edit the ledger</a>');
      }
    }
  });

  it("a signed-in editor gets the same pages with controls, private and no-store, never a 304 or the memo's copy", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    const b = await signedIn(ADMIN);
    const expected: Record<string, string[]> = {
      "/": ['href="/editor/agreements/new">Add an agreement</a>'],
      [`/agreements/${a.id}`]: [`href="/editor/agreements/${a.id}/edit">Edit agreement</a>`, `href="/editor/commitments/new?agreement=${a.id}">`],
      [`/commitments/${c.id}`]: [`href="/editor/commitments/${c.id}/edit">Edit commitment</a>`, `action="/editor/commitments/${c.id}/status"`, '<label for="status">Status</label>', '<label for="note">Note</label>'],
    };
    for (const [path, parts] of Object.entries(expected)) {
      const publicCopy = await browser().get(path); // warms the read-side memo
      const etag = publicCopy.headers.get("etag")!;
      const res = await exports.default.fetch(new Request(`${BASE}${path}`, { headers: { cookie: b.cookie!, "if-none-match": etag } }));
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("private, no-store");
      expect(res.headers.get("etag"), path).toBeNull();
      expect(res.headers.get("content-security-policy"), path).toContain("form-action 'self'");
      const html = await res.text();
      expect(html, path).toContain("Signed in as <strong>admin</strong>");
      for (const part of parts) expect(html, path).toContain(part);
      expect(html, path).not.toContain("sign in to edit the ledger");
      expectPageOutline(html, path);
      // The public copy is untouched by the signed-in visit.
      const again = await browser().get(path);
      expect(again.headers.get("etag"), path).toBe(etag);
      expect(await again.text(), path).not.toContain("Signed in as");
    }
  });

  it("records a status change from the commitment's public page and comes back to it", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    const token = await makeToken("write");
    const b = await signedIn(token.token);
    const res = await b.post(`/editor/commitments/${c.id}/status`, { status: "in_progress", note: "Work started", back: `/commitments/${c.id}` });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/commitments/${c.id}?done=status_changed`);
    const html = await (await b.get(res.headers.get("location")!)).text();
    expect(html).toContain("Status change recorded.");
    expect((await json(call("GET", `/api/v1/commitments/${c.id}`))).status).toBe("in_progress");
    const ev = (await eventsOf(c.id)).find((e) => e.type === "commitment.status_changed")!;
    expect(ev.actor).toBe(token.name);
    // Any other "back" is ignored: no open redirect.
    const elsewhere = await b.post(`/editor/commitments/${c.id}/status`, { status: "stalled", note: "x", back: "https://evil.example/" });
    expect(elsewhere.headers.get("location")).toBe(`/editor/commitments/${c.id}?done=status_changed`);
  });

  it("answers the public 404 for a missing commitment, signed in too", async () => {
    const b = await signedIn(ADMIN);
    const res = await b.get("/commitments/no-such-commitment");
    expect(res.status).toBe(404);
  });
});

describe("accessibility of every editor page", () => {
  it("has one h1, no skipped heading level, a visible <label for> on every field, legends on fieldsets and buttons that say what they do", async () => {
    const a = await createAgreement({ signed_on: "2025-08-08" });
    const c = await createCommitment(a.id, { deadline: { within: "P6M" } });
    const sub = await json(call("POST", "/api/v1/subscriptions", { body: { url: "https://hooks.example.com/a11y" } }));
    const b = await signedIn(ADMIN);
    const pages: [string, string][] = [["/login", await (await browser().get("/login")).text()]];
    expect(pages[0]![1]).not.toContain("sign in to edit the ledger");
    const withoutFields = new Set(["/editor", `/editor/subscriptions/${sub.id}`]);
    for (const path of ["/editor", "/editor/agreements/new", `/editor/agreements/${a.id}/edit`, "/editor/commitments/new", `/editor/commitments/${c.id}`, `/editor/commitments/${c.id}/edit`, "/editor/tokens", "/editor/import", "/editor/subscriptions", `/editor/subscriptions/${sub.id}`]) {
      const res = await b.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("private, no-store");
      pages.push([path, await res.text()]);
    }
    // The same pages with errors showing.
    pages.push(["agreement errors", await (await b.post("/editor/agreements", { title: "", kind: "nope" })).text()]);
    pages.push(["commitment errors", await (await b.post("/editor/commitments", { action: "save", agreement: a.id, title: "", deadline_kind: "due_on", due_on: "x" })).text()]);
    pages.push(["status errors", await (await b.post(`/editor/commitments/${c.id}/status`, { status: "nope" })).text()]);
    pages.push(["sign-in error", await (await browser().post("/login", { token: "wrong" })).text()]);
    const empty = await createAgreement();
    pages.push(["empty agreement", await (await b.get(`/editor/agreements/${empty.id}/edit`)).text()]);
    pages.push(["delete error", await (await b.post(`/editor/agreements/${empty.id}/delete`, { version: "1" })).text()]);
    for (const [path, html] of pages) {
      expectPageOutline(html, path);
      expect(html, path).toContain('<a class="skip" href="#main">');
      if (path !== "/login") expect(html, path).not.toContain("sign in to edit the ledger");
      const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(ids).size, `${path}: duplicate ids`).toBe(ids.length);
      const fields = [...html.matchAll(/<(input|select|textarea)\b[^>]*>/g)].map((m) => m[0]).filter((t) => !/type="hidden"/.test(t));
      if (!withoutFields.has(path)) expect(fields.length, path).toBeGreaterThan(0);
      for (const field of fields) {
        const id = /\sid="([^"]+)"/.exec(field)?.[1];
        expect(id, `${path}: ${field}`).toBeTruthy();
        expect(html, `${path}: label for ${id}`).toMatch(new RegExp(`<label for="${id}">[^<]+</label>`));
      }
      for (const fieldset of html.match(/<fieldset\b[\s\S]*?<\/fieldset>/g) ?? []) expect(fieldset, path).toMatch(/<legend>[^<]+<\/legend>/);
      for (const button of html.match(/<button\b[^>]*>([\s\S]*?)<\/button>/g) ?? []) {
        const text = button.replace(/<[^>]+>/g, "").trim();
        expect(text, path).not.toMatch(/^(Submit|OK|Go|)$/i);
      }
      if (/There is a problem/.test(html)) {
        for (const link of html.matchAll(/<a href="#([^"]+)">/g)) if (link[1] !== "main") expect(ids, `${path}: summary link #${link[1]}`).toContain(link[1]);
      }
    }
  });
});

describe("token pages", () => {
  it("let an admin create a token shown once, and revoke it, which ends its sessions", async () => {
    const admin = await signedIn(ADMIN);
    const name = uid("desk");
    const res = await admin.post("/editor/tokens", { name, scope: "write" });
    expect(res.status).toBe(201);
    const html = await res.text();
    const token = /id="new-token" type="text" readonly="" value="(pw_[^"]+)"/.exec(html)?.[1];
    expect(token).toBeTruthy();
    expect(html).toContain("it is shown this once");
    const list = await (await admin.get("/editor/tokens")).text();
    expect(list).toContain(name);
    expect(list).not.toContain(token!);
    const desk = await signedIn(token!);
    expect((await desk.get("/editor")).status).toBe(200);
    const id = (await json(call("GET", "/api/v1/tokens"))).items.find((t: any) => t.name === name).id;
    const revoked = await admin.post(`/editor/tokens/${id}/revoke`, {});
    expect(revoked.status).toBe(303);
    expect((await desk.get("/editor")).status).toBe(303);
    expect((await admin.get("/editor/tokens?done=token_revoked")).status).toBe(200);
  });

  it("show a bad name beside its field and refuse a write-scope session with 403", async () => {
    const admin = await signedIn(ADMIN);
    const before = await counts();
    const bad = await admin.post("/editor/tokens", { name: "System", scope: "write" });
    expect(bad.status).toBe(400);
    expect(fieldError(await bad.text(), "name")).toMatch(/system&#39;s own actor names/);
    const writer = await signedIn((await makeToken("write")).token);
    const after = await counts();
    expect((await writer.get("/editor/tokens")).status).toBe(403);
    expect((await writer.post("/editor/tokens", { name: uid("x"), scope: "admin" })).status).toBe(403);
    expect(await counts()).toEqual(after);
    expect(after.api_tokens).toBe(before.api_tokens + 1);
  });
});

describe("subscription pages", () => {
  it("create a subscription whose secret is shown once, then pause, resume, rotate and send a test", async () => {
    const b = await signedIn(ADMIN);
    const res = await b.post("/editor/subscriptions", { url: "https://hooks.example.com/pw", description: "Newsroom desk", event_types: ["commitment.overdue", "commitment.status_changed"], tags: "charter" });
    expect(res.status).toBe(201);
    const html = await res.text();
    const secret = /id="new-secret" type="text" readonly="" value="(whsec_[^"]+)"/.exec(html)?.[1];
    expect(secret).toBeTruthy();
    const sub = (await json(call("GET", "/api/v1/subscriptions?limit=200"))).items.find((s: any) => s.description === "Newsroom desk");
    expect(sub).toMatchObject({ url: "https://hooks.example.com/pw", event_types: ["commitment.overdue", "commitment.status_changed"], tags: ["charter"], state: "active" });
    const detail = await (await b.get(`/editor/subscriptions/${sub.id}`)).text();
    expect(detail).not.toContain(secret!);
    expect(detail).toContain("healthy");

    const paused = await b.post(`/editor/subscriptions/${sub.id}/state`, { state: "paused" });
    expect(paused.status).toBe(303);
    expect((await json(call("GET", `/api/v1/subscriptions/${sub.id}`))).state).toBe("paused");
    const refusedTest = await b.post(`/editor/subscriptions/${sub.id}/test`, {});
    expect(refusedTest.status).toBe(409);
    expect(await refusedTest.text()).toContain("resume it first");
    await b.post(`/editor/subscriptions/${sub.id}/state`, { state: "active" });
    expect((await json(call("GET", `/api/v1/subscriptions/${sub.id}`))).state).toBe("active");

    const rotated = await (await b.post(`/editor/subscriptions/${sub.id}/rotate`, {})).text();
    const next = /id="new-secret" type="text" readonly="" value="(whsec_[^"]+)"/.exec(rotated)?.[1];
    expect(next).toBeTruthy();
    expect(next).not.toBe(secret);
    expect(rotated).toContain("still signs until");

    const tested = await b.post(`/editor/subscriptions/${sub.id}/test`, {});
    expect(tested.status).toBe(303);
    const ev = await env.DB.prepare("SELECT actor FROM events WHERE type = 'subscription.test' AND json_extract(data, '$.subscription_id') = ?").bind(sub.id).first<{ actor: string }>();
    expect(ev!.actor).toBe("admin");
  });

  it("change a subscription's receiver and filters (an empty filter clears it), and delete it", async () => {
    const sub = await json(call("POST", "/api/v1/subscriptions", { body: { url: "https://hooks.example.com/edit", tags: ["charter"] } }));
    const b = await signedIn(ADMIN);
    const form = await (await b.get(`/editor/subscriptions/${sub.id}`)).text();
    expect(fieldValue(form, "url")).toBe("https://hooks.example.com/edit");
    expect(fieldValue(form, "tags")).toBe("charter");
    const bad = await b.post(`/editor/subscriptions/${sub.id}`, { url: "not a url", description: "kept", tags: "" });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(fieldError(badHtml, "url")).toBe("must be an absolute URL");
    expect(fieldValue(badHtml, "description")).toBe("kept");
    expect((await json(call("GET", `/api/v1/subscriptions/${sub.id}`))).url).toBe("https://hooks.example.com/edit");
    const ok = await b.post(`/editor/subscriptions/${sub.id}`, { url: "https://hooks.example.com/moved", description: "Moved", tags: "", commitments: "one-commitment", event_types: ["commitment.overdue"] });
    expect(ok.status).toBe(303);
    expect(await json(call("GET", `/api/v1/subscriptions/${sub.id}`))).toMatchObject({
      url: "https://hooks.example.com/moved",
      description: "Moved",
      tags: null,
      commitments: ["one-commitment"],
      event_types: ["commitment.overdue"],
    });
    const gone = await b.post(`/editor/subscriptions/${sub.id}/delete`, {});
    expect(gone.status).toBe(303);
    expect((await call("GET", `/api/v1/subscriptions/${sub.id}`)).status).toBe(404);
  });

  it("refuse a bad receiver URL beside its field, keeping the typed values, and write nothing", async () => {
    const b = await signedIn(ADMIN);
    const before = (await json(call("GET", "/api/v1/subscriptions?limit=200"))).items.length;
    const res = await b.post("/editor/subscriptions", { url: "http://127.0.0.1/hook", description: "Kept", tags: "one" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldError(html, "url")).toMatch(/^refused webhook target/);
    expect(fieldValue(html, "description")).toBe("Kept");
    expect((await json(call("GET", "/api/v1/subscriptions?limit=200"))).items.length).toBe(before);
  });
});

describe("missing records", () => {
  it("answer an HTML 404 on editor pages, signed in", async () => {
    const b = await signedIn(ADMIN);
    for (const path of ["/editor/commitments/no-such-thing", "/editor/agreements/no-such-thing/edit", "/editor/subscriptions/no-such-thing"]) {
      const res = await b.get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
      expect(res.headers.get("cache-control"), path).toBe("private, no-store");
      expect(await res.text(), path).toContain("does not exist");
    }
  });
});

describe("the copy button", () => {
  it("marks a secret shown once for the copy script, which only editor pages load and allow", async () => {
    const b = await signedIn(ADMIN);
    const res = await b.post("/editor/subscriptions", { url: "https://hooks.example.com/copy", description: "Copy desk" });
    const html = await res.text();
    expect(html).toMatch(/id="new-secret" type="text" readonly="" value="whsec_[^"]+" class="secret" data-copy="true"/);
    expect(html).toContain('<script src="/assets/editor.js" defer=""></script>');
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const script = await call("GET", "/assets/editor.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const text = await script.text();
    expect(text).toContain("input[data-copy]");
    expect(text).toContain("navigator.clipboard.writeText");
    const again = await call("GET", "/assets/editor.js", { headers: { "If-None-Match": script.headers.get("etag")! } });
    expect(again.status).toBe(304);
    // Public pages stay script-free.
    const home = await call("GET", "/");
    expect(await home.text()).not.toContain("<script");
    expect(home.headers.get("content-security-policy")).not.toContain("script-src");
  });
});

