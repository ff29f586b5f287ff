/** The API's view of a commitment, shaped from the stored row at `now`. */
import { type DeadlineSpec, toIso } from "../lib/deadline";
import { daysUntil, timeliness, type Timeliness } from "./commitments.rules";
import { waitingReason } from "../lib/labels";
import { type CommitmentWithDeps } from "./commitments.repo";
import { type EvidenceLink } from "./commitments.table";
import type { ReadContext } from "./ledger.context";
import { isStale } from "./commitments.verification";

export interface CommitmentView {
  id: string;
  agreement: string;
  title: string;
  description: string;
  parties: string[];
  tags: string[];
  keywords: string[];
  evidence: EvidenceLink[];
  depends_on: string[];
  time_zone: string;
  deadline: DeadlineSpec | null;
  due_on: string | null;
  due_at: string | null;
  overdue_at: string | null;
  status: string;
  status_changed_at: string;
  timeliness: Timeliness;
  /** While the deadline's anchor has not happened: what it waits on; else null. */
  waiting_on: { anchor: "signing" | "entry_into_force" } | { anchor: "commitment"; commitment: string; title: string | null } | null;
  /** "waiting on entry into force", "waiting on: <title>"; null when not waiting. */
  waiting_reason: string | null;
  days_left: number | null;
  verify_every: string | null;
  last_verified_at: string | null;
  stale_at: string | null;
  stale: boolean;
  created_at: string;
  updated_at: string;
  version: number;
}

export function toView(row: CommitmentWithDeps, ctx: ReadContext): CommitmentView {
  const t = timeliness(row, ctx.now, ctx.windowMs);
  const open = t === "on_track" || t === "due_soon" || t === "overdue";
  return {
    id: row.id,
    agreement: row.agreementId,
    title: row.title,
    description: row.description,
    parties: row.parties,
    tags: row.tags,
    keywords: row.keywords,
    evidence: row.evidence,
    depends_on: row.dependsOn,
    time_zone: row.timeZone,
    deadline: row.deadline ?? null,
    due_on: row.dueOn,
    due_at: row.dueAt === null ? null : toIso(row.dueAt),
    overdue_at: row.overdueAt === null ? null : toIso(row.overdueAt),
    status: row.status,
    status_changed_at: toIso(row.statusChangedAt),
    timeliness: t,
    waiting_on:
      t !== "waiting"
        ? null
        : row.waitingOn === "commitment"
          ? { anchor: "commitment", commitment: row.anchorId ?? "", title: row.anchorTitle }
          : { anchor: row.waitingOn as "signing" | "entry_into_force" },
    waiting_reason: t === "waiting" ? waitingReason(row.waitingOn, row.anchorTitle) : null,
    days_left: open && row.dueAt !== null ? daysUntil(row.dueAt, ctx.now) : null,
    verify_every: row.verifyEvery,
    last_verified_at: row.lastVerifiedAt === null ? null : toIso(row.lastVerifiedAt),
    stale_at: row.staleAt === null ? null : toIso(row.staleAt),
    stale: isStale(row, ctx.now),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    version: row.version,
  };
}
