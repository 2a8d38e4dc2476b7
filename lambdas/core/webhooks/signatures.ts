import { createHmac } from "node:crypto";
import type { WebhookScheme } from "../vendor-config.ts";
import { decodeBase64, decodeHex, timingSafeEqualBytes, timingSafeEqualText } from "./constant-time.ts";
import { getHeader, type WebhookHeaders } from "./headers.ts";

/** Accepted clock difference when a vendor config names none, in seconds (docs/vendor-onboarding.md). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The header each scheme signs in when the vendor config names none. BigCommerce has no default:
 * its shared-secret header is whatever name was set when the webhook was created.
 */
export const DEFAULT_SIGNATURE_HEADERS: Readonly<Record<WebhookScheme, string | undefined>> = {
  shopify: "X-Shopify-Hmac-Sha256",
  woocommerce: "X-WC-Webhook-Signature",
  stripe: "Stripe-Signature",
  "standard-webhooks": "webhook-signature",
  bigcommerce: undefined,
};

/** Most signature entries looked at in one header; more is not a real sender and only costs HMACs. */
const MAX_SIGNATURE_ENTRIES = 16;

/** What {@link verifyWebhookSignature} needs to know about one delivery. */
export interface VerifyWebhookInput {
  readonly scheme: WebhookScheme;
  /** The request body exactly as received (after API Gateway's base64 decoding, before any JSON parsing). */
  readonly body: Uint8Array;
  readonly headers: WebhookHeaders;
  /**
   * Signing secrets, current first, then previous ones still accepted during a rotation. Empty strings
   * are ignored. Stripe-style: the endpoint secret as-is (`whsec_` included); Standard Webhooks:
   * `whsec_<base64>`; BigCommerce: the shared header value.
   */
  readonly secrets: readonly string[];
  /** The verifier's clock, UTC epoch ms. */
  readonly now: number;
  /** Header carrying the signature. @default {@link DEFAULT_SIGNATURE_HEADERS}[scheme] */
  readonly signatureHeader?: string;
  /** Accepted distance of the signed timestamp from `now`, either direction, in seconds. @default 300 */
  readonly toleranceSeconds?: number;
  /** Unit of the signed timestamp the vendor sends (Stripe-style and Standard Webhooks). @default "s" */
  readonly timestampUnit?: "s" | "ms";
}

/** Why a delivery was not accepted. */
export type SignatureFailureReason =
  /** The signature header is absent or empty. */
  | "missing-signature"
  /** The signature header is present but cannot be read (no `v1=`/`v1,` entry, too many entries). */
  | "malformed-signature"
  /** Only signature versions this verifier does not accept (Stripe `v0`, Standard Webhooks `v1a`). */
  | "unsupported-signature-version"
  /** No signature matches the body under any configured secret. */
  | "bad-signature"
  /** The scheme signs a timestamp and none was sent. */
  | "missing-timestamp"
  /** The timestamp is not a plain integer. */
  | "invalid-timestamp"
  /** The signed timestamp is older than the tolerance (a replay or a long-delayed delivery). */
  | "stale-timestamp"
  /** The signed timestamp is further ahead than the tolerance (clock skew or a forged future time). */
  | "future-timestamp"
  /** Standard Webhooks: the `webhook-id` header, part of the signed content, is missing. */
  | "missing-webhook-id"
  /** No configured secret can be used (none given, all empty, or not `whsec_<base64>`). */
  | "no-usable-secret"
  /** The scheme needs a configured header name and has none (BigCommerce). */
  | "missing-header-config"
  /** The scheme is not one this verifier knows (a config that bypassed validation). */
  | "unsupported-scheme"
  /** The body is not bytes or the headers are not a map (an adapter bug, reported rather than thrown). */
  | "malformed-request";

/**
 * The verdict on one delivery. Only `ok: true` means "authentic: process it". A WooCommerce creation
 * ping is `ok: false` with reason `"ping"`: the receiver answers 200 (WooCommerce only activates the
 * webhook then) and processes nothing.
 */
export type VerifyWebhookResult =
  | {
      readonly ok: true;
      readonly scheme: WebhookScheme;
      /** Index in `secrets` of the secret that matched: above 0 means a previous secret is still in use. */
      readonly secretIndex: number;
      /** The signed send time, UTC epoch ms, for schemes that sign one. */
      readonly signedAt?: number;
      /** Standard Webhooks `webhook-id`: signed, stable across retries. */
      readonly webhookId?: string;
    }
  | { readonly ok: false; readonly reason: "ping"; readonly webhookId: string }
  | { readonly ok: false; readonly reason: SignatureFailureReason };

type Failure = Extract<VerifyWebhookResult, { ok: false }>;
const fail = (reason: SignatureFailureReason): Failure => ({ ok: false, reason });

function hmacSha256(key: Uint8Array | string, ...parts: Uint8Array[]): Buffer {
  const mac = createHmac("sha256", key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * @param keys - one HMAC key per configured secret, aligned with `secrets` (`undefined` = unusable).
 * @returns the index of the first secret under which any candidate matches, or -1.
 */
function firstMatch(
  keys: readonly (Uint8Array | undefined)[],
  candidates: readonly Buffer[],
  digest: (key: Uint8Array) => Buffer,
): number {
  for (const [index, key] of keys.entries()) {
    if (key === undefined) continue;
    const expected = digest(key);
    // Every candidate is compared even after a match: the work done must not depend on which one matched.
    let matched = false;
    for (const candidate of candidates) matched = timingSafeEqualBytes(candidate, expected) || matched;
    if (matched) return index;
  }
  return -1;
}

interface SignedTime {
  readonly text: string;
  readonly ms: number;
}

function readTimestamp(text: string | undefined, unit: "s" | "ms"): SignedTime | Failure {
  if (text === undefined || text.trim() === "") return fail("missing-timestamp");
  const trimmed = text.trim();
  if (!/^\d{1,16}$/.test(trimmed)) return fail("invalid-timestamp");
  const value = Number(trimmed);
  return { text: trimmed, ms: unit === "ms" ? value : value * 1000 };
}

function checkWindow(signed: SignedTime, input: VerifyWebhookInput): Failure | undefined {
  const toleranceMs = (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS) * 1000;
  if (input.now - signed.ms > toleranceMs) return fail("stale-timestamp");
  if (signed.ms - input.now > toleranceMs) return fail("future-timestamp");
  return undefined;
}

/**
 * Turns the configured secrets into HMAC keys, keeping their positions so a match reports the index
 * the caller knows. Empty or undecodable secrets become `undefined`.
 */
function hmacKeys(secrets: readonly string[], toKey: (secret: string) => Uint8Array | undefined) {
  const keys = secrets.map((secret) => (typeof secret === "string" && secret !== "" ? toKey(secret) : undefined));
  return keys.some((key) => key !== undefined && key.byteLength > 0) ? keys : undefined;
}

const utf8 = (text: string): Uint8Array => Buffer.from(text, "utf8");

/**
 * WordPress `wp_specialchars_decode($secret, ENT_QUOTES)`: WooCommerce stores the secret HTML-escaped
 * and decodes exactly these entities before signing, so the verifier must do the same.
 *
 * @see https://developer.wordpress.org/reference/functions/wp_specialchars_decode/
 */
export function wpSpecialcharsDecode(text: string): string {
  const entities: Readonly<Record<string, string>> = {
    "&lt;": "<",
    "&#060;": "<",
    "&#60;": "<",
    "&gt;": ">",
    "&#062;": ">",
    "&#62;": ">",
    "&quot;": '"',
    "&#034;": '"',
    "&#34;": '"',
    "&#x22;": '"',
    "&#039;": "'",
    "&#39;": "'",
    "&#x27;": "'",
    "&amp;": "&",
    "&#038;": "&",
    "&#38;": "&",
    "&#x26;": "&",
  };
  // One pass, so "&amp;lt;" becomes "&lt;" and not "<", as in PHP.
  return text.replace(/&(?:lt|gt|quot|amp|#0?6[02]|#0?3[489]|#x2[267]);/gi, (entity) => {
    return entities[entity.toLowerCase()] ?? entity;
  });
}

function verifyBodyHmac(
  input: VerifyWebhookInput,
  header: string,
  keyOf: (secret: string) => Uint8Array,
): VerifyWebhookResult {
  const value = getHeader(input.headers, header)?.trim();
  if (!value) return fail("missing-signature");
  const keys = hmacKeys(input.secrets, keyOf);
  if (!keys) return fail("no-usable-secret");
  const candidate = decodeBase64(value);
  if (!candidate) return fail("bad-signature");
  const index = firstMatch(keys, [candidate], (key) => hmacSha256(key, input.body));
  return index < 0 ? fail("bad-signature") : { ok: true, scheme: input.scheme, secretIndex: index };
}

/** The WooCommerce creation ping: form body `webhook_id=<id>`, no signature, no topic header. */
function wooCommercePing(input: VerifyWebhookInput): { webhookId: string } | undefined {
  if (getHeader(input.headers, "X-WC-Webhook-Topic") !== undefined || input.body.byteLength > 64) return undefined;
  const match = /^webhook_id=(\d{1,20})$/.exec(Buffer.from(input.body).toString("latin1").trim());
  return match?.[1] ? { webhookId: match[1] } : undefined;
}

function verifyShopify(input: VerifyWebhookInput, header: string): VerifyWebhookResult {
  return verifyBodyHmac(input, header, utf8);
}

function verifyWooCommerce(input: VerifyWebhookInput, header: string): VerifyWebhookResult {
  if (!getHeader(input.headers, header)?.trim()) {
    const ping = wooCommercePing(input);
    if (ping) return { ok: false, reason: "ping", webhookId: ping.webhookId };
  }
  return verifyBodyHmac(input, header, (secret) => utf8(wpSpecialcharsDecode(secret)));
}

/**
 * Stripe-style `t=<ts>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`: only `v1` counts; the key is the secret
 * string itself (`whsec_` included), the signed bytes are `t + "." + body`.
 */
function verifyStripe(input: VerifyWebhookInput, header: string): VerifyWebhookResult {
  const value = getHeader(input.headers, header)?.trim();
  if (!value) return fail("missing-signature");
  const items = value.split(",");
  if (items.length > MAX_SIGNATURE_ENTRIES) return fail("malformed-signature");
  let timestamp: string | undefined;
  const signatures: string[] = [];
  let otherVersions = 0;
  for (const item of items) {
    const at = item.indexOf("=");
    if (at < 0) continue;
    const key = item.slice(0, at).trim();
    const text = item.slice(at + 1).trim();
    if (key === "t") {
      if (timestamp !== undefined) return fail("malformed-signature");
      timestamp = text;
    } else if (key === "v1") signatures.push(text);
    else if (/^v\d+$/.test(key)) otherVersions++;
  }
  if (signatures.length === 0) return fail(otherVersions > 0 ? "unsupported-signature-version" : "malformed-signature");
  const signed = readTimestamp(timestamp, input.timestampUnit ?? "s");
  if ("ok" in signed) return signed;
  const keys = hmacKeys(input.secrets, utf8);
  if (!keys) return fail("no-usable-secret");
  const candidates = signatures.map(decodeHex).filter((bytes): bytes is Buffer => bytes !== undefined);
  const prefix = utf8(`${signed.text}.`);
  const index = firstMatch(keys, candidates, (key) => hmacSha256(key, prefix, input.body));
  if (index < 0) return fail("bad-signature");
  return checkWindow(signed, input) ?? { ok: true, scheme: input.scheme, secretIndex: index, signedAt: signed.ms };
}

/** `whsec_<base64>` (or bare base64) → key bytes; `undefined` when it is not valid base64. */
function standardWebhooksKey(secret: string): Buffer | undefined {
  return decodeBase64(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
}

/**
 * Standard Webhooks: `webhook-signature` holds space-separated `<version>,<base64>` entries; only `v1`
 * (HMAC-SHA256) is checked, others (`v1a`, Ed25519) are skipped. Signed content is
 * `<webhook-id>.<webhook-timestamp>.<body>` under the base64-decoded secret.
 */
function verifyStandardWebhooks(input: VerifyWebhookInput, header: string): VerifyWebhookResult {
  const value = getHeader(input.headers, header)?.trim();
  if (!value) return fail("missing-signature");
  const entries = value.split(/\s+/);
  if (entries.length > MAX_SIGNATURE_ENTRIES) return fail("malformed-signature");
  const signatures: Buffer[] = [];
  let recognised = 0;
  for (const entry of entries) {
    const comma = entry.indexOf(",");
    if (comma < 0) continue;
    recognised++;
    if (entry.slice(0, comma) !== "v1") continue;
    const bytes = decodeBase64(entry.slice(comma + 1));
    if (bytes) signatures.push(bytes);
  }
  if (recognised === 0) return fail("malformed-signature");
  const hasV1 = entries.some((entry) => entry.startsWith("v1,"));
  if (!hasV1) return fail("unsupported-signature-version");
  const webhookId = getHeader(input.headers, "webhook-id")?.trim();
  if (!webhookId) return fail("missing-webhook-id");
  const signed = readTimestamp(getHeader(input.headers, "webhook-timestamp"), input.timestampUnit ?? "s");
  if ("ok" in signed) return signed;
  const keys = hmacKeys(input.secrets, standardWebhooksKey);
  if (!keys) return fail("no-usable-secret");
  const prefix = utf8(`${webhookId}.${signed.text}.`);
  const index = firstMatch(keys, signatures, (key) => hmacSha256(key, prefix, input.body));
  if (index < 0) return fail("bad-signature");
  return (
    checkWindow(signed, input) ?? {
      ok: true,
      scheme: input.scheme,
      secretIndex: index,
      signedAt: signed.ms,
      webhookId,
    }
  );
}

/** BigCommerce: no body signature; the custom header set on the webhook must equal a configured secret. */
function verifyBigCommerce(input: VerifyWebhookInput, header: string | undefined): VerifyWebhookResult {
  if (!header) return fail("missing-header-config");
  const value = getHeader(input.headers, header);
  if (!value) return fail("missing-signature");
  if (!input.secrets.some((secret) => typeof secret === "string" && secret !== "")) return fail("no-usable-secret");
  const index = input.secrets.findIndex((secret) => typeof secret === "string" && timingSafeEqualText(value, secret));
  return index < 0 ? fail("bad-signature") : { ok: true, scheme: input.scheme, secretIndex: index };
}

/**
 * Verifies a webhook delivery on its exact raw bytes, per the vendor's scheme (see
 * `test/fixtures/webhooks/PROVENANCE.md` and the sources below). Header names are matched
 * case-insensitively; every comparison is constant-time; every configured secret (current and
 * previous) is tried; signed timestamps must lie within ± `toleranceSeconds` of `now`.
 *
 * Never throws for any input: a malformed header, a non-hex or multibyte signature, a missing
 * timestamp or an unusable secret all come back as `{ ok: false, reason }`.
 *
 * @returns the verdict; `secretIndex` tells whether a previous secret matched.
 * @see https://shopify.dev/docs/apps/build/webhooks/subscribe/https (Shopify)
 * @see https://github.com/woocommerce/woocommerce/blob/trunk/plugins/woocommerce/includes/class-wc-webhook.php (WooCommerce `generate_signature()`, `deliver_ping()`)
 * @see https://docs.stripe.com/webhooks#verify-manually (Stripe-style)
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md (Standard Webhooks)
 * @see https://developer.bigcommerce.com/docs/integrations/webhooks (BigCommerce custom headers)
 */
export function verifyWebhookSignature(input: VerifyWebhookInput): VerifyWebhookResult {
  if (
    !(input.body instanceof Uint8Array) ||
    typeof input.headers !== "object" ||
    input.headers === null ||
    !Array.isArray(input.secrets) ||
    !Number.isFinite(input.now)
  ) {
    return fail("malformed-request");
  }
  const header = input.signatureHeader ?? DEFAULT_SIGNATURE_HEADERS[input.scheme];
  switch (input.scheme) {
    case "shopify":
      return verifyShopify(input, header as string);
    case "woocommerce":
      return verifyWooCommerce(input, header as string);
    case "stripe":
      return verifyStripe(input, header as string);
    case "standard-webhooks":
      return verifyStandardWebhooks(input, header as string);
    case "bigcommerce":
      return verifyBigCommerce(input, header);
    default:
      return fail("unsupported-scheme");
  }
}
