import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, json } from "../helpers";

async function token(scope: string) {
  const res = await call("POST", "/api/v1/tokens", { body: { name: `sub-${scope}-${Math.random().toString(36).slice(2)}`, scope } });
  return (await json(res)).token as string;
}

describe("the subscriptions API", () => {
  it("creates a subscription and shows its secret only once", async () => {
    const res = await call("POST", "/api/v1/subscriptions", {
      body: { url: "https://hooks.example.com/a", description: "newsroom", event_types: ["commitment.overdue"], tags: ["energy"] },
    });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(created.secret.slice(6)).length).toBe(32);
    expect(created.state).toBe("active");
    const read = await json(call("GET", `/api/v1/subscriptions/${created.id}`));
    expect(read.secret).toBeUndefined();
    expect(read.event_types).toEqual(["commitment.overdue"]);
    const list = await json(call("GET", "/api/v1/subscriptions"));
    expect(list.items.map((s: any) => s.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain(created.secret);
  });

  it("pauses, resumes and changes filters with PATCH; clears a filter with null", async () => {
    const created = await json(call("POST", "/api/v1/subscriptions", { body: { url: "https://hooks.example.com/b", tags: ["energy"] } }));
    const paused = await json(call("PATCH", `/api/v1/subscriptions/${created.id}`, { body: { state: "paused" } }));
    expect(paused.state).toBe("paused");
    const resumed = await json(call("PATCH", `/api/v1/subscriptions/${created.id}`, { body: { state: "active", tags: null, parties: ["Armenia"] } }));
    expect(resumed).toMatchObject({ state: "active", tags: null, parties: ["Armenia"] });
  });

  it("rotates the secret and keeps the old one for 24 hours", async () => {
    const created = await json(call("POST", "/api/v1/subscriptions", { body: { url: "https://hooks.example.com/c" } }));
    const rotated = await json(call("POST", `/api/v1/subscriptions/${created.id}/rotate-secret`));
    expect(rotated.secret).not.toBe(created.secret);
    expect(Date.parse(rotated.previous_secret_expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);
  });

  it("queues a test event and shows the delivery log", async () => {
    const created = await json(call("POST", "/api/v1/subscriptions", { body: { url: "https://hooks.example.com/d" } }));
    const res = await call("POST", `/api/v1/subscriptions/${created.id}/test`);
    expect(res.status).toBe(202);
    const { event_id } = await json(res);
    const event = await env.DB.prepare("SELECT type FROM events WHERE id = ?").bind(event_id).first<{ type: string }>();
    expect(event!.type).toBe("subscription.test");
    const log = await call("GET", `/api/v1/subscriptions/${created.id}/deliveries?limit=10`);
    expect(log.status).toBe(200);
    expect(Array.isArray((await json(log)).items)).toBe(true);
  });

  it("deletes a subscription", async () => {
    const created = await json(call("POST", "/api/v1/subscriptions", { body: { url: "https://hooks.example.com/e" } }));
    expect((await call("DELETE", `/api/v1/subscriptions/${created.id}`)).status).toBe(204);
    expect((await call("GET", `/api/v1/subscriptions/${created.id}`)).status).toBe(404);
  });

  it("validates every field and rejects unknown ones", async () => {
    const res = await call("POST", "/api/v1/subscriptions", {
      body: { url: "nope", event_types: ["commitment.exploded"], tags: ["Bad Tag"], color: "red" },
    });
    expect(res.status).toBe(400);
    const paths = (await json(res)).error.issues.map((i: any) => i.path).sort();
    expect(paths).toEqual(["color", "event_types.0", "tags.0", "url"]);
  });

  it("needs a write token for every route, reads included", async () => {
    const read = await token("read");
    const write = await token("write");
    expect((await call("GET", "/api/v1/subscriptions", { token: null })).status).toBe(401);
    expect((await call("GET", "/api/v1/subscriptions", { token: read })).status).toBe(403);
    expect((await call("POST", "/api/v1/subscriptions", { token: read, body: { url: "https://hooks.example.com/f" } })).status).toBe(403);
    expect((await call("POST", "/api/v1/subscriptions", { token: write, body: { url: "https://hooks.example.com/f" } })).status).toBe(201);
    expect((await call("POST", "/api/v1/deliveries/dlv_missing/redeliver", { token: null })).status).toBe(401);
    expect((await call("POST", "/api/v1/deliveries/dlv_missing/redeliver", { token: write })).status).toBe(404);
  });
});
