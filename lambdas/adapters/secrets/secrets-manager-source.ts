import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import type { SecretSource } from "../../core/ports.ts";
import { parseSigningSecrets, secretList } from "../../core/webhooks/signing-secrets.ts";

/** How long a function keeps a secret it read, in seconds: a rotated secret is in use at most this long after it is stored. */
export const SECRET_CACHE_SECONDS = 300;

/**
 * Reads a webhook signing secret from AWS Secrets Manager, cached in the execution environment for
 * `maxAgeSeconds` (Powertools Parameters): a rotated secret is used at most that long after it is
 * stored. The secret holds the signing secret as plain text, or `{"current": "...", "previous": "..."}`
 * while a rotation is under way (both are accepted).
 *
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/parameters/
 * @see ../../../docs/vendor-onboarding.md (rotating a secret)
 */
export class SecretsManagerSource implements SecretSource {
  readonly #maxAge: number;

  /** @param options.maxAgeSeconds - cache lifetime, seconds. @default {@link SECRET_CACHE_SECONDS} */
  constructor(options: { maxAgeSeconds?: number } = {}) {
    this.#maxAge = options.maxAgeSeconds ?? SECRET_CACHE_SECONDS;
  }

  /** @throws {SecretValueError} when the stored value is malformed (a configuration fault, not an outage). */
  async secrets(secretName: string): Promise<string[]> {
    const value = await getSecret(secretName, { maxAge: this.#maxAge });
    return secretList(
      parseSigningSecrets(
        typeof value === "string" || value === undefined ? value : new TextDecoder().decode(value as Uint8Array),
      ),
    );
  }
}

/**
 * Reads a secret's text from AWS Secrets Manager, cached per execution environment (Powertools
 * Parameters): the vendor pull connectors' credentials (`channels.pull.secretName`).
 *
 * @param maxAgeSeconds - cache lifetime. @default 300
 */
export async function readSecretText(secretName: string, maxAgeSeconds = SECRET_CACHE_SECONDS): Promise<string> {
  const value = await getSecret(secretName, { maxAge: maxAgeSeconds });
  if (value === undefined) throw new Error(`secret ${secretName} has no value`);
  return typeof value === "string" ? value : new TextDecoder().decode(value as Uint8Array);
}
