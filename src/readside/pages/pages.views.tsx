/**
 * The HTML pages (hono/jsx, server-rendered, no client script). hono/jsx escapes every text
 * child and attribute; links to user-supplied URLs are only emitted for http(s) URLs.
 */
import type { Child } from "hono/jsx";
import type { AgreementRow } from "../../ledger/agreements.table";
import type { CommitmentWithDeps } from "../../ledger/commitments.repo";
import type { FeedItem } from "../feeds/feeds.service";
import { daysPhrase, plural, progressLabel, timelinessLabel } from "../../lib/labels";
import { isSafeHref } from "../../lib/xml";
import type { AgreementSection, CommitmentCard, DeadlineFacts, DeadlineStep, PartyGroup, Summary, TimelineData, VerificationFacts } from "./pages.service";
import type { Party, PartyCounts, partyLinks } from "../../ledger/parties.service";
import { Timeline } from "./pages.timeline";

export const CSS_PATH = "/assets/pages.css";
export const ICON_PATH = "/assets/icon.svg";

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoMinute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
const enc = encodeURIComponent;

interface LayoutProps {
  title: string;
  /** Feed URLs for <link rel="alternate">: the page's own filter ("?commitment=…") or none. */
  feedQuery?: string;
  /** The footer's sign-in link; the editor's own pages (editor/) leave it out. */
  signInLink?: boolean;
  /** Same-origin scripts (the editor's enhancements); public pages have none. */
  scripts?: string[];
  children: Child;
}

export function Layout({ title, feedQuery = "", signInLink = true, scripts = [], children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>{title}</title>
        <link rel="stylesheet" href={CSS_PATH} />
        <link rel="icon" href={ICON_PATH} type="image/svg+xml" />
        <link rel="alternate" type="application/rss+xml" title="Status changes (RSS)" href={`/feed.xml${feedQuery}`} />
        <link rel="alternate" type="application/atom+xml" title="Status changes (Atom)" href={`/feed.atom${feedQuery}`} />
        <link rel="alternate" type="application/feed+json" title="Status changes (JSON Feed)" href={`/feed.json${feedQuery}`} />
        {scripts.map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site">
          <div class="wrap">
            <a class="brand" href="/">
              pledgewatch
            </a>
            <nav aria-label="Feeds and data">
              <ul>
                <li>
                  <a href="/feed.xml">RSS</a>
                </li>
                <li>
                  <a href="/feed.atom">Atom</a>
                </li>
                <li>
                  <a href="/feed.json">JSON Feed</a>
                </li>
                <li>
                  <a href="/calendar.ics">Calendar</a>
                </li>
                <li>
                  <a href="/status.json">status.json</a>
                </li>
                <li>
                  <a href="/docs">API</a>
                </li>
              </ul>
            </nav>
          </div>
        </header>
        <main id="main" class="wrap">
          {children}
        </main>
        <footer>
          <div class="wrap">
            <p>
              Dates are calendar dates; day counts are whole days in UTC. Progress is reported by people;
              timeliness is computed from the deadline. Follow changes with the <a href="/feed.xml">RSS</a>,{" "}
              <a href="/feed.atom">Atom</a> or <a href="/feed.json">JSON</a> feeds, subscribe to the{" "}
              <a href="/calendar.ics">deadline calendar</a>, or read the <a href="/docs">API documentation</a>.
              {signInLink ? (
                <>
                  {" "}
                  Editors <a href="/login">sign in to edit the ledger</a>.
                </>
              ) : null}
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

export function TimelinessBadge({ t }: { t: string }) {
  return <span class={`badge t-${t}`}>{timelinessLabel(t)}</span>;
}

export function ProgressBadge({ status }: { status: string }) {
  return (
    <span class="badge progress">
      <span class="visually-hidden">progress: </span>
      {progressLabel(status)}
    </span>
  );
}

/** "Deadline 2026-02-08 · 292 days overdue" */
function DueLine({ card }: { card: CommitmentCard }) {
  if (card.waitingReason !== null) return <p class="due">Deadline: {card.waitingReason}</p>;
  if (card.dueOn === null) return <p class="due">No deadline</p>;
  const open = card.timeliness === "overdue" || card.timeliness === "due_soon" || card.timeliness === "on_track";
  let phrase: string | null = null;
  if (card.timeliness === "overdue") phrase = daysPhrase(-(card.daysOverdue ?? 0), true);
  else if (open && card.daysLeft !== null) phrase = daysPhrase(card.daysLeft, false);
  return (
    <p class="due">
      Deadline <time datetime={card.dueOn}>{card.dueOn}</time>
      {phrase ? (
        <>
          {" · "}
          <strong class={card.timeliness === "overdue" ? "late" : ""}>{phrase}</strong>
        </>
      ) : null}
    </p>
  );
}

/** One commitment as a card; `level` keeps the heading outline unbroken where it is used. */
export function Card({ card, showAgreement, level = 4 }: { card: CommitmentCard; showAgreement?: string; level?: 3 | 4 }) {
  const title = <a href={`/commitments/${enc(card.id)}`}>{card.title}</a>;
  return (
    <li class={`card t-${card.timeliness}`}>
      {level === 3 ? <h3 class="card-title">{title}</h3> : <h4 class="card-title">{title}</h4>}
      <p class="badges">
        <TimelinessBadge t={card.timeliness} /> <ProgressBadge status={card.status} />
      </p>
      <DueLine card={card} />
      {showAgreement ? <p class="meta">Agreement: {showAgreement}</p> : null}
      {card.latest ? (
        <p class="latest">
          Latest: {card.latest.text}, <time datetime={new Date(card.latest.at).toISOString()}>{isoDate(card.latest.at)}</time>
        </p>
      ) : null}
    </li>
  );
}

export function SummaryList({ summary }: { summary: Summary }) {
  const items: Array<[string, number, string]> = [
    ["overdue", summary.overdue, "overdue"],
    ["due_soon", summary.due_soon, "due soon"],
    ["on_track", summary.on_track, "on track"],
    ["done", summary.done, "done"],
  ];
  return (
    <>
      <ul class="summary">
        {items.map(([key, n, label]) => (
          <li class={`s-${key}`}>
            <span class="num">{n}</span> <span class="lbl">{label}</span>
          </li>
        ))}
      </ul>
      <p class="summary-more">
        {plural(summary.total, "commitment")} in all; {summary.no_deadline} without a deadline,{" "}
        {summary.waiting > 0 ? `${summary.waiting} waiting on an event before their deadline runs, ` : ""}
        {summary.closed} broken or withdrawn.
      </p>
    </>
  );
}

export function TimelineFigure({ timeline, now, id }: { timeline: TimelineData; now: number; id: string }) {
  if (timeline.items.length === 0) return <p>No commitment has a deadline yet.</p>;
  return (
    <figure class="timeline">
      <Timeline items={timeline.items} now={now} width={760} fontSize={12} idPrefix={`${id}-wide`} className="tl-wide" />
      <Timeline items={timeline.items} now={now} width={360} fontSize={13} idPrefix={`${id}-narrow`} className="tl-narrow" />
      <figcaption>
        <ul class="legend" aria-label="Legend">
          <li>
            <span class="dot d-overdue" aria-hidden="true"></span>overdue
          </li>
          <li>
            <span class="dot d-due_soon" aria-hidden="true"></span>due soon
          </li>
          <li>
            <span class="dot d-on_track" aria-hidden="true"></span>on track
          </li>
          <li>
            <span class="dot d-met" aria-hidden="true"></span>met
          </li>
          <li>
            <span class="dot d-closed" aria-hidden="true"></span>closed
          </li>
          <li>dashed line: today ({isoDate(now)})</li>
          {timeline.limited ? <li>showing the {timeline.items.length} deadlines nearest today</li> : null}
        </ul>
      </figcaption>
    </figure>
  );
}

function HistoryList({ items }: { items: FeedItem[] }) {
  if (items.length === 0) return <p>No changes recorded yet.</p>;
  return (
    <ol class="history">
      {items.map((item) => (
        <li>
          <span class="when">
            <time datetime={new Date(item.recordedAt).toISOString()}>{isoMinute(item.recordedAt)}</time>
          </span>
          <p>
            <strong>{item.title}</strong>
          </p>
          {item.lines.map((line) =>
            line.href && isSafeHref(line.href) ? (
              <p>
                {line.text.slice(0, line.text.indexOf(":") + 1)}{" "}
                <a href={line.href} rel="nofollow noopener noreferrer">
                  {line.text.slice(line.text.indexOf(":") + 1).trim()}
                </a>
              </p>
            ) : (
              <p>{line.text}</p>
            ),
          )}
        </li>
      ))}
    </ol>
  );
}

function FollowLinks({ query, what }: { query: string; what: string }) {
  return (
    <ul class="follow">
      <li>
        Feeds of {what}: <a href={`/feed.xml${query}`}>RSS</a>, <a href={`/feed.atom${query}`}>Atom</a>,{" "}
        <a href={`/feed.json${query}`}>JSON Feed</a>
      </li>
      <li>
        <a href={`/calendar.ics${query}`}>Deadline calendar</a> (iCalendar, for any calendar app)
      </li>
    </ul>
  );
}

/**
 * What a page shows a signed-in editor (editor/ renders it; public answers never have it): placed
 * under the h1, and the footer's sign-in link goes.
 */
export type Controls = Child | undefined;

export function HomePage(props: {
  summary: Summary;
  sections: AgreementSection[];
  timeline: TimelineData;
  parties: Array<{ slug: string; name: string; count: number }>;
  now: number;
  controls?: Controls;
}) {
  const { summary, sections, timeline, parties, now } = props;
  return (
    <Layout title="pledgewatch: commitment status" signInLink={!props.controls}>
      <h1>Commitment status</h1>
      {props.controls}
      <p class="lede">
        {plural(summary.total, "commitment")} in {plural(sections.length, "agreement")}, as of{" "}
        <time datetime={isoDate(now)}>{isoDate(now)}</time>.
      </p>
      <section aria-labelledby="summary-h">
        <h2 id="summary-h" class="visually-hidden">
          Summary
        </h2>
        <SummaryList summary={summary} />
      </section>
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Deadlines</h2>
        <TimelineFigure timeline={timeline} now={now} id="home-tl" />
      </section>
      {parties.length > 0 ? (
        <section aria-labelledby="parties-h">
          <h2 id="parties-h">Parties</h2>
          <ul class="parties">
            {parties.map((p) => (
              <li>
                <a href={`/parties/${enc(p.slug)}`}>{p.name}</a> ({plural(p.count, "commitment")})
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="agreements-h">
        <h2 id="agreements-h">Agreements and their commitments</h2>
        {sections.length === 0 ? <p>No agreements recorded yet.</p> : null}
        {sections.map((s) => (
          <section class="agreement" aria-labelledby={`a-${s.agreement.id}`}>
            <h3 id={`a-${s.agreement.id}`}>
              <a href={`/agreements/${enc(s.agreement.id)}`}>{s.agreement.title}</a>
            </h3>
            <AgreementMeta agreement={s.agreement} />
            {s.cards.length === 0 ? (
              <p>No commitments recorded for this agreement yet.</p>
            ) : (
              <ul class="cards two">
                {s.cards.map((card) => (
                  <Card card={card} />
                ))}
              </ul>
            )}
            {s.hidden > 0 ? (
              <p>
                <a href={`/agreements/${enc(s.agreement.id)}`}>and {plural(s.hidden, "more commitment")}…</a>
              </p>
            ) : null}
          </section>
        ))}
      </section>
      <section aria-labelledby="follow-h">
        <h2 id="follow-h">Follow</h2>
        <FollowLinks query="" what="every change" />
      </section>
    </Layout>
  );
}

function AgreementMeta({ agreement }: { agreement: AgreementRow }) {
  const parts = [
    agreement.kind.replace(/_/g, " "),
    agreement.signedOn ? `signed ${agreement.signedOn}` : "not signed yet",
    agreement.parties.length > 0 ? agreement.parties.join(", ") : null,
  ].filter((p): p is string => p !== null);
  return <p class="meta">{parts.join(" · ")}</p>;
}

export function CommitmentPage(props: {
  commitment: CommitmentWithDeps;
  verification: VerificationFacts;
  card: CommitmentCard;
  agreement: AgreementRow | null;
  dependsOn: CommitmentCard[];
  dependents: CommitmentCard[];
  dependentsHidden: number;
  history: FeedItem[];
  deadline: DeadlineFacts | null;
  deadlines: DeadlineStep[];
  base: string;
  controls?: Controls;
}) {
  const { commitment: c, verification, card, agreement, dependsOn, dependents, dependentsHidden, history, deadline, deadlines, base } = props;
  const query = `?commitment=${enc(c.id)}`;
  const badgeUrl = `${base}/badges/${enc(c.id)}.svg`;
  return (
    <Layout title={`${c.title} · pledgewatch`} feedQuery={query} signInLink={!props.controls}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/">Status</a>
        {agreement ? (
          <>
            {" › "}
            <a href={`/agreements/${enc(agreement.id)}`}>{agreement.title}</a>
          </>
        ) : null}
      </nav>
      <h1>{c.title}</h1>
      <p class="badges">
        <TimelinessBadge t={card.timeliness} /> <ProgressBadge status={c.status} />
      </p>
      <DueLine card={card} />
      {props.controls}
      <dl class="facts">
        <dt>Deadline</dt>
        <dd>
          {deadline ? (
            <>
              <time datetime={deadline.dueOn}>{deadline.dueOn}</time> (end of day, {deadline.timeZone})
              {deadline.grace ? `, grace period ${deadline.grace}` : ""}
              {deadline.relative ? ` — ${deadline.relative}` : ""}
            </>
          ) : (
            "none (open-ended)"
          )}
        </dd>
        <dt>Agreement</dt>
        <dd>{agreement ? <a href={`/agreements/${enc(agreement.id)}`}>{agreement.title}</a> : c.agreementId}</dd>
        <dt>Progress</dt>
        <dd>
          {progressLabel(c.status)} since <time datetime={new Date(c.statusChangedAt).toISOString()}>{isoDate(c.statusChangedAt)}</time>
        </dd>
        <dt>Timeliness</dt>
        <dd>{card.waitingReason ?? timelinessLabel(card.timeliness)}</dd>
        <dt>Last verified</dt>
        <dd>
          {verification.lastVerifiedAt === null ? (
            verification.phrase
          ) : (
            <time datetime={new Date(verification.lastVerifiedAt).toISOString()}>{verification.phrase}</time>
          )}
          {verification.stale ? ` — needs checking (every ${verification.verifyEvery})` : ""}
        </dd>
        <dt>Responsible</dt>
        <dd>{c.parties.length > 0 ? c.parties.join(", ") : "not stated"}</dd>
        <dt>Tags</dt>
        <dd>{c.tags.length > 0 ? c.tags.join(", ") : "none"}</dd>
      </dl>
      {c.description ? (
        <section aria-labelledby="desc-h">
          <h2 id="desc-h">Description</h2>
          <p class="prose">{c.description}</p>
        </section>
      ) : null}
      <section aria-labelledby="evidence-h">
        <h2 id="evidence-h">Evidence</h2>
        {c.evidence.length === 0 ? (
          <p>No evidence links yet.</p>
        ) : (
          <ul>
            {c.evidence.map((e) => (
              <li>{isSafeHref(e.url) ? <a href={e.url} rel="nofollow noopener noreferrer">{e.title ?? e.url}</a> : (e.title ?? e.url)}</li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="deadline-h">
        <h2 id="deadline-h">Deadline history</h2>
        {deadlines.length === 0 ? (
          <p>No deadline changes recorded.</p>
        ) : (
          <ol class="history">
            {deadlines.map((d) => (
              <li>
                <span class="when">
                  <time datetime={new Date(d.at).toISOString()}>{isoMinute(d.at)}</time>
                </span>
                <p>
                  <strong>{d.kind === "set" ? `Deadline set: ${d.to ?? "none"}` : `${d.from ?? "none"} → ${d.to ?? "none"}`}</strong>
                </p>
                {d.reason ? <p>Reason: {d.reason}</p> : null}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="deps-h">
        <h2 id="deps-h">Dependencies</h2>
        <h3>Depends on</h3>
        {dependsOn.length === 0 ? (
          <p>Nothing.</p>
        ) : (
          <ul class="cards">
            {dependsOn.map((d) => (
              <Card card={d} />
            ))}
          </ul>
        )}
        <h3>Needed by</h3>
        {dependents.length === 0 ? (
          <p>Nothing depends on this commitment.</p>
        ) : (
          <ul class="cards">
            {dependents.map((d) => (
              <Card card={d} />
            ))}
          </ul>
        )}
        {dependentsHidden > 0 ? <p>… and {plural(dependentsHidden, "more commitment")} (not listed here).</p> : null}
      </section>
      <section aria-labelledby="history-h">
        <h2 id="history-h">Change history</h2>
        <HistoryList items={history} />
      </section>
      <section aria-labelledby="follow-h">
        <h2 id="follow-h">Follow this commitment</h2>
        <FollowLinks query={query} what="this commitment's changes" />
        <p>
          Badge for other pages: <img src={`/badges/${enc(c.id)}.svg`} alt={`Timeliness of ${c.title}: ${timelinessLabel(card.timeliness)}`} />
        </p>
        <p>
          <code>{`<img src="${badgeUrl}" alt="${c.title.replace(/"/g, "&quot;")}">`}</code>
        </p>
      </section>
    </Layout>
  );
}

export function AgreementPage(props: {
  agreement: AgreementRow;
  cards: CommitmentCard[];
  hidden: number;
  summary: Summary;
  timeline: TimelineData;
  history: FeedItem[];
  now: number;
  controls?: Controls;
}) {
  const { agreement: a, cards, hidden, summary, timeline, history, now } = props;
  const query = `?agreement=${enc(a.id)}`;
  return (
    <Layout title={`${a.title} · pledgewatch`} feedQuery={query} signInLink={!props.controls}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/">Status</a>
      </nav>
      <h1>{a.title}</h1>
      {props.controls}
      <AgreementMeta agreement={a} />
      {a.sourceUrl && isSafeHref(a.sourceUrl) ? (
        <p>
          Source: <a href={a.sourceUrl} rel="nofollow noopener noreferrer">{a.sourceUrl}</a>
        </p>
      ) : null}
      {a.summary ? <p class="prose">{a.summary}</p> : null}
      <section aria-labelledby="summary-h">
        <h2 id="summary-h">Summary</h2>
        <SummaryList summary={summary} />
      </section>
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Deadlines</h2>
        <TimelineFigure timeline={timeline} now={now} id="agr-tl" />
      </section>
      <section aria-labelledby="commitments-h">
        <h2 id="commitments-h">Commitments</h2>
        {cards.length === 0 ? (
          <p>No commitments recorded for this agreement yet.</p>
        ) : (
          <ul class="cards two">
            {cards.map((card) => (
              <Card card={card} level={3} />
            ))}
          </ul>
        )}
        {hidden > 0 ? (
          <p>
            Showing the {cards.length} most urgent; {plural(hidden, "more commitment")} in the{" "}
            <a href={`/calendar.ics${query}`}>calendar</a> and the API (<code>/api/v1/commitments{query}</code>).
          </p>
        ) : null}
      </section>
      <section aria-labelledby="history-h">
        <h2 id="history-h">Recent changes</h2>
        <HistoryList items={history} />
      </section>
      <section aria-labelledby="follow-h">
        <h2 id="follow-h">Follow this agreement</h2>
        <FollowLinks query={query} what="this agreement's changes" />
      </section>
    </Layout>
  );
}

export function PartyPage(props: {
  party: Party;
  counts: PartyCounts;
  summary: Summary;
  groups: PartyGroup[];
  timeline: TimelineData;
  links: ReturnType<typeof partyLinks>;
  now: number;
}) {
  const { party, counts, summary, groups, timeline, links, now } = props;
  const query = `?party=${encodeURIComponent(party.name)}`;
  const decided = counts.record.met_on_time + counts.record.met_late + counts.record.broken;
  return (
    <Layout title={`${party.name} · pledgewatch`} feedQuery={query}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="/">Status</a>
      </nav>
      <h1>{party.name}</h1>
      {party.aliases.length > 0 ? <p class="meta">Also known as {party.aliases.join(", ")}</p> : null}
      <p class="lede">
        {plural(counts.total, "commitment")} name {party.name} as responsible.
      </p>
      <section aria-labelledby="record-h">
        <h2 id="record-h">Record</h2>
        <dl class="facts record">
          <dt>Met on time</dt>
          <dd>{counts.record.met_on_time}</dd>
          <dt>Met late</dt>
          <dd>{counts.record.met_late}</dd>
          <dt>Overdue</dt>
          <dd>{counts.record.overdue}</dd>
          <dt>Broken</dt>
          <dd>{counts.record.broken}</dd>
        </dl>
        <p>
          {decided > 0
            ? `Of ${plural(decided, "decided commitment")}, ${counts.record.met_on_time} met on time.`
            : "No commitment has been met or broken yet."}{" "}
          <img src={links.badge} alt={`Record of ${party.name}: ${counts.record.met_on_time} met on time, ${counts.record.overdue} overdue`} />
        </p>
      </section>
      <section aria-labelledby="summary-h">
        <h2 id="summary-h">Summary</h2>
        <SummaryList summary={summary} />
      </section>
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Deadlines</h2>
        <TimelineFigure timeline={timeline} now={now} id="party-tl" />
      </section>
      <section aria-labelledby="commitments-h">
        <h2 id="commitments-h">Commitments by timeliness</h2>
        {groups.length === 0 ? <p>No commitments name this party yet.</p> : null}
        {groups.map((g) => (
          <section aria-labelledby={`g-${g.timeliness}`}>
            <h3 id={`g-${g.timeliness}`}>
              {timelinessLabel(g.timeliness)} ({g.total})
            </h3>
            <ul class="cards two">
              {g.cards.map((card) => (
                <Card card={card} level={4} />
              ))}
            </ul>
            {g.total > g.cards.length ? (
              <p>
                Showing {g.cards.length} of {g.total}; the rest in the API (
                <code>
                  {links.commitments}&amp;timeliness={g.timeliness}
                </code>
                ).
              </p>
            ) : null}
          </section>
        ))}
      </section>
      <section aria-labelledby="follow-h">
        <h2 id="follow-h">Follow this party</h2>
        <FollowLinks query={query} what={`${party.name}'s commitments`} />
      </section>
    </Layout>
  );
}

export function NotFoundPage({ what, id }: { what: string; id: string }) {
  return (
    <Layout title="Not found · pledgewatch">
      <h1>Not found</h1>
      <p>
        There is no {what} “{id}”. <a href="/">Back to the status page</a>.
      </p>
    </Layout>
  );
}
