/**
 * The pages' one stylesheet, served from /assets/pages.css so the CSP can stay at
 * `style-src 'self'` (no inline styles anywhere). Mobile first; colours meet WCAG AA contrast
 * for their text (4.5:1 or better), and every colour-coded thing also says it in words.
 */
export const PAGES_CSS = `
:root {
  --fg: #111827; --muted: #4b5563; --bg: #ffffff; --panel: #f3f4f6; --line: #d1d5db; --link: #1d4ed8;
  --overdue: #b42318; --due-soon: #9a4a00; --on-track: #1b6e3a; --met: #1d4ed8; --met-late: #5b3fa6;
  --closed: #4b5563; --none: #e5e7eb;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--link); text-underline-offset: 2px; }
a:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.site { background: #0f172a; color: #f8fafc; }
.site .wrap { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: baseline; justify-content: space-between; padding-top: .75rem; padding-bottom: .75rem; }
.site a { color: #f8fafc; }
.brand { font-weight: 700; font-size: 1.15rem; text-decoration: none; }
.site nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem .9rem; font-size: .95rem; }
.wrap { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
main { padding-top: 1rem; padding-bottom: 2rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .5rem 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; overflow-wrap: anywhere; }
h4, .card-title { font-size: 1rem; margin: 0 0 .35rem; overflow-wrap: anywhere; }
.lede { color: var(--muted); margin-top: 0; }
.crumbs { font-size: .95rem; color: var(--muted); overflow-wrap: anywhere; }
.summary { list-style: none; padding: 0; margin: 1rem 0; display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .5rem; }
.summary li { border-radius: .5rem; padding: .6rem .8rem; color: #fff; }
.summary .num { display: block; font-size: 1.9rem; font-weight: 700; line-height: 1.1; }
.summary .lbl { font-size: .95rem; }
.summary .s-overdue { background: var(--overdue); }
.summary .s-due_soon { background: var(--due-soon); }
.summary .s-on_track { background: var(--on-track); }
.summary .s-done { background: var(--met); }
.summary-more { color: var(--muted); font-size: .95rem; }
.badge { display: inline-block; border-radius: 999px; padding: .05rem .6rem; font-size: .85rem; font-weight: 600; color: #fff; white-space: nowrap; }
.badge.t-overdue { background: var(--overdue); }
.badge.t-due_soon { background: var(--due-soon); }
.badge.t-on_track { background: var(--on-track); }
.badge.t-met_on_time { background: var(--met); }
.badge.t-met_late { background: var(--met-late); }
.badge.t-closed { background: var(--closed); }
.badge.t-no_deadline { background: var(--none); color: var(--fg); }
.badge.t-waiting { background: #0e7490; }
.badge.progress { background: #fff; color: var(--fg); border: 1px solid var(--muted); font-weight: 500; }
.cards { list-style: none; padding: 0; margin: 0; display: grid; gap: .6rem; }
.card { border: 1px solid var(--line); border-left: .4rem solid var(--none); border-radius: .4rem; padding: .6rem .8rem; background: #fff; }
.card.t-overdue { border-left-color: var(--overdue); }
.card.t-due_soon { border-left-color: var(--due-soon); }
.card.t-on_track { border-left-color: var(--on-track); }
.card.t-met_on_time { border-left-color: var(--met); }
.card.t-met_late { border-left-color: var(--met-late); }
.card.t-closed { border-left-color: var(--closed); }
.card p { margin: .2rem 0; }
.badges { display: flex; flex-wrap: wrap; gap: .35rem; margin: .25rem 0; padding: 0; list-style: none; }
.due strong.late { color: var(--overdue); }
.meta, .latest { color: var(--muted); font-size: .95rem; }
.agreement { margin-bottom: 1.5rem; }
.facts { display: grid; grid-template-columns: 1fr; gap: .1rem 1rem; margin: 1rem 0; }
.facts dt { font-weight: 600; margin-top: .4rem; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.prose { white-space: pre-wrap; overflow-wrap: anywhere; }
.history { list-style: none; padding: 0; margin: 0; }
.history li { border-left: 3px solid var(--line); padding: .1rem 0 .6rem .8rem; }
.history .when { color: var(--muted); font-size: .9rem; display: block; }
.history p { margin: .15rem 0; overflow-wrap: anywhere; }
.follow { padding-left: 1.2rem; }
.follow li { margin: .2rem 0; }
code { background: var(--panel); padding: .1rem .3rem; border-radius: .25rem; font-size: .9em; overflow-wrap: anywhere; }
.timeline { margin: 0; }
.timeline svg { display: block; width: 100%; height: auto; max-width: 60rem; }
.timeline .tl-wide { display: none; }
.legend { list-style: none; padding: 0; margin: .5rem 0 0; display: flex; flex-wrap: wrap; gap: .3rem .9rem; font-size: .9rem; color: var(--muted); }
.legend .dot { display: inline-block; width: .75rem; height: .75rem; border-radius: 50%; margin-right: .3rem; vertical-align: -1px; }
.legend .d-overdue { background: var(--overdue); } .legend .d-due_soon { background: var(--due-soon); }
.legend .d-on_track { background: var(--on-track); } .legend .d-met { background: var(--met); } .legend .d-closed { background: var(--closed); }
footer { border-top: 1px solid var(--line); color: var(--muted); font-size: .9rem; padding: 1rem 0 2rem; }
table.ops { border-collapse: collapse; width: 100%; font-size: .95rem; }
table.ops th, table.ops td { text-align: left; border-bottom: 1px solid var(--line); padding: .35rem .5rem .35rem 0; vertical-align: top; overflow-wrap: anywhere; }
.method { display: inline-block; min-width: 4.2rem; font: 700 .8rem/1.6 ui-monospace, monospace; color: #fff; border-radius: .25rem; text-align: center; padding: 0 .3rem; }
.m-get { background: #1b6e3a; } .m-post { background: #1d4ed8; } .m-patch { background: #9a4a00; } .m-delete { background: #b42318; }
.op { border: 1px solid var(--line); border-radius: .4rem; padding: .6rem .8rem; margin: .75rem 0; }
.op h3 { display: flex; flex-wrap: wrap; gap: .5rem; align-items: baseline; font-size: 1rem; }
pre { background: var(--panel); padding: .6rem; border-radius: .4rem; overflow-x: auto; font-size: .85rem; }
.schema ul { margin: .2rem 0; padding-left: 1.1rem; }
@media (max-width: 39.99rem) {
  table.ops thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.ops, table.ops tbody, table.ops tr, table.ops td { display: block; width: 100%; }
  table.ops tr { border-bottom: 1px solid var(--line); padding: .35rem 0; }
  table.ops td { border: 0; padding: .05rem 0; }
}
/* The editor (editor/): forms after the GOV.UK pattern. */
.signed-in { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; background: var(--panel); padding: .5rem .75rem; border-radius: .5rem; }
.signed-in p, .signed-in form { margin: 0; }
.editor-form { max-width: 40rem; }
.field { margin: 0 0 1.25rem; border: 0; padding: 0; }
fieldset.field { border-left: 4px solid var(--line); padding-left: .75rem; }
legend, .field > label { display: block; font-weight: 600; margin-bottom: .25rem; }
.hint { color: var(--muted); margin: 0 0 .35rem; font-size: .95rem; }
.field input[type=text], .field input[type=url], .field input[type=password], .field textarea, .field select { display: block; width: 100%; font: inherit; padding: .4rem .5rem; border: 2px solid var(--fg); border-radius: 0; background: #fff; }
.field input:focus, .field textarea:focus, .field select:focus, button:focus-visible, .radio input:focus-visible { outline: 3px solid #f59e0b; outline-offset: 0; }
.radio { display: flex; gap: .5rem; align-items: center; margin: .25rem 0; }
.radio input { width: 1.25rem; height: 1.25rem; }
.field-error { border-left: 4px solid var(--overdue); padding-left: .75rem; }
.field-error input, .field-error textarea, .field-error select { border-color: var(--overdue); }
.error-message { color: var(--overdue); font-weight: 700; margin: 0 0 .35rem; }
.error-summary { border: 4px solid var(--overdue); padding: .75rem 1rem; margin: 1rem 0; }
.error-summary h2 { margin-top: 0; border: 0; }
.error-summary a { color: var(--overdue); font-weight: 700; }
.notice { border-left: 4px solid var(--on-track); background: var(--panel); padding: .5rem .75rem; }
.preview { margin: 0 0 1.25rem; }
.review { display: grid; gap: 1rem; }
.statement { white-space: pre-wrap; background: var(--panel); padding: .75rem; border-radius: .5rem; overflow-wrap: anywhere; }
.statement mark { background: #fde68a; color: inherit; }
.statement mark.accepted { background: #bbf7d0; }
.statement mark.rejected { background: transparent; text-decoration: line-through; }
.drafts { list-style: none; padding: 0; margin: 0; display: grid; gap: .75rem; }
.draft { border: 2px solid var(--line); padding: .75rem; border-radius: .5rem; }
.draft blockquote { margin: .25rem 0 .5rem; padding-left: .75rem; border-left: 4px solid #f59e0b; }
.draft form.inline, .draft .actions > * { display: inline-block; margin: .25rem .5rem .25rem 0; }
.preview-problem { color: var(--overdue); }
button { font: inherit; font-weight: 600; padding: .5rem 1rem; border: 2px solid #14532d; background: var(--on-track); color: #fff; cursor: pointer; }
button.secondary { background: var(--panel); color: var(--fg); border-color: var(--fg); }
button.warning { background: var(--overdue); border-color: #7a1710; }
.checkbox { display: grid; grid-template-columns: auto 1fr; gap: .25rem .5rem; align-items: center; }
.checkbox input { width: 1.25rem; height: 1.25rem; margin: 0; }
.checkbox .hint, .checkbox .error-message { grid-column: 1 / -1; }
.checkbox > label { font-weight: 600; }
.danger { border-top: 2px solid var(--line); margin-top: 2rem; }
@media (min-width: 40rem) {
  .summary { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  .facts { grid-template-columns: max-content 1fr; }
  .facts dt { margin-top: 0; }
  .timeline .tl-wide { display: block; }
  .timeline .tl-narrow { display: none; }
  h1 { font-size: 2rem; }
}
@media (min-width: 64rem) {
  .review { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); align-items: start; }
  .cards.two { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
`;
