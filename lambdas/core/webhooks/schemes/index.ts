/**
 * Every webhook signature scheme, by the name a vendor config gives in `channels.webhook.scheme`.
 * One file per scheme beside this one (see `scheme.ts` for what a scheme is).
 */
import { bigcommerce } from "./bigcommerce.ts";
import type { SignatureScheme } from "./scheme.ts";
import { shopify } from "./shopify.ts";
import { standardWebhooks } from "./standard-webhooks.ts";
import { stripe } from "./stripe.ts";
import { woocommerce } from "./woocommerce.ts";

export const SIGNATURE_SCHEMES = {
  shopify,
  woocommerce,
  stripe,
  "standard-webhooks": standardWebhooks,
  bigcommerce,
} as const satisfies Record<string, SignatureScheme>;

/** Webhook signature scheme names (see docs/vendor-onboarding.md). */
export type WebhookScheme = keyof typeof SIGNATURE_SCHEMES;
export const WEBHOOK_SCHEMES = Object.keys(SIGNATURE_SCHEMES) as readonly WebhookScheme[] as readonly [
  WebhookScheme,
  ...WebhookScheme[],
];

/** @returns the scheme of that name, or `undefined` for a name no scheme has. */
export function signatureScheme(name: string): SignatureScheme | undefined {
  return Object.hasOwn(SIGNATURE_SCHEMES, name) ? SIGNATURE_SCHEMES[name as WebhookScheme] : undefined;
}

export type { HeaderNames, HeaderRole, SignatureScheme } from "./scheme.ts";
