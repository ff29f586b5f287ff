/**
 * The server-rendered SVG timeline of deadlines: one row per commitment, a dot on its due date
 * coloured by timeliness (overdue in red), today marked by a dashed line. Two widths are drawn
 * (phone and desktop) and CSS shows one, so labels stay readable without any script.
 */
import type { Timeliness } from "../../ledger/commitments.rules";
import { timelinessLabel } from "../../lib/labels";
import type { TimelineItem } from "./pages.service";

const DAY = 86_400_000;

export const TIMELINESS_COLOURS: Record<Timeliness, string> = {
  overdue: "#b42318",
  due_soon: "#9a4a00",
  on_track: "#1b6e3a",
  met_on_time: "#1d4ed8",
  met_late: "#5b3fa6",
  closed: "#4b5563",
  no_deadline: "#9ca3af",
  waiting: "#0e7490",
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join("")}…`;
}

/** Month ticks between t0 and t1, thinned to fit about one per `minGap` px. */
function ticks(t0: number, t1: number, maxTicks: number): Array<{ t: number; label: string }> {
  const start = new Date(t0);
  let y = start.getUTCFullYear();
  let m = start.getUTCMonth() + 1;
  const months: number[] = [];
  for (;;) {
    if (m > 11) {
      m = 0;
      y++;
    }
    const t = Date.UTC(y, m, 1);
    if (t > t1) break;
    months.push(t);
    m++;
  }
  const step = [1, 2, 3, 6, 12, 24, 60, 120].find((s) => months.length / s <= maxTicks) ?? 240;
  return months
    .filter((t) => (new Date(t).getUTCMonth() + new Date(t).getUTCFullYear() * 12) % step === 0)
    .map((t) => {
      const d = new Date(t);
      return { t, label: step >= 12 ? String(d.getUTCFullYear()) : `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}` };
    });
}

export function Timeline(props: { items: TimelineItem[]; now: number; width: number; fontSize: number; idPrefix: string; className: string }) {
  const { items, now, width, fontSize, idPrefix, className } = props;
  const rowH = Math.round(fontSize * 2.1);
  const m = { left: 10, right: 10, top: fontSize * 2.4, bottom: fontSize * 2.6 };
  const dues = items.map((i) => i.dueAt);
  let t0 = Math.min(now - 30 * DAY, ...dues);
  let t1 = Math.max(now + 30 * DAY, ...dues);
  const pad = (t1 - t0) * 0.05;
  t0 -= pad;
  t1 += pad;
  const plotW = width - m.left - m.right;
  const x = (t: number) => m.left + ((t - t0) / (t1 - t0)) * plotW;
  const axisY = m.top + items.length * rowH + 4;
  const height = axisY + m.bottom;
  const charW = fontSize * 0.56;
  const todayX = x(now);
  const overdue = items.filter((i) => i.timeliness === "overdue").length;
  const titleId = `${idPrefix}-title`;
  const descId = `${idPrefix}-desc`;
  const first = items[0];
  const last = items[items.length - 1];
  return (
    <svg
      class={className}
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${width} ${Math.round(height)}`}
      role="img"
      aria-labelledby={`${titleId} ${descId}`}
      font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
      font-size={fontSize}
    >
      <title id={titleId}>Timeline of deadlines</title>
      <desc id={descId}>
        {first && last
          ? `${items.length} deadlines from ${first.dueOn} to ${last.dueOn}; today is ${isoDate(now)}; ${overdue} overdue.`
          : "No deadlines."}
      </desc>
      {ticks(t0, t1, Math.max(2, Math.floor(plotW / (fontSize * 7.5))))
        // A label centred on its tick must fit inside the drawing.
        .filter((tk) => x(tk.t) - (tk.label.length * charW) / 2 >= 0 && x(tk.t) + (tk.label.length * charW) / 2 <= width)
        .map((tk) => (
        <g>
          <line x1={x(tk.t)} x2={x(tk.t)} y1={m.top - 4} y2={axisY} stroke="#e5e7eb" stroke-width="1" />
          <text x={x(tk.t)} y={axisY + fontSize * 1.4} text-anchor="middle" fill="#4b5563">
            {tk.label}
          </text>
        </g>
      ))}
      <line x1={m.left} x2={width - m.right} y1={axisY} y2={axisY} stroke="#6b7280" stroke-width="1" />
      <line x1={todayX} x2={todayX} y1={m.top - 6} y2={axisY} stroke="#111827" stroke-width="1.5" stroke-dasharray="4 3" />
      <text x={Math.min(Math.max(todayX, m.left + 3 * charW), width - m.right - 3 * charW)} y={m.top - 10} text-anchor="middle" fill="#111827" font-weight="700">
        today
      </text>
      {items.map((item, i) => {
        const cy = m.top + i * rowH + rowH / 2;
        const cx = x(item.dueAt);
        const right = cx < width / 2;
        const room = right ? width - m.right - cx - 10 : cx - m.left - 10;
        const label = truncate(`${item.title} · ${item.dueOn}`, Math.max(6, Math.floor(room / charW)));
        const colour = TIMELINESS_COLOURS[item.timeliness];
        return (
          <g>
            <title>{`${item.title}: due ${item.dueOn}, ${timelinessLabel(item.timeliness)}`}</title>
            <line x1={m.left} x2={width - m.right} y1={cy} y2={cy} stroke="#f3f4f6" stroke-width="1" />
            <circle cx={cx} cy={cy} r={fontSize * 0.45} fill={colour} stroke={item.timeliness === "overdue" ? "#7a1209" : "#ffffff"} stroke-width="1.5" />
            <text x={right ? cx + 9 : cx - 9} y={cy + fontSize * 0.35} text-anchor={right ? "start" : "end"} fill={item.timeliness === "overdue" ? "#8f1c12" : "#111827"}>
              {label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
