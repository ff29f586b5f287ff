/**
 * The editor's "Paste a statement" pages: the paste form, the review screen (the text with each
 * quote highlighted beside the drafts, each with how its deadline was read, and accept / edit
 * then accept / reject / accept all), and the edit-then-accept form. Views render what
 * intake/drafts shaped; nothing here reads a deadline or a party.
 */
import type { DraftView } from "../intake/drafts/drafts.service";
import type { FieldErrors, FormFields } from "./editor.forms";
import { ActionButton, DeadlineFields, EditorLayout, ErrorSummary, FieldError, FormToken, TextArea, TextField, COMMITMENT_LABELS, Notice } from "./editor.views";

const enc = encodeURIComponent;

export const PASTE_LABELS: Record<string, string> = {
  text: "Statement text",
  signed_on: "Signing date",
  source_url: "Source URL",
  parties: "Parties",
};

export function PastePage(props: {
  who: string;
  formToken: string;
  agreement: { id: string; title: string; signed_on: string | null; parties: string[] };
  values: FormFields;
  errors: FieldErrors;
  batches: { id: string; created_at: string; count: number }[];
}) {
  const { agreement, values, errors } = props;
  return (
    <EditorLayout title="Paste a statement" who={props.who} formToken={props.formToken}>
      <h1>Paste a statement</h1>
      <p>
        For <a href={`/editor/agreements/${enc(agreement.id)}/edit`}>{agreement.title}</a>. Paste the text of the agreement or of a statement about it:
        pledgewatch proposes the commitments it finds, with the quote and how it read each deadline. Nothing is added to the ledger until you accept a draft.
      </p>
      <ErrorSummary errors={errors} labels={PASTE_LABELS} />
      <form method="post" action={`/editor/agreements/${enc(agreement.id)}/drafts`} class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        <TextArea name="text" label="Statement text" hint="Up to 100 KB of plain text." rows={14} values={values} errors={errors} />
        <TextField
          name="signed_on"
          label="Signing date (optional)"
          hint={`YYYY-MM-DD. Relative deadlines ("within six months") count from it. Empty means the agreement's: ${agreement.signed_on ?? "none yet"}.`}
          values={values}
          errors={errors}
        />
        <TextArea name="parties" label="Parties (optional)" hint={`One a line. Empty means the agreement's: ${agreement.parties.join(", ") || "none"}.`} values={values} errors={errors} rows={3} />
        <TextField name="source_url" label="Source URL (optional)" type="url" hint="Where the statement was published: each accepted commitment's first evidence link. Empty means the agreement's." values={values} errors={errors} />
        <button type="submit">Propose commitments</button>
      </form>
      {props.batches.length > 0 ? (
        <>
          <h2>Statements read before</h2>
          <ul class="editor-list">
            {props.batches.map((b) => (
              <li>
                <a href={`/editor/drafts/batches/${enc(b.id)}`}>Read {b.created_at.slice(0, 16).replace("T", " ")} UTC</a> ({b.count} pending)
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </EditorLayout>
  );
}

/** The text in pieces: plain runs and the quotes of the drafts, highlighted (spans never overlap: they are sentences). */
function Statement({ text, drafts }: { text: string; drafts: DraftView[] }) {
  const pieces: unknown[] = [];
  let at = 0;
  for (const d of [...drafts].sort((a, b) => a.span[0] - b.span[0])) {
    if (d.span[0] < at) continue;
    pieces.push(text.slice(at, d.span[0]));
    pieces.push(
      <mark id={`quote-${d.id}`} class={d.status}>
        {text.slice(d.span[0], d.span[1])}
      </mark>,
    );
    at = d.span[1];
  }
  pieces.push(text.slice(at));
  return <div class="statement">{pieces}</div>;
}

const STATUS_WORDS: Record<string, string> = { pending: "Pending", accepted: "Accepted", rejected: "Rejected" };

function DraftCard({ d, formToken, error }: { d: DraftView; formToken: string; error?: string }) {
  const errors: FieldErrors = error ? { list: [{ field: `draft-${d.id}`, message: error }], byField: { [`draft-${d.id}`]: error } } : { list: [], byField: {} };
  return (
    <li class="draft" id={`draft-${d.id}`}>
      <h3>{d.title}</h3>
      <FieldError id={`draft-${d.id}`} errors={errors} />
      <p>
        <strong>{STATUS_WORDS[d.status]}</strong>
        {d.status === "accepted" && d.commitment ? (
          <>
            {" "}
            as <a href={`/editor/commitments/${enc(d.commitment)}`}>{d.commitment}</a>
          </>
        ) : null}
        {d.status === "rejected" && d.reason ? `: ${d.reason}` : null}
        {" · "}
        <a href={`#quote-${d.id}`}>Show in the text</a>
      </p>
      <blockquote>{d.quote}</blockquote>
      <dl class="facts">
        <dt>Deadline</dt>
        <dd>{d.deadline ? `“${d.deadline.phrase}”: ${d.deadline.explanation}` : "None stated"}</dd>
        <dt>Parties</dt>
        <dd>{d.parties.join(", ") || "None"}</dd>
        <dt>Read from</dt>
        <dd>
          {d.cues.join(", ")} (confidence {Math.round(d.confidence * 100)}%)
        </dd>
      </dl>
      {d.status === "pending" ? (
        <div class="actions">
          <ActionButton action={`/editor/drafts/${enc(d.id)}/accept`} formToken={formToken} label="Accept" inline />
          <a href={`/editor/drafts/${enc(d.id)}/edit`}>Edit then accept</a>
          <form method="post" action={`/editor/drafts/${enc(d.id)}/reject`} class="inline">
            <FormToken token={formToken} />
            <label for={`reason-${d.id}`}>Reason for rejecting (optional)</label>{" "}
            <input type="text" id={`reason-${d.id}`} name="reason" />{" "}
            <button type="submit" class="secondary">
              Reject
            </button>
          </form>
        </div>
      ) : null}
    </li>
  );
}

export function ReviewPage(props: {
  who: string;
  formToken: string;
  batch: { id: string; agreement: string | null; signed_on: string | null; text: string };
  agreementTitle: string | null;
  drafts: DraftView[];
  done?: string;
  errorFor?: { id: string; message: string };
}) {
  const pending = props.drafts.filter((d) => d.status === "pending").length;
  const summary: FieldErrors = props.errorFor
    ? { list: [{ field: `draft-${props.errorFor.id}`, message: props.errorFor.message }], byField: {} }
    : { list: [], byField: {} };
  return (
    <EditorLayout title="Review drafts" who={props.who} formToken={props.formToken}>
      <h1>Review drafts</h1>
      <Notice text={props.done} />
      <ErrorSummary errors={summary} labels={{}} />
      <p>
        {props.batch.agreement ? (
          <>
            For <a href={`/editor/agreements/${enc(props.batch.agreement)}/edit`}>{props.agreementTitle ?? props.batch.agreement}</a>
          </>
        ) : (
          "Read without an agreement"
        )}
        , deadlines counted from {props.batch.signed_on ?? "an unknown signing date"}. {props.drafts.length} drafts, {pending} pending.{" "}
        {props.batch.agreement ? <a href={`/editor/agreements/${enc(props.batch.agreement)}/drafts`}>Paste another statement</a> : null}
      </p>
      {pending > 0 ? <ActionButton action={`/editor/drafts/batches/${enc(props.batch.id)}/accept-all`} formToken={props.formToken} label={`Accept all ${pending} pending drafts`} /> : null}
      <div class="review">
        <section aria-labelledby="statement-title">
          <h2 id="statement-title">The statement</h2>
          <Statement text={props.batch.text} drafts={props.drafts} />
        </section>
        <section aria-labelledby="drafts-title">
          <h2 id="drafts-title">Drafts</h2>
          {props.drafts.length === 0 ? <p>This text promises nothing that pledgewatch recognises: no drafts.</p> : null}
          <ol class="drafts">
            {props.drafts.map((d) => (
              <DraftCard d={d} formToken={props.formToken} error={props.errorFor?.id === d.id ? props.errorFor.message : undefined} />
            ))}
          </ol>
        </section>
      </div>
    </EditorLayout>
  );
}

/** The draft edit form names its fields as the commitment form does. */
export const DRAFT_EDIT_LABELS: Record<string, string> = { ...COMMITMENT_LABELS, form: "" };

export function DraftEditPage(props: { who: string; formToken: string; draft: DraftView; needsAgreement: boolean; values: FormFields; errors: FieldErrors }) {
  const { draft, values, errors } = props;
  return (
    <EditorLayout title="Edit then accept" who={props.who} formToken={props.formToken}>
      <h1>Edit then accept</h1>
      <p>
        <a href={`/editor/drafts/batches/${enc(draft.batch)}#draft-${enc(draft.id)}`}>Back to the drafts</a>
      </p>
      <blockquote>{draft.quote}</blockquote>
      <p>Deadline as read: {draft.deadline ? `“${draft.deadline.phrase}”: ${draft.deadline.explanation}` : "none stated"}.</p>
      <ErrorSummary errors={errors} labels={DRAFT_EDIT_LABELS} />
      <FieldError id="form" errors={errors} />
      <form method="post" action={`/editor/drafts/${enc(draft.id)}/edit`} class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        {props.needsAgreement ? <TextField name="agreement" label="Agreement" hint="The id of the agreement this commitment belongs to." values={values} errors={errors} /> : null}
        <TextField name="id" label="ID (optional)" hint="Lower-case letters, digits and hyphens. Made from the title if you leave it empty." values={values} errors={errors} />
        <TextField name="title" label="Title" values={values} errors={errors} />
        <TextArea name="description" label="Description" rows={4} values={values} errors={errors} />
        <TextArea name="parties" label="Parties" hint="One a line." values={values} errors={errors} />
        <TextArea name="tags" label="Tags" hint="One a line, or separated by commas." values={values} errors={errors} rows={2} />
        <DeadlineFields values={values} errors={errors} />
        <button type="submit">Accept as a commitment</button>
      </form>
    </EditorLayout>
  );
}
