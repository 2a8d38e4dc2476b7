import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { SecretSource } from "../lambdas/core/ports.ts";
import type { VendorConfig } from "../lambdas/core/vendor-config.ts";
import { SIGNATURE_SCHEMES } from "../lambdas/core/webhooks/schemes/index.ts";
import {
  parseSigningSecrets,
  SecretValueError,
  type SigningSecrets,
  secretList,
  signingSecretsProblem,
} from "../lambdas/core/webhooks/signing-secrets.ts";

/** A vendor whose signing secret in the secrets file cannot be used. */
export interface SecretProblem {
  readonly vendorId: string;
  readonly secretName: string;
  /** What is wrong, in plain words (never the value). */
  readonly problem: string;
}

/** What a reload of the secrets file did. */
export interface SecretsReload {
  /** Vendors whose signing secret changed and is now in use. */
  readonly changed: readonly string[];
  /** Vendors whose new value was refused: the last good one stays in use (or none, at start). */
  readonly refused: readonly SecretProblem[];
}

type StoredValues = Record<string, unknown>;

/**
 * The sandbox's stand-in for Secrets Manager: `<data-dir>/secrets.json`, created on first start with
 * a fresh random signing secret per webhook vendor (in its scheme's format) and a random credential
 * per pull channel (never committed: the data directory is ignored). Values use the same format as on
 * AWS: plain text, or `{"current", "previous"}` during a rotation (as an object or as JSON text).
 *
 * Every webhook vendor's secret is checked against its scheme when the file is read and whenever it
 * is reloaded; an invalid value is refused (naming the vendor) and the last good one stays in use.
 */
export class LocalSecrets implements SecretSource {
  readonly #file: string | undefined;
  #values: StoredValues;
  /** Last good signing secrets by secret name (webhook channels only). */
  readonly #good = new Map<string, SigningSecrets>();
  #problems: SecretProblem[] = [];

  constructor(file: string | undefined, vendors: Iterable<VendorConfig>) {
    this.#file = file;
    const configs = [...vendors];
    try {
      this.#values = file && existsSync(file) ? readValues(file) : {};
    } catch (error) {
      // Never write over a file we could not read: it holds the vendors' secrets.
      this.#values = {};
      this.#problems = fileProblems(configs, error as Error);
      return;
    }
    if (this.#addMissing(configs) && file) this.#write();
    this.#problems = [...this.#check(configs, false).refused];
  }

  /** Webhook vendors whose signing secret cannot be used now (invalid at start, never fixed). */
  get problems(): readonly SecretProblem[] {
    return this.#problems;
  }

  /**
   * Re-reads the file (after an edit, or for new vendors) and checks every webhook vendor's secret
   * again. A new valid value takes over; an invalid one is refused and the last good one kept.
   *
   * A file that is not a JSON object is refused whole: every webhook vendor keeps its last good secret.
   */
  reload(vendors: Iterable<VendorConfig>): SecretsReload {
    const configs = [...vendors];
    try {
      if (this.#file && existsSync(this.#file)) this.#values = readValues(this.#file);
    } catch (error) {
      const refused = fileProblems(configs, error as Error);
      this.#problems = refused.filter((p) => !this.#good.has(p.secretName));
      return { changed: [], refused };
    }
    if (this.#addMissing(configs) && this.#file) this.#write();
    const result = this.#check(configs, true);
    this.#problems = result.refused.filter((p) => !this.#good.has(p.secretName));
    return result;
  }

  /** @throws {SecretValueError} when the secret has no usable value (a configuration fault). */
  async secrets(secretName: string): Promise<string[]> {
    const good = this.#good.get(secretName);
    if (good) return secretList(good);
    const problem = this.#problems.find((p) => p.secretName === secretName);
    if (problem) throw new SecretValueError(problem.problem);
    return secretList(parseSigningSecrets(this.#values[secretName]));
  }

  /**
   * A secret's text as stored (the pull connectors' `SecretPort`).
   * @throws {Error} when there is none.
   */
  async text(secretName: string): Promise<string> {
    const value = this.#values[secretName];
    if (value === undefined) throw new Error(`no local secret named ${secretName}`);
    return typeof value === "string" ? value : JSON.stringify(value);
  }

  /** The current signing secret (the demo and `vendor-sync webhook send` sign test deliveries with it). */
  current(secretName: string): string {
    const good = this.#good.get(secretName);
    if (good) return good.current;
    try {
      return parseSigningSecrets(this.#values[secretName]).current;
    } catch (error) {
      throw new Error(`no usable local secret named ${secretName}: ${(error as Error).message}`);
    }
  }

  /** Creates a secret for every webhook and pull channel that has none. @returns whether any was added. */
  #addMissing(configs: readonly VendorConfig[]): boolean {
    let added = false;
    for (const vendor of configs) {
      const channel = vendor.channels.webhook;
      if (!channel || this.#values[channel.secretName] !== undefined) continue;
      this.#values[channel.secretName] = SIGNATURE_SCHEMES[channel.scheme].secret.generate(randomBytes(32));
      added = true;
    }
    // Pull credentials: the local vendor API accepts exactly these.
    for (const vendor of configs) {
      const pull = vendor.channels.pull;
      if (!pull?.secretName || this.#values[pull.secretName] !== undefined) continue;
      const token = `local_${randomBytes(16).toString("hex")}`;
      this.#values[pull.secretName] =
        pull.auth.type === "basic"
          ? `local:${token}`
          : pull.auth.type === "oauth2-client-credentials"
            ? JSON.stringify({ clientId: "vendor-sync-local", clientSecret: token })
            : token;
      added = true;
    }
    return added;
  }

  #check(configs: readonly VendorConfig[], keepLastGood: boolean): SecretsReload {
    const changed: string[] = [];
    const refused: SecretProblem[] = [];
    const seen = new Set<string>();
    for (const vendor of configs) {
      const channel = vendor.channels.webhook;
      if (!channel) continue;
      const where = { vendorId: vendor.id, secretName: channel.secretName };
      let secrets: SigningSecrets;
      try {
        secrets = parseSigningSecrets(this.#values[channel.secretName]);
      } catch (error) {
        refused.push({ ...where, problem: `the value ${(error as Error).message}` });
        if (!keepLastGood) this.#good.delete(channel.secretName);
        continue;
      }
      const problem = signingSecretsProblem(secrets, SIGNATURE_SCHEMES[channel.scheme].secret);
      if (problem) {
        refused.push({ ...where, problem: `${problem.message} for scheme ${channel.scheme}` });
        if (!keepLastGood) this.#good.delete(channel.secretName);
        continue;
      }
      const before = this.#good.get(channel.secretName);
      // A secret just created for a new vendor is not news; one fixed after a refusal is.
      const wasRefused = this.#problems.some((p) => p.secretName === channel.secretName);
      if (!seen.has(channel.secretName) && keepLastGood && !sameSecrets(before, secrets) && (before || wasRefused)) {
        changed.push(vendor.id);
      }
      seen.add(channel.secretName);
      this.#good.set(channel.secretName, secrets);
    }
    return { changed, refused };
  }

  #write(): void {
    if (this.#file) writeFileSync(this.#file, `${JSON.stringify(this.#values, null, 2)}\n`, { mode: 0o600 });
  }
}

function sameSecrets(a: SigningSecrets | undefined, b: SigningSecrets): boolean {
  return a !== undefined && a.current === b.current && a.previous === b.previous;
}

function fileProblems(configs: readonly VendorConfig[], error: Error): SecretProblem[] {
  return configs.flatMap((vendor) =>
    vendor.channels.webhook
      ? [{ vendorId: vendor.id, secretName: vendor.channels.webhook.secretName, problem: error.message }]
      : [],
  );
}

function readValues(file: string): StoredValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new SecretValueError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SecretValueError(`${file} must be a JSON object of secret name → value`);
  }
  return parsed as StoredValues;
}
