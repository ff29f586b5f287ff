/** Every history event type. Webhook subscribers filter on these names. */
export const EVENT_TYPES = [
  "agreement.created",
  "agreement.updated",
  "agreement.deleted",
  "commitment.created",
  "commitment.updated",
  "commitment.status_changed",
  "commitment.deadline_changed",
  "commitment.due_soon",
  "commitment.overdue",
  "commitment.verified",
  "commitment.stale",
  "commitment.still_overdue",
  "proposal.created",
  "subscription.disabled",
  "subscription.test",
] as const;

/**
 * Types that are not part of the public record: a reminder is sent to one subscription (its
 * data names it), a proposal is a machine's guess until a person accepts it. Feeds leave them out.
 */
export const UNPUBLISHED_EVENT_TYPES = ["commitment.still_overdue", "proposal.created"] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What a service hands to the history: the row minus the ids the repo assigns. */
export interface NewEvent {
  type: EventType;
  commitmentId?: string | null;
  agreementId?: string | null;
  fromValue?: string | null;
  toValue?: string | null;
  note?: string | null;
  evidenceUrl?: string | null;
  actor: string;
  occurredAt: number;
  recordedAt: number;
  data?: Record<string, unknown> | null;
  dedupeKey?: string | null;
}
