/**
 * The editor's pages (hono/jsx, server-rendered; one optional script, editor.script.ts, adds copy
 * buttons). Forms follow the GOV.UK pattern: an
 * error summary at the top linking to each field, the message beside the field, the typed
 * values kept. Every input has a visible <label for>; radios sit in a <fieldset><legend>.
 */
import { EDITOR_JS_PATH } from "./editor.script";
import type { Child } from "hono/jsx";
import { Layout } from "../readside/pages/pages.views";
import { progressLabel } from "../lib/labels";
import { AGREEMENT_KINDS } from "../ledger/agreements.schemas";
import { PROGRESS } from "../ledger/commitments.rules";
import type { FieldErrors, FormFields } from "./editor.forms";
import { CHOICES_MAX, type DeadlinePreview, type DependencyChoices } from "./editor.service";

const enc = encodeURIComponent;
const val = (f: FormFields, name: string) => f[name]?.[0] ?? "";

export function ErrorSummary({ errors, labels }: { errors: FieldErrors; labels: Record<string, string> }) {
  if (errors.list.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex={-1}>
      <h2 id="error-summary-title">There is a problem</h2>
      <ul>
        {errors.list.map((e) => (
          <li>
            <a href={`#${e.field === "form" ? "main" : e.field}`}>
              {labels[e.field] ? `${labels[e.field]}: ` : ""}
              {e.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function FieldError({ id, errors }: { id: string; errors: FieldErrors }) {
  const message = errors.byField[id];
  if (!message) return null;
  return (
    <p class="error-message" id={`${id}-error`}>
      <span class="visually-hidden">Error: </span>
      {message}
    </p>
  );
}

interface FieldProps {
  name: string;
  label: string;
  values: FormFields;
  errors: FieldErrors;
  hint?: string;
  type?: string;
  required?: boolean;
  autocomplete?: string;
}

const describedBy = (p: { name: string; hint?: string; errors: FieldErrors }) =>
  [p.hint ? `${p.name}-hint` : null, p.errors.byField[p.name] ? `${p.name}-error` : null].filter(Boolean).join(" ") || undefined;

export function TextField(p: FieldProps) {
  return (
    <div class={`field${p.errors.byField[p.name] ? " field-error" : ""}`}>
      <label for={p.name}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.name}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <FieldError id={p.name} errors={p.errors} />
      <input
        id={p.name}
        name={p.name}
        type={p.type ?? "text"}
        value={val(p.values, p.name)}
        required={p.required}
        autocomplete={p.autocomplete}
        aria-invalid={p.errors.byField[p.name] ? "true" : undefined}
        aria-describedby={describedBy(p)}
      />
    </div>
  );
}

export function TextArea(p: FieldProps & { rows?: number }) {
  return (
    <div class={`field${p.errors.byField[p.name] ? " field-error" : ""}`}>
      <label for={p.name}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.name}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <FieldError id={p.name} errors={p.errors} />
      <textarea
        id={p.name}
        name={p.name}
        rows={p.rows ?? 4}
        aria-invalid={p.errors.byField[p.name] ? "true" : undefined}
        aria-describedby={describedBy(p)}
      >
        {val(p.values, p.name)}
      </textarea>
    </div>
  );
}

export function Select(p: FieldProps & { options: { value: string; label: string }[]; multiple?: boolean }) {
  const chosen = new Set(p.values[p.name] ?? []);
  return (
    <div class={`field${p.errors.byField[p.name] ? " field-error" : ""}`}>
      <label for={p.name}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.name}-hint`}>
          {p.hint}
        </p>
      ) : null}
      <FieldError id={p.name} errors={p.errors} />
      <select
        id={p.name}
        name={p.name}
        multiple={p.multiple}
        size={p.multiple ? 6 : undefined}
        aria-invalid={p.errors.byField[p.name] ? "true" : undefined}
        aria-describedby={describedBy(p)}
      >
        {p.options.map((o) => (
          <option value={o.value} selected={chosen.has(o.value)}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Checkbox(p: FieldProps & { value: string }) {
  return (
    <div class={`field checkbox${p.errors.byField[p.name] ? " field-error" : ""}`}>
      <FieldError id={p.name} errors={p.errors} />
      <input
        id={p.name}
        name={p.name}
        type="checkbox"
        value={p.value}
        checked={val(p.values, p.name) === p.value}
        aria-invalid={p.errors.byField[p.name] ? "true" : undefined}
        aria-describedby={describedBy(p)}
      />
      <label for={p.name}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.name}-hint`}>
          {p.hint}
        </p>
      ) : null}
    </div>
  );
}

/** A "done" message after a POST → 303 → GET, announced politely. */
export const Notice = ({ text }: { text?: string }) =>
  text ? (
    <p class="notice" role="status">
      {text}
    </p>
  ) : null;

export const FormToken = ({ token }: { token: string }) => <input type="hidden" name="form_token" value={token} />;

/** The signed-in bar on every editor page: who, and a sign-out button (a form: it changes state). */
/** A one-button POST form (sign out, revoke, redeliver, pause…): the form token, hidden fields, the button. */
export function ActionButton(props: { action: string; formToken: string; label: string; inline?: boolean; children?: Child }) {
  return (
    <form method="post" action={props.action} class={props.inline ? "inline" : undefined}>
      <FormToken token={props.formToken} />
      {props.children}
      <button type="submit" class="secondary">
        {props.label}
      </button>
    </form>
  );
}

function SignedInBar(props: { who: string; formToken: string }) {
  return (
    <div class="signed-in">
      <p>
        Signed in as <strong>{props.who}</strong> · <a href="/editor">Editor home</a>
      </p>
      <ActionButton action="/logout" formToken={props.formToken} label="Sign out" />
    </div>
  );
}

export function EditorLayout(props: { title: string; who: string; formToken: string; children: Child }) {
  return (
    <Layout title={`${props.title} · pledgewatch editor`} signInLink={false} scripts={[EDITOR_JS_PATH]}>
      <SignedInBar who={props.who} formToken={props.formToken} />
      {props.children}
    </Layout>
  );
}

/** The status change: Status, Note, Evidence URL and title. `back` is where a success returns to. */
function StatusForm(props: { id: string; formToken: string; values: FormFields; errors: FieldErrors; back?: string }) {
  const { values, errors } = props;
  return (
    <form method="post" action={`/editor/commitments/${enc(props.id)}/status`} class="editor-form" novalidate>
      <FormToken token={props.formToken} />
      {props.back ? <input type="hidden" name="back" value={props.back} /> : null}
      <Select name="status" label="Status" values={values} errors={errors} options={PROGRESS.map((s) => ({ value: s, label: progressLabel(s) }))} />
      <TextArea name="note" label="Note" hint="What happened. Needed to reopen a fulfilled, broken or withdrawn commitment." values={values} errors={errors} />
      <TextField name="evidence_url" label="Evidence URL" type="url" values={values} errors={errors} />
      <TextField name="evidence_title" label="Evidence title" values={values} errors={errors} />
      <button type="submit">Record status change</button>
    </form>
  );
}

/**
 * What a public page shows a signed-in editor, under its h1: who is signed in, links into the
 * editor, and on a commitment's page its status change. Never part of a public (cacheable) answer.
 */
export function PublicPageControls(props: {
  who: string;
  formToken: string;
  done?: string;
  page: { kind: "home" } | { kind: "agreement"; id: string } | { kind: "commitment"; id: string; status: string };
}) {
  const p = props.page;
  return (
    <section class="editor-controls" aria-labelledby="editor-controls-title">
      <h2 id="editor-controls-title">Editing</h2>
      <SignedInBar who={props.who} formToken={props.formToken} />
      <Notice text={props.done} />
      {p.kind === "home" ? (
        <p>
          <a href="/editor/agreements/new">Add an agreement</a> · <a href="/editor/commitments/new">Add a commitment</a>
        </p>
      ) : p.kind === "agreement" ? (
        <p>
          <a href={`/editor/agreements/${enc(p.id)}/edit`}>Edit agreement</a> · <a href={`/editor/commitments/new?agreement=${enc(p.id)}`}>Add a commitment to it</a>
        </p>
      ) : (
        <>
          <p>
            <a href={`/editor/commitments/${enc(p.id)}/edit`}>Edit commitment</a> · <a href={`/editor/commitments/${enc(p.id)}`}>Its editor page and full history</a>
          </p>
          <StatusForm id={p.id} formToken={props.formToken} values={{ status: [p.status] }} errors={{ list: [], byField: {} }} back={`/commitments/${p.id}`} />
        </>
      )}
    </section>
  );
}

export function LoginPage(props: { next: string; error?: string; notice?: string; status?: number }) {
  const errors: FieldErrors = props.error ? { list: [{ field: "token", message: props.error }], byField: { token: props.error } } : { list: [], byField: {} };
  return (
    <Layout title="Sign in · pledgewatch" signInLink={false}>
      <h1>Sign in to edit the ledger</h1>
      <Notice text={props.notice} />
      <ErrorSummary errors={errors} labels={{ token: "API token" }} />
      <form method="post" action="/login" class="editor-form">
        <input type="hidden" name="next" value={props.next} />
        <TextField
          name="token"
          label="API token"
          type="password"
          autocomplete="current-password"
          hint="A token with write or admin scope. An administrator creates tokens; you sign in with yours."
          values={{}}
          errors={errors}
          required
        />
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}

/** A refusal or a missing record: what happened, and that nothing changed. */
export function ForbiddenPage({ why, title }: { why: string; title?: string }) {
  return (
    <Layout title={`${title ?? "Refused"} · pledgewatch`}>
      <h1>{title ?? "This form was refused"}</h1>
      <p>{why}</p>
      <p>Nothing was changed.</p>
      <p>
        <a href="/editor">Back to the editor</a>
      </p>
    </Layout>
  );
}

export function DashboardPage(props: {
  who: string;
  formToken: string;
  done?: string;
  agreements: { id: string; title: string; signedOn: string | null }[];
  commitments: { items: { id: string; title: string; agreement: string }[]; next: string | null };
  q: string;
  errors: FieldErrors;
}) {
  const more = props.commitments.next ? `/editor?${new URLSearchParams({ ...(props.q ? { q: props.q } : {}), cursor: props.commitments.next })}` : null;
  return (
    <EditorLayout title="Editor" who={props.who} formToken={props.formToken}>
      <h1>Editor</h1>
      <Notice text={props.done} />
      <p>
        <a href="/editor/agreements/new">Add an agreement</a> · <a href="/editor/commitments/new">Add a commitment</a> ·{" "}
        <a href="/editor/import">Import</a> · <a href="/editor/subscriptions">Webhook subscriptions</a> · <a href="/editor/parties">Parties and aliases</a> ·{" "}
        <a href="/editor/watch">Evidence watch: inbox and sources</a> · <a href="/editor/tokens">API tokens</a> (admin)
      </p>
      <h2>Agreements</h2>
      <ul class="editor-list">
        {props.agreements.map((a) => (
          <li>
            <a href={`/agreements/${enc(a.id)}`}>{a.title}</a> ({a.signedOn ? `signed ${a.signedOn}` : "not signed"}) ·{" "}
            <a href={`/editor/agreements/${enc(a.id)}/edit`}>Edit agreement</a> ·{" "}
            <a href={`/editor/commitments/new?agreement=${enc(a.id)}`}>Add a commitment to it</a> ·{" "}
            <a href={`/editor/agreements/${enc(a.id)}/drafts`}>Paste a statement</a>
          </li>
        ))}
      </ul>
      <h2>Commitments</h2>
      <ErrorSummary errors={props.errors} labels={{ q: "Find a commitment" }} />
      <form method="get" action="/editor" class="editor-form find" role="search">
        <TextField name="q" label="Find a commitment" hint="Words of its title, or its id." values={{ q: [props.q] }} errors={props.errors} />
        <button type="submit" class="secondary">
          Find commitments
        </button>
      </form>
      {props.q && props.errors.list.length === 0 ? (
        <p>
          {props.commitments.items.length === 0 ? "No commitment matches" : "Commitments matching"} “{props.q}” by deadline · <a href="/editor">Show all</a>
        </p>
      ) : null}
      <ul class="editor-list">
        {props.commitments.items.map((c) => (
          <li>
            <a href={`/editor/commitments/${enc(c.id)}`}>{c.title}</a>
          </li>
        ))}
      </ul>
      {more ? (
        <p>
          <a href={more}>Next {CHOICES_MAX} commitments</a>
        </p>
      ) : null}
    </EditorLayout>
  );
}

export const AGREEMENT_LABELS: Record<string, string> = {
  id: "ID",
  title: "Title",
  kind: "Kind",
  signed_on: "Signing date",
  in_force_on: "Entry into force",
  parties: "Parties",
  source_url: "Source URL",
  summary: "Summary",
};

export function AgreementFormPage(props: {
  mode: "create" | "edit";
  id?: string;
  who: string;
  formToken: string;
  values: FormFields;
  errors: FieldErrors;
  notice?: string;
  /** Edit mode: what the delete section needs. */
  deletion?: { commitmentCount: number; version: number; errors: FieldErrors };
}) {
  const { values, errors } = props;
  const action = props.mode === "create" ? "/editor/agreements" : `/editor/agreements/${enc(props.id!)}`;
  return (
    <EditorLayout title={props.mode === "create" ? "Add an agreement" : "Edit agreement"} who={props.who} formToken={props.formToken}>
      <h1>{props.mode === "create" ? "Add an agreement" : `Edit agreement ${props.id}`}</h1>
      <Notice text={props.notice} />
      {props.mode === "edit" ? (
        <p>
          <a href={`/editor/agreements/${enc(props.id!)}/drafts`}>Paste a statement</a>: propose this agreement's commitments from its text, then review each one.
        </p>
      ) : null}
      <ErrorSummary errors={errors} labels={AGREEMENT_LABELS} />
      <form method="post" action={action} class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        {props.mode === "create" ? (
          <TextField name="id" label="ID (optional)" hint="Lower-case letters, digits and hyphens. Made from the title if you leave it empty." values={values} errors={errors} />
        ) : null}
        <TextField name="title" label="Title" values={values} errors={errors} />
        <Select name="kind" label="Kind" values={values} errors={errors} options={AGREEMENT_KINDS.map((k) => ({ value: k, label: k.replace(/_/g, " ") }))} />
        <TextField name="signed_on" label="Signing date" hint="YYYY-MM-DD, for example 2025-08-08. Leave empty if not signed yet." values={values} errors={errors} />
        <TextField
          name="in_force_on"
          label="Entry into force"
          hint="YYYY-MM-DD. Leave empty while it is not in force: deadlines counted from entry into force wait until it is set."
          values={values}
          errors={errors}
        />
        <TextArea name="parties" label="Parties" hint="One a line." values={values} errors={errors} />
        <TextField name="source_url" label="Source URL" type="url" values={values} errors={errors} />
        <TextArea name="summary" label="Summary" rows={5} values={values} errors={errors} />
        <button type="submit">{props.mode === "create" ? "Add agreement" : "Save agreement"}</button>
      </form>
      {props.deletion ? <DeleteAgreement id={props.id!} formToken={props.formToken} {...props.deletion} /> : null}
    </EditorLayout>
  );
}

/** Only an agreement without commitments can be deleted; the box must be ticked (works without script). */
function DeleteAgreement(props: { id: string; formToken: string; commitmentCount: number; version: number; errors: FieldErrors }) {
  const n = props.commitmentCount;
  return (
    <section class="danger" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete this agreement</h2>
      {n > 0 ? (
        <p>
          It has {n} commitment{n === 1 ? "" : "s"}. Only an agreement without commitments can be deleted; its history stays on record either way.
        </p>
      ) : (
        <>
          <ErrorSummary errors={props.errors} labels={{ confirm: "Confirm deletion", version: "Version" }} />
          <form method="post" action={`/editor/agreements/${enc(props.id)}/delete`} class="editor-form" novalidate>
            <FormToken token={props.formToken} />
            <input type="hidden" name="version" value={String(props.version)} />
            <Checkbox
              name="confirm"
              value="yes"
              label="Yes, delete this agreement"
              hint="It has no commitments. Its history and an agreement.deleted event stay on record."
              values={{}}
              errors={props.errors}
            />
            <button type="submit" class="warning">
              Delete agreement
            </button>
          </form>
        </>
      )}
    </section>
  );
}

export interface ImportCounts {
  agreements: { created: number; updated: number; unchanged: number };
  commitments: { created: number; updated: number; unchanged: number };
}

const countsText = (n: ImportCounts["agreements"]) => `${n.created} created, ${n.updated} updated, ${n.unchanged} unchanged`;

/** Import a pledgewatch/v1 document (an export, or one written by hand): a file or pasted text. */
export function ImportPage(props: { who: string; formToken: string; values: FormFields; errors: FieldErrors; result?: ImportCounts }) {
  const { values, errors } = props;
  return (
    <EditorLayout title="Import" who={props.who} formToken={props.formToken}>
      <h1>Import agreements and commitments</h1>
      {props.result ? (
        <p class="notice" role="status">
          Imported. Agreements: {countsText(props.result.agreements)}. Commitments: {countsText(props.result.commitments)}.
        </p>
      ) : null}
      <p>
        A <code>pledgewatch/v1</code> document, as <a href="/api/v1/export">the export</a> writes it. Records are matched by id: new ones are created, changed ones
        updated with their history, and nothing is written unless every record is right. At most 1,000 records and 5 MB.
      </p>
      <ErrorSummary errors={errors} labels={{ document: "Document" }} />
      <form method="post" action="/editor/import" enctype="multipart/form-data" class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        <div class="field">
          <label for="file">Import file</label>
          <p class="hint" id="file-hint">
            A .json file. If you choose one, the text below is not used.
          </p>
          <input id="file" name="file" type="file" accept="application/json,.json" aria-describedby="file-hint" />
        </div>
        <TextArea name="document" label="Document" hint="Or paste the JSON here." rows={12} values={values} errors={errors} />
        <button type="submit">Import</button>
      </form>
    </EditorLayout>
  );
}

export const COMMITMENT_LABELS: Record<string, string> = {
  id: "ID",
  agreement: "Agreement",
  title: "Title",
  description: "Description",
  parties: "Parties",
  tags: "Tags",
  deadline_kind: "Deadline",
  due_on: "Due date",
  due_at: "Due instant",
  within: "Within",
  from: "Counted from",
  after: "Counted after",
  after_commitment: "The commitment it counts from",
  grace: "Grace period",
  time_zone: "Time zone",
  depends_on: "Depends on",
  evidence: "Evidence links",
  status: "Status",
  reason: "Reason for the deadline change",
  note: "Note",
  evidence_url: "Evidence URL",
  evidence_title: "Evidence title",
};

export function DeadlineFields({ values, errors, anchors = [] }: { values: FormFields; errors: FieldErrors; anchors?: { value: string; label: string }[] }) {
  const kind = val(values, "deadline_kind") || "none";
  const radio = (value: string, label: string) => (
    <div class="radio">
      <input type="radio" id={`deadline_kind-${value}`} name="deadline_kind" value={value} checked={kind === value} />
      <label for={`deadline_kind-${value}`}>{label}</label>
    </div>
  );
  return (
    <fieldset id="deadline_kind" class={`field${errors.byField.deadline_kind ? " field-error" : ""}`} aria-describedby={errors.byField.deadline_kind ? "deadline_kind-error" : undefined}>
      <legend>Deadline</legend>
      <FieldError id="deadline_kind" errors={errors} />
      {radio("none", "No deadline")}
      {radio("due_on", "On a date")}
      {radio("due_at", "At an instant")}
      {radio("within", "Within a duration of the signing date or another event")}
      <TextField name="due_on" label="Due date" hint="For “On a date”: YYYY-MM-DD. The deadline is the end of that day in the time zone." values={values} errors={errors} />
      <TextField name="due_at" label="Due instant" hint="For “At an instant”: RFC 3339 with an offset, for example 2026-02-08T12:00:00+04:00." values={values} errors={errors} />
      <TextField name="within" label="Within" hint="For “Within”: an ISO 8601 duration, for example P3M for 3 months or P90D for 90 days." values={values} errors={errors} />
      <Select
        name="after"
        label="Counted after"
        hint="For “Within”: the event the duration counts from. Until it happens the commitment is “waiting”."
        values={values}
        errors={errors}
        options={[
          { value: "signing", label: "the agreement's signing" },
          { value: "entry_into_force", label: "the agreement's entry into force" },
          { value: "commitment", label: "another commitment being met (choose it below)" },
        ]}
      />
      <Select
        name="after_commitment"
        label="The commitment it counts from"
        hint="For “another commitment being met”: the day it reaches fulfilled or partially fulfilled."
        values={values}
        errors={errors}
        options={[{ value: "", label: "(none)" }, ...anchors]}
      />
      <TextField name="from" label="Counted from" hint="Optional, for “Within”: YYYY-MM-DD. A date here is used instead of the event above." values={values} errors={errors} />
      <TextField name="grace" label="Grace period" hint="Optional: a duration such as P7D. Overdue only once the grace period has passed." values={values} errors={errors} />
      <TextField name="time_zone" label="Time zone" hint="An IANA name such as Asia/Baku. Empty means UTC." values={values} errors={errors} />
    </fieldset>
  );
}

/**
 * The ledger's first commitments, plus every one already chosen: a dependency outside the list
 * must stay selected, or saving the form would drop it.
 */
export function dependencyOptions(choices: { id: string; title: string }[], chosen: string[], self?: string) {
  const listed = new Set(choices.map((d) => d.id));
  const extra = chosen.filter((id) => !listed.has(id)).map((id) => ({ id, title: id }));
  return [...choices, ...extra].filter((d) => d.id !== self).map((d) => ({ value: d.id, label: d.title }));
}

export function CommitmentFormPage(props: {
  mode: "create" | "edit";
  id?: string;
  who: string;
  formToken: string;
  values: FormFields;
  errors: FieldErrors;
  preview: DeadlinePreview | null;
  agreements: { id: string; title: string }[];
  dependencies: DependencyChoices;
}) {
  const { values, errors } = props;
  const action = props.mode === "create" ? "/editor/commitments" : `/editor/commitments/${enc(props.id!)}`;
  return (
    <EditorLayout title={props.mode === "create" ? "Add a commitment" : "Edit commitment"} who={props.who} formToken={props.formToken}>
      <h1>{props.mode === "create" ? "Add a commitment" : `Edit commitment ${props.id}`}</h1>
      <ErrorSummary errors={errors} labels={COMMITMENT_LABELS} />
      <form method="post" action={action} class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        {props.mode === "create" ? (
          <>
            <TextField name="id" label="ID (optional)" hint="Made from the title if you leave it empty." values={values} errors={errors} />
            <Select name="agreement" label="Agreement" values={values} errors={errors} options={props.agreements.map((a) => ({ value: a.id, label: a.title }))} />
          </>
        ) : null}
        <TextField name="title" label="Title" values={values} errors={errors} />
        <TextArea name="description" label="Description" rows={5} values={values} errors={errors} />
        <TextArea name="parties" label="Parties" hint="One a line." values={values} errors={errors} />
        <TextArea name="tags" label="Tags" hint="One a line or separated by commas: lower-case letters, digits and hyphens." rows={2} values={values} errors={errors} />
        <DeadlineFields values={values} errors={errors} anchors={dependencyOptions(props.dependencies.items, values.after_commitment?.[0] ? [values.after_commitment[0]] : [], props.id)} />
        <div class="preview" aria-live="polite">
          {props.preview ? (
            <p id="deadline-preview" class={props.preview.ok ? "preview-ok" : "preview-problem"}>
              <strong>Resolved deadline:</strong> {props.preview.text}
            </p>
          ) : (
            <p class="hint">Press “Show the resolved deadline” to see the deadline as it will be stored.</p>
          )}
          <button type="submit" name="action" value="preview" class="secondary">
            Show the resolved deadline
          </button>
        </div>
        {props.mode === "edit" ? (
          <TextField name="reason" label="Reason for the deadline change" hint="Needed when the deadline moves; kept in the history." values={values} errors={errors} />
        ) : null}
        <Select
          name="depends_on"
          label="Depends on"
          hint={`Other commitments this one waits for. Listed: ${props.dependencies.scope}${props.dependencies.more ? " (the first 200: search to narrow)" : ""}, and the ones already chosen. Hold Ctrl (or Cmd) to choose several.`}
          multiple
          values={values}
          errors={errors}
          options={dependencyOptions(props.dependencies.items, values.depends_on ?? [], props.id)}
        />
        <div class="find">
          <TextField name="find" label="Find commitments to depend on" hint="Words of a title, or an id, from anywhere in the ledger. Your choices stay chosen." values={values} errors={errors} />
          <button type="submit" name="action" value="find" class="secondary">
            Find commitments
          </button>
        </div>
        <TextArea name="evidence" label="Evidence links" hint="One a line: the URL, then a space and an optional title." values={values} errors={errors} />
        {props.mode === "create" ? (
          <Select name="status" label="Status" values={values} errors={errors} options={PROGRESS.map((s) => ({ value: s, label: progressLabel(s) }))} />
        ) : null}
        <button type="submit" name="action" value="save">
          {props.mode === "create" ? "Add commitment" : "Save commitment"}
        </button>
      </form>
    </EditorLayout>
  );
}

export function CommitmentEditPage(props: {
  who: string;
  formToken: string;
  commitment: { id: string; title: string; status: string; due_on: string | null; agreement: string };
  values: FormFields;
  errors: FieldErrors;
  done?: string;
  history: { type: string; from: string | null; to: string | null; note: string | null; actor: string; at: string }[];
}) {
  const { commitment: c, values, errors } = props;
  return (
    <EditorLayout title={c.title} who={props.who} formToken={props.formToken}>
      <h1>{c.title}</h1>
      <Notice text={props.done} />
      <p>
        Status: <strong>{progressLabel(c.status)}</strong>
        {c.due_on ? ` · due ${c.due_on}` : " · no deadline"} · <a href={`/commitments/${enc(c.id)}`}>Public page</a> ·{" "}
        <a href={`/editor/commitments/${enc(c.id)}/edit`}>Edit commitment</a>
      </p>
      <h2>Change the status</h2>
      <ErrorSummary errors={errors} labels={COMMITMENT_LABELS} />
      <StatusForm id={c.id} formToken={props.formToken} values={values} errors={errors} />
      <h2>History</h2>
      <ol class="editor-history">
        {props.history.map((e) => (
          <li>
            {e.at}: {e.type}
            {e.from || e.to ? ` (${e.from ?? "—"} → ${e.to ?? "—"})` : ""} by {e.actor}
            {e.note ? `: ${e.note}` : ""}
          </li>
        ))}
      </ol>
    </EditorLayout>
  );
}

export function TokensPage(props: {
  who: string;
  formToken: string;
  tokens: { id: string; name: string; scope: string; created_by: string; created_at: string; revoked_at: string | null }[];
  values: FormFields;
  errors: FieldErrors;
  created?: { name: string; scope: string; token: string };
  done?: string;
}) {
  const { values, errors } = props;
  return (
    <EditorLayout title="API tokens" who={props.who} formToken={props.formToken}>
      <h1>API tokens</h1>
      <Notice text={props.done} />
      {props.created ? (
        <div class="notice" role="status">
          <h2>Token {props.created.name} created</h2>
          <p>Copy it now: it is shown this once and cannot be shown again.</p>
          <label for="new-token">The new {props.created.scope} token</label>
          <input id="new-token" type="text" readonly value={props.created.token} class="secret" data-copy />
        </div>
      ) : null}
      <h2>Create a token</h2>
      <ErrorSummary errors={errors} labels={{ name: "Name", scope: "Scope" }} />
      <form method="post" action="/editor/tokens" class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        <TextField name="name" label="Name" hint="Shown as the actor in the history: letters, digits, '.', '_' or '-'." values={values} errors={errors} />
        <Select
          name="scope"
          label="Scope"
          values={values}
          errors={errors}
          options={[
            { value: "read", label: "read: private reads only" },
            { value: "write", label: "write: edit the ledger and subscriptions" },
            { value: "admin", label: "admin: also manage tokens" },
          ]}
        />
        <button type="submit">Create token</button>
      </form>
      <h2>Tokens</h2>
      <table class="ops">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scope</th>
            <th scope="col">Created</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {props.tokens.map((t) => (
            <tr>
              <td>{t.name}</td>
              <td>{t.scope}</td>
              <td>
                {t.created_at.slice(0, 10)} by {t.created_by}
              </td>
              <td>
                {t.revoked_at ? (
                  `revoked ${t.revoked_at.slice(0, 10)}`
                ) : (
                  <ActionButton action={`/editor/tokens/${enc(t.id)}/revoke`} formToken={props.formToken} label={`Revoke ${t.name}`} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </EditorLayout>
  );
}

export const SUBSCRIPTION_LABELS: Record<string, string> = {
  url: "Receiver URL",
  description: "Description",
  event_types: "Event types",
  agreements: "Agreements",
  commitments: "Commitments",
  tags: "Tags",
  parties: "Parties",
};

interface SubscriptionSummary {
  id: string;
  url: string;
  description: string;
  state: string;
  disabled_reason: string | null;
  failing_since: string | null;
  event_types: string[] | null;
  agreements: string[] | null;
  commitments: string[] | null;
  tags: string[] | null;
  parties: string[] | null;
  previous_secret_expires_at: string | null;
}

/** Health in words, from what the service reports. */
export const subscriptionHealth = (s: SubscriptionSummary) =>
  s.state === "disabled"
    ? `disabled${s.disabled_reason ? `: ${s.disabled_reason}` : ""}`
    : s.state === "paused"
      ? "paused"
      : s.failing_since
        ? `failing since ${s.failing_since.slice(0, 16).replace("T", " ")} UTC`
        : "healthy";

function SecretOnce({ secret, what }: { secret: string; what: string }) {
  return (
    <div class="notice" role="status">
      <h2>{what}</h2>
      <p>Copy the signing secret now: it is shown this once and cannot be shown again.</p>
      <label for="new-secret">Signing secret</label>
      <input id="new-secret" type="text" readonly value={secret} class="secret" data-copy />
    </div>
  );
}

export function SubscriptionsPage(props: {
  who: string;
  formToken: string;
  subscriptions: SubscriptionSummary[];
  eventTypes: readonly string[];
  values: FormFields;
  errors: FieldErrors;
  created?: { id: string; secret: string };
  done?: string;
}) {
  const { values, errors } = props;
  return (
    <EditorLayout title="Webhook subscriptions" who={props.who} formToken={props.formToken}>
      <h1>Webhook subscriptions</h1>
      <Notice text={props.done} />
      {props.created ? <SecretOnce secret={props.created.secret} what={`Subscription ${props.created.id} created`} /> : null}
      <h2>Subscriptions</h2>
      <ul class="editor-list">
        {props.subscriptions.map((s) => (
          <li>
            <a href={`/editor/subscriptions/${enc(s.id)}`}>{s.description || s.url}</a> · {s.url} · {subscriptionHealth(s)}
          </li>
        ))}
      </ul>
      <h2>Add a subscription</h2>
      <ErrorSummary errors={errors} labels={SUBSCRIPTION_LABELS} />
      <form method="post" action="/editor/subscriptions" class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        <TextField name="url" label="Receiver URL" type="url" hint="Where the signed webhooks are POSTed (https)." values={values} errors={errors} />
        <TextField name="description" label="Description" values={values} errors={errors} />
        <p class="hint">Filters: leave one empty to receive everything of that kind.</p>
        <Select name="event_types" label="Event types" multiple hint="Hold Ctrl (or Cmd) to choose several." values={values} errors={errors} options={props.eventTypes.map((t) => ({ value: t, label: t }))} />
        <TextArea name="agreements" label="Agreements" hint="Agreement ids, one a line." rows={2} values={values} errors={errors} />
        <TextArea name="commitments" label="Commitments" hint="Commitment ids, one a line." rows={2} values={values} errors={errors} />
        <TextArea name="tags" label="Tags" hint="One a line." rows={2} values={values} errors={errors} />
        <TextArea name="parties" label="Parties" hint="One a line." rows={2} values={values} errors={errors} />
        <button type="submit">Add subscription</button>
      </form>
    </EditorLayout>
  );
}

export function SubscriptionPage(props: {
  who: string;
  formToken: string;
  subscription: SubscriptionSummary & { deliveries?: { succeeded: number; failed: number; cancelled: number; pending: number; last_success_at: string | null } };
  deliveries: { id: string; event_id: string; state: string; attempts: number; last_status_code: number | null; last_error: string | null; created_at: string }[];
  rotated?: string;
  done?: string;
  problem?: string;
  eventTypes: readonly string[];
  values: FormFields;
  errors: FieldErrors;
}) {
  const s = props.subscription;
  const { values, errors } = props;
  const action = (path: string, label: string, extra?: Child) => (
    <ActionButton action={`/editor/subscriptions/${enc(s.id)}/${path}`} formToken={props.formToken} label={label} inline>
      {extra}
    </ActionButton>
  );
  const filters = (["event_types", "agreements", "commitments", "tags", "parties"] as const).map((k) => [SUBSCRIPTION_LABELS[k]!, s[k]] as const);
  return (
    <EditorLayout title={`Subscription ${s.id}`} who={props.who} formToken={props.formToken}>
      <h1>Subscription {s.description || s.id}</h1>
      {props.rotated ? <SecretOnce secret={props.rotated} what="Signing secret rotated" /> : null}
      <Notice text={props.done} />
      {props.problem ? (
        <div class="error-summary" role="alert">
          <h2>There is a problem</h2>
          <p>{props.problem}</p>
        </div>
      ) : null}
      <dl class="facts">
        <dt>Receiver URL</dt>
        <dd>{s.url}</dd>
        <dt>Health</dt>
        <dd>{subscriptionHealth(s)}</dd>
        {s.deliveries ? (
          <>
            <dt>Deliveries since it was created</dt>
            <dd>
              {s.deliveries.succeeded} succeeded, {s.deliveries.failed} failed, {s.deliveries.cancelled} cancelled, {s.deliveries.pending} pending
              {s.deliveries.last_success_at ? `; last success ${s.deliveries.last_success_at}` : ""}
            </dd>
          </>
        ) : null}
        {filters.map(([label, value]) => (
          <>
            <dt>{label}</dt>
            <dd>{value && value.length > 0 ? value.join(", ") : "all"}</dd>
          </>
        ))}
        {s.previous_secret_expires_at ? (
          <>
            <dt>Previous secret</dt>
            <dd>still signs until {s.previous_secret_expires_at}</dd>
          </>
        ) : null}
      </dl>
      <div class="actions">
        {s.state === "active"
          ? action("state", "Pause subscription", <input type="hidden" name="state" value="paused" />)
          : action("state", "Resume subscription", <input type="hidden" name="state" value="active" />)}
        {action("rotate", "Rotate signing secret")}
        {action("test", "Send a test event")}
        {action("delete", "Delete subscription")}
      </div>
      <h2>Change the receiver and filters</h2>
      <ErrorSummary errors={errors} labels={SUBSCRIPTION_LABELS} />
      <form method="post" action={`/editor/subscriptions/${enc(s.id)}`} class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        <TextField name="url" label="Receiver URL" type="url" values={values} errors={errors} />
        <TextField name="description" label="Description" values={values} errors={errors} />
        <p class="hint">Filters: leave one empty to receive everything of that kind.</p>
        <Select name="event_types" label="Event types" multiple hint="Hold Ctrl (or Cmd) to choose several." values={values} errors={errors} options={props.eventTypes.map((t) => ({ value: t, label: t }))} />
        <TextArea name="agreements" label="Agreements" hint="Agreement ids, one a line." rows={2} values={values} errors={errors} />
        <TextArea name="commitments" label="Commitments" hint="Commitment ids, one a line." rows={2} values={values} errors={errors} />
        <TextArea name="tags" label="Tags" hint="One a line." rows={2} values={values} errors={errors} />
        <TextArea name="parties" label="Parties" hint="One a line." rows={2} values={values} errors={errors} />
        <button type="submit">Save subscription</button>
      </form>
      <h2>Delivery log</h2>
      <table class="ops">
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Event</th>
            <th scope="col">State</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((d) => (
            <tr>
              <td>{d.created_at.slice(0, 19).replace("T", " ")}</td>
              <td>{d.event_id}</td>
              <td>{d.state}</td>
              <td>{d.attempts}</td>
              <td>{d.last_status_code ?? d.last_error ?? "—"}</td>
              <td>
                {d.state === "pending" ? (
                  "on schedule"
                ) : (
                  <ActionButton action={`/editor/deliveries/${enc(d.id)}/redeliver`} formToken={props.formToken} label={`Redeliver ${d.id}`} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </EditorLayout>
  );
}

export const PARTY_LABELS: Record<string, string> = { slug: "Slug", name: "Name", aliases: "Aliases" };

/**
 * Parties and their aliases: a form that names a party (or renames it, replacing its aliases:
 * the same PUT as /api/v1/parties/{slug}), the named parties with "Edit" and "Forget", and the
 * other names commitments give, each with a link to fill the form from it.
 */
export function PartiesPage(props: {
  who: string;
  formToken: string;
  named: { slug: string; name: string; aliases: string[]; total: number }[];
  others: { slug: string; name: string; total: number }[];
  values: FormFields;
  errors: FieldErrors;
  done?: string;
}) {
  const { values, errors } = props;
  return (
    <EditorLayout title="Parties and aliases" who={props.who} formToken={props.formToken}>
      <h1>Parties and aliases</h1>
      <Notice text={props.done} />
      <p>
        Names match whatever their case and accents. Aliases make other names count as the same party: on its page, in its feeds and
        calendar, and in the <code>?party=</code> filters.
      </p>
      <h2>Name a party</h2>
      <ErrorSummary errors={errors} labels={PARTY_LABELS} />
      <form method="post" action="/editor/parties" class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        <TextField name="slug" label="Slug" hint="Its address: /parties/united-states. Lower-case letters, digits and hyphens. An existing slug is renamed." values={values} errors={errors} />
        <TextField name="name" label="Name" hint="As pages show it, for example United States." values={values} errors={errors} />
        <TextArea name="aliases" label="Aliases" hint="One a line, for example US and USA. Saving replaces the party's aliases." values={values} errors={errors} />
        <button type="submit">Save party</button>
      </form>
      <h2>Named parties</h2>
      {props.named.length === 0 ? <p>No party named yet.</p> : null}
      <ul class="items">
        {props.named.map((p) => (
          <li>
            <a href={`/parties/${enc(p.slug)}`}>{p.name}</a> ({p.total}){p.aliases.length > 0 ? ` · also ${p.aliases.join(", ")}` : ""} ·{" "}
            <a href={`/editor/parties?edit=${enc(p.slug)}`}>Edit {p.name}</a>{" "}
            <ActionButton action={`/editor/parties/${enc(p.slug)}/delete`} formToken={props.formToken} label={`Forget ${p.name}`} inline />
          </li>
        ))}
      </ul>
      <h2>Other names in the ledger</h2>
      {props.others.length === 0 ? <p>Every name belongs to a named party.</p> : null}
      <ul class="items">
        {props.others.map((p) => (
          <li>
            <a href={`/parties/${enc(p.slug)}`}>{p.name}</a> ({p.total}) · <a href={`/editor/parties?name=${enc(p.name)}`}>Name {p.name} as a party</a>
          </li>
        ))}
      </ul>
    </EditorLayout>
  );
}
