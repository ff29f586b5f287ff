/**
 * Every operation of the public HTTP surface, described once: the JSON API under /api/v1 and
 * the machine-readable read side. Request schemas are the very valibot schemas the routes
 * validate with (imported from each concept), so the document cannot describe a different
 * input than the one enforced. tests/readside/openapi.test.ts compares this list with the
 * routes Hono registered (app.routes), both ways.
 */
import type { GenericSchema } from "valibot";
import { CreateAgreement, ListAgreementsQuery, UpdateAgreement } from "../../ledger/agreements.schemas";
import { CreateToken } from "../../ledger/auth/tokens.schemas";
import { CalendarQuery } from "../calendar/calendar.schemas";
import { ChangeStatus, CreateCommitment, ListCommitmentsQuery, ListEventsQuery, UpdateCommitment, VerifyCommitment } from "../../ledger/commitments.schemas";
import { CreateSource, ListSourcesQuery, UpdateSource } from "../../watch/sources.schemas";
import { AcceptProposal, DismissProposal, ListProposalsQuery } from "../../watch/proposals.schemas";
import { FeedQuery } from "../feeds/feeds.schemas";
import { ListWebsubQuery, WebsubRequest } from "../feeds/hub.schemas";
import { BadgeQuery } from "../pages/pages.schemas";
import { CreateSubscription, ListDeliveriesQuery, ListSubscriptionsQuery, UpdateSubscription } from "../../alerts/subscriptions.schemas";
import { ImportDocument } from "../../ledger/transfer/transfer.schemas";
import { AcceptDraft, CreateDrafts, ListDraftsQuery, RejectDraft } from "../../intake/drafts/drafts.schemas";
import { PutParty } from "../../ledger/parties.schemas";
import * as views from "./openapi.views";

export type Auth = "public" | "write" | "admin";

export interface Named {
  name: string;
  schema: GenericSchema;
}

export interface ResponseSpec {
  status: number;
  description: string;
  /** JSON body schema; omitted for non-JSON or empty bodies. */
  body?: Named;
  /** Content type when not JSON (feeds, calendar, badges). */
  contentType?: string;
  example?: unknown;
  /** Conditional GET: ETag / Last-Modified headers and a 304 answer. */
  conditional?: boolean;
}

export interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** OpenAPI path, parameters in braces. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  /** Descriptions of the path parameters. */
  pathParams?: Record<string, string>;
  query?: Named;
  body?: Named & { example?: unknown };
  /** The request body's media type when not JSON (the WebSub hub takes a form). */
  bodyContentType?: string;
  responses: ResponseSpec[];
  /** Error statuses besides the ones implied by auth, params and body. */
  errors?: number[];
}

const n = (name: string, schema: GenericSchema): Named => ({ name, schema });

const ID = { id: "The record's id (a slug for agreements and commitments)." };
const json = (status: number, description: string, body: Named, example?: unknown): ResponseSpec => ({ status, description, body, example });

const commitmentExample = {
  id: "az-us-strategic-partnership-charter",
  agreement: "az-us-strategic-working-group-mou",
  title: "Set up the Strategic Working Group and prepare the Charter on Strategic Partnership",
  description: "",
  parties: ["Azerbaijan", "United States"],
  tags: ["strategic-partnership", "bilateral"],
  keywords: [],
  evidence: [],
  depends_on: [],
  time_zone: "UTC",
  deadline: { within: "P6M" },
  due_on: "2026-02-08",
  due_at: "2026-02-08T23:59:59.999Z",
  overdue_at: "2026-02-08T23:59:59.999Z",
  status: "not_started",
  status_changed_at: "2025-08-08T00:00:00.000Z",
  timeliness: "overdue",
  waiting_on: null,
  waiting_reason: null,
  days_left: null,
  verify_every: "P30D",
  last_verified_at: null,
  stale_at: "2025-09-08T10:00:00.000Z",
  stale: true,
  created_at: "2025-08-09T10:00:00.000Z",
  updated_at: "2025-08-09T10:00:00.000Z",
  version: 1,
};

export const TAGS: Array<{ name: string; description: string }> = [
  { name: "agreements", description: "The source documents: memoranda, declarations, orders, letters." },
  { name: "commitments", description: "Who promised what, by when: progress, deadlines and history." },
  { name: "parties", description: "Who promised: each party's commitments by timeliness and progress, and its record; editors name parties and their aliases." },
  { name: "transfer", description: "The whole ledger as one JSON document, in and out." },
  { name: "tokens", description: "Named API tokens (admin only)." },
  { name: "evidence watch", description: "Sources the service polls, and the proposals it makes from what they publish (write scope)." },
  { name: "subscriptions", description: "Signed webhook subscriptions and their delivery log (write scope)." },
  { name: "drafts", description: "Drafts from a pasted statement: proposed commitments to accept, edit then accept, or reject (write scope)." },
  { name: "read side", description: "Feeds, status, calendar and badges: public, cacheable, conditional GET." },
  { name: "websub", description: "The W3C WebSub hub for the feeds: subscribe, verification of intent, signed content distribution." },
];

export const OPERATIONS: Operation[] = [
  // Agreements
  {
    method: "get",
    path: "/api/v1/agreements",
    operationId: "listAgreements",
    tag: "agreements",
    summary: "List agreements",
    description: "Agreements in id order, keyset-paginated: pass `next_cursor` back as `cursor`.",
    auth: "public",
    query: n("ListAgreementsQuery", ListAgreementsQuery),
    responses: [json(200, "A page of agreements.", n("AgreementList", views.AgreementList))],
  },
  {
    method: "post",
    path: "/api/v1/agreements",
    operationId: "createAgreement",
    tag: "agreements",
    summary: "Create an agreement",
    description: "The id defaults to a slug of the title. Appends an `agreement.created` event.",
    auth: "write",
    body: {
      ...n("CreateAgreement", CreateAgreement),
      example: {
        id: "az-us-strategic-working-group-mou",
        title: "Memorandum on a Strategic Working Group",
        kind: "memorandum",
        signed_on: "2025-08-08",
        parties: ["Azerbaijan", "United States"],
      },
    },
    responses: [json(201, "The agreement as stored.", n("Agreement", views.AgreementView))],
    errors: [409],
  },
  {
    method: "get",
    path: "/api/v1/agreements/{id}",
    operationId: "getAgreement",
    tag: "agreements",
    summary: "Get an agreement with its commitments",
    auth: "public",
    pathParams: ID,
    responses: [
      json(
        200,
        "The agreement, its first 50 commitments in deadline order, how many it has, and `commitments_next`: the next page of `GET /api/v1/commitments?agreement=…` (null when all are embedded).",
        n("AgreementDetail", views.AgreementDetail),
      ),
    ],
  },
  {
    method: "patch",
    path: "/api/v1/agreements/{id}",
    operationId: "updateAgreement",
    tag: "agreements",
    summary: "Change an agreement",
    description:
      "A changed signing date (`signed_on`) or entry-into-force date (`in_force_on`) moves every deadline counted from it (`within` alone or with `after: \"signing\"`; `after: \"entry_into_force\"`), each with its own `commitment.deadline_changed` event saying why, in the same batch; a date set for the first time resolves the deadlines waiting on it, a date cleared puts them back to waiting.",
    auth: "write",
    pathParams: ID,
    body: { ...n("UpdateAgreement", UpdateAgreement), example: { signed_on: "2025-08-08" } },
    responses: [json(200, "The agreement as stored.", n("Agreement", views.AgreementView))],
    errors: [409],
  },
  {
    method: "delete",
    path: "/api/v1/agreements/{id}",
    operationId: "deleteAgreement",
    tag: "agreements",
    summary: "Delete an agreement that has no commitments",
    description:
      "Only an empty agreement can be deleted: one with commitments answers 409 `agreement_not_empty` and changes nothing. Appends an `agreement.deleted` event whose `data.before` is the agreement as it was; its history stays.",
    auth: "write",
    pathParams: ID,
    responses: [{ status: 204, description: "Deleted." }],
    errors: [404, 409],
  },
  // Parties
  {
    method: "get",
    path: "/api/v1/parties",
    operationId: "listParties",
    tag: "parties",
    summary: "List parties with their counts",
    description:
      "Every party an editor named (even without commitments) and every other name commitments give, most commitments first. Names match by case- and accent-insensitive keys; a named party's aliases count as it.",
    auth: "public",
    responses: [json(200, "The parties.", n("PartyList", views.PartyList))],
  },
  {
    method: "get",
    path: "/api/v1/parties/{slug}",
    operationId: "getParty",
    tag: "parties",
    summary: "Get a party's counts and record",
    description: "Its commitments counted by timeliness and by progress, its record (met on time, met late, overdue, broken) and links to its page, filtered feeds, calendar and badge. The slug may also be any of its names or aliases.",
    auth: "public",
    pathParams: { slug: "The party's slug, or one of its names or aliases." },
    responses: [json(200, "The party.", n("Party", views.PartyView))],
  },
  {
    method: "put",
    path: "/api/v1/parties/{slug}",
    operationId: "putParty",
    tag: "parties",
    summary: "Name a party and its aliases",
    description:
      "Creates (201) or replaces (200) a party's name and aliases. A name or alias that another party holds is 400 naming the field; a concurrent claim of the same alias is 409.",
    auth: "write",
    pathParams: { slug: "The party's slug." },
    body: { ...n("PutParty", PutParty), example: { name: "United States", aliases: ["US", "USA", "United States of America"] } },
    responses: [json(201, "The party as stored (200 when it existed).", n("PartyRecord", views.PartyRecord))],
    errors: [409],
  },
  {
    method: "delete",
    path: "/api/v1/parties/{slug}",
    operationId: "deleteParty",
    tag: "parties",
    summary: "Forget a party's name and aliases",
    description: "Its commitments keep their party names; the names become parties of their own again.",
    auth: "write",
    pathParams: { slug: "The party's slug." },
    responses: [{ status: 204, description: "Deleted." }],
  },
  // Commitments
  {
    method: "get",
    path: "/api/v1/commitments",
    operationId: "listCommitments",
    tag: "commitments",
    summary: "List and filter commitments",
    description: "Deadline order (open-ended last), keyset-paginated. Filters combine with AND; comma-separated values within one filter with OR.",
    auth: "public",
    query: n("ListCommitmentsQuery", ListCommitmentsQuery),
    responses: [json(200, "A page of commitments.", n("CommitmentList", views.CommitmentList))],
  },
  {
    method: "post",
    path: "/api/v1/commitments",
    operationId: "createCommitment",
    tag: "commitments",
    summary: "Create a commitment",
    description:
      "Give the deadline as `due_on`, `due_at` or `within` (from `from`, or `after` an anchor: `\"signing\"` (the default), `\"entry_into_force\"`, or `{ \"commitment\": \"<id>\", \"when\": \"met\" }` (the day that commitment reaches fulfilled or partially fulfilled)), with optional `grace`. Until its anchor happens the commitment's timeliness is `waiting`, with `waiting_on` and `waiting_reason`. An unknown anchor is 400; an anchor chain that loops back is 409 `anchor_cycle` with the path.",
    auth: "write",
    body: {
      ...n("CreateCommitment", CreateCommitment),
      example: {
        id: "az-us-strategic-partnership-charter",
        agreement: "az-us-strategic-working-group-mou",
        title: "Prepare the Charter on Strategic Partnership",
        parties: ["Azerbaijan", "United States"],
        tags: ["strategic-partnership"],
        deadline: { within: "P6M" },
      },
    },
    responses: [json(201, "The commitment as stored, with both status axes.", n("Commitment", views.CommitmentView), commitmentExample)],
    errors: [409],
  },
  {
    method: "get",
    path: "/api/v1/commitments/{id}",
    operationId: "getCommitment",
    tag: "commitments",
    summary: "Get a commitment",
    auth: "public",
    pathParams: ID,
    responses: [json(200, "The commitment with its progress and timeliness.", n("Commitment", views.CommitmentView), commitmentExample)],
  },
  {
    method: "patch",
    path: "/api/v1/commitments/{id}",
    operationId: "updateCommitment",
    tag: "commitments",
    summary: "Edit a commitment",
    description: "Changing the deadline is an extension: it needs a `reason`, kept in the `commitment.deadline_changed` event.",
    auth: "write",
    pathParams: ID,
    body: { ...n("UpdateCommitment", UpdateCommitment), example: { deadline: { due_on: "2026-08-08" }, reason: "Extended by both governments" } },
    responses: [json(200, "The commitment as stored.", n("Commitment", views.CommitmentView))],
    errors: [409],
  },
  {
    method: "post",
    path: "/api/v1/commitments/{id}/status",
    operationId: "changeStatus",
    tag: "commitments",
    summary: "Change a commitment's progress status",
    description: "Leaving a terminal status (reopening) needs a note, else 409. A request that changes nothing records nothing.",
    auth: "write",
    pathParams: ID,
    body: {
      ...n("ChangeStatus", ChangeStatus),
      example: { status: "in_progress", note: "The working group met for the first time.", evidence_url: "https://example.org/news/1" },
    },
    responses: [json(200, "The commitment as stored.", n("Commitment", views.CommitmentView))],
    errors: [409],
  },
  {
    method: "post",
    path: "/api/v1/commitments/{id}/verify",
    operationId: "verifyCommitment",
    tag: "commitments",
    summary: "Record that a commitment was checked",
    description:
      "\"Checked, nothing changed\" (optionally with a note and an evidence link, added to the commitment's evidence when new): records `commitment.verified` and sets `last_verified_at`, which restarts the `verify_every` period after which the sweep flags the commitment `commitment.stale`. A status change or new evidence also counts as a check.",
    auth: "write",
    pathParams: ID,
    body: { ...n("VerifyCommitment", VerifyCommitment), example: { note: "Checked the ministry's site: no news." } },
    responses: [json(200, "The commitment as stored.", n("Commitment", views.CommitmentView))],
    errors: [409],
  },
  {
    method: "get",
    path: "/api/v1/commitments/{id}/events",
    operationId: "listCommitmentEvents",
    tag: "commitments",
    summary: "A commitment's history",
    description: "Every create, edit, status change, deadline change and sweep finding, newest first.",
    auth: "public",
    pathParams: ID,
    query: n("ListEventsQuery", ListEventsQuery),
    responses: [json(200, "A page of history events.", n("EventList", views.EventList))],
  },
  // Transfer
  {
    method: "post",
    path: "/api/v1/import",
    operationId: "importDocument",
    tag: "transfer",
    summary: "Import agreements and commitments",
    description: "Idempotent upsert by id, all or nothing; the error names the first bad record. Up to 5 MB and 1,000 records.",
    auth: "write",
    body: {
      ...n("ImportDocument", ImportDocument),
      example: {
        format: "pledgewatch/v1",
        agreements: [{ id: "example-mou", title: "Example memorandum", kind: "memorandum", signed_on: "2025-08-08" }],
        commitments: [{ id: "example-commitment", agreement: "example-mou", title: "Do the thing", deadline: { within: "P6M" } }],
      },
    },
    responses: [json(200, "How many records were created, updated or left unchanged.", n("ImportResult", views.ImportResult))],
    errors: [409],
  },
  {
    method: "get",
    path: "/api/v1/export",
    operationId: "exportDocument",
    tag: "transfer",
    summary: "Export the ledger",
    description: "The import document's shape, so export → import round-trips. Never includes tokens or secrets.",
    auth: "public",
    responses: [json(200, "Every agreement and commitment.", n("ImportDocument", ImportDocument))],
  },
  // Tokens
  {
    method: "get",
    path: "/api/v1/tokens",
    operationId: "listTokens",
    tag: "tokens",
    summary: "List API tokens",
    auth: "admin",
    responses: [json(200, "Every token (never the token itself).", n("TokenList", views.TokenList))],
  },
  {
    method: "post",
    path: "/api/v1/tokens",
    operationId: "createToken",
    tag: "tokens",
    summary: "Create an API token",
    description: "The token is shown once, in this response; only its SHA-256 is stored.",
    auth: "admin",
    body: { ...n("CreateToken", CreateToken), example: { name: "newsroom-bot", scope: "write" } },
    responses: [json(201, "The new token, with its secret value.", n("TokenCreated", views.TokenCreated))],
    errors: [409],
  },
  {
    method: "delete",
    path: "/api/v1/tokens/{id}",
    operationId: "revokeToken",
    tag: "tokens",
    summary: "Revoke an API token",
    auth: "admin",
    pathParams: { id: "The token's id (tok_…)." },
    responses: [json(200, "The token, now revoked.", n("Token", views.TokenView))],
  },
  // Subscriptions
  {
    method: "get",
    path: "/api/v1/subscriptions",
    operationId: "listSubscriptions",
    tag: "subscriptions",
    summary: "List webhook subscriptions",
    auth: "write",
    query: n("ListSubscriptionsQuery", ListSubscriptionsQuery),
    responses: [json(200, "A page of subscriptions (secrets never included).", n("SubscriptionList", views.SubscriptionList))],
  },
  {
    method: "post",
    path: "/api/v1/subscriptions",
    operationId: "createSubscription",
    tag: "subscriptions",
    summary: "Subscribe a webhook receiver",
    description:
      "Filters are ANDed across kinds and ORed within one; a missing filter matches everything. The URL must be https and public (no loopback, private, link-local or metadata addresses). The signing secret (`whsec_…`) is shown only here and after a rotation.",
    auth: "write",
    body: {
      ...n("CreateSubscription", CreateSubscription),
      example: { url: "https://hooks.example.org/pledgewatch", description: "Newsroom alerts", event_types: ["commitment.overdue", "commitment.due_soon"] },
    },
    responses: [json(201, "The subscription with its signing secret.", n("SubscriptionWithSecret", views.SubscriptionWithSecret))],
  },
  {
    method: "get",
    path: "/api/v1/subscriptions/{id}",
    operationId: "getSubscription",
    tag: "subscriptions",
    summary: "Get a subscription",
    auth: "write",
    pathParams: { id: "The subscription's id (sub_…)." },
    responses: [json(200, "The subscription (without its secret), with its delivery totals since it was created: the log plus what retention deleted.", n("SubscriptionDetail", views.SubscriptionDetail))],
  },
  {
    method: "patch",
    path: "/api/v1/subscriptions/{id}",
    operationId: "updateSubscription",
    tag: "subscriptions",
    summary: "Change, pause or resume a subscription",
    description: "`state: active` also re-enables a disabled subscription; `null` clears a filter.",
    auth: "write",
    pathParams: { id: "The subscription's id (sub_…)." },
    body: { ...n("UpdateSubscription", UpdateSubscription), example: { state: "paused" } },
    responses: [json(200, "The subscription as stored, with its delivery totals.", n("SubscriptionDetail", views.SubscriptionDetail))],
  },
  {
    method: "delete",
    path: "/api/v1/subscriptions/{id}",
    operationId: "deleteSubscription",
    tag: "subscriptions",
    summary: "Delete a subscription",
    description: "Pending deliveries are cancelled; the delivery log stays.",
    auth: "write",
    pathParams: { id: "The subscription's id (sub_…)." },
    responses: [{ status: 204, description: "Deleted." }],
  },
  {
    method: "post",
    path: "/api/v1/subscriptions/{id}/rotate-secret",
    operationId: "rotateSubscriptionSecret",
    tag: "subscriptions",
    summary: "Rotate the signing secret",
    description: "For 24 hours deliveries carry signatures with both the old and the new secret.",
    auth: "write",
    pathParams: { id: "The subscription's id (sub_…)." },
    responses: [json(200, "The subscription with its new secret.", n("SubscriptionWithSecret", views.SubscriptionWithSecret))],
  },
  {
    method: "post",
    path: "/api/v1/subscriptions/{id}/test",
    operationId: "testSubscription",
    tag: "subscriptions",
    summary: "Send a test event",
    description: "Records a `subscription.test` event, delivered to this subscription only.",
    auth: "write",
    pathParams: { id: "The subscription's id (sub_…)." },
    responses: [json(202, "The test event was recorded and will be delivered.", n("TestEventSent", views.TestEventSent))],
    errors: [409],
  },
  {
    method: "get",
    path: "/api/v1/subscriptions/{id}/deliveries",
    operationId: "listDeliveries",
    tag: "subscriptions",
    summary: "A subscription's delivery log",
    description: "Deliveries newest first, each with every attempt (time, status code, latency, error, response excerpt).",
    auth: "write",
    pathParams: { id: "The subscription's id (sub_…)." },
    query: n("ListDeliveriesQuery", ListDeliveriesQuery),
    responses: [json(200, "A page of deliveries.", n("DeliveryList", views.DeliveryList))],
  },
  {
    method: "post",
    path: "/api/v1/deliveries/{id}/redeliver",
    operationId: "redeliver",
    tag: "subscriptions",
    summary: "Send a delivery again",
    description: "Restarts the retry schedule with the same `webhook-id`. Refused while the delivery is still pending.",
    auth: "write",
    pathParams: { id: "The delivery's id (dlv_…)." },
    responses: [json(202, "The delivery, pending again.", n("Delivery", views.DeliveryView))],
    errors: [409],
  },
  {
    method: "get",
    path: "/api/v1/websub/subscriptions",
    operationId: "listWebsubSubscriptions",
    tag: "websub",
    summary: "The WebSub hub's subscribers",
    description:
      "Verified WebSub subscriptions newest first: topic, callback, state (`active`, `expired`, `unsubscribed`, `gone` after a 410), lease, whether distributions are signed, and counts of their content distributions by state. Never the secret.",
    auth: "write",
    query: n("ListWebsubQuery", ListWebsubQuery),
    responses: [json(200, "Subscriptions.", n("WebsubSubscriptionList", views.WebsubSubscriptionList))],
  },
  {
    method: "post",
    path: "/websub",
    operationId: "websubHub",
    tag: "websub",
    summary: "WebSub hub: subscribe to or unsubscribe from a feed",
    description:
      "W3C WebSub §5.1, form-encoded. `hub.topic` must be one of this service's feeds (`/feed.xml`, `/feed.atom`, `/feed.json`, with any filter; canonicalised like the feed's own `rel=\"self\"`); `hub.callback` passes the SSRF guard; `hub.lease_seconds` is clamped to 300 s – 30 days (default 10 days); `hub.secret` must be under 200 bytes. Unknown parameters are ignored. Answers 202, then verifies intent with a GET to the callback (`hub.mode`, `hub.topic`, `hub.challenge`, `hub.lease_seconds`: echo the challenge with a 2xx). Over the per-topic or per-callback-host limit the subscription is denied (a GET with `hub.mode=denied` and `hub.reason`). Each new entry of the topic's feed is then POSTed to the callback: the feed with its new entries, the feed's content type, `Link` rel=hub and rel=self, and `X-Hub-Signature: sha256=<hex HMAC>` when a secret was given.",
    auth: "public",
    body: n("WebsubRequest", WebsubRequest),
    bodyContentType: "application/x-www-form-urlencoded",
    responses: [json(202, "The request is recorded; verification of intent follows.", n("WebsubRequestAccepted", views.WebsubRequestAccepted))],
    errors: [415, 429],
  },
  // Drafts from a statement
  {
    method: "post",
    path: "/api/v1/drafts",
    operationId: "createDrafts",
    tag: "drafts",
    summary: "Read a statement into draft commitments",
    description:
      "Finds the sentences that promise something (\"will\", \"shall\", \"it is planned to\", \"undertake to\"…; not past events, descriptions or opinions), with the exact quote and its span (`text.slice(span[0], span[1]) === quote`), who carries it out, and the deadline phrase read into the ledger's deadline form with its due date counted from `signed_on` and the calculation in words. Deterministic and offline. `signed_on` and `parties` default to the agreement's. `text` is at most 100 KB; a text that promises nothing answers 201 with no items. Nothing becomes a commitment until a draft is accepted.",
    auth: "write",
    body: { ...n("CreateDrafts", CreateDrafts), example: { text: "The parties will open a ferry line between Sines and Tangier within 18 months.", agreement: "pt-ma-joint-statement-2026" } },
    responses: [json(201, "The batch and its drafts, in text order.", n("DraftsCreated", views.DraftsCreated))],
    errors: [413],
  },
  {
    method: "get",
    path: "/api/v1/drafts",
    operationId: "listDrafts",
    tag: "drafts",
    summary: "List drafts",
    description: "Newest batch first, text order within a batch; filter by `batch` and `status`. `limit` (default 50, ≤200), `cursor`.",
    auth: "write",
    query: n("ListDraftsQuery", ListDraftsQuery),
    responses: [json(200, "A page of drafts.", n("DraftList", views.DraftList))],
  },
  {
    method: "get",
    path: "/api/v1/drafts/batches/{id}",
    operationId: "getDraftBatch",
    tag: "drafts",
    summary: "A batch with its text and drafts",
    auth: "write",
    pathParams: { id: "The batch's id (drb_…)." },
    responses: [json(200, "The batch, the text as pasted and its drafts.", n("DraftBatchDetail", views.DraftBatchDetail))],
  },
  {
    method: "get",
    path: "/api/v1/drafts/{id}",
    operationId: "getDraft",
    tag: "drafts",
    summary: "A draft and its decision",
    auth: "write",
    pathParams: { id: "The draft's id (dft_…)." },
    responses: [json(200, "The draft.", n("Draft", views.DraftView))],
  },
  {
    method: "post",
    path: "/api/v1/drafts/{id}/accept",
    operationId: "acceptDraft",
    tag: "drafts",
    summary: "Accept a draft as a commitment",
    description:
      "Creates the commitment through the ledger's normal create (its `commitment.created` event and webhooks included) from the draft's title, parties and deadline, with the quote as description and the source (or the draft) as its first evidence link; any commitment field given here overrides the draft's (edit then accept). `agreement` is required when the statement was read without one. The commitment and the draft's decision are written in one batch; a draft already accepted or rejected answers 409.",
    auth: "write",
    pathParams: { id: "The draft's id (dft_…)." },
    body: { ...n("AcceptDraft", AcceptDraft), example: { title: "Establish the Strategic Working Group", tags: ["strategic-partnership"] } },
    responses: [json(201, "The commitment created.", n("Commitment", views.CommitmentView))],
    errors: [409],
  },
  {
    method: "post",
    path: "/api/v1/drafts/{id}/reject",
    operationId: "rejectDraft",
    tag: "drafts",
    summary: "Reject a draft",
    description: "Keeps the decision and the reason on the draft. A draft already accepted or rejected answers 409.",
    auth: "write",
    pathParams: { id: "The draft's id (dft_…)." },
    body: { ...n("RejectDraft", RejectDraft), example: { reason: "Describes the group's scope, not a promise" } },
    responses: [json(200, "The rejected draft.", n("Draft", views.DraftView))],
    errors: [409],
  },
  // Evidence watch
  {
    method: "get",
    path: "/api/v1/sources",
    operationId: "listSources",
    tag: "evidence watch",
    summary: "List watched sources with their health",
    auth: "write",
    query: n("ListSourcesQuery", ListSourcesQuery),
    responses: [json(200, "A page of sources, newest first.", n("SourceList", views.SourceList))],
  },
  {
    method: "post",
    path: "/api/v1/sources",
    operationId: "createSource",
    tag: "evidence watch",
    summary: "Watch a feed or a page",
    description:
      "A feed (RSS 2.0, Atom, RDF or JSON Feed) or an HTML page, polled every `every` (default PT1H, at least PT5M) with conditional GET. New items are matched against open commitments (limited to `agreements` and `parties` when given; only items mentioning one of `keywords` when given) and become proposals. The URL passes the same SSRF guard as webhooks (https, public addresses), on every redirect hop too.",
    auth: "write",
    body: { ...n("CreateSource", CreateSource), example: { url: "https://mfa.gov.az/en/rss", kind: "feed", parties: ["Azerbaijan"], every: "PT1H" } },
    responses: [json(201, "The source; it is polled at the next cron.", n("Source", views.SourceView))],
  },
  {
    method: "get",
    path: "/api/v1/sources/{id}",
    operationId: "getSource",
    tag: "evidence watch",
    summary: "Get a source and its health",
    auth: "write",
    pathParams: { id: "The source's id (src_…)." },
    responses: [json(200, "The source.", n("Source", views.SourceView))],
  },
  {
    method: "patch",
    path: "/api/v1/sources/{id}",
    operationId: "updateSource",
    tag: "evidence watch",
    summary: "Change, pause or resume a source",
    description: "`null` clears a filter. A new URL forgets the old one's validators and page text; resuming polls at the next cron.",
    auth: "write",
    pathParams: { id: "The source's id (src_…)." },
    body: { ...n("UpdateSource", UpdateSource), example: { state: "paused" } },
    responses: [json(200, "The source as stored.", n("Source", views.SourceView))],
  },
  {
    method: "delete",
    path: "/api/v1/sources/{id}",
    operationId: "deleteSource",
    tag: "evidence watch",
    summary: "Stop watching a source",
    description: "Its proposals stay.",
    auth: "write",
    pathParams: { id: "The source's id (src_…)." },
    responses: [{ status: 204, description: "Deleted." }],
  },
  {
    method: "get",
    path: "/api/v1/proposals",
    operationId: "listProposals",
    tag: "evidence watch",
    summary: "List proposals",
    description: "Newest first; filter by `state` and `commitment`.",
    auth: "write",
    query: n("ListProposalsQuery", ListProposalsQuery),
    responses: [json(200, "A page of proposals.", n("ProposalList", views.ProposalList))],
  },
  {
    method: "get",
    path: "/api/v1/proposals/{id}",
    operationId: "getProposal",
    tag: "evidence watch",
    summary: "Get a proposal",
    auth: "write",
    pathParams: { id: "The proposal's id (prp_…)." },
    responses: [json(200, "The proposal.", n("Proposal", views.ProposalView))],
  },
  {
    method: "post",
    path: "/api/v1/proposals/{id}/accept",
    operationId: "acceptProposal",
    tag: "evidence watch",
    summary: "Accept a proposal",
    description:
      "Applies the evidence (the item, unless `evidence` gives another link) and, when given, `status`, through the ledger's normal write path with your token's name as the actor, in the same batch that marks the proposal accepted. Without a status (or with the one it has) the evidence is recorded as a verification (`commitment.verified`). 409 when the proposal is no longer open.",
    auth: "write",
    pathParams: { id: "The proposal's id (prp_…)." },
    body: { ...n("AcceptProposal", AcceptProposal), example: { status: "in_progress", note: "The working group met for the first time." } },
    responses: [json(200, "The proposal and the commitment as stored.", n("AcceptedProposal", views.AcceptedProposal))],
    errors: [409],
  },
  {
    method: "post",
    path: "/api/v1/proposals/{id}/dismiss",
    operationId: "dismissProposal",
    tag: "evidence watch",
    summary: "Dismiss a proposal",
    description: "The item is never proposed for this commitment again. 409 when the proposal is no longer open.",
    auth: "write",
    pathParams: { id: "The proposal's id (prp_…)." },
    body: { ...n("DismissProposal", DismissProposal), example: { reason: "About another working group." } },
    responses: [json(200, "The proposal, dismissed.", n("Proposal", views.ProposalView))],
    errors: [409],
  },
  // Read side
  ...(["xml", "atom", "json"] as const).map(
    (format): Operation => ({
      method: "get",
      path: `/feed.${format}`,
      operationId: { xml: "rssFeed", atom: "atomFeed", json: "jsonFeed" }[format],
      tag: "read side",
      summary: { xml: "RSS 2.0 feed of status changes", atom: "Atom feed of status changes", json: "JSON Feed 1.1 of status changes" }[format],
      description:
        "History events newest first: human titles, from → to, notes, evidence links, a link to the commitment's page. Default 50 items, `limit` up to 200. Unknown query parameters are ignored.",
      auth: "public",
      query: n("FeedQuery", FeedQuery),
      responses: [
        format === "json"
          ? { ...json(200, "The feed.", n("JsonFeed", views.JsonFeedDocument)), contentType: "application/feed+json", conditional: true }
          : {
              status: 200,
              description: "The feed.",
              contentType: format === "xml" ? "application/rss+xml" : "application/atom+xml",
              conditional: true,
            },
      ],
    }),
  ),
  {
    method: "get",
    path: "/calendar.ics",
    operationId: "deadlineCalendar",
    tag: "read side",
    summary: "iCalendar of deadlines",
    description: "One all-day event per commitment with a deadline, on its due date, with a UID that stays the same for the commitment.",
    auth: "public",
    query: n("CalendarQuery", CalendarQuery),
    responses: [{ status: 200, description: "An RFC 5545 calendar.", contentType: "text/calendar", conditional: true }],
  },
  {
    method: "get",
    path: "/status.json",
    operationId: "statusDocument",
    tag: "read side",
    summary: "The status document for dashboards",
    description:
      "`indicator` is `degraded` when the overdue sweep has not run for 3 cron periods or failed last time, `attention` when commitments are overdue or webhook subscriptions fail, else `ok`.",
    auth: "public",
    responses: [{ ...json(200, "The status document.", n("StatusDocument", views.StatusDocument)), conditional: true }],
  },
  {
    method: "get",
    path: "/healthz",
    operationId: "health",
    tag: "read side",
    summary: "Health check for load balancers",
    description: "`application/health+json`: `fail` (503) when the database does not answer, `warn` when the sweep is late or failed, else `pass`.",
    auth: "public",
    responses: [
      { ...json(200, "Healthy (pass) or degraded (warn).", n("HealthDocument", views.HealthDocument)), contentType: "application/health+json" },
      { ...json(503, "The database did not answer.", n("HealthDocument", views.HealthDocument)), contentType: "application/health+json" },
    ],
  },
  {
    method: "get",
    path: "/badges/{commitment}.svg",
    operationId: "badge",
    tag: "read side",
    summary: "SVG badge of a commitment",
    description: "Label and timeliness (or progress with `show=progress`), colour-coded, for embedding in other pages.",
    auth: "public",
    pathParams: { commitment: "The commitment's id." },
    query: n("BadgeQuery", BadgeQuery),
    responses: [
      { status: 200, description: "The badge.", contentType: "image/svg+xml", conditional: true },
      { status: 404, description: "A 'not found' badge.", contentType: "image/svg+xml" },
    ],
  },
  {
    method: "get",
    path: "/badges/parties/{party}.svg",
    operationId: "partyBadge",
    tag: "read side",
    summary: "SVG badge of a party's record",
    description: "The party's name and its record: how many commitments it met on time of those decided, and how many are overdue.",
    auth: "public",
    pathParams: { party: "The party's slug (as in /api/v1/parties)." },
    responses: [
      { status: 200, description: "The badge.", contentType: "image/svg+xml", conditional: true },
      { status: 404, description: "A 'not found' badge.", contentType: "image/svg+xml" },
    ],
  },
];
