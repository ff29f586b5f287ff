/**
 * The evidence watch in the editor: the inbox of open proposals (accept with a status, or as a
 * verification; dismiss with a reason), the sources with their health, and each source's page
 * (edit, pause or resume, delete). Views render what the
 * watch's services shaped; every text is escaped by hono/jsx, links only when http(s).
 */
import { isSafeHref } from "../lib/xml";
import { progressLabel } from "../lib/labels";
import { PROGRESS } from "../ledger/commitments.rules";
import type { ProposalView } from "../watch/proposals.service";
import type { SourceView } from "../watch/sources.service";
import { ActionButton, Checkbox, EditorLayout, ErrorSummary, FormToken, Select, TextArea, TextField, Notice } from "./editor.views";
import type { FieldErrors, FormFields } from "./editor.forms";

const SOURCE_LABELS: Record<string, string> = { url: "Source URL", kind: "Kind", agreements: "Agreements", parties: "Parties", keywords: "Keywords", every: "Poll every" };

const enc = encodeURIComponent;
const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "never");

export interface InboxItem {
  proposal: ProposalView;
  commitmentTitle: string;
  commitmentStatus: string;
}

export function sourceHealthText(s: SourceView): string {
  const h = s.health;
  switch (h.status) {
    case "paused":
      return "paused";
    case "pending":
      return "not polled yet";
    case "failing":
      return `failing (${h.consecutive_failures} in a row; last: ${h.last_error ?? `HTTP ${h.last_status}`})`;
    default:
      return `healthy (last answer ${h.last_status})`;
  }
}

export function WatchPage(props: {
  who: string;
  formToken: string;
  done?: string;
  problem?: string;
  inbox: InboxItem[];
  sources: SourceView[];
  values: FormFields;
  errors: FieldErrors;
}) {
  return (
    <EditorLayout title="Evidence watch" who={props.who} formToken={props.formToken}>
      <h1>Evidence watch</h1>
      <Notice text={props.done} />
      {props.problem ? (
        <div class="error-summary" role="alert" tabindex={-1}>
          <h2>There is a problem</h2>
          <p>{props.problem}</p>
        </div>
      ) : null}
      <h2>Inbox: open proposals ({props.inbox.length})</h2>
      {props.inbox.length === 0 ? <p>Nothing waiting. New items from the sources below appear here.</p> : null}
      {props.inbox.map(({ proposal: p, commitmentTitle, commitmentStatus }) => (
        <section class="proposal" aria-labelledby={`p-${p.id}`}>
          <h3 id={`p-${p.id}`}>
            <a href={`/editor/commitments/${enc(p.commitment)}`}>{commitmentTitle}</a>
          </h3>
          <p>
            Found: {isSafeHref(p.item.url) ? <a href={p.item.url}>{p.item.title}</a> : p.item.title}
            {p.item.published_at ? ` (${p.item.published_at.slice(0, 10)})` : ""} · score {p.score.toFixed(2)}
          </p>
          <blockquote>{p.snippet}</blockquote>
          <p>
            Now {progressLabel(commitmentStatus)}
            {p.suggested.status ? `; the wording suggests ${progressLabel(p.suggested.status)}` : ""}.
          </p>
          <form method="post" action={`/editor/watch/proposals/${enc(p.id)}/accept`} class="editor-form">
            <FormToken token={props.formToken} />
            <div class="field">
              <label for={`status-${p.id}`}>New status</label>
              <select id={`status-${p.id}`} name="status">
                <option value="">Keep the status (record the evidence as a check)</option>
                {PROGRESS.map((s) => (
                  <option value={s} selected={s === p.suggested.status}>
                    {progressLabel(s)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={`note-${p.id}`}>Note</label>
              <input id={`note-${p.id}`} name="note" type="text" />
            </div>
            <button type="submit">Accept proposal</button>
          </form>
          <form method="post" action={`/editor/watch/proposals/${enc(p.id)}/dismiss`} class="editor-form">
            <FormToken token={props.formToken} />
            <div class="field">
              <label for={`reason-${p.id}`}>Reason for dismissing</label>
              <input id={`reason-${p.id}`} name="reason" type="text" />
            </div>
            <button type="submit" class="secondary">
              Dismiss proposal
            </button>
          </form>
        </section>
      ))}
      <h2>Sources</h2>
      {props.sources.length === 0 ? <p>No sources yet: add one below (or with POST /api/v1/sources, README "Evidence watch").</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Kind</th>
            <th scope="col">Health</th>
            <th scope="col">Last fetched</th>
            <th scope="col">Next poll</th>
            <th scope="col">Proposals</th>
          </tr>
        </thead>
        <tbody>
          {props.sources.map((s) => (
            <tr>
              <td>
                <a href={`/editor/watch/sources/${enc(s.id)}`}>{s.url}</a>
              </td>
              <td>{s.kind}</td>
              <td>{sourceHealthText(s)}</td>
              <td>{when(s.health.last_fetched_at)}</td>
              <td>{when(s.health.next_poll_at)}</td>
              <td>{s.health.proposals_made}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Add a source</h2>
      <ErrorSummary errors={props.errors} labels={SOURCE_LABELS} />
      <form method="post" action="/editor/watch/sources" class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        <SourceFields values={props.values} errors={props.errors} filtersHint="Filters are optional: leave one empty to match against all commitments (or all items)." />
        <button type="submit">Add source</button>
      </form>
    </EditorLayout>
  );
}

/** The fields of a source, the same in "Add a source" and a source's edit form. */
function SourceFields(props: { values: FormFields; errors: FieldErrors; filtersHint: string }) {
  const { values, errors } = props;
  return (
    <>
      <TextField name="url" label="Source URL" type="url" hint="An official feed or page, https." values={values} errors={errors} />
      <Select name="kind" label="Kind" values={values} errors={errors} options={[{ value: "feed", label: "Feed (RSS, Atom, RDF, JSON Feed)" }, { value: "page", label: "Web page (new text is compared)" }]} />
      <p class="hint">{props.filtersHint}</p>
      <TextArea name="agreements" label="Agreements" hint="Agreement ids, one a line. Only their commitments are matched." rows={2} values={values} errors={errors} />
      <TextArea name="parties" label="Parties" hint="One a line. Only commitments of these parties are matched." rows={2} values={values} errors={errors} />
      <TextArea name="keywords" label="Keywords" hint="One a line. An item must contain one of them." rows={2} values={values} errors={errors} />
      <TextField name="every" label="Poll every" hint="An ISO 8601 duration: PT1H (the default), PT30M, P1D. At least PT5M." values={values} errors={errors} />
    </>
  );
}

/** A source's own page: its health, pause or resume, its settings to change, and delete (ticked to confirm). */
export function SourcePage(props: {
  who: string;
  formToken: string;
  done?: string;
  source: SourceView;
  values: FormFields;
  errors: FieldErrors;
  deleteErrors: FieldErrors;
}) {
  const s = props.source;
  const h = s.health;
  const action = `/editor/watch/sources/${enc(s.id)}`;
  return (
    <EditorLayout title={`Source ${s.url}`} who={props.who} formToken={props.formToken}>
      <p>
        <a href="/editor/watch">Evidence watch</a>
      </p>
      <h1>Source: {s.url}</h1>
      <Notice text={props.done} />
      <dl>
        <dt>Health</dt>
        <dd>{sourceHealthText(s)}</dd>
        <dt>Last fetched</dt>
        <dd>{when(h.last_fetched_at)}</dd>
        <dt>Last success</dt>
        <dd>{when(h.last_success_at)}</dd>
        <dt>Next poll</dt>
        <dd>{s.state === "paused" ? "none while paused" : when(h.next_poll_at)}</dd>
        <dt>Items seen</dt>
        <dd>{h.items_seen}</dd>
        <dt>Proposals made</dt>
        <dd>{h.proposals_made}</dd>
        <dt>Added by</dt>
        <dd>
          {s.created_by}, {when(s.created_at)}
        </dd>
      </dl>
      <div class="actions">
        {s.state === "active" ? (
          <ActionButton action={`${action}/state`} formToken={props.formToken} label="Pause polling">
            <input type="hidden" name="state" value="paused" />
          </ActionButton>
        ) : (
          <ActionButton action={`${action}/state`} formToken={props.formToken} label="Resume polling">
            <input type="hidden" name="state" value="active" />
          </ActionButton>
        )}
      </div>
      <h2>Change this source</h2>
      <ErrorSummary errors={props.errors} labels={SOURCE_LABELS} />
      <form method="post" action={action} class="editor-form" novalidate>
        <FormToken token={props.formToken} />
        <SourceFields values={props.values} errors={props.errors} filtersHint="Filters: leave one empty to match against all commitments (or all items)." />
        <button type="submit">Save source</button>
      </form>
      <section class="danger" aria-labelledby="delete-title">
        <h2 id="delete-title">Delete this source</h2>
        <ErrorSummary errors={props.deleteErrors} labels={{ confirm: "Confirm deletion" }} />
        <form method="post" action={`${action}/delete`} class="editor-form" novalidate>
          <FormToken token={props.formToken} />
          <Checkbox
            name="confirm"
            value="yes"
            label="Yes, delete this source"
            hint="It is no longer polled and the items it has seen are forgotten. Its proposals stay, accepted or not."
            values={{}}
            errors={props.deleteErrors}
          />
          <button type="submit" class="warning">
            Delete source
          </button>
        </form>
      </section>
    </EditorLayout>
  );
}
