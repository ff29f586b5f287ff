/**
 * valibot schemas of what the JSON API answers. The routes do not validate their own output, so
 * these exist for the OpenAPI document; tests/readside/openapi.test.ts parses real responses
 * with them (strict objects: an added or renamed field fails the test), so they cannot drift
 * from what the services return.
 */
import * as v from "valibot";
import { AGREEMENT_KINDS } from "../../ledger/agreements.schemas";
import { PROGRESS, TIMELINESS } from "../../ledger/commitments.rules";
import { EVENT_TYPES } from "../../ledger/history/events.types";
import { STATUS_BY_CODE } from "../../lib/errors";

const Iso = v.pipe(v.string(), v.isoTimestamp());
const IsoDate = v.pipe(v.string(), v.isoDate());
const Id = v.string();

export const ErrorEnvelope = v.strictObject({
  error: v.strictObject({
    code: v.picklist(Object.keys(STATUS_BY_CODE) as [string, ...string[]]),
    message: v.string(),
    issues: v.optional(v.array(v.strictObject({ path: v.string(), message: v.string() }))),
  }),
});

export const AgreementView = v.strictObject({
  id: Id,
  title: v.string(),
  kind: v.picklist(AGREEMENT_KINDS),
  signed_on: v.nullable(IsoDate),
  in_force_on: v.nullable(IsoDate),
  parties: v.array(v.string()),
  source_url: v.nullable(v.string()),
  summary: v.string(),
  created_at: Iso,
  updated_at: Iso,
  version: v.number(),
});

export const AgreementList = v.strictObject({
  items: v.array(v.strictObject({ ...AgreementView.entries, commitment_count: v.number() })),
  next_cursor: v.nullable(v.string()),
});

export const StoredDeadline = v.strictObject({
  due_on: v.optional(IsoDate),
  due_at: v.optional(v.string()),
  within: v.optional(v.string()),
  from: v.optional(IsoDate),
  after: v.optional(
    v.union([v.picklist(["signing", "entry_into_force"]), v.strictObject({ commitment: Id, when: v.literal("met") })]),
  ),
  grace: v.optional(v.string()),
});

export const CommitmentView = v.strictObject({
  id: Id,
  agreement: Id,
  title: v.string(),
  description: v.string(),
  parties: v.array(v.string()),
  tags: v.array(v.string()),
  keywords: v.array(v.string()),
  evidence: v.array(v.strictObject({ url: v.string(), title: v.optional(v.string()) })),
  depends_on: v.array(Id),
  time_zone: v.string(),
  deadline: v.nullable(StoredDeadline),
  due_on: v.nullable(IsoDate),
  due_at: v.nullable(Iso),
  overdue_at: v.nullable(Iso),
  status: v.picklist(PROGRESS),
  status_changed_at: Iso,
  timeliness: v.picklist(TIMELINESS),
  /** While the deadline's anchor has not happened (timeliness `waiting`): what it waits on. */
  waiting_on: v.nullable(
    v.union([
      v.strictObject({ anchor: v.picklist(["signing", "entry_into_force"]) }),
      v.strictObject({ anchor: v.literal("commitment"), commitment: Id, title: v.nullable(v.string()) }),
    ]),
  ),
  /** "waiting on entry into force", "waiting on: <title>"; null when not waiting. */
  waiting_reason: v.nullable(v.string()),
  days_left: v.nullable(v.number()),
  verify_every: v.nullable(v.string()),
  last_verified_at: v.nullable(Iso),
  stale_at: v.nullable(Iso),
  stale: v.boolean(),
  created_at: Iso,
  updated_at: Iso,
  version: v.number(),
});

export const AgreementDetail = v.strictObject({
  ...AgreementView.entries,
  /** The first 50 in list order (deadline, then id). */
  commitments: v.array(CommitmentView),
  commitment_count: v.number(),
  /** The next page of `GET /api/v1/commitments?agreement=…`, or null when every commitment is embedded. */
  commitments_next: v.nullable(v.string()),
});

const PartyCounts = {
  total: v.number(),
  by_timeliness: v.record(v.picklist(TIMELINESS), v.number()),
  by_status: v.record(v.picklist(PROGRESS), v.number()),
  record: v.strictObject({ met_on_time: v.number(), met_late: v.number(), overdue: v.number(), broken: v.number() }),
};

export const PartyView = v.strictObject({
  slug: v.string(),
  name: v.string(),
  aliases: v.array(v.string()),
  /** Whether an editor named it (PUT /api/v1/parties/{slug}); other parties are names commitments give. */
  named: v.boolean(),
  ...PartyCounts,
  links: v.strictObject({
    page: v.string(),
    api: v.string(),
    commitments: v.string(),
    rss: v.string(),
    atom: v.string(),
    json_feed: v.string(),
    calendar: v.string(),
    badge: v.string(),
  }),
});

export const PartyList = v.strictObject({ items: v.array(PartyView) });

export const PartyRecord = v.strictObject({ slug: v.string(), name: v.string(), aliases: v.array(v.string()), created_at: Iso, updated_at: Iso, version: v.number() });

export const CommitmentList = v.strictObject({ items: v.array(CommitmentView), next_cursor: v.nullable(v.string()) });

export const EventView = v.strictObject({
  id: Id,
  seq: v.number(),
  type: v.picklist(EVENT_TYPES),
  commitment: v.nullable(Id),
  agreement: v.nullable(Id),
  from: v.nullable(v.string()),
  to: v.nullable(v.string()),
  note: v.nullable(v.string()),
  evidence_url: v.nullable(v.string()),
  actor: v.string(),
  occurred_at: Iso,
  recorded_at: Iso,
  data: v.nullable(v.record(v.string(), v.unknown())),
});

export const EventList = v.strictObject({ items: v.array(EventView), next_cursor: v.nullable(v.string()) });

export const TokenView = v.strictObject({
  id: Id,
  name: v.string(),
  scope: v.picklist(["read", "write", "admin"]),
  created_by: v.string(),
  created_at: Iso,
  revoked_at: v.nullable(Iso),
});

export const TokenCreated = v.strictObject({ ...TokenView.entries, token: v.string() });
export const TokenList = v.strictObject({ items: v.array(TokenView) });

const Counts = v.strictObject({ created: v.number(), updated: v.number(), unchanged: v.number() });
export const ImportResult = v.strictObject({ agreements: Counts, commitments: Counts });

export const SubscriptionView = v.strictObject({
  id: Id,
  url: v.string(),
  description: v.string(),
  state: v.picklist(["active", "paused", "disabled"]),
  disabled_reason: v.nullable(v.string()),
  event_types: v.nullable(v.array(v.string())),
  agreements: v.nullable(v.array(v.string())),
  commitments: v.nullable(v.array(v.string())),
  tags: v.nullable(v.array(v.string())),
  parties: v.nullable(v.array(v.string())),
  remind_every: v.nullable(v.string()),
  failing_since: v.nullable(Iso),
  previous_secret_expires_at: v.nullable(Iso),
  created_by: v.string(),
  created_at: Iso,
  updated_at: Iso,
});

export const SubscriptionDetail = v.strictObject({
  ...SubscriptionView.entries,
  /** Totals since the subscription was created: the delivery log plus what retention deleted. */
  deliveries: v.strictObject({
    succeeded: v.number(),
    failed: v.number(),
    cancelled: v.number(),
    pending: v.number(),
    last_success_at: v.nullable(Iso),
  }),
});

const Nullable = <T extends v.GenericSchema>(s: T) => v.nullable(s);

export const SourceView = v.strictObject({
  id: Id,
  url: v.string(),
  kind: v.picklist(["feed", "page"]),
  agreements: Nullable(v.array(v.string())),
  parties: Nullable(v.array(v.string())),
  keywords: Nullable(v.array(v.string())),
  every: v.string(),
  state: v.picklist(["active", "paused"]),
  health: v.strictObject({
    status: v.picklist(["healthy", "failing", "pending", "paused"]),
    last_fetched_at: Nullable(Iso),
    last_status: Nullable(v.number()),
    last_error: Nullable(v.string()),
    last_success_at: Nullable(Iso),
    consecutive_failures: v.number(),
    next_poll_at: Nullable(Iso),
    items_seen: v.number(),
    proposals_made: v.number(),
  }),
  created_by: v.string(),
  created_at: Iso,
  updated_at: Iso,
});
export const SourceList = v.strictObject({ items: v.array(SourceView), next_cursor: v.nullable(v.string()) });

export const ProposalView = v.strictObject({
  id: Id,
  commitment: Id,
  source: Id,
  item: v.strictObject({ title: v.string(), url: Nullable(v.string()), published_at: Nullable(Iso) }),
  snippet: v.string(),
  score: v.number(),
  suggested: v.strictObject({
    status: Nullable(v.picklist(PROGRESS)),
    evidence: Nullable(v.strictObject({ url: v.string(), title: v.string() })),
  }),
  state: v.picklist(["open", "accepted", "dismissed"]),
  decided_by: Nullable(v.string()),
  decided_at: Nullable(Iso),
  decision_note: Nullable(v.string()),
  created_at: Iso,
});
export const ProposalList = v.strictObject({ items: v.array(ProposalView), next_cursor: v.nullable(v.string()) });
export const AcceptedProposal = v.strictObject({ proposal: ProposalView, commitment: CommitmentView });

export const SubscriptionWithSecret = v.strictObject({ ...SubscriptionView.entries, secret: v.string() });
export const SubscriptionList = v.strictObject({ items: v.array(SubscriptionView), next_cursor: v.nullable(v.string()) });
export const TestEventSent = v.strictObject({ event_id: Id });

export const DeliveryView = v.strictObject({
  id: Id,
  event_id: Id,
  subscription_id: Id,
  state: v.picklist(["pending", "succeeded", "failed", "cancelled"]),
  attempts: v.number(),
  next_attempt_at: v.nullable(Iso),
  last_status_code: v.nullable(v.number()),
  last_error: v.nullable(v.string()),
  created_at: Iso,
  updated_at: Iso,
  delivered_at: v.nullable(Iso),
});

export const DeliveryList = v.strictObject({
  items: v.array(
    v.strictObject({
      ...DeliveryView.entries,
      attempt_log: v.array(
        v.strictObject({
          attempted_at: Iso,
          status_code: v.nullable(v.number()),
          latency_ms: v.number(),
          error: v.nullable(v.string()),
          response_excerpt: v.nullable(v.string()),
        }),
      ),
    }),
  ),
  next_cursor: v.nullable(v.string()),
});

// Read side.

const DeadlineItem = {
  id: Id,
  title: v.string(),
  agreement: v.strictObject({ id: Id, title: v.string() }),
  status: v.picklist(PROGRESS),
  due_on: v.nullable(IsoDate),
  due_at: Iso,
  overdue_at: Iso,
  link: v.string(),
};

const countsOf = <T extends readonly string[]>(keys: T) => v.strictObject(Object.fromEntries(keys.map((k) => [k, v.number()])) as Record<T[number], v.NumberSchema<undefined>>);

export const StatusDocument = v.strictObject({
  indicator: v.picklist(["ok", "attention", "degraded"]),
  reasons: v.array(v.string()),
  generated_at: Iso,
  counts: v.strictObject({ total: v.number(), by_status: countsOf(PROGRESS), by_timeliness: countsOf(TIMELINESS), stale: v.number() }),
  overdue: v.array(v.strictObject({ ...DeadlineItem, days_overdue: v.number() })),
  overdue_truncated: v.boolean(),
  next_deadlines: v.array(v.strictObject({ ...DeadlineItem, timeliness: v.picklist(TIMELINESS), days_left: v.number() })),
  last_sweep: v.nullable(
    v.strictObject({
      id: v.number(),
      scheduled_at: Iso,
      started_at: Iso,
      finished_at: v.nullable(Iso),
      result: v.picklist(["ok", "failed", "running"]),
      error: v.nullable(v.string()),
      due_soon: v.number(),
      overdue: v.number(),
      age_seconds: v.number(),
      stale: v.boolean(),
    }),
  ),
  sweep: v.strictObject({
    state: v.picklist(["ok", "running", "failed", "stale", "never"]),
    period_minutes: v.number(),
    stale_after_minutes: v.number(),
  }),
  delivery: v.strictObject({ pending: v.number(), failing_subscriptions: v.number(), disabled_subscriptions: v.number() }),
  links: v.strictObject({ html: v.string(), rss: v.string(), atom: v.string(), json_feed: v.string(), calendar: v.string(), openapi: v.string() }),
});

const HealthCheck = v.object({
  componentType: v.string(),
  status: v.picklist(["pass", "warn", "fail"]),
  time: v.optional(Iso),
  observedValue: v.optional(v.nullable(v.number())),
  observedUnit: v.optional(v.string()),
  output: v.optional(v.string()),
});

export const HealthDocument = v.object({
  status: v.picklist(["pass", "warn", "fail"]),
  serviceId: v.string(),
  description: v.string(),
  output: v.optional(v.string()),
  checks: v.record(v.string(), v.array(HealthCheck)),
});

export const JsonFeedDocument = v.object({
  version: v.literal("https://jsonfeed.org/version/1.1"),
  title: v.string(),
  home_page_url: v.string(),
  feed_url: v.string(),
  description: v.string(),
  language: v.string(),
  authors: v.array(v.object({ name: v.string() })),
  hubs: v.array(v.object({ type: v.literal("WebSub"), url: v.string() })),
  items: v.array(
    v.object({
      id: v.string(),
      url: v.string(),
      title: v.string(),
      content_html: v.string(),
      content_text: v.string(),
      date_published: Iso,
      date_modified: Iso,
      tags: v.array(v.string()),
      _pledgewatch: v.object({
        type: v.string(),
        commitment: v.nullable(v.string()),
        agreement: v.nullable(v.string()),
        from: v.nullable(v.string()),
        to: v.nullable(v.string()),
      }),
    }),
  ),
});

/**
 * The body of every webhook delivery (alerts/payload.ts). tests/alerts/payload.test.ts parses
 * real payloads with it.
 */
export const WebhookPayload = v.strictObject({
  type: v.picklist(EVENT_TYPES),
  timestamp: Iso,
  data: v.strictObject({
    event: EventView,
    commitment: v.nullable(CommitmentView),
    agreement: v.nullable(AgreementView),
    links: v.record(v.string(), v.string()),
    /**
     * Present when the body had to be shrunk to stay within 20 KB: the fields shortened or
     * emptied (e.g. "commitment.evidence"); `links` lead to the whole record.
     */
    truncated: v.optional(v.array(v.string())),
  }),
});

/** POST /websub's 202 (websub/websub.service.ts requestView). */
export const WebsubRequestAccepted = v.object({
  id: v.string(),
  mode: v.picklist(["subscribe", "unsubscribe"]),
  topic: v.string(),
  callback: v.string(),
  lease_seconds: v.nullable(v.number()),
  state: v.literal("pending"),
});

/** GET /api/v1/websub/subscriptions (websub/websub.service.ts listWebsubSubscriptions). */
export const WebsubSubscriptionList = v.object({
  items: v.array(
    v.object({
      id: v.string(),
      topic: v.string(),
      callback: v.string(),
      state: v.picklist(["active", "expired", "unsubscribed", "gone"]),
      signed: v.boolean(),
      lease_seconds: v.number(),
      subscribed_at: Iso,
      verified_at: Iso,
      expires_at: Iso,
      deliveries: v.object({ pending: v.number(), succeeded: v.number(), failed: v.number() }),
    }),
  ),
});

const DraftDeadline = v.strictObject({
  phrase: v.string(),
  spec: v.nullable(StoredDeadline),
  due_on: v.nullable(IsoDate),
  explanation: v.string(),
});

export const DraftView = v.strictObject({
  id: Id,
  batch: Id,
  status: v.picklist(["pending", "accepted", "rejected"]),
  title: v.string(),
  quote: v.string(),
  span: v.tuple([v.number(), v.number()]),
  parties: v.array(v.string()),
  deadline: v.nullable(DraftDeadline),
  cues: v.array(v.string()),
  confidence: v.number(),
  agreement: v.nullable(Id),
  commitment: v.nullable(Id),
  decided_at: v.nullable(Iso),
  decided_by: v.nullable(v.string()),
  reason: v.nullable(v.string()),
});

const DraftBatch = v.strictObject({
  id: Id,
  agreement: v.nullable(Id),
  signed_on: v.nullable(IsoDate),
  parties: v.array(v.string()),
  source_url: v.nullable(v.string()),
  created_at: Iso,
  created_by: v.string(),
});

export const DraftsCreated = v.strictObject({ batch: DraftBatch, items: v.array(DraftView) });
export const DraftBatchDetail = v.strictObject({ batch: v.strictObject({ ...DraftBatch.entries, text: v.string() }), items: v.array(DraftView) });
export const DraftList = v.strictObject({ items: v.array(DraftView), next_cursor: v.nullable(v.string()) });
