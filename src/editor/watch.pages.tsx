/**
 * The editor's evidence watch pages (mounted at /editor/watch by editor.routes.tsx, behind its
 * session and form-token checks): the inbox and the sources' health. Accept and dismiss go
 * through the watch's services, with the session's token name as the actor; POST -> 303 -> GET.
 */
import { Hono } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import { DomainError } from "../lib/errors";
import { dueSoonWindowMs } from "../platform/config";
import { findCommitmentsByIds } from "../ledger/commitments.repo";
import { AcceptProposal, DismissProposal } from "../watch/proposals.schemas";
import { acceptProposal, dismissProposal, listProposals } from "../watch/proposals.service";
import { createSource, listSources } from "../watch/sources.service";
import { CreateSource } from "../watch/sources.schemas";
import { fieldErrors, noErrors, one, parseWith, sourceInput, type FieldErrors, type FormFields } from "./editor.forms";
import type { EditorContext, EditorEnv } from "./editor.middleware";
import { WatchPage } from "./watch.views";

const DONE: Record<string, string> = {
  accepted: "Proposal accepted: the commitment's record is updated.",
  dismissed: "Proposal dismissed: this item will not be proposed for that commitment again.",
  source_added: "Source added: it is polled at the next cron run, then at its interval.",
};

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
        await createSource(c.var.db, parsed.value, { now: c.var.now, actor: c.var.session!.principal.name, allowPrivateTargets: c.var.config.allowPrivateWebhookTargets });
        return c.redirect("/editor/watch?done=source_added", 303);
      } catch (error) {
        if (!(error instanceof DomainError) || !error.issues?.length) throw error;
        return watchPage(c, { values, errors: fieldErrors(error.issues) }, 400);
      }
    }
    return watchPage(c, { values, errors: parsed.errors }, 400);
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
