import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares two byte sequences in constant time. Never throws: sequences of different lengths are
 * simply unequal (`timingSafeEqual` itself throws on a length mismatch, so it is only reached with
 * equal lengths). Empty input is never equal to anything, so an empty header can never match an
 * empty (misconfigured) secret.
 *
 * @see https://nodejs.org/api/crypto.html#cryptotimingsafeequala-b
 */
export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength === 0 || b.byteLength === 0 || a.byteLength !== b.byteLength) return false;
  return timingSafeEqual(a, b);
}

/**
 * Compares two strings (as UTF-8) in constant time with respect to their content and length: both
 * sides are first hashed to 32 bytes, so neither a length difference nor the position of the first
 * differing character shows in the timing. Used for shared-secret headers (BigCommerce). Never throws;
 * an empty string equals nothing.
 */
export function timingSafeEqualText(a: string, b: string): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const digestA = createHash("sha256").update(a, "utf8").digest();
  const digestB = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(digestA, digestB);
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes hex text strictly (`Buffer.from(…, "hex")` silently stops at the first bad character).
 *
 * @returns the bytes, or `undefined` for empty or malformed text.
 */
export function decodeHex(text: string): Buffer | undefined {
  return HEX.test(text) ? Buffer.from(text, "hex") : undefined;
}

/**
 * Decodes standard (RFC 4648 §4, padded) base64 strictly (`Buffer.from(…, "base64")` skips bad
 * characters instead of failing).
 *
 * @returns the bytes, or `undefined` for empty or malformed text.
 */
export function decodeBase64(text: string): Buffer | undefined {
  return text.length > 0 && BASE64.test(text) ? Buffer.from(text, "base64") : undefined;
}
