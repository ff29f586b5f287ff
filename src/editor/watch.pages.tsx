/**
 * The editor's evidence watch pages (mounted at /editor/watch by editor.routes.tsx, behind its
 * session and form-token checks): the inbox and the sources' health; each source's page to edit,
 * pause or resume, and delete it. Accept, dismiss and every source change go through the watch's
 * services and the API's schemas, with the session's token name as the actor; POST -> 303 -> GET.
 */
import { Hono } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import { DomainError } from "../lib/errors";
import { dueSoonWindowMs } from "../platform/config";
import { findCommitmentsByIds } from "../ledger/commitments.repo";
import { AcceptProposal, DismissProposal } from "../watch/proposals.schemas";
import { acceptProposal, dismissProposal, listProposals } from "../watch/proposals.service";
import { createSource, deleteSource, getSource, listSources, updateSource, type SourceView } from "../watch/sources.service";
import { CreateSource, UpdateSource } from "../watch/sources.schemas";
import { DeleteSourceForm, fieldErrors, noErrors, one, parseWith, sourceInput, sourcePatch, type FieldErrors, type FormFields } from "./editor.forms";
import type { EditorContext, EditorEnv } from "./editor.middleware";
import { SourcePage, WatchPage } from "./watch.views";

const DONE: Record<string, string> = {
  accepted: "Proposal accepted: the commitment's record is updated.",
  dismissed: "Proposal dismissed: this item will not be proposed for that commitment again.",
  source_added: "Source added: it is polled at the next cron run, then at its interval.",
  source_saved: "Source saved.",
  source_paused: "Source paused: it is not polled until you resume it.",
  source_resumed: "Source resumed: it is polled at the next cron run.",
  source_deleted: "Source deleted. The proposals it made stay.",
};

/** A source's settings as its edit form shows them. */
function sourceValues(s: SourceView): FormFields {
  const list = (xs: string[] | null) => [(xs ?? []).join("\n")];
  return { url: [s.url], kind: [s.kind], agreements: list(s.agreements), parties: list(s.parties), keywords: list(s.keywords), every: [s.every] };
}

async function sourcePage(
  c: EditorContext,
  id: string,
  extra: { values?: FormFields; errors?: FieldErrors; deleteErrors?: FieldErrors } = {},
  status = 200,
) {
  const source = await getSource(c.var.db, id);
  const node = (
    <SourcePage
      who={c.var.session!.principal.name}
      formToken={c.var.session!.formToken}
      done={DONE[c.req.query("done") ?? ""]}
      source={source}
      values={extra.values ?? sourceValues(source)}
      errors={extra.errors ?? noErrors}
      deleteErrors={extra.deleteErrors ?? noErrors}
    />
  );
  return c.html(`<!DOCTYPE html>${node as HtmlEscapedString}`, status as 200);
}

const sourceCtx = (c: EditorContext) => ({ now: c.var.now, actor: c.var.session!.principal.name, allowPrivateTargets: c.var.config.allowPrivateWebhookTargets });
const sourcePath = (id: string, done: string) => `/editor/watch/sources/${encodeURIComponent(id)}?done=${done}`;

async function watchPage(c: EditorContext, extra: { problem?: string; values?: FormFields; errors?: FieldErrors } = {}, status = 200) {
  const [open, sources] = await Promise.all([listProposals(c.var.db, { state: "open" }, { limit: 50 }), listSources(c.var.db, { limit: 200 })]);
  const commitments = await findCommitmentsByIds(c.var.db, [...new Set(open.items.map((p) => p.commitment))]);
  const inbox = open.items.map((p) => {
    const row = commitments.get(p.commitment);
    return { proposal: p, commitmentTitle: row?.title ?? p.commitment, commitmentStatus: row?.status ?? "not_started" };
  });
  const node = (
    <WatchPage
      who={c.var.session!.principal.name}
      formToken={c.var.session!.formToken}
      done={DONE[c.req.query("done") ?? ""]}
      problem={extra.problem}
      inbox={inbox}
      sources={sources.items}
      values={extra.values ?? { kind: ["feed"], every: ["PT1H"] }}
      errors={extra.errors ?? noErrors}
    />
  );
  return c.html(`<!DOCTYPE html>${node as HtmlEscapedString}`, status as 200);
}

const refusal = (c: EditorContext, error: unknown) => {
  if (error instanceof DomainError && error.code !== "not_found" && error.code !== "internal") return watchPage(c, { problem: error.message }, 409);
  throw error;
};

export const watchPages = new Hono<EditorEnv>()
  .get("/", (c) => watchPage(c))
  .post("/sources", async (c) => {
    const values = c.var.form;
    const parsed = parseWith(CreateSource, sourceInput(values));
    if (parsed.ok) {
      try {
        await createSource(c.var.db, parsed.value, sourceCtx(c));
        return c.redirect("/editor/watch?done=source_added", 303);
      } catch (error) {
        if (!(error instanceof DomainError) || !error.issues?.length) throw error;
        return watchPage(c, { values, errors: fieldErrors(error.issues) }, 400);
      }
    }
    return watchPage(c, { values, errors: parsed.errors }, 400);
  })
  .get("/sources/:id", (c) => sourcePage(c, c.req.param("id")))
  // Every field of the form is sent: an emptied filter clears it (null = all), as PATCH does.
  .post("/sources/:id", async (c) => {
    const id = c.req.param("id");
    await getSource(c.var.db, id);
    const values = c.var.form;
    const parsed = parseWith(UpdateSource, sourcePatch(values));
    if (parsed.ok) {
      try {
        await updateSource(c.var.db, id, parsed.value, sourceCtx(c));
        return c.redirect(sourcePath(id, "source_saved"), 303);
      } catch (error) {
        if (!(error instanceof DomainError) || !error.issues?.length) throw error;
        return sourcePage(c, id, { values, errors: fieldErrors(error.issues) }, 400);
      }
    }
    return sourcePage(c, id, { values, errors: parsed.errors }, 400);
  })
  .post("/sources/:id/state", async (c) => {
    const id = c.req.param("id");
    const parsed = parseWith(UpdateSource, { state: one(c.var.form, "state") });
    if (!parsed.ok) return sourcePage(c, id, { errors: parsed.errors }, 400);
    await updateSource(c.var.db, id, parsed.value, sourceCtx(c));
    return c.redirect(sourcePath(id, parsed.value.state === "paused" ? "source_paused" : "source_resumed"), 303);
  })
  .post("/sources/:id/delete", async (c) => {
    const id = c.req.param("id");
    const parsed = parseWith(DeleteSourceForm, { confirm: one(c.var.form, "confirm") });
    if (!parsed.ok) return sourcePage(c, id, { deleteErrors: parsed.errors }, 400);
    await deleteSource(c.var.db, id);
    return c.redirect("/editor/watch?done=source_deleted", 303);
  })
  .post("/proposals/:id/accept", async (c) => {
    const form = c.var.form;
    const parsed = parseWith(AcceptProposal, { status: one(form, "status") || undefined, note: one(form, "note") || undefined });
    if (!parsed.ok) return watchPage(c, { problem: parsed.errors.list.map((e) => e.message).join("; ") }, 400);
    const ctx = {
      now: c.var.now,
      windowMs: dueSoonWindowMs(c.var.config),
      actor: c.var.session!.principal.name,
      leadDays: c.var.config.dueSoonDays,
      verifyEvery: c.var.config.verifyEvery,
      emitted: c.var.emitted,
    };
    try {
      await acceptProposal(c.var.db, c.req.param("id"), parsed.value, ctx);
    } catch (error) {
      return refusal(c, error);
    }
    return c.redirect("/editor/watch?done=accepted", 303);
  })
  .post("/proposals/:id/dismiss", async (c) => {
    const parsed = parseWith(DismissProposal, { reason: one(c.var.form, "reason") || undefined });
    if (!parsed.ok) return watchPage(c, { problem: parsed.errors.list.map((e) => e.message).join("; ") }, 400);
    try {
      await dismissProposal(c.var.db, c.req.param("id"), parsed.value, { actor: c.var.session!.principal.name, now: c.var.now });
    } catch (error) {
      return refusal(c, error);
    }
    return c.redirect("/editor/watch?done=dismissed", 303);
  });
