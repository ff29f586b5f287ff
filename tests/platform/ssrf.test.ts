import { describe, expect, it } from "vitest";
import { checkTarget } from "../../src/platform/ssrf";
import { call, json } from "../helpers";

const REFUSED = [
  "http://hooks.example.com/", // not https
  "ftp://hooks.example.com/",
  "https://127.0.0.1/hook",
  "https://127.1.2.3/hook",
  "https://2130706433/hook", // 127.0.0.1 as one number
  "https://0x7f000001/hook",
  "https://0177.0.0.1/hook", // octal
  "https://0/hook",
  "https://0.0.0.0/hook",
  "https://localhost/hook",
  "https://api.localhost/hook",
  "https://10.0.0.5/hook",
  "https://172.16.0.1/hook",
  "https://192.168.1.1/hook",
  "https://100.64.0.1/hook", // CGNAT
  "https://169.254.169.254/latest/meta-data", // link-local / cloud metadata
  "https://metadata.google.internal/computeMetadata/v1",
  "https://224.0.0.1/hook", // multicast
  "https://240.0.0.1/hook", // reserved
  "https://255.255.255.255/hook",
  "https://[::1]/hook",
  "https://[::]/hook",
  "https://[fe80::1]/hook",
  "https://[fc00::1]/hook",
  "https://[fd12:3456::1]/hook",
  "https://[ff02::1]/hook",
  "https://[::ffff:127.0.0.1]/hook", // IPv4-mapped
  "https://[::ffff:a9fe:a9fe]/hook", // IPv4-mapped 169.254.169.254
  "https://[64:ff9b::a00:1]/hook", // NAT64 of 10.0.0.1
  "https://[2002:7f00:1::]/hook", // 6to4 of 127.0.0.1
  "https://intranet/hook",
  // IPv4-compatible IPv6 (::/96, deprecated) embedding loopback, and the rest of ::/8
  "https://[::127.0.0.1]/hook",
  "https://[::7f00:1]/hook",
  "https://[::a00:1]/hook",
  "https://[100::1]/hook", // discard
  // outside 2000::/3, or special ranges inside it
  "https://[4000::1]/hook",
  "https://[2001:db8::1]/hook", // documentation
  "https://[3fff::1]/hook", // documentation (RFC 9637)
  "https://[2001::a00:1]/hook", // Teredo
  "https://[2001:2::1]/hook", // benchmarking
  "https://[2002:a00:1::]/hook", // 6to4 of 10.0.0.1
  "https://[64:ff9b:1::a00:1]/hook", // local-use NAT64
  "https://[fec0::1]/hook", // site-local
  "https://192.0.2.1/hook", // documentation
  "https://198.18.0.1/hook", // benchmarking
  // localhost in every spelling
  "https://LOCALHOST/hook",
  "https://localhost./hook",
  "https://localhost../hook",
  "https://localhost.localdomain/hook",
  "https://a.b.localhost./hook",
  "https://printer.local/hook",
  "https://router.home.arpa/hook",
  "https://hooks..example.com/hook", // an empty label
  // ports other than 443
  "https://hooks.example.com:22/hook",
  "https://hooks.example.com:0/hook",
  "https://hooks.example.com:8443/hook",
  "https://hooks.example.com:80/hook",
  "https://user:pass@hooks.example.com/",
  "not a url",
];

const ALLOWED = [
  "https://hooks.example.com/receiver",
  "https://93.184.216.34/hook",
  "https://[2606:4700::6810:84e5]/hook",
  "https://hooks.example.com:443/receiver",
  "https://hooks.example.com./receiver",
];

describe("the SSRF guard", () => {
  for (const url of REFUSED) {
    it(`refuses ${url}`, () => {
      expect(checkTarget(url, false).ok).toBe(false);
    });
  }
  for (const url of ALLOWED) {
    it(`allows ${url}`, () => {
      expect(checkTarget(url, false).ok).toBe(true);
    });
  }

  it("lets http and loopback through only under ALLOW_PRIVATE_WEBHOOK_TARGETS", () => {
    expect(checkTarget("http://127.0.0.1:8788/hook", true).ok).toBe(true);
    expect(checkTarget("http://localhost:8788/hook", true).ok).toBe(true);
    expect(checkTarget("http://127.0.0.1:8788/hook", false).ok).toBe(false);
    expect(checkTarget("ftp://127.0.0.1/", true).ok).toBe(false);
  });

  it("keeps any port on loopback but only 80 and 443 elsewhere under ALLOW_PRIVATE_WEBHOOK_TARGETS", () => {
    expect(checkTarget("http://127.0.0.1:41234/hook", true).ok).toBe(true);
    expect(checkTarget("http://[::1]:41234/hook", true).ok).toBe(true);
    expect(checkTarget("http://localhost:41234/hook", true).ok).toBe(true);
    expect(checkTarget("http://hooks.example.com/hook", true).ok).toBe(true);
    expect(checkTarget("https://hooks.example.com/hook", true).ok).toBe(true);
    expect(checkTarget("http://hooks.example.com:22/hook", true).ok).toBe(false);
    expect(checkTarget("https://hooks.example.com:0/hook", true).ok).toBe(false);
  });

  it("returns the normalised URL: lower-case host, no default port, no trailing dot", () => {
    const check = checkTarget("https://Hooks.EXAMPLE.com.:443/a/../Receiver?x=1", false);
    expect(check.ok && check.url.href).toBe("https://hooks.example.com/Receiver?x=1");
  });

  it("stores the normalised URL on create and update, so the one checked is the one signed and sent", async () => {
    const created = await json(call("POST", "/api/v1/subscriptions", { body: { url: "https://HOOKS.example.com.:443/in" } }));
    expect(created.url).toBe("https://hooks.example.com/in");
    const patched = await json(call("PATCH", `/api/v1/subscriptions/${created.id}`, { body: { url: "https://Other.Example.org:443/x/./y" } }));
    expect(patched.url).toBe("https://other.example.org/x/y");
  });

  it("answers 400 naming the url when a subscription targets a private address", async () => {
    const res = await call("POST", "/api/v1/subscriptions", { body: { url: "https://[::ffff:10.0.0.1]/x" } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("invalid_input");
    expect(body.error.issues[0].path).toBe("url");
  });
});
