import { createHmac } from "node:crypto";
import { timingSafeEqualBytes } from "../constant-time.ts";
import type { WebhookHeaders } from "../headers.ts";
import { getHeader } from "../headers.ts";

/** What a header carries in a signed delivery. */
export type HeaderRole = "signature" | "id" | "timestamp";

/** Header names by role, as one sender writes them (`webhook-id`, `webhook-timestamp`, …). */
export type HeaderNames = Readonly<Partial<Record<HeaderRole, string>>>;

/** Accepted clock difference when a vendor config names none, in seconds (docs/vendor-onboarding.md). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Most signature entries looked at in one header; more is not a real sender and only costs HMACs. */
export const MAX_SIGNATURE_ENTRIES = 16;

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
  /** Standard Webhooks: the message id header (`webhook-id` / `svix-id`), part of the signed content, is missing. */
  | "missing-webhook-id"
  /** No configured secret can be used (none given, all empty, or not in the scheme's format): a configuration fault. */
  | "no-usable-secret"
  /** The scheme needs a configured header name and has none (BigCommerce): a configuration fault. */
  | "missing-header-config"
  /** The scheme is not one this verifier knows (a config that bypassed validation): a configuration fault. */
  | "unsupported-scheme"
  /** The body is not bytes or the headers are not a map (an adapter bug, reported rather than thrown). */
  | "malformed-request";

/**
 * Failure reasons that are our configuration's fault, not the sender's: the receiver answers 503 with
 * Retry-After (the vendor's retries succeed once it is fixed) and alarms, instead of a 401.
 */
export const CONFIGURATION_FAULT_REASONS: ReadonlySet<SignatureFailureReason> = new Set([
  "no-usable-secret",
  "missing-header-config",
  "unsupported-scheme",
]);

/**
 * The verdict on one delivery. Only `ok: true` means "authentic: process it". A WooCommerce creation
 * ping is `ok: false` with reason `"ping"`: the receiver answers 200 (WooCommerce only activates the
 * webhook then) and processes nothing.
 */
export type VerifyWebhookResult =
  | {
      readonly ok: true;
      readonly scheme: string;
      /** Index in `secrets` of the secret that matched: above 0 means a previous secret is still in use. */
      readonly secretIndex: number;
      /** The signed send time, UTC epoch ms, for schemes that sign one. */
      readonly signedAt?: number;
      /** The signed message id (Standard Webhooks `webhook-id` / `svix-id`): stable across retries. */
      readonly webhookId?: string;
    }
  | { readonly ok: false; readonly reason: "ping"; readonly webhookId: string }
  | { readonly ok: false; readonly reason: SignatureFailureReason };

export type Failure = Extract<VerifyWebhookResult, { ok: false }>;
export const fail = (reason: SignatureFailureReason): Failure => ({ ok: false, reason });

/** One delivery as a scheme's `verify` sees it: header names already resolved. */
export interface SchemeVerifyInput {
  /** The request body exactly as received. */
  readonly body: Uint8Array;
  readonly headers: WebhookHeaders;
  /** Signing secrets, current first; empty strings are ignored. */
  readonly secrets: readonly string[];
  /** The verifier's clock, UTC epoch ms. */
  readonly now: number;
  /** Header names to read, in order of preference per role (one family per sender brand). */
  readonly families: readonly HeaderNames[];
  /** Accepted distance of a signed timestamp from `now`, either direction, in seconds. */
  readonly toleranceSeconds: number;
  /** Unit of the signed timestamp. */
  readonly timestampUnit: "s" | "ms";
}

/** What a scheme's `sign` needs to produce one delivery's signature headers. */
export interface SchemeSignInput {
  readonly body: Uint8Array;
  /** The current signing secret, in the scheme's format. */
  readonly secret: string;
  /** Send time, UTC epoch ms. */
  readonly now: number;
  /** Message id, for schemes that sign one (Standard Webhooks). */
  readonly messageId: string;
  /** The header names to write (the first family, with the vendor's overrides). */
  readonly names: HeaderNames;
  readonly timestampUnit: "s" | "ms";
}

/** A scheme's signing-secret format: what a valid secret looks like and how a fresh one is made. */
export interface SecretFormat {
  /** The format in words, for error messages and docs ("whsec_ followed by base64"). */
  readonly description: string;
  /** @returns what is wrong with a secret in plain words, or `undefined` when it is usable. */
  problem(secret: string): string | undefined;
  /** @returns a fresh random secret in this format (the sandbox creates one per vendor). */
  generate(random: Uint8Array): string;
}

/**
 * One webhook signature scheme: every fact about it in one object (DESIGN's "one object per
 * variant"): the headers it reads, how it verifies and signs, and its secret format. Adding a scheme
 * is one file beside this one and a line in `index.ts`.
 */
export interface SignatureScheme {
  readonly name: string;
  /** One line for `vendor-sync vendors show` and the docs. */
  readonly summary: string;
  /**
   * The header names senders use, one family per brand (Standard Webhooks: `webhook-*` and Svix's
   * `svix-*`). `sign` writes the first. A role with no default name must be configured per vendor.
   */
  readonly headerFamilies: readonly HeaderNames[];
  /** The roles this scheme reads (a vendor may override the name of each). */
  readonly roles: readonly HeaderRole[];
  /** Roles without a default name: the vendor config must name the header (BigCommerce's custom header). */
  readonly requiredRoles: readonly HeaderRole[];
  /**
   * The payload format of the platform that owns this scheme (Shopify signs only Shopify payloads):
   * a vendor's `payloadFormat` defaults to it and must be it. Generic schemes (Stripe-style, Standard
   * Webhooks) carry any of our formats and default to `canonical`.
   */
  readonly platformPayload?: string;
  /** Whether the scheme signs a send time (and so has a replay window). */
  readonly signsTimestamp: boolean;
  readonly secret: SecretFormat;
  /** Verifies one delivery. Never throws. */
  verify(input: SchemeVerifyInput): VerifyWebhookResult;
  /** @returns the headers that sign `body` (signature, and id/timestamp where the scheme has them). */
  sign(input: SchemeSignInput): Record<string, string>;
}

// ---- helpers shared by the schemes -------------------------------------------------------------

export function hmacSha256(key: Uint8Array | string, ...parts: Uint8Array[]): Buffer {
  const mac = createHmac("sha256", key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export const utf8 = (text: string): Uint8Array => Buffer.from(text, "utf8");

/**
 * Reads a role's header: the first family (in order) whose header for that role is present.
 * @returns the value, or `undefined` when no family's header is there.
 */
export function readRole(input: Pick<SchemeVerifyInput, "headers" | "families">, role: HeaderRole): string | undefined {
  for (const family of input.families) {
    const name = family[role];
    if (!name) continue;
    const value = getHeader(input.headers, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * @param keys - one HMAC key per configured secret, aligned with `secrets` (`undefined` = unusable).
 * @returns the index of the first secret under which any candidate matches, or -1.
 */
export function firstMatch(
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

/**
 * Turns the configured secrets into HMAC keys, keeping their positions so a match reports the index
 * the caller knows. Empty or undecodable secrets become `undefined`.
 * @returns the keys, or `undefined` when none is usable.
 */
export function hmacKeys(secrets: readonly string[], toKey: (secret: string) => Uint8Array | undefined) {
  const keys = secrets.map((secret) => (typeof secret === "string" && secret !== "" ? toKey(secret) : undefined));
  return keys.some((key) => key !== undefined && key.byteLength > 0) ? keys : undefined;
}

export interface SignedTime {
  readonly text: string;
  readonly ms: number;
}

export function readTimestamp(text: string | undefined, unit: "s" | "ms"): SignedTime | Failure {
  if (text === undefined || text.trim() === "") return fail("missing-timestamp");
  const trimmed = text.trim();
  if (!/^\d{1,16}$/.test(trimmed)) return fail("invalid-timestamp");
  const value = Number(trimmed);
  return { text: trimmed, ms: unit === "ms" ? value : value * 1000 };
}

export function checkWindow(signed: SignedTime, input: Pick<SchemeVerifyInput, "now" | "toleranceSeconds">) {
  const toleranceMs = input.toleranceSeconds * 1000;
  if (input.now - signed.ms > toleranceMs) return fail("stale-timestamp");
  if (signed.ms - input.now > toleranceMs) return fail("future-timestamp");
  return undefined;
}

/** The send time as the scheme writes it (`s`: whole seconds). */
export const timestampText = (now: number, unit: "s" | "ms"): string =>
  String(unit === "ms" ? Math.floor(now) : Math.floor(now / 1000));

/** A secret with no usable text: empty, or wrapped in whitespace (a pasted newline). */
export function textSecretProblem(secret: string): string | undefined {
  if (typeof secret !== "string") return "is not text";
  if (secret === "") return "is empty";
  if (secret.trim() !== secret) return "starts or ends with whitespace (a pasted newline?)";
  return undefined;
}

/** The header a role is written under when signing (the first family's, with overrides). */
export function nameOf(names: HeaderNames, role: HeaderRole): string {
  const name = names[role];
  if (!name) throw new Error(`no header name for ${role}`);
  return name;
}
