/** The editor's "Paste a statement" and review screen, through the worker with real D1 (inside workerd). */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import seed from "../../eval/extract/seed.txt?raw";
import { createAgreement, expectPageOutline, uid } from "../helpers";
import { makeToken } from "../ledger/ledger.helpers";
import { fieldError, fieldValue, signedIn } from "./editor.helpers";

async function setUp() {
  const token = await makeToken("write");
  const b = await signedIn(token.token);
  const agreement = await createAgreement({ id: uid("agr"), signed_on: "2025-08-08", parties: ["Azerbaijan", "United States", "Armenia"], source_url: "https://mfa.example.org/statement" });
  return { b, agreement, name: token.name };
}

async function paste(b: Awaited<ReturnType<typeof setUp>>["b"], agreementId: string, fields: Record<string, string>) {
  const res = await b.post(`/editor/agreements/${agreementId}/drafts`, fields);
  expect(res.status, await res.clone().text()).toBe(303);
  const location = res.headers.get("location")!;
  expect(location).toMatch(/^\/editor\/drafts\/batches\/drb_/);
  return location;
}

const draftIds = (html: string) => [...html.matchAll(/<li class="draft" id="draft-(dft_[0-9A-Z]+)"/g)].map((m) => m[1]!);
const draftCard = (html: string, words: string) => {
  const cards = html.split('<li class="draft"').slice(1);
  const card = cards.find((c) => c.includes(words))!;
  return { id: /id="draft-(dft_[0-9A-Z]+)"/.exec(card)![1]!, html: card };
};

describe("Paste a statement", () => {
  it("is linked from the agreement's editor page and offers a labelled text area", async () => {
    const { b, agreement } = await setUp();
    const edit = await (await b.get(`/editor/agreements/${agreement.id}/edit`)).text();
    expect(edit).toContain(`<a href="/editor/agreements/${agreement.id}/drafts">Paste a statement</a>`);
    const res = await b.get(`/editor/agreements/${agreement.id}/drafts`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    const html = await res.text();
    expectPageOutline(html, "paste");
    expect(html).toContain('<label for="text">Statement text</label>');
    expect(html).toContain('<button type="submit">Propose commitments</button>');
  });

  it("shows the drafts beside the text, each quote highlighted, each deadline explained", async () => {
    const { b, agreement } = await setUp();
    const review = await (await b.get(await paste(b, agreement.id, { text: seed }))).text();
    expectPageOutline(review, "review");
    const ids = draftIds(review);
    expect(ids.length).toBeGreaterThanOrEqual(7);
    for (const id of ids) expect(review).toContain(`<mark id="quote-${id}" class="pending">`);
    const charter = draftCard(review, "over the next 6 months");
    expect(charter.html).toContain("6 months after the signing date 2025-08-08 → 2026-02-08");
    expect(review).not.toMatch(/<mark[^>]*>[^<]*symbolic significance/);
    expect(review).toContain(`Accept all ${ids.length} pending drafts`);
  });

  it("keeps the typed text and names the field when the statement is refused, writing nothing", async () => {
    const { b, agreement } = await setUp();
    const before = (await env.DB.prepare("SELECT count(*) AS n FROM draft_batches").first<{ n: number }>())!.n;
    const res = await b.post(`/editor/agreements/${agreement.id}/drafts`, { text: "They will act.\u0007", signed_on: "2025-02-30" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("There is a problem");
    expect(fieldError(html, "text")).toBe("must not contain control characters");
    expect(fieldError(html, "signed_on")).toBe("must be a real calendar date YYYY-MM-DD");
    expect(fieldValue(html, "signed_on")).toBe("2025-02-30");
    expect(fieldValue(html, "text")).toContain("They will act.");
    expect((await env.DB.prepare("SELECT count(*) AS n FROM draft_batches").first<{ n: number }>())!.n).toBe(before);
  });

  it("says so when the text promises nothing", async () => {
    const { b, agreement } = await setUp();
    const review = await (await b.get(await paste(b, agreement.id, { text: "The treaty was ratified in 1985." }))).text();
    expect(review).toContain("This text promises nothing that pledgewatch recognises: no drafts.");
  });
});

describe("the review screen's decisions", () => {
  it("accepts a draft as a commitment whose history names the session's token", async () => {
    const { b, agreement, name } = await setUp();
    const location = await paste(b, agreement.id, { text: seed });
    const charter = draftCard(await (await b.get(location)).text(), "over the next 6 months");
    const res = await b.post(`/editor/drafts/${charter.id}/accept`, {});
    expect(res.status).toBe(303);
    const after = await (await b.get(res.headers.get("location")!)).text();
    expect(after).toContain("Draft accepted");
    const card = draftCard(after, "over the next 6 months");
    expect(card.html).toMatch(/<strong>Accepted<\/strong> as <a href="\/editor\/commitments\/establish-a-strategic-working-group/);
    const row = await env.DB.prepare("SELECT commitment_id FROM drafts WHERE id = ?").bind(charter.id).first<{ commitment_id: string }>();
    const event = await env.DB.prepare("SELECT actor FROM events WHERE commitment_id = ? AND type = 'commitment.created'").bind(row!.commitment_id).first<{ actor: string }>();
    expect(event!.actor).toBe(name);
    // A second accept of the same draft is refused beside it and makes nothing.
    const again = await b.post(`/editor/drafts/${charter.id}/accept`, {});
    expect(again.status).toBe(409);
    expect(fieldError(await again.text(), `draft-${charter.id}`)).toContain("was already accepted");
  });

  it("edits then accepts: the form starts from the draft, and an error stays beside its field with what was typed", async () => {
    const { b, agreement } = await setUp();
    const location = await paste(b, agreement.id, { text: seed });
    const route = draftCard(await (await b.get(location)).text(), "special communications project");
    const form = await (await b.get(`/editor/drafts/${route.id}/edit`)).text();
    expectPageOutline(form, "edit then accept");
    expect(fieldValue(form, "title")).toContain("special communications project to be implemented");
    const bad = await b.post(`/editor/drafts/${route.id}/edit`, { title: "Build the Trump Route", parties: "United States\nArmenia", deadline_kind: "due_on", due_on: "2028-02-30" });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(fieldError(html, "due_on")).toBe("must be a real calendar date YYYY-MM-DD");
    expect(fieldValue(html, "title")).toBe("Build the Trump Route");
    const ok = await b.post(`/editor/drafts/${route.id}/edit`, { title: "Build the Trump Route", parties: "United States\nArmenia", deadline_kind: "due_on", due_on: "2028-12-31", time_zone: "UTC" });
    expect(ok.status, await ok.clone().text()).toBe(303);
    const commitment = await (await b.get(ok.headers.get("location")!)).text();
    expect(commitment).toContain("Build the Trump Route");
    expect(commitment).toContain("2028-12-31");
  });

  it("rejects a draft with its reason, then accepts all the rest", async () => {
    const { b, agreement } = await setUp();
    const location = await paste(b, agreement.id, { text: seed });
    const first = await (await b.get(location)).text();
    const vague = draftCard(first, "give priority attention");
    expect(first).toContain(`<label for="reason-${vague.id}">Reason for rejecting (optional)</label>`);
    const rejected = await b.post(`/editor/drafts/${vague.id}/reject`, { reason: "Scope, not a promise" });
    expect(rejected.status).toBe(303);
    const all = await b.post(`${location}/accept-all`, {});
    expect(all.status, await all.clone().text()).toBe(303);
    const review = await (await b.get(all.headers.get("location")!)).text();
    const total = draftIds(first).length;
    expect(review).toContain(`Accepted ${total - 1} drafts as commitments.`);
    expect(draftCard(review, "give priority attention").html).toContain("<strong>Rejected</strong>: Scope, not a promise");
    const batchId = location.split("/").pop()!;
    const statuses = await env.DB.prepare("SELECT status, count(*) AS n FROM drafts WHERE batch_id = ? GROUP BY status ORDER BY status").bind(batchId).all<{ status: string; n: number }>();
    expect(statuses.results).toEqual([
      { status: "accepted", n: total - 1 },
      { status: "rejected", n: 1 },
    ]);
  });

  it("escapes the pasted text", async () => {
    const { b, agreement } = await setUp();
    const review = await (await b.get(await paste(b, agreement.id, { text: "The parties will sign <script>alert(1)</script> by 30 June 2026." }))).text();
    expect(review).not.toContain("<script>alert(1)</script>");
    expect(review).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
