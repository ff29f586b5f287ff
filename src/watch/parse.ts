/**
 * Turning what a source answered into items. Feeds (RSS 2.0, Atom, RDF, JSON Feed) are read by
 * feedsmith, which runs in workerd and never expands entities (fast-xml-parser with
 * processEntities off), so a "billion laughs" document stays small. Markup inside items and whole
 * pages is reduced to text with HTMLRewriter, the streaming HTML parser built into Workers (no
 * bundle cost, lenient with broken markup); script, style and other non-text elements are left
 * out. Everything here is text: it is escaped wherever it is shown.
 */
import { parseFeed } from "feedsmith";
import { sha256Hex } from "../lib/crypto";

export interface SourceItem {
  /** Identity within the source: the entry's link, else its id, else a hash of its title. */
  key: string;
  title: string;
  url: string | null;
  publishedAt: number | null;
  /** Title and body as plain text, for matching and snippets. */
  text: string;
}

/** Items read per poll (newest first as the feed lists them); the rest wait, or are old news. */
export const MAX_ITEMS_PER_POLL = 50;
/** Text kept per item for matching. */
export const MAX_ITEM_TEXT = 8000;
const MAX_TITLE = 300;

const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

/** Whitespace runs to one space; control characters out. */
export function cleanText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

const NON_TEXT = "script, style, noscript, template, svg, math, iframe, object, head, select, textarea";
const BLOCKS = "p, div, li, ul, ol, h1, h2, h3, h4, h5, h6, br, tr, td, th, section, article, header, footer, main, aside, blockquote, pre, dd, dt, figcaption, table, hr, nav";

/** The visible text of an HTML document or fragment, as blocks (paragraphs, list items…), and its <title>. */
export async function htmlToBlocks(html: string): Promise<{ title: string; blocks: string[] }> {
  let hidden = 0;
  let inTitle = false;
  let title = "";
  const blocks: string[] = [];
  let current = "";
  const flush = () => {
    const text = cleanText(current);
    if (text) blocks.push(text);
    current = "";
  };
  const rewriter = new HTMLRewriter()
    .on("title", {
      element(el) {
        inTitle = true;
        el.onEndTag(() => {
          inTitle = false;
        });
      },
    })
    .on(NON_TEXT, {
      element(el) {
        hidden++;
        try {
          el.onEndTag(() => {
            hidden--;
          });
        } catch {
          hidden--; // a void element has no end tag
        }
      },
    })
    .on(BLOCKS, {
      element(el) {
        flush();
        try {
          el.onEndTag(() => flush());
        } catch {
          // void element (br, hr): the flush at its start is the boundary
        }
      },
    })
    .onDocument({
      text(chunk) {
        if (inTitle) {
          title += chunk.text;
          return;
        }
        if (hidden > 0) return;
        current += chunk.text;
      },
    });
  await rewriter.transform(new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } })).arrayBuffer();
  flush();
  return { title: decodeEntities(cleanText(title)), blocks: blocks.map(decodeEntities) };
}

/** HTMLRewriter hands text chunks undecoded: the entities text commonly carries, decoded once. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|amp|lt|gt|quot|apos|nbsp|#39);/gi, (m, e: string) => {
    const lower = e.toLowerCase();
    if (lower === "amp") return "&";
    if (lower === "lt") return "<";
    if (lower === "gt") return ">";
    if (lower === "quot") return '"';
    if (lower === "apos" || lower === "#39") return "'";
    if (lower === "nbsp") return " ";
    const code = lower.startsWith("#x") ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : m;
  });
}

/** Text of a fragment that may be markup (feed descriptions, content:encoded). */
async function fragmentText(text: string): Promise<string> {
  if (!/[<&]/.test(text)) return cleanText(text);
  const { blocks } = await htmlToBlocks(text);
  return blocks.join(" ");
}

function absolute(link: string, base: string): string | null {
  try {
    const url = new URL(link.trim(), base);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function instant(text: string): number | null {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

interface RawItem {
  id: string;
  title: string;
  link: string;
  published: string;
  body: string[];
}

function rawItems(body: string): RawItem[] {
  const parsed = parseFeed(body);
  const any = parsed.feed as Record<string, any>;
  switch (parsed.format) {
    case "rss":
    case "rdf":
      return ((any.items as any[]) ?? []).map((i) => ({
        id: str(i?.guid?.value ?? i?.guid),
        title: str(i?.title),
        link: str(i?.link),
        published: str(i?.pubDate ?? i?.dc?.date ?? i?.dc?.dates?.[0]),
        body: [str(i?.description), str(i?.content?.encoded)],
      }));
    case "atom":
      return ((any.entries as any[]) ?? []).map((e) => {
        const links = (e?.links as any[]) ?? [];
        const link = links.find((l) => !l?.rel || l.rel === "alternate") ?? links[0];
        return {
          id: str(e?.id),
          title: str(e?.title),
          link: str(link?.href),
          published: str(e?.published ?? e?.updated),
          body: [str(e?.summary), str(e?.content)],
        };
      });
    case "json":
      return ((any.items as any[]) ?? []).map((i) => ({
        id: str(i?.id),
        title: str(i?.title),
        link: str(i?.url ?? i?.external_url),
        published: str(i?.date_published ?? i?.date_modified),
        body: [str(i?.summary), str(i?.content_text), str(i?.content_html)],
      }));
  }
}

/** The items of a feed document; throws on a document that is not a feed. */
export async function feedItems(body: string, baseUrl: string): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for (const raw of rawItems(body).slice(0, MAX_ITEMS_PER_POLL)) {
    const title = (await fragmentText(raw.title)).slice(0, MAX_TITLE);
    const parts: string[] = [];
    for (const b of raw.body) if (b) parts.push(await fragmentText(b.slice(0, 200_000)));
    const text = cleanText(`${title}. ${[...new Set(parts)].join(" ")}`).slice(0, MAX_ITEM_TEXT);
    const url = raw.link ? absolute(raw.link, baseUrl) : null;
    if (!title && !text) continue;
    const key = url ?? (raw.id ? `id:${raw.id.slice(0, 500)}` : `title:${(await sha256Hex(title + text)).slice(0, 32)}`);
    out.push({ key, title: title || text.slice(0, 80), url, publishedAt: instant(raw.published), text });
  }
  return out;
}

/** Blocks shorter than this (menus, buttons) are not news. */
const MIN_BLOCK = 25;
/** Block hashes kept per page for the next comparison. */
export const MAX_PAGE_BLOCKS = 2000;

/**
 * A page as at most one item: the text blocks that were not there at the previous fetch (all of
 * them at the first). Returns the item (null when nothing is new) and the hashes to keep.
 */
export async function pageItem(
  body: string,
  url: string,
  previous: string[] | null,
): Promise<{ item: SourceItem | null; blocks: string[] }> {
  const { title, blocks } = await htmlToBlocks(body);
  const seen = new Set(previous ?? []);
  const hashes: string[] = [];
  const fresh: string[] = [];
  for (const block of blocks) {
    if (block.length < MIN_BLOCK) continue;
    const hash = (await sha256Hex(block)).slice(0, 16);
    if (hashes.length < MAX_PAGE_BLOCKS) hashes.push(hash);
    if (!seen.has(hash)) fresh.push(block);
  }
  if (fresh.length === 0) return { item: null, blocks: hashes };
  const text = cleanText(`${title}. ${fresh.join(" ")}`).slice(0, MAX_ITEM_TEXT);
  const key = `page:${url}#${(await sha256Hex(fresh.join("\n"))).slice(0, 24)}`;
  return { item: { key, title: (title || fresh[0]!).slice(0, MAX_TITLE), url, publishedAt: null, text }, blocks: hashes };
}
