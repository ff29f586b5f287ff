import ICAL from "ical.js";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createAgreement, createCommitment } from "../helpers";
import { get } from "./readside.helpers";

const DAY = 86_400_000;
const dateOffset = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const PAST = 1001;
let agreement: string;
const upcoming: string[] = [];

beforeAll(async () => {
  agreement = (await createAgreement({ title: "Busy agreement" })).id;
  // 1,001 open overdue commitments, written straight to D1 (the API would take minutes).
  const base = Date.now() - 2000 * DAY;
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO commitments (id, agreement_id, title, parties, tags, evidence, deadline, due_at, due_on, overdue_at, status, status_changed_at, created_at, updated_at)
     SELECT printf('past-%04d', i), ?, 'Past ' || i, '[]', '[]', '[]', json_object('due_on', date((? + i * ?) / 1000, 'unixepoch')),
       ? + i * ?, date((? + i * ?) / 1000, 'unixepoch'), ? + i * ?, 'not_started', ?, ?, ?
     FROM n`,
  )
    .bind(PAST, agreement, base, DAY, base, DAY, base, DAY, base, DAY, base, base, base)
    .run();
  upcoming.push((await createCommitment(agreement, { title: "Next month", deadline: { due_on: dateOffset(30) } })).id);
  upcoming.push((await createCommitment(agreement, { title: "Next year", deadline: { due_on: dateOffset(365) } })).id);
});

async function uids(query = "") {
  const res = await get(`/calendar.ics${query}`);
  expect(res.status).toBe(200);
  const component = new ICAL.Component(ICAL.parse(await res.text()));
  return component.getAllSubcomponents("vevent").map((v) => String(v.getFirstPropertyValue("uid")).replace(/^commitment-|@pledgewatch$/g, ""));
}

describe("/calendar.ics window", () => {
  it("keeps upcoming deadlines in the default view when more than 1,000 are overdue", async () => {
    const got = await uids();
    expect(got).toHaveLength(1000);
    for (const id of upcoming) expect(got).toContain(id);
    // The rest are the most recent past deadlines; the oldest are the ones left out.
    expect(got).toContain(`past-${PAST}`);
    expect(got).not.toContain("past-0001");
  });

  it("fills a limit with upcoming deadlines first, then the most recent past ones, earliest first", async () => {
    expect(await uids("?limit=3")).toEqual([`past-${PAST}`, ...upcoming]);
    expect(await uids("?limit=1")).toEqual([upcoming[0]]);
  });
});
