import { describe, expect, it } from "vitest";
import { escapeHtml, escapeXml, isSafeHref, rfc3339, rfc822, stripInvalidXmlChars } from "../../src/lib/xml";
import { parseXml, textOf } from "../readside/readside.helpers";

describe("XML text safety", () => {
  it("removes every character XML 1.0 forbids and keeps tab, LF, CR and astral characters", () => {
    const input = "a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\tLF\nCR\r\uFFFE\uFFFF\uD800x\uDC00y\u{1F600}\u0085z";
    expect(stripInvalidXmlChars(input)).toBe("abcdefg\tLF\nCR\rxy\u{1F600}z");
  });

  it("escapes markup so that ]]>, quotes and entities come back as written", () => {
    const hostile = `<a href="x">&amp; 'q' ]]> </a>`;
    const escaped = escapeXml(hostile);
    expect(escaped).toBe("&lt;a href=&quot;x&quot;&gt;&amp;amp; &apos;q&apos; ]]&gt; &lt;/a&gt;");
    const doc = parseXml(`<r a="${escaped}">${escaped}</r>`);
    expect(textOf(doc.r)).toBe(hostile);
    expect(doc.r["@_a"]).toBe(hostile);
  });

  it("escapes HTML and refuses non-http links", () => {
    expect(escapeHtml(`<b>"it's"</b>`)).toBe("&lt;b&gt;&quot;it&#39;s&quot;&lt;/b&gt;");
    expect(isSafeHref("https://example.org/a?b=1")).toBe(true);
    expect(isSafeHref("javascript:alert(1)")).toBe(false);
    expect(isSafeHref("data:text/html,x")).toBe(false);
    expect(isSafeHref(null)).toBe(false);
  });

  it("formats RFC 822 dates with a four-digit year and RFC 3339 without milliseconds", () => {
    const t = Date.UTC(2026, 1, 8, 23, 59, 59, 999);
    expect(rfc822(t)).toBe("Sun, 08 Feb 2026 23:59:59 GMT");
    expect(rfc3339(t)).toBe("2026-02-08T23:59:59Z");
  });
});
