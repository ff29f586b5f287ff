import { XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import seed from "../../data/default.json";
import { call, createAgreement, createCommitment, expectPageOutline } from "../helpers";
import { expectErrorEnvelope, get, parseXml, textOf } from "./readside.helpers";

const CHARTER = "az-us-strategic-partnership-charter";
const HOSTILE = `Evil <script>alert(1)</script> & "quoted" ' onmouseover="x" ]]>`;

let hostileAgreement: string;
let hostileCommitment: string;

beforeAll(async () => {
  const res = await call("POST", "/api/v1/import", { body: seed });
  expect(res.status).toBe(200);
  hostileAgreement = (await createAgreement({ title: HOSTILE, parties: [`<b>Party</b> & co`], summary: `Summary with <iframe src="x"></iframe>` })).id;
  hostileCommitment = (
    await createCommitment(hostileAgreement, {
      title: HOSTILE,
      description: `Line one <img src=x onerror=alert(1)>\nLine two & "three"`,
      tags: ["hostile"],
      parties: [`"><script>p()</script>`],
      evidence: [{ url: "https://example.org/?q=<x>&y=\"1\"", title: `<b>Evidence</b> "title"` }],
      deadline: { due_on: "2020-01-01" },
    })
  ).id;
  const status = await call("POST", `/api/v1/commitments/${hostileCommitment}/status`, { body: { status: "stalled", note: `</p><script>n()</script>` } });
  expect(status.status).toBe(200);
});

async function page(path: string, headers: Record<string, string> = {}) {
  const res = await get(path, headers);
  return { res, html: await res.text() };
}

function expectSafeHtml(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<iframe/i);
  expect(html).not.toMatch(/<img[^>]*onerror/i);
  // No event-handler attribute on any tag (quoted attribute values removed first).
  for (const tag of html.match(/<[a-zA-Z][^>]*>/g) ?? []) expect(tag.replace(/"[^"]*"/g, '""')).not.toMatch(/\son\w+=/i);
  expect(html).not.toMatch(/\sstyle=/i);
  for (const m of html.matchAll(/\shref="([^"]*)"/g)) expect(m[1]).toMatch(/^(\/|#|https?:\/\/)/);
}

function svgBlocks(html: string): string[] {
  return [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
}

describe("the status page /", () => {
  it("renders the seeded dataset: every agreement and commitment, the summary and the timeline", async () => {
    const { res, html } = await page("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(html.startsWith("<!DOCTYPE html><html lang=\"en\">")).toBe(true);
    for (const a of seed.agreements) expect(html).toContain(`href="/agreements/${a.id}"`);
    for (const c of seed.commitments) expect(html).toContain(`href="/commitments/${c.id}"`);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    expect(html).toMatch(/<li class="s-overdue"><span class="num">2<\/span> <span class="lbl">overdue<\/span><\/li>/);
    expect(html).toContain('<link rel="alternate" type="application/rss+xml"');
    expect(html).toContain('href="/calendar.ics"');
    expectSafeHtml(html);
  });

  it("lists overdue commitments first, with badges, deadline, days overdue and the latest change", async () => {
    const { html } = await page("/");
    const charterAt = html.indexOf(`href="/commitments/${CHARTER}"`);
    const mouAt = html.indexOf('href="/agreements/az-us-strategic-working-group-mou"');
    expect(mouAt).toBeGreaterThan(0);
    expect(charterAt).toBeGreaterThan(mouAt);
    const card = html.slice(html.lastIndexOf("<li class=\"card", charterAt), html.indexOf("</li>", charterAt));
    expect(card).toContain('class="card t-overdue"');
    expect(card).toContain('<span class="badge t-overdue">overdue</span>');
    expect(card).toContain("not started");
    expect(card).toContain('Deadline <time datetime="2026-02-08">2026-02-08</time>');
    expect(card).toMatch(/<strong class="late">\d+ days overdue<\/strong>/);
    expect(card).toContain("Latest: added to the ledger");
  });

  it("draws the deadlines as SVG (phone and desktop widths) with today marked and overdue in red", async () => {
    const { html } = await page("/");
    const svgs = svgBlocks(html);
    expect(svgs).toHaveLength(2);
    for (const svg of svgs) {
      expect(XMLValidator.validate(svg)).toBe(true);
      expect(svg).toContain('role="img"');
      expect(svg).toContain("<title");
      expect(svg).toContain(">today</text>");
      expect(svg).toContain('fill="#b42318"');
    }
    expect(svgs[0]).toContain('class="tl-wide"');
    expect(svgs[1]).toContain('class="tl-narrow"');
  });

  it("sends secure headers with a restrictive CSP and no script anywhere", async () => {
    const { res } = await page("/");
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(res.headers.get("permissions-policy")).toContain("camera=()");
  });

  it("serves its stylesheet from the same origin", async () => {
    const res = await get("/assets/pages.css");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await res.text()).toContain("@media (min-width: 40rem)");
    expect((await get("/assets/pages.css", { "If-None-Match": res.headers.get("etag")! })).status).toBe(304);
  });
});

describe("commitment and agreement pages", () => {
  it("shows one commitment: details, deadline history, dependencies, change history and its feeds", async () => {
    const { res, html } = await page(`/commitments/${CHARTER}`);
    expect(res.status).toBe(200);
    const charter = seed.commitments.find((c) => c.id === CHARTER)!;
    expect(html).toContain(`<h1>${charter.title}</h1>`);
    expect(html).toContain('<span class="badge t-overdue">overdue</span>');
    expect(html).toContain('<time datetime="2026-02-08">2026-02-08</time> (end of day, UTC)');
    expect(html).toContain("P6M after signing");
    expect(html).toContain('href="/agreements/az-us-strategic-working-group-mou"');
    expect(html).toContain("Deadline set: 2026-02-08");
    expect(html).toContain(`<strong>New commitment: ${charter.title}</strong>`);
    expect(html).toContain(`href="/feed.xml?commitment=${CHARTER}"`);
    expect(html).toContain(`href="/feed.atom?commitment=${CHARTER}"`);
    expect(html).toContain(`href="/feed.json?commitment=${CHARTER}"`);
    expect(html).toContain(`href="/calendar.ics?commitment=${CHARTER}"`);
    expect(html).toContain(`src="/badges/${CHARTER}.svg"`);
    expectSafeHtml(html);
  });

  it("lists what a commitment depends on and what depends on it", async () => {
    const { html } = await page("/commitments/sign-ratify-az-am-peace-agreement");
    const deps = seed.commitments.find((c) => c.id === "sign-ratify-az-am-peace-agreement")!.depends_on ?? [];
    expect(deps.length).toBeGreaterThan(0);
    const section = html.slice(html.indexOf('id="deps-h"'), html.indexOf('id="history-h"'));
    for (const d of deps) expect(section).toContain(`href="/commitments/${d}"`);
    const dependents = seed.commitments.filter((c) => ((c.depends_on ?? []) as string[]).includes("armenia-constitutional-amendment"));
    const amendment = await page("/commitments/armenia-constitutional-amendment");
    const needed = amendment.html.slice(amendment.html.indexOf("Needed by"), amendment.html.indexOf('id="history-h"'));
    for (const d of dependents) expect(needed).toContain(`href="/commitments/${d.id}"`);
  });

  it("shows an agreement with its commitments, timeline, recent changes and feeds", async () => {
    const { res, html } = await page("/agreements/az-am-washington-joint-declaration");
    expect(res.status).toBe(200);
    for (const c of seed.commitments.filter((c) => c.agreement === "az-am-washington-joint-declaration")) {
      expect(html).toContain(`href="/commitments/${c.id}"`);
    }
    expect(html).toContain('href="/feed.xml?agreement=az-am-washington-joint-declaration"');
    expect(html).toContain('href="/calendar.ics?agreement=az-am-washington-joint-declaration"');
    expect(html).toContain("Recent changes");
    expectSafeHtml(html);
  });

  it("answers an HTML 404 for an unknown commitment or agreement, with the same headers", async () => {
    for (const path of ["/commitments/no-such-thing", "/agreements/no-such-thing", "/commitments/NOT%20A%20SLUG"]) {
      const { res, html } = await page(path);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(html).toContain("<h1>Not found</h1>");
      expectSafeHtml(html);
    }
  });
});

describe("accessibility basics", () => {
  it("has one h1, never skips a heading level, labels its landmarks and gives every image alt text", async () => {
    for (const path of ["/", `/commitments/${CHARTER}`, "/agreements/az-am-washington-joint-declaration", "/docs", "/commitments/no-such-thing"]) {
      const { html } = await page(path);
      expectPageOutline(html, path);
      expect(html, path).toContain('<main id="main"');
      expect(html, path).toContain('<a class="skip" href="#main">');
      for (const img of html.match(/<img\b[^>]*>/g) ?? []) expect(img, path).toMatch(/\salt="[^"]+"/);
      for (const svg of svgBlocks(html)) expect(svg, path).toMatch(/role="img" aria-labelledby="[^"]+"/);
    }
  });
});

describe("hostile text on pages", () => {
  it("escapes titles, descriptions, parties, evidence and notes on every page", async () => {
    for (const path of ["/", `/commitments/${hostileCommitment}`, `/agreements/${hostileAgreement}`]) {
      const { res, html } = await page(path);
      expect(res.status, path).toBe(200);
      expectSafeHtml(html);
      expect(html).toContain("Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#39; onmouseover=&quot;x&quot; ]]&gt;");
      for (const svg of svgBlocks(html)) expect(XMLValidator.validate(svg), path).toBe(true);
    }
    const { html } = await page(`/commitments/${hostileCommitment}`);
    expect(html).toContain("Line one &lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("&lt;/p&gt;&lt;script&gt;n()&lt;/script&gt;");
    expect(html).toContain("&lt;b&gt;Evidence&lt;/b&gt; &quot;title&quot;");
  });
});

describe("badges /badges/:commitment.svg", () => {
  it("is an SVG with label and colour-coded timeliness, embeddable from other origins", async () => {
    const res = await get(`/badges/${CHARTER}.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const svg = await res.text();
    const doc = parseXml(svg);
    expect(textOf(doc.svg.title)).toMatch(/^deadline: \d+ days overdue$/);
    expect(svg).toContain('fill="#b42318"');
  });

  it("shows progress on request, takes a custom label, escapes it, and says 'not found' with 404", async () => {
    const progress = await (await get(`/badges/${CHARTER}.svg?show=progress`)).text();
    expect(textOf(parseXml(progress).svg.title)).toBe("progress: not started");
    const labelled = await (await get(`/badges/${CHARTER}.svg?label=${encodeURIComponent(`<x> & "y"`)}`)).text();
    expect(() => parseXml(labelled)).not.toThrow();
    expect(textOf(parseXml(labelled).svg.title)).toMatch(/^<x> & "y": /);
    const missing = await get("/badges/no-such-commitment.svg");
    expect(missing.status).toBe(404);
    expect(textOf(parseXml(await missing.text()).svg.title)).toBe("deadline: not found");
    await expectErrorEnvelope(await get(`/badges/${CHARTER}.svg?show=everything`), 400, "invalid_input");
  });
});

describe("page caching", () => {
  it("sends ETag and Last-Modified and answers 304, keeping the security headers", async () => {
    for (const path of ["/", `/commitments/${CHARTER}`, "/agreements/az-am-washington-joint-declaration", `/badges/${CHARTER}.svg`]) {
      const first = await get(path);
      const etag = first.headers.get("etag")!;
      expect(etag, path).toMatch(/^W\/"(page|badge)/);
      expect(first.headers.get("last-modified"), path).toMatch(/GMT$/);
      const again = await get(path, { "If-None-Match": etag });
      expect(again.status, path).toBe(304);
      expect(again.headers.get("content-security-policy"), path).toContain("default-src 'none'");
    }
  });

  it("changes the page's validator after a change to the ledger", async () => {
    const first = await get(`/commitments/${CHARTER}`);
    const res = await call("POST", `/api/v1/commitments/${CHARTER}/status`, { body: { status: "in_progress", note: "Working group formed" } });
    expect(res.status).toBe(200);
    const after = await get(`/commitments/${CHARTER}`, { "If-None-Match": first.headers.get("etag")! });
    expect(after.status).toBe(200);
    const html = await after.text();
    expect(html).toContain(`<strong>${seed.commitments.find((c) => c.id === CHARTER)!.title} is now in progress</strong>`);
    expect(html).toContain("Note: Working group formed");
  });
});
