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
  "https://user:pass@hooks.example.com/",
  "not a url",
];

const ALLOWED = ["https://hooks.example.com/receiver", "https://93.184.216.34/hook", "https://[2606:4700::6810:84e5]/hook"];

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

  it("answers 400 naming the url when a subscription targets a private address", async () => {
    const res = await call("POST", "/api/v1/subscriptions", { body: { url: "https://[::ffff:10.0.0.1]/x" } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("invalid_input");
    expect(body.error.issues[0].path).toBe("url");
  });
});
