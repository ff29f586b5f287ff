/**
 * HTML form fields <-> the API's input shapes. A form is read into exactly the object the JSON
 * API takes, then parsed with the same valibot schema (ledger/*.schemas.ts), so the same issues
 * reach the form as reach the API's error envelope. Issues are mapped back to the form field
 * that holds the value (`deadline.due_on` -> `due_on`, `parties.2` -> `parties`).
 */
import * as v from "valibot";
import type { ErrorIssue } from "../lib/errors";
import { IntText, Line } from "../lib/fields";
import { toIssues } from "../platform/http/validate";

/** Submitted fields: every value of each name, as text (files are ignored). */
export type FormFields = Record<string, string[]>;

export const one = (f: FormFields, name: string): string => (f[name]?.[0] ?? "").trim();
export const raw = (f: FormFields, name: string): string => f[name]?.[0] ?? "";

/** One item a line (or comma for tags), blanks dropped. */
export const lines = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

export const DEADLINE_KINDS = ["none", "due_on", "due_at", "within"] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/** "Evidence links": one a line, the URL then, after a space, an optional title. */
export function parseEvidence(text: string): { url: string; title?: string }[] {
  return lines(text).map((line) => {
    const [url, ...rest] = line.split(/\s+/);
    const title = rest.join(" ").trim();
    return title ? { url: url!, title } : { url: url! };
  });
}

export const formatEvidence = (evidence: { url: string; title?: string | null }[]) =>
  evidence.map((e) => (e.title ? `${e.url} ${e.title}` : e.url)).join("\n");

/** The agreement fields of the JSON API, from a form. Empty optional fields are left out or null. */
export function agreementInput(f: FormFields, mode: "create" | "edit"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (mode === "create" && one(f, "id")) out.id = one(f, "id");
  out.title = one(f, "title");
  out.kind = one(f, "kind");
  out.signed_on = one(f, "signed_on") || null;
  out.in_force_on = one(f, "in_force_on") || null;
  out.parties = lines(raw(f, "parties"));
  out.source_url = one(f, "source_url") || null;
  out.summary = raw(f, "summary").trim();
  return out;
}

/** What a "Within" deadline counts from, as the form offers it (`after` in the API). */
export const ANCHOR_CHOICES = ["signing", "entry_into_force", "commitment"] as const;

export function deadlineInput(f: FormFields): Record<string, unknown> | null {
  const kind = one(f, "deadline_kind") as DeadlineKind;
  const grace = one(f, "grace");
  const withGrace = (d: Record<string, unknown>) => (grace ? { ...d, grace } : d);
  switch (kind) {
    case "due_on":
      return withGrace({ due_on: one(f, "due_on") });
    case "due_at":
      return withGrace({ due_at: one(f, "due_at") });
    case "within": {
      // A date in "Counted from" wins; else the anchor chosen ("signing" is today's { within }).
      const from = one(f, "from");
      const after = one(f, "after");
      const within = one(f, "within");
      if (from) return withGrace({ within, from });
      if (after === "entry_into_force") return withGrace({ within, after });
      if (after === "commitment") return withGrace({ within, after: { commitment: one(f, "after_commitment"), when: "met" } });
      return withGrace({ within });
    }
    default:
      return null;
  }
}

/** The commitment fields of the JSON API, from a form. */
export function commitmentInput(f: FormFields, mode: "create" | "edit"): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (mode === "create") {
    if (one(f, "id")) out.id = one(f, "id");
    out.agreement = one(f, "agreement");
    if (one(f, "status")) out.status = one(f, "status");
  }
  out.title = one(f, "title");
  out.description = raw(f, "description").trim();
  out.parties = lines(raw(f, "parties"));
  out.tags = lines(raw(f, "tags").replace(/,/g, "\n"));
  out.evidence = parseEvidence(raw(f, "evidence"));
  out.depends_on = (f.depends_on ?? []).map((s) => s.trim()).filter(Boolean);
  out.time_zone = one(f, "time_zone") || "UTC";
  out.deadline = deadlineInput(f);
  if (mode === "edit" && one(f, "reason")) out.reason = one(f, "reason");
  return out;
}

export function statusInput(f: FormFields): Record<string, unknown> {
  const out: Record<string, unknown> = { status: one(f, "status") };
  if (raw(f, "note").trim()) out.note = raw(f, "note").trim();
  if (one(f, "evidence_url")) out.evidence_url = one(f, "evidence_url");
  if (one(f, "evidence_title")) out.evidence_title = one(f, "evidence_title");
  return out;
}

/** Deleting an agreement: the ticked confirmation, and the version the page showed. */
export const DeleteAgreementForm = v.object({
  confirm: v.literal("yes", "tick “Yes, delete this agreement” to confirm"),
  version: IntText(1, 999_999),
});

export const deleteAgreementInput = (f: FormFields) => ({ confirm: one(f, "confirm"), version: one(f, "version") });

/** The search beside a list of choices ("Find commitments to depend on", the dashboard's "Find a commitment"). */
export const FindForm = v.object({ find: v.optional(Line(200)) });

/** The typed search, or undefined when empty; an unusable one comes back as field errors. */
export function findInput(f: FormFields, name = "find"): { find?: string; errors: FieldErrors } {
  const text = one(f, name);
  if (!text) return { errors: noErrors };
  const parsed = parseWith(FindForm, { find: text });
  if (parsed.ok) return { find: parsed.value.find, errors: noErrors };
  const message = parsed.errors.byField.find ?? "is not a usable search";
  return { errors: { list: [{ field: name, message }], byField: { [name]: message } } };
}

/** The evidence watch's "Add a source" form, read into POST /api/v1/sources' shape. */
export function sourceInput(f: FormFields): Record<string, unknown> {
  const list = (name: string) => (lines(raw(f, name)).length > 0 ? lines(raw(f, name)) : undefined);
  return { url: one(f, "url"), kind: one(f, "kind"), agreements: list("agreements"), parties: list("parties"), keywords: list("keywords"), every: one(f, "every") || undefined };
}

/** A source's edit form, read into PATCH /api/v1/sources/{id}'s shape: an emptied filter is null (all). */
export function sourcePatch(f: FormFields): Record<string, unknown> {
  const input = sourceInput(f);
  return { ...input, agreements: input.agreements ?? null, parties: input.parties ?? null, keywords: input.keywords ?? null };
}

export const DeleteSourceForm = v.object({ confirm: v.literal("yes", "tick “Yes, delete this source” to confirm") });

/** The form field an issue path belongs to. */
export function fieldOf(path: string): string {
  const [head, second] = path.split(".");
  if (head === "deadline") {
    if (second === "after") return path.split(".")[2] === "commitment" ? "after_commitment" : "after";
    return second && ["due_on", "due_at", "within", "from", "grace"].includes(second) ? second : "deadline_kind";
  }
  if (head === "evidence_url" || head === "evidence_title") return head;
  return head || "form";
}

export interface FieldErrors {
  /** In the order of the issues: the error summary lists them so. */
  list: { field: string; message: string }[];
  byField: Record<string, string>;
}

export function fieldErrors(issues: readonly ErrorIssue[]): FieldErrors {
  const list: FieldErrors["list"] = [];
  const byField: Record<string, string> = {};
  for (const issue of issues) {
    const field = fieldOf(issue.path);
    if (byField[field] !== undefined) continue;
    byField[field] = issue.message;
    list.push({ field, message: issue.message });
  }
  return { list, byField };
}

export const noErrors: FieldErrors = { list: [], byField: {} };

/** Parses with the API's schema: the value, or the field errors of every issue. */
export function parseWith<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
): { ok: true; value: v.InferOutput<S> } | { ok: false; errors: FieldErrors } {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, errors: fieldErrors(toIssues(result.issues)) };
}
