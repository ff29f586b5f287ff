import { Hono } from "hono";
import { PUBLIC_READ_HEADERS, configParts, makeValidator, respondConditionally } from "../cache";
import { baseUrl, type AppEnv } from "../../platform/http/context";
import { validate } from "../../platform/http/validate";
import { canonicalQuery, subjectsExist } from "../feeds/feeds.service";
import { dueSoonWindowMs } from "../../platform/config";
import { clockedVersion } from "../version";
import { CalendarQuery } from "./calendar.schemas";
import { loadCalendar, renderIcs } from "./calendar.service";

/** Calendar apps poll rarely; an hour matches X-PUBLISHED-TTL. Validators keep it honest. */
const CALENDAR_MAX_AGE = 300;

export const calendarRoutes = new Hono<AppEnv>().get("/calendar.ics", validate("query", CalendarQuery), async (c) => {
  const { db, now, config } = c.var;
  const query = c.req.valid("query");
  const windowMs = dueSoonWindowMs(config);
  const base = baseUrl(c);
  const search = canonicalQuery(query);
  // SUMMARY shows timeliness, which moves with the clock: the clock key is part of the version.
  const version = await clockedVersion(db, now, windowMs);
  const v = makeValidator("calendar", [...version.parts, configParts(config), base, search], version.lastModified);
  return respondConditionally(
    c,
    v,
    `/calendar.ics|${base}|${search}`,
    async () => {
      const ctx = { now, windowMs, base };
      const entries = await loadCalendar(db, query, ctx);
      return {
        body: renderIcs(entries, { ...ctx, name: search ? `pledgewatch deadlines (${search.slice(1)})` : "pledgewatch deadlines" }),
        contentType: "text/calendar; charset=utf-8",
      };
    },
    {
      maxAge: CALENDAR_MAX_AGE,
      headers: { ...PUBLIC_READ_HEADERS, "Content-Disposition": 'inline; filename="pledgewatch.ics"' },
      // Only a commitment filter can be missing (404); an unknown agreement is an empty calendar.
      exists: () => subjectsExist(db, { commitment: query.commitment }),
    },
  );
});
