/**
 * /calendar.ics: an RFC 5545 calendar of commitment deadlines. One all-day VEVENT per
 * commitment with a deadline, on its due date (in the commitment's time zone), with a UID that
 * never changes for that commitment, so calendar apps update events instead of duplicating them.
 */
import type { Db } from "../../platform/db/client";
import { findAgreementsByIds } from "../../ledger/agreements.repo";
import { findCommitment, listDatedAround, type CommitmentWithDeps } from "../../ledger/commitments.repo";
import { timeliness, type Timeliness } from "../../ledger/commitments.rules";
import { DomainError } from "../../lib/errors";
import { progressLabel, timelinessLabel, waitingReason } from "../../lib/labels";
import { partyFilterKeyList } from "../../ledger/parties.repo";
import { stripInvalidXmlChars } from "../../lib/xml";
import { CALENDAR_DEFAULT_LIMIT, type CalendarQueryInput } from "./calendar.schemas";

export interface CalendarContext {
  now: number;
  windowMs: number;
  base: string;
}

export interface CalendarEntry {
  commitment: CommitmentWithDeps;
  agreementTitle: string;
  timeliness: Timeliness;
}

/**
 * Commitments with a deadline under the feeds' filters, earliest first: the `limit` nearest
 * now, upcoming ones first and then the most recent past ones (commitments.repo.ts
 * listDatedAround), so a subscriber always sees what is coming, however much is overdue.
 */
export async function loadCalendar(db: Db, query: CalendarQueryInput, ctx: CalendarContext): Promise<CalendarEntry[]> {
  let rows: CommitmentWithDeps[];
  if (query.commitment) {
    const one = await findCommitment(db, query.commitment);
    if (!one) throw new DomainError("not_found", `commitment '${query.commitment}' does not exist`);
    // The party filter as the list applies it: the name's key and its party's aliases.
    const keys = query.party ? await partyFilterKeyList(db, query.party) : [];
    const matches =
      (!query.agreement || one.agreementId === query.agreement) &&
      (!query.tag || one.tags.includes(query.tag)) &&
      (!query.party || one.partyKeys.some((k) => keys.includes(k)));
    rows = matches ? [one] : [];
  } else {
    rows = await listDatedAround(
      db,
      { agreement: query.agreement, tag: query.tag, party: query.party },
      query.limit ?? CALENDAR_DEFAULT_LIMIT,
      ctx.now,
      ctx.windowMs,
    );
  }
  // A deadline still waiting on its anchor has no date: only the one-commitment calendar shows
  // it, as a to-do without a due date (renderIcs), so a subscriber sees why nothing is dated yet.
  const dated = rows.filter((r) => (r.dueAt !== null && r.dueOn !== null) || (query.commitment && r.waitingOn !== null && r.closedAt === null));
  const agreements = await findAgreementsByIds(db, [...new Set(dated.map((r) => r.agreementId))]);
  return dated.map((r) => ({
    commitment: r,
    agreementTitle: agreements.get(r.agreementId)?.title ?? r.agreementId,
    timeliness: timeliness(r, ctx.now, ctx.windowMs),
  }));
}

/** RFC 5545 §3.3.11 TEXT: backslash, semicolon, comma and newline escaped; other controls removed. */
export function icsText(text: string): string {
  return stripInvalidXmlChars(text)
    .replace(/\r\n?/g, "\n")
    .replace(/[\t]/g, " ")
    .replace(/[\\;,]/g, (ch) => `\\${ch}`)
    .replace(/\n/g, "\\n");
}

const encoder = new TextEncoder();

/**
 * RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF + one space, never inside a
 * UTF-8 sequence (splitting by code point keeps multi-byte characters whole).
 */
export function foldLine(line: string): string {
  if (encoder.encode(line).length <= 75) return line;
  const parts: string[] = [];
  let current = "";
  let bytes = 0;
  let limit = 75;
  for (const ch of line) {
    const size = encoder.encode(ch).length;
    if (bytes + size > limit) {
      parts.push(current);
      current = "";
      bytes = 0;
      limit = 74; // the leading space of a continuation line is one of its 75 octets
    }
    current += ch;
    bytes += size;
  }
  parts.push(current);
  return parts.join("\r\n ");
}

const compactDate = (isoDate: string) => isoDate.replace(/-/g, "");
const utcStamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

function nextDay(isoDate: string): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export function renderIcs(entries: CalendarEntry[], ctx: CalendarContext & { name: string }): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//pledgewatch//commitment deadlines//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${icsText(ctx.name)}`,
    `X-WR-CALDESC:${icsText("Deadlines of commitments tracked by pledgewatch, with their timeliness.")}`,
    "X-PUBLISHED-TTL:PT1H",
    "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
  ];
  for (const { commitment: c, agreementTitle, timeliness: t } of entries) {
    const link = `${ctx.base}/commitments/${encodeURIComponent(c.id)}`;
    if (c.dueOn === null) {
      const reason = waitingReason(c.waitingOn, c.anchorTitle) ?? timelinessLabel(t);
      lines.push(
        "BEGIN:VTODO",
        `UID:commitment-${c.id}@pledgewatch`,
        `DTSTAMP:${utcStamp(c.updatedAt)}`,
        `SUMMARY:${icsText(`${c.title} (${reason})`)}`,
        `DESCRIPTION:${icsText([c.title, `Agreement: ${agreementTitle}`, `Deadline: ${reason}`, link].join("\n"))}`,
        `URL;VALUE=URI:${link}`,
        "STATUS:NEEDS-ACTION",
        `CATEGORIES:${[...c.tags, t].map(icsText).join(",")}`,
        `LAST-MODIFIED:${utcStamp(c.updatedAt)}`,
        `SEQUENCE:${Math.max(0, c.version - 1)}`,
        "END:VTODO",
      );
      continue;
    }
    const description = [
      `${c.title}`,
      `Agreement: ${agreementTitle}`,
      `Progress: ${progressLabel(c.status)}; timeliness: ${timelinessLabel(t)}`,
      `Deadline: ${c.dueOn} (${c.timeZone})`,
      c.parties.length > 0 ? `Responsible: ${c.parties.join(", ")}` : null,
      link,
    ].filter((x): x is string => x !== null);
    lines.push(
      "BEGIN:VEVENT",
      // Stable per commitment whatever host serves the calendar, so apps update, never duplicate.
      `UID:commitment-${c.id}@pledgewatch`,
      `DTSTAMP:${utcStamp(c.updatedAt)}`,
      `DTSTART;VALUE=DATE:${compactDate(c.dueOn!)}`,
      // A one-day event needs no DTEND (RFC 5545 §3.6.1); leave it out where the next day would
      // need a five-digit year (9999-12-31, stored before dates were bounded to 9999-12-30).
      ...(c.dueOn! < "9999-12-31" ? [`DTEND;VALUE=DATE:${compactDate(nextDay(c.dueOn!))}`] : []),
      `SUMMARY:${icsText(`${c.title} (${timelinessLabel(t)})`)}`,
      `DESCRIPTION:${icsText(description.join("\n"))}`,
      `URL;VALUE=URI:${link}`,
      `STATUS:${t === "closed" ? "CANCELLED" : "CONFIRMED"}`,
      `CATEGORIES:${[...c.tags, t].map(icsText).join(",")}`,
      `LAST-MODIFIED:${utcStamp(c.updatedAt)}`,
      `SEQUENCE:${Math.max(0, c.version - 1)}`,
      "TRANSP:TRANSPARENT",
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return lines.map(foldLine).join("\r\n") + "\r\n";
}
