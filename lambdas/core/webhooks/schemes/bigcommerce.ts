import { timingSafeEqualText } from "../constant-time.ts";
import { fail, nameOf, readRole, type SignatureScheme, textSecretProblem } from "./scheme.ts";

/**
 * BigCommerce: no body signature; the custom header set when the webhook was created (its name is
 * the vendor's `signatureHeader`, which has no default) must equal a configured secret, compared in
 * constant time.
 *
 * @see https://developer.bigcommerce.com/docs/integrations/webhooks (custom `headers`)
 */
export const bigcommerce = {
  name: "bigcommerce",
  summary: "a shared secret in the custom header set on the webhook, compared in constant time",
  headerFamilies: [{}],
  roles: ["signature"],
  requiredRoles: ["signature"],
  platformPayload: "bigcommerce",
  signsTimestamp: false,
  secret: {
    description: "the shared header value set on the BigCommerce webhook",
    problem: (secret) => {
      const text = textSecretProblem(secret);
      if (text) return text;
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a header value may hold no control characters
      return /[\u0000-\u001f\u007f]/.test(secret) ? "holds control characters a header cannot carry" : undefined;
    },
    generate: (random) => Buffer.from(random).toString("hex"),
  },
  verify: (input) => {
    if (!input.families.some((family) => family.signature)) return fail("missing-header-config");
    const value = readRole(input, "signature");
    if (!value) return fail("missing-signature");
    const usable = (secret: unknown): secret is string => typeof secret === "string" && secret !== "";
    if (!input.secrets.some(usable)) return fail("no-usable-secret");
    const index = input.secrets.findIndex((secret) => usable(secret) && timingSafeEqualText(value, secret));
    return index < 0 ? fail("bad-signature") : { ok: true, scheme: "bigcommerce", secretIndex: index };
  },
  sign: (input) => ({ [nameOf(input.names, "signature")]: input.secret }),
} as const satisfies SignatureScheme;
