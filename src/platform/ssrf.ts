/**
 * The SSRF guard: the one check for every URL the Worker fetches on someone else's say-so.
 * Subscriber URLs are checked when a subscription is saved and again before every send; future
 * fetchers (evidence sources, WebSub callbacks) must call `checkTarget` too, not a copy of it.
 *
 * Allowed: `https` on port 443 to a public host name or a global unicast address. For IPv4 that
 * is ipaddr.js's `unicast` (not loopback, private, link-local incl. 169.254.169.254, CGNAT,
 * multicast, reserved, documentation, benchmarking…); for IPv6 it is 2000::/3 minus the special
 * ranges inside it (documentation, Teredo, 6to4, benchmarking, ORCHID…), so IPv4-compatible
 * (`[::127.0.0.1]`), IPv4-mapped, NAT64, unique-local and site-local forms are all outside it.
 * The WHATWG URL parser already turns numeric hosts (http://2130706433/, 0x7f.1, 017700000001)
 * into dotted IPv4, so the range check sees 127.0.0.1. Internal names (`localhost` in every
 * spelling, `*.localhost`, `localhost.localdomain`, `*.internal`, `*.local`, `*.home.arpa`…)
 * and single-label names are refused.
 *
 * The result carries the normalised URL (`URL.href`: lower-case host without trailing dots,
 * no default port, dot segments resolved): callers store and send that, so the URL that was
 * checked is the one that is fetched and signed.
 *
 * A Worker cannot resolve DNS itself, so a public name that resolves to a private address is not
 * caught here; Cloudflare's fetch does not route to private networks from production Workers.
 * ALLOW_PRIVATE_WEBHOOK_TARGETS=true (development and tests only) also lets `http` (port 80)
 * through, and any address and any port on loopback/private targets (tests run receivers on
 * random loopback ports).
 */
import ipaddr from "ipaddr.js";

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Names that only resolve inside a network (RFC 6761, RFC 8375, cloud metadata). */
const INTERNAL_NAMES = [
  /(^|\.)localhost$/,
  /(^|\.)localdomain$/,
  /(^|\.)internal$/,
  /(^|\.)local$/,
  /(^|\.)home\.arpa$/,
  /(^|\.)arpa$/,
  /(^|\.)invalid$/,
  /^metadata$/,
];

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/** null when `host` is not an IP literal; else whether it is a global unicast address. */
function ipProblem(host: string): { problem: string | null } | null {
  const literal = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(literal)) return null;
  const address = ipaddr.parse(literal);
  if (address.kind() === "ipv4") {
    const range = address.range();
    return { problem: range === "unicast" ? null : `${range} addresses are not allowed (${address.toString()})` };
  }
  const v6 = address as ipaddr.IPv6;
  if (!v6.match(GLOBAL_UNICAST_V6 as [ipaddr.IPv6, number])) {
    const range = v6.range();
    return { problem: `only global unicast addresses are allowed (${v6.toString()} is ${range === "unicast" ? "outside 2000::/3" : range})` };
  }
  const range = v6.range();
  return { problem: range === "unicast" ? null : `${range} addresses are not allowed (${v6.toString()})` };
}

/** Loopback, private and other non-public targets: the development setting may reach these on any port. */
function isNonPublic(host: string): boolean {
  const ip = ipProblem(host);
  if (ip) return ip.problem !== null;
  return INTERNAL_NAMES.some((re) => re.test(host)) || !host.includes(".");
}

export function checkTarget(raw: string, allowPrivate: boolean): TargetCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not an absolute URL" };
  }
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed" };
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) {
    return { ok: false, reason: allowPrivate ? "only http(s) URLs" : "only https URLs are allowed" };
  }
  // The parser lower-cases names; trailing dots name the same host ("localhost.." is localhost).
  const host = url.hostname.replace(/\.+$/, "");
  if (host === "") return { ok: false, reason: "no host name" };
  if (host !== url.hostname) url.hostname = host;
  if (!host.startsWith("[") && host.split(".").some((label) => label === "")) {
    return { ok: false, reason: `'${host}' has an empty label` };
  }
  // URL.port is "" for the scheme's default port (443 for https, 80 for http).
  if (url.port !== "" && !(allowPrivate && isNonPublic(host))) {
    return { ok: false, reason: `port ${url.port} is not allowed: use 443` };
  }
  if (allowPrivate) return { ok: true, url };
  if (INTERNAL_NAMES.some((re) => re.test(host))) return { ok: false, reason: `'${host}' is an internal name` };
  const ip = ipProblem(host);
  if (ip?.problem) return { ok: false, reason: ip.problem };
  // A single-label host that is not an IP (e.g. "intranet") only resolves inside a network.
  if (!ip && !host.includes(".")) return { ok: false, reason: `'${host}' is not a public host name` };
  return { ok: true, url };
}
