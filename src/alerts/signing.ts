/**
 * Standard Webhooks signatures: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed by
 * the base64-decoded part of a `whsec_` secret. Several active secrets (during a rotation) give a
 * space-separated list.
 */
import { fromBase64, randomBytes, toBase64 } from "../lib/crypto";
import { lru } from "../lib/lru";

const encoder = new TextEncoder();
export const SECRET_PREFIX = "whsec_";

/** A new secret: `whsec_` + base64 of 32 random bytes (the spec allows 24 to 64). */
export function newSecret(): string {
  return SECRET_PREFIX + toBase64(randomBytes(32));
}

/**
 * Imported HMAC keys by secret, kept by the isolate: decoding and importing a key cost more CPU
 * than the signature itself (bench/README.md, "Where a delivery's time goes"), and the same
 * subscribers receive event after event. Bounded: past 5,000 the least recently used key goes.
 */
const keys = lru<Promise<CryptoKey>>(5_000);

function importKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    const keyBytes = fromBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
    key = crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

export async function sign(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await importKey(secret);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${id}.${timestamp}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

export async function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): Promise<string> {
  const signatures = await Promise.all(secrets.map((s) => sign(s, id, timestamp, body)));
  return signatures.join(" ");
}
