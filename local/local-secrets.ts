import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseSecretValue } from "../lambdas/adapters/secrets/secrets-manager-source.ts";
import type { SecretSource } from "../lambdas/core/ports.ts";
import type { VendorConfig } from "../lambdas/core/vendor-config.ts";

/**
 * The sandbox's stand-in for Secrets Manager: `<data-dir>/secrets.json`, created on first start with
 * a fresh random signing secret per webhook vendor and a random credential per pull channel (never
 * committed: the data directory is ignored).
 * Values use the same format as on AWS: plain text, or `{"current", "previous"}` during a rotation.
 */
export class LocalSecrets implements SecretSource {
  readonly #values: Record<string, string>;

  constructor(file: string | undefined, vendors: Iterable<VendorConfig>) {
    this.#values = file && existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
    let added = false;
    const configs = [...vendors];
    for (const vendor of configs) {
      const channel = vendor.channels.webhook;
      if (!channel || this.#values[channel.secretName]) continue;
      const secret = randomBytes(32);
      this.#values[channel.secretName] =
        channel.scheme === "standard-webhooks" || channel.scheme === "stripe"
          ? `whsec_${secret.toString("base64")}`
          : secret.toString("hex");
      added = true;
    }
    // Pull credentials: the local vendor API accepts exactly these.
    for (const vendor of configs) {
      const pull = vendor.channels.pull;
      if (!pull?.secretName || this.#values[pull.secretName]) continue;
      const token = `local_${randomBytes(16).toString("hex")}`;
      this.#values[pull.secretName] =
        pull.auth.type === "basic"
          ? `local:${token}`
          : pull.auth.type === "oauth2-client-credentials"
            ? JSON.stringify({ clientId: "vendor-sync-local", clientSecret: token })
            : token;
      added = true;
    }
    if (added && file) writeFileSync(file, `${JSON.stringify(this.#values, null, 2)}\n`, { mode: 0o600 });
  }

  async secrets(secretName: string): Promise<string[]> {
    return parseSecretValue(this.#values[secretName]);
  }

  /**
   * A secret's text as stored (the pull connectors' `SecretPort`).
   * @throws {Error} when there is none.
   */
  async text(secretName: string): Promise<string> {
    const value = this.#values[secretName];
    if (value === undefined) throw new Error(`no local secret named ${secretName}`);
    return value;
  }

  /** The current signing secret (the demo and `vendor-sync` sign test deliveries with it). */
  current(secretName: string): string {
    const [current] = parseSecretValue(this.#values[secretName]);
    if (!current) throw new Error(`no local secret named ${secretName}`);
    return current;
  }
}
