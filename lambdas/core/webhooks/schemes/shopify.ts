import { bodySignature, verifyBodyHmac } from "./body-hmac.ts";
import { nameOf, type SignatureScheme, textSecretProblem, utf8 } from "./scheme.ts";

/**
 * Shopify: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body, keyed with the app's
 * client secret as UTF-8 text. No time is signed (de-duplication and event times guard replays).
 *
 * @see https://shopify.dev/docs/apps/build/webhooks/subscribe/https
 */
export const shopify = {
  name: "shopify",
  summary: "base64 HMAC-SHA256 of the raw body under the app's client secret",
  headerFamilies: [{ signature: "X-Shopify-Hmac-Sha256" }],
  roles: ["signature"],
  requiredRoles: [],
  platformPayload: "shopify",
  signsTimestamp: false,
  secret: {
    description: "the app's client secret, as text",
    problem: textSecretProblem,
    generate: (random) => Buffer.from(random).toString("hex"),
  },
  verify: (input) => verifyBodyHmac("shopify", input, utf8),
  sign: (input) => ({ [nameOf(input.names, "signature")]: bodySignature(utf8(input.secret), input.body) }),
} as const satisfies SignatureScheme;
