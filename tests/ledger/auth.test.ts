import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { ADMIN, call, createAgreement, createCommitment, json, uid } from "../helpers";
import { counts, eventsOf, expectError, makeToken } from "./ledger.helpers";

interface Route {
  name: string;
  need: "write" | "admin";
  /** Sends the request with `token` (null = no Authorization header); fresh records per call. */
  send: (token: string | null) => Promise<Response>;
  ok: number;
}

const routes: Route[] = [
  {
    name: "POST /agreements",
    need: "write",
    ok: 201,
    send: (token) => call("POST", "/api/v1/agreements", { token, body: { id: uid("agr"), title: "Auth agreement", kind: "memorandum" } }),
  },
  {
    name: "PATCH /agreements/:id",
    need: "write",
    ok: 200,
    send: async (token) => {
      const a = await createAgreement();
      return call("PATCH", `/api/v1/agreements/${a.id}`, { token, body: { title: uid("title") } });
    },
  },
  {
    name: "POST /commitments",
    need: "write",
    ok: 201,
    send: async (token) => {
      const a = await createAgreement();
      return call("POST", "/api/v1/commitments", { token, body: { id: uid("com"), agreement: a.id, title: "Auth commitment" } });
    },
  },
  {
    name: "PATCH /commitments/:id",
    need: "write",
    ok: 200,
    send: async (token) => {
      const c = await createCommitment((await createAgreement()).id);
      return call("PATCH", `/api/v1/commitments/${c.id}`, { token, body: { title: uid("title") } });
    },
  },
  {
    name: "POST /commitments/:id/status",
    need: "write",
    ok: 200,
    send: async (token) => {
      const c = await createCommitment((await createAgreement()).id);
      return call("POST", `/api/v1/commitments/${c.id}/status`, { token, body: { status: "in_progress" } });
    },
  },
  {
    name: "POST /import",
    need: "write",
    ok: 200,
    send: (token) =>
      call("POST", "/api/v1/import", { token, body: { agreements: [{ id: uid("agr"), title: "Imported", kind: "letter" }] } }),
  },
  {
    name: "GET /tokens",
    need: "admin",
    ok: 200,
    send: (token) => call("GET", "/api/v1/tokens", { token }),
  },
  {
    name: "POST /tokens",
    need: "admin",
    ok: 201,
    send: (token) => call("POST", "/api/v1/tokens", { token, body: { name: uid("made"), scope: "read" } }),
  },
  {
    name: "DELETE /tokens/:id",
    need: "admin",
    ok: 200,
    send: async (token) => {
      const victim = await makeToken("read");
      return call("DELETE", `/api/v1/tokens/${victim.id}`, { token });
    },
  },
];

const tokens: Record<"read" | "write" | "admin" | "revoked", string> = { read: "", write: "", admin: "", revoked: "" };

beforeAll(async () => {
  tokens.read = (await makeToken("read")).token;
  tokens.write = (await makeToken("write")).token;
  tokens.admin = (await makeToken("admin")).token;
  const revoked = await makeToken("admin");
  expect((await call("DELETE", `/api/v1/tokens/${revoked.id}`)).status).toBe(200);
  tokens.revoked = revoked.token;
});

/** Sends a request that must be refused with `status` and the envelope. ("writes nothing" is proven below.) */
async function refused(route: Route, token: string | null, status: number, code: string) {
  const res = await route.send(token);
  await expectError(res, status, code);
  if (status === 401) expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="pledgewatch"/);
}

describe("the auth matrix on every write route", () => {
  for (const route of routes) {
    describe(route.name, () => {
      it("answers 401 without a token", async () => {
        await refused(route, null, 401, "unauthorized");
      });

      it("answers 401 for an unknown token, including one that only resembles the admin secret", async () => {
        await refused(route, `pw_${"A".repeat(43)}`, 401, "unauthorized");
        await refused(route, "not-a-token", 401, "unauthorized");
        await refused(route, `${ADMIN}x`, 401, "unauthorized");
        await refused(route, ADMIN.slice(0, -1), 401, "unauthorized");
      });

      it("answers 403 for a read-scope token", async () => {
        await refused(route, tokens.read, 403, "forbidden");
      });

      it("answers 401 for a revoked token", async () => {
        await refused(route, tokens.revoked, 401, "unauthorized");
      });

      if (route.need === "write") {
        it("allows a write-scope token", async () => {
          expect((await route.send(tokens.write)).status).toBe(route.ok);
        });
      } else {
        it("answers 403 for a write-scope token: token routes need admin", async () => {
          await refused(route, tokens.write, 403, "forbidden");
        });
      }

      it("allows an admin-scope token", async () => {
        expect((await route.send(tokens.admin)).status).toBe(route.ok);
      });

      it("allows the ADMIN_TOKEN secret", async () => {
        expect((await route.send(ADMIN)).status).toBe(route.ok);
      });
    });
  }

  it("writes nothing for any refused request", async () => {
    // Requests whose setup happens outside the count: one existing record per route.
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    const victim = await makeToken("read");
    const attempts: Array<[string, string, unknown]> = [
      ["POST", "/api/v1/agreements", { id: uid("agr"), title: "x", kind: "memorandum" }],
      ["PATCH", `/api/v1/agreements/${a.id}`, { title: "changed" }],
      ["POST", "/api/v1/commitments", { id: uid("com"), agreement: a.id, title: "x" }],
      ["PATCH", `/api/v1/commitments/${c.id}`, { title: "changed" }],
      ["POST", `/api/v1/commitments/${c.id}/status`, { status: "fulfilled" }],
      ["POST", "/api/v1/import", { agreements: [{ id: uid("agr"), title: "x", kind: "letter" }] }],
      ["POST", "/api/v1/tokens", { name: uid("nope"), scope: "admin" }],
      ["DELETE", `/api/v1/tokens/${victim.id}`, undefined],
    ];
    const before = await counts();
    for (const token of [null, "pw_unknown", tokens.read, tokens.revoked]) {
      for (const [method, path, body] of attempts) {
        const res = await call(method, path, { token, body });
        expect([401, 403], `${method} ${path}`).toContain(res.status);
      }
    }
    for (const [method, path, body] of attempts.slice(6)) expect((await call(method, path, { token: tokens.write, body })).status).toBe(403);
    expect(await counts()).toEqual(before);
    const listed = await json(call("GET", "/api/v1/tokens"));
    expect(listed.items.find((t: { id: string }) => t.id === victim.id).revoked_at).toBeNull();
  });
});

describe("reads are public", () => {
  it("answers reads without a token, and ignores a bad token on reads", async () => {
    const a = await createAgreement();
    const c = await createCommitment(a.id);
    for (const path of ["/api/v1/agreements", `/api/v1/agreements/${a.id}`, "/api/v1/commitments", `/api/v1/commitments/${c.id}`, `/api/v1/commitments/${c.id}/events`, "/api/v1/export"]) {
      expect((await call("GET", path, { token: null })).status, path).toBe(200);
      expect((await call("GET", path, { token: "pw_bogus" })).status, path).toBe(200);
    }
  });
});

describe("tokens", () => {
  it("shows a token once, stores only its SHA-256, and never lists the secret", async () => {
    const name = uid("shown-once");
    const res = await call("POST", "/api/v1/tokens", { body: { name, scope: "write" } });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toMatchObject({ name, scope: "write", created_by: "admin", revoked_at: null });
    expect(created.token).toMatch(/^pw_[A-Za-z0-9_-]{43}$/);
    const row = await env.DB.prepare("SELECT * FROM api_tokens WHERE id = ?").bind(created.id).first<Record<string, unknown>>();
    expect(row!.token_hash).toBe(await sha256Hex(created.token));
    for (const value of Object.values(row!)) expect(String(value)).not.toContain(created.token.slice(3));
    const listText = await (await call("GET", "/api/v1/tokens")).text();
    expect(listText).toContain(created.id);
    expect(listText).not.toContain(created.token);
    expect(listText).not.toContain(String(row!.token_hash));
    const listed = JSON.parse(listText).items.find((t: { id: string }) => t.id === created.id);
    expect(Object.keys(listed).sort()).toEqual(["created_at", "created_by", "id", "name", "revoked_at", "scope"]);
  });

  it("records the token's name as the actor of the events it causes, the creator of tokens it makes", async () => {
    const writer = await makeToken("write");
    const admin = await makeToken("admin");
    const agreementId = uid("agr");
    const imported = await call("POST", "/api/v1/import", {
      token: writer.token,
      body: { agreements: [{ id: agreementId, title: "By the writer", kind: "letter" }], commitments: [{ id: uid("com"), agreement: agreementId, title: "Also by the writer" }] },
    });
    expect(imported.status).toBe(200);
    const { results } = await env.DB.prepare("SELECT actor FROM events WHERE agreement_id = ?").bind(agreementId).all<{ actor: string }>();
    expect(results.map((r) => r.actor)).toEqual([writer.name, writer.name]);
    const made = await json(call("POST", "/api/v1/tokens", { token: admin.token, body: { name: uid("child"), scope: "read" } }));
    expect(made.created_by).toBe(admin.name);
    const c = await createCommitment(agreementId);
    await call("POST", `/api/v1/commitments/${c.id}/status`, { token: admin.token, body: { status: "stalled" } });
    expect((await eventsOf(c.id)).map((e) => e.actor)).toEqual(["admin", admin.name]);
  });

  it("answers 401 for an Authorization header that is not a bearer token", async () => {
    for (const header of [`Basic ${btoa(`admin:${ADMIN}`)}`, ADMIN, `Bearer`, `Bearer ${ADMIN} extra`]) {
      const res = await call("POST", "/api/v1/agreements", { token: null, headers: { authorization: header }, body: { id: uid("agr"), title: "x", kind: "letter" } });
      await expectError(res, 401, "unauthorized");
    }
  });

  it("accepts the scheme in any case and surrounding spaces", async () => {
    for (const header of [`bearer ${tokens.write}`, `BEARER ${tokens.write}`, `Bearer   ${tokens.write}  `]) {
      const res = await call("POST", "/api/v1/agreements", { token: null, headers: { authorization: header }, body: { id: uid("agr"), title: "x", kind: "letter" } });
      expect(res.status, header).toBe(201);
    }
  });

  it("refuses a duplicate name, the reserved name 'admin' and an unknown scope", async () => {
    const t = await makeToken("read");
    await expectError(await call("POST", "/api/v1/tokens", { body: { name: t.name, scope: "write" } }), 409, "duplicate_id");
    await expectError(await call("POST", "/api/v1/tokens", { body: { name: "admin", scope: "write" } }), 400, "invalid_input");
    await expectError(await call("POST", "/api/v1/tokens", { body: { name: uid("t"), scope: "owner" } }), 400, "invalid_input");
    await expectError(await call("POST", "/api/v1/tokens", { body: { name: "has space", scope: "read" } }), 400, "invalid_input");
  });

  it("revokes a token at once and idempotently; an unknown id is 404", async () => {
    const t = await makeToken("write");
    expect((await call("POST", "/api/v1/agreements", { token: t.token, body: { id: uid("agr"), title: "x", kind: "letter" } })).status).toBe(201);
    const first = await json(call("DELETE", `/api/v1/tokens/${t.id}`));
    expect(first.revoked_at).not.toBeNull();
    const second = await json(call("DELETE", `/api/v1/tokens/${t.id}`));
    expect(second.revoked_at).toBe(first.revoked_at);
    await expectError(await call("POST", "/api/v1/agreements", { token: t.token, body: { id: uid("agr"), title: "x", kind: "letter" } }), 401, "unauthorized");
    await expectError(await call("DELETE", `/api/v1/tokens/${uid("tok")}`), 404, "not_found");
  });
});
