import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { fanOut } from "../../src/alerts/fanout";
import { makeSubscription, recordingQueue } from "../alerts/alerts.helpers";
import { call, createAgreement, createCommitment, db, json, uid } from "../helpers";
import { get } from "./readside.helpers";

const ids = {} as Record<"agreement" | "plain" | "cyrillic" | "french" | "german", string>;

beforeAll(async () => {
  ids.agreement = (await createAgreement({ title: "Party agreement", parties: ["Азербайджан", "ÉTAT"] })).id;
  ids.plain = (await createCommitment(ids.agreement, { title: "Plain", parties: ["Nobody"], deadline: { due_on: "2031-01-01" } })).id;
  ids.cyrillic = (await createCommitment(ids.agreement, { title: "Cyrillic", parties: ["Азербайджан"], deadline: { due_on: "2031-01-02" } })).id;
  ids.french = (await createCommitment(ids.agreement, { title: "French", parties: ["ÉTAT"], deadline: { due_on: "2031-01-03" } })).id;
  ids.german = (await createCommitment(ids.agreement, { title: "German", parties: ["Straße"], deadline: { due_on: "2031-01-04" } })).id;
});

const listed = async (party: string) =>
  (await json(call("GET", `/api/v1/commitments?party=${encodeURIComponent(party)}`))).items.map((c: { id: string }) => c.id);

describe("party filters fold Unicode case and normalisation", () => {
  it("lists commitments of a party however its name is cased or composed", async () => {
    expect(await listed("азербайджан")).toEqual([ids.cyrillic]);
    expect(await listed("АЗЕРБАЙДЖАН")).toEqual([ids.cyrillic]);
    expect(await listed("état")).toEqual([ids.french]);
    expect(await listed("e\u0301tat")).toEqual([ids.french]);
    expect(await listed("STRASSE")).toEqual([ids.german]);
    expect(await listed("nobody")).toEqual([ids.plain]);
  });

  it("filters the feeds by party the same way, including the agreement's own events", async () => {
    const res = await get(`/feed.json?party=${encodeURIComponent("азербайджан")}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(ids.cyrillic);
    expect(text).not.toContain(ids.french);
    expect(text).toContain("agreement.created");
    const rss = await (await get(`/feed.xml?party=${encodeURIComponent("état")}`)).text();
    expect(rss).toContain(ids.french);
    expect(rss).not.toContain(ids.cyrillic);
  });

  it("filters the calendar by party the same way, also for one commitment", async () => {
    const ics = await (await get(`/calendar.ics?party=${encodeURIComponent("état")}`)).text();
    expect(ics).toContain(`UID:commitment-${ids.french}@pledgewatch`);
    expect(ics).not.toContain(`UID:commitment-${ids.cyrillic}@pledgewatch`);
    const one = await (await get(`/calendar.ics?commitment=${ids.german}&party=STRASSE`)).text();
    expect(one).toContain(`UID:commitment-${ids.german}@pledgewatch`);
  });

  it("matches parties written by an import and by a PATCH", async () => {
    const agreement = uid("agr");
    const imported = uid("com");
    const res = await call("POST", "/api/v1/import", {
      body: {
        agreements: [{ id: agreement, title: "Imported", kind: "memorandum", parties: ["Ελλάδα"] }],
        commitments: [{ id: imported, agreement, title: "Imported one", parties: ["ΟΔΟΣ"] }],
      },
    });
    expect(res.status, await res.text()).toBe(200);
    expect(await listed("οδος")).toEqual([imported]);
    const feed = await (await get(`/feed.json?party=${encodeURIComponent("ΕΛΛΆΔΑ")}`)).text();
    expect(feed).toContain(agreement);
    const patched = await call("PATCH", `/api/v1/commitments/${ids.plain}`, { body: { parties: ["Ísland"] } });
    expect(patched.status).toBe(200);
    expect(await listed("ÍSLAND")).toEqual([ids.plain]);
    expect(await listed("nobody")).toEqual([]);
  });

  it("delivers to a subscription whose party filter differs in Unicode case only", async () => {
    const now = Date.now();
    const sub = await makeSubscription(now - 60_000, { parties: ["азербайджан"] });
    const other = await makeSubscription(now - 60_000, { parties: ["état"] });
    const c = await createCommitment(ids.agreement, { title: "Fan-out", parties: ["Азербайджан"] });
    const event = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ? AND type = 'commitment.created'").bind(c.id).first<{ id: string }>();
    await fanOut(db(), recordingQueue(), [event!.id], now + 1000);
    const rows = await env.DB.prepare("SELECT subscription_id FROM deliveries WHERE event_id = ?").bind(event!.id).all<{ subscription_id: string }>();
    const receivers = rows.results.map((r) => r.subscription_id);
    expect(receivers).toContain(sub.id);
    expect(receivers).not.toContain(other.id);
  });

  it("matches a subscription's party filter changed by a PATCH", async () => {
    const now = Date.now();
    const sub = await makeSubscription(now - 60_000, { parties: ["nobody"] });
    const patched = await call("PATCH", `/api/v1/subscriptions/${sub.id}`, { body: { parties: ["ÉTAT"] } });
    expect(patched.status).toBe(200);
    const c = await createCommitment(ids.agreement, { title: "After patch", parties: ["état"] });
    const event = await env.DB.prepare("SELECT id FROM events WHERE commitment_id = ? AND type = 'commitment.created'").bind(c.id).first<{ id: string }>();
    await fanOut(db(), recordingQueue(), [event!.id], now + 1000);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM deliveries WHERE event_id = ? AND subscription_id = ?").bind(event!.id, sub.id).first<{ n: number }>();
    expect(row!.n).toBe(1);
  });
});
