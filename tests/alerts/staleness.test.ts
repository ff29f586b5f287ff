import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { changeStatus, updateCommitment, verifyCommitment, getCommitment } from "../../src/ledger/commitments.service";
import { createDb } from "../../src/platform/db/client";
import { countQueries } from "../../src/platform/db/counting";
import { runSweep } from "../../src/alerts/sweep/sweep";
import { call, createAgreement as apiAgreement, createCommitment as apiCommitment, db, json } from "../helpers";
import { expectError, issuePaths } from "../ledger/ledger.helpers";
import { DAY, LEAD_DAYS, RETENTION, makeAgreement, makeCommitment, recordingQueue, writeCtx } from "./alerts.helpers";

const T0 = Date.parse("2031-01-01T00:00:00Z");
const read = (now: number) => ({ now, windowMs: 30 * DAY });

async function sweep(now: number) {
  const counter = countQueries(env.DB);
  return runSweep({ db: createDb(counter.d1), queue: recordingQueue(), leadDays: LEAD_DAYS, retention: RETENTION, queryCount: counter.count, clock: () => now }, now);
}

async function staleEvents(id: string) {
  const rows = await env.DB.prepare("SELECT occurred_at, data, dedupe_key FROM events WHERE commitment_id = ? AND type = 'commitment.stale' ORDER BY seq")
    .bind(id)
    .all<{ occurred_at: number; data: string; dedupe_key: string }>();
  return rows.results.map((r) => ({ at: r.occurred_at, data: JSON.parse(r.data), key: r.dedupe_key }));
}

describe("staleness", () => {
  it("flags a commitment not verified within verify_every once per period, across repeated and overlapping sweeps", async () => {
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0, { verify_every: "P7D" });
    expect(c).toMatchObject({ verify_every: "P7D", last_verified_at: null, stale_at: new Date(T0 + 7 * DAY).toISOString(), stale: false });
    await sweep(T0 + 6 * DAY);
    expect(await staleEvents(c.id)).toEqual([]);
    await sweep(T0 + 7 * DAY);
    await sweep(T0 + 7 * DAY + 60_000);
    await Promise.all([sweep(T0 + 10 * DAY), sweep(T0 + 10 * DAY)]);
    expect((await staleEvents(c.id)).map((e) => e.at)).toEqual([T0 + 7 * DAY]);
    expect((await staleEvents(c.id))[0]!.data).toEqual({ verify_every: "P7D", last_verified_at: null, stale_at: new Date(T0 + 7 * DAY).toISOString(), status: "not_started" });
    await Promise.all([sweep(T0 + 15 * DAY), sweep(T0 + 15 * DAY)]);
    // A sweep that missed periods records the current one only.
    await sweep(T0 + 30 * DAY);
    expect((await staleEvents(c.id)).map((e) => e.at)).toEqual([T0 + 7 * DAY, T0 + 14 * DAY, T0 + 28 * DAY]);
    expect((await getCommitment(db(), c.id, read(T0 + 30 * DAY))).stale).toBe(true);
  });

  it("a verification restarts the period; so do a status change and new evidence", async () => {
    const agreement = await makeAgreement(T0);
    const c = await makeCommitment(agreement.id, T0, { verify_every: "P7D" });
    const verified = await verifyCommitment(db(), c.id, { note: "Checked the ministry's site" }, writeCtx(T0 + 8 * DAY) as never);
    expect(verified).toMatchObject({ last_verified_at: new Date(T0 + 8 * DAY).toISOString(), stale_at: new Date(T0 + 15 * DAY).toISOString(), stale: false });
    await sweep(T0 + 14 * DAY);
    expect(await staleEvents(c.id)).toEqual([]);
    const moved = await changeStatus(db(), c.id, { status: "in_progress" }, { ...writeCtx(T0 + 14 * DAY), ...read(T0 + 14 * DAY) });
    expect(moved.last_verified_at).toBe(new Date(T0 + 14 * DAY).toISOString());
    const evidenced = await updateCommitment(db(), c.id, { evidence: [{ url: "https://example.org/minutes" }] }, { ...writeCtx(T0 + 20 * DAY), ...read(T0 + 20 * DAY) });
    expect(evidenced.stale_at).toBe(new Date(T0 + 27 * DAY).toISOString());
    await sweep(T0 + 26 * DAY);
    expect(await staleEvents(c.id)).toEqual([]);
    await sweep(T0 + 27 * DAY);
    expect((await staleEvents(c.id)).map((e) => e.at)).toEqual([T0 + 27 * DAY]);
    // An edit that is not a check (the title) does not restart it.
    const edited = await updateCommitment(db(), c.id, { title: "A promise, renamed" }, { ...writeCtx(T0 + 28 * DAY), ...read(T0 + 28 * DAY) });
    expect(edited).toMatchObject({ stale_at: new Date(T0 + 27 * DAY).toISOString(), stale: true });
  });

  it("verify_every null turns it off, a PATCH sets it counted from the last check, and closed commitments are never stale", async () => {
    const agreement = await makeAgreement(T0);
    const off = await makeCommitment(agreement.id, T0, { verify_every: null });
    expect(off).toMatchObject({ verify_every: null, stale_at: null, stale: false });
    const closed = await makeCommitment(agreement.id, T0, { verify_every: "P1D", status: "fulfilled" });
    await sweep(T0 + 100 * DAY);
    expect(await staleEvents(off.id)).toEqual([]);
    expect(await staleEvents(closed.id)).toEqual([]);
    const on = await updateCommitment(db(), off.id, { verify_every: "P2D" }, { ...writeCtx(T0 + 100 * DAY), ...read(T0 + 100 * DAY) });
    expect(on).toMatchObject({ verify_every: "P2D", stale_at: new Date(T0 + 2 * DAY).toISOString(), stale: true });
    await sweep(T0 + 101 * DAY);
    expect((await staleEvents(off.id)).length).toBe(1);
  });

  it("defaults verify_every from the configuration (P30D)", async () => {
    const a = await apiAgreement();
    const c = await apiCommitment(a.id);
    expect(c.verify_every).toBe("P30D");
    expect(Date.parse(c.stale_at) - Date.parse(c.created_at)).toBe(30 * DAY);
  });
});

describe("POST /api/v1/commitments/:id/verify", () => {
  it("records commitment.verified with the note and evidence, adds the evidence, and sets last_verified_at", async () => {
    const a = await apiAgreement();
    const c = await apiCommitment(a.id);
    const res = await call("POST", `/api/v1/commitments/${c.id}/verify`, {
      body: { note: "Checked: nothing changed.", evidence: { url: "https://mfa.example/news/1", title: "Ministry news" } },
    });
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(body.last_verified_at).not.toBeNull();
    expect(body.evidence).toEqual([{ url: "https://mfa.example/news/1", title: "Ministry news" }]);
    expect(body.version).toBe(c.version + 1);
    const [event] = (await json(call("GET", `/api/v1/commitments/${c.id}/events?limit=1`))).items;
    expect(event).toMatchObject({ type: "commitment.verified", note: "Checked: nothing changed.", evidence_url: "https://mfa.example/news/1", actor: "admin", to: "not_started" });
    // The feeds carry verifications.
    const feed = await json(call("GET", `/feed.json?commitment=${c.id}`, { token: null }));
    expect(JSON.stringify(feed.items)).toContain("verified");
  });

  it("answers 400 naming each bad field and 404 for an unknown commitment, changing nothing", async () => {
    const a = await apiAgreement();
    const c = await apiCommitment(a.id);
    const bad = await expectError(await call("POST", `/api/v1/commitments/${c.id}/verify`, { body: { note: 5, evidence: { url: "javascript:alert(1)" }, at: "now" } }), 400, "invalid_input");
    expect(issuePaths(bad)).toEqual(["at", "evidence.url", "note"]);
    await expectError(await call("POST", "/api/v1/commitments/no-such/verify", { body: {} }), 404, "not_found");
    expect((await json(call("GET", `/api/v1/commitments/${c.id}`))).last_verified_at).toBeNull();
  });
});
