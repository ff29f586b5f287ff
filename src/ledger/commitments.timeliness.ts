/**
 * The SQL side of commitments.rules.ts: timeliness as conditions, the urgency rank and the counts,
 * built once from the same cases as the TypeScript rule `timeliness`. Every list filter, count,
 * page, feed and calendar that filters or orders by timeliness uses these; the property test
 * tests/ledger/rules.property.test.ts holds the SQL equal to the rule on random rows (grace,
 * met late, terminal statuses, the window boundary).
 *
 * Open means `closed_at IS NULL` (the ledger sets closed_at exactly when the status is terminal),
 * which lets the open cases use the partial indexes commitments_open_due / commitments_open_overdue.
 * Columns are unqualified: every caller reads `commitments` without an alias.
 */
import { sql, type SQL } from "drizzle-orm";
import { MET_STATUSES, CLOSED_STATUSES, TIMELINESS, URGENCY, type Timeliness } from "./commitments.rules";

const list = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));
const MET = sql`status IN (${list(MET_STATUSES)})`;
const OPEN = sql`closed_at IS NULL`;

/** The condition that a row has timeliness `t` at `now` (the cases of `timeliness`). */
export function timelinessWhere(t: Timeliness, now: number, windowMs: number): SQL {
  switch (t) {
    case "closed":
      return sql`status IN (${list(CLOSED_STATUSES)})`;
    case "met_on_time":
      return sql`(${MET} AND (overdue_at IS NULL OR status_changed_at <= overdue_at))`;
    case "met_late":
      return sql`(${MET} AND status_changed_at > overdue_at)`;
    case "waiting":
      return sql`(${OPEN} AND waiting_on IS NOT NULL)`;
    case "no_deadline":
      return sql`(${OPEN} AND waiting_on IS NULL AND (due_at IS NULL OR overdue_at IS NULL))`;
    case "overdue":
      return sql`(${OPEN} AND waiting_on IS NULL AND overdue_at < ${now})`;
    case "due_soon":
      return sql`(${OPEN} AND waiting_on IS NULL AND due_at <= ${now + windowMs} AND overdue_at >= ${now})`;
    case "on_track":
      return sql`(${OPEN} AND waiting_on IS NULL AND due_at > ${now + windowMs})`;
  }
}

/** The urgency rank (position in URGENCY: overdue 0 … closed 7), for ORDER BY and GROUP BY. */
export function urgencyRankSql(now: number, windowMs: number): SQL {
  const whens = URGENCY.map((t, rank) => sql`WHEN ${timelinessWhere(t, now, windowMs)} THEN ${sql.raw(String(rank))}`);
  return sql`(CASE ${sql.join(whens, sql` `)} END)`;
}

/**
 * One row with a column per timeliness, counting all commitments. Five cases are counted
 * directly over an index (the status index, or a partial index on due_at / overdue_at). due_soon
 * and met_on_time would each scan a range that grows with the ledger, so they are the remainders
 * of their partitions: open minus the other open cases, met minus met late.
 */
export function timelinessCountsSql(now: number, windowMs: number): SQL {
  const count = (where: SQL) => sql`(SELECT count(*) FROM commitments WHERE ${where})`;
  const direct = (t: Timeliness) => count(timelinessWhere(t, now, windowMs));
  const cases: Record<Timeliness, SQL> = {
    overdue: direct("overdue"),
    on_track: direct("on_track"),
    no_deadline: direct("no_deadline"),
    waiting: direct("waiting"),
    due_soon: sql`${count(OPEN)} - ${direct("overdue")} - ${direct("on_track")} - ${direct("no_deadline")} - ${direct("waiting")}`,
    met_late: direct("met_late"),
    met_on_time: sql`${count(MET)} - ${direct("met_late")}`,
    closed: direct("closed"),
  };
  return sql`SELECT ${sql.join(
    TIMELINESS.map((t) => sql`${cases[t]} AS ${sql.identifier(t)}`),
    sql`, `,
  )}`;
}
