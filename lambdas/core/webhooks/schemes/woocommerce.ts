import { getHeader } from "../headers.ts";
import { bodySignature, verifyBodyHmac } from "./body-hmac.ts";
import { nameOf, readRole, type SchemeVerifyInput, type SignatureScheme, textSecretProblem, utf8 } from "./scheme.ts";

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

const wooKey = (secret: string) => utf8(wpSpecialcharsDecode(secret));

/** The WooCommerce creation ping: form body `webhook_id=<id>`, no signature, no topic header. */
function wooCommercePing(input: SchemeVerifyInput): { webhookId: string } | undefined {
  if (getHeader(input.headers, "X-WC-Webhook-Topic") !== undefined || input.body.byteLength > 64) return undefined;
  const match = /^webhook_id=(\d{1,20})$/.exec(Buffer.from(input.body).toString("latin1").trim());
  return match?.[1] ? { webhookId: match[1] } : undefined;
}

/**
 * WooCommerce: `X-WC-Webhook-Signature` is the base64 HMAC-SHA256 of the raw body under the webhook
 * secret after WordPress's HTML-entity decoding. The unsigned form-encoded creation ping is reported
 * as `reason: "ping"` (answered 200, processed never).
 *
 * @see https://github.com/woocommerce/woocommerce/blob/trunk/plugins/woocommerce/includes/class-wc-webhook.php (`generate_signature()`, `deliver_ping()`)
 */
export const woocommerce = {
  name: "woocommerce",
  summary: "base64 HMAC-SHA256 of the raw body under the webhook secret (HTML entities decoded)",
  headerFamilies: [{ signature: "X-WC-Webhook-Signature" }],
  roles: ["signature"],
  requiredRoles: [],
  platformPayload: "woocommerce",
  signsTimestamp: false,
  secret: {
    description: "the webhook's secret as WooCommerce shows it",
    problem: textSecretProblem,
    generate: (random) => Buffer.from(random).toString("hex"),
  },
  verify: (input) => {
    if (!readRole(input, "signature")?.trim()) {
      const ping = wooCommercePing(input);
      if (ping) return { ok: false, reason: "ping", webhookId: ping.webhookId };
    }
    return verifyBodyHmac("woocommerce", input, wooKey);
  },
  sign: (input) => ({ [nameOf(input.names, "signature")]: bodySignature(wooKey(input.secret), input.body) }),
} as const satisfies SignatureScheme;
