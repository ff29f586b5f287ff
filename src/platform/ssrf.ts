/**
 * SSRF guard for subscriber URLs, checked when a subscription is saved and again before every
 * send. Only https, and never an address that reaches inside a network: loopback, private,
 * link-local (incl. cloud metadata 169.254.169.254), CGNAT, multicast, reserved, unspecified,
 * IPv4-mapped/-translated IPv6 forms of those, and names such as localhost. The WHATWG URL parser
 * already turns numeric hosts (http://2130706433/, 0x7f.1, 017700000001) into dotted IPv4, so the
 * range check sees 127.0.0.1. Ranges come from ipaddr.js (a maintained IP library).
 *
 * A Worker cannot resolve DNS itself, so a public name that resolves to a private address is not
 * caught here; Cloudflare's fetch does not route to private networks from production Workers.
 * ALLOW_PRIVATE_WEBHOOK_TARGETS=true (development and tests only) lets http and loopback through.
 */
import ipaddr from "ipaddr.js";

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

const BLOCKED_NAMES = [/^localhost$/i, /\.localhost$/i, /^metadata\.google\.internal$/i, /\.internal$/i, /\.local$/i, /^metadata$/i];

function addressProblem(host: string): string | null {
  const literal = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(literal)) return null;
  let address = ipaddr.parse(literal);
  if (address.kind() === "ipv6") {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) address = v6.toIPv4Address();
    const range = v6.range();
    // NAT64 (64:ff9b::/96) and 6to4/Teredo embed an IPv4 address that may be internal.
    if (range === "rfc6052" || range === "rfc6145" || range === "6to4" || range === "teredo") {
      return `${range} addresses are not allowed`;
    }
  }
  const range = address.range();
  return range === "unicast" ? null : `${range} addresses are not allowed (${address.toString()})`;
}

export function checkTarget(raw: string, allowPrivate: boolean): TargetCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not an absolute URL" };
  }
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed" };
  if (allowPrivate) {
    return url.protocol === "https:" || url.protocol === "http:" ? { ok: true, url } : { ok: false, reason: "only http(s) URLs" };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "only https URLs are allowed" };
  const host = url.hostname;
  if (BLOCKED_NAMES.some((re) => re.test(host.replace(/\.$/, "")))) {
    return { ok: false, reason: `'${host}' is an internal name` };
  }
  const problem = addressProblem(host);
  if (problem) return { ok: false, reason: problem };
  // A single-label host that is not an IP (e.g. "intranet") only resolves inside a network.
  if (!host.includes(".") && !host.startsWith("[")) return { ok: false, reason: `'${host}' is not a public host name` };
  return { ok: true, url };
}
