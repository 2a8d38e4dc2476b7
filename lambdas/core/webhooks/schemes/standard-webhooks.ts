import { decodeBase64 } from "../constant-time.ts";
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

const PREFIX = "whsec_";

/** `whsec_<base64>` (or bare base64) → key bytes; `undefined` when it is not valid base64. */
export function standardWebhooksKey(secret: string): Buffer | undefined {
  return decodeBase64(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret);
}

/**
 * Standard Webhooks (and Svix, which sends the same scheme under `svix-*` names): `webhook-signature`
 * holds space-separated `<version>,<base64>` entries; only `v1` (HMAC-SHA256) is checked, others
 * (`v1a`, Ed25519) are skipped. Signed content is `<id>.<timestamp>.<body>` under the base64-decoded
 * secret. Each header is read from the `webhook-*` family, else the `svix-*` one.
 *
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * @see https://docs.svix.com/receiving/verifying-payloads/how-manual
 */
export const standardWebhooks = {
  name: "standard-webhooks",
  summary: "Standard Webhooks v1 (webhook-* or svix-* headers): base64 HMAC-SHA256 of id.timestamp.body",
  headerFamilies: [
    { id: "webhook-id", timestamp: "webhook-timestamp", signature: "webhook-signature" },
    { id: "svix-id", timestamp: "svix-timestamp", signature: "svix-signature" },
  ],
  roles: ["signature", "id", "timestamp"],
  requiredRoles: [],
  signsTimestamp: true,
  secret: {
    description: "whsec_ followed by the base64 key (24 to 64 bytes recommended)",
    problem: (secret) => {
      const text = textSecretProblem(secret);
      if (text) return text;
      const key = standardWebhooksKey(secret);
      if (!key) return `is not ${PREFIX} followed by base64`;
      return key.byteLength === 0 ? "has an empty key" : undefined;
    },
    generate: (random) => `${PREFIX}${Buffer.from(random).toString("base64")}`,
  },
  verify: (input) => {
    const value = readRole(input, "signature")?.trim();
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
    if (!entries.some((entry) => entry.startsWith("v1,"))) return fail("unsupported-signature-version");
    const webhookId = readRole(input, "id")?.trim();
    if (!webhookId) return fail("missing-webhook-id");
    const signed = readTimestamp(readRole(input, "timestamp"), input.timestampUnit);
    if ("ok" in signed) return signed;
    const keys = hmacKeys(input.secrets, standardWebhooksKey);
    if (!keys) return fail("no-usable-secret");
    const prefix = utf8(`${webhookId}.${signed.text}.`);
    const index = firstMatch(keys, signatures, (key) => hmacSha256(key, prefix, input.body));
    if (index < 0) return fail("bad-signature");
    return (
      checkWindow(signed, input) ?? {
        ok: true,
        scheme: "standard-webhooks",
        secretIndex: index,
        signedAt: signed.ms,
        webhookId,
      }
    );
  },
  sign: (input) => {
    const key = standardWebhooksKey(input.secret);
    if (!key) throw new Error(`the signing secret is not ${PREFIX} followed by base64`);
    const t = timestampText(input.now, input.timestampUnit);
    const mac = hmacSha256(key, utf8(`${input.messageId}.${t}.`), input.body).toString("base64");
    return {
      [nameOf(input.names, "id")]: input.messageId,
      [nameOf(input.names, "timestamp")]: t,
      [nameOf(input.names, "signature")]: `v1,${mac}`,
    };
  },
} as const satisfies SignatureScheme;
