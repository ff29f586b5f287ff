import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { resetStatusProbeCache } from "../../src/readside/status/status.routes";
import { call, createAgreement, createCommitment, json } from "../helpers";

const DAY = 86_400_000;

describe("last verified and staleness on the read side", () => {
  it("the commitment page says when it was last verified, and that it needs checking when stale", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id, { verify_every: "P7D", title: "Open the <b>border</b> crossing" });
    let html = await (await call("GET", `/commitments/${c.id}`, { token: null })).text();
    expect(html).toContain("<dt>Last verified</dt>");
    expect(html).toContain("never verified");
    const at = Date.now() - 12 * DAY;
    await env.DB.prepare("UPDATE commitments SET last_verified_at = ?, stale_at = ?, version = version + 1 WHERE id = ?").bind(at, at + 7 * DAY, c.id).run();
    // The sweep's commitment.stale event is what moves the page's validator in production; here a ledger write does.
    await call("POST", `/api/v1/commitments/${c.id}/status`, { body: { status: "in_progress", occurred_at: new Date(Date.now() - 13 * DAY).toISOString() } });
    await env.DB.prepare("UPDATE commitments SET last_verified_at = ?, stale_at = ? WHERE id = ?").bind(at, at + 7 * DAY, c.id).run();
    await call("PATCH", `/api/v1/commitments/${c.id}`, { body: { description: "bump" } });
    html = await (await call("GET", `/commitments/${c.id}`, { token: null })).text();
    expect(html).toContain("last verified 12 days ago");
    expect(html).toContain("needs checking (every P7D)");
    expect(html).not.toContain("<b>border</b>");
  });

  it("status.json counts open commitments that are stale", async () => {
    resetStatusProbeCache();
    const before = (await json(call("GET", "/status.json", { token: null }))).counts.stale;
    const a = await createAgreement();
    const c = await createCommitment(a.id, { verify_every: "P1D" });
    await env.DB.prepare("UPDATE commitments SET stale_at = ? WHERE id = ?").bind(Date.now() - DAY, c.id).run();
    await call("POST", `/api/v1/commitments/${c.id}/verify`, { body: {} }); // a write, so the document is rebuilt…
    await env.DB.prepare("UPDATE commitments SET stale_at = ? WHERE id = ?").bind(Date.now() - DAY, c.id).run();
    await call("PATCH", `/api/v1/commitments/${c.id}`, { body: { description: "bump" } }); // …and again after the backdating
    resetStatusProbeCache();
    expect((await json(call("GET", "/status.json", { token: null }))).counts.stale).toBe(before + 1);
  });

  it("feeds carry verifications and stale flags but never proposals or reminders", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    await call("POST", `/api/v1/commitments/${c.id}/verify`, { body: { note: "Checked." } });
    const now = Date.now();
    for (const [type, key] of [["proposal.created", "p"], ["commitment.still_overdue", "r"], ["commitment.stale", "s"]]) {
      await env.DB.prepare(
        "INSERT INTO events (id, type, commitment_id, agreement_id, actor, occurred_at, recorded_at, data, dedupe_key) VALUES (?, ?, ?, ?, 'sweep', ?, ?, ?, ?)",
      )
        .bind(`evt_${key}_${c.id}`, type, c.id, a.id, now, now, JSON.stringify({ verify_every: "P30D", last_verified_at: null }), `${key}:${c.id}`)
        .run();
    }
    const feed = await json(call("GET", `/feed.json?commitment=${c.id}`, { token: null }));
    const titles = feed.items.map((i: any) => i.title);
    expect(titles).toContain(`${c.title} was checked`);
    expect(titles).toContain(`${c.title} needs checking`);
    expect(JSON.stringify(feed)).not.toMatch(/proposal\.created|still_overdue/);
    const rss = await (await call("GET", `/feed.xml?commitment=${c.id}`, { token: null })).text();
    expect(rss).not.toContain(`evt_p_${c.id}`);
  });
});
