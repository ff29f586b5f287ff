import { beforeAll, describe, expect, it } from "vitest";
import { pollSources } from "../../src/watch/poll";
import { call, json } from "../helpers";
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
