/**
 * The browser editor: sign-in, sign-out and the forms. Every write goes through the same ledger
 * services as the JSON API, with the signed-in token's name as the actor; every form is parsed
 * with the API's valibot schema. POST -> 303 -> GET; nothing needs JavaScript.
 */
import { hashText, respondStatic } from "../readside/cache";
import { EDITOR_JS, EDITOR_JS_PATH } from "./editor.script";
import { Hono, type Next } from "hono";
import type { Child } from "hono/jsx";
import { getCookie } from "hono/cookie";
import type { HtmlEscapedString } from "hono/utils/html";
import { DomainError, type ErrorIssue } from "../lib/errors";
import { handleError } from "../platform/http/errors";
import { dueSoonWindowMs } from "../platform/config";
import { SLUG_PATTERN } from "../lib/ids";
import { baseUrl } from "../platform/http/context";
import { findSession } from "../ledger/auth/sessions.service";
import { loadAgreementPage, loadCommitmentPage, loadHome } from "../readside/pages/pages.service";
import { AgreementPage, CommitmentPage, HomePage } from "../readside/pages/pages.views";
import { endSession, signIn } from "../ledger/auth/sessions.service";
import { CreateAgreement, UpdateAgreement } from "../ledger/agreements.schemas";
import { createAgreement, deleteAgreement, getAgreement, updateAgreement } from "../ledger/agreements.service";
import { ChangeStatus, CreateCommitment, UpdateCommitment } from "../ledger/commitments.schemas";
import { changeStatus, createCommitment, getCommitment, listEvents, updateCommitment } from "../ledger/commitments.service";
import { formatEvidence, commitmentInput, agreementInput, DeleteAgreementForm, deleteAgreementInput, findInput, fieldErrors, fieldOf, lines, noErrors, one, parseWith, raw, statusInput, type FieldErrors, type FormFields } from "./editor.forms";
import {
  clearSessionCookie,
  clientKey,
  editorHeaders,
  loadSession,
  checkedForm,
  formTokenRefusal,
  readForm,
  requireSession,
  sameOrigin,
  setSessionCookie,
  cookieSettings,
  type EditorContext,
  type EditorEnv,
} from "./editor.middleware";
import { agreementChoices, commitmentPage as commitmentListPage, dependencyChoices, previewDeadline } from "./editor.service";
import { AgreementFormPage, CommitmentEditPage, CommitmentFormPage, DashboardPage, ForbiddenPage, ImportPage, LoginPage, PublicPageControls, TokensPage } from "./editor.views";
import { importDocument, parseImportDocument } from "../ledger/transfer/transfer.service";
import { CreateToken } from "../ledger/auth/tokens.schemas";
import { CreateSubscription, UpdateSubscription } from "../alerts/subscriptions.schemas";
import { createSubscription, deleteSubscription, getSubscription, listDeliveries, listSubscriptions, redeliver, rotateSecret, sendTest, updateSubscription } from "../alerts/subscriptions.service";
import { dispatchDeliveries } from "../alerts/dispatch";
import { deliveriesQueue } from "../alerts/messages";
import { EVENT_TYPES } from "../ledger/history/events.types";
import { SubscriptionPage, SubscriptionsPage } from "./editor.views";
import { createToken, listTokens, revokeToken } from "../ledger/auth/tokens.service";
import type { CommitmentView } from "../ledger/commitments.views";
import { AcceptDraft, CreateDrafts, RejectDraft } from "../intake/drafts/drafts.schemas";
import { acceptDraft, createDrafts, getBatch, getDraft, listAgreementBatches, rejectDraft, type DraftView } from "../intake/drafts/drafts.service";
import { DraftEditPage, DRAFT_EDIT_LABELS, PastePage, ReviewPage } from "./editor.drafts.views";
import { deleteParty, listParties, putParty } from "../ledger/parties.service";
import { PartySlugParam, PutParty } from "../ledger/parties.schemas";
import { slugify } from "../lib/ids";
import { PartiesPage } from "./editor.views";
import { watchPages } from "./watch.pages";

/** Editor pages answer a missing record with an HTML 404; anything else goes to the one handler. */
function editorError(error: Error, c: EditorContext) {
  if (error instanceof DomainError && error.code === "not_found") {
    return c.html(`<!DOCTYPE html>${(<ForbiddenPage why={`${error.message[0]!.toUpperCase()}${error.message.slice(1)}.`} title="Not found" />) as HtmlEscapedString}`, 404);
  }
  return handleError(error, c as never);
}

const page = (c: EditorContext, node: unknown, status = 200) =>
  c.html(`<!DOCTYPE html>${node as HtmlEscapedString}`, status as 200);

const readCtx = (c: EditorContext) => ({ now: c.var.now, windowMs: dueSoonWindowMs(c.var.config) });
/** The ledger's write context with the session's actor. */
const writeCtx = (c: EditorContext) => ({
  ...readCtx(c),
  actor: c.var.session!.principal.name,
  leadDays: c.var.config.dueSoonDays,
  emitted: c.var.emitted,
});
const who = (c: EditorContext) => ({ who: c.var.session!.principal.name, formToken: c.var.session!.formToken });

/**
 * A public page for a signed-in editor: the same page with its editor controls under the h1,
 * `private, no-store`, rendered fresh (no ETag, never through the read-side memo). Without a live
 * session it calls next(): the public, cacheable page (readside/pages), which never reads the
 * cookie. A dead cookie is left alone here (clearing it would put Set-Cookie on a public page).
 */
async function signedInPage(c: EditorContext, next: Next, render: (who: { who: string; formToken: string; done?: string }) => Promise<Child | null>) {
  const id = getCookie(c, cookieSettings(c).name);
  const session = id ? await findSession(c.var.db, id, c.var.now) : null;
  if (!session) return next();
  c.set("session", session);
  c.set("sessionId", id!);
  const node = await render({ ...who(c), done: DONE[c.req.query("done") ?? ""] });
  if (node === null) return next(); // the public 404 page
  const [personal, security] = editorHeaders;
  await personal(c, async () => {
    await security(c, async () => {
      c.res = page(c, node);
    });
  });
  return c.res;
}

const pageCtx = (c: EditorContext) => ({ ...readCtx(c), base: baseUrl(c) });

/** Only same-site paths are followed after sign-in (no open redirect). */
const safeNext = (next: string | undefined) => (next && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) ? next : "/editor");

/** A service's refusal as form errors: its issues, or its message on the field it concerns. */
function serviceErrors(error: unknown, field: Partial<Record<string, string>>): FieldErrors {
  if (!(error instanceof DomainError)) throw error;
  if (error.code === "not_found" || error.code === "internal") throw error;
  if (error.issues && error.issues.length > 0) return fieldErrors(error.issues);
  const target = field[error.code] ?? "form";
  const issue: ErrorIssue = { path: target, message: error.message };
  return fieldErrors([issue]);
}

const DONE: Record<string, string> = {
  agreement_created: "Agreement added.",
  agreement_saved: "Agreement saved.",
  agreement_deleted: "Agreement deleted. Its history stays on record.",
  commitment_created: "Commitment added.",
  commitment_saved: "Commitment saved.",
  party_saved: "Party saved: its names and aliases now count as one party.",
  party_deleted: "Party forgotten: its names count as parties of their own again.",
  status_changed: "Status change recorded.",
  unchanged: "Nothing changed: the commitment already had that status.",
  token_revoked: "Token revoked. Its editor sessions have ended.",
  subscription_saved: "Subscription saved.",
  subscription_deleted: "Subscription deleted.",
  paused: "Subscription paused: nothing is delivered until you resume it.",
  resumed: "Subscription resumed.",
  test_sent: "Test event recorded: its delivery appears in the log below.",
  redelivered: "Delivery queued again from the start of its schedule.",
};

function agreementValues(a: Awaited<ReturnType<typeof getAgreement>>): FormFields {
  return {
    title: [a.title],
    kind: [a.kind],
    signed_on: [a.signed_on ?? ""],
    in_force_on: [a.in_force_on ?? ""],
    parties: [a.parties.join("\n")],
    source_url: [a.source_url ?? ""],
    summary: [a.summary],
  };
}

const deletionOf = (a: Awaited<ReturnType<typeof getAgreement>>, errors: FieldErrors) => ({ commitmentCount: a.commitment_count, version: a.version, errors });

function commitmentValues(c: CommitmentView): FormFields {
  const d = (c.deadline ?? {}) as Record<string, string | undefined> & { after?: unknown };
  const after = d.after as string | { commitment: string } | undefined;
  const kind = c.deadline === null ? "none" : d.due_on ? "due_on" : d.due_at ? "due_at" : "within";
  return {
    title: [c.title],
    description: [c.description],
    parties: [c.parties.join("\n")],
    tags: [c.tags.join("\n")],
    deadline_kind: [kind],
    due_on: [d.due_on ?? ""],
    due_at: [d.due_at ?? ""],
    within: [d.within ?? ""],
    from: [d.from ?? ""],
    after: [typeof after === "object" ? "commitment" : (after ?? "signing")],
    after_commitment: [typeof after === "object" ? after.commitment : ""],
    grace: [d.grace ?? ""],
    time_zone: [c.time_zone],
    depends_on: c.depends_on,
    evidence: [formatEvidence(c.evidence)],
  };
}

/** Form buttons that redraw the form (the resolved deadline, a dependency search) and save nothing. */
const REDRAW = new Set(["preview", "find"]);

async function commitmentForm(
  c: EditorContext,
  mode: "create" | "edit",
  values: FormFields,
  errors: FieldErrors,
  opts: { id?: string; agreement: string; preview: boolean },
) {
  const search = findInput(values);
  const [agreements, dependencies] = await Promise.all([
    agreementChoices(c.var.db),
    dependencyChoices(c.var.db, readCtx(c), { agreement: opts.agreement || undefined, find: search.find }),
  ]);
  if (search.errors.list.length > 0) errors = { list: [...errors.list, ...search.errors.list], byField: { ...search.errors.byField, ...errors.byField } };
  const input = commitmentInput(values, mode);
  const preview = opts.preview
    ? await previewDeadline(c.var.db, {
        agreement: opts.agreement,
        deadline: input.deadline as Record<string, string> | null,
        time_zone: String(input.time_zone),
      })
    : null;
  return page(
    c,
    <CommitmentFormPage mode={mode} id={opts.id} {...who(c)} values={values} errors={errors} preview={preview} agreements={agreements} dependencies={dependencies} />,
    errors.list.length > 0 ? 400 : 200,
  );
}

async function commitmentPage(c: EditorContext, id: string, values: FormFields, errors: FieldErrors, status = 200) {
  const commitment = await getCommitment(c.var.db, id, readCtx(c));
  const events = await listEvents(c.var.db, id, { limit: 50 });
  const history = events.items.map((e) => ({ type: e.type, from: e.from, to: e.to, note: e.note, actor: e.actor, at: e.occurred_at }));
  const done = DONE[c.req.query("done") ?? ""];
  // The Status select starts at the commitment's current status.
  const shown = values.status ? values : { ...values, status: [commitment.status] };
  return page(c, <CommitmentEditPage {...who(c)} commitment={commitment} values={shown} errors={errors} done={done} history={history} />, status);
}

const idParam = (c: EditorContext) => {
  const id = c.req.param("id") ?? "";
  if (!SLUG_PATTERN.test(id)) throw new DomainError("not_found", `'${id}' does not exist`);
  return id;
};

async function tokensPage(c: EditorContext, values: FormFields, errors: FieldErrors, created?: { name: string; scope: string; token: string }, status = 200) {
  const { items } = await listTokens(c.var.db);
  return page(c, <TokensPage {...who(c)} tokens={items} values={values} errors={errors} created={created} done={DONE[c.req.query("done") ?? ""]} />, status);
}

async function partiesPage(c: EditorContext, values: FormFields, errors: FieldErrors, status = 200) {
  const { items } = await listParties(c.var.db, readCtx(c));
  const named = items.filter((p) => p.named).map((p) => ({ slug: p.slug, name: p.name, aliases: p.aliases, total: p.total }));
  const others = items.filter((p) => !p.named).map((p) => ({ slug: p.slug, name: p.name, total: p.total }));
  return page(c, <PartiesPage {...who(c)} named={named} others={others} values={values} errors={errors} done={DONE[c.req.query("done") ?? ""]} />, status);
}

/** Party pages: write scope, like PUT /api/v1/parties/{slug}. */
const partyPages = new Hono<EditorEnv>()
  .get("/", async (c) => {
    // ?edit=<slug> fills the form from a named party; ?name=<name> from a name commitments give.
    const edit = c.req.query("edit");
    const name = c.req.query("name");
    const { items } = await listParties(c.var.db, readCtx(c));
    const party = edit ? items.find((p) => p.named && p.slug === edit) : undefined;
    const values: FormFields = party
      ? { slug: [party.slug], name: [party.name], aliases: [party.aliases.join("\n")] }
      : name
        ? { slug: [slugify(name)], name: [name] }
        : {};
    return partiesPage(c, values, noErrors);
  })
  .post("/", async (c) => {
    const values = c.var.form;
    const slug = parseWith(PartySlugParam, { slug: one(values, "slug") });
    const parsed = parseWith(PutParty, { name: one(values, "name"), aliases: lines(raw(values, "aliases")) });
    let errors: FieldErrors = { list: [...(slug.ok ? [] : slug.errors.list), ...(parsed.ok ? [] : parsed.errors.list)], byField: { ...(slug.ok ? {} : slug.errors.byField), ...(parsed.ok ? {} : parsed.errors.byField) } };
    if (slug.ok && parsed.ok) {
      try {
        await putParty(c.var.db, slug.value.slug, parsed.value, writeCtx(c));
        return c.redirect("/editor/parties?done=party_saved", 303);
      } catch (error) {
        errors = serviceErrors(error, { conflict: "aliases" });
      }
    }
    return partiesPage(c, values, errors, 400);
  })
  .post("/:slug/delete", async (c) => {
    await deleteParty(c.var.db, c.req.param("slug"));
    return c.redirect("/editor/parties?done=party_deleted", 303);
  })
  .onError(editorError);

/** Token pages: admin scope, like /api/v1/tokens. */
const tokens = new Hono<EditorEnv>()
  .use(async (c, next) => {
    if (c.var.session!.principal.scope !== "admin") {
      return page(c, <ForbiddenPage why="Managing tokens needs a session opened with an admin token." />, 403);
    }
    await next();
  })
  .get("/", (c) => tokensPage(c, { scope: ["write"] }, noErrors))
  // The new token is shown in this answer (private, no-store), not after a redirect: a secret
  // never goes into a URL, and keeping it for the next GET would store it. Sending the form
  // again creates nothing: the name is taken.
  .post("/", async (c) => {
    const values = c.var.form;
    const parsed = parseWith(CreateToken, { name: one(values, "name"), scope: one(values, "scope") });
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        const made = await createToken(c.var.db, parsed.value, c.var.session!.principal.name, c.var.now);
        return tokensPage(c, { scope: ["write"] }, noErrors, { name: made.name, scope: made.scope, token: made.token }, 201);
      } catch (error) {
        errors = serviceErrors(error, { duplicate_id: "name" });
      }
    }
    return tokensPage(c, values, errors, undefined, 400);
  })
  .post("/:id/revoke", async (c) => {
    await revokeToken(c.var.db, c.req.param("id"), c.var.now);
    return c.redirect("/editor/tokens?done=token_revoked", 303);
  })
  .onError(editorError);

/** The subscription fields of the JSON API, from a form; an empty filter is left out (= all). */
function subscriptionInput(f: FormFields): Record<string, unknown> {
  const out: Record<string, unknown> = { url: one(f, "url") };
  if (one(f, "description")) out.description = one(f, "description");
  const types = (f.event_types ?? []).filter(Boolean);
  if (types.length > 0) out.event_types = types;
  for (const k of ["agreements", "commitments", "tags", "parties"] as const) {
    const items = lines(raw(f, k));
    if (items.length > 0) out[k] = items;
  }
  return out;
}

const subCtx = (c: EditorContext) => ({
  now: c.var.now,
  actor: c.var.session!.principal.name,
  allowPrivateTargets: c.var.config.allowPrivateWebhookTargets,
  emitted: c.var.emitted,
});

async function subscriptionsPage(c: EditorContext, values: FormFields, errors: FieldErrors, created?: { id: string; secret: string }, status = 200) {
  const { items } = await listSubscriptions(c.var.db, { limit: 200 }, c.var.now);
  return page(c, <SubscriptionsPage {...who(c)} done={DONE[c.req.query("done") ?? ""]} subscriptions={items} eventTypes={EVENT_TYPES} values={values} errors={errors} created={created} />, status);
}

async function subscriptionPage(
  c: EditorContext,
  id: string,
  extra: { rotated?: string; problem?: string; values?: FormFields; errors?: FieldErrors } = {},
  status = 200,
) {
  const subscription = await getSubscription(c.var.db, id, c.var.now);
  const { items } = await listDeliveries(c.var.db, id, { limit: 50 });
  const values: FormFields = extra.values ?? {
    url: [subscription.url],
    description: [subscription.description],
    event_types: subscription.event_types ?? [],
    agreements: [(subscription.agreements ?? []).join("\n")],
    commitments: [(subscription.commitments ?? []).join("\n")],
    tags: [(subscription.tags ?? []).join("\n")],
    parties: [(subscription.parties ?? []).join("\n")],
  };
  return page(
    c,
    <SubscriptionPage
      {...who(c)}
      subscription={subscription}
      deliveries={items}
      done={DONE[c.req.query("done") ?? ""]}
      rotated={extra.rotated}
      problem={extra.problem}
      eventTypes={EVENT_TYPES}
      values={values}
      errors={extra.errors ?? noErrors}
    />,
    status,
  );
}

/** Subscriptions: write scope, like /api/v1/subscriptions. Secrets are shown in the POST's own answer. */
const subscriptionPages = new Hono<EditorEnv>()
  .get("/", (c) => subscriptionsPage(c, {}, noErrors))
  .post("/", async (c) => {
    const values = c.var.form;
    const parsed = parseWith(CreateSubscription, subscriptionInput(values));
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        const made = await createSubscription(c.var.db, parsed.value, subCtx(c));
        return subscriptionsPage(c, {}, noErrors, { id: made.id, secret: made.secret }, 201);
      } catch (error) {
        errors = serviceErrors(error, {});
      }
    }
    return subscriptionsPage(c, values, errors, undefined, 400);
  })
  .get("/:id", (c) => subscriptionPage(c, c.req.param("id")))
  // Every field of the form is sent: an empty filter clears it (null = everything of that kind).
  .post("/:id", async (c) => {
    const id = c.req.param("id");
    await getSubscription(c.var.db, id, c.var.now);
    const values = c.var.form;
    const input = subscriptionInput(values);
    const patch: Record<string, unknown> = { url: input.url, description: one(values, "description") };
    for (const k of ["event_types", "agreements", "commitments", "tags", "parties"] as const) patch[k] = input[k] ?? null;
    const parsed = parseWith(UpdateSubscription, patch);
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        await updateSubscription(c.var.db, id, parsed.value, subCtx(c));
        return c.redirect(`/editor/subscriptions/${encodeURIComponent(id)}?done=subscription_saved`, 303);
      } catch (error) {
        errors = serviceErrors(error, {});
      }
    }
    return subscriptionPage(c, id, { values, errors }, 400);
  })
  .post("/:id/delete", async (c) => {
    await deleteSubscription(c.var.db, c.req.param("id"), c.var.now);
    return c.redirect("/editor/subscriptions?done=subscription_deleted", 303);
  })
  .post("/:id/state", async (c) => {
    const id = c.req.param("id");
    const parsed = parseWith(UpdateSubscription, { state: one(c.var.form, "state") });
    if (!parsed.ok) return subscriptionPage(c, id, { problem: parsed.errors.list[0]!.message }, 400);
    await updateSubscription(c.var.db, id, parsed.value, subCtx(c));
    return c.redirect(`/editor/subscriptions/${encodeURIComponent(id)}?done=${parsed.value.state === "paused" ? "paused" : "resumed"}`, 303);
  })
  .post("/:id/rotate", async (c) => {
    const id = c.req.param("id");
    const rotated = await rotateSecret(c.var.db, id, c.var.now);
    return subscriptionPage(c, id, { rotated: rotated.secret });
  })
  .post("/:id/test", async (c) => {
    const id = c.req.param("id");
    try {
      await sendTest(c.var.db, id, subCtx(c));
    } catch (error) {
      if (error instanceof DomainError && error.code === "conflict") return subscriptionPage(c, id, { problem: error.message }, 409);
      throw error;
    }
    return c.redirect(`/editor/subscriptions/${encodeURIComponent(id)}?done=test_sent`, 303);
  })
  .onError(editorError);

const deliveryPages = new Hono<EditorEnv>().post("/:id/redeliver", async (c) => {
  try {
    const { delivery, dispatch } = await redeliver(c.var.db, c.req.param("id"), c.var.now);
    c.executionCtx.waitUntil(dispatchDeliveries(deliveriesQueue(c.env), dispatch));
    return c.redirect(`/editor/subscriptions/${encodeURIComponent(delivery.subscription_id)}?done=redelivered`, 303);
  } catch (error) {
    if (error instanceof DomainError && error.code === "conflict") return page(c, <ForbiddenPage why={`It cannot be redelivered now: ${error.message}.`} />, 409);
    throw error;
  }
}).onError(editorError);

/** Pages that need a signed-in editor; every POST also carries the session's form token. */

/** "Paste a statement" and the review of its drafts (intake/drafts): every decision through its service. */
const draftErrorMessage = (error: unknown): string => {
  if (!(error instanceof DomainError) || error.code === "internal" || error.code === "not_found") throw error;
  const issue = error.issues?.[0];
  return issue ? `${DRAFT_EDIT_LABELS[fieldOf(issue.path)] || issue.path || "Draft"}: ${issue.message}` : error.message;
};

async function reviewPage(c: EditorContext, batchId: string, extra: { done?: string; errorFor?: { id: string; message: string } } = {}, status = 200) {
  const { batch, items } = await getBatch(c.var.db, batchId);
  const agreement = batch.agreement ? await getAgreement(c.var.db, batch.agreement, readCtx(c)) : null;
  return page(c, <ReviewPage {...who(c)} batch={batch} agreementTitle={agreement?.title ?? null} drafts={items} {...extra} />, status);
}

async function pastePage(c: EditorContext, id: string, values: FormFields, errors: FieldErrors, status = 200) {
  const agreement = await getAgreement(c.var.db, id, readCtx(c));
  const batches = await listAgreementBatches(c.var.db, id);
  return page(c, <PastePage {...who(c)} agreement={agreement} values={values} errors={errors} batches={batches} />, status);
}

const draftParam = (c: EditorContext, name = "id") => {
  const id = c.req.param(name) ?? "";
  if (!/^(?:dft|drb)_[0-9A-Z]{26}$/.test(id)) throw new DomainError("not_found", `'${id}' does not exist`);
  return id;
};
const draftUrl = (c: EditorContext, id: string) => `${c.var.config.publicBaseUrl ?? new URL(c.req.url).origin}/api/v1/drafts/${encodeURIComponent(id)}`;
const acceptCtx = (c: EditorContext, id: string) => ({ ...writeCtx(c), draftUrl: draftUrl(c, id) });

/** The edit-then-accept form's fields, from the draft. */
function draftValues(d: DraftView): FormFields {
  const spec = (d.deadline?.spec ?? null) as Record<string, string> | null;
  const kind = !spec ? "none" : spec.due_on ? "due_on" : spec.due_at ? "due_at" : "within";
  return {
    title: [d.title],
    description: [`“${d.quote}”`],
    parties: [d.parties.join("\n")],
    tags: [""],
    deadline_kind: [kind],
    due_on: [spec?.due_on ?? ""],
    due_at: [spec?.due_at ?? ""],
    within: [spec?.within ?? ""],
    from: [spec?.from ?? ""],
    grace: [""],
    time_zone: ["UTC"],
  };
}

async function draftEditPage(c: EditorContext, id: string, values: FormFields | null, errors: FieldErrors, status = 200) {
  const draft = await getDraft(c.var.db, id);
  if (draft.status !== "pending") return c.redirect(`/editor/drafts/batches/${encodeURIComponent(draft.batch)}#draft-${draft.id}`, 303);
  return page(c, <DraftEditPage {...who(c)} draft={draft} needsAgreement={draft.agreement === null} values={values ?? draftValues(draft)} errors={errors} />, status);
}

const draftPages = new Hono<EditorEnv>()
  .get("/agreements/:id/drafts", (c) => pastePage(c, idParam(c), {}, noErrors))
  .post("/agreements/:id/drafts", async (c) => {
    const id = idParam(c);
    const values = c.var.form;
    const input: Record<string, unknown> = { text: raw(values, "text"), agreement: id };
    if (one(values, "signed_on")) input.signed_on = one(values, "signed_on");
    if (lines(raw(values, "parties")).length > 0) input.parties = lines(raw(values, "parties"));
    if (one(values, "source_url")) input.source_url = one(values, "source_url");
    const parsed = parseWith(CreateDrafts, input);
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        const { batch } = await createDrafts(c.var.db, parsed.value, { now: c.var.now, actor: c.var.session!.principal.name });
        return c.redirect(`/editor/drafts/batches/${encodeURIComponent(batch.id)}`, 303);
      } catch (error) {
        errors = serviceErrors(error, {});
      }
    }
    return pastePage(c, id, values, errors, 400);
  })
  .get("/drafts/batches/:batch", (c) => {
    const n = Number(c.req.query("accepted") ?? "");
    const done = DRAFT_DONE[c.req.query("done") ?? ""];
    return reviewPage(c, draftParam(c, "batch"), { done: done && Number.isInteger(n) && n >= 0 ? done.replace("{n}", String(n)) : done });
  })
  .post("/drafts/batches/:batch/accept-all", async (c) => {
    const batchId = draftParam(c, "batch");
    const { items } = await getBatch(c.var.db, batchId);
    let accepted = 0;
    for (const d of items.filter((x) => x.status === "pending")) {
      try {
        await acceptDraft(c.var.db, d.id, {}, acceptCtx(c, d.id));
        accepted++;
      } catch (error) {
        // Stop at the first refusal and show it beside its draft; the ones before it are accepted.
        return reviewPage(c, batchId, { done: accepted > 0 ? `${accepted} accepted before this one was refused.` : undefined, errorFor: { id: d.id, message: draftErrorMessage(error) } }, 400);
      }
    }
    return c.redirect(`/editor/drafts/batches/${encodeURIComponent(batchId)}?done=accepted_all&accepted=${accepted}`, 303);
  })
  .post("/drafts/:id/accept", async (c) => {
    const id = draftParam(c);
    const draft = await getDraft(c.var.db, id);
    if (draft.agreement === null) return c.redirect(`/editor/drafts/${encodeURIComponent(id)}/edit`, 303);
    try {
      await acceptDraft(c.var.db, id, {}, acceptCtx(c, id));
    } catch (error) {
      return reviewPage(c, draft.batch, { errorFor: { id, message: draftErrorMessage(error) } }, error instanceof DomainError && error.code === "illegal_transition" ? 409 : 400);
    }
    return c.redirect(`/editor/drafts/batches/${encodeURIComponent(draft.batch)}?done=draft_accepted#draft-${id}`, 303);
  })
  .get("/drafts/:id/edit", (c) => draftEditPage(c, draftParam(c), null, noErrors))
  .post("/drafts/:id/edit", async (c) => {
    const id = draftParam(c);
    const values = c.var.form;
    const { evidence: _e, depends_on: _d, ...fields } = commitmentInput(values, "edit");
    const input: Record<string, unknown> = { ...fields };
    if (one(values, "id")) input.id = one(values, "id");
    if (one(values, "agreement")) input.agreement = one(values, "agreement");
    const parsed = parseWith(AcceptDraft, input);
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        const created = await acceptDraft(c.var.db, id, parsed.value, acceptCtx(c, id));
        return c.redirect(`/editor/commitments/${encodeURIComponent(created.id)}?done=commitment_created`, 303);
      } catch (error) {
        errors = serviceErrors(error, { duplicate_id: "id", illegal_transition: "form" });
      }
    }
    return draftEditPage(c, id, values, errors, 400);
  })
  .post("/drafts/:id/reject", async (c) => {
    const id = draftParam(c);
    const draft = await getDraft(c.var.db, id);
    const reason = one(c.var.form, "reason");
    const parsed = parseWith(RejectDraft, reason ? { reason } : {});
    try {
      if (!parsed.ok) throw new DomainError("invalid_input", `Reason for rejecting: ${parsed.errors.list[0]!.message}`);
      await rejectDraft(c.var.db, id, parsed.value, { now: c.var.now, actor: c.var.session!.principal.name });
    } catch (error) {
      return reviewPage(c, draft.batch, { errorFor: { id, message: draftErrorMessage(error) } }, 400);
    }
    return c.redirect(`/editor/drafts/batches/${encodeURIComponent(draft.batch)}?done=draft_rejected#draft-${id}`, 303);
  });

const DRAFT_DONE: Record<string, string> = {
  draft_accepted: "Draft accepted: it is a commitment in the ledger now.",
  draft_rejected: "Draft rejected. The decision and its reason are kept.",
  accepted_all: "Accepted {n} drafts as commitments.",
};

const editor = new Hono<EditorEnv>()
  .use(requireSession)
  .use(checkedForm)
  .get("/", async (c) => {
    const query: FormFields = { q: [c.req.query("q") ?? ""] };
    const search = findInput(query, "q");
    const cursor = c.req.query("cursor");
    const [agreements, commitments] = await Promise.all([
      agreementChoices(c.var.db),
      commitmentListPage(c.var.db, readCtx(c), { q: search.find, cursor: cursor && cursor.length <= 500 ? cursor : undefined }),
    ]);
    const props = { agreements, commitments, q: one(query, "q"), errors: search.errors };
    return page(c, <DashboardPage {...who(c)} done={DONE[c.req.query("done") ?? ""]} {...props} />, search.errors.list.length > 0 ? 400 : 200);
  })
  .get("/agreements/new", (c) => page(c, <AgreementFormPage mode="create" {...who(c)} values={{ kind: ["memorandum"] }} errors={noErrors} />))
  .post("/agreements", async (c) => {
    const values = c.var.form;
    const parsed = parseWith(CreateAgreement, agreementInput(values, "create"));
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        const created = await createAgreement(c.var.db, parsed.value, writeCtx(c));
        return c.redirect(`/editor/agreements/${encodeURIComponent(created.id)}/edit?done=agreement_created`, 303);
      } catch (error) {
        errors = serviceErrors(error, { duplicate_id: "id" });
      }
    }
    return page(c, <AgreementFormPage mode="create" {...who(c)} values={values} errors={errors} />, 400);
  })
  .get("/agreements/:id/edit", async (c) => {
    const id = idParam(c);
    const a = await getAgreement(c.var.db, id, readCtx(c));
    const moved = (c.req.query("moved") ?? "").split(",").filter((m) => SLUG_PATTERN.test(m));
    const done = DONE[c.req.query("done") ?? ""];
    const notice = done && moved.length > 0 ? `${done} The new signing date moved the deadlines of: ${moved.join(", ")}.` : done;
    return page(c, <AgreementFormPage mode="edit" id={id} {...who(c)} values={agreementValues(a)} errors={noErrors} notice={notice} deletion={deletionOf(a, noErrors)} />);
  })
  .post("/agreements/:id/delete", async (c) => {
    const id = idParam(c);
    const parsed = parseWith(DeleteAgreementForm, deleteAgreementInput(c.var.form));
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        await deleteAgreement(c.var.db, id, writeCtx(c), parsed.value.version);
        return c.redirect("/editor?done=agreement_deleted", 303);
      } catch (error) {
        errors = serviceErrors(error, { conflict: "confirm", agreement_not_empty: "confirm" });
      }
    }
    const a = await getAgreement(c.var.db, id, readCtx(c));
    return page(c, <AgreementFormPage mode="edit" id={id} {...who(c)} values={agreementValues(a)} errors={noErrors} deletion={deletionOf(a, errors)} />, 400);
  })
  .post("/agreements/:id", async (c) => {
    const id = idParam(c);
    const before = await getAgreement(c.var.db, id, readCtx(c));
    const values = c.var.form;
    const parsed = parseWith(UpdateAgreement, agreementInput(values, "edit"));
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        await updateAgreement(c.var.db, id, parsed.value, writeCtx(c));
        // A new signing date moves deadlines given relative to it: say which (of the first 50).
        const after = await getAgreement(c.var.db, id, readCtx(c));
        const dueBefore = new Map(before.commitments.map((x) => [x.id, x.due_on]));
        const moved = after.commitments.filter((x) => dueBefore.has(x.id) && dueBefore.get(x.id) !== x.due_on).map((x) => x.id);
        const query = new URLSearchParams({ done: "agreement_saved", ...(moved.length > 0 ? { moved: moved.join(",") } : {}) });
        return c.redirect(`/editor/agreements/${encodeURIComponent(id)}/edit?${query}`, 303);
      } catch (error) {
        errors = serviceErrors(error, { conflict: "signed_on" });
      }
    }
    return page(c, <AgreementFormPage mode="edit" id={id} {...who(c)} values={values} errors={errors} deletion={deletionOf(before, noErrors)} />, 400);
  })
  .get("/import", (c) => page(c, <ImportPage {...who(c)} values={{}} errors={noErrors} />))
  .post("/import", async (c) => {
    const values = c.var.form;
    const file = (values.file ?? []).find((text) => text.trim() !== "");
    const text = (file ?? raw(values, "document")).trim();
    const shown = file ? { document: [""] } : values; // a file's text is not echoed back
    const refuse = (messages: string[]) => {
      const list = messages.slice(0, 20).map((message) => ({ field: "document", message }));
      if (messages.length > 20) list.push({ field: "document", message: `and ${messages.length - 20} more` });
      return page(c, <ImportPage {...who(c)} values={shown} errors={{ list, byField: { document: messages[0]! } }} />, 400);
    };
    if (!text) return refuse(["choose a file or paste a document"]);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return refuse([`is not valid JSON: ${(error as Error).message}`]);
    }
    try {
      const result = await importDocument(c.var.db, parseImportDocument(body), writeCtx(c));
      return page(c, <ImportPage {...who(c)} values={{}} errors={noErrors} result={result} />);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code === "internal") throw error;
      return refuse(error.issues?.length ? error.issues.map((i) => `${i.path}: ${i.message}`) : [error.message]);
    }
  })
  .get("/commitments/new", (c) => {
    const agreement = c.req.query("agreement") ?? "";
    return commitmentForm(c, "create", { agreement: [agreement], deadline_kind: ["none"], time_zone: ["UTC"], status: ["not_started"] }, noErrors, {
      agreement,
      preview: false,
    });
  })
  .post("/commitments", async (c) => {
    const values = c.var.form;
    const input = commitmentInput(values, "create");
    const agreement = one(values, "agreement");
    if (REDRAW.has(one(values, "action"))) return commitmentForm(c, "create", values, noErrors, { agreement, preview: true });
    const parsed = parseWith(CreateCommitment, input);
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        const created = await createCommitment(c.var.db, parsed.value, writeCtx(c));
        return c.redirect(`/editor/commitments/${encodeURIComponent(created.id)}?done=commitment_created`, 303);
      } catch (error) {
        errors = serviceErrors(error, { duplicate_id: "id", dependency_cycle: "depends_on", anchor_cycle: "after_commitment" });
      }
    }
    return commitmentForm(c, "create", values, errors, { agreement, preview: true });
  })
  .get("/commitments/:id", (c) => commitmentPage(c, idParam(c), {}, noErrors))
  .get("/commitments/:id/edit", async (c) => {
    const id = idParam(c);
    const commitment = await getCommitment(c.var.db, id, readCtx(c));
    return commitmentForm(c, "edit", commitmentValues(commitment), noErrors, { id, agreement: commitment.agreement, preview: true });
  })
  .post("/commitments/:id", async (c) => {
    const id = idParam(c);
    const existing = await getCommitment(c.var.db, id, readCtx(c));
    const values = c.var.form;
    const opts = { id, agreement: existing.agreement, preview: true };
    if (REDRAW.has(one(values, "action"))) return commitmentForm(c, "edit", values, noErrors, opts);
    const parsed = parseWith(UpdateCommitment, commitmentInput(values, "edit"));
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        await updateCommitment(c.var.db, id, parsed.value, writeCtx(c));
        return c.redirect(`/editor/commitments/${encodeURIComponent(id)}?done=commitment_saved`, 303);
      } catch (error) {
        errors = serviceErrors(error, { dependency_cycle: "depends_on", anchor_cycle: "after_commitment", conflict: "form" });
      }
    }
    return commitmentForm(c, "edit", values, errors, opts);
  })
  .post("/commitments/:id/status", async (c) => {
    const id = idParam(c);
    const before = await getCommitment(c.var.db, id, readCtx(c));
    const values = c.var.form;
    const parsed = parseWith(ChangeStatus, statusInput(values));
    let errors = parsed.ok ? noErrors : parsed.errors;
    if (parsed.ok) {
      try {
        await changeStatus(c.var.db, id, parsed.value, writeCtx(c));
        const done = before.status === parsed.value.status ? "unchanged" : "status_changed";
        // From the public page's controls, back there; otherwise the editor's commitment page.
        const back = one(values, "back") === `/commitments/${id}` ? `/commitments/${encodeURIComponent(id)}` : `/editor/commitments/${encodeURIComponent(id)}`;
        return c.redirect(`${back}?done=${done}`, 303);
      } catch (error) {
        errors = serviceErrors(error, { illegal_transition: "note" });
      }
    }
    return commitmentPage(c, id, values, errors, 400);
  })
  .route("/", draftPages)
  .route("/tokens", tokens)
  .route("/parties", partyPages)
  .route("/subscriptions", subscriptionPages)
  .route("/deliveries", deliveryPages)
  .route("/watch", watchPages)
  .onError(editorError);

const EDITOR_JS_ETAG = `"editor-js-${hashText(EDITOR_JS)}"`;

export const editorRoutes = new Hono<EditorEnv>()
  .get(EDITOR_JS_PATH, (c) =>
    respondStatic(c, EDITOR_JS, {
      etag: EDITOR_JS_ETAG,
      contentType: "text/javascript; charset=utf-8",
      headers: { "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff" },
    }),
  )
  .get("/", (c, next) =>
    signedInPage(c, next, async (w) => {
      const ctx = pageCtx(c);
      return <HomePage {...await loadHome(c.var.db, ctx)} now={ctx.now} controls={<PublicPageControls {...w} page={{ kind: "home" }} />} />;
    }),
  )
  .get("/agreements/:id", (c, next) =>
    signedInPage(c, next, async (w) => {
      const id = c.req.param("id");
      const ctx = pageCtx(c);
      const found = SLUG_PATTERN.test(id) ? await loadAgreementPage(c.var.db, id, ctx) : null;
      return found ? <AgreementPage {...found} now={ctx.now} controls={<PublicPageControls {...w} page={{ kind: "agreement", id }} />} /> : null;
    }),
  )
  .get("/commitments/:id", (c, next) =>
    signedInPage(c, next, async (w) => {
      const id = c.req.param("id");
      const ctx = pageCtx(c);
      const found = SLUG_PATTERN.test(id) ? await loadCommitmentPage(c.var.db, id, ctx) : null;
      const controls = found ? <PublicPageControls {...w} page={{ kind: "commitment", id, status: found.commitment.status }} /> : null;
      return found ? <CommitmentPage {...found} base={ctx.base} controls={controls} /> : null;
    }),
  )
  .use("/login", ...editorHeaders)
  .use("/logout", ...editorHeaders)
  .use("/editor", ...editorHeaders)
  .use("/editor/*", ...editorHeaders)
  .use("/login", loadSession)
  .use("/logout", loadSession)
  .use("/editor", loadSession)
  .use("/editor/*", loadSession)
  .use("/login", sameOrigin)
  .use("/logout", sameOrigin)
  .use("/editor/*", sameOrigin)
  .get("/login", (c) => {
    const next = safeNext(c.req.query("next"));
    if (c.var.session) return c.redirect(next, 303);
    const notice = c.req.query("ended") ? "Your session has ended. Sign in again to go on editing." : c.req.query("signed_out") ? "You are signed out." : undefined;
    return page(c, <LoginPage next={next} notice={notice} />);
  })
  .post("/login", readForm, async (c) => {
    const next = safeNext(one(c.var.form, "next"));
    const result = await signIn(c.var.db, { token: one(c.var.form, "token"), clientKey: clientKey(c), adminToken: c.env.ADMIN_TOKEN }, c.var.now);
    if (result.ok) {
      setSessionCookie(c, result.sessionId);
      return c.redirect(next, 303);
    }
    if (result.reason === "rate_limited") {
      const minutes = Math.max(1, Math.ceil(result.retryAfterMs / 60_000));
      c.header("Retry-After", String(Math.ceil(result.retryAfterMs / 1000)));
      return page(c, <LoginPage next={next} error={`Too many failed sign-ins from your address. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`} />, 429);
    }
    // The same words whether the token is unknown, revoked or read-only: never which.
    return page(c, <LoginPage next={next} error="Enter a valid API token with write or admin scope." />, 401);
  })
  .post("/logout", readForm, async (c) => {
    const session = c.var.session;
    if (session) {
      const refusal = await formTokenRefusal(c);
      if (refusal) return refusal;
      await endSession(c.var.db, c.var.sessionId!);
    }
    clearSessionCookie(c);
    return c.redirect("/login?signed_out=1", 303);
  })
  .route("/editor", editor);
