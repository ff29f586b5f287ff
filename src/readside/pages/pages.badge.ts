/**
 * /badges/:commitment.svg: a shields-style badge (label | timeliness or progress) for embedding
 * in other pages. A standalone SVG document built as escaped text: no scripts, no styles, no
 * external references.
 */
import { daysPhrase, progressLabel, timelinessLabel } from "../../lib/labels";
import type { PartyCounts } from "../../ledger/parties.service";
import { escapeXml } from "../../lib/xml";
import type { CommitmentCard } from "./pages.service";
import { TIMELINESS_COLOURS } from "./pages.timeline";

const PROGRESS_COLOURS: Record<string, string> = {
  not_started: "#4b5563",
  in_progress: "#1d4ed8",
  stalled: "#9a4a00",
  partially_fulfilled: "#5b3fa6",
  fulfilled: "#1b6e3a",
  broken: "#b42318",
  withdrawn: "#4b5563",
};

/** Verdana 11px is about 6.5px a character; wide enough for digits and capitals. */
const textWidth = (text: string) => Math.ceil([...text].length * 6.6) + 12;

/** What the badge says: timeliness with its day count, or the progress status. */
export function badgeValue(card: CommitmentCard | null, show: "timeliness" | "progress"): { text: string; colour: string } {
  if (!card) return { text: "not found", colour: "#4b5563" };
  if (show === "progress") return { text: progressLabel(card.status), colour: PROGRESS_COLOURS[card.status] ?? "#4b5563" };
  const t = card.timeliness;
  let text = timelinessLabel(t);
  if (t === "overdue" && card.daysOverdue !== null) text = daysPhrase(-card.daysOverdue, true);
  else if ((t === "due_soon" || t === "on_track") && card.daysLeft !== null) text = daysPhrase(card.daysLeft, false);
  else if (t === "waiting" && card.waitingReason !== null) text = [...card.waitingReason].length > 48 ? `${[...card.waitingReason].slice(0, 47).join("")}…` : card.waitingReason;
  return { text, colour: TIMELINESS_COLOURS[t] };
}

export function renderBadge(label: string, value: { text: string; colour: string }): string {
  const lw = textWidth(label);
  const vw = textWidth(value.text);
  const w = lw + vw;
  const l = escapeXml(label);
  const v = escapeXml(value.text);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" viewBox="0 0 ${w} 20" role="img" aria-label="${l}: ${v}">
  <title>${l}: ${v}</title>
  <clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>
  <g clip-path="url(#r)">
    <rect width="${lw}" height="20" fill="#374151"/>
    <rect x="${lw}" width="${vw}" height="20" fill="${escapeXml(value.colour)}"/>
  </g>
  <g fill="#fff" text-anchor="middle" font-family="Verdana, 'DejaVu Sans', sans-serif" font-size="11">
    <text x="${lw / 2}" y="14">${l}</text>
    <text x="${lw + vw / 2}" y="14">${v}</text>
  </g>
</svg>
`;
}

/**
 * A party's record in a badge: "3/5 met on time · 2 overdue" of its decided commitments (met on
 * time, met late, broken), red while any is overdue, green when all decided were met on time.
 */
export function partyBadgeValue(counts: PartyCounts | null): { text: string; colour: string } {
  if (!counts) return { text: "not found", colour: "#4b5563" };
  const r = counts.record;
  const decided = r.met_on_time + r.met_late + r.broken;
  const parts = [decided > 0 ? `${r.met_on_time}/${decided} met on time` : "none decided yet", ...(r.overdue > 0 ? [`${r.overdue} overdue`] : [])];
  const colour = r.overdue > 0 ? TIMELINESS_COLOURS.overdue : decided > 0 && r.met_on_time === decided ? TIMELINESS_COLOURS.on_track : "#4b5563";
  return { text: parts.join(" · "), colour };
}
