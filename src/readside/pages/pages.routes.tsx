import { Hono, type Context } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import { PUBLIC_READ_HEADERS, configParts, hashText, makeValidator, respondConditionally, respondStatic } from "../cache";
import { badgeSecurity, pageSecurity } from "../security";
import { baseUrl, type AppEnv } from "../../platform/http/context";
import { validate } from "../../platform/http/validate";
import { dueSoonWindowMs } from "../../platform/config";
import { SLUG_PATTERN } from "../../lib/ids";
import { subjectsExist } from "../feeds/feeds.service";
import { clockedVersion } from "../version";
import { badgeValue, renderBadge } from "./pages.badge";
import { PAGES_CSS } from "./pages.css";
import { BadgeQuery } from "./pages.schemas";
import { loadAgreementPage, loadBadge, loadCommitmentPage, loadHome, loadPartyBadge, loadPartyPage } from "./pages.service";
import { AgreementPage, CommitmentPage, CSS_PATH, HomePage, ICON_PATH, NotFoundPage, PartyPage } from "./pages.views";
import { partyBadgeValue } from "./pages.badge";

const PAGE_MAX_AGE = 60;
const CSS_ETAG = `"css-${hashText(PAGES_CSS)}"`;
/** A checkmark in a dark square: the pages' favicon (saves browsers a 404 for /favicon.ico). */
const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0f172a"/><path d="M8 17l5 5 11-12" fill="none" stroke="#f8fafc" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

type Rendered = { status: number; node: HtmlEscapedString | Promise<HtmlEscapedString> };

/**
 * Pages show timeliness and day counts, so their version is the ledger version plus the clock
 * key (readside/version.ts clockedVersion): 304 without reading a commitment when neither moved.
 */
async function servePage(
  c: Context<AppEnv>,
  kind: string,
  render: (ctx: { now: number; windowMs: number; base: string }) => Promise<Rendered>,
  exists?: () => Promise<boolean>,
) {
  const { db, now, config } = c.var;
  const windowMs = dueSoonWindowMs(config);
  const base = baseUrl(c);
  const path = new URL(c.req.url).pathname;
  const version = await clockedVersion(db, now, windowMs);
  const v = makeValidator(kind, [...version.parts, configParts(config), base, path], version.lastModified);
  return respondConditionally(
    c,
    v,
    `${path}|${base}`,
    async () => {
      const { status, node } = await render({ now, windowMs, base });
      return { body: `<!DOCTYPE html>${await node}`, contentType: "text/html; charset=utf-8", status };
    },
    // A signed-in editor gets a private variant of the same URL (editor/): a browser must not
    // answer it from the public copy it cached before signing in, or the reverse.
    { maxAge: PAGE_MAX_AGE, exists, headers: { Vary: "Cookie" } },
  );
}

/** A page or badge about one thing: 404 (never 304) when it does not exist. */
const existsAs = (c: Context<AppEnv>, kind: "commitment" | "agreement", id: string) => async () =>
  SLUG_PATTERN.test(id) && subjectsExist(c.var.db, { [kind]: id });

const notFound = (what: string, id: string): Rendered => ({ status: 404, node: (<NotFoundPage what={what} id={id} />) as HtmlEscapedString });

export const pagesRoutes = new Hono<AppEnv>()
  .get("/", pageSecurity, (c) =>
    servePage(c, "page-home", async (ctx) => {
      const home = await loadHome(c.var.db, ctx);
      return { status: 200, node: (<HomePage {...home} now={ctx.now} />) as HtmlEscapedString };
    }),
  )
  .get("/commitments/:id", pageSecurity, (c) => {
    const id = c.req.param("id");
    return servePage(c, "page-commitment", async (ctx) => {
      const page = SLUG_PATTERN.test(id) ? await loadCommitmentPage(c.var.db, id, ctx) : null;
      if (!page) return notFound("commitment", id);
      return { status: 200, node: (<CommitmentPage {...page} base={ctx.base} />) as HtmlEscapedString };
    }, existsAs(c, "commitment", id));
  })
  .get("/agreements/:id", pageSecurity, (c) => {
    const id = c.req.param("id");
    return servePage(c, "page-agreement", async (ctx) => {
      const page = SLUG_PATTERN.test(id) ? await loadAgreementPage(c.var.db, id, ctx) : null;
      if (!page) return notFound("agreement", id);
      return { status: 200, node: (<AgreementPage {...page} now={ctx.now} />) as HtmlEscapedString };
    }, existsAs(c, "agreement", id));
  })
  .get("/parties/:slug", pageSecurity, (c) => {
    const segment = c.req.param("slug");
    return servePage(c, "page-party", async (ctx) => {
      const page = segment.length <= 200 ? await loadPartyPage(c.var.db, segment, ctx) : null;
      if (!page) return notFound("party", segment);
      return { status: 200, node: (<PartyPage {...page} now={ctx.now} />) as HtmlEscapedString };
    });
  })
  .get("/badges/parties/:file{[^/]+\\.svg}", badgeSecurity, async (c) => {
    const segment = c.req.param("file").replace(/\.svg$/, "");
    const { db, now, config } = c.var;
    const windowMs = dueSoonWindowMs(config);
    const version = await clockedVersion(db, now, windowMs);
    const v = makeValidator("party-badge", [...version.parts, configParts(config), segment], version.lastModified);
    return respondConditionally(
      c,
      v,
      `/badges/parties/${segment}`,
      async () => {
        const found = segment.length <= 200 ? await loadPartyBadge(db, segment, { now, windowMs, base: baseUrl(c) }) : null;
        return {
          body: renderBadge(found?.party.name ?? "party", partyBadgeValue(found?.counts ?? null)),
          contentType: "image/svg+xml; charset=utf-8",
          status: found ? 200 : 404,
        };
      },
      { maxAge: 300, headers: PUBLIC_READ_HEADERS },
    );
  })
  .get("/badges/:file{[^/]+\\.svg}", badgeSecurity, validate("query", BadgeQuery), async (c) => {
    const id = c.req.param("file").replace(/\.svg$/, "");
    const query = c.req.valid("query");
    const { db, now, config } = c.var;
    const windowMs = dueSoonWindowMs(config);
    const base = baseUrl(c);
    const version = await clockedVersion(db, now, windowMs);
    const v = makeValidator("badge", [...version.parts, configParts(config), id, query.show ?? "", query.label ?? ""], version.lastModified);
    return respondConditionally(
      c,
      v,
      `/badges/${id}|${query.show ?? ""}|${query.label ?? ""}`,
      async () => {
        const card = SLUG_PATTERN.test(id) ? await loadBadge(db, id, { now, windowMs, base }) : null;
        const show = query.show ?? "timeliness";
        return {
          body: renderBadge(query.label ?? (show === "progress" ? "progress" : "deadline"), badgeValue(card, show)),
          contentType: "image/svg+xml; charset=utf-8",
          status: card ? 200 : 404,
        };
      },
      { maxAge: 300, headers: PUBLIC_READ_HEADERS, exists: existsAs(c, "commitment", id) },
    );
  })
  .get(ICON_PATH, (c) =>
    c.body(ICON_SVG, 200, { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" }),
  )
  .get(CSS_PATH, (c) =>
    respondStatic(c, PAGES_CSS, {
      etag: CSS_ETAG,
      contentType: "text/css; charset=utf-8",
      headers: { "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff" },
    }),
  );
