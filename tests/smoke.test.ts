import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("smoke", () => {
  it("lists no agreements on an empty database", async () => {
    const res = await exports.default.fetch("http://x/api/v1/agreements");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [], next_cursor: null });
  });
});
