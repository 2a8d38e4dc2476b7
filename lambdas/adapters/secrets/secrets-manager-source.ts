import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import type { SecretSource } from "../../core/ports.ts";

/**
 * Reads a webhook signing secret from AWS Secrets Manager, cached in the execution environment for
 * `maxAgeSeconds` (Powertools Parameters). The secret holds either the signing secret as plain text,
 * or `{"current": "...", "previous": "..."}` while a rotation is under way (both are accepted).
 *
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/parameters/
 */
export class SecretsManagerSource implements SecretSource {
  readonly #maxAge: number;

  /** @param options.maxAgeSeconds - cache lifetime. @default 300 */
  constructor(options: { maxAgeSeconds?: number } = {}) {
    this.#maxAge = options.maxAgeSeconds ?? 300;
  }

  async secrets(secretName: string): Promise<string[]> {
    const value = await getSecret(secretName, { maxAge: this.#maxAge });
    return parseSecretValue(typeof value === "string" ? value : new TextDecoder().decode(value as Uint8Array));
  }
}

/**
 * @returns the accepted secrets from a stored value: plain text, or JSON `{ current, previous }`.
 * Empty values are dropped.
 */
export function parseSecretValue(value: string | undefined): string[] {
  if (!value) return [];
  const trimmed = value.trim();
  if (trimmed.startsWith("{")) {
    try {
      const parsed = JSON.parse(trimmed) as { current?: unknown; previous?: unknown };
      return [parsed.current, parsed.previous].filter((s): s is string => typeof s === "string" && s !== "");
    } catch {
      // Not JSON after all: a plain secret that starts with "{".
    }
  }
  return [value];
}

/**
 * Reads a secret's text from AWS Secrets Manager, cached per execution environment (Powertools
 * Parameters): the vendor pull connectors' credentials (`channels.pull.secretName`).
 *
 * @param maxAgeSeconds - cache lifetime. @default 300
 */
export async function readSecretText(secretName: string, maxAgeSeconds = 300): Promise<string> {
  const value = await getSecret(secretName, { maxAge: maxAgeSeconds });
  if (value === undefined) throw new Error(`secret ${secretName} has no value`);
  return typeof value === "string" ? value : new TextDecoder().decode(value as Uint8Array);
}
