import { decodeHex } from "../constant-time.ts";
import {
  checkWindow,
  fail,
  firstMatch,
  hmacKeys,
  hmacSha256,
  MAX_SIGNATURE_ENTRIES,
  nameOf,
  readRole,
  readTimestamp,
  type SignatureScheme,
  textSecretProblem,
  timestampText,
  utf8,
} from "./scheme.ts";

/**
 * Stripe-style `t=<ts>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`: only `v1` counts; the key is the secret
 * string itself (`whsec_` included), the signed bytes are `t + "." + body`. Our default scheme for
 * vendors without one of their own.
 *
 * @see https://docs.stripe.com/webhooks#verify-manually
 */
export const stripe = {
  name: "stripe",
  summary: 'Stripe-style "t=<time>,v1=<hex HMAC-SHA256 of time.body>", the secret string as the key',
  headerFamilies: [{ signature: "Stripe-Signature" }],
  roles: ["signature"],
  requiredRoles: [],
  signsTimestamp: true,
  secret: {
    description: "the endpoint secret as text (whsec_… for Stripe itself)",
    problem: textSecretProblem,
    generate: (random) => `whsec_${Buffer.from(random).toString("base64")}`,
  },
  verify: (input) => {
    const value = readRole(input, "signature")?.trim();
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
    if (signatures.length === 0) {
      return fail(otherVersions > 0 ? "unsupported-signature-version" : "malformed-signature");
    }
    const signed = readTimestamp(timestamp, input.timestampUnit);
    if ("ok" in signed) return signed;
    const keys = hmacKeys(input.secrets, utf8);
    if (!keys) return fail("no-usable-secret");
    const candidates = signatures.map(decodeHex).filter((bytes): bytes is Buffer => bytes !== undefined);
    const prefix = utf8(`${signed.text}.`);
    const index = firstMatch(keys, candidates, (key) => hmacSha256(key, prefix, input.body));
    if (index < 0) return fail("bad-signature");
    return checkWindow(signed, input) ?? { ok: true, scheme: "stripe", secretIndex: index, signedAt: signed.ms };
  },
  sign: (input) => {
    const t = timestampText(input.now, input.timestampUnit);
    const v1 = hmacSha256(utf8(input.secret), utf8(`${t}.`), input.body).toString("hex");
    return { [nameOf(input.names, "signature")]: `t=${t},v1=${v1}` };
  },
} as const satisfies SignatureScheme;
