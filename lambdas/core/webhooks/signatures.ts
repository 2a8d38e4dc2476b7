/**
 * Verifying and signing webhook deliveries, per the vendor's scheme (one object per scheme in
 * `schemes/`). Header names come from the scheme, with the vendor's overrides (`signatureHeader`,
 * `idHeader`, `timestampHeader` in `channels.webhook`).
 */
import type { WebhookHeaders } from "./headers.ts";
import {
  type HeaderNames,
  type HeaderRole,
  SIGNATURE_SCHEMES,
  type SignatureScheme,
  signatureScheme,
  WEBHOOK_SCHEMES,
  type WebhookScheme,
} from "./schemes/index.ts";
import { DEFAULT_TOLERANCE_SECONDS, fail, readRole, type VerifyWebhookResult } from "./schemes/scheme.ts";

export {
  CONFIGURATION_FAULT_REASONS,
  DEFAULT_TOLERANCE_SECONDS,
  type SignatureFailureReason,
  type VerifyWebhookResult,
} from "./schemes/scheme.ts";
export { wpSpecialcharsDecode } from "./schemes/woocommerce.ts";
export { type HeaderNames, type HeaderRole, SIGNATURE_SCHEMES, WEBHOOK_SCHEMES, type WebhookScheme };

/** A vendor's header-name overrides (`channels.webhook.signatureHeader`, `idHeader`, `timestampHeader`). */
export interface HeaderOverrides {
  readonly signatureHeader?: string;
  readonly idHeader?: string;
  readonly timestampHeader?: string;
}

const OVERRIDE_OF_ROLE: Readonly<Record<HeaderRole, keyof HeaderOverrides>> = {
  signature: "signatureHeader",
  id: "idHeader",
  timestamp: "timestampHeader",
};

/** The config key that overrides a role's header name (`signature` → `signatureHeader`). */
export const overrideKeyOf = (role: HeaderRole): keyof HeaderOverrides => OVERRIDE_OF_ROLE[role];

/**
 * The header families a vendor's deliveries are read from: the scheme's own (both `webhook-*` and
 * `svix-*` for Standard Webhooks) when the vendor overrides nothing; otherwise one family, the
 * scheme's first with the vendor's names in place.
 */
export function headerFamiliesFor(scheme: SignatureScheme, overrides: HeaderOverrides = {}): HeaderNames[] {
  const own: Partial<Record<HeaderRole, string>> = {};
  for (const role of scheme.roles) {
    const name = overrides[OVERRIDE_OF_ROLE[role]];
    if (name) own[role] = name;
  }
  if (Object.keys(own).length === 0) return [...scheme.headerFamilies];
  return [{ ...scheme.headerFamilies[0], ...own }];
}

/** What {@link verifyWebhookSignature} needs to know about one delivery. */
export interface VerifyWebhookInput extends HeaderOverrides {
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
  /** Accepted distance of the signed timestamp from `now`, either direction, in seconds. @default 300 */
  readonly toleranceSeconds?: number;
  /** Unit of the signed timestamp the vendor sends (Stripe-style and Standard Webhooks). @default "s" */
  readonly timestampUnit?: "s" | "ms";
}

/**
 * Verifies a webhook delivery on its exact raw bytes, per the vendor's scheme (see
 * `test/fixtures/webhooks/PROVENANCE.md` and each scheme's sources in `schemes/`). Header names are
 * matched case-insensitively; every comparison is constant-time; every configured secret (current and
 * previous) is tried; signed timestamps must lie within ± `toleranceSeconds` of `now`.
 *
 * Never throws for any input: a malformed header, a non-hex or multibyte signature, a missing
 * timestamp or an unusable secret all come back as `{ ok: false, reason }`. Reasons in
 * `CONFIGURATION_FAULT_REASONS` are our configuration's fault, not the sender's.
 *
 * @returns the verdict; `secretIndex` tells whether a previous secret matched.
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
  const scheme = signatureScheme(input.scheme);
  if (!scheme) return fail("unsupported-scheme");
  return scheme.verify({
    body: input.body,
    headers: input.headers,
    secrets: input.secrets,
    now: input.now,
    families: headerFamiliesFor(scheme, input),
    toleranceSeconds: input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
    timestampUnit: input.timestampUnit ?? "s",
  });
}

/** What {@link signWebhookDelivery} needs: a vendor's scheme and names, a body and the current secret. */
export interface SignWebhookInput extends HeaderOverrides {
  readonly scheme: WebhookScheme;
  readonly body: Uint8Array;
  /** The current signing secret. */
  readonly secret: string;
  /** Send time, UTC epoch ms. */
  readonly now: number;
  /** Message id for schemes that sign one (Standard Webhooks). */
  readonly messageId: string;
  /** @default "s" */
  readonly timestampUnit?: "s" | "ms";
}

/**
 * Signs a delivery the way the vendor's platform would (`vendor-sync webhook send`, the demo, tests):
 * the exact headers `verifyWebhookSignature` then accepts.
 *
 * @returns the signature headers, by the names the vendor's configuration makes us read.
 * @throws {Error} for a scheme that needs a header name the config does not give, or a secret not in the scheme's format.
 */
export function signWebhookDelivery(input: SignWebhookInput): Record<string, string> {
  const scheme = SIGNATURE_SCHEMES[input.scheme];
  const [names] = headerFamiliesFor(scheme, input);
  for (const role of scheme.roles) {
    if (!names?.[role]) throw new Error(`scheme ${scheme.name} needs channels.webhook.${OVERRIDE_OF_ROLE[role]}`);
  }
  return scheme.sign({
    body: input.body,
    secret: input.secret,
    now: input.now,
    messageId: input.messageId,
    names: names as HeaderNames,
    timestampUnit: input.timestampUnit ?? "s",
  });
}

/**
 * The message id a delivery's signature covers (Standard Webhooks' `webhook-id` or `svix-id`, or
 * the vendor's `idHeader`): stable across retries, so it is the event id of canonical payloads.
 *
 * @returns the id, or `undefined` for schemes that sign no id or a delivery without one.
 */
export function signedMessageId(
  channel: HeaderOverrides & { readonly scheme: WebhookScheme },
  headers: WebhookHeaders,
): string | undefined {
  const scheme = signatureScheme(channel.scheme);
  if (!scheme?.roles.includes("id")) return undefined;
  return readRole({ headers, families: headerFamiliesFor(scheme, channel) }, "id")?.trim() || undefined;
}
