import { decodeBase64 } from "../constant-time.ts";
import {
  fail,
  firstMatch,
  hmacKeys,
  hmacSha256,
  readRole,
  type SchemeVerifyInput,
  type VerifyWebhookResult,
} from "./scheme.ts";

/**
 * The body-only HMAC both Shopify and WooCommerce use: the signature header holds the base64
 * HMAC-SHA256 of the raw body under the secret's key bytes; nothing else is signed.
 */
export function verifyBodyHmac(
  scheme: string,
  input: SchemeVerifyInput,
  keyOf: (secret: string) => Uint8Array,
): VerifyWebhookResult {
  const value = readRole(input, "signature")?.trim();
  if (!value) return fail("missing-signature");
  const keys = hmacKeys(input.secrets, keyOf);
  if (!keys) return fail("no-usable-secret");
  const candidate = decodeBase64(value);
  if (!candidate) return fail("bad-signature");
  const index = firstMatch(keys, [candidate], (key) => hmacSha256(key, input.body));
  return index < 0 ? fail("bad-signature") : { ok: true, scheme, secretIndex: index };
}

/** @returns the base64 HMAC-SHA256 of the body under `key`. */
export const bodySignature = (key: Uint8Array, body: Uint8Array): string => hmacSha256(key, body).toString("base64");
