/**
 * Feeds of status changes: the history (events), newest first, as RSS 2.0, Atom (RFC 4287) and
 * JSON Feed 1.1. One item model, three serialisers. User text is escaped by lib/xml.ts and
 * characters XML 1.0 forbids are removed, so every feed parses in a strict XML parser.
 */
import type { Db } from "../../platform/db/client";
import { DomainError } from "../../lib/errors";
import { plural, progressLabel, waitingReason } from "../../lib/labels";
import { escapeHtml, escapeXml, isSafeHref, rfc3339, rfc822, stripInvalidXmlChars } from "../../lib/xml";
import { findTitles, listFeedEvents, type FeedEventRow } from "./feeds.repo";
import { FEED_DEFAULT_LIMIT, type FeedQueryInput } from "./feeds.schemas";

export interface FeedContext {
  /** Origin for links. */
  base: string;
  /** The feed's own URL (atom:link rel="self", JSON Feed feed_url): its WebSub topic. */
  selfUrl: string;
  /** The newest event's recorded_at: the feed's lastBuildDate / updated. */
  updatedAt: number;
}

export interface FeedItem {
  id: string;
  type: string;
  title: string;
  link: string;
  /** Paragraphs of plain text; rendered as HTML or text by each format. */
  lines: Array<{ text: string; href?: string }>;
  occurredAt: number;
  recordedAt: number;
  categories: string[];
  commitment: string | null;
  agreement: string | null;
  from: string | null;
  to: string | null;
}

export interface Feed {
  title: string;
  description: string;
  /** The page the feed belongs to (home, a commitment's or an agreement's page). */
  homePage: string;
  items: FeedItem[];
}

const pageLink = (base: string, kind: "commitments" | "agreements", id: string) => `${base}/${kind}/${encodeURIComponent(id)}`;

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

function titleOf(row: FeedEventRow): { title: string; extra: FeedItem["lines"] } {
  const e = row.event;
  const data = (e.data ?? {}) as Record<string, unknown>;
  const commitment = row.commitmentTitle ?? str(data.title) ?? e.commitmentId ?? "A commitment";
  const agreement = row.agreementTitle ?? str(data.title) ?? e.agreementId ?? "An agreement";
  const changed = Array.isArray(data.changed) ? (data.changed as unknown[]).map(String).join(", ") : null;
  switch (e.type) {
    case "commitment.created":
      return { title: `New commitment: ${commitment}`, extra: [{ text: `Progress: ${progressLabel(e.toValue)}` }] };
    case "commitment.status_changed":
      return {
        title: `${commitment} is now ${progressLabel(e.toValue)}`,
        extra: [{ text: `Progress: ${progressLabel(e.fromValue)} → ${progressLabel(e.toValue)}` }],
      };
    case "commitment.deadline_changed": {
      const to = (data.to ?? {}) as Record<string, unknown>;
      const from = (data.from ?? {}) as Record<string, unknown>;
      const toDate = str(to.due_on) ?? e.toValue;
      const fromDate = str(from.due_on) ?? e.fromValue;
      // Deadlines tied to an event: "waiting" until it happens (ledger/commitments.anchors.ts).
      const toWaiting = waitingReason(str(to.waiting_on), null);
      const fromWaiting = waitingReason(str(from.waiting_on), null);
      const title = toWaiting
        ? `${commitment}: deadline ${toWaiting}`
        : toDate
          ? fromWaiting
            ? `${commitment}: deadline set to ${toDate}`
            : `${commitment}: deadline moved to ${toDate}`
          : `${commitment} no longer has a deadline`;
      return { title, extra: [{ text: `Deadline: ${fromWaiting ?? fromDate ?? "none"} → ${toWaiting ?? toDate ?? "none"}` }] };
    }
    case "commitment.due_soon": {
      const days = typeof data.lead_days === "number" ? data.lead_days : null;
      const dueOn = str(data.due_on);
      return {
        title: days === null ? `${commitment} is due soon` : `${commitment} is due within ${plural(days, "day")}`,
        extra: [
          ...(dueOn ? [{ text: `Deadline: ${dueOn}` }] : []),
          { text: `Progress: ${progressLabel(str(data.status) ?? e.fromValue)}` },
        ],
      };
    }
    case "commitment.overdue": {
      const dueOn = str(data.due_on);
      return {
        title: `${commitment} is overdue`,
        extra: [
          { text: dueOn ? `The deadline (${dueOn}) has passed and the commitment is still open.` : "The deadline has passed and the commitment is still open." },
          { text: `Progress: ${progressLabel(str(data.status) ?? e.fromValue)}` },
        ],
      };
    }
    case "commitment.verified":
      return { title: `${commitment} was checked`, extra: [{ text: `Progress: ${progressLabel(e.toValue)} (verified)` }] };
    case "commitment.stale": {
      const last = str(data.last_verified_at);
      return {
        title: `${commitment} needs checking`,
        extra: [{ text: last ? `Last verified ${last.slice(0, 10)}; it should be checked every ${str(data.verify_every) ?? "period"}.` : "Not verified since it was recorded." }],
      };
    }
    case "commitment.updated":
      return { title: `${commitment} was edited${changed ? ` (${changed})` : ""}`, extra: [] };
    case "agreement.created":
      return { title: `New agreement: ${agreement}`, extra: [] };
    case "agreement.updated":
      return { title: `${agreement} was edited${changed ? ` (${changed})` : ""}`, extra: [] };
    case "agreement.deleted":
      return { title: `Agreement deleted: ${str(data.title) ?? agreement}`, extra: [] };
    default:
      return { title: `${e.type}: ${e.commitmentId ? commitment : agreement}`, extra: [] };
  }
}

/** One history event as a feed item: human title, from → to, note, evidence, links. */
export function toFeedItem(row: FeedEventRow, base: string): FeedItem {
  const e = row.event;
  const { title, extra } = titleOf(row);
  const lines: FeedItem["lines"] = [...extra];
  if (e.note) lines.push({ text: `${e.type === "commitment.deadline_changed" ? "Reason" : "Note"}: ${e.note}` });
  if (e.evidenceUrl) lines.push({ text: `Evidence: ${e.evidenceUrl}`, href: e.evidenceUrl });
  if (e.commitmentId && e.agreementId) {
    lines.push({ text: `Agreement: ${row.agreementTitle ?? e.agreementId}`, href: pageLink(base, "agreements", e.agreementId) });
  }
  if (Math.abs(e.recordedAt - e.occurredAt) > 60_000) lines.push({ text: `Occurred: ${rfc3339(e.occurredAt)}` });
  return {
    id: e.id,
    type: e.type,
    title,
    link: e.commitmentId
      ? pageLink(base, "commitments", e.commitmentId)
      : e.agreementId
        ? pageLink(base, "agreements", e.agreementId)
        : `${base}/`,
    lines,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    categories: row.commitmentTags ?? [],
    commitment: e.commitmentId,
    agreement: e.agreementId,
    from: e.fromValue,
    to: e.toValue,
  };
}

/**
 * Whether the commitment and agreement a read-side document is about exist (one primary-key
 * lookup each): asked before a 304, so a missing one is a 404 whatever the preconditions.
 */
export async function subjectsExist(db: Db, ids: { commitment?: string; agreement?: string }): Promise<boolean> {
  if (!ids.commitment && !ids.agreement) return true;
  const titles = await findTitles(db, ids);
  return (!ids.commitment || titles.commitment !== null) && (!ids.agreement || titles.agreement !== null);
}

/**
 * Reads the events for a feed and names the feed after its filter. 404 for an unknown commitment
 * or agreement. `eventIds` narrows it to those events (a WebSub content distribution: the topic's
 * feed with only its new entries, through the same filter the feed itself uses).
 */
export async function loadFeed(db: Db, query: FeedQueryInput, base: string, eventIds?: readonly string[]): Promise<Feed> {
  const titles = await findTitles(db, { commitment: query.commitment, agreement: query.agreement });
  if (query.commitment && titles.commitment === null) {
    throw new DomainError("not_found", `commitment '${query.commitment}' does not exist`);
  }
  if (query.agreement && titles.agreement === null) {
    throw new DomainError("not_found", `agreement '${query.agreement}' does not exist`);
  }
  const rows = await listFeedEvents(
    db,
    { agreement: query.agreement, commitment: query.commitment, tag: query.tag, party: query.party, types: query.type, eventIds },
    query.limit ?? FEED_DEFAULT_LIMIT,
  );
  const about = [
    titles.commitment ? `“${titles.commitment}”` : null,
    titles.agreement ? `the agreement “${titles.agreement}”` : null,
    query.tag ? `tag ${query.tag}` : null,
    query.party ? `party ${query.party}` : null,
    query.type ? `${query.type.join(", ")} events` : null,
  ].filter((x): x is string => x !== null);
  return {
    title: about.length > 0 ? `pledgewatch: changes to ${about.join(", ")}` : "pledgewatch: status changes",
    description:
      "Status changes of commitments in the pledgewatch ledger: new commitments, progress updates, deadline changes, due-soon and overdue findings. Newest first.",
    homePage: query.commitment
      ? pageLink(base, "commitments", query.commitment)
      : query.agreement
        ? pageLink(base, "agreements", query.agreement)
        : `${base}/`,
    items: rows.map((r) => toFeedItem(r, base)),
  };
}

function itemHtml(item: FeedItem): string {
  return item.lines
    .map((l) => {
      if (l.href && isSafeHref(l.href)) {
        const label = l.text.slice(0, l.text.indexOf(":") + 1);
        const rest = l.text.slice(label.length).trim();
        return `<p>${escapeHtml(label)} <a href="${escapeHtml(l.href)}">${escapeHtml(rest)}</a></p>`;
      }
      return `<p>${escapeHtml(l.text)}</p>`;
    })
    .join("");
}

const itemText = (item: FeedItem) => item.lines.map((l) => stripInvalidXmlChars(l.text)).join("\n");

/** Event type as a category in its own domain, so readers can tell it from the tags. */
const eventTypeDomain = (base: string) => `${base}/openapi.json#event-type`;

export function renderRss(feed: Feed, ctx: FeedContext): string {
  const x = escapeXml;
  const items = feed.items
    .map(
      (i) => `    <item>
      <title>${x(i.title)}</title>
      <link>${x(i.link)}</link>
      <description>${x(itemHtml(i))}</description>
      <guid isPermaLink="false">${x(i.id)}</guid>
      <pubDate>${rfc822(i.recordedAt)}</pubDate>
${i.categories.map((c) => `      <category>${x(c)}</category>\n`).join("")}      <category domain="${x(eventTypeDomain(ctx.base))}">${x(i.type)}</category>
    </item>
`,
    )
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>${x(feed.title)}</title>
    <link>${x(feed.homePage)}</link>
    <description>${x(feed.description)}</description>
    <language>en</language>
    <generator>pledgewatch</generator>
    <docs>https://www.rssboard.org/rss-specification</docs>
    <ttl>5</ttl>
    <lastBuildDate>${rfc822(ctx.updatedAt)}</lastBuildDate>
    <atom:link href="${x(ctx.selfUrl)}" rel="self" type="application/rss+xml"/>
    <atom:link href="${x(hubUrl(ctx.base))}" rel="hub"/>
${items}  </channel>
</rss>
`;
}

/**
 * tag: URIs (RFC 4151) for Atom ids: permanent and unique without being fetchable. They do not
 * depend on the host the feed was fetched from, so a reader that reaches the service under two
 * names sees one entry per event (event ids are random ULIDs: unique across deployments too).
 */
function tagUri(specific: string): string {
  return `tag:pledgewatch,2025:${specific}`;
}

export function renderAtom(feed: Feed, ctx: FeedContext): string {
  const x = escapeXml;
  const entries = feed.items
    .map(
      (i) => `  <entry>
    <id>${x(tagUri(`event:${i.id}`))}</id>
    <title type="text">${x(i.title)}</title>
    <link rel="alternate" type="text/html" href="${x(i.link)}"/>
    <published>${rfc3339(Math.min(i.occurredAt, i.recordedAt))}</published>
    <updated>${rfc3339(i.recordedAt)}</updated>
${i.categories.map((c) => `    <category term="${x(c)}"/>\n`).join("")}    <category term="${x(i.type)}" scheme="${x(eventTypeDomain(ctx.base))}"/>
    <content type="html">${x(itemHtml(i))}</content>
  </entry>
`,
    )
    .join("");
  const selfPath = new URL(ctx.selfUrl);
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <id>${x(tagUri(`feed:${selfPath.pathname}${selfPath.search}`))}</id>
  <title type="text">${x(feed.title)}</title>
  <subtitle type="text">${x(feed.description)}</subtitle>
  <updated>${rfc3339(ctx.updatedAt)}</updated>
  <author><name>pledgewatch</name></author>
  <generator>pledgewatch</generator>
  <link rel="self" type="application/atom+xml" href="${x(ctx.selfUrl)}"/>
  <link rel="hub" href="${x(hubUrl(ctx.base))}"/>
  <link rel="alternate" type="text/html" href="${x(feed.homePage)}"/>
${entries}</feed>
`;
}

export function renderJsonFeed(feed: Feed, ctx: FeedContext): string {
  return JSON.stringify({
    version: "https://jsonfeed.org/version/1.1",
    title: feed.title,
    home_page_url: feed.homePage,
    feed_url: ctx.selfUrl,
    description: feed.description,
    language: "en",
    authors: [{ name: "pledgewatch" }],
    hubs: [{ type: "WebSub", url: hubUrl(ctx.base) }],
    items: feed.items.map((i) => ({
      id: i.id,
      url: i.link,
      title: i.title,
      content_html: itemHtml(i),
      content_text: itemText(i),
      date_published: rfc3339(Math.min(i.occurredAt, i.recordedAt)),
      date_modified: rfc3339(i.recordedAt),
      tags: [...i.categories, i.type],
      _pledgewatch: { type: i.type, commitment: i.commitment, agreement: i.agreement, from: i.from, to: i.to },
    })),
  });
}

/**
 * The three feed formats: their paths (each a WebSub topic, with any filter query), content types
 * (a content distribution carries the topic's own) and serialisers. Used by feeds.routes.ts and
 * src/websub/.
 */
export const FEED_FORMATS = {
  rss: { path: "/feed.xml", contentType: "application/rss+xml; charset=utf-8", render: renderRss },
  atom: { path: "/feed.atom", contentType: "application/atom+xml; charset=utf-8", render: renderAtom },
  json: { path: "/feed.json", contentType: "application/feed+json; charset=utf-8", render: renderJsonFeed },
} satisfies Record<string, { path: string; contentType: string; render: (feed: Feed, ctx: FeedContext) => string }>;
export type FeedFormat = keyof typeof FEED_FORMATS;

/** The WebSub hub's path (src/websub/websub.routes.ts serves it); every feed advertises it. */
export const HUB_PATH = "/websub";
export const hubUrl = (base: string) => `${base}${HUB_PATH}`;

/** The `Link` header of a feed and of a content distribution: its hub and itself (WebSub §4). */
export const hubLinkHeader = (base: string, selfUrl: string) => `<${hubUrl(base)}>; rel="hub", <${selfUrl}>; rel="self"`;

/** The newest event (one primary-key lookup): a feed's version and Last-Modified. */
export { readLedgerVersion as feedVersion } from "../version.repo";

/** The validated query in a canonical order, as a query string ("" when empty). */
export function canonicalQuery(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === undefined) continue;
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
