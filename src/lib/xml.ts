/**
 * Text safety for the documents the read side serialises by hand: XML (RSS, Atom, SVG),
 * iCalendar and HTML built outside hono/jsx. Pure; used by feeds/, calendar/, pages/ (badges,
 * timeline) and openapi/ (docs page).
 */

// XML 1.0 `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
// With the `u` flag a lone surrogate is its own code point and falls outside every range, so it
// is removed too. C1 controls (U+007F-U+009F) are legal but "discouraged" by the spec and break
// some readers: removed as well.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes every character XML 1.0 forbids (and C1 controls); keeps tab, LF and CR. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, "");
}

const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/**
 * Escapes text for XML element content and attribute values alike (all five predefined
 * entities, so `]]>` can never close anything) after removing forbidden characters.
 */
export function escapeXml(text: string): string {
  return stripInvalidXmlChars(text).replace(/[&<>"']/g, (ch) => XML_ENTITIES[ch]!);
}

/** HTML text and attribute escaping (for HTML carried inside feeds, where jsx is not used). */
export function escapeHtml(text: string): string {
  return stripInvalidXmlChars(text).replace(/[&<>"']/g, (ch) => (ch === "'" ? "&#39;" : XML_ENTITIES[ch]!));
}

/** `http(s)://…` only: anything else (javascript:, data:) is never emitted as a link. */
export function isSafeHref(url: string | null | undefined): url is string {
  return typeof url === "string" && /^https?:\/\/[^\s]+$/i.test(url);
}

/** RFC 822 / RFC 1123 date with a four-digit year, as RSS 2.0 wants ("Sun, 08 Feb 2026 23:59:59 GMT"). */
export const rfc822 = (ms: number): string => new Date(ms).toUTCString();

/** RFC 3339 in UTC without milliseconds, as Atom and JSON Feed show it. */
export const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
