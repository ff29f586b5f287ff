import { beforeAll, describe, expect, it } from "vitest";
import { enqueueDuePolls, pollSources } from "../../src/watch/poll";
import { call, db, expectPageOutline, json } from "../helpers";
import { makeToken } from "../ledger/ledger.helpers";
import { createSource, importDefaultDataset, pollDeps, rss, scriptedFetch } from "../watch/watch.helpers";
import { fieldError, fieldValue, signedIn } from "./editor.helpers";

async function propose(link: string, title: string, description: string, healthy = true) {
  const net = scriptedFetch();
  const url = `https://inbox.example/${crypto.randomUUID()}.xml`;
  const source = await createSource({ url, kind: "feed" });
  if (healthy) net.routes.set(url, { body: rss([{ title, link, description }]) });
  else net.routes.set(url, { status: 503, body: "down" });
  await pollSources(pollDeps(net.fetch).deps, [source.id]);
  const items = (await json(call("GET", "/api/v1/proposals?state=open&limit=200"))).items.filter((p: any) => p.source === source.id);
  return { source, proposal: items[0] };
}

describe("the editor's evidence watch inbox", () => {
  beforeAll(importDefaultDataset);

  it("lists open proposals with the commitment, the item and the snippet, escaped, and the sources' health", async () => {
    const { proposal } = await propose(
      "https://inbox.example/n/1",
      "Strategic Working Group <script>alert(1)</script> meets",
      "The Strategic Working Group held its first meeting on the Charter on Strategic Partnership.",
    );
    const { source: failing } = await propose("https://inbox.example/n/0", "x", "x", false);
    const editor = await signedIn((await makeToken("write", "inbox-editor")).token);
    const res = await editor.get("/editor/watch");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("no-store");
    const html = await res.text();
    expect(html).toContain("Set up the Strategic Working Group and prepare the Charter on Strategic Partnership");
    expect(html).toContain('href="https://inbox.example/n/1"');
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain(`action="/editor/watch/proposals/${proposal.id}/accept"`);
    expect(html).toMatch(/<label for="status-[^"]+">New status<\/label>/);
    expect(html).toContain("Accept proposal");
    expect(html).toContain(failing.url);
    expect(html).toContain("failing (1 in a row; last: HTTP 503)");
  });

  it("accepts with the suggested status as the signed-in token, then dismisses another with a reason", async () => {
    const { proposal } = await propose("https://inbox.example/n/2", "Armenia schedules referendum", "Armenia's government proposed a referendum to amend the constitution and remove territorial claims against Azerbaijan.");
    const editor = await signedIn((await makeToken("write", "inbox-desk")).token);
    const accepted = await editor.post(`/editor/watch/proposals/${proposal.id}/accept`, { status: "in_progress", note: "Referendum called" });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe("/editor/watch?done=accepted");
    const [event] = (await json(call("GET", `/api/v1/commitments/${proposal.commitment}/events?limit=1`))).items;
    expect(event).toMatchObject({ type: "commitment.status_changed", to: "in_progress", actor: "inbox-desk", note: "Referendum called", evidence_url: "https://inbox.example/n/2" });
    // Accepting it again is refused on the page, changing nothing.
    const again = await editor.post(`/editor/watch/proposals/${proposal.id}/accept`, { status: "fulfilled" });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("already accepted");

    const other = await propose("https://inbox.example/n/3", "OSCE closes the Minsk Process", "The OSCE decided on closing the Minsk Process and its related structures.");
    const dismissed = await editor.post(`/editor/watch/proposals/${other.proposal.id}/dismiss`, { reason: "Old news" });
    expect(dismissed.status).toBe(303);
    expect((await json(call("GET", `/api/v1/proposals/${other.proposal.id}`))).state).toBe("dismissed");
    const bad = await editor.post(`/editor/watch/proposals/${other.proposal.id}/accept`, { status: "done" });
    expect(bad.status).toBe(400);
  });
});

describe("adding a source in the editor", () => {
  it("adds a feed through the sources service with the signed-in token's name, scoped as typed", async () => {
    const token = await makeToken("write", "source-editor");
    const editor = await signedIn(token.token);
    const page = await (await editor.get("/editor/watch")).text();
    expect(page).toMatch(/<label for="url">Source URL<\/label>/);
    expect(page).toMatch(/<button type="submit">Add source<\/button>/);
    const url = `https://mfa.example/${crypto.randomUUID()}/rss`;
    const res = await editor.post("/editor/watch/sources", { url, kind: "feed", parties: "Azerbaijan\nUnited States", keywords: "working group", every: "PT2H" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/editor/watch?done=source_added");
    const source = (await json(call("GET", "/api/v1/sources?limit=200"))).items.find((s: any) => s.url === url);
    expect(source).toMatchObject({ kind: "feed", parties: ["Azerbaijan", "United States"], keywords: ["working group"], every: "PT2H", created_by: token.name });
  });

  it("shows each bad field beside it, keeps what was typed, and adds nothing", async () => {
    const editor = await signedIn((await makeToken("write")).token);
    const before = (await json(call("GET", "/api/v1/sources?limit=200"))).items.length;
    const res = await editor.post("/editor/watch/sources", { url: "http://10.0.0.1/feed", kind: "blog", every: "PT1M" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldError(html, "kind")).toBe("must be &#39;feed&#39; or &#39;page&#39;");
    expect(fieldError(html, "every")).toBeTruthy();
    expect(fieldValue(html, "every")).toBe("PT1M");
    expect(html).toMatch(/<a href="#kind">Kind: /);
    expect((await json(call("GET", "/api/v1/sources?limit=200"))).items.length).toBe(before);
    const refused = await editor.post("/editor/watch/sources", { url: "http://10.0.0.1/feed", kind: "feed" });
    expect(refused.status).toBe(400);
    expect(fieldError(await refused.text(), "url")).toBeTruthy();
    expect((await json(call("GET", "/api/v1/sources?limit=200"))).items.length).toBe(before);
  });
});

describe("editing, pausing and deleting a source in the editor", () => {
  const api = async (id: string) => json(call("GET", `/api/v1/sources/${id}`));

  it("shows a source's health on its page and saves an edit through the sources service, clearing an emptied filter", async () => {
    const source = await createSource({ url: `https://edit.example/${crypto.randomUUID()}.xml`, kind: "feed", parties: ["Azerbaijan"], keywords: ["charter"] });
    const editor = await signedIn((await makeToken("write")).token);
    const list = await (await editor.get("/editor/watch")).text();
    expect(list).toContain(`href="/editor/watch/sources/${source.id}"`);
    const page = await editor.get(`/editor/watch/sources/${source.id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toContain("no-store");
    const html = await page.text();
    expectPageOutline(html, "source page");
    expect(html).toContain("not polled yet");
    expect(fieldValue(html, "url")).toBe(source.url);
    expect(fieldValue(html, "parties")).toBe("Azerbaijan");
    expect(html).toMatch(/<button type="submit">Save source<\/button>/);

    const url = `https://edit.example/${crypto.randomUUID()}/atom`;
    const saved = await editor.post(`/editor/watch/sources/${source.id}`, { url, kind: "feed", agreements: "", parties: "", keywords: "working group\ncharter", every: "PT3H" });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`/editor/watch/sources/${source.id}?done=source_saved`);
    expect(await api(source.id)).toMatchObject({ url, parties: null, keywords: ["working group", "charter"], every: "PT3H", state: "active" });
    expect(await (await editor.get(`/editor/watch/sources/${source.id}?done=source_saved`)).text()).toContain("Source saved");
  });

  it("shows each bad field of an edit beside it, keeps what was typed, and changes nothing", async () => {
    const source = await createSource({ url: `https://edit.example/${crypto.randomUUID()}.xml`, kind: "feed" });
    const before = await api(source.id);
    const editor = await signedIn((await makeToken("write")).token);
    const res = await editor.post(`/editor/watch/sources/${source.id}`, { url: "not a url", kind: "blog", every: "PT1M", keywords: "charter" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldError(html, "url")).toBeTruthy();
    expect(fieldError(html, "kind")).toBe("must be &#39;feed&#39; or &#39;page&#39;");
    expect(fieldError(html, "every")).toBeTruthy();
    expect(fieldValue(html, "url")).toBe("not a url");
    expect(fieldValue(html, "keywords")).toBe("charter");
    expect(html).toMatch(/<a href="#url">Source URL: /);
    // A private address is refused by the one SSRF guard, beside the URL field.
    const refused = await editor.post(`/editor/watch/sources/${source.id}`, { url: "https://10.0.0.1/feed", kind: "feed" });
    expect(refused.status).toBe(400);
    expect(fieldError(await refused.text(), "url")).toContain("refused source URL");
    expect(await api(source.id)).toEqual(before);
  });

  it("pauses and resumes a source: paused, it is not claimed by the cron", async () => {
    const source = await createSource({ url: `https://edit.example/${crypto.randomUUID()}.xml`, kind: "feed" });
    const editor = await signedIn((await makeToken("write")).token);
    const page = await (await editor.get(`/editor/watch/sources/${source.id}`)).text();
    expect(page).toContain("Pause polling");
    const paused = await editor.post(`/editor/watch/sources/${source.id}/state`, { state: "paused" });
    expect(paused.status).toBe(303);
    expect(paused.headers.get("location")).toBe(`/editor/watch/sources/${source.id}?done=source_paused`);
    expect(await api(source.id)).toMatchObject({ state: "paused", health: { status: "paused", next_poll_at: null } });
    const claimed: string[] = [];
    const queue = { sendBatch: async (batch: Iterable<{ body: { sourceIds: string[] } }>) => void claimed.push(...[...batch].flatMap((m) => m.body.sourceIds)) };
    await enqueueDuePolls(db(), queue, Date.now() + 86_400_000);
    expect(claimed).not.toContain(source.id);
    expect(await (await editor.get(`/editor/watch/sources/${source.id}`)).text()).toContain("Resume polling");
    const resumed = await editor.post(`/editor/watch/sources/${source.id}/state`, { state: "active" });
    expect(resumed.headers.get("location")).toBe(`/editor/watch/sources/${source.id}?done=source_resumed`);
    expect((await api(source.id)).state).toBe("active");
    expect((await editor.post(`/editor/watch/sources/${source.id}/state`, { state: "stopped" })).status).toBe(400);
  });

  it("deletes a source only once “Yes, delete this source” is ticked, and refuses a form without the session's token", async () => {
    const source = await createSource({ url: `https://edit.example/${crypto.randomUUID()}.xml`, kind: "feed" });
    const editor = await signedIn((await makeToken("write")).token);
    const page = await (await editor.get(`/editor/watch/sources/${source.id}`)).text();
    expect(page).toMatch(/<label for="confirm">Yes, delete this source<\/label>/);
    const unticked = await editor.post(`/editor/watch/sources/${source.id}/delete`, {});
    expect(unticked.status).toBe(400);
    expect(fieldError(await unticked.text(), "confirm")).toContain("Yes, delete this source");
    expect((await call("GET", `/api/v1/sources/${source.id}`)).status).toBe(200);
    const forged = await editor.post(`/editor/watch/sources/${source.id}/delete`, { confirm: "yes" }, { formToken: false });
    expect(forged.status).toBe(403);
    expect((await call("GET", `/api/v1/sources/${source.id}`)).status).toBe(200);
    const deleted = await editor.post(`/editor/watch/sources/${source.id}/delete`, { confirm: "yes" });
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get("location")).toBe("/editor/watch?done=source_deleted");
    expect((await call("GET", `/api/v1/sources/${source.id}`)).status).toBe(404);
    expect((await editor.get(`/editor/watch/sources/${source.id}`)).status).toBe(404);
  });
});
